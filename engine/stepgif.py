"""A step-through as an animated GIF, for slides: one frame per step, captions burnt in.

Each GIF frame is the step-through's picture (the slice around the node being processed,
when the graph is wide), with its caption above it in a band of fixed height and the
legend below, so nothing moves from frame to frame. Needs Pillow.

>>> save_steps_gif(y, 'backprop.gif')
'backprop.gif'
"""

import io
import os

from .files import write_atomic
from .stepview import STEP_MAX_NODES, backward_frames, legend_picture

CAPTION_LINES = 5  # the band above the picture holds this many lines of caption
FONT_SIZE = 15
MARGIN = 12


def save_steps_gif(root, path, rankdir='LR', *, params=(), max_nodes=STEP_MAX_NODES,
                   seconds_per_frame=2.0):
    """Write root's backward pass, one frame per step, as an animated GIF; return the path.

    >>> save_steps_gif(y, 'backprop.gif', seconds_per_frame=1.5)
    'backprop.gif'
    """
    name = os.fspath(path)
    if os.path.splitext(name)[1].lower() != '.gif':
        raise ValueError(f"save_steps_gif writes a GIF: use a name ending in .gif, got {name!r}")
    folder = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {name!r}: the folder {folder!r} does not exist")
    if isinstance(seconds_per_frame, bool) or not isinstance(seconds_per_frame, (int, float)) \
            or not 0.05 <= seconds_per_frame <= 60:
        raise ValueError(f"save_steps_gif: seconds_per_frame must be a number from 0.05 to 60, "
                         f"got {seconds_per_frame!r}")
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        raise ImportError("save_steps_gif needs Pillow: pip install Pillow") from None
    frames = backward_frames(root, rankdir, params=params, max_nodes=max_nodes, legend=False,
                             caller='save_steps_gif')
    pictures = [_at_display_size(Image, frame.picture) for frame in frames]
    legend = _at_display_size(Image, legend_picture(root, params))
    font = _font()
    width = max(max(p.width for p in pictures), legend.width) + 2 * MARGIN
    line_height = round(FONT_SIZE * 1.35)
    band = CAPTION_LINES * line_height + MARGIN
    height = band + max(p.height for p in pictures) + legend.height + 2 * MARGIN
    images = []
    for frame, picture in zip(frames, pictures):
        image = Image.new('RGB', (width, height), 'white')
        draw = ImageDraw.Draw(image)
        text = f"frame {frame.index + 1} of {frame.total}: {frame.caption}"
        lines = _wrap(draw, text, font, width - 2 * MARGIN)
        if len(lines) > CAPTION_LINES:
            lines = lines[:CAPTION_LINES]
            lines[-1] = lines[-1].rstrip() + ' ...'
        for k, line in enumerate(lines):
            draw.text((MARGIN, MARGIN + k * line_height), line, fill='#222222', font=font)
        image.paste(picture, (MARGIN, band + MARGIN))
        image.paste(legend, (MARGIN, height - legend.height - MARGIN))
        images.append(image.quantize(colors=255, method=Image.Quantize.FASTOCTREE))
    out = io.BytesIO()
    images[0].save(out, format='GIF', save_all=True, append_images=images[1:], loop=0,
                   duration=round(seconds_per_frame * 1000))
    write_atomic(path, out.getvalue())
    return path


def _at_display_size(Image, picture):
    """A picture at the size a notebook shows it, on white."""
    with Image.open(io.BytesIO(picture.fitted_png(sharpness=1))) as image:
        image = image.convert('RGBA')
    flat = Image.new('RGB', image.size, 'white')
    flat.paste(image, mask=image.getchannel('A'))
    return flat


def _font():
    from PIL import ImageFont
    try:
        return ImageFont.load_default(size=FONT_SIZE)
    except TypeError:  # Pillow before 10.1: only the small bitmap font
        return ImageFont.load_default()


def _wrap(draw, text, font, width):
    """text broken into lines no wider than width pixels."""
    lines, line = [], ''
    for word in text.split():
        trial = f'{line} {word}'.strip()
        if line and draw.textlength(trial, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line] if line else lines
