"""What pyproject.toml promises about the package: bounds that were tested, no torch, the
license shipped, the Pythons tested. (Building and installing the wheel: make package.)"""

import re
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: pytest itself brings tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / 'pyproject.toml').read_text(encoding='utf-8'))['project']
REQUIREMENT = re.compile(r'^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$')


def split(requirement):
    """'pygraphviz>=2.0' -> ('pygraphviz', '>=2.0'); markers after ';' dropped."""
    name, _, spec = REQUIREMENT.match(requirement.split(';')[0].strip()).groups()
    return name.lower().replace('_', '-'), spec.replace(' ', '')


def lowest_pins():
    pins = {}
    for line in (ROOT / '.ci' / 'lowest.txt').read_text(encoding='utf-8').splitlines():
        line = line.split('#')[0].strip()
        if line:
            name, version = line.split('==')
            pins[name.strip().lower()] = version.strip()
    return pins


def test_every_runtime_dependency_has_a_lower_bound_only():
    for requirement in PROJECT['dependencies']:
        name, spec = split(requirement)
        assert re.fullmatch(r'>=[\d.]+', spec), f"{requirement}: give exactly one >= bound"


def test_the_lowest_versions_tested_in_ci_are_the_lower_bounds():
    bounds = {}
    for requirement in PROJECT['dependencies']:
        name, spec = split(requirement)
        bounds[name] = spec[2:]
    pins = lowest_pins()
    assert set(pins) == set(bounds)
    for name, bound in bounds.items():  # 3.7 is pinned as 3.7.0: the same release
        assert pins[name].split('.')[:len(bound.split('.'))] == bound.split('.'), name
        assert all(part == '0' for part in pins[name].split('.')[len(bound.split('.')):])


def test_pygraphviz_is_at_least_the_release_whose_wheels_carry_graphviz():
    bound = dict(split(r) for r in PROJECT['dependencies'])['pygraphviz']
    assert tuple(int(p) for p in bound[2:].split('.')) >= (2, 0)


def test_no_dependency_or_extra_can_ask_for_torch():
    requirements = list(PROJECT['dependencies'])
    for extra in PROJECT['optional-dependencies'].values():
        requirements += extra
    names = [split(r)[0] for r in requirements]
    assert names and not [n for n in names if n in ('torch', 'pytorch', 'torchvision')]


def test_the_declared_license_is_the_license_file_shipped():
    assert PROJECT['license'] == 'MIT'
    assert PROJECT['license-files'] == ['LICENSE']
    text = (ROOT / 'LICENSE').read_text(encoding='utf-8')
    assert text.startswith('MIT License\n')
    assert 'Permission is hereby granted, free of charge' in text


def test_the_pythons_declared_are_the_pythons_tested():
    declared = {c.rsplit(' ', 1)[1] for c in PROJECT['classifiers']
                if re.fullmatch(r'Programming Language :: Python :: 3\.\d+', c)}
    noxfile = (ROOT / '.ci' / 'noxfile.py').read_text(encoding='utf-8')
    in_nox = re.search(r"'SCALARGRAD_PYTHONS', '([\d. ]+)'", noxfile).group(1).split()
    main = '3.11'  # `make test` and .ci/run's python3 (see the README's developer section)
    assert declared == {main, *in_nox}
    assert PROJECT['requires-python'] == f">={min(declared, key=lambda v: int(v[2:]))}"
