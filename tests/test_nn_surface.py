"""nn.optim.descent_path and nn.plot.loss_surface: an optimizer let loose on a function of two
numbers gives the points the update rules give, and the surface is drawn with those paths."""

import math

import pytest
from conftest import require
from matplotlib.axes import Axes
from matplotlib.contour import ContourSet

import nn
from engine import Value
from nn import plot as nnplot
from nn.optim import SGD, Adam, descent_path


def bowl(x, y):
    return x * x + 10 * y * y


def bowl_gradient(x, y):
    return 2 * x, 20 * y


START = (-1.5, 0.8)


# ---- descent_path


def test_descent_path_starts_at_the_start_and_has_one_point_per_step_more():
    path = descent_path(bowl, START, steps=7, lr=0.01)
    assert len(path) == 8 and path[0] == START
    assert all(isinstance(v, float) for p in path for v in p)


def test_descent_path_of_sgd_is_p_minus_lr_times_the_gradient_bit_for_bit():
    x, y = START
    expected = [(x, y)]
    for _ in range(20):
        gx, gy = bowl_gradient(x, y)
        x, y = x - 0.04 * gx, y - 0.04 * gy
        expected.append((x, y))
    assert descent_path(bowl, START, 'sgd', steps=20, lr=0.04) == expected


def test_descent_path_with_momentum_follows_the_velocity_rule_bit_for_bit():
    point, velocity, expected = list(START), [0.0, 0.0], [START]
    for _ in range(25):
        g = bowl_gradient(*point)
        velocity = [0.9 * v + gi for v, gi in zip(velocity, g)]        # v = mu v + g
        point = [p - 0.01 * v for p, v in zip(point, velocity)]        # p -= lr v
        expected.append(tuple(point))
    assert descent_path(bowl, START, 'sgd', steps=25, lr=0.01, momentum=0.9) == expected


def test_descent_path_of_adam_follows_the_textbook_rule():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.05
    point, m, s, expected = list(START), [0.0, 0.0], [0.0, 0.0], [START]
    for t in range(1, 31):
        g = bowl_gradient(*point)
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        s = [b2 * si + (1 - b2) * gi * gi for si, gi in zip(s, g)]
        point = [p - lr * (mi / (1 - b1 ** t)) / (math.sqrt(si / (1 - b2 ** t)) + eps)
                 for p, mi, si in zip(point, m, s)]
        expected.append(tuple(point))
    got = descent_path(bowl, START, 'adam', steps=30, lr=lr)
    assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-14)
               for p, q in zip(got, expected) for a, b in zip(p, q))


def test_adams_first_step_moves_every_coordinate_by_the_learning_rate():
    (x0, y0), (x1, y1) = descent_path(bowl, START, 'adam', steps=1, lr=0.2)
    assert math.isclose(x1 - x0, 0.2, rel_tol=1e-7)     # gradient -3: moves right
    assert math.isclose(y1 - y0, -0.2, rel_tol=1e-7)    # gradient 16: moves left


def test_descent_path_takes_an_optimizer_class_as_its_name():
    by_name = descent_path(bowl, START, 'adam', steps=5, lr=0.1)
    assert descent_path(bowl, START, Adam, steps=5, lr=0.1) == by_name
    assert descent_path(bowl, START, SGD, steps=5, lr=0.1) == descent_path(
        bowl, START, steps=5, lr=0.1)


def test_descent_path_of_zero_steps_is_the_start_alone():
    assert descent_path(bowl, (1, 2), steps=0) == [(1.0, 2.0)]


def test_descent_path_works_for_one_coordinate_and_for_value_methods():
    path = descent_path(lambda w: (w - 2.0) ** 2, [0.0], steps=3, lr=0.25)
    assert path == [(0.0,), (1.0,), (1.5,), (1.75,)]
    ends = descent_path(lambda x, y: (x * x + y * y).exp(), (0.3, -0.2), steps=200, lr=0.05)
    assert max(abs(v) for v in ends[-1]) < 1e-3


def test_a_path_that_runs_away_stops_with_an_error_naming_the_step():
    with pytest.raises(OverflowError, match=r"descent_path: step \d+ from"):
        descent_path(bowl, START, steps=2000, lr=0.2)    # y grows 3x a step: overflow


def test_descent_path_refuses_an_unknown_optimizer():
    with pytest.raises(ValueError, match="choose 'sgd' or 'adam'"):
        descent_path(bowl, START, 'rmsprop')
    with pytest.raises(ValueError, match="choose 'sgd' or 'adam'"):
        descent_path(bowl, START, object)


def test_descent_path_refuses_a_function_that_does_not_return_a_value():
    with pytest.raises(TypeError, match="f must return a Value"):
        descent_path(lambda x, y: 3.0, START, steps=1)
    with pytest.raises(TypeError, match="function of Values"):
        descent_path('x*x', START)


def test_descent_path_refuses_bad_starts_and_step_counts():
    with pytest.raises(ValueError, match="at least one coordinate"):
        descent_path(bowl, ())
    with pytest.raises(TypeError, match=r"start\[1\] needs a real number"):
        descent_path(bowl, (1.0, 'two'))
    with pytest.raises(TypeError, match="start must be a sequence"):
        descent_path(bowl, 3.0)
    with pytest.raises(ValueError, match="steps must be at least 0"):
        descent_path(bowl, START, steps=-1)


def test_descent_path_passes_bad_settings_to_the_optimizer_which_names_them():
    with pytest.raises(ValueError, match="momentum"):
        descent_path(bowl, START, momentum=1.5)
    with pytest.raises(TypeError, match="unexpected keyword"):
        descent_path(bowl, START, 'sgd', betas=(0.9, 0.99))


def test_descent_path_is_reachable_from_nn():
    assert nn.descent_path is descent_path and 'descent_path' in nn.__all__


def test_descent_paths_agree_with_torch_optim_in_float64():
    torch = require('torch')

    def torch_path(make, steps):
        p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
        opt, out = make([p]), [START]
        for _ in range(steps):
            opt.zero_grad()
            (p[0] ** 2 + 10 * p[1] ** 2).backward()
            opt.step()
            out.append(tuple(p.detach().tolist()))
        return out

    cases = [(dict(lr=0.01, momentum=0.9), lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9),
              'sgd'),
             (dict(lr=0.05), lambda ps: torch.optim.Adam(ps, lr=0.05), 'adam')]
    for settings, make, name in cases:
        ours = descent_path(bowl, START, name, steps=40, **settings)
        theirs = torch_path(make, 40)
        assert all(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-14)
                   for p, q in zip(ours, theirs) for a, b in zip(p, q)), name


# ---- loss_surface


def paths_drawn(ax):
    """The lines through more than one point (start and end markers are single points)."""
    return [line for line in ax.get_lines() if len(line.get_xdata()) > 1]


def test_loss_surface_returns_axes_with_contours_and_the_path_through_its_points():
    path = descent_path(bowl, START, steps=10, lr=0.04)
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=path, resolution=21)
    assert isinstance(ax, Axes)
    assert sum(isinstance(c, ContourSet) for c in ax.collections) == 2   # filled, and lines
    (line,) = paths_drawn(ax)
    assert list(zip(line.get_xdata(), line.get_ydata())) == path
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 1.0)


def test_loss_surface_draws_each_path_of_a_dict_with_its_label():
    paths = {'lr 0.01': descent_path(bowl, START, steps=5, lr=0.01),
             'lr 0.04': descent_path(bowl, START, steps=5, lr=0.04)}
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=paths, resolution=11)
    assert [line.get_label() for line in paths_drawn(ax)] == list(paths)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(paths)


def test_loss_surface_takes_a_list_of_paths():
    paths = [descent_path(bowl, s, steps=3, lr=0.01) for s in [(1, 1), (-1, 0.5), (0.5, -1)]]
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=paths, resolution=11)
    assert len(paths_drawn(ax)) == 3


def test_a_path_that_runs_away_leaves_the_picture_and_the_limits_stay():
    path = descent_path(bowl, START, steps=12, lr=0.11)   # y: factor 1 - 2.2 = -1.2 a step
    assert max(abs(p[1]) for p in path) > 5
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=path, resolution=11)
    assert ax.get_ylim() == (-1.0, 1.0)


def test_loss_surface_draws_each_path_in_the_colour_given():
    paths = [descent_path(bowl, s, steps=3, lr=0.01) for s in [(1, 1), (-1, 0.5)]]
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=paths, resolution=9,
                             colours=['#112233', '#445566'])
    assert [line.get_color() for line in paths_drawn(ax)] == ['#112233', '#445566']
    with pytest.raises(ValueError, match="2 paths need 2 colours, got 1"):
        nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=paths, colours=['red'])


def test_loss_surface_contours_at_the_levels_asked_for_or_spaced_geometrically():
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), levels=[1, 2, 4], resolution=11)
    lines = [c for c in ax.collections if hasattr(c, 'levels')][-1]
    assert list(lines.levels) == [1.0, 2.0, 4.0]
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), levels=6, log=True, resolution=11)
    lines = [c for c in ax.collections if hasattr(c, 'levels')][-1]
    offsets = list(lines.levels)   # the lowest grid point is (0, 0): f = 0
    ratios = [b / a for a, b in zip(offsets, offsets[1:])]
    assert all(math.isclose(r, ratios[0]) for r in ratios) and math.isclose(ratios[0], 10 ** 0.6)


def test_loss_surface_evaluates_functions_written_with_value_methods():
    ax = nnplot.loss_surface(lambda x, y: (x * y).tanh() + Value.sum([x * x, y * y]),
                             (-1, 1), (-1, 1), resolution=9)
    assert isinstance(ax, Axes)


def test_loss_surface_draws_the_same_contours_from_floats_as_from_values():
    def levels_of(f):
        ax = nnplot.loss_surface(f, (-2, 2), (-1, 1), levels=5, resolution=9)
        return list([c for c in ax.collections if hasattr(c, 'levels')][-1].levels)
    by_values = levels_of(lambda x, y: (x * x).exp().log() + 10 * y * y)   # needs Values
    assert all(math.isclose(a, b) for a, b in zip(levels_of(bowl), by_values))


def test_loss_surface_marks_the_minima_with_stars():
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), minima=[(0, 0)], resolution=9)
    stars = [line for line in ax.get_lines() if line.get_marker() == '*']
    assert len(stars) == 1 and list(stars[0].get_xdata()) == [0]
    assert 'minimum' in ax.get_title()


def test_loss_surface_draws_into_a_given_axes():
    fig = nnplot._figure()[0]
    ax = fig.axes[0]
    assert nnplot.loss_surface(bowl, (-2, 2), (-1, 1), ax=ax, resolution=5) is ax


def test_loss_surface_refuses_what_it_cannot_draw():
    with pytest.raises(ValueError, match="xlim must be finite with low < high"):
        nnplot.loss_surface(bowl, (2, -2), (-1, 1))
    with pytest.raises(ValueError, match="ylim must be a pair"):
        nnplot.loss_surface(bowl, (-2, 2), 1)
    with pytest.raises(ValueError, match="every point must be"):
        nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths={'3-D': [(1, 2, 3)]})
    with pytest.raises(ValueError, match="resolution"):
        nnplot.loss_surface(bowl, (-2, 2), (-1, 1), resolution=1)
    with pytest.raises(ValueError, match="levels must be at least 2"):
        nnplot.loss_surface(bowl, (-2, 2), (-1, 1), levels=1)


def notes(ax):
    return [t.get_text() for t in ax.texts]


def test_a_path_that_leaves_the_picture_gets_a_cross_on_the_edge_and_the_step_it_left_at():
    path = [(0.0, 0.0), (0.5, 0.5), (1.5, 0.5), (3.0, 0.5), (9.0, 0.5)]   # leaves after step 3
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=path, resolution=9)
    assert notes(ax) == ['leaves the\npicture at\nstep 3']
    (cross,) = [line for line in ax.get_lines() if line.get_marker() == 'X']
    assert list(cross.get_xdata()) == [2.0] and list(cross.get_ydata()) == [0.5]   # on the edge


def test_the_cross_sits_on_the_first_edge_a_path_crosses_when_it_leaves_by_a_corner():
    path = [(0.0, 0.0), (4.0, 1.5)]   # x = 2 at t = 0.5 (y 0.75): before y = 1 at t = 2/3
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=path, resolution=9)
    (cross,) = [line for line in ax.get_lines() if line.get_marker() == 'X']
    assert (cross.get_xdata()[0], cross.get_ydata()[0]) == (2.0, 0.75)


def test_a_real_run_away_path_is_noted_at_the_step_its_point_leaves():
    path = descent_path(bowl, START, steps=12, lr=0.11)   # y: factor 1 - 2.2 = -1.2 a step
    first_out = next(k for k, p in enumerate(path) if abs(p[1]) > 1)
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=path, resolution=9)
    assert notes(ax) == [f'leaves the\npicture at\nstep {first_out}'] and first_out > 1


def test_paths_that_stay_inside_or_start_outside_get_no_note():
    inside = descent_path(bowl, START, steps=10, lr=0.04)
    outside = [(5.0, 0.0), (4.0, 0.0), (0.0, 0.0)]
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=[inside, outside], resolution=9)
    assert notes(ax) == [] and not [line for line in ax.get_lines() if line.get_marker() == 'X']


def test_a_path_that_jumps_to_infinity_is_noted_at_its_last_finite_point():
    path = [(0.0, 0.0), (1.0, 0.5), (math.inf, 0.5)]
    ax = nnplot.loss_surface(bowl, (-2, 2), (-1, 1), paths=path, resolution=9)
    (cross,) = [line for line in ax.get_lines() if line.get_marker() == 'X']
    assert notes(ax) == ['leaves the\npicture at\nstep 2'] and cross.get_xdata()[0] == 1.0
