"""Hyperparameter-search figures: the best trials' curves, trials over two
hyperparameters and histograms of sampled values (Chapter 7)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..search import best_trials
from ._style import COLORS, panel_grid

__all__ = ["plot_best_curves", "plot_search_scatter", "plot_value_histograms"]


def _short(value) -> str:
    if isinstance(value, float):
        small = value and abs(value) < 1e-2
        return f"{value:.2e}" if small else f"{value:.3g}"
    return str(value)


def plot_best_curves(trials, k=10, metric="val_acc", mode="max",
                     curve="acc", ncols=5, names=None, size=(2.3, 1.9),
                     ylim=(0.0, 1.0), suptitle=None):
    """A grid of the ``k`` best trials' learning curves, best first.

    Each panel shows ``val_<curve>`` (solid) and ``train_<curve>`` (dashed)
    of one :class:`~course_lib.search.Trial` over epochs, titled
    ``Best-r`` with its final ``metric`` and its hyperparameters (those in
    ``names``, default all). Returns the axes (flattened).
    """
    best = best_trials(trials, k, metric, mode)
    n = len(best)
    ncols = min(ncols, n)
    fig, axes = panel_grid(n, ncols, size, 0.5, sharex=True, sharey=True)
    for ax in axes[n:]:
        ax.axis("off")
    for rank, (ax, trial) in enumerate(zip(axes, best, strict=False), 1):
        val = trial.curves.get(f"val_{curve}", [])
        train = trial.curves.get(f"train_{curve}", [])
        epochs = np.arange(1, max(len(val), len(train)) + 1)
        if train:
            ax.plot(epochs[:len(train)], train, "--", color=COLORS[1],
                    linewidth=1.1, label="train")
        if val:
            ax.plot(epochs[:len(val)], val, "-", color=COLORS[0],
                    linewidth=1.4, label="validation")
        shown = names if names is not None else list(trial.config)
        params = ", ".join(f"{nm} {_short(trial.config[nm])}"
                           for nm in shown if nm in trial.config)
        ax.set_title(f"Best-{rank} ({metric} {trial.score(metric):.2f})\n"
                     f"{params}", fontsize=7.5)
        if ylim is not None:
            ax.set_ylim(*ylim)
        ax.tick_params(labelsize=7.5)
    for ax in axes[len(axes) - ncols:n]:
        ax.set_xlabel("epoch", fontsize=8)
    for ax in axes[::ncols]:
        ax.set_ylabel({"acc": "accuracy"}.get(curve, curve), fontsize=8)
    axes[0].legend(fontsize=7, loc="lower right")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return axes


def plot_search_scatter(trials, x, y, metric="val_acc", ax=None, logx=True,
                        logy=True, top_k=5, mode="max", box=None,
                        vmin=None, vmax=None, marker="o", label=None,
                        colorbar=True, cmap="viridis"):
    """Trials as points over two hyperparameters, coloured by ``metric``.

    ``x`` and ``y`` name hyperparameters of the trials' configs (log axes
    by default). The ``top_k`` best trials are ringed in red. ``box``, a
    :class:`~course_lib.search.SearchSpace` (e.g. from
    :func:`~course_lib.search.narrow`), is drawn as a dashed rectangle.
    Pass the same ``vmin``/``vmax`` (and ``colorbar=False``) to overlay a
    second round on the same axes with another ``marker``. Returns the axes.
    """
    trials = list(trials)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 4.4))
    xs = np.array([t.config[x] for t in trials], dtype=float)
    ys = np.array([t.config[y] for t in trials], dtype=float)
    cs = np.array([t.score(metric) for t in trials], dtype=float)
    ok = np.isfinite(cs)
    points = ax.scatter(xs[ok], ys[ok], c=cs[ok], cmap=cmap, vmin=vmin,
                        vmax=vmax, s=30, marker=marker, edgecolor="0.25",
                        linewidth=0.4, label=label)
    if (~ok).any():
        ax.scatter(xs[~ok], ys[~ok], marker="x", color="0.5", s=24,
                   label="diverged")
    if top_k:
        best = best_trials(trials, top_k, metric, mode)
        ax.scatter([t.config[x] for t in best], [t.config[y] for t in best],
                   s=120, facecolors="none", edgecolors=COLORS[1],
                   linewidth=1.5, marker=marker,
                   label=f"best {len(best)}" + (f" ({label})" if label
                                                  else ""))
    if box is not None:
        from matplotlib.patches import Rectangle

        x0, x1 = box[x].low, box[x].high
        y0, y1 = box[y].low, box[y].high
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False,
                               linestyle="--", edgecolor="0.2",
                               linewidth=1.2, label="narrowed range"))
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if colorbar:
        ax.figure.colorbar(points, ax=ax, label=metric)
    ax.legend(loc="best", fontsize=8)
    return ax


def plot_value_histograms(samples: dict, bins=30, logx=False, axes=None,
                          xlabel="value", ylabel="share of values",
                          title=None, sharey=True):
    """One histogram per entry of ``samples`` (``name -> 1-D values``).

    Bars show the share of the values in each bin (they add up to 1).
    ``logx`` spaces the bins evenly in log10 and draws a log axis (the
    values must be positive). Returns the axes.
    """
    n = len(samples)
    if axes is None:
        _, axes = panel_grid(n, n, (4.2, 3.2), sharey=sharey)
    axes = np.asarray(axes).reshape(-1)
    for i, (ax, (name, values)) in enumerate(zip(axes, samples.items(), strict=False)):
        v = np.ravel(np.asarray(values, dtype=float))
        edges = (np.logspace(np.log10(v.min()), np.log10(v.max()), bins + 1)
                 if logx else bins)
        ax.hist(v, bins=edges, weights=np.full(v.size, 1.0 / v.size),
                color=COLORS[i % len(COLORS)], edgecolor="white",
                linewidth=0.5)
        if logx:
            ax.set_xscale("log")
        ax.set_title(name)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel(ylabel)
    if title:
        axes[0].figure.suptitle(title)
    axes[0].figure.tight_layout()
    return axes
