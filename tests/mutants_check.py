"""Judge a finished `mutmut run` (the last step of `make mutate`).

Prints the mutation score and exits non-zero when a mutant survived that is not listed in
tests/mutants_equivalent.txt, when that list names a mutant that no longer survives (a stale
entry), or when the run did not check every mutant.

score = killed / all mutants;  killed + listed equivalent = all mutants  is the goal.

A listed mutant is matched by what it changes, not by mutmut's number for it (which moves
when the function changes): the function's dotted name, then its removed and added lines.

    engine.value.Value.relu
    -        if x > 0.0:
    +        if x >= 0.0:
    why: one line saying why no caller can tell the difference

Run from the project root after `mutmut run`:  .venv/bin/python tests/mutants_check.py
"""

import sys
from collections import Counter
from pathlib import Path

from mutmut.mutation.data import SourceFileMutationData
from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code
from mutmut.utils.file_utils import walk_mutatable_files
from mutmut.utils.format_utils import orig_function_and_class_names_from_key

EQUIVALENT = Path(__file__).with_name('mutants_equivalent.txt')
DETECTED = {'killed', 'timeout', 'caught by type check', 'segfault'}  # the tests noticed


def function_name(mutant_name):
    """engine.value.xǁValueǁrelu__mutmut_3 -> engine.value.Value.relu"""
    module = mutant_name.partition('__mutmut_')[0].rpartition('.')[0]
    function, cls = orig_function_and_class_names_from_key(mutant_name)
    return '.'.join(part for part in (module, cls, function) if part)


def change(diff):
    """The removed and added lines of a unified diff, stripped: what the mutant changes."""
    lines = diff.splitlines()
    return tuple(line[0] + ' ' + line[1:].strip() for line in lines
                 if line[:1] in '-+' and not line.startswith(('---', '+++')))


def read_equivalent(path=EQUIVALENT):
    """{(function, change): why} from the committed list."""
    entries, block = {}, []
    for number, raw in enumerate(path.read_text(encoding='utf-8').splitlines() + [''], 1):
        line = raw.rstrip()
        if line.startswith('#'):
            continue
        if line:
            block.append(line)
            continue
        if not block:
            continue
        head, *body = block
        why = [b for b in body if b.startswith('why: ')]
        edits = tuple(b[0] + ' ' + b[1:].strip() for b in body if b[:1] in '-+')
        if len(why) != 1 or not why[0][5:].strip() or not edits:
            sys.exit(f"{path.name}: the entry ending on line {number - 1} needs a function, "
                     f"its -/+ lines and one 'why: ...' line")
        entries[(head.strip(), edits)] = why[0][5:].strip()
        block = []
    return entries


def main(argv):
    seconds = argv[argv.index('--seconds') + 1] if '--seconds' in argv else None
    statuses, survivors = Counter(), []
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, code in data.exit_code_by_key.items():
            status = status_by_exit_code[code]
            statuses[status] += 1
            if status not in DETECTED:
                survivors.append((name, status, path))
    total = sum(statuses.values())
    if not total:
        sys.exit('mutants_check: no mutation results in mutants/; run `mutmut run` first')
    equivalent = read_equivalent()
    listed, unlisted = set(), []
    for name, status, path in survivors:
        diff = get_diff_for_mutant(name, path=path)
        key = (function_name(name), change(diff))
        if status == 'survived' and key in equivalent:
            listed.add(key)
        else:
            unlisted.append((name, status, key))
    stale = [key for key in equivalent if key not in listed]
    killed = sum(statuses[s] for s in DETECTED)

    print(f"mutation score: {killed} / {total} mutants killed ({100 * killed / total:.1f}%), "
          f"{len(listed)} listed as equivalent in tests/{EQUIVALENT.name}, "
          f"{len(unlisted)} neither" + (f"; run took {seconds} s" if seconds else ''))
    print('  by status: ' + ', '.join(f"{s} {n}" for s, n in sorted(statuses.items())))
    for name, status, (function, edits) in unlisted:
        print(f"\n{status.upper()}: {name}  (see it: .venv/bin/mutmut show {name})")
        print(function)
        print('\n'.join(edits))
    for function, edits in stale:
        print(f"\nSTALE entry in {EQUIVALENT.name} (no surviving mutant makes this change):")
        print(function)
        print('\n'.join(edits))
    if unlisted or stale:
        print(f"\nmake mutate: kill each mutant above with a test, or list it in "
              f"tests/{EQUIVALENT.name} with one line saying why it changes nothing; "
              f"remove stale entries")
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
