"""nn.fit with a recorded replay: the numbers of the graph path, bit for bit, and 'auto'
replays only where that is sound."""

import struct

import pytest

import nn
from engine import Value, no_grad
from nn.cli import main


def bits(xs):
    return [struct.pack('<d', x) for x in xs]


def _run(replay, loss='hinge', optimizer='sgd', outputs=1, labels='pm1', epochs=12, **kw):
    X, y = nn.data.moons(40, noise=0.1, seed=5, labels=labels)
    if loss == 'cross_entropy':
        y = [int(t) for t in y]
    model = nn.MLP(2, [8, 8, outputs], seed=3)
    history = nn.fit(model, X, y, loss=loss, optimizer=optimizer, epochs=epochs, l2=1e-3,
                     progress=False, replay=replay, **kw)
    return history, [p.data for p in model.parameters()]


@pytest.mark.parametrize('loss, optimizer, outputs, labels', [
    ('hinge', 'sgd', 1, 'pm1'), ('mse', 'adam', 1, 'pm1'), ('bce', 'sgd', 1, '01'),
    ('cross_entropy', 'adam', 2, '01')])
def test_replayed_training_equals_the_graph_bit_for_bit(loss, optimizer, outputs, labels):
    graph, graph_params = _run(False, loss, optimizer, outputs, labels)
    replayed, replayed_params = _run(True, loss, optimizer, outputs, labels)
    assert (graph.path, replayed.path) == ('graph', 'replay')
    assert bits(replayed.losses) == bits(graph.losses)
    assert replayed.accuracies == graph.accuracies
    assert bits(replayed_params) == bits(graph_params)


def test_auto_replays_a_full_batch_run_of_an_mlp():
    history, _ = _run('auto', epochs=nn.train.REPLAY_LEAST_UPDATES)
    assert history.path == 'replay'


def test_auto_builds_the_graph_for_mini_batches():
    history, _ = _run('auto', batch_size=8, epochs=nn.train.REPLAY_LEAST_UPDATES)
    assert history.path == 'graph'


def test_auto_builds_the_graph_for_a_short_run():
    history, _ = _run('auto', epochs=nn.train.REPLAY_LEAST_UPDATES - 1)
    assert history.path == 'graph'


def test_auto_builds_the_graph_for_a_loss_function_of_your_own():
    """Your own loss may branch on .data, which a replay would freeze."""
    X, y = nn.data.moons(20, seed=1)
    history = nn.fit(nn.MLP(2, [4, 1], seed=0), X, y, loss=nn.losses.hinge,
                     epochs=nn.train.REPLAY_LEAST_UPDATES, progress=False)
    assert history.path == 'graph'


def test_replay_true_refuses_mini_batches():
    with pytest.raises(ValueError, match="full batch"):
        _run(True, batch_size=8)


def test_replay_true_says_why_a_graph_cannot_be_replayed():
    X, y = nn.data.moons(20, seed=1)

    def detached(scores, targets):
        with no_grad():
            scale = Value(2.0) * 1.0  # made under no_grad: frozen in a replay
        return nn.losses.hinge(scores, targets) * scale

    with pytest.raises(ValueError, match="replay=True.*no_grad"):
        nn.fit(nn.MLP(2, [4, 1], seed=0), X, y, loss=detached, epochs=3, progress=False,
               replay=True)


def test_replay_must_be_true_false_or_auto():
    with pytest.raises(ValueError, match="replay must be"):
        _run('yes')


def test_a_replayed_run_that_breaks_down_says_where():
    X, y = nn.data.moons(20, seed=1)
    with pytest.raises(ArithmeticError, match="training broke down at epoch"):
        nn.fit(nn.MLP(2, [8, 1], seed=0), X, y, loss='mse', lr=1e6, epochs=30,
               progress=False, replay=True)


def test_the_demo_says_it_replayed_the_recorded_graph(tmp_path, capsys):
    steps = str(nn.train.REPLAY_LEAST_UPDATES)
    assert main(['demo', '--steps', steps, '--no-progress', '--out', str(tmp_path)]) == 0
    assert 'recorded once and replayed' in capsys.readouterr().out


def test_the_demo_says_why_a_short_run_builds_the_graph(tmp_path, capsys):
    assert main(['demo', '--steps', '20', '--no-progress', '--out', str(tmp_path)]) == 0
    assert 'built at every step; not replayed: a run of 20 updates' in capsys.readouterr().out


def test_auto_replays_a_model_with_thousands_of_parameters_under_l2(monkeypatch):
    """l2 is one dot over every parameter: 3901 terms, more than one line of Python holds."""
    monkeypatch.setattr(nn.train, 'REPLAY_LEAST_UPDATES', 3)  # a short run, to keep it quick
    X, y = nn.data.moons(4, seed=0)
    model = nn.MLP(2, [60, 60, 1], seed=0)
    history = nn.fit(model, X, y, l2=1e-4, epochs=3, progress=False, measure=False)
    assert history.path == 'replay'


def test_auto_replays_thousands_of_samples(monkeypatch):
    """The mean over the batch is one sum of 3100 terms."""
    monkeypatch.setattr(nn.train, 'REPLAY_LEAST_UPDATES', 3)
    X, y = nn.data.moons(3100, seed=0)
    history = nn.fit(nn.MLP(2, [1], seed=0), X, y, epochs=3, progress=False, measure=False)
    assert history.path == 'replay'


def test_a_wide_model_replays_the_graphs_numbers_bit_for_bit():
    X, y = nn.data.moons(4, seed=0)
    runs = []
    for replay in (False, True):
        model = nn.MLP(2, [60, 60, 1], seed=0)
        history = nn.fit(model, X, y, l2=1e-4, epochs=3, progress=False, replay=replay)
        runs.append((bits(history.losses), bits(p.data for p in model.parameters())))
    assert runs[0] == runs[1]


def _cannot_compile(monkeypatch):
    """Python's compiler refusing the generated program, as 3.11's does for a line of some
    3000 terms (the limit differs between versions, so it is stood in for here)."""
    import engine.recording as recording

    def refuse(*args, **kwargs):
        raise RecursionError('maximum recursion depth exceeded during compilation')
    monkeypatch.setattr(recording, 'compile', refuse, raising=False)  # shadows the builtin
    monkeypatch.setattr(recording, '_CACHE', {})
    monkeypatch.setattr(nn.train, 'REPLAY_LEAST_UPDATES', 3)


def test_auto_builds_the_graph_when_the_recording_cannot_be_compiled(monkeypatch):
    _cannot_compile(monkeypatch)
    X, y = nn.data.moons(20, seed=0)
    runs = []
    for replay in ('auto', False):
        model = nn.MLP(2, [4, 1], seed=0)
        history = nn.fit(model, X, y, l2=1e-4, epochs=3, progress=False, measure=False,
                         replay=replay)
        runs.append((history.path, bits(history.losses), bits(p.data for p in
                                                               model.parameters())))
    assert runs[0] == runs[1] and runs[0][0] == 'graph'


def test_a_step_to_infinity_breaks_down_as_on_the_graph_path():
    import math

    class Blowup:  # an optimizer whose third step sends a weight to infinity
        def __init__(self, params):
            self.params, self.steps = params, 0

        def zero_grad(self):
            pass

        def step(self):
            self.steps += 1
            if self.steps == 3:
                self.params[0].data = math.inf

    X, y = nn.data.moons(10, seed=0)
    errors = []
    for replay in (True, False):
        model = nn.MLP(2, [4, 1], seed=0)
        with pytest.raises(OverflowError) as caught:
            nn.fit(model, X, y, optimizer=Blowup(model.parameters()), epochs=5,
                   progress=False, measure=False, replay=replay)
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert "training broke down at epoch 4" in errors[0]


def test_the_threshold_is_above_the_measured_break_even():
    """Recording costs about 70 updates of the graph; through fit a replayed run of 100
    updates is no faster than building the graph."""
    assert nn.train.REPLAY_LEAST_UPDATES >= 100


@pytest.mark.parametrize('kw, reason', [
    ({'batch_size': 8}, 'mini-batches'),
    ({'epochs': 5}, 'a run of 5 updates'),
    ({'replay': False}, 'replay=False'),
    ({'loss': nn.losses.hinge}, 'a loss function of your own')])
def test_auto_says_why_it_built_the_graph(kw, reason):
    X, y = nn.data.moons(20, seed=1)
    settings = {'epochs': nn.train.REPLAY_LEAST_UPDATES, **kw}
    history = nn.fit(nn.MLP(2, [4, 1], seed=0), X, y, progress=False, measure=False,
                     **settings)
    assert history.path == 'graph'
    assert reason in history.path_reason


def test_a_replayed_run_has_no_reason_for_the_graph():
    history, _ = _run('auto', epochs=nn.train.REPLAY_LEAST_UPDATES)
    assert (history.path, history.path_reason) == ('replay', None)


def test_auto_says_why_a_graph_could_not_be_replayed(monkeypatch):
    _cannot_compile(monkeypatch)
    X, y = nn.data.moons(20, seed=0)
    history = nn.fit(nn.MLP(2, [1], seed=0), X, y, epochs=3, progress=False, measure=False)
    assert history.path == 'graph'
    assert history.path_reason.startswith("the graph cannot be replayed: record(): Python "
                                          "could not compile")


def test_auto_builds_the_graph_for_an_mlp_holding_a_layer_of_your_own():
    class Doubled(nn.Layer):
        def __call__(self, x):
            out = super().__call__(x)
            return out * 2.0 if out.data > 0 else out  # a branch on .data

    X, y = nn.data.moons(20, seed=1)
    model = nn.MLP(2, [1], seed=0)
    model.layers[-1] = Doubled(2, 1, nonlin=False)
    history = nn.fit(model, X, y, epochs=nn.train.REPLAY_LEAST_UPDATES, progress=False,
                     measure=False)
    assert history.path == 'graph'
    assert 'MLP model' in history.path_reason


def test_train_says_which_path_it_used_and_why(tmp_path, capsys):
    args = ['train', '--data', 'xor', '--hidden', '4', '--no-progress', '--out',
            str(tmp_path)]
    assert main(args + ['--epochs', '5']) == 0
    assert ("computed with the loss graph built at every step; not replayed: a run of 5 "
            "updates") in capsys.readouterr().out
    assert main(args + ['--epochs', str(nn.train.REPLAY_LEAST_UPDATES)]) == 0
    assert "computed with the loss graph recorded once and replayed" in capsys.readouterr().out
