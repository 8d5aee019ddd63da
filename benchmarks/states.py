"""The three process states a benchmark runs in, each in a fresh subprocess.

    bare      python, engine, nn and micrograd: nothing else
    notebook  what a notebook kernel has loaded: IPython, matplotlib (pyplot), ipywidgets
    torch     bare plus `import torch`

Why it matters: Python's cyclic garbage collector walks every object it tracks whenever its
oldest generation is collected, so the same graph costs more in a process that holds more
objects. A notebook's imports add about 70 000 tracked objects, torch about 150 000. Each
state gets its own process, so one state's imports never leak into another's timings.
"""

import gc
import importlib

STATES = ('bare', 'notebook', 'torch')
IMPORTS = {
    'bare': (),
    'notebook': ('IPython', 'matplotlib', 'matplotlib.pyplot', 'ipywidgets'),
    'torch': ('torch',),
}


def enter(state):
    """Import what `state` needs; returns (modules that were missing, gc-tracked objects)."""
    missing = []
    for name in IMPORTS[state]:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    gc.collect()
    return missing, len(gc.get_objects())
