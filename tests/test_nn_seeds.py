"""One seed rule for all of nn: None (global random), a whole number, or a random.Random."""

import random

import pytest

import nn
from nn import MLP, data


@pytest.mark.parametrize('make', [
    lambda seed: data.moons(10, seed=seed), lambda seed: data.circles(10, seed=seed),
    lambda seed: data.spiral(9, seed=seed), lambda seed: data.blobs(9, seed=seed),
    lambda seed: [p.data for p in MLP(2, [3, 1], seed=seed).parameters()],
    lambda seed: list(data.batches(list(range(10)), list(range(10)), 3, seed=seed)),
], ids=['moons', 'circles', 'spiral', 'blobs', 'MLP', 'batches'])
def test_a_random_generator_an_int_and_a_numpy_int_name_the_same_stream(make):
    np = pytest.importorskip('numpy')
    assert make(random.Random(4)) == make(4) == make(np.int64(4))
    assert make(4) != make(5)


@pytest.mark.parametrize('make', [
    lambda seed: data.moons(10, seed=seed),
    lambda seed: [p.data for p in MLP(2, [3, 1], seed=seed).parameters()],
    lambda seed: list(data.batches(list(range(10)), list(range(10)), 3, seed=seed)),
    lambda seed: nn.fit(MLP(2, [3, 1], seed=0), *data.moons(10, seed=0), epochs=2,
                        batch_size=3, progress=False, seed=seed).losses,
], ids=['moons', 'MLP', 'batches', 'fit'])
def test_none_draws_from_pythons_global_random(make):
    random.seed(11)
    first = make(None)
    random.seed(11)
    assert make(None) == first


@pytest.mark.parametrize('make', [
    lambda seed: data.moons(10, seed=seed), lambda seed: MLP(2, [1], seed=seed),
    lambda seed: list(data.batches([1, 2], [1, 2], 1, seed=seed)),
    lambda seed: nn.fit(MLP(2, [3, 1], seed=0), *data.xor(), epochs=1, progress=False,
                        seed=seed),
], ids=['moons', 'MLP', 'batches', 'fit'])
@pytest.mark.parametrize('bad', ['abc', 1.5, True])
def test_anything_else_is_refused_naming_the_seed(make, bad):
    with pytest.raises(TypeError, match="seed must be None, a whole number or a random.Random"):
        make(bad)


def test_fit_with_a_random_generator_keeps_the_seed_it_drew_so_a_run_can_go_on():
    X, y = data.moons(10, seed=0)
    h = nn.fit(MLP(2, [3, 1], seed=0), X, y, epochs=1, batch_size=3, progress=False,
               seed=random.Random(8))
    same = nn.fit(MLP(2, [3, 1], seed=0), X, y, epochs=1, batch_size=3, progress=False,
                  seed=h.seed)
    assert isinstance(h.seed, int) and h.losses == same.losses
