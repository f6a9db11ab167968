r"""Interactive figures that work both in Jupyter and in the static HTML book.

Two ways to make a figure explorable:

* **live** — in a Jupyter session with a running kernel, ipywidgets
  controls call a render function again on every change;
* **pre-rendered** — :func:`prerendered` calls the render function once for
  every combination of a small grid of control values *when the book is
  built*, embeds each view as a PNG (base64) and adds ``<select>``, radio or
  slider controls plus a short inline script (``_SCRIPT``) that swaps
  the image. The result needs no kernel, no external file, no CDN: it works
  offline in the built book.

:func:`is_live` tells which of the two a notebook should show; the
Chapter 3 explorer (:mod:`course_lib.figures.explorer`) and the Chapter 2
playground (:mod:`course_lib.figures.playground`) use both.

The generic API, for any chapter:

.. code-block:: python

    from course_lib.figures import prerendered

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

Every text a reader sees is marked, so that a translated edition of the
book can replace it exactly (``course_tools.i18n_widgets``): the outer
``<div>``'s ``data-course-texts`` attribute holds them all as JSON
(:data:`TEXT_KEYS`), each element showing one of them whole carries
``data-course-text``, and the image's ``alt`` is :func:`view_alt` of the
texts and of the view in its ``data-view``. The page's script reads its
read-outs and descriptions from ``data-course-texts``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import os
import string
import sys

import numpy as np

from .._validation import check_choice, check_int, error

try:  # IPython comes with Jupyter; the library itself does not need it.
    from IPython.display import HTML as _HTMLBase
except ImportError:  # pragma: no cover - exercised only without IPython
    class _HTMLBase:  # type: ignore[no-redef]
        def __init__(self, data=None):
            self.data = data

        def _repr_html_(self):
            return self.data

__all__ = ["StaticViews", "is_live", "prerendered", "view_alt"]

WIDGET_KINDS = ("select", "radio", "slider")
#: Screens up to this many CSS pixels wide get a figure's narrow views.
NARROW_SCREEN = 600
_counter = itertools.count()
#: The keys of a figure's ``data-course-texts``: the controls' labels, the
#: labels of their choices, and either one description per view
#: (``alts``) or a pattern (``alt``, with ``{control}`` and ``{choice}``)
#: whose copies, one per control, ``join`` joins.
TEXT_KEYS = ("controls", "choices", "alt", "join", "alts")

#: The page's side of :func:`prerendered`: on every change of a control,
#: show the image of the chosen combination (``d.views`` maps the choice
#: indices joined by "-" to an index into ``d.images``), its description
#: (as :func:`view_alt`) and, for a slider, the label of its value, both
#: from the texts ``t`` of the ``data-course-texts`` attribute. With narrow
#: views (``d.narrow``, indexed by ``d.nviews``) a screen up to
#: ``$narrow_px`` CSS pixels wide shows those instead, and the image's
#: ``data-layout`` says which set is on show.
#: ``$uid``, ``$data`` (JSON), ``$start`` (the initial indices) and
#: ``$narrow_px`` are filled in per call; the data cannot end the script.
_SCRIPT = string.Template("""
(function () {
  var root = document.getElementById("${uid}");
  var img = document.getElementById("${uid}-img");
  var d = ${data};
  var t = JSON.parse(root.getAttribute("data-course-texts"));
  var idx = ${start};
  var phone = d.narrow && window.matchMedia ?
    window.matchMedia("screen and (max-width: ${narrow_px}px)") : null;
  function alt(key) {
    if (t.alts) { return t.alts[key]; }
    return idx.map(function (i, k) {
      return t.alt.replace("{control}", function () { return t.controls[k]; })
        .replace("{choice}", function () { return t.choices[k][i]; });
    }).join(t.join);
  }
  function show() {
    var key = idx.join("-");
    var small = Boolean(phone && phone.matches);
    img.src = "data:image/png;base64," +
      (small ? d.narrow[d.nviews[key]] : d.images[d.views[key]]);
    img.alt = alt(key);
    img.dataset.view = key;
    img.dataset.layout = small ? "narrow" : "wide";
  }
  root.querySelectorAll("[data-k]").forEach(function (el) {
    var ev = el.type === "range" ? "input" : "change";
    el.addEventListener(ev, function () {
      if (el.type === "radio" && !el.checked) { return; }
      var k = Number(el.dataset.k);
      idx[k] = Number(el.value);
      var out = el.parentNode.querySelector("output");
      if (out && el.type === "range") {
        out.textContent = t.choices[k][idx[k]];
      }
      show();
    });
  });
  if (phone) {
    if (phone.matches) { show(); }
    if (phone.addEventListener) { phone.addEventListener("change", show); }
  }
})();
""")


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
    narrow_views, narrow_images : dict and list
        The same for the narrow layout shown on phones (empty without
        ``narrow``).
    """

    def __init__(self, markup, element_id, controls, views, images,
                 narrow_views=None, narrow_images=None):
        super().__init__(markup)
        self.markup = markup
        self.element_id = element_id
        self.controls = controls
        self.views = views
        self.images = images
        self.narrow_views = dict(narrow_views or {})
        self.narrow_images = list(narrow_images or [])

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return (f"<StaticViews: {len(self.views)} views, "
                f"{len(self.images)} images, {len(self.markup):,} bytes of "
                "HTML — open in a notebook or a browser to explore>")


def view_alt(texts: dict, key: str) -> str:
    """The image description of view ``key`` (choice indices joined by
    ``"-"``) from a figure's texts (see :data:`TEXT_KEYS`); the page's
    script composes it the same way."""
    if texts.get("alts") is not None:
        return str(texts["alts"][key])
    parts = []
    for k, i in enumerate(int(i) for i in key.split("-")):
        # first occurrences only, in this order, as String.replace in JS
        parts.append(texts["alt"].replace("{control}", texts["controls"][k], 1)
                     .replace("{choice}", texts["choices"][k][i], 1))
    return str(texts["join"]).join(parts)


def _text(tag, text, attrs="") -> str:
    """An element showing ``text`` whole, marked as a text of the figure."""
    return f"<{tag}{attrs} data-course-text>{html.escape(text)}</{tag}>"


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
            _text("option", c, f' value="{i}"{" selected" if i == start else ""}')
            for i, c in enumerate(choice_labels))
        return (f'<label class="course-views-control" for="{cid}">'
                f'{_text("span", label)} </label>'
                f'<select id="{cid}" data-k="{k}" '
                f'data-control="{esc(name)}">{options}</select>')
    if kind == "radio":
        buttons = "".join(
            f'<label style="margin-right:0.8em"><input type="radio" '
            f'name="{cid}" value="{i}" data-k="{k}"'
            f'{" checked" if i == start else ""}> {_text("span", c)}</label>'
            for i, c in enumerate(choice_labels))
        return (_text("span", label,
                      f' id="{cid}-label" style="margin-right:0.6em"')
                + f'<span id="{cid}" role="radiogroup" '
                f'aria-labelledby="{cid}-label" '
                f'data-control="{esc(name)}">{buttons}</span>')
    # slider over the indices of the choices, with the label as read-out
    return (f'<label class="course-views-control" for="{cid}">'
            f'{_text("span", label)} </label><input type="range" id="{cid}" '
            f'data-k="{k}" data-control="{esc(name)}" min="0" '
            f'max="{len(choice_labels) - 1}" step="1" value="{start}" '
            f'style="vertical-align:middle"> '
            + _text("output", choice_labels[start], f' for="{cid}"'))


def prerendered(render, controls: dict, initial=None, labels=None,
                widgets=None, dpi=72, colors=64, close=None,
                alt=None, narrow=None,
                narrow_width=NARROW_SCREEN) -> StaticViews:
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
        default ``"label = choice, ..."`` over the controls (see
        :func:`view_alt`).
    narrow : callable, optional
        Like ``render``, drawing the same view laid out for a phone (fewer
        panels per row, so that its text stays legible at full size).
        Screens up to ``narrow_width`` CSS pixels wide show these views;
        wider screens and print show those of ``render``.
    narrow_width : int, default :data:`NARROW_SCREEN` (600)
        The widest screen, in CSS pixels, that gets the ``narrow`` views.

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
        If ``controls`` is not a dict of lists/dicts, ``narrow`` is not
        callable, or ``render`` (or ``narrow``) returns something that is
        neither a Figure nor bytes.
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
    if narrow is not None and not callable(narrow):
        raise error(where, "narrow", "a callable like render, or None",
                    type(narrow).__name__, kind=TypeError)
    narrow_width = check_int(where, "narrow_width", narrow_width, low=1)
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

    wide, small = _ImageSet(), _ImageSet()
    alts: dict[str, str] = {}
    for idx in itertools.product(*(range(len(choice_values[n]))
                                   for n in names)):
        values = {n: choice_values[n][i] for n, i in zip(names, idx, strict=True)}
        key = "-".join(map(str, idx))
        wide.add(key, render(**values), dpi, colors, close)
        if narrow is not None:
            small.add(key, narrow(**values), dpi, colors, close)
        if alt is not None:
            alts[key] = str(alt(**values))
    if close is not None:
        close()
    texts: dict = {"controls": [labels.get(n, n) for n in names],
                   "choices": [choice_labels[n] for n in names]}
    if alt is not None:
        texts["alts"] = alts
    else:
        texts.update(alt="{control} = {choice}", join=", ")
    views, images = wide.views, wide.images

    digest = hashlib.sha1(json.dumps([views, images]).encode()).hexdigest()
    uid = f"course-views-{digest[:10]}-{next(_counter)}"
    first = "-".join(map(str, start))
    texts_json = json.dumps(texts, ensure_ascii=False, separators=(",", ":"))
    parts = [
        f'<div id="{uid}" class="course-views" '
        f'data-course-texts="{html.escape(texts_json)}" '
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
        f'<img id="{uid}-img" alt="{html.escape(view_alt(texts, first))}" '
        f'data-view="{first}" data-layout="wide" '
        'style="max-width:100%;height:auto" '
        f'src="data:image/png;base64,{images[views[first]]}">')
    payload = {"images": images, "views": views}
    if narrow is not None:
        payload.update(narrow=small.images, nviews=small.views)
    script = _SCRIPT.substitute(uid=uid, data=_json_for_script(payload),
                                start=json.dumps(start),
                                narrow_px=narrow_width)
    parts.append(f"<script>{script}</script>")
    parts.append("</div>")
    return StaticViews("".join(parts), uid,
                       {n: list(choice_labels[n]) for n in names},
                       views, images, small.views, small.images)


class _ImageSet:
    """Views -> distinct base64 PNGs (identical views are stored once)."""

    def __init__(self) -> None:
        self.images: list[str] = []
        self.views: dict[str, int] = {}
        self._seen: dict[str, int] = {}

    def add(self, key, view, dpi, colors, close):
        data = _png(view, dpi, colors)
        if close is None and hasattr(view, "savefig"):
            import matplotlib.pyplot as plt

            plt.close(view)
        b64 = base64.b64encode(data).decode("ascii")
        if b64 not in self._seen:
            self._seen[b64] = len(self.images)
            self.images.append(b64)
        self.views[key] = self._seen[b64]


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return bool(np.isclose(float(a), float(b), rtol=1e-12, atol=0))
        except (TypeError, ValueError):
            return False
    return a == b
