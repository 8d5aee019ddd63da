"""PyTorch (float64, 0-d tensors) as an oracle: same expressions, same values and gradients.

Random expression graphs mix every op, reuse nodes (one node feeding several later ops)
and use the fused sum and dot nodes. Each graph is built once in scalargrad, replayed in
torch, and every node's value and gradient is compared.
"""

import math
import random

import pytest
from conftest import require

from engine import Value

GRAPHS = 400
REL = 1e-9  # agreement asked of values and gradients, relative to max(1, |value|)


def close(ours, theirs, rel=REL):
    return abs(ours - theirs) <= rel * max(1.0, abs(ours), abs(theirs))


# ---- one table per library: op name -> how to compute it from operands and constants

def sg_dot(weights, inputs, bias):
    return Value.dot(weights, inputs, bias)


def torch_dot(weights, inputs, bias):
    terms = [w * x for w, x in zip(weights, inputs)]
    total = terms[0] if bias is None else bias + terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def torch_sum(values):
    total = values[0] + 0.0  # a new node even for one value, as Value.sum makes one
    for v in values[1:]:
        total = total + v
    return total


SCALARGRAD = {
    'add': lambda a, b: a + b, 'sub': lambda a, b: a - b,
    'mul': lambda a, b: a * b, 'div': lambda a, b: a / b,
    'pow': lambda a, b: a ** b,
    'add_c': lambda a, c: a + c, 'c_add': lambda a, c: c + a,
    'sub_c': lambda a, c: a - c, 'c_sub': lambda a, c: c - a,
    'mul_c': lambda a, c: a * c, 'c_mul': lambda a, c: c * a,
    'div_c': lambda a, c: a / c, 'c_div': lambda a, c: c / a,
    'pow_c': lambda a, c: a ** c, 'c_pow': lambda a, c: c ** a,
    'neg': lambda a: -a, 'exp': lambda a: a.exp(), 'log': lambda a: a.log(),
    'tanh': lambda a: a.tanh(), 'sigmoid': lambda a: a.sigmoid(),
    'relu': lambda a: a.relu(), 'step': lambda a: a.step(),
    'sum': lambda values: Value.sum(values), 'dot': sg_dot,
}


def torch_table(torch):
    return {
        **{name: SCALARGRAD[name] for name in (
            'add', 'sub', 'mul', 'div', 'add_c', 'c_add', 'sub_c', 'c_sub', 'mul_c', 'c_mul',
            'div_c', 'c_div', 'pow_c', 'c_pow', 'neg')},
        'pow': torch.pow, 'exp': torch.exp, 'log': torch.log, 'tanh': torch.tanh,
        'sigmoid': torch.sigmoid, 'relu': torch.relu,
        'step': lambda a: (a >= 0).to(torch.float64),  # Heaviside: derivative 0
        'sum': torch_sum, 'dot': torch_dot,
    }


# ---- random programs, generated while evaluating them in scalargrad (to keep domains safe)

BINARY = ('add', 'sub', 'mul', 'div', 'pow')
WITH_CONSTANT = ('add_c', 'c_add', 'sub_c', 'c_sub', 'mul_c', 'c_mul', 'div_c', 'c_div',
                 'pow_c', 'c_pow')
UNARY = ('neg', 'exp', 'log', 'tanh', 'sigmoid', 'relu', 'step')
FUSED = ('sum', 'dot')
BOUND = 1e3  # drop any candidate node larger than this, so no value runs away


def allowed(op, x, y=None, c=None):
    """Is op defined and smooth at these operands (away from poles, kinks and overflow)?"""
    if op == 'div':
        return abs(y) > 0.2
    if op == 'pow':
        return x > 0.2 and abs(y) < 3
    if op == 'div_c':
        return abs(c) > 0.2
    if op == 'c_div':
        return abs(x) > 0.2
    if op == 'pow_c':
        return abs(x) > 0.2 and (x > 0 or c == int(c))
    if op == 'c_pow':
        return abs(x) < 5
    if op == 'exp':
        return x < 5
    if op == 'log':
        return x > 0.05
    if op in ('relu', 'step'):
        return abs(x) > 1e-6
    return True


def generate(seed):
    """A random program: (leaf values, instructions, scalargrad nodes)."""
    rng = random.Random(seed)
    leaves = [rng.uniform(-2.0, 2.0) for _ in range(rng.randint(2, 5))]
    nodes = [Value(x) for x in leaves]
    program = []

    def pick():  # recent nodes more often; older ones get reused too
        back = min(int(rng.expovariate(0.35)), len(nodes) - 1)
        return len(nodes) - 1 - back

    def constant():
        return rng.choice([-2.5, -1.0, -0.5, 0.5, 1.0, 2.0, 3.0, rng.uniform(-3, 3)])

    target = rng.randint(8, 30)
    while len(program) < target:
        kind = rng.choices(['binary', 'constant', 'unary', 'fused'], [4, 3, 4, 2])[0]
        if kind == 'binary':
            op, i, j = rng.choice(BINARY), pick(), pick()
            if not allowed(op, nodes[i].data, nodes[j].data):
                continue
            instruction = (op, (i, j))
        elif kind == 'constant':
            op, i = rng.choice(WITH_CONSTANT), pick()
            c = rng.choice([2, 3, -1, 0.5, 1.5, -2]) if op == 'pow_c' else constant()
            if op == 'c_pow':
                c = rng.uniform(0.3, 3.0)
            if not allowed(op, nodes[i].data, c=c):
                continue
            instruction = (op, (i,), c)
        elif kind == 'unary':
            op, i = rng.choice(UNARY), pick()
            if not allowed(op, nodes[i].data):
                continue
            instruction = (op, (i,))
        else:
            op, k = rng.choice(FUSED), rng.randint(1, 5)
            if op == 'sum':
                instruction = (op, tuple(pick() for _ in range(k)))
            else:  # weights and inputs: node indices, or a plain-number constant (None index)
                ws = tuple(pick() if rng.random() < 0.8 else None for _ in range(k))
                xs = tuple(pick() if rng.random() < 0.6 else None for _ in range(k))
                consts = tuple(constant() for _ in range(2 * k + 1))
                bias = rng.choice(['node', 'number', 'none'])
                b = pick() if bias == 'node' else bias
                instruction = (op, (ws, xs, b), consts)
        node = apply(SCALARGRAD, instruction, nodes)
        if abs(node.data) > BOUND:
            continue
        program.append(instruction)
        nodes.append(node)
    # the root adds the first leaf and the last three nodes, so the graph has a real top
    root = ('sum', (0, *range(len(nodes) - 3, len(nodes))))
    nodes.append(apply(SCALARGRAD, root, nodes))
    program.append(root)
    return leaves, program, nodes


def apply(table, instruction, nodes):
    """Run one instruction with a library's op table on earlier nodes."""
    op, args = instruction[0], instruction[1]
    if op == 'sum':
        return table['sum']([nodes[i] for i in args])
    if op == 'dot':
        ws, xs, b = args
        consts = instruction[2]
        weights = [nodes[i] if i is not None else consts[n] for n, i in enumerate(ws)]
        inputs = [nodes[i] if i is not None else consts[len(ws) + n] for n, i in enumerate(xs)]
        bias = {'none': None, 'number': consts[-1]}.get(b) if isinstance(b, str) else nodes[b]
        return table['dot'](weights, inputs, bias)
    operands = [nodes[i] for i in args]
    if op in WITH_CONSTANT:
        return table[op](operands[0], instruction[2])
    return table[op](*operands)


def replay_in_torch(torch, leaves, program):
    table = torch_table(torch)
    nodes = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in leaves]
    for instruction in program:
        node = apply(table, instruction, nodes)
        if not isinstance(node, torch.Tensor):  # dot of constants only
            node = torch.tensor(float(node), dtype=torch.float64)
        if node.requires_grad:
            node.retain_grad()
        nodes.append(node)
    return nodes


def torch_grad(t):
    return 0.0 if t.grad is None else t.grad.item()


# ---- the random graphs

@pytest.mark.parametrize('seed', range(GRAPHS))
def test_random_graph_matches_torch(seed):
    torch = require('torch')
    leaves, program, ours = generate(seed)
    theirs = replay_in_torch(torch, leaves, program)
    ours[-1].backward()
    theirs[-1].backward()
    for n, (a, t) in enumerate(zip(ours, theirs)):
        assert close(a.data, t.item()), f"node {n} value: {a.data} vs torch {t.item()}"
    for n, (a, t) in enumerate(zip(ours, theirs)):
        if t.requires_grad:  # torch keeps no gradient below a step (a constant to it)
            assert close(a.grad, torch_grad(t)), f"node {n} grad: {a.grad} vs {torch_grad(t)}"


def test_random_graphs_cover_every_op_and_reuse_nodes():
    seen, reused = set(), 0
    for seed in range(GRAPHS):
        _, program, _ = generate(seed)
        seen.update(instruction[0] for instruction in program)
        uses = {}
        for instruction in program:
            args = instruction[1]
            flat = [i for part in args for i in (part if isinstance(part, tuple) else (part,))]
            for i in flat:
                if isinstance(i, int):
                    uses[i] = uses.get(i, 0) + 1
        reused += any(count > 1 for count in uses.values())
    assert seen == set(SCALARGRAD)
    assert reused > GRAPHS * 0.9


# ---- one op at a time, at chosen points (far-out tanh and sigmoid included)

POINTS = [
    ('tanh', (1000.0,)), ('tanh', (-1000.0,)), ('tanh', (30.0,)), ('tanh', (-0.3,)),
    ('tanh', (0.0,)), ('tanh', (1e-8,)),
    ('sigmoid', (1000.0,)), ('sigmoid', (-1000.0,)), ('sigmoid', (40.0,)),
    ('sigmoid', (-40.0,)), ('sigmoid', (0.0,)), ('sigmoid', (2.5,)),
    ('exp', (-700.0,)), ('exp', (0.0,)), ('exp', (3.1,)), ('exp', (700.0,)),
    ('log', (1e-300,)), ('log', (1.0,)), ('log', (123.4,)),
    ('relu', (2.5,)), ('relu', (-2.5,)), ('step', (0.7,)), ('step', (-0.7,)),
    ('neg', (1.25,)),
    ('add', (1.5, -2.25)), ('sub', (1.5, -2.25)), ('mul', (1.5, -2.25)), ('div', (1.5, -2.25)),
    ('pow', (2.0, 3.0)), ('pow', (0.5, -1.5)), ('pow', (3.7, 0.0)), ('pow', (1.0, 2.5)),
    ('pow', (9.0, 0.5)), ('pow', (1e-3, 2.2)),
    ('pow_c', (-2.0, 3)), ('pow_c', (-2.0, -2)), ('pow_c', (4.0, 0.5)), ('pow_c', (4.0, -1.5)),
    ('pow_c', (5.0, 0)),
    ('c_pow', (1.5, 2.0)), ('c_pow', (-1.5, 0.5)), ('c_pow', (0.0, 10.0)),
    ('c_div', (-0.25, 3.0)), ('c_sub', (0.75, 2.0)), ('div_c', (0.75, -4.0)),
]


@pytest.mark.parametrize('op, args', POINTS, ids=[f'{op}{args}' for op, args in POINTS])
def test_single_op_matches_torch(op, args):
    torch = require('torch')
    table = torch_table(torch)
    if op in WITH_CONSTANT:
        x, c = args
        a, t = Value(x), torch.tensor(x, dtype=torch.float64, requires_grad=True)
        ours, theirs, ours_in, theirs_in = SCALARGRAD[op](a, c), table[op](t, c), [a], [t]
    else:
        ours_in = [Value(x) for x in args]
        theirs_in = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in args]
        ours, theirs = SCALARGRAD[op](*ours_in), table[op](*theirs_in)
    assert close(ours.data, theirs.item())
    ours.backward()
    if theirs.requires_grad:
        theirs.backward()
    for a, t in zip(ours_in, theirs_in):
        assert close(a.grad, torch_grad(t)), f"{op}{args}: grad {a.grad} vs {torch_grad(t)}"


def test_fused_dot_and_sum_match_torch_with_a_reused_node():
    torch = require('torch')
    values = [0.3, -1.2, 2.5, 0.9]
    a = [Value(x) for x in values]
    t = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in values]
    ours = Value.sum([Value.dot([a[0], a[1], a[0]], [a[2], a[0], 4.0], a[3]), a[1], a[1]]).tanh()
    theirs = torch.tanh(torch_sum([torch_dot([t[0], t[1], t[0]], [t[2], t[0], 4.0], t[3]),
                                   t[1], t[1]]))
    ours.backward()
    theirs.backward()
    assert close(ours.data, theirs.item())
    assert all(close(x.grad, y.grad.item()) for x, y in zip(a, t))


def test_tanh_and_sigmoid_at_extremes_give_finite_zero_gradients():
    torch = require('torch')
    for x in (-1000.0, 1000.0):
        for op in ('tanh', 'sigmoid'):
            v = Value(x)
            t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
            out = SCALARGRAD[op](v)
            ref = torch_table(torch)[op](t)
            out.backward()
            ref.backward()
            assert out.data == ref.item() and math.isfinite(v.grad)
            assert v.grad == t.grad.item() == 0.0
