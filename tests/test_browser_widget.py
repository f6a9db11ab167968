"""The activation-histogram explorer works in the built book, in a real
browser, without a kernel and without the network: changing a control swaps
the histogram picture, the console stays clean, every request stays on
the local server, and on a phone the pictures switch to a layout whose text
can be read."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from course_lib.figures import explorer

from .browser import browser, serve

pytestmark = [pytest.mark.ch3, pytest.mark.browser, pytest.mark.book,
              pytest.mark.slow, pytest.mark.xdist_group("browser")]
ROOT = Path(__file__).resolve().parent.parent
PAGE = "book/03_initialization"


@pytest.fixture(scope="module")
def chapter_page(book_html) -> Path:
    page = book_html / f"{PAGE}.html"
    if not page.exists():
        toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
        if PAGE not in toc:
            pytest.skip(f"{PAGE} is not in _toc.yml yet, so the built book "
                        "has no page for it")
        pytest.fail(f"{page} is missing although {PAGE} is in _toc.yml: "
                    "rebuild the book with `make book`")
    return page


def test_page_embeds_the_views_without_external_scripts(chapter_page):
    html = chapter_page.read_text(encoding="utf-8")
    assert 'class="course-views"' in html, "the explorer's views are missing"
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    external = [s for s in scripts if s.startswith(("http:", "https:", "//"))]
    assert not external, f"scripts loaded from elsewhere: {external}"


def test_changing_a_control_swaps_the_histogram(book_html, chapter_page):
    errors, foreign = [], []
    with serve(book_html) as base, browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def on_request(req):
            host = urlparse(req.url).hostname
            if req.url.startswith(("http://", "https://")) and \
                    host != "127.0.0.1":
                foreign.append(req.url)

        page.on("request", on_request)
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"),
                   lambda route: route.abort())
        try:
            page.goto(f"{base}/{PAGE}.html", wait_until="networkidle")
            root = page.locator("div.course-views").first
            root.scroll_into_view_if_needed()
            img = root.locator("img")
            assert img.count() == 1
            first_src, first_alt = img.get_attribute("src"), \
                img.get_attribute("alt")
            assert first_src.startswith("data:image/png;base64,")
            assert page.evaluate(
                "el => el.naturalWidth", img.element_handle()) > 100

            # a <select>: pick another initialization
            menu = root.locator("select").first
            options = menu.locator("option").all_inner_texts()
            current = menu.input_value()
            other = next(str(i) for i in range(len(options))
                         if str(i) != current)
            menu.select_option(other)
            second_src = img.get_attribute("src")
            assert second_src != first_src, "the picture did not change"
            assert img.get_attribute("alt") != first_alt
            assert options[int(other)] in img.get_attribute("alt")

            # a radio button: switch the activation
            radios = root.locator("input[type=radio]")
            unchecked = [i for i in range(radios.count())
                         if not radios.nth(i).is_checked()]
            radios.nth(unchecked[0]).check()
            assert img.get_attribute("src") not in (first_src, second_src)
            assert page.evaluate(
                "el => el.complete && el.naturalWidth > 100",
                img.element_handle())
        finally:
            page.close()
    assert not errors, f"console errors: {errors}"
    assert not foreign, f"requests left the book: {foreign[:5]}"


@pytest.fixture(scope="module")
def site(book_html):
    with serve(book_html) as base, browser() as b:
        yield base, b


# The explorer's picture as shown: its layout, natural and displayed width,
# and the right edge of the picture and of the screen.
_SHOWN = """el => ({layout: el.dataset.layout, natural: el.naturalWidth,
                  shown: el.getBoundingClientRect().width,
                  right: el.getBoundingClientRect().right,
                  screen: document.documentElement.clientWidth,
                  src: el.src.slice(-40)})"""


def _explorer_image(page):
    root = page.locator("div.course-views").first
    root.scroll_into_view_if_needed()
    img = root.locator("img")
    page.wait_for_function("el => el.complete && el.naturalWidth > 0",
                           arg=img.element_handle())
    return root, img


@pytest.mark.parametrize(("width", "layout"), [(400, "narrow"),
                                               (1280, "wide")])
def test_explorer_text_is_legible_at_the_width(site, chapter_page, width,
                                                layout):
    """On a phone the explorer shows its two-panels-per-row pictures at a
    scale where the smallest text is at least 9 CSS pixels; a desktop keeps
    five panels per row."""
    base, b = site
    shape = explorer.LAYOUTS[layout]
    panel_px = shape.size[0] * explorer.DPI
    smallest_pt = min(shape.tick_size, shape.text_size)
    page = b.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(f"{base}/{PAGE}.html", wait_until="networkidle")
        root, img = _explorer_image(page)
        views = [page.evaluate(_SHOWN, img.element_handle())]
        radios = root.locator("input[type=radio]")
        unchecked = [i for i in range(radios.count())
                     if not radios.nth(i).is_checked()]
        radios.nth(unchecked[-1]).check()        # the deepest network
        views.append(page.evaluate(_SHOWN, img.element_handle()))
        assert views[0]["src"] != views[1]["src"]
        for v in views:
            assert v["layout"] == layout, v
            per_row = round(v["natural"] / panel_px)
            assert per_row == min(shape.ncols, 10), v
            text_px = smallest_pt * explorer.DPI / 72 * (v["shown"] /
                                                         v["natural"])
            if layout == "narrow":
                assert text_px >= 9, (
                    f"the explorer's smallest text is {text_px:.1f} CSS px "
                    f"at {width} px ({v})")
            assert v["right"] <= v["screen"] + 1, v
    finally:
        page.close()


def test_explorer_follows_a_resized_window(site, chapter_page):
    base, b = site
    page = b.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{base}/{PAGE}.html", wait_until="networkidle")
        _, img = _explorer_image(page)
        assert img.get_attribute("data-layout") == "wide"
        wide_src = img.get_attribute("src")
        page.set_viewport_size({"width": 400, "height": 900})
        page.wait_for_function("el => el.dataset.layout === 'narrow'",
                               arg=img.element_handle())
        assert img.get_attribute("src") != wide_src
        page.set_viewport_size({"width": 1280, "height": 900})
        page.wait_for_function("el => el.dataset.layout === 'wide'",
                               arg=img.element_handle())
        assert img.get_attribute("src") == wide_src
    finally:
        page.close()
