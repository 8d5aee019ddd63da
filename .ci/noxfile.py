"""The unit and property tests on every supported Python but the main one.

Run by .ci/run (and `make pythons`) after `make test`, which covers the main Python with
every oracle, the notebooks and the browser. PyTorch's CPU wheel on these machines is for
Python 3.11 only, so here the torch comparisons skip; the notebooks and the two browser
tests (a kernel and JupyterLab of the main Python) run in `make test` only.
"""

import os

import nox

nox.options.error_on_missing_interpreters = True
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHONS = os.environ.get('SCALARGRAD_PYTHONS', '3.10 3.12 3.13').split()


@nox.session(python=PYTHONS)
def tests(session):
    session.chdir(ROOT)
    session.install('--quiet', '-e', '.[dev]')
    session.run('python', '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                '--ignore=tests/test_notebooks.py', '--ignore=tests/test_browser.py',
                '--ignore=tests/test_jupyterlab.py',  # the front end: covered by make test
                env={'SCALARGRAD_REQUIRE_ORACLES': '0'})
