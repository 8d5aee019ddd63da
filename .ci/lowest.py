"""Check that the lowest-versions session really ran on the pinned versions.

    python .ci/lowest.py .ci/lowest.txt

pip could satisfy a constraint file and still install something else if the file and
pyproject.toml disagreed about a name; this reads each `name==version` pin and compares it
with the version installed, failing on any difference.
"""

import sys
from importlib import metadata


def pins(path):
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line:
                name, _, version = line.partition('==')
                yield name.strip(), version.strip()


def main(path):
    wrong = []
    for name, version in pins(path):
        installed = metadata.version(name)
        if installed != version:
            wrong.append(f"{name} {installed} (pinned {version})")
    if wrong:
        sys.exit("lowest: not the lowest versions: " + ', '.join(wrong))
    print("lowest: the suite ran on " + ', '.join(f"{n} {v}" for n, v in pins(path)))


if __name__ == '__main__':
    main(sys.argv[1])
