"""to_torch: the same MLP as a torch.nn.Sequential (float64), to check against PyTorch.

Layer i becomes Linear(nin, nout) whose weight row j is neuron j's weights and whose bias
entry j is neuron j's bias, followed by the layer's activation module.

>>> net = to_torch(model)                          # needs torch installed
>>> net(torch.tensor([[1.0, -2.0]], dtype=torch.float64))
"""

from .models import MLP


def to_torch(model):
    """A torch.nn.Sequential computing what `model` (an MLP) computes, in float64."""
    if not isinstance(model, MLP):
        raise TypeError(f"to_torch converts an MLP, got {type(model).__name__}")
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch needs PyTorch: pip install torch") from None

    class Step(torch.nn.Module):
        """Heaviside step: 1 where x >= 0, else 0 (as Value.step)."""

        def forward(self, x):
            return torch.heaviside(x, torch.ones((), dtype=x.dtype))

    makers = {'relu': torch.nn.ReLU, 'tanh': torch.nn.Tanh, 'sigmoid': torch.nn.Sigmoid,
              'step': Step, 'linear': torch.nn.Identity}
    modules = []
    for layer in model.layers:
        neurons = layer.neurons
        activation = {n.activation for n in neurons}
        if len(activation) != 1:
            raise ValueError(f"to_torch needs one activation per layer, got {sorted(activation)}")
        linear = torch.nn.Linear(neurons[0].nin, len(neurons), dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor([[w.data for w in n.w] for n in neurons],
                                             dtype=torch.float64))
            linear.bias.copy_(torch.tensor([n.b.data for n in neurons], dtype=torch.float64))
        modules += [linear, makers[activation.pop()]()]
    return torch.nn.Sequential(*modules)
