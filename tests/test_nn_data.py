"""Datasets and batches: shapes, labels, seeds, and how many batches an epoch has."""

import math
import random

import pytest

from nn import data


def test_gates_are_the_truth_tables():
    X, y = data.and_gate()
    assert X == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    assert y == [-1, -1, -1, 1]
    assert data.or_gate(labels='01')[1] == [0, 1, 1, 1]
    assert data.xor(labels='01')[1] == [0, 1, 1, 0]


@pytest.mark.parametrize('make', [data.moons, data.circles])
def test_two_class_sets_have_n_points_and_plus_minus_one_labels(make):
    X, y = make(101, seed=3)
    assert len(X) == len(y) == 101
    assert all(len(x) == 2 and all(isinstance(v, float) for v in x) for x in X)
    assert set(y) == {-1, 1}
    assert set(make(20, seed=3, labels='01')[1]) == {0, 1}


@pytest.mark.parametrize('make', [data.spiral, data.blobs])
def test_many_class_sets_give_class_indices(make):
    X, y = make(90, seed=1)
    assert len(X) == 90 and sorted(set(y)) == [0, 1, 2]
    assert [y.count(k) for k in range(3)] == [30, 30, 30]


@pytest.mark.parametrize('make', [data.moons, data.circles, data.spiral, data.blobs])
def test_same_seed_same_data_and_global_random_untouched(make):
    random.seed(5)
    state = random.getstate()
    assert make(50, seed=7) == make(50, seed=7)
    assert make(50, seed=7) != make(50, seed=8)
    assert random.getstate() == state


def test_moons_without_noise_lie_on_the_two_half_circles():
    X, y = data.moons(40, noise=0.0, seed=0, labels='01')
    for (a, b), k in zip(X, y):
        if k == 0:
            assert abs(a * a + b * b - 1.0) < 1e-12
        else:
            assert abs((a - 1) ** 2 + (b - 0.5) ** 2 - 1.0) < 1e-12


def test_pm1_labels_need_two_classes():
    with pytest.raises(ValueError, match="two classes"):
        data.spiral(30, classes=3, labels='pm1')
    assert set(data.spiral(30, classes=2, labels='pm1')[1]) == {-1, 1}


@pytest.mark.parametrize('call', [lambda: data.moons(1), lambda: data.moons(10, noise=-1),
                                  lambda: data.xor(labels='yes'),
                                  lambda: data.circles(10, factor=1.5)])
def test_bad_arguments_are_refused(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize('batch_size, count', [(None, 1), (1, 100), (32, 4), (100, 1)])
def test_batches_cover_the_data_once(batch_size, count):
    X = [[float(i)] for i in range(100)]
    y = list(range(100))
    got = list(data.batches(X, y, batch_size, seed=0))
    assert len(got) == count
    assert sorted(v for _, yb in got for v in yb) == y
    assert all(xb[i][0] == yb[i] for xb, yb in got for i in range(len(yb)))


def test_batches_without_shuffle_keep_the_order():
    got = list(data.batches([[1], [2], [3]], [1, 2, 3], 2, shuffle=False))
    assert got == [([[1], [2]], [1, 2]), ([[3]], [3])]


def test_batches_shuffle_is_seeded():
    X, y = list(range(20)), list(range(20))
    assert list(data.batches(X, y, 5, seed=1)) == list(data.batches(X, y, 5, seed=1))
    assert list(data.batches(X, y, 5, seed=1)) != list(data.batches(X, y, 5, seed=2))


def test_batches_refuse_bad_input():
    with pytest.raises(ValueError, match="3 samples but y has 2"):
        list(data.batches([1, 2, 3], [1, 2], 1))
    with pytest.raises(ValueError, match="batch_size"):
        list(data.batches([1], [1], 0))


@pytest.mark.parametrize('call, message', [
    (lambda: data.moons(10, noise=math.inf), "noise must be a finite number >= 0, got inf"),
    (lambda: data.circles(10, noise=math.nan), "noise must be a finite number >= 0, got nan"),
    (lambda: data.spiral(10, noise=math.inf), "noise must be a finite number >= 0"),
    (lambda: data.blobs(10, std=math.inf), "std must be a finite number >= 0, got inf"),
    (lambda: data.blobs(10, std='wide'), "std must be a finite number >= 0"),
])
def test_an_infinite_or_missing_spread_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize('factor', ['a', None, True, math.nan, 0, 1])
def test_circles_factor_must_be_a_number_between_zero_and_one(factor):
    with pytest.raises(ValueError, match="factor must be a number between 0 and 1"):
        data.circles(10, factor=factor)


def test_batches_are_seeded_by_default_like_every_set_here():
    X, y = list(range(20)), list(range(20))
    first = list(data.batches(X, y, 5))
    assert first == list(data.batches(X, y, 5)) == list(data.batches(X, y, 5, seed=0))
    assert [yb for _, yb in first] != [y[i:i + 5] for i in range(0, 20, 5)]  # still shuffled


def test_batches_with_seed_none_draw_a_fresh_order():
    X, y = list(range(50)), list(range(50))
    orders = {tuple(v for _, yb in data.batches(X, y, 10, seed=None) for v in yb)
              for _ in range(5)}
    assert len(orders) > 1


def test_numpy_integer_sizes_are_whole_numbers():
    np = pytest.importorskip('numpy')
    assert data.moons(np.int64(20), seed=0) == data.moons(20, seed=0)
    assert data.spiral(np.int64(30), classes=np.int32(3)) == data.spiral(30, classes=3)
    assert len(list(data.batches(range(10), range(10), np.int64(4)))) == 3


def test_a_noise_too_large_for_a_float_is_a_value_error():
    with pytest.raises(ValueError, match="noise must be a finite number >= 0, got 1000"):
        data.moons(10, noise=10 ** 400)
