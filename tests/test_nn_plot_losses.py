"""nn.plot.loss_functions and loss_and_slope: one sample's loss against its score, and the
slope backward() gives, for the losses of nn.losses and for a learner's own."""

import math

import pytest
from matplotlib.figure import Figure

from engine import Value, no_grad
from nn import plot as nnplot

XS = [-2.5, -0.75, 0.3, 1.6, 2.9]


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# name: (loss, slope) of a positive sample as plain-float formulas
EXPECTED = {
    'mse': (lambda s: (s - 1) ** 2, lambda s: 2 * (s - 1)),
    'hinge': (lambda s: max(0.0, 1 - s), lambda s: -1.0 if s < 1 else 0.0),
    'bce': (lambda s: math.log(1 + math.exp(-s)), lambda s: sigmoid(s) - 1),
    'cross_entropy': (lambda s: math.log(math.exp(s) + 2) - s,
                      lambda s: math.exp(s) / (math.exp(s) + 2) - 1),
}


def lines(ax):
    """(xs, ys) of each curve, without the two axis lines at 0 and without gaps (nan)."""
    curves = []
    for line in ax.get_lines():
        points = [(x, y) for x, y in zip(line.get_xdata(), line.get_ydata()) if not math.isnan(y)]
        if len(points) > 2:
            curves.append(([x for x, _ in points], [y for _, y in points]))
    return curves


def gaps(ax):
    return [sum(math.isnan(y) for y in line.get_ydata()) for line in ax.get_lines()
            if len(line.get_xdata()) > 2]


def shown(fig):
    return [ax for ax in fig.axes if ax.axison]


@pytest.mark.parametrize('name', list(EXPECTED))
def test_each_named_loss_is_drawn_as_the_loss_of_a_positive_sample_and_its_slope(name):
    fig = nnplot.loss_functions([name], lo=-3.0, hi=3.0, points=61)
    (loss_line, slope_line), = [lines(ax) for ax in shown(fig)]
    loss, slope = EXPECTED[name]
    xs, ys = loss_line
    assert xs[0] == -3.0 and xs[-1] == 3.0 and len(xs) == 61
    assert ys == pytest.approx([loss(x) for x in xs], abs=1e-12)
    assert slope_line[1] == pytest.approx([slope(x) for x in xs], abs=1e-12)


def test_by_default_the_four_losses_are_drawn_in_four_panels_two_by_two():
    fig = nnplot.loss_functions()
    panels = shown(fig)
    assert isinstance(fig, Figure) and len(panels) == 4
    assert [ax.get_title().split()[0] for ax in panels] == ['MSE', 'hinge', 'binary',
                                                           'cross-entropy,']
    assert len({ax.get_position().x0 for ax in panels}) == 2
    assert all(len(lines(ax)) == 2 for ax in panels)


@pytest.mark.parametrize('count', [1, 2, 3, 4, 5])
def test_the_figure_fits_a_900_px_column_at_120_dpi(count):
    fig = nnplot.loss_functions((list(nnplot.LOSS_FUNCTIONS) * 2)[:count], points=5)
    assert fig.get_size_inches()[0] * 120 <= 900
    assert len(shown(fig)) == count


def test_together_draws_every_loss_left_and_every_derivative_right():
    fig = nnplot.loss_functions(['mse', 'bce'], together=True, points=31)
    left, right = fig.axes
    (xs, mse), (_, bce) = lines(left)
    assert mse == pytest.approx([(x - 1) ** 2 for x in xs])
    assert bce == pytest.approx([math.log(1 + math.exp(-x)) for x in xs])
    (_, dmse), (_, dbce) = lines(right)
    assert dmse == pytest.approx([2 * (x - 1) for x in xs])
    assert dbce == pytest.approx([sigmoid(x) - 1 for x in xs])
    legend, = fig.legends
    assert [t.get_text() for t in legend.get_texts()][1].startswith('binary')


def test_a_loss_of_your_own_is_drawn_from_a_function_or_a_title_and_function():
    def squared_hinge(s):
        return (1 - s).relu() ** 2
    fig = nnplot.loss_functions([squared_hinge, ('logistic', lambda s: (1 + (-s).exp()).log())],
                                points=21)
    first, second = shown(fig)
    assert first.get_title() == 'squared_hinge' and second.get_title() == 'logistic'
    (xs, _), (_, slopes) = lines(first)
    assert slopes == pytest.approx([-2 * max(0.0, 1 - x) for x in xs])


def test_loss_and_slope_gives_the_loss_and_the_derivative_backward_finds():
    assert nnplot.loss_and_slope(lambda s: (s - 1) ** 2, 3.0) == (4.0, 4.0)
    loss, slope = nnplot.loss_and_slope(lambda s: s.sigmoid().log() * -1, 0.0)
    assert loss == pytest.approx(math.log(2)) and slope == pytest.approx(-0.5)


def test_loss_and_slope_works_inside_no_grad():
    with no_grad():
        assert nnplot.loss_and_slope(lambda s: s * s, -2.0) == (4.0, -4.0)


def test_a_loss_that_returns_no_value_is_refused_with_a_message():
    with pytest.raises(TypeError, match="must return a Value"):
        nnplot.loss_functions([lambda s: 3.0])


@pytest.mark.parametrize('losses, match', [
    (['l1'], "unknown loss 'l1'; choose one of mse, hinge, bce, cross_entropy"),
    ([], "at least one loss"),
    ([42], "a loss is a name"),
])
def test_an_unknown_or_missing_loss_is_refused_naming_the_choices(losses, match):
    with pytest.raises((ValueError, TypeError), match=match):
        nnplot.loss_functions(losses)


@pytest.mark.parametrize('settings, match', [
    ({'lo': 2.0, 'hi': 1.0}, "lo < hi"),
    ({'hi': math.inf}, "finite"),
    ({'points': 1}, "points must be a whole number >= 2"),
    ({'points': 2.5}, "points must be"),
])
def test_a_bad_range_is_refused_with_a_message(settings, match):
    with pytest.raises(ValueError, match=match):
        nnplot.loss_functions(['mse'], **settings)


def test_a_single_name_is_one_loss_not_its_letters():
    assert len(shown(nnplot.loss_functions('hinge', points=5))) == 1


def test_the_named_losses_are_the_library_losses():
    s = Value(0.7)
    assert nnplot.LOSS_FUNCTIONS['cross_entropy'][1](s).data == pytest.approx(
        math.log(math.exp(0.7) + 2) - 0.7)


def test_the_jump_of_the_hinge_derivative_is_a_gap_not_a_vertical_line():
    fig = nnplot.loss_functions(['hinge'], lo=-3.0, hi=3.0, points=61)
    ax, = shown(fig)
    assert gaps(ax) == [0, 1]                         # the loss is whole, its slope has a gap
    slope, = [line for line in ax.get_lines() if any(math.isnan(y) for y in line.get_ydata())]
    xs, ys = list(slope.get_xdata()), list(slope.get_ydata())
    cut = [i for i, y in enumerate(ys) if math.isnan(y)][0]
    assert (ys[cut - 1], ys[cut + 1]) == (-1.0, 0.0) and xs[cut - 1] < 1.0 <= xs[cut + 1]


def test_smooth_derivatives_are_drawn_without_gaps_even_when_steep():
    fig = nnplot.loss_functions(['mse', 'bce', 'cross_entropy',
                                 ('steep', lambda s: (s * -5).exp())], points=121)
    assert all(gaps(ax) == [0, 0] for ax in shown(fig))
    fig = nnplot.loss_functions(['hinge', 'bce'], together=True, points=61)
    assert gaps(fig.axes[1]) == [1, 0]


def legend_texts(fig):
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


@pytest.mark.parametrize('together', [False, True])
def test_every_panel_says_what_its_y_axis_shows(together):
    fig = nnplot.loss_functions(together=together, points=21)
    assert all(ax.get_ylabel().strip() for ax in shown(fig))


def test_one_legend_for_all_panels_names_the_loss_and_its_derivative():
    fig = nnplot.loss_functions(points=21)
    assert all(ax.get_legend() is None for ax in fig.axes)
    texts = legend_texts(fig)
    assert len(texts) == 2 and texts[0].startswith('loss') and 'dL/ds' in texts[1]


def test_together_has_one_legend_naming_every_loss_for_both_panels():
    fig = nnplot.loss_functions(together=True, points=21)
    assert all(ax.get_legend() is None for ax in fig.axes)
    assert [t.split()[0] for t in legend_texts(fig)] == ['MSE', 'hinge', 'binary',
                                                          'cross-entropy,']


@pytest.mark.parametrize('together', [False, True])
def test_legend_text_reads_at_display_size(together):
    # 9 pt at the notebooks' 120 dpi: 15 px per line, capitals about 10 px high
    fig = nnplot.loss_functions(together=together, points=21)
    legends = fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    sizes = [t.get_fontsize() for legend in legends for t in legend.get_texts()]
    assert sizes and min(sizes) >= 9


def test_where_the_hinge_and_its_derivative_coincide_the_panel_says_so():
    fig = nnplot.loss_functions(['hinge', 'bce'], points=61)
    hinge, bce = shown(fig)
    assert [t.get_text() for t in hinge.texts] == ['L = dL/ds = 0']
    assert len(bce.texts) == 0
    loss_line, slope_line = [line for line in hinge.get_lines() if len(line.get_xdata()) > 2]
    assert slope_line.get_zorder() > loss_line.get_zorder()   # the dashes drawn on top


def test_together_clips_the_panels_to_the_ranges_given_and_says_so():
    fig = nnplot.loss_functions(together=True, ylim=(0, 5), slope_ylim=(-2.5, 1.5), points=21)
    left, right = fig.axes
    assert left.get_ylim() == (0.0, 5.0) and right.get_ylim() == (-2.5, 1.5)
    assert left.get_title().endswith('y clipped') and right.get_title().endswith('y clipped')
    unclipped = nnplot.loss_functions(together=True, points=21)
    assert 'clipped' not in unclipped.axes[0].get_title()
    assert unclipped.axes[1].get_ylim()[0] < -8   # MSE's slope -8 at s = -3 sets the range


@pytest.mark.parametrize('settings, match', [
    ({'ylim': (0, 5)}, "together=True"),
    ({'together': True, 'ylim': (5, 0)}, "ylim must be finite with low < high"),
    ({'together': True, 'slope_ylim': 'low'}, "slope_ylim must be a pair of numbers"),
])
def test_a_bad_clip_range_is_refused_with_a_message(settings, match):
    with pytest.raises(ValueError, match=match):
        nnplot.loss_functions(['mse'], points=5, **settings)
