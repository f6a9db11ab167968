"""Batch-normalization figures: the computational graph, a grid of small
learning curves and log–log scaling laws (Chapter 4)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._style import COLORS, _axes, _label, panel_grid

__all__ = ["plot_batchnorm_graph", "plot_curve_grid", "plot_loglog"]


def plot_batchnorm_graph(ax=None, title="forward: left to right; backward: "
                         "right to left, node 9 down to node 1"):
    """The computational graph of batch normalization, nodes numbered 1–9.

    The numbers match the stages of
    :func:`course_lib.layers.normalization.batchnorm_backward_staged`.
    Returns the axes.
    """
    ax = _axes(ax, figsize=(10.5, 3.4))
    nodes = {   # name: (x, y, label)
        "x": (0.0, 1.0, r"$x$"),
        "1": (1.4, 2.0, "1\n" + r"mean $\mu$"),
        "2": (2.8, 1.0, "2\n" + r"$x_c = x-\mu$"),
        "3": (4.2, 2.0, "3\n" + r"$s = x_c^2$"),
        "4": (5.6, 2.0, "4\n" + r"mean $\sigma^2$"),
        "5": (7.0, 2.0, "5\n" + r"$\sqrt{\sigma^2+\epsilon}$"),
        "6": (8.4, 2.0, "6\n" + r"$r = 1/\sigma$"),
        "7": (8.4, 0.0, "7\n" + r"$\hat x = x_c\, r$"),
        "8": (9.8, 0.0, "8\n" + r"$z = \gamma\hat x$"),
        "9": (11.2, 0.0, "9\n" + r"$y = z+\beta$"),
        "y": (12.4, 0.0, r"$y$"),
        "gamma": (9.8, 1.1, r"$\gamma$"),
        "beta": (11.2, 1.1, r"$\beta$"),
    }
    edges = [("x", "1"), ("x", "2"), ("1", "2"), ("2", "3"), ("3", "4"),
             ("4", "5"), ("5", "6"), ("6", "7"), ("2", "7"), ("7", "8"),
             ("8", "9"), ("9", "y"), ("gamma", "8"), ("beta", "9")]
    boxes = {}
    for name, (x, y, label) in nodes.items():
        op = name.isdigit()
        boxes[name] = ax.text(
            x, y, label, ha="center", va="center", fontsize=9,
            bbox=dict(boxstyle="round,pad=0.35",
                      fc="#e8f0fa" if op else "white",
                      ec=COLORS[0] if op else "0.5"))
    for a, b in edges:
        # the arrow runs between the two boxes' borders
        ax.annotate("", xy=(0.5, 0.5), xycoords=boxes[b], xytext=(0.5, 0.5),
                    textcoords=boxes[a],
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.1,
                                    patchA=boxes[a].get_bbox_patch(),
                                    patchB=boxes[b].get_bbox_patch(),
                                    shrinkA=1, shrinkB=1))
    ax.set_xlim(-0.6, 13.0)
    ax.set_ylim(-0.7, 2.7)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def plot_curve_grid(titles, solid, dashed=None, ncols=4, size=(2.3, 1.75),
                    labels=("solid", "dashed"), ylabel="accuracy",
                    xlabel="epoch", ylim=(0.0, 1.02), suptitle=None):
    """A grid of small panels, each with a solid and an optional dashed curve.

    ``titles``, ``solid`` and ``dashed`` are sequences of equal length (one
    entry per panel; a curve is a 1-D sequence over epochs 1, 2, …).
    ``labels`` names the two line styles in a legend above the grid.
    Returns the figure.
    """
    n = len(titles)
    fig, axes = panel_grid(n, ncols, size, sharex=True, sharey=True)
    for i, ax in enumerate(axes):
        if i >= n:
            ax.set_visible(False)
            continue
        y = np.asarray(solid[i], dtype=float)
        ax.plot(np.arange(1, y.size + 1), y, "-", color=COLORS[0], lw=1.6)
        if dashed is not None:
            y = np.asarray(dashed[i], dtype=float)
            ax.plot(np.arange(1, y.size + 1), y, "--", color=COLORS[1],
                    lw=1.4)
        ax.set_title(titles[i], fontsize=9)
        if ylim is not None:
            ax.set_ylim(*ylim)
        if i % ncols == 0:
            ax.set_ylabel(ylabel, fontsize=9)
        if i >= n - ncols:
            ax.set_xlabel(xlabel, fontsize=9)
        ax.tick_params(labelsize=8)
    handles = [plt.Line2D([], [], color=COLORS[0], ls="-", lw=1.6)]
    if dashed is not None:
        handles.append(plt.Line2D([], [], color=COLORS[1], ls="--", lw=1.4))
    fig.legend(handles, labels[:len(handles)], loc="upper center",
               ncol=len(handles), bbox_to_anchor=(0.5, 1.0))
    if suptitle:
        fig.suptitle(suptitle, y=1.04)
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return fig


def plot_loglog(x, curves: dict, ax=None, xlabel="x", ylabel="y",
                title=None, guide=None, styles=None):
    r"""Named curves over the same ``x`` on log–log axes.

    ``guide=(power, y0)`` adds a grey reference line :math:`y_0
    (x/x_0)^{power}` through the first point (e.g. ``(-0.5, ...)`` for a
    :math:`1/\sqrt{b}` law). Returns the axes.
    """
    ax = _axes(ax)
    x = np.asarray(x, dtype=float)
    for name, y in curves.items():
        kw = {"marker": "o", "ms": 4}
        kw.update((styles or {}).get(name, {}))
        ax.plot(x, np.asarray(y, dtype=float), label=name, **kw)
    if guide is not None:
        power, y0 = guide
        ax.plot(x, y0 * (x / x[0]) ** power, color="0.6", lw=1, ls=":",
                label=f"slope {power:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    _label(ax, xlabel, ylabel, title)
    return ax
