r"""Interactive figures that work both in Jupyter and in the static HTML book.

Two ways to make a figure explorable:

* **live** — in a Jupyter session with a running kernel, ipywidgets
  controls call a render function again on every change;
* **pre-rendered** — :func:`prerendered` calls the render function once for
  every combination of a small grid of control values *when the book is
  built*, embeds each view as a PNG (base64) and adds ``<select>``, radio or
  slider controls plus a few lines of inline JavaScript that swap the image.
  The result needs no kernel, no external file, no CDN: it works offline in
  the built book.

:func:`is_live` tells which of the two a notebook should show, and
:func:`activation_histogram_explorer` (Chapter 3) uses both.

The generic API, for any chapter:

.. code-block:: python

    from course_lib.widgets import prerendered

    def render(lr, optimizer):           # control values -> Figure (or PNG bytes)
        fig, ax = plt.subplots()
        ...
        return fig

    prerendered(render, {"optimizer": ["SGD", "Adam"],      # list of choices
                         "lr": {"0.01": 0.01, "0.1": 0.1}}, # or label -> value
                initial={"lr": 0.1}, labels={"lr": "learning rate"},
                widgets={"optimizer": "radio", "lr": "slider"})

Returns a :class:`StaticViews` (an ``IPython.display.HTML``); leave it as the
last expression of a cell. See :func:`prerendered` for every argument.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import os
import sys

import numpy as np

from ._validation import check_choice, check_finite_number, check_int, error

try:  # IPython comes with Jupyter; the library itself does not need it.
    from IPython.display import HTML as _HTMLBase
except ImportError:  # pragma: no cover - exercised only without IPython
    class _HTMLBase:  # type: ignore[no-redef]
        def __init__(self, data=None):
            self.data = data

        def _repr_html_(self):
            return self.data

__all__ = ["StaticViews", "activation_histogram_explorer", "is_live",
           "prerendered", "render_activation_histograms"]

WIDGET_KINDS = ("select", "radio", "slider")
_counter = itertools.count()


# ---------------------------------------------------------------------------
# Generic mechanism
# ---------------------------------------------------------------------------

def is_live() -> bool:
    """True in a Jupyter session where ipywidgets can talk to a kernel.

    A kernel started by a Jupyter server (JupyterLab, Notebook, a hub) has
    the environment variable ``JPY_SESSION_NAME``; the kernel that executes
    the book at build time does not, so the book gets pre-rendered views.
    ``COURSE_WIDGETS=live`` or ``COURSE_WIDGETS=static`` forces either.
    """
    forced = os.environ.get("COURSE_WIDGETS", "").strip().lower()
    if forced in ("live", "static"):
        return forced == "live"
    return "ipykernel" in sys.modules and bool(
        os.environ.get("JPY_SESSION_NAME"))


class StaticViews(_HTMLBase):
    """Pre-rendered views with their controls, as an HTML display object.

    Attributes
    ----------
    markup : str
        The complete HTML fragment (also ``.data`` and ``_repr_html_()``).
    element_id : str
        The ``id`` of the outer ``<div>``, unique per call.
    controls : dict
        Control name -> list of choice labels, in order.
    views : dict
        View key (the choice indices joined by ``"-"``, e.g. ``"0-2"``) ->
        index into :attr:`images`.
    images : list of str
        The distinct PNG images, base64-encoded (identical views are stored
        once).
    """

    def __init__(self, markup, element_id, controls, views, images):
        super().__init__(markup)
        self.markup = markup
        self.element_id = element_id
        self.controls = controls
        self.views = views
        self.images = images

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return (f"<StaticViews: {len(self.views)} views, "
                f"{len(self.images)} images, {len(self.markup):,} bytes of "
                "HTML — open in a notebook or a browser to explore>")


def _choices(where, name, spec) -> tuple[list[str], list]:
    """(labels, values) of one control given as a list or a label->value dict."""
    if isinstance(spec, dict):
        labels, values = [str(k) for k in spec], list(spec.values())
    elif isinstance(spec, (list, tuple, range, np.ndarray)):
        values = list(spec)
        labels = [f"{v:g}" if isinstance(v, float) else str(v)
                  for v in values]
    else:
        raise error(where, f"controls[{name!r}]", "a list of choices or a "
                    "dict label -> value", type(spec).__name__,
                    kind=TypeError)
    if not values:
        raise error(where, f"controls[{name!r}]", "a non-empty list of "
                    "choices", "an empty one")
    if len(set(labels)) != len(labels):
        raise error(where, f"controls[{name!r}]", "choices with distinct "
                    "labels", labels)
    return labels, values


def _png(view, dpi, colors) -> bytes:
    """PNG bytes of a Figure (or bytes as given), palette-quantized."""
    if isinstance(view, (bytes, bytearray)):
        data = bytes(view)
    elif hasattr(view, "savefig"):
        buf = io.BytesIO()
        view.savefig(buf, format="png", dpi=dpi,
                     metadata={"Software": None})
        data = buf.getvalue()
    else:
        raise error("prerendered", "render(...)", "a matplotlib Figure or "
                    "PNG bytes", type(view).__name__, kind=TypeError)
    if not colors:
        return data
    from PIL import Image  # matplotlib depends on Pillow

    image = Image.open(io.BytesIO(data)).convert("RGB").quantize(
        colors=colors, method=Image.Quantize.FASTOCTREE,
        dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="png")
    return out.getvalue()


def _json_for_script(obj) -> str:
    # JSON that cannot close the <script> element or start an HTML entity.
    return (json.dumps(obj, separators=(",", ":"), ensure_ascii=True)
            .replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def _control_html(uid, k, name, label, choice_labels, start, kind) -> str:
    esc = html.escape
    cid = f"{uid}-c{k}"
    if kind == "select":
        options = "".join(
            f'<option value="{i}"{" selected" if i == start else ""}>'
            f"{esc(c)}</option>" for i, c in enumerate(choice_labels))
        return (f'<label class="course-views-control" for="{cid}">'
                f"{esc(label)} </label>"
                f'<select id="{cid}" data-k="{k}" '
                f'data-control="{esc(name)}">{options}</select>')
    if kind == "radio":
        buttons = "".join(
            f'<label style="margin-right:0.8em"><input type="radio" '
            f'name="{cid}" value="{i}" data-k="{k}"'
            f'{" checked" if i == start else ""}> {esc(c)}</label>'
            for i, c in enumerate(choice_labels))
        return (f'<span id="{cid}-label" style="margin-right:0.6em">'
                f"{esc(label)}</span>"
                f'<span id="{cid}" role="radiogroup" '
                f'aria-labelledby="{cid}-label" '
                f'data-control="{esc(name)}">{buttons}</span>')
    # slider over the indices of the choices, with the label as read-out
    return (f'<label class="course-views-control" for="{cid}">{esc(label)} '
            f'</label><input type="range" id="{cid}" data-k="{k}" '
            f'data-control="{esc(name)}" min="0" '
            f'max="{len(choice_labels) - 1}" step="1" value="{start}" '
            f'style="vertical-align:middle"> <output for="{cid}">'
            f"{esc(choice_labels[start])}</output>")


def prerendered(render, controls: dict, initial=None, labels=None,
                widgets=None, dpi=72, colors=64, close=None,
                alt=None) -> StaticViews:
    r"""Render every combination of control values now; switch in the page.

    Parameters
    ----------
    render : callable
        ``render(**values)`` takes one keyword argument per control (its
        *value*) and returns a matplotlib ``Figure`` or PNG ``bytes``.
        Figures are closed after saving unless ``close`` is given.
    controls : dict
        Control name -> its choices, in display order: a list of values
        (shown with ``str``, floats with ``:g``), or a dict
        ``label -> value``. The number of views is the product of the
        lengths, so keep the grid small (each view adds roughly 10–40 kB).
    initial : dict, optional
        Control name -> the value (not the label) selected at first;
        default the first choice of every control.
    labels : dict, optional
        Control name -> the text shown before the control (default: the
        name).
    widgets : dict, optional
        Control name -> ``"select"`` (default), ``"radio"`` or
        ``"slider"`` (a range input over the choices, for ordered values).
    dpi : int, default 72
        Resolution of the saved figures.
    colors : int or None, default 64
        Quantize each PNG to this many palette colours (line plots and
        histograms stay sharp at a third of the size); None keeps RGBA.
    close : callable, optional
        Called once after the last view, for a render function that
        reuses one figure (then the returned figures are not closed).
    alt : callable, optional
        ``alt(**values) -> str``, the image's alternative text per view;
        default ``"name = label, ..."``.

    Returns
    -------
    StaticViews
        An ``IPython.display.HTML`` object: a ``<div>`` with a unique
        ``id`` per call (deterministic: a digest of the images plus a call
        counter), one control per entry of ``controls``, one ``<img>``
        showing the current view, and an inline ``<script>`` holding the
        images that swaps ``img.src`` when a control changes. Nothing is
        loaded from elsewhere, so it works offline and without a kernel.

    Raises
    ------
    TypeError
        If ``controls`` is not a dict of lists/dicts, or ``render`` returns
        something that is neither a Figure nor bytes.
    ValueError
        If a control has no choices, an unknown widget kind, or ``initial``
        names a value that is not among the choices.

    Notes
    -----
    The same ``render`` function can serve a live ipywidgets version in
    Jupyter (``ipywidgets.interactive_output``); :func:`is_live` tells which
    to show. Output is byte-for-byte reproducible when ``render`` is.
    See Chapter 3 (the activation-histogram explorer) and Chapter 2 (the
    optimizer playground).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> def render(a):
    ...     fig, ax = plt.subplots(figsize=(2, 1))
    ...     ax.plot([0, 1], [0, a])
    ...     return fig
    >>> views = prerendered(render, {"a": [1, 2]})
    >>> len(views.views)
    2
    """
    where = "prerendered"
    if not callable(render):
        raise error(where, "render", "a callable returning a Figure",
                    type(render).__name__, kind=TypeError)
    if not isinstance(controls, dict) or not controls:
        raise error(where, "controls", "a non-empty dict name -> choices",
                    repr(controls), kind=TypeError)
    names = list(controls)
    initial = dict(initial or {})
    labels = dict(labels or {})
    widgets = dict(widgets or {})
    for key, where_from in ((initial, "initial"), (labels, "labels"),
                            (widgets, "widgets")):
        for n in key:
            check_choice(where, f"{where_from} key", n, names)
    dpi = check_int(where, "dpi", dpi, low=10)
    if colors is not None:
        colors = check_int(where, "colors", colors, low=2)
    choice_labels, choice_values = {}, {}
    for n in names:
        choice_labels[n], choice_values[n] = _choices(where, n, controls[n])
        check_choice(where, f"widgets[{n!r}]", widgets.get(n, "select"),
                     WIDGET_KINDS)
    start = []
    for n in names:
        if n not in initial:
            start.append(0)
            continue
        matches = [i for i, v in enumerate(choice_values[n])
                   if _same(v, initial[n])]
        if not matches:
            raise error(where, f"initial[{n!r}]", "one of the choices "
                        f"{choice_values[n]!r}", repr(initial[n]))
        start.append(matches[0])

    images: list[str] = []
    seen: dict[str, int] = {}
    views: dict[str, int] = {}
    alts: dict[str, str] = {}
    for idx in itertools.product(*(range(len(choice_values[n]))
                                   for n in names)):
        values = {n: choice_values[n][i] for n, i in zip(names, idx)}
        fig = render(**values)
        data = _png(fig, dpi, colors)
        if close is None and hasattr(fig, "savefig"):
            import matplotlib.pyplot as plt

            plt.close(fig)
        b64 = base64.b64encode(data).decode("ascii")
        if b64 not in seen:
            seen[b64] = len(images)
            images.append(b64)
        key = "-".join(map(str, idx))
        views[key] = seen[b64]
        alts[key] = (alt(**values) if alt is not None else ", ".join(
            f"{labels.get(n, n)} = {choice_labels[n][i]}"
            for n, i in zip(names, idx)))
    if close is not None:
        close()

    digest = hashlib.sha1(json.dumps([views, images]).encode()).hexdigest()
    uid = f"course-views-{digest[:10]}-{next(_counter)}"
    first = "-".join(map(str, start))
    parts = [
        f'<div id="{uid}" class="course-views" '
        'style="margin:0.5em 0 1em 0">',
        '<div class="course-views-controls" style="display:flex;'
        'flex-wrap:wrap;gap:0.4em 1.6em;align-items:center;'
        'margin-bottom:0.5em">',
    ]
    for k, n in enumerate(names):
        parts.append("<div>" + _control_html(
            uid, k, n, labels.get(n, n), choice_labels[n], start[k],
            widgets.get(n, "select")) + "</div>")
    parts.append("</div>")
    parts.append(
        f'<img id="{uid}-img" alt="{html.escape(alts[first])}" '
        'style="max-width:100%;height:auto" '
        f'src="data:image/png;base64,{images[views[first]]}">')
    data = {"images": images, "views": views, "alts": alts,
            "labels": [choice_labels[n] for n in names]}
    parts.append(
        "<script>(function () {"
        f'var root = document.getElementById("{uid}");'
        f'var img = document.getElementById("{uid}-img");'
        f"var d = {_json_for_script(data)};"
        f"var idx = {json.dumps(start)};"
        "function show() {"
        'var key = idx.join("-");'
        'img.src = "data:image/png;base64," + d.images[d.views[key]];'
        "img.alt = d.alts[key]; }"
        'root.querySelectorAll("[data-k]").forEach(function (el) {'
        'var ev = el.type === "range" ? "input" : "change";'
        "el.addEventListener(ev, function () {"
        'if (el.type === "radio" && !el.checked) { return; }'
        "var k = Number(el.dataset.k);"
        "idx[k] = Number(el.value);"
        'var out = el.parentNode.querySelector("output");'
        'if (out && el.type === "range") {'
        "out.textContent = d.labels[k][idx[k]]; }"
        "show(); }); });"
        "})();</script>")
    parts.append("</div>")
    return StaticViews("".join(parts), uid,
                       {n: list(choice_labels[n]) for n in names},
                       views, images)


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return bool(np.isclose(float(a), float(b), rtol=1e-12, atol=0))
        except (TypeError, ValueError):
            return False
    return a == b


# ---------------------------------------------------------------------------
# Chapter 3: the activation-histogram explorer
# ---------------------------------------------------------------------------

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
    """One figure per layout whose bars and numbers are redrawn per view.

    Axes, ticks and titles are drawn once and restored from a saved
    background; each view only redraws the bars and texts (matplotlib's
    blitting), about ten times faster than a new figure. Bar heights are
    relative to the tallest bar of the view, so the y axis has no numbers.
    """

    def __init__(self, n_layers, activation, bins=30, dpi=80, ncols=5,
                 size=(1.9, 1.55)):
        import matplotlib.pyplot as plt
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from .plotting import COLORS, HIST_RANGES

        self.n_layers, self.activation = n_layers, activation
        self.range = HIST_RANGES[activation]
        self.drop_zeros = activation == "relu"
        self.edges = np.linspace(*self.range, bins + 1)
        cols = min(ncols, n_layers)
        rows = -(-n_layers // cols)
        self.fig, axes = plt.subplots(
            rows, cols, figsize=(size[0] * cols, size[1] * rows + 0.35),
            dpi=dpi, squeeze=False)
        self.canvas = FigureCanvasAgg(self.fig)
        self.axes = np.ravel(axes)
        top = 1.6 if self.drop_zeros else 1.45
        self.steps, self.texts = [], []
        for i, ax in enumerate(self.axes):
            if i >= n_layers:
                ax.set_visible(False)
                continue
            ax.set_xlim(*self.range)
            ax.set_ylim(0, top)
            ax.set_yticks([])
            ax.grid(False)
            ax.tick_params(labelsize=8)
            ax.set_title(f"layer {i + 1}", fontsize=9.5)
            if i % cols == 0:
                ax.set_ylabel("relative count", fontsize=8)
        self.suptitle = self.fig.suptitle(" ", fontsize=10)
        self.fig.tight_layout()
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        for ax in self.axes[:n_layers]:
            # one filled step outline per panel: a single path to draw
            self.steps.append(ax.stairs(np.zeros(bins), self.edges,
                                        fill=True, color=COLORS[0],
                                        animated=True))
            self.texts.append(ax.text(0.97, 0.97, "", transform=ax.transAxes,
                                      ha="right", va="top", fontsize=8,
                                      linespacing=1.1, animated=True))
        self.suptitle.set_animated(True)

    def __call__(self, acts, title, colors=64) -> bytes:
        counts = []
        for a in acts[:self.n_layers]:
            a = np.ravel(a)
            shown = a[a != 0] if self.drop_zeros else a
            counts.append(np.histogram(shown, self.edges.size - 1,
                                       self.range)[0])
        top = max(1, max(int(c.max()) for c in counts))
        for a, c, step, text in zip(acts, counts, self.steps, self.texts):
            step.set_data(c / top)
            lines = [f"μ = {float(np.mean(a)):.3g}",
                     f"σ = {float(np.std(a)):.3g}"]
            if self.drop_zeros:
                lines.append(f"zeros {np.mean(a == 0):.0%}")
            text.set_text("\n".join(lines))
        self.suptitle.set_text(title)
        self.canvas.restore_region(self.background)
        for ax, step, text in zip(self.axes, self.steps, self.texts):
            ax.draw_artist(step)
            ax.draw_artist(text)
        self.fig.draw_artist(self.suptitle)
        from PIL import Image

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
        import matplotlib.pyplot as plt

        plt.close(self.fig)


def _explorer_args(where, activation, init, n_layers, width, n_samples):
    activation = EXPLORER_ACTIVATIONS.get(activation, activation)
    check_choice(where, "activation", activation,
                 tuple(EXPLORER_ACTIVATIONS.values()))
    if isinstance(init, str):
        init = EXPLORER_INITS.get(init, init)
    if isinstance(init, str):
        from .diagnostics import INIT_NAMES

        check_choice(where, "init", init, tuple(INIT_NAMES))
    else:
        init = check_finite_number(where, "init", init, low=0.0)
    n_layers = check_int(where, "n_layers", n_layers, low=1)
    width = check_int(where, "width", width, low=1)
    n_samples = check_int(where, "n_samples", n_samples, low=1)
    return activation, init, n_layers, width, n_samples


def _activations(activation, init, n_layers, width, n_samples, seed):
    from .diagnostics import forward_activations

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
        Drawn by :func:`course_lib.plotting.plot_activation_histograms`.

    Raises
    ------
    ValueError
        For an unknown activation or initialization or a non-positive size.

    Notes
    -----
    See Chapter 3.
    """
    from .plotting import plot_activation_histograms

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
            canvases[key] = _HistogramCanvas(n_layers, activation, dpi=80)
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
        ``static_widths`` (135 by default, about 1 MB), switched in the
        page without a kernel (see :func:`prerendered`). None (default):
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
    for label, value in inits.items():
        _explorer_args(where, activation, value, 1, 1, 1)
    deepest = max(layers)
    canvases = {(n, a): _HistogramCanvas(n, a)
                for n in layers for a in EXPLORER_ACTIVATIONS.values()}
    cache = {}

    def render(activation, init, n_layers, width):
        key = (activation, repr(init), width)
        if key not in cache:
            cache.clear()  # views arrive grouped by key; keep one
            cache[key] = _activations(activation, init, deepest, width,
                                      n_samples, seed)
        acts = cache[key][:n_layers]
        return canvases[(n_layers, activation)](
            acts, _title(activation, init, n_layers, width))

    def close():
        for c in canvases.values():
            c.close()

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
        close=close)
