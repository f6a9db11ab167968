"""The built book as a reader meets it, in headless Chromium: every page
loads offline with its assets, math and figures, search works, and internal
links resolve."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse

import pytest

from .browser import browser, serve
from .test_book import toc_files

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow,
              pytest.mark.xdist_group("browser")]
ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "test-artifacts" /
                            "screenshots"))


@pytest.fixture(scope="module")
def site(book_html):
    with serve(book_html) as base, browser() as b:
        yield base, b


def visit(b, url, width=1280, height=900):
    """Open ``url``; return (page, console errors, failed local requests,
    requests to other hosts)."""
    page = b.new_page(viewport={"width": width, "height": height})
    errors, failed, foreign = [], [], []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def on_response(resp):
        if urlparse(resp.url).hostname == "127.0.0.1" and resp.status >= 400:
            failed.append(f"{resp.status} {resp.url}")

    def on_request(req):
        host = urlparse(req.url).hostname
        if req.url.startswith(("http://", "https://")) and host != "127.0.0.1":
            foreign.append(req.url)

    page.on("response", on_response)
    page.on("request", on_request)
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"),
               lambda route: route.abort())
    page.goto(url, wait_until="networkidle")
    return page, errors, failed, foreign


@pytest.mark.parametrize("doc", toc_files())
def test_page_loads_offline_with_math_and_figures(site, book_html, doc):
    base, b = site
    page, errors, failed, foreign = visit(b, f"{base}/{doc}.html")
    try:
        assert not failed, f"missing local assets: {failed}"
        assert not foreign, f"requests leave the book: {foreign[:5]}"
        assert not errors, f"console errors: {errors}"
        html = (book_html / f"{doc}.html").read_text(encoding="utf-8")
        if 'class="math' in html:
            # typeset, though math inside a folded answer stays hidden
            page.wait_for_selector("mjx-container", state="attached",
                                   timeout=15000)
        sizes = page.eval_on_selector_all(
            "article img", "imgs => imgs.map(i => [i.src, i.naturalWidth])")
        for src, width in sizes:
            assert width > 0, f"figure did not load: {src}"
    finally:
        page.close()


def test_internal_links_resolve(site, book_html):
    base, b = site
    broken = []
    for doc in toc_files():
        html = (book_html / f"{doc}.html").read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"]+)"', html):
            if href.startswith(("http://", "https://", "mailto:", "javascript:")):
                continue
            url, anchor = urldefrag(urljoin(f"{base}/{doc}.html", href))
            path = book_html / urlparse(url).path.lstrip("/")
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{doc}: {href}")
                continue
            if anchor and path.suffix == ".html":
                target = path.read_text(encoding="utf-8", errors="ignore")
                if f'id="{anchor}"' not in target:
                    broken.append(f"{doc}: {href} (no anchor)")
    assert not broken, "\n".join(broken[:20])


def test_search_finds_a_term(site):
    base, b = site
    term, page_name = "running mean", "04_batchnorm"
    page, errors, _, _ = visit(b, f"{base}/search.html?q="
                                  f"{term.replace(' ', '+')}")
    try:
        page.wait_for_selector("ul.search li a", timeout=20000)
        links = page.eval_on_selector_all(
            "ul.search li a", "as => as.map(a => a.href)")
        assert any(page_name in link for link in links), links
        assert not errors, errors
    finally:
        page.close()


def test_screenshots_for_a_human(site):
    base, b = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = [d for d in toc_files() if d != "book/api"][:3]
    written = []
    for doc in pages:
        for label, (w, h) in {"desktop": (1280, 900),
                              "phone": (390, 844)}.items():
            page, errors, _, _ = visit(b, f"{base}/{doc}.html", w, h)
            path = SHOTS / f"{Path(doc).name}-{label}.png"
            page.screenshot(path=str(path), full_page=False)
            page.close()
            assert path.stat().st_size > 10_000
            written.append(path)
    print("screenshots:", *written, sep="\n  ")
