"""nn.plot for watching training: boundaries while it trains (a grid, an animated GIF), the
training and held-out curves, and one optimizer step parameter by parameter."""

import copy
import math

import pytest
from matplotlib.figure import Figure
from PIL import Image

import nn
from nn import MLP, data, fit
from nn import plot as nnplot
from nn.optim import SGD


@pytest.fixture(scope='module')
def moons():
    return data.moons(20, seed=0)


@pytest.fixture(scope='module')
def snapshots(moons):
    """Copies of a model before training and after 5 and 10 epochs."""
    model = MLP(2, [6, 1], seed=0)
    opt, h = SGD(model.parameters(), lr=0.2), nn.History()
    taken = {'epoch 0': copy.deepcopy(model)}
    for end in (5, 10):
        fit(model, *moons, optimizer=opt, epochs=end, history=h, progress=False)
        taken[f'epoch {end}'] = copy.deepcopy(model)
    return taken


# ---- boundary_grid


def test_boundary_grid_draws_one_titled_panel_per_snapshot_in_order(moons, snapshots):
    fig = nnplot.boundary_grid(snapshots, *moons, ncols=2, resolution=10)
    assert isinstance(fig, Figure)
    shown = [ax for ax in fig.axes if ax.axison]
    assert [ax.get_title() for ax in shown] == ['epoch 0', 'epoch 5', 'epoch 10']
    assert len(fig.axes) == 4  # 2 x 2, the last panel left blank


def test_boundary_grid_panels_show_the_points_without_legends_or_ticks(moons, snapshots):
    fig = nnplot.boundary_grid(snapshots, *moons, resolution=10)
    for ax in fig.axes:
        assert ax.get_legend() is None and list(ax.get_xticks()) == []
        points = sum(len(c.get_offsets()) for c in ax.collections if hasattr(c, 'get_sizes')
                     and len(c.get_sizes()))
        assert points == 20


def test_boundary_grid_takes_a_list_of_pairs_too(moons, snapshots):
    fig = nnplot.boundary_grid(list(snapshots.items())[::-1], *moons, resolution=10)
    assert [ax.get_title() for ax in fig.axes] == ['epoch 10', 'epoch 5', 'epoch 0']


def test_boundary_grid_fits_a_notebook_column(moons, snapshots):
    fig = nnplot.boundary_grid(snapshots, *moons, ncols=4, resolution=10)
    assert fig.get_figwidth() * 120 <= 900


@pytest.mark.parametrize('snapshots_, error, message', [
    ({}, ValueError, 'at least one snapshot'),
    ([MLP(2, [1], seed=0)], TypeError, r'snapshot 0 should be a \(label, model\) pair'),
    ([('a', 3)], TypeError, 'snapshot 0 should be'),
])
def test_boundary_grid_refuses_what_is_not_snapshots(moons, snapshots_, error, message):
    with pytest.raises(error, match=message):
        nnplot.boundary_grid(snapshots_, *moons)


def test_boundary_grid_refuses_a_bad_column_count(moons, snapshots):
    with pytest.raises(ValueError, match='ncols must be a whole number >= 1'):
        nnplot.boundary_grid(snapshots, *moons, ncols=0)


# ---- save_boundary_animation


def test_the_animation_is_a_looping_gif_with_one_frame_per_snapshot(moons, snapshots,
                                                                    tmp_path):
    path = nnplot.save_boundary_animation(snapshots, *moons, tmp_path / 'run.gif',
                                          seconds_per_frame=0.3, last_frame=1.5,
                                          resolution=10)
    assert path == str(tmp_path / 'run.gif')
    gif = Image.open(path)
    assert gif.format == 'GIF' and gif.n_frames == 3 and gif.info['loop'] == 0
    durations = []
    for k in range(gif.n_frames):
        gif.seek(k)
        durations.append(gif.info['duration'])
    assert durations == [300, 300, 1500]


def test_the_frames_differ_where_the_boundary_moved(moons, snapshots, tmp_path):
    path = nnplot.save_boundary_animation(snapshots, *moons, tmp_path / 'run.gif',
                                          resolution=10)
    gif = Image.open(path)
    pictures = []
    for k in range(gif.n_frames):
        gif.seek(k)
        pictures.append(gif.convert('RGB').tobytes())
    assert pictures[0] != pictures[1] != pictures[2]


def test_the_animation_keeps_the_shading_colours_of_every_frame(tmp_path):
    # the first frame is all one class, a later one the other: both shades must survive
    X, y = [[0.0, 0.0], [1.0, 1.0]], [-1, 1]
    low, high = nn.Neuron(2, nonlin=False, seed=0), nn.Neuron(2, nonlin=False, seed=0)
    for p in low.w:
        p.data = 0.0
    low.b.data, high.b.data = -5.0, 5.0
    for p in high.w:
        p.data = 0.0
    path = nnplot.save_boundary_animation([('low', low), ('high', high)], X, y,
                                          tmp_path / 'two.gif', resolution=5)
    gif = Image.open(path)
    centres = []
    for k in range(2):
        gif.seek(k)
        frame = gif.convert('RGB')
        centres.append(frame.getpixel((frame.width // 2 + 30, frame.height // 2 - 40)))
    blue, orange = centres
    assert blue[2] > blue[0] and orange[0] > orange[2]  # a blue shade, then an orange one


def test_the_same_snapshots_give_the_same_bytes(moons, snapshots, tmp_path):
    a = nnplot.save_boundary_animation(snapshots, *moons, tmp_path / 'a.gif', resolution=10)
    b = nnplot.save_boundary_animation(snapshots, *moons, tmp_path / 'b.gif', resolution=10)
    assert open(a, 'rb').read() == open(b, 'rb').read()


def test_the_animation_is_written_atomically(moons, snapshots, tmp_path, monkeypatch):
    import engine.files

    written = []
    real = engine.files.write_atomic
    monkeypatch.setattr(engine.files, 'write_atomic',
                        lambda path, data: written.append(path) or real(path, data))
    nnplot.save_boundary_animation(snapshots, *moons, tmp_path / 'a.gif', resolution=5)
    assert written == [str(tmp_path / 'a.gif')]
    assert [p.name for p in tmp_path.iterdir()] == ['a.gif']  # no temporary file left


@pytest.mark.parametrize('name, settings, message', [
    ('run.png', {}, 'writes a GIF: use a name ending in .gif'),
    ('run.gif', {'seconds_per_frame': 0}, 'seconds_per_frame must be a number of seconds'),
    ('run.gif', {'last_frame': True}, 'last_frame must be a number of seconds'),
])
def test_the_animation_refuses_bad_settings_before_drawing(moons, snapshots, tmp_path, name,
                                                           settings, message):
    with pytest.raises(ValueError, match=message):
        nnplot.save_boundary_animation(snapshots, *moons, tmp_path / name, **settings)
    assert list(tmp_path.iterdir()) == []


def test_the_animation_names_a_missing_folder(moons, snapshots, tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        nnplot.save_boundary_animation(snapshots, *moons, tmp_path / 'no' / 'run.gif')


# ---- held_out_curve


@pytest.fixture(scope='module')
def watched(moons):
    return fit(MLP(2, [6, 1], seed=0), *moons, epochs=8, validation=data.moons(30, seed=1),
               progress=False)


def test_held_out_curve_draws_the_training_and_held_out_accuracy_per_epoch(watched):
    ax = nnplot.held_out_curve(watched)
    train, held = ax.get_lines()
    assert list(train.get_xdata()) == list(held.get_xdata()) == list(range(1, 9))
    assert list(train.get_ydata()) == watched.train_accuracies
    assert list(held.get_ydata()) == watched.validation_accuracies
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ['training set',
                                                                   'held-out data']


def test_held_out_curve_draws_the_losses_when_asked(watched):
    ax = nnplot.held_out_curve(watched, metric='loss')
    train, held = ax.get_lines()
    assert list(held.get_ydata()) == watched.validation_losses


def test_held_out_curve_claims_no_l2_penalty_the_run_may_not_have_had(watched):
    # `watched` ran without l2: an axis reading 'loss (l2 included)' would say otherwise
    assert nnplot.held_out_curve(watched, metric='loss').get_ylabel() == 'loss'


def test_held_out_curve_leaves_gaps_where_an_epoch_was_not_measured(moons):
    h = nn.History()
    model = MLP(2, [6, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    fit(model, *moons, optimizer=opt, epochs=2, history=h, progress=False)
    fit(model, *moons, optimizer=opt, epochs=4, history=h, validation=moons, progress=False)
    _, held = nnplot.held_out_curve(h).get_lines()
    assert [math.isnan(v) for v in held.get_ydata()] == [True, True, False, False]


def test_held_out_curve_says_how_to_get_held_out_data(moons):
    h = fit(MLP(2, [6, 1], seed=0), *moons, epochs=2, progress=False)
    with pytest.raises(ValueError, match=r'validation=\(X_held_out, y_held_out\)'):
        nnplot.held_out_curve(h)
    with pytest.raises(ValueError, match="metric must be 'accuracy' or 'loss'"):
        nnplot.held_out_curve(h, metric='f1')
    with pytest.raises(TypeError, match='needs a History'):
        nnplot.held_out_curve([0.5, 0.6])


# ---- update_view


@pytest.fixture
def stepped(moons):
    """A 2-2-1 network after backward and one SGD step, with the values from before it."""
    X, y = moons
    model = MLP(2, [2, 1], activation='tanh', seed=0)
    loss = nn.losses.hinge([model(x) for x in X[:2]], y[:2])
    loss.backward()
    before = [p.data for p in model.parameters()]
    SGD(model.parameters(), lr=0.1).step()
    return model, before


def _rows(ax):
    """The table's text rows (y position -> texts left to right), headings first."""
    rows = {}
    for t in ax.texts:
        rows.setdefault(t.get_position()[1], []).append((t.get_position()[0], t.get_text()))
    return [[text for _, text in sorted(row)] for _, row in sorted(rows.items(), reverse=True)]


def test_update_view_shows_each_parameter_before_its_gradient_the_change_and_after(stepped):
    model, before = stepped
    rows = _rows(nnplot.update_view(model, before))
    assert rows[0] == ['parameter', 'before', 'gradient', 'change', 'after']
    named = model.named_parameters()
    assert len(rows) == 1 + len(named)
    for row, (name, p), old in zip(rows[1:], named, before):
        assert row == [name, f'{old:.4f}', f'{p.grad:+.4f}', f'{p.data - old:+.4f}',
                       f'{p.data:.4f}']


def test_under_plain_descent_each_change_bar_is_the_gradient_bar_mirrored_lr_times_as_long(
        stepped):
    model, before = stepped  # one SGD step with lr 0.1: change = -0.1 x gradient
    ax = nnplot.update_view(model, before)
    bars = [patch for patch in ax.patches]
    grads, changes = bars[0::2], bars[1::2]
    biggest = max(abs(p.grad) for p in model.parameters())
    for g, c, p in zip(grads, changes, model.parameters()):
        assert g.get_width() == pytest.approx(0.45 * p.grad / biggest)
        assert c.get_width() == pytest.approx(-0.1 * g.get_width())  # one scale for both
        assert g.get_facecolor() != c.get_facecolor() or p.grad == 0


def test_update_view_draws_the_longest_bar_for_the_largest_number_in_either_column(moons):
    X, y = moons
    model = MLP(2, [2, 1], activation='tanh', seed=0)
    nn.losses.hinge([model(x) for x in X[:2]], y[:2]).backward()
    before = [p.data for p in model.parameters()]
    SGD(model.parameters(), lr=3.0).step()  # now the changes are the larger numbers
    widths = [abs(patch.get_width()) for patch in nnplot.update_view(model, before).patches]
    assert max(widths[1::2]) == pytest.approx(0.45)
    assert max(widths[0::2]) == pytest.approx(0.45 / 3.0)


def test_update_view_uses_given_names_or_the_parameters_labels(stepped):
    model, before = stepped
    params = model.parameters()
    for k, p in enumerate(params):
        p.label = f'q{k}'
    rows = _rows(nnplot.update_view(params, before))
    assert [row[0] for row in rows[1:]] == [f'q{k}' for k in range(len(params))]
    names = [f'n{k}' for k in range(len(params))]
    rows = _rows(nnplot.update_view(params, before, names=names))
    assert [row[0] for row in rows[1:]] == names


def test_update_view_fits_a_notebook_column(stepped):
    model, before = stepped
    assert nnplot.update_view(model, before).figure.get_figwidth() * 120 <= 900


@pytest.mark.parametrize('edit, error, message', [
    (lambda m, b: (m, b[:-1]), ValueError, '9 parameters but 8 values from before'),
    (lambda m, b: ([1.0, 2.0], b[:2]), TypeError, 'a model or a list of Value parameters'),
    (lambda m, b: ([], []), ValueError, 'at least one parameter'),
])
def test_update_view_refuses_what_does_not_match(stepped, edit, error, message):
    with pytest.raises(error, match=message):
        nnplot.update_view(*edit(*stepped))


def test_update_view_refuses_names_that_do_not_match(stepped):
    model, before = stepped
    with pytest.raises(ValueError, match='9 parameters but 2 names'):
        nnplot.update_view(model, before, names=['a', 'b'])
