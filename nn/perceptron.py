"""The perceptron: one step neuron, trained by Rosenblatt's rule instead of gradients.

Why not backprop? The step function jumps from 0 to 1 at x = 0 and is flat everywhere
else, so its derivative is 0 wherever it exists (and undefined at the jump). The chain
rule multiplies every weight's gradient by that 0: gradient descent never moves.
The perceptron rule uses the error itself instead:

    pred = step(b + w . x)
    w_i += lr * (target - pred) * x_i        b += lr * (target - pred)

It changes nothing when a sample is right and nudges the boundary toward it when wrong.
If a straight line can separate the classes (AND, OR) it stops after finitely many
mistakes; for XOR no line exists, so it never stops on its own.

>>> p = Perceptron(2, seed=0)
>>> p.fit(*and_gate())      # True: every sample right
"""

from engine import Value
from engine.numbers import as_real, as_whole

from .models import Neuron


class Perceptron(Neuron):
    """A Neuron with the step activation and a `fit` that uses the perceptron rule."""

    def __init__(self, nin, seed=None):
        super().__init__(nin, activation='step', seed=seed)

    def predict(self, x):
        """step(b + w . x) as a plain float: 1.0 or 0.0."""
        return self(x).data

    def fit(self, X, y, epochs=100, lr=0.1):
        """Train until every sample is right; return True then, False after `epochs` passes.

        Targets may be 0/1, or -1/+1 (read as 0/1). `self.epochs_run` tells how many
        passes it took.
        """
        X, targets = list(X), list(y)
        if len(X) != len(targets):
            raise ValueError(f"X has {len(X)} samples but y has {len(targets)}")
        if not X:
            raise ValueError("Perceptron.fit needs at least one sample")
        try:
            epochs = as_whole(epochs, 'epochs', least=0)
        except (TypeError, ValueError):
            raise ValueError(f"epochs must be a whole number >= 0, got {epochs!r:.60}") from None
        rate = None
        try:
            if not isinstance(lr, bool):
                rate = as_real(lr, 'lr')
        except (TypeError, ValueError):
            pass
        if rate is None or not rate > 0:
            raise ValueError(f"lr must be a positive finite number, got {lr!r:.60}")
        lr = rate
        labels = set(targets)
        if labels <= {0, 1}:
            pass
        elif labels <= {-1, 1}:
            targets = [1 if t == 1 else 0 for t in targets]
        else:
            raise ValueError(f"Perceptron targets must be 0/1 or -1/+1, got {sorted(labels)}")
        self.epochs_run = 0
        for _ in range(epochs):
            self.epochs_run += 1
            mistakes = 0
            for x, target in zip(X, targets):
                error = target - self.predict(x)  # 0 when right, +-1 when wrong
                if error:
                    mistakes += 1
                    for w, xi in zip(self.w, x):
                        w.data += lr * error * (xi.data if isinstance(xi, Value) else xi)
                    self.b.data += lr * error
            if mistakes == 0:
                return True
        return False

    def __repr__(self):
        return f"Perceptron({len(self.w)})"
