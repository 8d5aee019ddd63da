"""The notebook face of a step-through: a slider over the frames (needs ipywidgets).

    [> play] frame [====o======] 6        <- the controls stay put
    frame 6 of 17 -- step 5 of 16: ...     <- a caption of fixed height
    [ the picture, the active node in view ]
    [ the legend, once ]

Saved in a notebook, the slider also carries a picture of its first frame, so a front end
that cannot run widgets (a stored notebook not yet run, a code host) shows that instead
of the text 'VBox(children=...)'.
"""

import base64
import html

import ipywidgets as widgets

CAPTION_HEIGHT = '5.8em'  # four lines: the longest caption of a small MLP, so nothing jumps


class StepThrough(widgets.VBox):
    """A VBox of controls, caption, picture and legend, with a still picture as fallback."""

    def __init__(self, children, fallback, **kwargs):
        super().__init__(children, **kwargs)
        self._fallback = fallback  # (png bytes, width, height, text)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        png, width, height, text = self._fallback
        data = {**data, 'image/png': base64.b64encode(png).decode('ascii'), 'text/plain': text}
        return data, {**metadata, 'image/png': {'width': width, 'height': height}}


def step_widget(frames, legend):
    """A StepThrough over frames; the slider counts frames from 1, as the caption does."""
    total = len(frames)
    shown = [frame.picture.fitted_svg() for frame in frames]  # SVG: no PNG per frame
    slider = widgets.IntSlider(value=1, min=1, max=total, description='frame',
                               continuous_update=True, readout=True,
                               layout=widgets.Layout(width='420px'))
    play = widgets.Play(value=1, min=1, max=total, interval=1500, description='play')
    widgets.jslink((play, 'value'), (slider, 'value'))
    caption = widgets.HTML(caption_html(frames[0]), layout=widgets.Layout(
        height=CAPTION_HEIGHT, overflow='auto', width='100%'))
    picture = widgets.HTML(shown[0][0], layout=widgets.Layout(width='100%', overflow='auto'))
    key = widgets.HTML(legend.fitted_svg()[0], layout=widgets.Layout(width='100%'))

    def show(change):
        n = change['new'] - 1
        caption.value = caption_html(frames[n])
        picture.value = shown[n][0]

    slider.observe(show, names='value')
    controls = widgets.HBox([play, slider])
    _, png, width, height, _ = frames[0].picture.fitted()
    text = (f"<step-through of {total} frames: run the notebook to move through them; "
            f"the picture shows frame 1>")
    return StepThrough([controls, caption, picture, key], (png, width, height, text),
                       layout=widgets.Layout(width='100%', overflow='hidden'))


def caption_html(frame):
    return (f'<div style="line-height: 1.35">'  # widgets' own line height fits 2 lines only
            f"<b>frame {frame.index + 1} of {frame.total}</b> &mdash; "
            f"{html.escape(frame.caption)}</div>")
