"""Training figures: learning curves, decision boundaries, early stopping,
grouped bars and parity plots (Chapters 1, 2, 4 and 5)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._style import COLORS, _axes, _label

__all__ = ["plot_curves", "plot_decision_boundary", "plot_early_stopping",
           "plot_grouped_bars", "plot_history", "plot_parity"]


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
    for ax, metric in zip(axes, metrics, strict=False):
        train = getattr(history, f"train_{metric}")
        val = getattr(history, f"val_{metric}")
        ax.plot(history.epochs, train, "--", label="train")
        if val:
            ax.plot(history.epochs, val, "-", label="validation")
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
    _label(ax, xlabel, ylabel, title)
    return ax


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
    _label(ax, "$x_1$", "$x_2$", title, legend=False, grid=False)
    return ax


def plot_early_stopping(history, stops: dict, metric="loss", ax=None,
                        title=None, logy=False, ylim=None, legend=True):
    """Training (dashed) and validation (solid) ``metric`` with stop marks.

    ``stops`` maps a label (e.g. ``"patience 10"``) to ``(stopped_epoch,
    best_epoch)``: a dotted vertical line where training stopped and a dot
    on the validation curve at the epoch whose weights were kept (earlier
    entries get larger dots, so that equal epochs stay visible). ``ylim``
    zooms in, e.g. on the bottom of the validation curve. Returns the axes.
    """
    ax = _axes(ax, figsize=(7.0, 3.8))
    epochs = np.asarray(history.epochs)
    val = np.asarray(getattr(history, f"val_{metric}"), dtype=float)
    ax.plot(epochs, getattr(history, f"train_{metric}"), "--",
            color="0.45", linewidth=1.1, label="training")
    ax.plot(epochs, val, "-", color=COLORS[0], linewidth=1.4,
            label="validation")
    for i, (label, (stopped, best)) in enumerate(stops.items(), 1):
        c = COLORS[i % len(COLORS)]
        if stopped is not None:
            ax.axvline(stopped, color=c, linestyle=":", linewidth=1.3)
        j = int(np.searchsorted(epochs, best))
        ax.plot(best, val[j], "o", color=c,
                markersize=5 + 2.5 * (len(stops) - i),
                label=f"{label}: keeps epoch {best}"
                + (f", stops after {stopped}" if stopped else ""))
    if logy:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize=8.5)
    return ax


def plot_grouped_bars(values: dict, ylabel="accuracy", ax=None, ylim=None,
                      fmt="{:.3f}", title=None):
    """Grouped bars: ``values[group][series] -> number``, labelled on top.

    Groups go along the x-axis; each series keeps its colour in every
    group. Returns the axes.
    """
    groups = list(values)
    series = list(dict.fromkeys(s for g in groups for s in values[g]))
    ax = _axes(ax, figsize=(1.6 + 1.5 * len(groups), 3.6))
    width = 0.8 / len(series)
    for i, s in enumerate(series):
        xs = np.arange(len(groups)) + (i - (len(series) - 1) / 2) * width
        ys = [values[g].get(s, np.nan) for g in groups]
        bars = ax.bar(xs, ys, width=width * 0.95, label=s,
                      color=COLORS[i % len(COLORS)])
        for b, y in zip(bars, ys, strict=True):
            if np.isfinite(y):
                ax.text(b.get_x() + b.get_width() / 2, y, fmt.format(y),
                        ha="center", va="bottom", fontsize=7.5)
    ax.set_xticks(np.arange(len(groups)), groups)
    ax.set_ylabel(ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.grid(axis="x", visible=False)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8.5, loc="upper center", ncol=len(series))
    return ax


def plot_parity(reference, estimates: dict, ax=None, xlabel="reference",
                ylabel="estimate", title=None):
    """Scatter estimates against a reference, with the line y = x.

    ``estimates`` maps a label to an array of the shape of ``reference``;
    points on the diagonal agree. Returns the axes.
    """
    ax = _axes(ax, figsize=(4.2, 4.0))
    ref = np.ravel(np.asarray(reference, dtype=float))
    lo, hi = ref.min(), ref.max()
    for i, (label, est) in enumerate(estimates.items()):
        est = np.ravel(np.asarray(est, dtype=float))
        lo, hi = min(lo, est.min()), max(hi, est.max())
        ax.plot(ref, est, "o", markersize=4, alpha=0.7,
                color=COLORS[i % len(COLORS)], label=label)
    pad = 0.05 * (hi - lo or 1.0)
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], "-", color="0.5",
            linewidth=0.8, label="y = x")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8.5)
    return ax
