r"""The Chapter 3 explorer: how initialization shapes every layer's
activations.

:func:`activation_histogram_explorer` shows one histogram per layer for a
choice of activation, initialization, depth and width: live ipywidgets
controls in a Jupyter session, pre-rendered views
(:func:`~course_lib.figures.prerendered`) in the HTML book. Its panels are
those of :func:`~course_lib.figures.plot_activation_histograms`;
:func:`render_activation_histograms` draws one view with that function.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image  # matplotlib depends on Pillow

from .._validation import check_choice, check_finite_number, check_int, error
from ..diagnostics import INIT_NAMES, forward_activations
from ._style import COLORS, panel_grid
from .activations import (
    _headroom,
    _histogram_range,
    _layer_panels,
    _shown_values,
    _stats_text,
    plot_activation_histograms,
)
from .prerender import NARROW_SCREEN, is_live, prerendered

__all__ = ["activation_histogram_explorer", "render_activation_histograms"]


@dataclass(frozen=True)
class PanelLayout:
    """How the explorer lays out its panels: ``ncols`` per row of ``size``
    inches each, text sizes in points."""

    ncols: int
    size: tuple[float, float]
    tick_size: float
    text_size: float
    title_size: float


#: Resolution of the explorer's pictures: a point is ``DPI / 72`` pixels.
DPI = 80
#: The explorer's layouts: five panels per row on a wide screen (and in
#: print), two on a phone, where the narrow picture (352 pixels wide) is
#: shown at its natural size so that its smallest text stays 10 pixels.
LAYOUTS = {"wide": PanelLayout(5, (1.9, 1.55), 8, 8, 9.5),
           "narrow": PanelLayout(2, (2.2, 1.6), 9, 9, 10)}

#: Initializations offered by the explorer: label -> ``init`` argument of
#: :func:`course_lib.diagnostics.forward_activations`.
EXPLORER_INITS = {"std = 0.01": 0.01, "std = 0.1": 0.1, "std = 1": 1.0,
                  "Xavier 1/√n": "xavier", "He √(2/n)": "he"}
EXPLORER_ACTIVATIONS = {"sigmoid": "sigmoid", "tanh": "tanh",
                        "ReLU": "relu"}
STATIC_LAYERS = (3, 5, 10)
STATIC_WIDTHS = (25, 100, 400)


def _init_label(init) -> str:
    if isinstance(init, str):
        return {"xavier": "Xavier (std 1/√n)", "he": "He (std √(2/n))",
                "glorot": "Glorot"}.get(init, init)
    return f"std = {init:g}"


class _HistogramCanvas:
    """The panels of :func:`~course_lib.figures.plot_activation_histograms`,
    laid out once per (depth, activation) and redrawn per view.

    Axes, ticks and titles are drawn once and restored from a saved
    background; each view only redraws the bars and texts (matplotlib's
    blitting), about ten times faster than a new figure. Range, dropped
    zeros, statistics and head-room are those of the static plot; bar
    heights are relative to the tallest bar of the view, so the y axis has
    no numbers.
    """

    def __init__(self, n_layers, activation, bins=30, dpi=DPI,
                 layout=LAYOUTS["wide"]):
        self.n_layers, self.activation = n_layers, activation
        self.range = _histogram_range(activation)
        self.drop_zeros = activation == "relu"
        self.edges = np.linspace(*self.range, bins + 1)
        cols = min(layout.ncols, n_layers)
        self.fig, self.axes = panel_grid(n_layers, cols, layout.size, 0.35,
                                         dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        _layer_panels(self.axes, n_layers, cols, "relative count",
                      title_size=layout.title_size,
                      tick_size=layout.tick_size,
                      label_size=layout.text_size)
        for ax in self.axes[:n_layers]:
            ax.set_xlim(*self.range)
            ax.set_ylim(0, _headroom(self.drop_zeros))
            ax.set_yticks([])
        self.suptitle = self.fig.suptitle(" ", fontsize=10)
        self.fig.tight_layout()
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.steps, self.texts = [], []
        for ax in self.axes[:n_layers]:
            # one filled step outline per panel: a single path to draw
            self.steps.append(ax.stairs(np.zeros(bins), self.edges,
                                        fill=True, color=COLORS[0],
                                        animated=True))
            self.texts.append(ax.text(0.97, 0.97, "", transform=ax.transAxes,
                                      ha="right", va="top",
                                      fontsize=layout.text_size,
                                      linespacing=1.1, animated=True))
        self.suptitle.set_animated(True)

    def __call__(self, acts, title, colors=64) -> bytes:
        counts = [np.histogram(_shown_values(np.ravel(a), self.drop_zeros),
                               self.edges.size - 1, self.range)[0]
                  for a in acts[:self.n_layers]]
        top = max(1, max(int(c.max()) for c in counts))
        for a, c, step, text in zip(acts, counts, self.steps, self.texts,
                                    strict=False):
            step.set_data(c / top)
            text.set_text(_stats_text(a, self.drop_zeros))
        self.suptitle.set_text(title)
        self.canvas.restore_region(self.background)
        for ax, step, text in zip(self.axes, self.steps, self.texts,
                                  strict=False):
            ax.draw_artist(step)
            ax.draw_artist(text)
        self.fig.draw_artist(self.suptitle)
        rgba = np.asarray(self.canvas.buffer_rgba())
        image = Image.fromarray(rgba).convert("RGB")
        if colors:
            image = image.quantize(colors=colors,
                                   method=Image.Quantize.FASTOCTREE,
                                   dither=Image.Dither.NONE)
        out = io.BytesIO()
        image.save(out, format="png")
        return out.getvalue()

    def close(self):
        plt.close(self.fig)


def _explorer_args(where, activation, init, n_layers, width, n_samples):
    activation = EXPLORER_ACTIVATIONS.get(activation, activation)
    check_choice(where, "activation", activation,
                 tuple(EXPLORER_ACTIVATIONS.values()))
    if isinstance(init, str):
        init = EXPLORER_INITS.get(init, init)
    if isinstance(init, str):
        check_choice(where, "init", init, tuple(INIT_NAMES))
    else:
        init = check_finite_number(where, "init", init, low=0.0)
    n_layers = check_int(where, "n_layers", n_layers, low=1)
    width = check_int(where, "width", width, low=1)
    n_samples = check_int(where, "n_samples", n_samples, low=1)
    return activation, init, n_layers, width, n_samples


def _activations(activation, init, n_layers, width, n_samples, seed):
    rng = np.random.default_rng(seed)
    # float32 halves the work; the statistics are taken in float64
    x = rng.standard_normal((n_samples, width)).astype(np.float32)
    return forward_activations(x, n_layers, width, activation, init, rng)


def _title(activation, init, n_layers, width):
    name = {"relu": "ReLU"}.get(activation, activation)
    return (f"{name}, {_init_label(init)}: {n_layers} layers × "
            f"{width} units")


def render_activation_histograms(activation="sigmoid", init="xavier",
                                 n_layers=5, width=100, n_samples=1000,
                                 seed=0):
    r"""The explorer's figure: one histogram per layer, with mean and std.

    ``n_samples`` Gaussian inputs of ``width`` features go through
    ``n_layers`` layers of ``width`` units (no biases), as in
    :func:`course_lib.diagnostics.forward_activations`.

    Parameters
    ----------
    activation : {"sigmoid", "tanh", "relu"} (or "ReLU")
    init : float or str
        A std, ``"xavier"``, ``"he"``, ``"glorot"``, ... or a label of
        :data:`EXPLORER_INITS`.
    n_layers, width, n_samples : int
    seed : int
        Seeds the inputs and the weights (same seed, same figure).

    Returns
    -------
    matplotlib.figure.Figure
        Drawn by :func:`~course_lib.figures.plot_activation_histograms`.

    Raises
    ------
    ValueError
        For an unknown activation or initialization or a non-positive size.

    Notes
    -----
    See Chapter 3.
    """
    activation, init, n_layers, width, n_samples = _explorer_args(
        "render_activation_histograms", activation, init, n_layers, width,
        n_samples)
    acts = _activations(activation, init, n_layers, width, n_samples, seed)
    return plot_activation_histograms(
        acts, title=_title(activation, init, n_layers, width),
        size=(1.9, 1.55))


def _live_explorer(activation, init, std, n_layers, width, n_samples, seed):
    import ipywidgets as w

    canvases = {}

    def png(activation, init, std, n_layers, width):
        key = (n_layers, activation)
        if key not in canvases:
            canvases[key] = _HistogramCanvas(n_layers, activation)
        value = std if init == "std" else init
        acts = _activations(activation, value, n_layers, width, n_samples,
                            seed)
        return canvases[key](acts, _title(activation, value, n_layers,
                                           width), colors=None)

    label_style = {"description_width": "110px"}
    controls = {
        "activation": w.ToggleButtons(
            options=[(k, v) for k, v in EXPLORER_ACTIVATIONS.items()],
            value=activation, description="activation", style=label_style),
        "init": w.Dropdown(
            options=[("std (slider)", "std"), ("Xavier 1/√n", "xavier"),
                     ("Glorot √(2/(n_in+n_out))", "glorot"),
                     ("He √(2/n)", "he")],
            value=init if isinstance(init, str) else "std",
            description="initialization", style=label_style),
        "std": w.FloatLogSlider(
            value=std, base=10, min=-3, max=1, step=0.1,
            description="weight std", readout_format=".3g",
            continuous_update=False, style=label_style),
        "n_layers": w.IntSlider(
            value=n_layers, min=1, max=10, description="layers",
            continuous_update=False, style=label_style),
        "width": w.IntSlider(
            value=width, min=10, max=500, step=10,
            description="units per layer", continuous_update=False,
            style=label_style),
    }
    image = w.Image(format="png", layout=w.Layout(max_width="100%"))

    def update(activation, init, std, n_layers, width):
        controls["std"].disabled = init != "std"
        image.value = png(activation, init, std, n_layers, width)

    out = w.interactive_output(update, controls)
    return w.VBox([controls["activation"],
                   w.HBox([controls["init"], controls["std"]]),
                   w.HBox([controls["n_layers"], controls["width"]]),
                   image, out])


def activation_histogram_explorer(activation="sigmoid", init="xavier",
                                  n_layers=5, width=100, live=None,
                                  n_samples=1000, seed=0, std=0.01,
                                  static_layers=STATIC_LAYERS,
                                  static_widths=STATIC_WIDTHS,
                                  static_inits=EXPLORER_INITS):
    r"""Explore how initialization shapes the activations of every layer.

    A batch of ``n_samples`` standard-normal inputs passes through
    ``n_layers`` layers of ``width`` units (no biases); each layer's
    outputs are shown as a histogram with their mean μ and std σ.

    Parameters
    ----------
    activation : {"sigmoid", "tanh", "relu"}
        Initial value of the activation control.
    init : str or float
        Initial initialization: ``"xavier"``, ``"he"``, ``"glorot"``, or a
        std (which selects the std slider in the live version).
    n_layers, width : int
        Initial depth and layer size.
    live : bool or None
        True: ipywidgets controls (activation buttons, initialization
        menu, a logarithmic std slider from 0.001 to 10, layers 1–10,
        units 10–500) that recompute on every change — needs a running
        kernel. False: pre-rendered views for every combination of the
        three activations, ``static_inits``, ``static_layers`` and
        ``static_widths`` (135 by default, each drawn in the five- and
        the two-panels-per-row layout of :data:`LAYOUTS`: about 2 MB),
        switched in the page without a kernel (see :func:`prerendered`;
        screens up to 600 px wide get the two-panel pictures). None (default):
        live in a Jupyter session, static otherwise (:func:`is_live`).
    n_samples : int, default 1000
    seed : int, default 0
        Same seed, same inputs and weights, same pictures.
    std : float, default 0.01
        Initial position of the live std slider.
    static_layers, static_widths : sequences of int
    static_inits : dict label -> std or initializer name

    Returns
    -------
    ipywidgets.VBox or StaticViews
        Display it as the last expression of a cell.

    Raises
    ------
    ValueError
        For an unknown activation or initialization, a non-positive size,
        or an initial value that the static grid does not contain.

    Notes
    -----
    The views of one (activation, initialization, width) share their
    weights: the 3-layer view shows the first three layers of the 10-layer
    one. Bars are scaled to the tallest bar of the view; ReLU histograms
    leave out the exact zeros, whose share is printed. See Chapter 3.
    """
    where = "activation_histogram_explorer"
    activation, init, n_layers, width, n_samples = _explorer_args(
        where, activation, init, n_layers, width, n_samples)
    if live is None:
        live = is_live()
    if live:
        std = check_finite_number(where, "std", std, low=1e-3, high=10.0)
        if not isinstance(init, str):
            init, std = "std", min(max(init, 1e-3), 10.0)
        return _live_explorer(activation, init, std, n_layers, width,
                              n_samples, seed)

    inits = dict(static_inits)
    layers = [check_int(where, "static_layers", n, low=1)
              for n in static_layers]
    widths = [check_int(where, "static_widths", n, low=1)
              for n in static_widths]
    if not inits or not layers or not widths:
        raise error(where, "static_inits, static_layers, static_widths",
                    "non-empty", "an empty one")
    for value in inits.values():
        _explorer_args(where, activation, value, 1, 1, 1)
    deepest = max(layers)
    canvases = {(shape, n, a): _HistogramCanvas(n, a, layout=LAYOUTS[shape])
                for shape in LAYOUTS for n in layers
                for a in EXPLORER_ACTIVATIONS.values()}
    cache = {}

    def render(activation, init, n_layers, width, shape="wide"):
        key = (activation, repr(init), width)
        if key not in cache:
            cache.clear()  # views arrive grouped by key; keep one
            cache[key] = _activations(activation, init, deepest, width,
                                      n_samples, seed)
        acts = cache[key][:n_layers]
        return canvases[(shape, n_layers, activation)](
            acts, _title(activation, init, n_layers, width))

    def render_narrow(**values):
        return render(**values, shape="narrow")

    def close():
        for c in canvases.values():
            c.close()

    try:
        return prerendered(
            render,
            {"activation": EXPLORER_ACTIVATIONS, "init": inits,
             "width": {str(n): n for n in widths},
             "n_layers": {str(n): n for n in layers}},
            initial={"activation": activation, "init": init,
                     "n_layers": n_layers, "width": width},
            labels={"activation": "activation", "init": "initialization",
                    "n_layers": "layers", "width": "units per layer"},
            widgets={"activation": "radio", "init": "select",
                     "n_layers": "radio", "width": "radio"},
            close=close, narrow=render_narrow, narrow_width=NARROW_SCREEN)
    except BaseException:
        close()  # a bad initial value must not leave figures open
        raise
