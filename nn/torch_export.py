"""to_torch: the same MLP as a torch.nn.Sequential (float64), to check against PyTorch.

Layer i becomes Linear(nin, nout) whose weight row j is neuron j's weights and whose bias
entry j is neuron j's bias, followed by the layer's activation module (PerNeuron when its
neurons' activations differ).

The step activation becomes `Step`: 1 where x >= 0, else 0, with gradient 0 everywhere,
the derivative scalargrad's step uses (zero gradient, not straight-through: nothing below
a step learns, in either library). torch.heaviside alone has no backward.
`Step` and `PerNeuron` are classes of this module (nn.torch_export.Step), so an exported
model pickles and goes through torch.save / torch.load; torch is imported on first use.

>>> net = to_torch(model)                          # needs torch installed
>>> net(torch.tensor([[1.0, -2.0]], dtype=torch.float64))
"""

from .models import MLP

_CLASSES = {}
_NAMES = ('Step', 'PerNeuron', 'StepFunction')


def _torch_classes():
    """Build the torch classes once (torch is optional: this runs on first use)."""
    if _CLASSES:
        return _CLASSES
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch needs PyTorch: pip install torch") from None

    class StepFunction(torch.autograd.Function):
        """Heaviside step forward, zero gradient backward (as Value.step)."""

        @staticmethod
        def forward(ctx, x):
            return torch.heaviside(x, torch.ones((), dtype=x.dtype))

        @staticmethod
        def backward(ctx, grad):
            return torch.zeros_like(grad)

    class Step(torch.nn.Module):
        """Heaviside step: 1 where x >= 0, else 0 (as Value.step); its gradient is 0."""

        def forward(self, x):
            return StepFunction.apply(x)

    def identity(x):
        return x

    functions = {'relu': torch.relu, 'tanh': torch.tanh, 'sigmoid': torch.sigmoid,
                 'step': StepFunction.apply, 'linear': identity}

    class PerNeuron(torch.nn.Module):
        """Column j of the input through activation names[j]: a layer whose neurons use
        different activations."""

        def __init__(self, names):
            super().__init__()
            self.names = list(names)

        def forward(self, x):
            return torch.stack([functions[name](x[..., j]) for j, name in
                                enumerate(self.names)], dim=-1)

        def extra_repr(self):
            return ', '.join(self.names)

    for cls in (StepFunction, Step, PerNeuron):
        cls.__module__, cls.__qualname__ = __name__, cls.__name__  # where pickle finds it
    _CLASSES.update(torch=torch, StepFunction=StepFunction, Step=Step, PerNeuron=PerNeuron)
    return _CLASSES


def __getattr__(name):
    """nn.torch_export.Step and friends exist once asked for (pickle asks by name)."""
    if name in _NAMES:
        return _torch_classes()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def to_torch(model):
    """A torch.nn.Sequential computing what `model` (an MLP) computes, in float64."""
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch converts an MLP, got {type(model).__name__}")
    classes = _torch_classes()
    torch = classes['torch']
    makers = {'relu': torch.nn.ReLU, 'tanh': torch.nn.Tanh, 'sigmoid': torch.nn.Sigmoid,
              'step': classes['Step'], 'linear': torch.nn.Identity}
    modules = []
    for layer in model.layers:
        neurons = layer.neurons
        linear = torch.nn.Linear(neurons[0].nin, len(neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons],
                                             dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        names = [n.activation for n in neurons]
        if len(set(names)) == 1:
            modules += [linear, makers[names[0]]()]
        else:
            modules += [linear, classes['PerNeuron'](names)]
    return torch.nn.Sequential(*modules)
