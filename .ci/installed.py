"""Check that a nox venv imports the scalargrad it was just given, not the checkout, not stale.

    python -I .ci/installed.py /path/to/checkout

engine and nn must come from the venv's site-packages, and each of their files there must
be byte-for-byte the checkout's: a venv reused (`nox -r`) by an installer that kept an
older build would fail here instead of testing old code.
"""

import os
import sys
import sysconfig
from pathlib import Path

import engine
import nn

root = Path(sys.argv[1]).resolve()
site = Path(sysconfig.get_paths()['purelib']).resolve()
stale = []
for package in (engine, nn):
    installed = Path(package.__file__).resolve().parent
    assert installed.parent == site, f"{package.__name__} comes from {installed}, not {site}"
    for source in sorted((root / package.__name__).glob('*.py')):
        copy = installed / source.name
        if not copy.exists() or copy.read_bytes() != source.read_bytes():
            stale.append(f"{package.__name__}/{source.name}")
assert not stale, f"the installed package differs from the checkout in {stale}"
print(f"Python {sys.version.split()[0]} imports scalargrad from {site}{os.sep}, "
      f"the same files as the checkout")
