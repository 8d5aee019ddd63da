"""The moons training step of every peer, built from the same weights, by short name.

    micrograd  micrograd 0.1.0, its demo's loop          op_by_op  scalargrad, same graph
    fused      scalargrad, one dot node per neuron        replay    the fused step recorded
    fit        nn.fit (replays: a long full-batch run)              once, replayed on floats
    fit_graph  nn.fit(replay=False): the fused graph      plain     hand-written floats
    torch      PyTorch 0-d float64 tensors, op by op (only in a process that imported torch)
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
if ROOT not in sys.path:
    sys.path.insert(1, ROOT)

import moons  # noqa: E402

import nn  # noqa: E402
from engine import Value  # noqa: E402

NAMES = {
    'micrograd': 'micrograd 0.1.0',
    'torch': 'PyTorch, 0-d float64',
    'op_by_op': 'scalargrad, op by op',
    'fused': 'scalargrad, fused neurons',
    'replay': 'scalargrad, recorded replay',
    'fit': 'scalargrad, nn.fit (replay, recording included)',
    'fit_graph': 'scalargrad, nn.fit(replay=False)',
    'plain': 'plain Python floats (floor)',
}
ORDER = tuple(NAMES)


def data():
    """micrograd's demo data: 100 moons, labels -1 / +1."""
    return nn.data.moons(100, noise=0.1, seed=1337)


def scalargrad_model(weights, fused):
    model = nn.MLP(2, [16, 16, 1], fused=fused)
    moons.load_weights(model, weights)
    return model


def build(name, X, y):
    """step(k) for the peer `name` (a fresh model from micrograd's seed-1337 weights)."""
    micro_model, weights = moons.micrograd_weights()
    if name == 'micrograd':
        from micrograd.engine import Value as MicroValue
        return moons.graph_step(MicroValue, micro_model, X, y)
    if name == 'torch':
        import torch
        return moons.torch_step(torch, weights, X, y)
    if name == 'op_by_op':
        return moons.graph_step(Value, scalargrad_model(weights, False), X, y)
    if name == 'fused':
        return moons.fused_step(Value, scalargrad_model(weights, True), X, y)
    if name in ('fit', 'fit_graph'):
        return moons.fit_run(scalargrad_model(weights, True), X, y, replay=name == 'fit')
    if name == 'replay':
        return moons.replay_step(Value, scalargrad_model(weights, True), X, y)
    if name == 'plain':
        return moons.plain_step(weights, X, y)
    raise ValueError(f"unknown peer {name!r}; choose one of {', '.join(ORDER)}")


RUNS = ('fit', 'fit_graph')  # build() gives run(n) for these: one call, n updates


def available(name):
    """False for the replay before engine.record exists (so older trees still run)."""
    if name == 'replay':
        import engine
        return hasattr(engine, 'record')
    return True
