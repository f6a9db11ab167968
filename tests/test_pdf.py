"""Paper: a chapter printed from the browser keeps its article and figures
and drops the navigation; ``make pdf`` joins the whole book into one PDF
with a bookmark per page of the table of contents."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from course_tools import build_pdf

from .browser import browser, serve
from .test_browser_book import visit

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow,
              pytest.mark.xdist_group("browser")]
pypdf = pytest.importorskip("pypdf")

CHAPTER = "book/03_initialization"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _visible(page, selector: str) -> list[bool]:
    return page.eval_on_selector_all(
        selector, "els => els.map(e => e.checkVisibility())")


def _add_views_if_missing(page) -> None:
    """A book built without executing the chapters has no explorer output;
    put a small pre-rendered view (the same component) in its place."""
    if page.locator(".course-views").count():
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.figures import prerendered

    def render(a):
        fig, ax = plt.subplots(figsize=(2, 1))
        ax.plot([0, 1], [0, a])
        return fig

    views = prerendered(render, {"a": [1, 2]}, labels={"a": "slope"})
    page.evaluate("""html => {
      const box = document.createElement('div');
      box.innerHTML = html;
      document.querySelector('article').appendChild(box);
      for (const old of box.querySelectorAll('script')) {
        const s = document.createElement('script');
        s.textContent = old.textContent;
        old.replaceWith(s);
      }
    }""", views.markup)
    # course.js captions the views it finds when the page loads; a view
    # added later is captioned the same way.
    page.add_script_tag(path=str(build_pdf.ROOT / "book" / "_ext" /
                                 "static" / "course.js"))


def test_a_printed_chapter_keeps_the_article_and_its_figures(book_html,
                                                             tmp_path):
    with serve(book_html) as base, browser() as b:
        page, errors, failed, _ = visit(b, f"{base}/{CHAPTER}.html")
        try:
            _add_views_if_missing(page)
            # The reader switches the explorer to its second view.
            page.eval_on_selector(
                ".course-views select, .course-views input[type=range]",
                """el => { el.value = String(Number(el.value) + 1);
                           el.dispatchEvent(new Event(
                             el.tagName === 'SELECT' ? 'change' : 'input')); }""")
            shown = page.eval_on_selector(".course-views img", "i => i.alt")
            page.emulate_media(media="print")
            for nav in (".bd-sidebar-primary", ".bd-sidebar-secondary",
                        ".bd-header", ".prev-next-area", ".bd-footer"):
                assert not any(_visible(page, nav)), f"{nav} is printed"
            assert not any(_visible(page, ".course-views-controls"))
            assert all(_visible(page, ".course-views img"))
            caption = page.locator(".course-views-caption").first
            assert caption.is_visible() and shown in caption.inner_text()
            images = page.eval_on_selector_all(
                "article img", "is => is.map(i => [i.checkVisibility(),"
                " i.naturalWidth])")
            assert images and all(v and w > 0 for v, w in images), images
            out = tmp_path / "chapter.pdf"
            page.pdf(path=str(out), format="A4")
            assert not failed, failed
            assert not errors, errors
        finally:
            page.close()
    text = _flat("".join(p.extract_text() for p in pypdf.PdfReader(out).pages))
    assert "Chapter 3 — Weight initialization" in text
    assert "Shown: " + shown in text
    # The chapter list of the sidebar is not on paper.
    assert "Chapter 7 — Hyperparameters and search" not in text


def _html_title(book_html, doc: str) -> str:
    html = (book_html / f"{doc}.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    h1 = re.sub(r"<a class=\"headerlink\".*?</a>", "", h1, flags=re.S)
    return _flat(re.sub(r"<[^>]+>", "", h1)).replace("&amp;", "&")


@pytest.fixture(scope="module")
def book_pdf(book_html):
    """``_build/pdf/book.pdf`` beside the HTML book, made as ``make pdf``
    makes it when it is missing or older than the HTML."""
    out = book_html.parent / "pdf" / "book.pdf"
    index = book_html / "index.html"
    if not out.exists() or out.stat().st_mtime < index.stat().st_mtime:
        start = time.perf_counter()
        build_pdf.build_pdf(book_html, out)
        print(f"book.pdf built in {time.perf_counter() - start:.0f} s")
    return out


def test_make_pdf_gives_one_pdf_with_a_bookmark_per_page(book_html, book_pdf):
    reader = pypdf.PdfReader(book_pdf)
    marks = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                marks.append((depth, item.title,
                              reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    docs = [doc for _, entries in build_pdf.toc_parts()
            for doc in build_pdf._flatten(entries)]
    titles = {title: page for _, title, page in marks}
    expected = [_html_title(book_html, doc) for doc in docs]
    missing = [t for t in expected if t not in titles]
    assert not missing, f"no bookmark for {missing}; bookmarks: {marks}"
    pages = [titles[t] for t in expected]
    assert pages == sorted(pages) and len(set(pages)) == len(pages), (
        f"bookmarks out of reading order: {list(zip(expected, pages, strict=True))}")
    assert len(reader.pages) > len(docs)
    chapters = [t for t in expected if t.startswith("Chapter ")]
    listed = sorted((ROOT / "book").glob("0*.md"))
    assert len(chapters) == len(listed) > 0, (chapters, listed)
    for title in expected:
        first = _flat(reader.pages[titles[title]].extract_text())
        assert title in first, (
            f"page {titles[title]} does not begin {title!r}: {first[:200]!r}")
