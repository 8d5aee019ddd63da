"""A drawn graph that behaves like the `graphviz` package's objects, and fits a notebook.

    pic.source                       the DOT text
    pic.format                       'svg' (or 'png', 'pdf'): what render() writes
    pic.render('gout')               writes gout (the DOT text) and gout.svg; returns 'gout.svg'
    pic.pipe('png')                  the picture as bytes
    pic                              (last line of a cell) an SVG and a sharp PNG, sized to fit

In Jupyter a picture offers both SVG and PNG: JupyterLab shows the SVG of cells it ran
itself, and the PNG wherever SVG is not trusted (a stored notebook opened before running
it). The PNG is rendered at twice the size it is shown at, so it stays sharp on any screen.

A picture wider than a notebook column (COLUMN_PX) is shown shrunk to the column, but
never below MIN_TEXT_PX for its smallest text; a graph too wide for that says so in the
picture itself and names the smaller views.

>>> pic = draw_dot(y, format='png')
>>> pic.render('neuron')        # 'neuron.png'
"""

import base64
import os
import re

from .files import write_atomic
from .render import RenderError, open_viewer, render

FORMATS = ('svg', 'png', 'pdf')
COLUMN_PX = 900  # the width of JupyterLab's notebook column on a laptop screen, about
MIN_TEXT_PX = 9  # below this, numbers on a picture stop being readable
SMALLEST_TEXT_PT = 10  # the smallest font a picture uses (edge labels)
PX_PER_PT = 96 / 72  # how browsers draw Graphviz's points
MIN_SCALE = MIN_TEXT_PX / (SMALLEST_TEXT_PT * PX_PER_PT)  # about 0.68
SHARPNESS = 2  # PNG pixels per displayed pixel

_SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([^"]*)"')


def check_format(format, what='format'):
    if format not in FORMATS:
        raise ValueError(f"{what} must be one of {', '.join(FORMATS)}; got {format!r}")
    return format


class Picture:
    """A drawn graph: .source, .format, .render(), .pipe(), .save(path); inline in Jupyter.

    >>> pic = draw_dot(y)
    >>> pic.render('graph', format='png')   # 'graph.png' (and the DOT text in 'graph')
    """

    def __init__(self, source, engine='dot', format='svg', *, filename='scalargrad.gv',
                 directory='', remake=None, crop=None):
        self.source = source
        self.engine = engine  # 'dot' lays the graph out; 'nop2' keeps given positions
        self.format = format
        self.filename, self.directory = filename, directory
        self._remake = remake  # remake(note, fontsize) -> DOT text with a note under the graph
        self.crop = crop  # (left, width) in points: show only this slice of the picture
        self._svg = self._fitted = self._png = None

    @property
    def format(self):
        return self._format

    @format.setter
    def format(self, format):
        self._format = check_format(format)

    # ---- the graphviz face

    def pipe(self, format=None, encoding=None):
        """The picture as bytes in `format` (default: .format); text when encoding is given."""
        data = render(self.source, check_format(format or self.format), self.engine)
        return data.decode(encoding) if encoding else data

    def render(self, filename=None, directory=None, *, format=None, view=False, cleanup=False,
               outfile=None):
        """Write the DOT text to filename and the picture beside it; return the picture's path.

        As the graphviz package does: render('gout') writes 'gout' and 'gout.svg'; cleanup
        removes the DOT file afterwards; view opens the picture in the system's viewer;
        outfile='g.png' names the picture directly (its suffix gives the format).
        """
        if outfile is not None:
            outfile = os.fspath(outfile)
            stem, suffix = os.path.splitext(outfile)
            if format is None:
                format = suffix[1:].lower() or self.format
            if filename is None:
                filename = os.path.basename(stem) + '.gv'
                directory = os.path.dirname(outfile) if directory is None else directory
        format = check_format(format or self.format)
        filepath = os.path.join(os.fspath(self.directory if directory is None else directory),
                                os.fspath(self.filename if filename is None else filename))
        output = outfile if outfile is not None else f'{filepath}.{format}'
        picture = render(self.source, format, self.engine)  # fails before writing anything
        write_atomic(filepath, self.source)
        write_atomic(output, picture)
        if cleanup:
            os.remove(filepath)
        if view:
            open_viewer(output)
        return output

    def view(self, filename=None, directory=None, cleanup=False):
        """Render (see render) and open the result in the system's picture viewer."""
        return self.render(filename, directory, view=True, cleanup=cleanup)

    def save(self, path):
        """Write the picture to path (.svg, .png or .pdf) atomically; return the path."""
        suffix = os.path.splitext(os.fspath(path))[1].lower()
        if suffix[1:] not in FORMATS:
            raise ValueError(f"cannot tell the picture format from {os.fspath(path)!r}: "
                             f"use a name ending in .svg, .png or .pdf")
        write_atomic(path, self.pipe(suffix[1:]))
        return path

    def svg(self):
        """The picture as SVG text (rendered once, then kept)."""
        if self._svg is None:
            self._svg = self.pipe('svg').decode('utf-8')
        return self._svg

    def _repr_svg_(self):
        return self.svg()

    # ---- fitting a notebook column

    def fitted(self):
        """(svg, png, width, height, note): what a notebook shows, sized for the column.

        width and height are the display size in CSS pixels (the PNG has SHARPNESS times
        as many pixels); note is None, or the text saying the graph is too wide to read.
        """
        svg, width, height, note = self.fitted_svg()
        if self._png is None:
            self._png = self.fitted_png(SHARPNESS)
        return svg, self._png, width, height, note

    def fitted_png(self, sharpness=SHARPNESS):
        """The PNG of fitted(), with `sharpness` pixels per displayed pixel."""
        self.fitted_svg()  # decides the scale (and the note) first
        source, scale = self._fit_source
        if self.crop is not None:  # let Graphviz draw only the slice: faster than cutting
            left, wide = self.crop
            height = float(_SVG_SIZE.search(self.svg()).group(2))
            view = f'viewport="{wide:.2f},{height:.2f},1,{left + wide / 2 - 4:.2f},' \
                   f'{(height - 8) / 2:.2f}"'
            source = source.replace('{', '{\n\t' + view, 1)
        return render(source, 'png', self.engine, dpi=96 * sharpness * scale)

    def fitted_svg(self):
        """(svg, width, height, note): the SVG part of fitted(), without rendering a PNG."""
        if self._fitted is None:
            self._fitted = self._fit()
        return self._fitted

    def _fit(self):
        svg, note, source = self.svg(), None, self.source
        width_pt, height_pt = _svg_size(svg, self.crop)
        scale = min(1.0, COLUMN_PX / (width_pt * PX_PER_PT))
        if scale < MIN_SCALE and self._remake is not None:
            note = (f"This graph is {width_pt * PX_PER_PT:.0f} px wide: to fit a "
                    f"{COLUMN_PX} px column its text would be "
                    f"{SMALLEST_TEXT_PT * PX_PER_PT * scale:.1f} px high, too small to read.")
            source = self._remake(note, 11 / scale)
            svg = render(source, 'svg', self.engine).decode('utf-8')
            width_pt, height_pt = _svg_size(svg, None)
            scale = min(1.0, COLUMN_PX / (width_pt * PX_PER_PT))
        self._fit_source = source, scale
        width = round(width_pt * PX_PER_PT * scale)
        height = round(height_pt * PX_PER_PT * scale)
        return _sized_svg(svg, width, height, self.crop), width, height, note

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        svg, png, width, height, note = self.fitted()
        text = repr(self) + (f"\n{note}" if note else '')
        data = {'image/svg+xml': svg, 'image/png': base64.b64encode(png).decode('ascii'),
                'text/plain': text}
        data = {kind: value for kind, value in data.items()
                if (not include or kind in include) and not (exclude and kind in exclude)}
        metadata = {'image/png': {'width': width, 'height': height}} if 'image/png' in data \
            else {}
        return data, metadata

    def __repr__(self):
        boxes = self.source.count('shape=record')
        return f"<Picture of a graph: {boxes} values; display it in Jupyter or .save('g.svg')>"


def _svg_size(svg, crop):
    """(width, height) in points of Graphviz's SVG, or of its slice `crop`."""
    found = _SVG_SIZE.search(svg)
    if found is None:
        raise RenderError("Graphviz returned an SVG without a size; cannot fit it to the page")
    width, height = float(found.group(1)), float(found.group(2))
    return (width if crop is None else min(crop[1], width)), height


def _sized_svg(svg, width, height, crop):
    """The SVG shown at width x height pixels (and only the slice crop, when given)."""
    def resize(found):
        box = found.group(3)
        if crop is not None:
            x0, y0, w, h = (float(v) for v in box.split())
            box = f'{crop[0]:.2f} {y0:.2f} {min(crop[1], w):.2f} {h:.2f}'
        return (f'<svg width="{width}px" height="{height}px" '  # narrower space: shrink
                f'style="max-width: 100%; height: auto"\n viewBox="{box}"')
    return _SVG_SIZE.sub(resize, svg, count=1)
