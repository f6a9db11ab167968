"""Convolution figures: discrete signals, image grids, filters, feature maps
and the predictions of a sliding window (Chapters 5 and 6)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ._style import COLORS, panel_grid

__all__ = ["plot_feature_maps", "plot_filters", "plot_images",
           "plot_signals", "plot_sliding_predictions"]


def plot_signals(panels: dict, axes=None, title=None, xlabel="n"):
    """Discrete signals, one panel per entry of ``panels`` (stacked rows).

    ``panels`` maps a panel title to a 1-D array (drawn as a stem plot) or
    to a dict ``label -> 1-D array`` (overlaid: the first as stems, the
    others as markers, with a legend). Returns the axes.
    """
    if axes is None:
        _, axes = panel_grid(len(panels), 1, (7.2, 1.7), 0.4, sharex=True)
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
    if axes is None:
        _, axes = panel_grid(n, ncols, (size, size),
                             0.3 + (0.3 if suptitle else 0))
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
