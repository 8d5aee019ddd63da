"""micrograd's moons demo as a benchmark: one full-batch training step per call.

The model is an MLP 2-16-16-1 (ReLU hidden layers, linear output). One step is

    loss = mean_i max(0, 1 - y_i * score_i) + 1e-4 * sum_p p^2      (SVM hinge + L2)
    zero the gradients, backward, then  p -= lr_k * dL/dp   with lr_k = 1 - 0.9 k / 100

Every peer starts from the same weights (a micrograd model made with random.seed(1337)),
so their loss curves can be compared step by step.
"""

import random

ALPHA = 1e-4  # L2 strength, as in micrograd's demo


def learning_rate(k):
    return 1.0 - 0.9 * k / 100


def micrograd_weights(seed=1337):
    """A fresh micrograd MLP 2-16-16-1 and its weights as [layer][neuron] = [w..., b]."""
    from micrograd.nn import MLP

    state = random.getstate()
    random.seed(seed)  # micrograd draws from the global generator; put it back afterwards
    model = MLP(2, [16, 16, 1])
    random.setstate(state)
    return model, weights_of(model)


def weights_of(model):
    """[layer][neuron] = [w0, w1, ..., b] as floats, for any micrograd-style model."""
    return [[[float(w.data) for w in n.w] + [float(n.b.data)] for n in layer.neurons]
            for layer in model.layers]


def load_weights(model, weights):
    """Copy [layer][neuron] = [w..., b] into a micrograd-style model."""
    for layer, rows in zip(model.layers, weights):
        for neuron, row in zip(layer.neurons, rows):
            for w, x in zip(neuron.w, row[:-1]):
                w.data = x
            neuron.b.data = row[-1]


# ---- the graph peers: micrograd and scalargrad

def graph_step(Value, model, X, y):
    """Op by op, exactly micrograd's demo: inputs become Values, sums are chained adds."""
    return _descent_step(model, lambda: forward_graph(Value, model, X, y))


def fused_step(Value, model, X, y):
    """scalargrad's way: one dot node per neuron (inputs stay plain floats), fused sums.

    Value.sum and Value.dot add in the same order as the chained ops, so the loss is the
    same number as in graph_step; the L2 term sum p*p is Value.dot(params, params).
    """
    return _descent_step(model, lambda: forward_graph(Value, model, X, y, fused=True))


def _descent_step(model, loss):
    """step(k): build the loss graph, zero the gradients, backward, p -= lr_k * grad."""
    params = model.parameters()

    def step(k):
        total = loss()
        model.zero_grad()
        total.backward()
        lr = learning_rate(k)
        for p in params:
            p.data -= lr * p.grad
        return total.data

    return step


def fit_run(model, X, y, replay):
    """scalargrad as its demo trains: one nn.fit call of n full-batch updates.

    Returns run(n) -> (seconds per update, losses): the whole call timed, so a replay's
    one-off recording is in it, spread over the n updates. The learning rate follows the
    same schedule as the other peers (an SGD optimizer counts the updates).
    """
    import time

    import nn

    def run(n):
        optimizer = nn.optim.SGD(model.parameters(), lr=learning_rate)
        start = time.perf_counter()
        history = nn.fit(model, X, y, loss='hinge', l2=ALPHA, epochs=n, optimizer=optimizer,
                         progress=False, measure=False, replay=replay)
        seconds = time.perf_counter() - start
        assert history.path == ('replay' if replay else 'graph')
        return seconds / n, history.losses

    return run


def forward_graph(Value, model, X, y, fused=False):
    """The loss of one step as a graph (no backward), for counting nodes and bytes."""
    params = model.parameters()
    if fused:
        scores = [model(x) for x in X]
        losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
        return Value.sum(losses) * (1.0 / len(losses)) + ALPHA * Value.dot(params, params)
    scores = [model([Value(a), Value(b)]) for a, b in X]
    losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
    return sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in params)


# ---- PyTorch: the same graph of 0-d float64 tensors

def torch_step(torch, weights, X, y):
    """micrograd's demo op by op on 0-d float64 tensors (PyTorch's autograd as the engine)."""
    def leaf(x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    net = [[[leaf(x) for x in row] for row in layer] for layer in weights]
    params = [p for layer in net for row in layer for p in row]
    last = len(net) - 1

    def forward(x):
        for i, layer in enumerate(net):
            out = []
            for row in layer:
                act = sum((w * xi for w, xi in zip(row[:-1], x)), row[-1])
                out.append(torch.relu(act) if i < last else act)
            x = out
        return x[0]

    def step(k):
        inputs = [[torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)]
                  for a, b in X]
        scores = [forward(x) for x in inputs]
        losses = [torch.relu(1 + -yi * s) for yi, s in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        total = data_loss + ALPHA * sum(p * p for p in params)
        for p in params:
            p.grad = None
        total.backward()
        lr = learning_rate(k)
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        return total.item()

    return step


# ---- the floor: forward and backward written by hand on plain floats

def plain_step(weights, X, y):
    """The same step with no graph at all: the chain rule written out for this one network.

    Each neuron is a row [w0, ..., w_{n-1}, b]; hidden layers use ReLU, the last is linear.
    """
    net = [[list(row) for row in layer] for layer in weights]
    last = len(net) - 1
    n = len(X)

    def step(k):
        grads = [[[0.0] * len(row) for row in layer] for layer in net]
        data_loss = 0.0
        for x, yi in zip(X, y):
            acts, pres = [x], []
            a = x
            for i, layer in enumerate(net):  # forward, keeping what backward needs
                z = []
                for row in layer:
                    s = row[-1]
                    for w, ai in zip(row, a):
                        s += w * ai
                    z.append(s)
                a = [v if v > 0.0 else 0.0 for v in z] if i < last else z
                pres.append(z)
                acts.append(a)
            margin = 1.0 - yi * a[0]
            if margin <= 0.0:
                continue  # hinge is flat here: no gradient from this sample
            data_loss += margin
            delta = [-yi / n]  # d loss / d score
            for i in range(last, -1, -1):  # backward, layer by layer
                if i < last:
                    delta = [d if z > 0.0 else 0.0 for d, z in zip(delta, pres[i])]
                a_in = acts[i]
                back = [0.0] * len(a_in)
                for row, grow, d in zip(net[i], grads[i], delta):
                    if d == 0.0:
                        continue
                    for j, ai in enumerate(a_in):
                        grow[j] += d * ai
                        back[j] += d * row[j]
                    grow[-1] += d
                delta = back
        reg = 0.0
        lr = learning_rate(k)
        for layer, glayer in zip(net, grads):
            for row, grow in zip(layer, glayer):
                for j, p in enumerate(row):
                    reg += p * p
                    row[j] = p - lr * (grow[j] + 2 * ALPHA * p)
        return data_loss / n + ALPHA * reg

    return step


# ---- the recorded replay: the fused graph recorded once, then plain floats

def replay_step(Value, model, X, y):
    """The fused step recorded once (engine.record), then replayed on a list of floats.

    The parameters live in a plain list between steps, as in the plain-float floor; the
    replay computes the same loss and gradients as the fused graph, bit for bit.
    """
    from engine import record

    params = model.parameters()
    recording = record(lambda: forward_graph(Value, model, X, y, fused=True), params)
    values = [p.data for p in params]

    def step(k):
        nonlocal values
        loss, grads = recording.replay(values)
        lr = learning_rate(k)
        values = [v - lr * g for v, g in zip(values, grads)]
        return loss

    return step
