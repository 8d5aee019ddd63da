"""nn.plot: figures come back drawn off screen, with the expected content; matplotlib stays
out of `import nn`."""

import subprocess
import sys

import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

import nn
from nn import MLP, data, fit
from nn import plot as nnplot


def test_import_nn_does_not_import_matplotlib():
    code = "import sys, nn; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == 'False'


def test_plot_is_reachable_as_an_attribute():
    assert nn.plot is nnplot


def test_decision_boundary_returns_axes_with_the_points(tmp_path):
    X, y = data.moons(30, seed=0)
    ax = nnplot.decision_boundary(MLP(2, [8, 1], seed=0), X, y, resolution=20)
    assert isinstance(ax, Axes)
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in points) == 30
    ax.figure.savefig(tmp_path / 'b.png')
    assert (tmp_path / 'b.png').read_bytes()[:4] == b'\x89PNG'


def test_decision_boundary_handles_several_classes_and_other_modules():
    X, y = data.blobs(30, seed=0)
    ax = nnplot.decision_boundary(MLP(2, [4, 3], seed=0), X, y, resolution=10)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ['y = 0', 'y = 1', 'y = 2']
    ax = nnplot.decision_boundary(nn.Neuron(2, seed=0), *data.xor(), resolution=10)
    assert isinstance(ax, Axes)


def test_decision_boundary_draws_into_a_given_axes():
    fig = Figure()
    ax = fig.add_subplot()
    assert nnplot.decision_boundary(MLP(2, [1], seed=0), *data.and_gate(), ax=ax,
                                    resolution=5) is ax


def test_decision_boundary_refuses_inputs_it_cannot_draw():
    with pytest.raises(ValueError, match="2-D"):
        nnplot.decision_boundary(MLP(3, [1], seed=0), [[1, 2, 3]], [1])
    with pytest.raises(ValueError, match="as many labels"):
        nnplot.decision_boundary(MLP(2, [1], seed=0), [[1, 2]], [])


def test_loss_curve_draws_one_line_per_history_with_names():
    X, y = data.moons(20, seed=0)
    runs = {name: fit(MLP(2, [4, 1], seed=0), X, y, epochs=3, batch_size=bs, progress=False)
            for name, bs in (('SGD', 1), ('full batch', None), ('mini-batch', 8))}
    ax = nnplot.loss_curve(runs)
    assert [line.get_label() for line in ax.get_lines()] == list(runs)
    assert list(ax.get_lines()[0].get_ydata()) == runs['SGD'].train_losses
    ax = nnplot.loss_curve(runs['SGD'], x='update')
    assert len(ax.get_lines()[0].get_ydata()) == 60


def test_loss_curve_against_updates_puts_each_epoch_loss_where_the_epoch_ended():
    X, y = data.moons(20, seed=0)
    h = fit(MLP(2, [4, 1], seed=0), X, y, epochs=3, batch_size=8, progress=False)
    per_update, per_epoch = nnplot.loss_curve(h, x='update').get_lines()
    assert list(per_update.get_ydata()) == h.losses
    assert list(per_epoch.get_xdata()) == [3, 6, 9]  # ceil(20 / 8) = 3 updates an epoch
    assert list(per_epoch.get_ydata()) == h.train_losses


def test_loss_curve_says_it_shows_the_training_set_loss_measured_after_each_epoch():
    X, y = data.moons(20, seed=0)
    h = fit(MLP(2, [4, 1], seed=0), X, y, epochs=3, batch_size=8, progress=False)
    ax = nnplot.loss_curve(h)
    assert ax.get_ylabel() == 'training-set loss'
    assert ax.get_title() == 'training-set loss after each epoch'


def test_loss_curve_of_an_unmeasured_run_shows_and_names_the_running_mean():
    X, y = data.moons(20, seed=0)
    h = fit(MLP(2, [4, 1], seed=0), X, y, epochs=3, batch_size=8, progress=False,
            measure=False)
    ax = nnplot.loss_curve(h)
    assert list(ax.get_lines()[0].get_ydata()) == h.running_losses
    assert ax.get_ylabel() == 'running mean loss'
    assert ax.get_title() == "mean of each epoch's update losses"
    with pytest.raises(ValueError, match="kind must be"):
        nnplot.loss_curve(h, kind='end')


def test_loss_curve_can_be_asked_for_the_running_mean_of_a_measured_run():
    X, y = data.moons(20, seed=0)
    h = fit(MLP(2, [4, 1], seed=0), X, y, epochs=3, batch_size=8, progress=False)
    ax = nnplot.loss_curve(h, kind='running')
    assert list(ax.get_lines()[0].get_ydata()) == h.running_losses
    assert ax.get_ylabel() == 'running mean loss'


def test_loss_curve_refuses_bad_input():
    with pytest.raises(ValueError, match="'epoch' or 'update'"):
        nnplot.loss_curve([], x='time')
    with pytest.raises(TypeError, match="History"):
        nnplot.loss_curve([1.0, 2.0])


def test_activations_draws_each_function_and_its_derivative():
    fig = nnplot.activations()
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ['ReLU', 'Tanh', 'Sigmoid', 'Step', 'Linear']
    assert all(len(ax.get_lines()) >= 2 for ax in fig.axes)
    relu_derivative = fig.axes[0].get_lines()[-1].get_ydata()
    assert set(relu_derivative) == {0.0, 1.0}


def test_activations_refuses_unknown_names():
    with pytest.raises(ValueError, match="unknown activation"):
        nnplot.activations(['relu', 'swish'])
