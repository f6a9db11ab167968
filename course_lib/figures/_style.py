"""The book's look: matplotlib defaults, the colour cycle and panel grids.

Every figure module draws with :data:`COLORS` and makes its grids of small
panels with :func:`panel_grid`, so that a change of look happens here once.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

__all__ = ["COLORS", "panel_grid", "style"]

#: The colour cycle of every figure (matplotlib's tab10, reordered so that
#: the first two colours, blue and red, contrast best).
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
          "#8c564b", "#e377c2", "#17becf"]


def style() -> None:
    """The book's matplotlib defaults (size, grid, fonts)."""
    plt.rcParams.update({
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 100,
        "savefig.dpi": 110,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 10,
        "legend.frameon": False,
        "axes.prop_cycle": plt.cycler(color=COLORS),
    })


def panel_grid(n, ncols, size, extra_height=0.0, **subplots_kw):
    """A figure with a grid of ``n`` panels, ``ncols`` per row.

    Each panel is ``size = (width, height)`` inches; ``extra_height``
    inches are added for a title or legend above the grid. Further keywords
    go to :func:`matplotlib.pyplot.subplots` (``sharex``, ``sharey``,
    ``dpi``, ...). The last row may have more axes than panels; the caller
    decides how to hide them.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : ndarray of Axes
        Flattened, row by row (always 1-D, even for a single panel).
    """
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False,
                             figsize=(size[0] * ncols,
                                      size[1] * nrows + extra_height),
                             **subplots_kw)
    return fig, axes.reshape(-1)


def _axes(ax, figsize=None):
    """``ax``, or the axes of a new figure of ``figsize`` when it is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _label(ax, xlabel, ylabel, title=None, legend=True, grid=True):
    """Axis labels, an optional title and the legend: every plot's end.

    ``grid=False`` turns the style's grid off (maps and fields, where it
    would cross the picture).
    """
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if not grid:
        ax.grid(False)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend()
