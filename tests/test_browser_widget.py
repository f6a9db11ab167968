"""The activation-histogram explorer works in the built book, in a real
browser, without a kernel and without the network: changing a control swaps
the histogram picture, the console stays clean and every request stays on
the local server."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

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
