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


def _label(ax, xlabel, ylabel, title=None, legend=True):
    """Axis labels, an optional title and the legend: every line plot's end."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend()


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
    _label(ax, xlabel, ylabel, title)
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


# ---------------------------------------------------------------------------
# Chapter 6: signals, images, filters and feature maps
# ---------------------------------------------------------------------------

__all__ += ["plot_feature_maps", "plot_filters", "plot_images",
            "plot_signals"]


def plot_signals(panels: dict, axes=None, title=None, xlabel="n"):
    """Discrete signals, one panel per entry of ``panels`` (stacked rows).

    ``panels`` maps a panel title to a 1-D array (drawn as a stem plot) or
    to a dict ``label -> 1-D array`` (overlaid: the first as stems, the
    others as markers, with a legend). Returns the axes.
    """
    if axes is None:
        _, axes = plt.subplots(len(panels), 1, sharex=True,
                               figsize=(7.2, 1.7 * len(panels) + 0.4))
    axes = np.atleast_1d(axes)
    for ax, (name, value) in zip(axes, panels.items(), strict=True):
        curves = value if isinstance(value, dict) else {None: value}
        for i, (label, y) in enumerate(curves.items()):
            y = np.asarray(y, dtype=float)
            n = np.arange(y.size)
            if i == 0:
                markers, stems, base = ax.stem(n, y, basefmt=" ",
                                               label=label)
                plt.setp(stems, linewidth=1.0, color=COLORS[0])
                plt.setp(markers, markersize=3.5, color=COLORS[0])
            else:
                ax.plot(n, y, "x", color=COLORS[i % len(COLORS)],
                        markersize=5, label=label)
        ax.axhline(0, color="0.6", linewidth=0.6)
        ax.set_title(name, fontsize=10, loc="left")
        if len(curves) > 1:
            ax.legend(loc="upper right")
    axes[-1].set_xlabel(xlabel)
    if title:
        axes[0].figure.suptitle(title)
    axes[0].figure.tight_layout()
    return axes


def plot_images(images, titles=None, ncols=None, cmap="gray",
                symmetric=False, shared_scale=False, size=2.2,
                suptitle=None, axes=None, colorbar=False,
                clip_percentile=None):
    """A grid of images: 2-D arrays (with ``cmap``) or (H, W, 3) RGB in [0, 1].

    ``symmetric`` centres the colour scale on zero (for signed maps such as
    edge responses or kernels; pair it with a diverging ``cmap`` like
    ``"RdBu_r"``); ``shared_scale`` uses one scale for every image, so that
    their values can be compared. ``clip_percentile`` (e.g. 99) saturates
    the colour scale at that percentile of ``|image|``, so that a few
    extreme pixels do not wash out the rest. Returns the axes (flattened).
    """
    images = [np.asarray(im) for im in images]
    if clip_percentile is not None:
        images = [im if im.ndim == 3 else np.clip(
            im, -np.percentile(np.abs(im), clip_percentile),
            np.percentile(np.abs(im), clip_percentile)) for im in images]
    n = len(images)
    ncols = min(n, 6) if ncols is None else ncols
    nrows = -(-n // ncols)
    if axes is None:
        _, axes = plt.subplots(nrows, ncols, squeeze=False,
                               figsize=(size * ncols, size * nrows + 0.3
                                        + (0.3 if suptitle else 0)))
    axes = np.asarray(axes).reshape(-1)
    gray = [im for im in images if im.ndim == 2]
    top = max((np.abs(im).max() for im in gray), default=1.0) or 1.0
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i >= n:
            continue
        im = images[i]
        if im.ndim == 3:
            ax.imshow(np.clip(im, 0, 1))
        else:
            vmin = vmax = None
            if symmetric:
                vmax = top if shared_scale else (np.abs(im).max() or 1.0)
                vmin = -vmax
            elif shared_scale:
                vmin = min(g.min() for g in gray)
                vmax = max(g.max() for g in gray)
            shown = ax.imshow(im, cmap=cmap, vmin=vmin, vmax=vmax,
                              interpolation="nearest")
            if colorbar:
                ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    if suptitle:
        axes[0].figure.suptitle(suptitle)
    axes[0].figure.tight_layout()
    return axes


def plot_filters(W, ncols=8, size=1.1, suptitle=None, titles=None):
    """Kernels of a convolution weight W (F, C, kh, kw), one panel each.

    One channel: a diverging map centred on zero, the same scale for all
    kernels (red positive, blue negative). Three channels: shown as colour,
    each kernel min-max scaled to [0, 1]. Otherwise the channel mean.
    """
    W = np.asarray(W, dtype=float)
    if W.shape[1] == 3:
        lo = W.min(axis=(1, 2, 3), keepdims=True)
        hi = W.max(axis=(1, 2, 3), keepdims=True)
        rgb = ((W - lo) / np.where(hi > lo, hi - lo, 1.0)).transpose(
            0, 2, 3, 1)
        return plot_images(list(rgb), titles=titles, ncols=ncols, size=size,
                           suptitle=suptitle)
    kernels = W[:, 0] if W.shape[1] == 1 else W.mean(axis=1)
    titles = [f"{i}" for i in range(len(kernels))] if titles is None \
        else titles
    return plot_images(list(kernels), titles=titles, ncols=ncols,
                       cmap="RdBu_r", symmetric=True, shared_scale=True,
                       size=size, suptitle=suptitle)


def plot_feature_maps(maps, ncols=8, size=1.3, cmap="viridis", titles=None,
                      suptitle=None):
    """Feature maps (F, H, W) of one sample, each with its own colour scale."""
    maps = np.asarray(maps)
    titles = [f"map {i}" for i in range(maps.shape[0])] if titles is None \
        else titles
    return plot_images(list(maps), titles=titles, ncols=ncols, cmap=cmap,
                       size=size, suptitle=suptitle)


__all__ += ["plot_sliding_predictions"]


def plot_sliding_predictions(strip, probs, stride, window, axes=None,
                             title=None, highlight=()):
    """A wide image and what a fully convolutional net says at each position.

    ``strip`` is a 2-D image; ``probs`` (K, P) holds the class
    probabilities at P window positions, position j covering columns
    ``j·stride … j·stride + window − 1``. Top: the image. Bottom: a bar per
    position at the window's centre, as tall as the top probability and
    labelled with the winning class; positions in ``highlight`` are drawn
    in a second colour. Returns the two axes.
    """
    probs = np.asarray(probs)
    if axes is None:
        _, axes = plt.subplots(2, 1, sharex=True,
                               figsize=(8.0, 3.6),
                               gridspec_kw={"height_ratios": [1, 1.2]})
    top, bottom = axes
    width = strip.shape[1]
    top.imshow(strip, cmap="gray_r", aspect="auto",
               extent=(-0.5, width - 0.5, strip.shape[0] - 0.5, -0.5))
    top.set_yticks([])
    top.grid(False)
    centres = np.arange(probs.shape[1]) * stride + (window - 1) / 2
    best = probs.max(axis=0)
    labels = probs.argmax(axis=0)
    colours = [COLORS[1] if j in set(highlight) else COLORS[0]
               for j in range(probs.shape[1])]
    bottom.bar(centres, best, width=stride * 0.8, color=colours)
    for c, p, k in zip(centres, best, labels, strict=True):
        bottom.text(c, p + 0.03, str(k), ha="center", fontsize=9)
    bottom.set_ylim(0, 1.2)
    bottom.set_xlim(-0.5, width - 0.5)
    bottom.set_ylabel("top probability")
    bottom.set_xlabel("column of the window centre")
    if title:
        top.set_title(title)
    top.figure.tight_layout()
    return axes


# ---------------------------------------------------------------------------
# Chapter 7: hyperparameter search
# ---------------------------------------------------------------------------

__all__ += ["plot_best_curves", "plot_search_scatter"]


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
    from .search import best_trials

    best = best_trials(trials, k, metric, mode)
    n = len(best)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, squeeze=False, sharex=True,
                             sharey=True,
                             figsize=(size[0] * ncols,
                                      size[1] * nrows + 0.5))
    axes = axes.reshape(-1)
    for ax in axes[n:]:
        ax.axis("off")
    for rank, (ax, trial) in enumerate(zip(axes, best), 1):
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
    for ax in axes[(nrows - 1) * ncols:n]:
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
    from .search import best_trials

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


# ---------------------------------------------------------------------------
# Chapter 2: optimizers on toy landscapes (see course_lib.landscapes)
# ---------------------------------------------------------------------------

__all__ += ["plot_contour_paths", "plot_curve_steps", "plot_gradient_field"]


def _contour_levels(Z, n):
    # Levels evenly spaced in the square root of the height above the
    # lowest value: round bowls get evenly spaced rings.
    lo, hi = float(Z.min()), float(Z.max())
    return lo + (hi - lo) * np.linspace(0.0, 1.0, n + 2)[1:-1] ** 2


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
    if getattr(fn, "minimum", None) is not None:
        ax.plot(*fn.minimum, "x", color="k", ms=8, mew=2)
    ax.set_xlim(fn.xlim)
    ax.set_ylim(fn.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(False)
    if title:
        ax.set_title(title)
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
    if getattr(fn, "minimum", None) is not None:
        ax.plot(*fn.minimum, "x", color="k", ms=8, mew=2)
    ax.set_xlim(fn.xlim)
    ax.set_ylim(fn.ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.grid(False)
    if title:
        ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------
# Chapter 7: histograms of values (inputs, sampled hyperparameters)
# ---------------------------------------------------------------------------

__all__ += ["plot_value_histograms"]


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
        _, axes = plt.subplots(1, n, sharey=sharey,
                               figsize=(4.2 * n, 3.2), squeeze=False)
    axes = np.asarray(axes).reshape(-1)
    for i, (ax, (name, values)) in enumerate(zip(axes, samples.items())):
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


# ---------------------------------------------------------------------------
# Chapter 4: batch normalization
# ---------------------------------------------------------------------------

__all__ += ["plot_batchnorm_graph", "plot_curve_grid", "plot_loglog"]


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
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, sharex=True, sharey=True,
                             figsize=(size[0] * ncols, size[1] * nrows))
    axes = np.atleast_1d(axes).ravel()
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


# ---------------------------------------------------------------------------
# Chapter 5: regularization
# ---------------------------------------------------------------------------

__all__ += ["plot_early_stopping", "plot_grouped_bars", "plot_parity",
            "plot_weight_histograms"]


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
    nrows = -(-n // ncols)
    if axes is None:
        _, axes = plt.subplots(nrows, ncols, squeeze=False, sharex=True,
                               figsize=(size[0] * ncols,
                                        size[1] * nrows + 0.4))
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


# ---------------------------------------------------------------------------
# Chapter 3: activation histograms
# ---------------------------------------------------------------------------

__all__ += ["plot_activation_histograms"]

#: Default histogram range per activation (ReLU: its positive part).
HIST_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 2.0)}


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
        One count scale for all panels, so shrinking layers look smaller.
    axes : array of Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    activation = activation or getattr(acts, "activation", None)
    acts = list(acts)
    n = len(acts)
    if value_range is None:
        value_range = HIST_RANGES.get(activation, None)
    if drop_zeros is None:
        drop_zeros = activation == "relu"
    if axes is None:
        cols = min(ncols, n)
        rows = -(-n // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(size[0] * cols,
                                                      size[1] * rows),
                                 sharey=sharey, squeeze=False)
    else:
        fig = np.ravel(axes)[0].figure
    flat = np.ravel(axes)
    color = color or COLORS[0]
    top = 0.0
    for i, ax in enumerate(flat):
        if i >= n:
            ax.set_visible(False)
            continue
        a = np.ravel(np.asarray(acts[i], dtype=np.float64))
        shown = a[a != 0] if drop_zeros else a
        lo, hi = (value_range if value_range is not None
                  else (float(a.min()), float(a.max()) or 1.0))
        counts, _, _ = ax.hist(shown, bins=bins, range=(lo, hi),
                               color=color, edgecolor="white",
                               linewidth=0.3)
        top = max(top, float(np.max(counts)) if counts.size else 0.0)
        ax.set_xlim(lo, hi)
        ax.set_title(f"layer {i + 1}", fontsize=9)
        ax.tick_params(labelsize=7.5)
        ax.grid(False)
        if stats:
            lines = [f"μ = {a.mean():.3g}", f"σ = {a.std():.3g}"]
            if drop_zeros:
                lines.append(f"zeros {np.mean(a == 0):.0%}")
            ax.text(0.97, 0.97, "\n".join(lines), transform=ax.transAxes,
                    ha="right", va="top", fontsize=7.5, linespacing=1.1)
    if stats and sharey and top > 0:
        # head-room above the tallest bar keeps the numbers off the bars
        for ax in flat[:n]:
            ax.set_ylim(0, top * (1.6 if drop_zeros else 1.45))
    ncol = np.shape(axes)[-1] if np.ndim(axes) == 2 else len(flat)
    for i in range(min(n, len(flat))):
        if i % ncol == 0:
            flat[i].set_ylabel("count", fontsize=8)
        if xlabel and i >= n - ncol:
            flat[i].set_xlabel(xlabel, fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
