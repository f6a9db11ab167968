"""Figures for the book. These functions only draw; they never train."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_activation_functions",
    "plot_curves",
    "plot_decision_boundary",
    "plot_history",
    "style",
]

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


def _axes(ax, figsize=None):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_history(history, metrics=("loss", "acc"), title=None, axes=None):
    """Training (dashed) and validation (solid) curves of a :class:`History`.

    One panel per metric in ``metrics`` (``"loss"`` and/or ``"acc"``).
    Returns the axes.
    """
    if axes is None:
        _, axes = plt.subplots(1, len(metrics),
                               figsize=(5.2 * len(metrics), 3.6))
    axes = np.atleast_1d(axes)
    labels = {"loss": "loss", "acc": "accuracy"}
    for ax, metric in zip(axes, metrics):
        train = getattr(history, f"train_{metric}")
        val = getattr(history, f"val_{metric}")
        ax.plot(history.epochs, train, "--", label="train")
        if val:
            ax.plot(history.epochs, val, "-", label="validation / test")
        ax.set_xlabel("epoch")
        ax.set_ylabel(labels.get(metric, metric))
        ax.legend()
    if title:
        axes[0].figure.suptitle(title)
    axes[0].figure.tight_layout()
    return axes


def plot_curves(curves: dict, xlabel="epoch", ylabel="loss", ax=None,
                logy=False, smooth=1, title=None, styles=None):
    """Several named 1-D curves on one axes; ``smooth`` is a moving-average window."""
    ax = _axes(ax)
    for name, y in curves.items():
        y = np.asarray(y, dtype=float)
        x = np.arange(1, y.size + 1)
        if smooth > 1 and y.size >= smooth:
            y = np.convolve(y, np.ones(smooth) / smooth, mode="valid")
            x = x[smooth - 1:]
        kw = (styles or {}).get(name, {})
        ax.plot(x, y, label=name, **kw)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return ax


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


def plot_decision_boundary(predict, x, t, ax=None, resolution=200,
                           padding=0.5, title=None):
    """Colour the plane by ``predict(points)`` (labels) and scatter ``(x, t)``."""
    ax = _axes(ax, figsize=(4.2, 3.8))
    lo = x.min(axis=0) - padding
    hi = x.max(axis=0) + padding
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    z = np.asarray(predict(grid)).reshape(gx.shape)
    ax.contourf(gx, gy, z, levels=np.arange(z.max() + 2) - 0.5,
                cmap="coolwarm", alpha=0.25)
    ax.scatter(x[:, 0], x[:, 1], c=t, cmap="coolwarm", edgecolor="k",
               linewidth=0.5, s=28)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax
