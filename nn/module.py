"""Module: anything with parameters (PyTorch's and micrograd's name for it).

A subclass lists its parameters with names in `named_parameters()`; everything else
(`parameters`, `zero_grad`, `state_dict`, `load_state_dict`) is built on that list.

>>> n = Neuron(2, seed=0); [name for name, _ in n.named_parameters()]
['w.0', 'w.1', 'b']
"""

from engine.numbers import as_real


class Module:
    """Base class: parameters, their names, and their values as a plain dict."""

    def named_parameters(self):
        """[(name, Value), ...] in parameter order.

        A micrograd-style subclass that only overrides `parameters()` gets the names
        '0', '1', ... so that state_dict() still works for it.
        """
        if type(self).parameters is Module.parameters:
            return []
        return [(str(i), p) for i, p in enumerate(self.parameters())]

    def parameters(self):
        """The trainable Values, in order."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self):
        """Set every parameter's gradient to 0 (leaf gradients accumulate in backward)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self):
        """{name: value} for every parameter, as plain floats, in parameter order."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Set the parameters from a {name: number} dict, as made by state_dict().

        Everything is checked first (the same names, finite real numbers); on any
        problem a ValueError says what is wrong and no parameter has been changed.
        """
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict needs a dict of name -> number, "
                            f"got {type(state).__name__}")
        named = self.named_parameters()
        names = [name for name, _ in named]
        missing = [n for n in names if n not in state]
        unexpected = [n for n in state if n not in set(names)]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing {len(missing)} ({_few(missing)})")
            if unexpected:
                parts.append(f"unexpected {len(unexpected)} ({_few(unexpected)})")
            raise ValueError(f"state does not match {type(self).__name__}'s parameters: "
                             + '; '.join(parts))
        values = []
        for name in names:
            x = state[name]
            try:
                if isinstance(x, bool):
                    raise TypeError
                values.append(as_real(x, f"parameter {name!r}"))
            except TypeError:
                raise ValueError(f"parameter {name!r} must be a finite number, got "
                                 f"{x!r:.60}") from None
            except ValueError as err:  # too large for a float, nan or inf
                raise ValueError(f"{err} (it must be a finite number)") from None
        for (_, p), x in zip(named, values):
            p.data = x

    def __call__(self, x):
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")


def _few(names, shown=3):
    text = ', '.join(repr(n) for n in names[:shown])
    return text + (', ...' if len(names) > shown else '')
