"""The book on a phone, a tablet and a desktop: at each width every page
fits the screen, its chapter list and its outline can be opened, and it
loads with no errors. Screenshots of every page at every width go to
``test-artifacts/screenshots/responsive`` for a human to look at."""

from __future__ import annotations

import pytest

from .browser import browser, serve
from .test_book import toc_files
from .test_browser_book import SHOTS, visit

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow,
              pytest.mark.xdist_group("browser")]
WIDTHS = {"phone": 400, "tablet": 768, "desktop": 1280}
CHAPTERS = [f"Chapter {i}" for i in range(1, 8)]

# Elements of the page body wider than the screen, other than those that
# scroll on their own (code, tables, display math, cell outputs).
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const own = 'pre, .highlight, table, .MathJax, mjx-container, .cell_output,'
            + ' .math, .output';
  const out = [];
  for (const el of document.querySelectorAll('article *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !el.closest(own)) {
      out.push(el.tagName.toLowerCase() + ': '
               + (el.textContent || '').trim().slice(0, 60));
    }
  }
  return out.slice(0, 5);
}"""


@pytest.fixture(scope="module")
def site(book_html):
    with serve(book_html) as base, browser() as b:
        yield base, b


def _links_after_click(page, button: str) -> list[str]:
    """Click the visible ``button``; return the texts of the links in the
    dialog it opened (the sidebars open as modal dialogs below desktop
    width)."""
    page.locator(f"{button}:visible").first.click()
    page.wait_for_timeout(400)
    return page.eval_on_selector_all(
        "dialog[open] a",
        "as => as.filter(a => a.checkVisibility()).map(a => a.innerText)")


@pytest.mark.parametrize("label", list(WIDTHS))
@pytest.mark.parametrize("doc", toc_files())
def test_page_fits_and_navigates(site, doc, label):
    base, b = site
    width = WIDTHS[label]
    page, errors, failed, foreign = visit(b, f"{base}/{doc}.html", width, 900)
    try:
        assert not failed, f"missing local assets at {width} px: {failed}"
        assert not foreign, f"requests leave the book: {foreign[:5]}"
        assert not errors, f"console errors at {width} px: {errors}"
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (
            f"{doc} scrolls sideways at {width} px ({scroll} px wide): "
            f"{page.evaluate(_OVERFLOWING)}")
        shot = SHOTS / "responsive" / f"{doc.replace('/', '_')}-{width}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=False)
        if width < 1200:
            # Below desktop width the chapter list is hidden until asked for.
            links = _links_after_click(page, "button.primary-toggle")
            missing = [c for c in CHAPTERS
                       if not any(text.startswith(c) for text in links)]
            assert not missing, (
                f"the navigation button at {width} px does not show {missing}")
            page.reload(wait_until="networkidle")
            if page.locator("button.secondary-toggle:visible").count():
                outline = _links_after_click(page, "button.secondary-toggle")
                assert outline, (
                    f"the page-outline button at {width} px shows nothing")
    finally:
        page.close()


def test_one_search_field_on_desktop(site):
    base, b = site
    page, errors, _, _ = visit(b, f"{base}/book/04_batchnorm.html", 1280, 900)
    try:
        fields = page.locator("input[type=search]:visible, "
                              "button.search-button__button:visible, "
                              ".search-button-field:visible")
        assert fields.count() <= 1, (
            f"{fields.count()} search fields are visible on one page")
        assert not errors, errors
    finally:
        page.close()
