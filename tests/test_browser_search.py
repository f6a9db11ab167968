"""The book's search: the chapter that teaches a term comes first, snippets
show when the book is served, and opened from disk (file://) the search
still lists its results without flooding the console with errors."""

from __future__ import annotations

import contextlib

import pytest

from .browser import browser, serve
from .test_browser_book import visit

pytestmark = [pytest.mark.browser, pytest.mark.book,
              pytest.mark.xdist_group("browser")]

#: A term of the book's vocabulary -> the chapter that teaches it first.
FIRST_TAUGHT = {
    "batch normalization": "book/04_batchnorm",
    "Adam": "book/02_optimizers",
    "dropout": "book/05_regularization",
    "im2col": "book/06_convolution",
    "He initialization": "book/03_initialization",
}

_DONE = """() => {
  const s = document.querySelector('#search-results p.search-summary');
  return s !== null && s.innerText.length > 0;
}"""
_RESULTS = """() => [...document.querySelectorAll('#search-results ul.search > li')]
  .map(li => ({href: li.querySelector('a').getAttribute('href'),
               snippet: (li.querySelector('p.context') || {}).textContent
                        || null}))"""


@pytest.fixture(scope="module")
def site(book_html):
    with serve(book_html) as base, browser() as b:
        yield base, b


@contextlib.contextmanager
def _search(b, root, query):
    """The search page for ``query`` once it has answered; closed on exit."""
    url = f"{root}/search.html?q={query.replace(' ', '+')}"
    page, errors, failed, foreign = visit(b, url)
    try:
        page.wait_for_function(_DONE, timeout=20000)
        yield page, errors, failed, foreign
    finally:
        page.close()


@pytest.mark.parametrize("query", list(FIRST_TAUGHT))
def test_first_result_is_the_chapter_that_teaches_it(site, query):
    base, b = site
    with _search(b, base, query) as (page, errors, failed, foreign):
        # Snippets are fetched one result after another; wait for the first.
        page.wait_for_selector("#search-results li p.context", timeout=20000)
        results = page.evaluate(_RESULTS)
        assert results, f"no result for {query!r}"
        first = results[0]["href"].split("#")[0]
        assert first == FIRST_TAUGHT[query] + ".html", (
            f"searching {query!r} lists {first} first; expected "
            f"{FIRST_TAUGHT[query]}. Top five: "
            f"{[r['href'] for r in results[:5]]}")
        snippet = results[0]["snippet"] or ""
        words = query.lower().split()
        assert any(w in snippet.lower() for w in words), (
            f"the first result's snippet does not show {query!r}: "
            f"{snippet[:200]!r}")
        assert not failed, failed
        assert not foreign, foreign
        assert not errors, f"console errors: {errors[:5]}"


def test_batch_normalization_ranks_its_chapter_above_earlier_mentions(site):
    base, b = site
    with _search(b, base, "batch normalization") as (page, _, _, _):
        hrefs = [r["href"].split("#")[0] for r in page.evaluate(_RESULTS)]
        for earlier in ("book/01_foundations.html",
                        "book/02_optimizers.html"):
            if earlier in hrefs:
                assert hrefs.index("book/04_batchnorm.html") < hrefs.index(
                    earlier), hrefs[:6]


@pytest.mark.parametrize("query", ["Adam", "He initialization"])
def test_search_from_disk_lists_results_quietly(site, book_html, query):
    _, b = site
    with _search(b, book_html.as_uri(), query) as (page, errors, failed, foreign):
        page.wait_for_timeout(1000)  # any snippet request would fail by now
        results = page.evaluate(_RESULTS)
        assert len(results) >= 3, results
        assert results[0]["href"].split("#")[0] == (
            FIRST_TAUGHT[query] + ".html"), results[:3]
        assert not any(r["snippet"] for r in results)
        note = page.locator(".course-search-note")
        assert note.count() == 1 and "http.server" in note.inner_text()
        assert not errors, f"console errors from file://: {errors[:5]}"
        assert not foreign, foreign


def test_search_note_only_from_disk(site):
    base, b = site
    with _search(b, base, "dropout") as (page, errors, _, _):
        assert page.locator(".course-search-note").count() == 0
        assert not errors, errors
