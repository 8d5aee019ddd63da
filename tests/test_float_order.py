"""The same numbers on every Python: the engine adds floats one by one, left to right.

Python 3.12 made the built-in sum() of floats compensated (Neumaier): sum([1.0, 1e100, 1.0,
-1e100]) is 2.0 there and 0.0 on 3.10 and 3.11. The engine never leans on sum() for a value
or a gradient (Value.sum, Value.dot, the losses and the fast paths add in a loop, in the
order the graph's chained ops would), so its results are bit-for-bit equal on every Python
and the tests compare them exactly. Where a test needs a reference sum it adds in a loop too,
or compares within a stated tolerance (math.isclose, with the reason beside it).
"""

import sys

import nn
from engine import Value

CANCELS = [1.0, 1e100, 1.0, -1e100]   # in order: (1 + 1e100) + 1 - 1e100 = 0; exactly: 2


def left_to_right(xs):
    total = 0.0
    for x in xs:
        total += x
    return total


def test_pythons_own_sum_of_floats_changed_in_3_12():
    assert left_to_right(CANCELS) == 0.0
    assert sum(CANCELS) == (2.0 if sys.version_info >= (3, 12) else 0.0)


def test_value_sum_adds_left_to_right_like_the_chained_ops_on_every_python():
    leaves = [Value(x) for x in CANCELS]
    chained = leaves[0] + leaves[1] + leaves[2] + leaves[3]
    assert Value.sum(leaves).data == chained.data == 0.0


def test_value_dot_adds_the_bias_then_each_product_in_order_on_every_python():
    bias = Value(1.0)
    weights = [Value(1.0), Value(1.0), Value(1.0)]
    inputs = [1e100, 1.0, -1e100]
    chained = bias + weights[0] * inputs[0] + weights[1] * inputs[1] + weights[2] * inputs[2]
    assert Value.dot(weights, inputs, bias).data == chained.data == 0.0


def test_a_mean_loss_is_the_left_to_right_mean_on_every_python():
    scores = [Value(1e8), Value(1.0), Value(1.0)]   # squares 1e16, 1, 1: 1e16 + 1 rounds to 1e16
    loss = nn.losses.mse(scores, [0.0, 0.0, 0.0])
    assert loss.data == left_to_right([1e16, 1.0, 1.0]) * (1.0 / 3) == 1e16 * (1.0 / 3)
