r"""Toy error landscapes with exact gradients, for watching optimizers move.

Each landscape is a small object: ``f(p)`` evaluates it, ``f.gradient(p)``
returns the analytic gradient, and ``xlim`` (and ``ylim`` for surfaces)
give a sensible plotting window. One-dimensional curves take any array of
positions; surfaces take points with a last axis of length 2, so a whole
grid can be evaluated at once. :func:`trace_path` runs any optimizer of
:mod:`course_lib.optim` on a landscape and returns the points it visits.
See Chapter 2.

>>> from course_lib.optim import SGD
>>> path = trace_path(ElongatedBowl(), SGD(lr=0.5), start=(-7.0, 2.0), steps=2)
>>> path.round(3).tolist()
[[-7.0, 2.0], [-6.65, 0.0], [-6.318, 0.0]]
"""

from __future__ import annotations

import numpy as np

from ._validation import as_rng, check_finite_number, check_int, error

__all__ = ["ElongatedBowl", "GaussianValley", "Landscape", "PlateauCurve",
           "Saddle", "SplitPointError", "trace_path"]


class Landscape:
    """Base class. Subclasses set ``dim`` (1 or 2) and ``xlim``/``ylim``."""

    dim = 1
    xlim: tuple = (-1.0, 1.0)
    ylim: tuple | None = None
    minimum: np.ndarray | None = None  # location of the minimum, if any

    def _f(self, p: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _grad(self, p: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _points(self, p) -> np.ndarray:
        p = np.asarray(p, dtype=float)
        if self.dim == 2 and (p.ndim == 0 or p.shape[-1] != 2):
            raise error(type(self).__name__, "p", "points with a last axis "
                        "of length 2 (x, y)", f"shape {p.shape}")
        return p

    def __call__(self, p) -> np.ndarray:
        return self._f(self._points(p))

    def gradient(self, p) -> np.ndarray:
        """The exact gradient at ``p`` (same shape as ``p``)."""
        return self._grad(self._points(p))

    def grid(self, n=201):
        """``(X, Y, Z)`` on an ``n × n`` grid over ``xlim × ylim`` (surfaces)."""
        if self.dim != 2:
            raise error(f"{type(self).__name__}.grid", "landscape",
                        "a 2-D surface", "a 1-D curve", kind=TypeError)
        X, Y = np.meshgrid(np.linspace(*self.xlim, n),
                           np.linspace(*self.ylim, n))
        return X, Y, self(np.stack([X, Y], axis=-1))

    def __repr__(self):
        return f"{type(self).__name__}()"


class ElongatedBowl(Landscape):
    r"""The stretched bowl :math:`f(x, y) = x^2/20 + y^2`.

    Its gradient :math:`(x/10,\; 2y)` is twenty times steeper across the
    valley (y) than along it (x), so the gradient mostly points across the
    valley instead of at the minimum (0, 0): plain gradient descent
    zigzags. Hessian eigenvalues 0.1 and 2. See Chapter 2.
    """

    dim = 2
    xlim = (-10.0, 10.0)
    ylim = (-5.0, 5.0)
    minimum = np.array([0.0, 0.0])
    label = r"$f(x, y) = x^2/20 + y^2$"

    def _f(self, p):
        return p[..., 0] ** 2 / 20.0 + p[..., 1] ** 2

    def _grad(self, p):
        return np.stack([p[..., 0] / 10.0, 2.0 * p[..., 1]], axis=-1)


class Saddle(Landscape):
    r"""The saddle :math:`f(x, y) = x^2 - y^2`.

    The gradient :math:`(2x, -2y)` vanishes at the origin, which is neither
    a minimum nor a maximum: the Hessian :math:`\mathrm{diag}(2, -2)` has
    eigenvalues +2 (a valley along x) and −2 (a ridge along y). Started on
    the ridge line y = 0, gradient descent slides into the saddle point and
    stops; any push off the line grows by a factor :math:`1 + 2\eta` per
    step. The surface is unbounded below. See Chapter 2.
    """

    dim = 2
    xlim = (-2.0, 2.0)
    ylim = (-2.0, 2.0)
    label = r"$f(x, y) = x^2 - y^2$"

    def _f(self, p):
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def _grad(self, p):
        return np.stack([2.0 * p[..., 0], -2.0 * p[..., 1]], axis=-1)


class GaussianValley(Landscape):
    r"""One symmetric valley shaped like an upside-down Gaussian.

    .. math::

        \begin{aligned}
        E(x) &= d\,\bigl(1 - e^{-x^2 / (2 w^2)}\bigr), \\
        E'(x) &= \frac{d\,x}{w^2}\, e^{-x^2/(2 w^2)}
        \end{aligned}

    The error is 0 at the bottom x = 0 and approaches ``depth`` far away,
    where the slope fades. The curvature at the bottom is
    :math:`E''(0) = d/w^2`: a constant learning rate above
    :math:`1/E''(0)` overshoots the bottom at every step, above
    :math:`2/E''(0)` it never settles (it bounces).

    Parameters
    ----------
    depth : float, default 1.0
        :math:`d > 0`.
    width : float, default 0.2
        :math:`w > 0` (with the defaults :math:`E''(0) = 25`).

    Notes
    -----
    See Chapter 2.
    """

    xlim = (-1.0, 1.0)
    minimum = np.array(0.0)

    def __init__(self, depth=1.0, width=0.2):
        self.depth = check_finite_number("GaussianValley", "depth", depth,
                                         low=0.0, low_open=True)
        self.width = check_finite_number("GaussianValley", "width", width,
                                         low=0.0, low_open=True)
        self.xlim = (-4.0 * self.width, 4.0 * self.width)

    @property
    def curvature(self) -> float:
        """:math:`E''(0) = d / w^2`."""
        return self.depth / self.width ** 2

    def _f(self, x):
        return self.depth * (1.0 - np.exp(-x ** 2 / (2 * self.width ** 2)))

    def _grad(self, x):
        w2 = self.width ** 2
        return self.depth * x / w2 * np.exp(-x ** 2 / (2 * w2))

    def __repr__(self):
        return f"GaussianValley(depth={self.depth:g}, width={self.width:g})"


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class PlateauCurve(Landscape):
    r"""A hill, then a nearly flat plateau, then a valley.

    .. math::

        \begin{aligned}
        E(x) &= h\,\sigma\!\Big(-\frac{x - c}{s}\Big) \\
        &\quad {}+ d\,\bigl(1 - e^{-(x - m)^2/(2w^2)}\bigr)
        \end{aligned}

    with :math:`\sigma` the logistic sigmoid, hill height h = 0.6 centred
    at c = −1.2 (steepness s = 0.15), and a valley of depth d = 0.4 at
    m = 1 (width w = 0.3). Between about −0.4 and 0 the error stays near
    0.4 and the slope below 0.02: a ball rolling off the hill without
    momentum (and with a decaying rate) stops there. The minimum, E = 0,
    is at x ≈ 1. See Chapter 2.
    """

    xlim = (-2.0, 2.0)
    minimum = np.array(1.0)
    height, centre, steepness = 0.6, -1.2, 0.15
    depth, valley, width = 0.4, 1.0, 0.3

    def _f(self, x):
        hill = self.height * _sigmoid(-(x - self.centre) / self.steepness)
        bowl = self.depth * (1.0 - np.exp(-(x - self.valley) ** 2
                                          / (2 * self.width ** 2)))
        return hill + bowl

    def _grad(self, x):
        s = _sigmoid(-(x - self.centre) / self.steepness)
        d_hill = -self.height * s * (1.0 - s) / self.steepness
        u = x - self.valley
        d_bowl = (self.depth * u / self.width ** 2
                  * np.exp(-u ** 2 / (2 * self.width ** 2)))
        return d_hill + d_bowl


class SplitPointError(Landscape):
    r"""The error of splitting points on a line into two classes at ``s``.

    Points left of the split are called class 0, the others class 1. The
    count of misclassified points, :meth:`count`, is a staircase with no
    useful gradient; the landscape itself is its smooth version, each step
    replaced by a sigmoid of width ``temperature`` :math:`\tau`:

    .. math::

        \begin{aligned}
        E(s) &= \sum_{i:\,t_i = 1} \sigma\!\Big(\frac{s - x_i}{\tau}\Big) \\
             &\quad {}+ \sum_{i:\,t_i = 0} \sigma\!\Big(\frac{x_i - s}{\tau}\Big)
        \end{aligned}

    Parameters
    ----------
    x : ndarray of shape (n,), optional
        Positions of the points; by default ``n`` points uniform in
        [−3, 3], labelled by their sign (class 1 for x >= 0).
    t : ndarray of shape (n,), optional
        0/1 labels of ``x`` (required with ``x``).
    n : int, default 20
        Number of generated points.
    temperature : float, default 0.3
        :math:`\tau > 0`; smaller follows the staircase more closely.
    rng : Generator, int or None
        Draws the generated points.

    Notes
    -----
    See Chapter 2.
    """

    xlim = (-3.0, 3.0)

    def __init__(self, x=None, t=None, n=20, temperature=0.3, rng=None):
        if x is None:
            n = check_int("SplitPointError", "n", n, low=1)
            x = np.sort(as_rng(rng).uniform(-3.0, 3.0, n))
            t = (x >= 0).astype(np.int64)
        elif t is None or np.shape(t) != np.shape(x) or np.ndim(x) != 1:
            raise error("SplitPointError", "t", "0/1 labels of the same "
                        "shape (n,) as x", f"{np.shape(t)} for x of shape "
                        f"{np.shape(x)}")
        self.x = np.asarray(x, dtype=float)
        self.t = np.asarray(t).astype(np.int64)
        self.temperature = check_finite_number(
            "SplitPointError", "temperature", temperature, low=0.0,
            low_open=True)

    def count(self, s) -> np.ndarray:
        """Number of misclassified points for split(s) ``s``."""
        s = np.asarray(s, dtype=float)[..., None]
        wrong = np.where(self.t == 1, self.x < s, self.x >= s)
        return wrong.sum(axis=-1)

    def _f(self, s):
        z = (s[..., None] - self.x) / self.temperature
        return np.where(self.t == 1, _sigmoid(z), _sigmoid(-z)).sum(axis=-1)

    def _grad(self, s):
        z = (s[..., None] - self.x) / self.temperature
        ds = _sigmoid(z) * (1.0 - _sigmoid(z)) / self.temperature
        return np.where(self.t == 1, ds, -ds).sum(axis=-1)

    def __repr__(self):
        return (f"SplitPointError(n={self.x.size}, "
                f"temperature={self.temperature:g})")


def trace_path(fn, optimizer, start, steps, noise=None, rng=None,
               schedule=None) -> np.ndarray:
    r"""Run an optimizer on a landscape; return every point it visits.

    The position lives in ``params = {"x": array}`` and is updated in place
    by ``optimizer.update(params, {"x": fn.gradient(x) + noise})``, exactly
    as a network's weights are.

    Parameters
    ----------
    fn : Landscape
        Anything with ``gradient(p)``.
    optimizer : optimizer
        A :mod:`course_lib.optim` optimizer (or a wrapper such as
        :class:`~course_lib.optim.GradientNoise`); it keeps its state, so
        pass a fresh one for each path.
    start : float or sequence of 2 floats
        The starting point.
    steps : int
        Number of updates (>= 0).
    noise : float, optional
        Standard deviation of Gaussian noise added to every gradient
        component (constant; for decaying noise wrap the optimizer in
        :class:`~course_lib.optim.GradientNoise`).
    rng : Generator, int or None
        Source of ``noise``.
    schedule : schedule, optional
        If given, ``optimizer.lr = schedule.lr_at(i)`` before update ``i``.

    Returns
    -------
    ndarray of shape (steps + 1,) for a curve, (steps + 1, 2) for a surface
        The start followed by the position after each update.

    Raises
    ------
    ValueError
        For a start of the wrong size, negative ``steps`` or ``noise``.
    """
    x = np.array(start, dtype=np.float64)
    want = () if getattr(fn, "dim", 1) == 1 else (2,)
    if x.shape != want:
        raise error("trace_path", "start", "a number" if not want else
                    "a point (x, y)", f"shape {x.shape}")
    steps = check_int("trace_path", "steps", steps, low=0)
    if noise is not None:
        noise = check_finite_number("trace_path", "noise", noise, low=0.0)
        gen = as_rng(rng)
    params = {"x": x}
    path = np.empty((steps + 1,) + x.shape)
    path[0] = x
    for i in range(steps):
        if schedule is not None:
            optimizer.lr = schedule.lr_at(i)
        g = np.asarray(fn.gradient(x), dtype=np.float64)
        if noise:
            g = g + noise * gen.standard_normal(g.shape)
        optimizer.update(params, {"x": g})
        path[i + 1] = x
    return path
