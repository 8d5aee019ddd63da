"""DOT text to picture bytes, by Graphviz: its `dot` program when on PATH, else pygraphviz.

A plain `pip install` is enough: pygraphviz's wheels carry Graphviz inside them.

>>> render('digraph { a -> b }', 'svg')[:5]
b'<?xml'
"""

import os
import shutil
import subprocess
import sys
import tempfile

RENDER_TIMEOUT = 120  # seconds, for the external `dot` program
INSTALL_HINT = ("install Graphviz for Python with `pip install pygraphviz` (its wheels include "
                "Graphviz), or put Graphviz's `dot` program on PATH (e.g. `apt install graphviz`)")


class RenderError(RuntimeError):
    """Graphviz could not turn the DOT text into a picture (the message says what to do)."""


def render(source, format='svg', engine='dot', dpi=None):
    """DOT text -> bytes in `format`; dpi (PNG only) sets the pixels per inch (96 is 1x)."""
    args = [f'-Gdpi={dpi:g}'] if dpi else []
    program = shutil.which('dot')
    if program:
        return _render_with_program(program, source, format, engine, args)
    return _render_with_pygraphviz(source, format, engine, args)


def _render_with_program(program, source, format, engine, args):
    try:
        done = subprocess.run([program, f'-K{engine}', f'-T{format}', *args],
                              input=source.encode(), capture_output=True, timeout=RENDER_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz ({program}) took more than {RENDER_TIMEOUT} s; draw a "
                          f"smaller part of the graph") from None
    except OSError as e:
        raise RenderError(f"could not run Graphviz ({program}): {e}; {INSTALL_HINT}") from None
    if done.returncode != 0 or not done.stdout:
        problem = done.stderr.decode(errors='replace').strip().splitlines()
        problem = problem[-1] if problem else f'exit status {done.returncode}'
        raise RenderError(f"Graphviz ({program}) failed: {problem}; {INSTALL_HINT}")
    return done.stdout


def _render_with_pygraphviz(source, format, engine, args):
    try:
        import pygraphviz
    except ImportError:
        raise RenderError(f"no Graphviz found to draw with: {INSTALL_HINT}") from None
    with _c_stderr_captured() as said:
        try:
            return pygraphviz.AGraph(string=source).draw(format=format, prog=engine,
                                                         args=' '.join(args))
        except (ValueError, OSError, pygraphviz.DotError) as e:
            error = e
    details = ' '.join(said.text().split())[-300:]
    raise RenderError(f"Graphviz (pygraphviz) failed: {error} {details}; {INSTALL_HINT}")


class _c_stderr_captured:
    """Keep what C libraries write straight to file descriptor 2 (Graphviz's layout warnings,
    fontconfig's complaints about the system's font setup) out of the terminal and out of
    notebook outputs; .text() returns it, to explain a failure.
    """

    def __enter__(self):
        sys.stderr.flush()
        self._file = tempfile.TemporaryFile()
        self._saved = os.dup(2)
        os.dup2(self._file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        self._text = self._file.read().decode(errors='replace')
        self._file.close()
        return False

    def text(self):
        return self._text


def open_viewer(path):
    """Open a written picture in the system's viewer, or say clearly that there is none."""
    path = os.fspath(path)
    if sys.platform == 'win32':
        os.startfile(path)  # noqa: S606 -- the platform's own "open with" action
        return
    program = shutil.which('open' if sys.platform == 'darwin' else 'xdg-open')
    if program is None:
        raise RenderError(f"cannot show {path!r}: no picture viewer found (no "
                          f"{'open' if sys.platform == 'darwin' else 'xdg-open'} on PATH); "
                          f"the file is written, open it yourself")
    try:
        subprocess.Popen([program, path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError as e:
        raise RenderError(f"cannot show {path!r}: {program} did not start ({e}); the file is "
                          f"written, open it yourself") from None
