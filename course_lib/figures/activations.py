"""Activation figures: activation functions, per-layer activation
histograms and weight histograms (Chapters 1, 3 and 5).

The histogram of one layer (its range, the ReLU zeros left out, the μ and
σ printed on the panel, the head-room above the bars) is defined here once;
the Chapter 3 explorer (:mod:`course_lib.figures.explorer`) redraws these
same panels for each of its views.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..diagnostics import ACTIVATION_RANGES
from ._style import COLORS, panel_grid

__all__ = ["plot_activation_functions", "plot_activation_histograms",
           "plot_weight_histograms"]

#: Upper end of the histogram of an activation without an upper asymptote
#: (ReLU), whose outputs start at 0: most of them fall below it.
UNBOUNDED_UPPER = 2.0


def _histogram_range(activation):
    """(low, high) of an activation's histogram, or None if unknown.

    A bounded activation is shown between its asymptotes
    (:data:`course_lib.diagnostics.ACTIVATION_RANGES`); ReLU on
    (0, :data:`UNBOUNDED_UPPER`).
    """
    if activation not in ACTIVATION_RANGES:
        return None
    bounds = ACTIVATION_RANGES[activation]
    return (0.0, UNBOUNDED_UPPER) if bounds is None else bounds


def _shown_values(a, drop_zeros):
    """The values a layer's histogram draws: ``a`` without exact zeros
    when ``drop_zeros`` (ReLU's zeros would dwarf every other bin)."""
    return a[a != 0] if drop_zeros else a


def _stats_text(a, drop_zeros) -> str:
    """μ and σ of all of ``a`` (zeros included), and the share of zeros."""
    lines = [f"μ = {float(np.mean(a)):.3g}", f"σ = {float(np.std(a)):.3g}"]
    if drop_zeros:
        lines.append(f"zeros {np.mean(a == 0):.0%}")
    return "\n".join(lines)


def _headroom(drop_zeros) -> float:
    """Top of the y axis over the tallest bar: room for the statistics."""
    return 1.6 if drop_zeros else 1.45


def _layer_panels(axes, n, ncols, ylabel, xlabel=None, title_size=9,
                  tick_size=7.5, label_size=8):
    """Title, ticks and labels of a grid of per-layer panels.

    Panel ``i < n`` is titled ``layer i+1``; the first column gets
    ``ylabel``, the last row ``xlabel``; panels beyond ``n`` are hidden.
    Sizes are in points.
    """
    for i, ax in enumerate(axes):
        if i >= n:
            ax.set_visible(False)
            continue
        ax.set_title(f"layer {i + 1}", fontsize=title_size)
        ax.tick_params(labelsize=tick_size)
        ax.grid(False)
        if i % ncols == 0:
            ax.set_ylabel(ylabel, fontsize=label_size)
        if xlabel and i >= n - ncols:
            ax.set_xlabel(xlabel, fontsize=label_size)


def plot_activation_functions(functions: dict, x=None, axes=None):
    """Each activation (left) and its derivative (right).

    ``functions`` maps a name to ``(f, df)``, two callables on arrays.
    """
    x = np.linspace(-5, 5, 401) if x is None else x
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for name, (f, df) in functions.items():
        axes[0].plot(x, f(x), label=name)
        axes[1].plot(x, df(x), label=name)
    axes[0].set_title("activation f(x)")
    axes[1].set_title("derivative f'(x)")
    for ax in axes:
        ax.set_xlabel("x")
        ax.legend()
    axes[0].figure.tight_layout()
    return axes


def plot_activation_histograms(acts, activation=None, bins=30,
                               value_range=None, ncols=5, size=(1.9, 1.75),
                               title=None, xlabel=None, drop_zeros=None,
                               stats=True, color=None, sharey=True,
                               axes=None):
    """One histogram per layer of the activations ``acts``, in a row.

    Parameters
    ----------
    acts : sequence of ndarray
        One array per layer (e.g. from
        :func:`course_lib.diagnostics.forward_activations`); all values of a
        layer go into its histogram.
    activation : {"sigmoid", "tanh", "relu"}, optional
        Chooses the default range ((0, 1), (−1, 1), (0, 2)); taken from
        ``acts.activation`` when available.
    bins : int, default 30
    value_range : (float, float), optional
        Overrides the range; values outside it are not drawn.
    ncols : int, default 5
        Panels per row; more layers wrap onto further rows.
    size : (float, float)
        Inches per panel.
    title : str, optional
        Figure title.
    xlabel : str, optional
        Label under the panels of the last row.
    drop_zeros : bool, optional
        Leave exact zeros out (default: True for ReLU, whose zeros would
        dwarf every other bin); the panel then states their share.
    stats : bool, default True
        Print the layer's mean μ and standard deviation σ (of all values,
        zeros included) on its panel.
    color : str, optional
    sharey : bool, default True
        One count scale for all panels, so their bars compare: on a fixed
        ``value_range``, a layer whose values shrink towards 0 falls into
        fewer bins and draws taller bars.
    axes : array of Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    activation = activation or getattr(acts, "activation", None)
    acts = list(acts)
    n = len(acts)
    if value_range is None:
        value_range = _histogram_range(activation)
    if drop_zeros is None:
        drop_zeros = activation == "relu"
    if axes is None:
        ncol = min(ncols, n)
        fig, flat = panel_grid(n, ncol, size, sharey=sharey)
    else:
        fig = np.ravel(axes)[0].figure
        flat = np.ravel(axes)
        ncol = np.shape(axes)[-1] if np.ndim(axes) == 2 else len(flat)
    _layer_panels(flat, n, ncol, "count", xlabel)
    color = color or COLORS[0]
    top = 0.0
    for ax, a in zip(flat, acts, strict=False):
        a = np.ravel(np.asarray(a, dtype=np.float64))
        lo, hi = (value_range if value_range is not None
                  else (float(a.min()), float(a.max()) or 1.0))
        counts, _, _ = ax.hist(_shown_values(a, drop_zeros), bins=bins,
                               range=(lo, hi), color=color,
                               edgecolor="white", linewidth=0.3)
        top = max(top, float(np.max(counts)) if counts.size else 0.0)
        ax.set_xlim(lo, hi)
        if stats:
            ax.text(0.97, 0.97, _stats_text(a, drop_zeros),
                    transform=ax.transAxes, ha="right", va="top",
                    fontsize=7.5, linespacing=1.1)
    if stats and sharey and top > 0:
        # head-room above the tallest bar keeps the numbers off the bars
        for ax in flat[:n]:
            ax.set_ylim(0, top * _headroom(drop_zeros))
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_weight_histograms(weights: dict, bins=41, ncols=None, axes=None,
                           title=None, size=(3.0, 2.5), limit=None,
                           logy=False):
    """Histograms of weight arrays, one panel each, on shared bins.

    ``weights`` maps a panel title to an array (flattened). All panels use
    the same symmetric bins (up to ``limit``, default the largest :math:`|w|`), so
    their spreads can be compared; each panel states the standard
    deviation and the largest :math:`|w|`. ``logy`` draws counts on a log scale,
    which makes the tails visible. Returns the axes (flattened).
    """
    arrays = {k: np.ravel(np.asarray(v, dtype=float))
              for k, v in weights.items()}
    n = len(arrays)
    ncols = min(n, 4) if ncols is None else ncols
    if axes is None:
        _, axes = panel_grid(n, ncols, size, 0.4, sharex=True)
    axes = np.asarray(axes).reshape(-1)
    top = limit if limit is not None else max(
        (np.abs(v).max() for v in arrays.values() if v.size), default=1.0)
    edges = np.linspace(-top, top, bins + 1)
    for i, ax in enumerate(axes):
        if i >= n:
            ax.axis("off")
            continue
        name, v = list(arrays.items())[i]
        ax.hist(np.clip(v, -top, top), bins=edges,
                color=COLORS[i % len(COLORS)], edgecolor="white",
                linewidth=0.4)
        if logy:
            ax.set_yscale("log")
        ax.set_title(name, fontsize=9.5)
        ax.text(0.97, 0.95, f"std {v.std():.3f}\nmax |w| {np.abs(v).max():.2f}",
                transform=ax.transAxes, ha="right", va="top", fontsize=8)
        ax.set_xlabel("weight")
    for ax in axes[::ncols]:
        ax.set_ylabel("count")
    if title:
        axes[0].figure.suptitle(title)
    axes[0].figure.tight_layout()
    return axes
