"""The whole suite on every other supported Python, and once on the lowest dependencies.

Run by .ci/run (and `make pythons`) after `make test`, which covers the main Python (the
machine's python3, 3.11) with every oracle required, and after `make package`.

- tests-3.10, tests-3.12, tests-3.13: scalargrad installed from its wheel (not editable) with
  the dev extra, a Jupyter kernel "python3" ("Python 3", the name the stored notebooks carry)
  inside the session's venv, and the whole suite: unit, property, CLI, the notebooks run in
  that kernel, and the step-through page in Chromium (a page made by that Python's engine).
  Not tests/test_jupyterlab.py: it checks how JupyterLab's front end (JavaScript, in
  Chromium) shows the stored notebooks, which does not depend on the kernel's Python, and
  costs about two minutes a run; `make test` runs it once.
- lowest: the runtime dependencies at the lowest versions pyproject.toml allows
  (.ci/lowest.txt, a pip constraints file), on the oldest Python, the same suite.

PyTorch, an oracle only, is a local CPU wheel for 3.11 (any other torch from PyPI is a CUDA
build of several GB), so here the torch comparisons skip and say so in pytest's summary
(SCALARGRAD_REQUIRE_ORACLES=0); in `make test` they are required. A Python whose interpreter
is absent is skipped, and nox says so ("Skipping ...: Python interpreter 3.12 not found").
"""

import os

import nox

nox.options.error_on_missing_interpreters = False  # skip an absent Python, saying so
nox.options.default_venv_backend = 'uv|virtualenv'  # uv: seconds where pip takes minutes
os.environ.setdefault('UV_PYTHON_DOWNLOADS', 'never')  # an absent Python is skipped, not fetched
nox.options.sessions = ['tests', 'lowest']
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHONS = os.environ.get('SCALARGRAD_PYTHONS', '3.10 3.12 3.13').split()
OLDEST = '3.10'
NOT_HERE = ['--ignore=tests/test_jupyterlab.py']  # the front end: once, in make test
KERNEL_CHECK = (  # the notebooks must run in this venv's Python, not another kernel "python3"
    "import sys; from jupyter_client.kernelspec import KernelSpecManager as K; "
    "argv = K().get_kernel_spec('python3').argv; "
    "assert argv[0] == sys.executable, f'kernel python3 runs {argv[0]}, not {sys.executable}'")


def install_and_test(session, *constraints):
    session.chdir(ROOT)
    # A wheel built from the checkout (in isolation), as pip install gives users.
    session.install('--quiet', *constraints, '.[dev]')
    session.run('python', '-m', 'ipykernel', 'install', '--sys-prefix', '--name', 'python3',
                '--display-name', 'Python 3', silent=True)
    session.run('python', '-c', KERNEL_CHECK)
    session.run('python', '-I', '.ci/installed.py', ROOT)  # -I: no checkout on sys.path
    # `pytest`, not `python -m pytest`: the checkout's root is not on sys.path, so `import
    # engine` is the installed package; the tests and notebooks are read from the checkout.
    session.run('pytest', '-q', '-p', 'no:cacheprovider', *NOT_HERE, *session.posargs,
                env={'SCALARGRAD_REQUIRE_ORACLES': '0'})


@nox.session(python=PYTHONS)
def tests(session):
    install_and_test(session)


@nox.session(python=OLDEST)
def lowest(session):
    install_and_test(session, '-c', '.ci/lowest.txt')
    session.run('python', '.ci/lowest.py', '.ci/lowest.txt')
