"""Optimizers on toy landscapes: contours with paths, the numbered steps of
a 1-D walk and the gradient field (Chapter 2; surfaces in
:mod:`course_lib.landscapes`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._style import COLORS, _axes, _label

__all__ = ["plot_contour_paths", "plot_curve_steps", "plot_gradient_field"]


def _contour_levels(Z, n):
    # Levels evenly spaced in the square root of the height above the
    # lowest value: round bowls get evenly spaced rings.
    lo, hi = float(Z.min()), float(Z.max())
    return lo + (hi - lo) * np.linspace(0.0, 1.0, n + 2)[1:-1] ** 2


def _frame_surface(ax, fn, title) -> None:
    """The frame of a 2-D surface plot: the minimum (a black cross, if
    known), the landscape's window, x/y labels, no grid, the title."""
    if getattr(fn, "minimum", None) is not None:
        ax.plot(*fn.minimum, "x", color="k", ms=8, mew=2)
    ax.set_xlim(fn.xlim)
    ax.set_ylim(fn.ylim)
    _label(ax, "x", "y", title, legend=False, grid=False)


def plot_contour_paths(fn, paths: dict, ax=None, levels=14, title=None,
                       legend=True, markersize=3.0):
    """Contours of a surface ``fn`` with optimizer paths drawn on top.

    ``fn`` is a 2-D :class:`~course_lib.landscapes.Landscape`; ``paths``
    maps a label to an array of points (steps + 1, 2), such as
    :func:`~course_lib.landscapes.trace_path` returns. The start is a
    square, the minimum (if known) a black cross. Returns the axes.
    """
    ax = _axes(ax, figsize=(5.6, 3.4))
    X, Y, Z = fn.grid(201)
    if isinstance(levels, int):
        levels = _contour_levels(Z, levels)
    ax.contour(X, Y, Z, levels=levels, colors="0.65", linewidths=0.7,
               linestyles="solid")
    for i, (name, path) in enumerate(paths.items()):
        path = np.asarray(path)
        color = COLORS[i % len(COLORS)]
        ax.plot(path[:, 0], path[:, 1], "o-", color=color, ms=markersize,
                lw=1.1, label=name)
        ax.plot(path[0, 0], path[0, 1], "s", color=color, ms=6)
    _frame_surface(ax, fn, title)
    if legend and paths:
        ax.legend(loc="upper right", fontsize=8)
    return ax


def plot_curve_steps(fn, path, axes=None, title=None, numbers=True,
                     xlim=None):
    """A 1-D error curve with the numbered points of an optimizer's walk.

    Left panel: the curve and each visited point, coloured from dark
    (start) to light (last step), joined by thin lines. Right panel (when
    ``axes`` has two axes, the default): the error of each point against
    the step number. ``xlim`` defaults to the landscape's window, widened
    to show every point. Returns the axes.
    """
    created = axes is None
    if created:
        _, axes = plt.subplots(1, 2, figsize=(9.0, 3.0),
                               gridspec_kw={"width_ratios": [1.6, 1]})
    axes = np.atleast_1d(axes)
    path = np.asarray(path, dtype=float)
    lo, hi = fn.xlim if xlim is None else xlim
    if xlim is None:
        span = hi - lo
        lo = min(lo, path.min() - 0.05 * span)
        hi = max(hi, path.max() + 0.05 * span)
    xs = np.linspace(lo, hi, 600)
    ax = axes[0]
    ax.plot(xs, fn(xs), color="0.3", lw=1.4)
    err = fn(path)
    colors = plt.cm.viridis(np.linspace(0.0, 0.9, path.size))
    ax.plot(path, err, "-", color="0.6", lw=0.7, zorder=2)
    ax.scatter(path, err, c=colors, s=28, zorder=3, edgecolor="k",
               linewidth=0.4)
    if numbers:
        # number a point only where no earlier number sits nearby, so a
        # walk bouncing between two spots stays readable
        placed = []
        for k, (px, py) in enumerate(zip(path, err, strict=True)):
            if all(abs(px - qx) > 0.03 * (hi - lo) for qx in placed):
                ax.annotate(str(k), (px, py), textcoords="offset points",
                            xytext=(0, 6), ha="center", fontsize=7)
                placed.append(px)
    ax.set_xlim(lo, hi)
    ax.set_ylim(top=ax.get_ylim()[1] + 0.08 * np.ptp(ax.get_ylim()))
    ax.set_xlabel("weight x")
    ax.set_ylabel("error E(x)")
    if title:
        ax.set_title(title)
    if len(axes) > 1:
        steps = np.arange(path.size)
        axes[1].plot(steps, err, "-", color="0.6", lw=0.8)
        axes[1].scatter(steps, err, c=colors, s=22, edgecolor="k",
                        linewidth=0.4, zorder=3)
        axes[1].set_xlabel("step")
        axes[1].set_ylabel("error")
        axes[1].set_ylim(bottom=min(0.0, float(err.min())))
    if created:
        axes[0].figure.tight_layout()
    return axes


def plot_gradient_field(fn, ax=None, n=17, title=None):
    """Arrows of the negative gradient of a surface over faint contours.

    Each arrow points downhill and its length is proportional to the
    slope, so the field shows at a glance where a gradient step would go.
    Returns the axes.
    """
    ax = _axes(ax, figsize=(5.6, 3.4))
    X, Y, Z = fn.grid(201)
    ax.contour(X, Y, Z, levels=_contour_levels(Z, 10), colors="0.8",
               linewidths=0.6, linestyles="solid")
    gx, gy = np.meshgrid(np.linspace(*fn.xlim, n), np.linspace(*fn.ylim, n))
    g = fn.gradient(np.stack([gx, gy], axis=-1))
    # longest arrow = 90 % of the grid spacing (in data units), centred on
    # its grid point, so neighbouring arrows never overlap
    dx = (fn.xlim[1] - fn.xlim[0]) / (n - 1)
    dy = (fn.ylim[1] - fn.ylim[0]) / (n - 1)
    longest = max(float(np.max(np.abs(g[..., 0]))) / dx,
                  float(np.max(np.abs(g[..., 1]))) / dy, 1e-12)
    ax.quiver(gx, gy, -g[..., 0], -g[..., 1], color=COLORS[0],
              angles="xy", scale_units="xy", scale=longest / 0.9,
              pivot="mid", width=0.004)
    _frame_surface(ax, fn, title)
    return ax
