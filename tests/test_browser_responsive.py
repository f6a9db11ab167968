"""The book on a phone, a tablet and a desktop: at each width every page
fits the screen, every display equation, image and table fits its column,
its chapter list and its outline can be opened, and it loads with no
errors. Screenshots of every page at every width go to
``test-artifacts/screenshots/responsive`` for a human to look at."""

from __future__ import annotations

import re

import pytest

from .browser import browser, serve
from .test_book import toc_files
from .test_browser_book import SHOTS, visit

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow,
              pytest.mark.xdist_group("browser")]
WIDTHS = {"phone": 400, "tablet": 768, "desktop": 1280}
CHAPTERS = [f"Chapter {i}" for i in range(1, 8)]

#: Display equations that keep their one-line form on a phone, with the
#: reason: the chapter gives them the class ``course-math-fit``, which
#: shrinks them a little below 600 px instead of letting them scroll.
#: Page -> {start of the TeX source: reason}.
SCALED_EQUATIONS = {
    "book/06_convolution": {
        r"\begin{aligned} o_{00} &= w_{00}x_{00}": (
            "the 2 x 2 convolution written out: four lines read across, "
            "term by term; broken, the pattern the text points to is lost"),
    },
}

# Elements of the page body wider than the screen, other than those that
# scroll on their own (code, tables, cell outputs).
_OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const own = 'pre, .highlight, table, .cell_output, .output';
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


# Display equations (folded answers opened) whose typeset width exceeds
# their box: "<width> in <box> px (#<nearest id>): <TeX source>".
_WIDE_EQUATIONS = """async () => {
  document.querySelectorAll('article details').forEach(d => { d.open = true; });
  if (!(window.MathJax && MathJax.startup)) { return []; }
  await MathJax.startup.promise;
  const out = [];
  for (const item of MathJax.startup.document.math) {
    const box = item.typesetRoot;
    if (!item.display || !box || !box.isConnected) { continue; }
    const need = box.querySelector('mjx-math').getBoundingClientRect().width;
    if (need > box.clientWidth + 0.5) {
      const where = box.closest('[id]');
      out.push(Math.round(need) + ' in ' + box.clientWidth + ' px (#'
               + (where ? where.id : '?') + '): '
               + item.math.replace(/\\s+/g, ' ').trim().slice(0, 90));
    }
  }
  return out;
}"""

# Images wider than the article (they must scale down, not scroll) and
# tables wider than the article outside a box that scrolls them.
_UNFIT = """() => {
  const article = document.querySelector('article').getBoundingClientRect();
  const out = [];
  for (const img of document.querySelectorAll('article img')) {
    const box = img.getBoundingClientRect();
    if (box.width > 0 && (box.width > article.width + 1
                          || box.right > article.right + 1)) {
      out.push('img ' + Math.round(box.width) + ' px: '
               + (img.alt || img.src).slice(0, 60));
    }
  }
  for (const table of document.querySelectorAll('article table')) {
    if (table.getBoundingClientRect().width <= article.width + 1) { continue; }
    const wrap = table.parentElement;
    const scrolls = ['auto', 'scroll'].includes(
      getComputedStyle(wrap).overflowX);
    if (!scrolls || wrap.getBoundingClientRect().right > article.right + 1) {
      out.push('table: ' + (table.textContent || '').trim().slice(0, 60));
    }
  }
  return out;
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
        wide = page.evaluate(_WIDE_EQUATIONS)
        assert not wide, (
            f"display equations of {doc} wider than their column at {width} "
            f"px: {wide}")
        unfit = page.evaluate(_UNFIT)
        assert not unfit, (
            f"images or tables of {doc} wider than their column at {width} "
            f"px: {unfit}")
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


def test_only_the_listed_equations_are_scaled(book_html):
    """An equation shrinks on a phone only with a reason in
    SCALED_EQUATIONS; every listed one is still in its chapter."""
    found = {}
    for doc in toc_files():
        html = (book_html / f"{doc}.html").read_text(encoding="utf-8")
        for tex in re.findall(
                r'<div class="[^"]*\bcourse-math-fit\b[^"]*"[^>]*>(.*?)</div>',
                html, re.S):
            tex = tex.replace("&amp;", "&").replace("\\[", "")
            tex = tex.replace("\\begin{split}", "")
            found.setdefault(doc, []).append(" ".join(tex.split()))
    for doc, sources in found.items():
        listed = SCALED_EQUATIONS.get(doc, {})
        unlisted = [t[:80] for t in sources
                    if not any(t.startswith(start) for start in listed)]
        assert not unlisted, f"{doc} scales equations with no reason: {unlisted}"
    for doc, listed in SCALED_EQUATIONS.items():
        for start in listed:
            assert any(t.startswith(start) for t in found.get(doc, [])), (
                f"{doc} no longer scales the listed equation {start!r}")


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
