"""Decision-boundary inference: a 100 x 100 grid of points through the moons model.

This is what drawing micrograd's decision-boundary picture costs: one forward pass per
grid point, no backward.
"""


def grid_points(n=100, lo=(-1.5, -1.0), hi=(2.5, 1.5)):
    """n * n points [x0, x1] covering the moons, row by row."""
    xs = [lo[0] + (hi[0] - lo[0]) * i / (n - 1) for i in range(n)]
    ys = [lo[1] + (hi[1] - lo[1]) * j / (n - 1) for j in range(n)]
    return [[x, y] for y in ys for x in xs]
