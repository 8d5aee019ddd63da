"""What the sdist and the wheel must hold, and must not (.ci/package, make package).

    python .ci/contents.py dist/scalargrad-0.1.0.tar.gz dist/scalargrad-0.1.0-py3-none-any.whl

sdist: every file git knows (the packages, tests, notebooks, benchmarks, .ci, Makefile,
README, LICENSE, pyproject.toml) and no caches, venvs or outputs.
wheel: every tracked file of engine/ and nn/ (data files too, not only .py), the LICENSE,
the console script, metadata that says MIT, Python >= 3.10, and no requirement on torch
(an oracle of the tests only) and nothing else at the top level.
"""

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ('engine/', 'nn/')
NEVER = re.compile(r'(^|/)(\.venv|\.nox|__pycache__|\.hypothesis|\.pytest_cache|\.ruff_cache|'
                   r'\.ipynb_checkpoints|mutants|output|results|build|dist)(/|$)|\.py[co]$')
NOT_SHIPPED = {'.gitignore'}  # tracked, but of no use outside git


def tracked():
    """The files git knows (tracked, or new and not ignored), as .ci/package copies them."""
    listed = subprocess.run(['git', 'ls-files', '--cached', '--others', '--exclude-standard'],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {name for name in listed.split('\n')
            if name and name not in NOT_SHIPPED and (ROOT / name).exists()}


def check_sdist(path, files):
    with tarfile.open(path) as archive:
        names = {m.name.split('/', 1)[1] for m in archive.getmembers()
                 if m.isfile() and '/' in m.name}
    missing = sorted(files - names)
    unwanted = sorted(n for n in names if NEVER.search(n))
    assert not missing, f"{path.name} lacks {missing} (MANIFEST.in)"
    assert not unwanted, f"{path.name} carries {unwanted}"
    for needed in ('LICENSE', 'PKG-INFO', 'Makefile', 'tests/conftest.py'):
        assert needed in names, f"{path.name} lacks {needed}"
    assert any(re.match(r'notebooks/\d\d_\w+\.ipynb$', n) for n in names), "no notebooks"
    return len(names)


def check_wheel(path, files):
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        info = next(n.split('/')[0] for n in names if n.endswith('.dist-info/METADATA'))
        metadata = archive.read(f'{info}/METADATA').decode()
        entry_points = archive.read(f'{info}/entry_points.txt').decode()
    wanted = {name for name in files if name.startswith(PACKAGES)}
    missing = sorted(wanted - names)
    assert not missing, f"{path.name} lacks {missing} ([tool.setuptools] in pyproject.toml)"
    tops = {n.split('/')[0] for n in names} - {info}
    assert tops == {'engine', 'nn'}, f"{path.name} installs {sorted(tops)}"
    assert f'{info}/licenses/LICENSE' in names, f"{path.name} carries no LICENSE"
    with zipfile.ZipFile(path) as archive:
        license_text = archive.read(f'{info}/licenses/LICENSE').decode()
    assert license_text.startswith('MIT License'), "the LICENSE is not the MIT license declared"
    assert 'License-Expression: MIT' in metadata.splitlines()
    assert 'Requires-Python: >=3.10' in metadata.splitlines()
    assert re.search(r'^scalargrad = nn\.cli:main$', entry_points, re.M)
    requires = [line for line in metadata.splitlines() if line.startswith('Requires-Dist:')]
    torch = [line for line in requires if re.search(r'\btorch\b', line, re.I)]
    assert not torch, f"a requirement asks for torch: {torch}"
    return len(names)


def main(sdist, wheel):
    files = tracked()
    n_sdist = check_sdist(Path(sdist), files)
    n_wheel = check_wheel(Path(wheel), files)
    print(f"contents: the sdist holds all {len(files)} shipped tracked files ({n_sdist} in all), "
          f"the wheel {n_wheel} files: engine, nn, LICENSE, metadata; no torch requirement")


if __name__ == '__main__':
    main(*sys.argv[1:])
