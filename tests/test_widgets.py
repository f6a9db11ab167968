"""Pre-rendered views and the activation-histogram explorer (no browser)."""

from __future__ import annotations

import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.figures import (
    StaticViews,
    activation_histogram_explorer,
    explorer,
    is_live,
    prerender,
    prerendered,
    render_activation_histograms,
)

pytestmark = pytest.mark.ch3
PNG = b"\x89PNG\r\n\x1a\n"


def line(a, style="-"):
    fig, ax = plt.subplots(figsize=(2, 1.2))
    ax.plot([0, 1], [0, a], style)
    return fig


def script_body(markup):
    return re.search(r"<script>(.*)</script>", markup, re.S).group(1)


def test_every_combination_is_rendered_once():
    calls = []

    def render(a, style):
        calls.append((a, style))
        return line(a, style)

    views = prerendered(render, {"a": [1.0, 2.0, 3.0],
                                 "style": {"line": "-", "dots": "o"}})
    assert isinstance(views, StaticViews)
    assert len(calls) == 6 and len(set(calls)) == 6
    assert sorted(views.views) == ["0-0", "0-1", "1-0", "1-1", "2-0", "2-1"]
    assert len(views.images) == 6
    for b64 in views.images:
        assert base64.b64decode(b64).startswith(PNG)
    assert views.controls == {"a": ["1", "2", "3"], "style": ["line", "dots"]}
    assert views._repr_html_() == views.markup == views.data
    assert "6 views" in repr(views)
    assert not plt.get_fignums(), "rendered figures must be closed"


def test_markup_is_self_contained():
    views = prerendered(line, {"a": [1.0, 2.0]})
    m = views.markup
    assert m.count("<img") == 1 and m.count("<script") == 1
    assert not re.search(r"<script[^>]*\bsrc=", m)
    assert "http://" not in m and "https://" not in m
    assert 'src="data:image/png;base64,' in m
    assert "</" not in script_body(m)          # JSON cannot end the script


def test_ids_are_unique_per_call_and_output_deterministic():
    a = prerendered(line, {"a": [1.0, 2.0]})
    b = prerendered(line, {"a": [1.0, 2.0]})
    assert a.element_id != b.element_id
    assert f'id="{a.element_id}"' in a.markup
    assert a.images == b.images and a.views == b.views
    assert a.markup.replace(a.element_id, "X") == b.markup.replace(
        b.element_id, "X")


def test_initial_choice_labels_and_widget_kinds():
    views = prerendered(
        line, {"a": [1.0, 2.0, 3.0], "style": {"line <b>": "-", "dots": "o"}},
        initial={"a": 3.0, "style": "o"}, labels={"a": "slope & co"},
        widgets={"a": "slider", "style": "radio"})
    m = views.markup
    assert 'type="range"' in m and 'max="2"' in m and 'value="2"' in m
    assert m.count('type="radio"') == 2
    assert re.search(r'value="1" data-k="1" checked', m)
    assert "slope &amp; co" in m and "line &lt;b&gt;" in m
    first = views.images[views.views["2-1"]]
    assert f"base64,{first}" in m          # the initial view is shown


def test_identical_views_are_stored_once():
    views = prerendered(lambda a, b: line(a), {"a": [1.0, 2.0],
                                               "b": ["x", "y", "z"]})
    assert len(views.views) == 6 and len(views.images) == 2


def test_render_may_return_png_bytes_and_close_is_called():
    closed = []
    fig = line(1.0)

    def render(a):
        return prerender._png(fig, 40, None)

    views = prerendered(render, {"a": [1, 2]}, close=lambda: closed.append(1))
    assert closed == [1] and len(views.views) == 2
    plt.close(fig)


def test_bad_arguments():
    with pytest.raises(TypeError, match="'controls'"):
        prerendered(line, [1, 2])
    with pytest.raises(ValueError, match=r"controls\['a'\]"):
        prerendered(line, {"a": []})
    with pytest.raises(TypeError, match=r"controls\['a'\]"):
        prerendered(line, {"a": 3})
    with pytest.raises(ValueError, match="widgets"):
        prerendered(line, {"a": [1]}, widgets={"a": "knob"})
    with pytest.raises(ValueError, match=r"initial\['a'\]"):
        prerendered(line, {"a": [1, 2]}, initial={"a": 5})
    with pytest.raises(ValueError, match="initial key"):
        prerendered(line, {"a": [1, 2]}, initial={"b": 5})
    with pytest.raises(TypeError, match="render"):
        prerendered(lambda a: "not a figure", {"a": [1]})
    with pytest.raises(TypeError, match="'render'"):
        prerendered(None, {"a": [1]})


def test_is_live_can_be_forced(monkeypatch):
    monkeypatch.setenv("COURSE_WIDGETS", "live")
    assert is_live()
    monkeypatch.setenv("COURSE_WIDGETS", "static")
    assert not is_live()
    monkeypatch.delenv("COURSE_WIDGETS")
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert not is_live()


def test_render_activation_histograms_returns_a_figure():
    fig = render_activation_histograms("relu", "he", n_layers=3, width=20,
                                       n_samples=50)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 3
    assert "ReLU" in fig._suptitle.get_text()
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert all("μ =" in t and "σ =" in t for t in texts)
    plt.close(fig)
    with pytest.raises(ValueError, match="'activation'"):
        render_activation_histograms("softplus")
    with pytest.raises(ValueError, match="'init'"):
        render_activation_histograms("relu", "lecun")


def test_static_explorer_one_image_per_view():
    views = activation_histogram_explorer(
        live=False, n_layers=2, width=10, n_samples=50,
        static_layers=(2, 3), static_widths=(10,),
        static_inits={"std = 1": 1.0, "He": "he"}, init="he")
    assert len(views.views) == 3 * 2 * 1 * 2
    assert len(views.images) == len(views.views)
    m = views.markup
    assert m.count("<img") == 1 and not re.search(r"<script[^>]*\bsrc=", m)
    assert "https://" not in m and "http://" not in m
    assert "ReLU" in m and "units per layer" in m
    assert not plt.get_fignums()
    with pytest.raises(ValueError, match="initial"):
        activation_histogram_explorer(live=False, init=0.37,
                                      static_layers=(2,),
                                      static_widths=(10,))
    assert not plt.get_fignums(), "a failed call must close its figures"


def test_views_differ_by_depth_and_width():
    views = activation_histogram_explorer(
        live=False, n_layers=2, width=10, n_samples=50, static_layers=(2, 3),
        static_widths=(10, 30), static_inits={"He": "he"}, init="he")
    # keys: activation-init-width-layers
    assert views.views["0-0-0-0"] != views.views["0-0-0-1"]
    assert views.views["0-0-0-0"] != views.views["0-0-1-0"]
    assert views.controls["n_layers"] == ["2", "3"]


def test_live_explorer_recomputes_offscreen():
    pytest.importorskip("ipywidgets")
    box = activation_histogram_explorer(live=True, activation="sigmoid",
                                        init="xavier", n_layers=3, width=20,
                                        n_samples=50)
    images = [w for w in box.children if type(w).__name__ == "Image"]
    assert len(images) == 1
    image = images[0]
    before = image.value
    assert bytes(before).startswith(PNG)
    activation = box.children[0]
    activation.value = "relu"
    assert image.value != before
    init_menu, std_slider = box.children[1].children
    assert std_slider.disabled
    init_menu.value = "std"
    assert not std_slider.disabled
    after_std = image.value
    std_slider.value = 1.0
    assert image.value != after_std
    # a number as init selects the slider
    box = activation_histogram_explorer(live=True, init=0.5, n_samples=20,
                                        width=10, n_layers=2)
    assert box.children[1].children[0].value == "std"
    assert box.children[1].children[1].value == pytest.approx(0.5)
    plt.close("all")


def test_explorer_bad_arguments():
    with pytest.raises(ValueError, match="'n_layers'"):
        activation_histogram_explorer(live=False, n_layers=0)
    with pytest.raises(ValueError, match="'activation'"):
        activation_histogram_explorer(live=False, activation="gelu")
    with pytest.raises(ValueError, match="'std'"):
        activation_histogram_explorer(live=True, std=100.0)


def test_float32_inputs_do_not_change_the_statistics_much():
    acts = explorer._activations("tanh", "xavier", 3, 30, 200, 0)
    assert acts[0].dtype == np.float32
    assert 0.3 < float(np.std(acts[-1])) < 0.8


def test_narrow_views_are_rendered_for_phones():
    def narrow(a):
        return line(a, "o")

    views = prerendered(line, {"a": [1.0, 2.0, 3.0]}, narrow=narrow,
                        narrow_width=480)
    assert sorted(views.narrow_views) == sorted(views.views)
    assert len(views.narrow_images) == 3
    assert set(views.narrow_images).isdisjoint(views.images)
    body = script_body(views.markup)
    assert "max-width: 480px" in body and '"nviews"' in body
    # the page starts on the wide view: print and scripts off show it
    assert f"base64,{views.images[views.views['0']]}" in views.markup
    assert 'data-layout="wide"' in views.markup
    plain = prerendered(line, {"a": [1.0]})
    assert plain.narrow_images == [] and '"nviews"' not in plain.markup
    with pytest.raises(TypeError, match="'narrow'"):
        prerendered(line, {"a": [1.0]}, narrow="small")
    with pytest.raises(ValueError, match="'narrow_width'"):
        prerendered(line, {"a": [1.0]}, narrow=narrow, narrow_width=0)
    assert not plt.get_fignums()


def _png_size(b64):
    from PIL import Image

    return Image.open(io.BytesIO(base64.b64decode(b64))).size


def test_explorer_phone_layout_fits_a_phone_at_natural_size():
    views = activation_histogram_explorer(
        live=False, n_layers=10, width=20, n_samples=50,
        static_layers=(3, 10), static_widths=(20,),
        static_inits={"He": "he"}, init="he")
    narrow, wide = explorer.LAYOUTS["narrow"], explorer.LAYOUTS["wide"]
    for key in views.views:
        n_layers = int(views.controls["n_layers"][int(key.split("-")[-1])])
        wide_w, _ = _png_size(views.images[views.views[key]])
        small_w, small_h = _png_size(views.narrow_images[
            views.narrow_views[key]])
        assert abs(wide_w - min(wide.ncols, n_layers) * wide.size[0]
                   * explorer.DPI) < 1
        # two panels per row, narrower than a 400 px phone's text column
        assert abs(small_w - narrow.ncols * narrow.size[0] * explorer.DPI) < 1
        assert small_w <= 368 < wide_w or n_layers < wide.ncols
        assert small_h > small_w if n_layers == 10 else True
    # its smallest text, shown at natural size, is at least 9 CSS pixels
    smallest = min(narrow.tick_size, narrow.text_size) * explorer.DPI / 72
    assert smallest >= 9


def test_explorer_canvas_draws_the_layout_text_sizes():
    layout = explorer.LAYOUTS["narrow"]
    canvas = explorer._HistogramCanvas(3, "tanh", layout=layout)
    try:
        shown = [ax for ax in canvas.axes if ax.get_visible()]
        assert len(shown) == 3
        rows = {round(ax.get_position().y0, 3) for ax in shown}
        assert len(rows) == 2            # 3 panels, 2 per row
        for ax in shown:
            sizes = {t.get_fontsize() for t in ax.get_xticklabels()}
            assert sizes == {layout.tick_size}
        assert {t.get_fontsize() for t in canvas.texts} == {layout.text_size}
    finally:
        canvas.close()


def test_playground_stacks_its_panels_for_a_phone():
    from course_lib.figures import optimizer_playground

    views = optimizer_playground(live=False, static_optimizers=("SGD", "Adam"),
                                 static_rates=(0.1,))
    assert sorted(views.narrow_views) == sorted(views.views)
    for key in views.views:
        wide_w, wide_h = _png_size(views.images[views.views[key]])
        small_w, small_h = _png_size(views.narrow_images[
            views.narrow_views[key]])
        assert wide_w > 2 * wide_h               # side by side
        assert small_h > small_w                 # stacked
        assert small_w <= 368 < wide_w           # a phone shows it 1:1
    assert not plt.get_fignums()
