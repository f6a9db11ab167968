"""The Chinese edition in headless Chromium: its home page is drawn with real
Chinese glyphs from the shipped web font, the theme speaks Chinese, and the
language switch leads to the same page in English and back, over HTTP and
from file://. Every page of the edition loads without errors, fits a phone
and a desktop, draws its Chinese with the web font and links to its English
twin; the search page finds the glossary's Chinese terms.

Needs both editions built (``python -m course_tools.i18n build``; the site
is ``_build/html``, or ``I18N_HTML``)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest

from course_tools import i18n

from .browser import browser, serve
from .test_browser_responsive import _OVERFLOWING

pytestmark = [pytest.mark.browser, pytest.mark.book, pytest.mark.slow,
              pytest.mark.xdist_group("browser")]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site() -> Path:
    html = Path(os.environ.get("I18N_HTML", ROOT / "_build" / "html"))
    if not (html / i18n.ZH_DIR / "book" / "index.html").exists():
        pytest.skip(f"the Chinese edition is not built ({html / 'zh'} is "
                    "missing): run `python -m course_tools.i18n build` "
                    "(or set I18N_HTML to a site holding zh/)")
    return html


#: The Chinese text each element of the article holds itself (not in child
#: elements: the fonts CDP reports are those of an element's own text),
#: each visible element (not inside a closed dropdown) tagged for the lookup.
_ZH_BLOCKS = """() => [...document.querySelectorAll('article *')]
  .map(e => [e, [...e.childNodes].filter(n => n.nodeType === 3)
                 .map(n => n.textContent).join('')])
  .filter(([e, text]) => /[\\u4e00-\\u9fff]/.test(text)
          && e.checkVisibility({visibilityProperty: true}))
  .map(([e, text], i) => { e.dataset.zhBlock = i; return text; })"""


def _glyphs_from_other_fonts(page, sample: int | None = None) -> tuple[int, list]:
    """(CJK characters checked, blocks whose CJK glyphs did not all come
    from the book's web font); with ``sample``, only that many blocks spread
    evenly over the article."""
    texts = page.evaluate(_ZH_BLOCKS)
    blocks = list(enumerate(texts))
    if sample is not None and len(blocks) > sample:
        step = len(blocks) / sample
        blocks = [blocks[int(k * step)] for k in range(sample)]
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    checked, wrong = 0, []
    for i, text in blocks:
        n_cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
        node = cdp.send("DOM.querySelector", {
            "nodeId": root, "selector": f'[data-zh-block="{i}"]'})
        fonts = cdp.send("CSS.getPlatformFontsForNode",
                         {"nodeId": node["nodeId"]})["fonts"]
        ours = sum(f["glyphCount"] for f in fonts if f["isCustomFont"]
                   and f["familyName"].startswith("Noto Sans CJK"))
        checked += n_cjk
        # Chinese punctuation counts too, so ours may exceed n_cjk.
        if ours < n_cjk:
            wrong.append((text[:40], fonts))
    cdp.detach()
    return checked, wrong


def test_the_chinese_home_page_has_real_glyphs_and_chinese_chrome(site):
    with serve(site) as base, browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 900})
        failed = []
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
                if r.status >= 400 else None)
        page.goto(f"{base}/zh/book/index.html", wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert page.inner_text("article h1").startswith("从零开始训练神经网络")
        assert "本课程适合谁" in page.inner_text("article")
        checked, wrong = _glyphs_from_other_fonts(page)
        assert checked > 300, f"only {checked} Chinese characters on the page"
        assert not wrong, (f"{len(wrong)} blocks draw Chinese without the "
                           f"web font, e.g. {wrong[:2]}")
        # The theme's own strings come from its zh_CN catalogue.
        chrome = page.evaluate("""() => [...document.querySelectorAll(
            '[aria-label], [title], [placeholder]')].map(e =>
            [e.getAttribute('aria-label'), e.getAttribute('title'),
             e.getAttribute('placeholder')].join(' ')).join(' ')""")
        assert "搜索" in chrome and "颜色模式" in chrome, chrome[:300]
        assert "Search this book" not in chrome and "Color mode" not in chrome
        # The table of contents' captions are the root document's messages.
        captions = page.eval_on_selector_all(
            ".bd-sidebar-primary .caption-text", "es => es.map(e => e.innerText)")
        assert captions == ["章节", "附录", "参考"], captions
        # Code, figures and outputs are those of the English edition.
        assert page.eval_on_selector_all(
            "article img", "imgs => imgs.every(i => i.naturalWidth > 0)")
        assert not failed, f"missing assets: {failed}"
        page.close()


def _switch_round_trip(page, start: str) -> list[str]:
    page.goto(start, wait_until="load")
    seen = [page.url]
    for _ in range(2):
        page.click("a.course-language-switch")
        page.wait_for_load_state("load")
        seen.append(page.url)
    return seen


def test_the_switch_leads_to_the_english_page_and_back(site):
    with serve(site) as base, browser() as b:
        page = b.new_page()
        for doc in ("book/index", "book/appendix/glossary", "book/api/optim"):
            zh = f"{base}/zh/{doc}.html"
            seen = _switch_round_trip(page, zh)
            assert seen == [zh, f"{base}/{doc}.html", zh], seen
        page.goto(f"{base}/book/index.html", wait_until="load")
        assert page.inner_text("article h1").startswith(
            "Training Neural Networks")
        assert page.inner_text("a.course-language-switch").strip() == "中文"
        page.close()


def test_the_switch_works_from_disk(site):
    with browser() as b:
        page = b.new_page()
        zh = (site / "zh" / "book" / "index.html").resolve().as_uri()
        seen = _switch_round_trip(page, zh)
        english = (site / "book" / "index.html").resolve().as_uri()
        assert seen == [zh, english, zh], seen
        page.close()


# --- every page of the edition, and its search ------------------------------

WIDTHS = {"phone": 400, "desktop": 1280}
#: Blocks of Chinese text whose fonts are asked for on each page (asking
#: for every block of a chapter takes seconds).
GLYPH_SAMPLE = 40
#: Glossary terms of different chapters the Chinese search must find.
SEARCHED_TERMS = ("batch normalization", "learning rate", "dropout",
                  "convolution", "weight decay")


def zh_pages(site: Path) -> list[str]:
    """Every book page of the Chinese edition (``book/04_batchnorm``...),
    not the generated index, search or module pages."""
    root = site / i18n.ZH_DIR
    return sorted(p.relative_to(root).with_suffix("").as_posix()
                  for p in (root / "book").rglob("*.html"))


@pytest.fixture(scope="module")
def tab(site):
    """(base URL, one browser page reused by every check, its console
    errors, its failed local requests, its requests to other hosts); the
    lists are emptied before each check."""
    with serve(site) as base, browser() as b:
        page = b.new_page()
        errors: list[str] = []
        failed: list[str] = []
        foreign: list[str] = []
        # The browser asks for the site's /favicon.ico on its own (the book
        # has none); that 404 is no page's.
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error"
                and not m.location.get("url", "").endswith("/favicon.ico")
                else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
                if r.status >= 400 and urlparse(r.url).hostname == "127.0.0.1"
                else None)
        page.on("request", lambda r: foreign.append(r.url)
                if r.url.startswith(("http://", "https://"))
                and urlparse(r.url).hostname != "127.0.0.1" else None)
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"),
                   lambda route: route.abort())
        yield base, page, errors, failed, foreign
        page.close()


#: The href of the language switch of the page at ``url``, resolved, read
#: without rendering the page.
_SWITCH_OF = """async (url) => {
  const html = await (await fetch(url)).text();
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const a = doc.querySelector('a.course-language-switch');
  return a ? new URL(a.getAttribute('href'), url).href : null;
}"""


def _page_problems(page, base: str, doc: str, width: int) -> list[str]:
    """What is wrong with the open Chinese page ``doc`` at ``width``."""
    problems = []
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        problems.append(f"scrolls sideways ({scroll} px wide): "
                        f"{page.evaluate(_OVERFLOWING)}")
    if page.evaluate("document.documentElement.lang") != "zh-CN":
        problems.append("its <html> is not lang=zh-CN")
    placeholder = page.get_attribute("input[type=search]", "placeholder") or ""
    if placeholder != i18n.ZH_SEARCH_TEXT:
        problems.append(f"the search box says {placeholder!r}")
    zh = f"{base}/zh/{doc}.html"
    english = f"{base}/{doc}.html"
    switch = page.evaluate("""() => { const a = document.querySelector(
        'a.course-language-switch'); return a ? a.href : null; }""")
    if switch != english:
        problems.append(f"the language switch leads to {switch}, not {english}")
    if width < 1280:
        return problems
    # What does not depend on the width is looked at once: the English
    # page's switch, and the fonts (with the folded answers open).
    back = page.evaluate(_SWITCH_OF, english)
    if back != zh:
        problems.append(f"the English page's switch leads to {back}, not {zh}")
    page.evaluate("""() => { document.querySelectorAll('article details')
        .forEach(d => { d.open = true; });
        return document.fonts.ready.then(() => true); }""")
    checked, wrong = _glyphs_from_other_fonts(page, GLYPH_SAMPLE)
    if not checked:
        problems.append("no Chinese text in the article")
    if wrong:
        problems.append(f"{len(wrong)} blocks draw Chinese without the "
                        f"web font, e.g. {wrong[:1]}")
    return problems


@pytest.mark.parametrize("label", list(WIDTHS))
def test_every_chinese_page_loads_fits_and_links_its_twin(site, tab, label):
    base, page, errors, failed, foreign = tab
    width = WIDTHS[label]
    page.set_viewport_size({"width": width, "height": 900})
    docs = zh_pages(site)
    assert len(docs) >= 20, f"only {len(docs)} pages in {site / 'zh'}: {docs}"
    report: dict[str, list[str]] = {}
    start = time.perf_counter()
    for doc in docs:
        for seen in (errors, failed, foreign):
            seen.clear()
        page.goto(f"{base}/zh/{doc}.html", wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        problems = _page_problems(page, base, doc, width)
        problems += [f"console error: {e}" for e in errors]
        problems += [f"missing: {f}" for f in failed]
        problems += [f"request leaves the book: {f}" for f in foreign[:3]]
        if problems:
            report[doc] = problems
    elapsed = time.perf_counter() - start
    print(f"\n{len(docs)} Chinese pages at {width} px in {elapsed:.1f} s")
    assert not report, f"Chinese pages at {width} px: " + "; ".join(
        f"{doc}: {problems}" for doc, problems in report.items())


def glossary_chapters() -> dict[str, str]:
    """English term -> the chapter that introduces it (``book/04_batchnorm``),
    from the glossary's Chapter column."""
    chapters = {}
    for line in i18n.GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        link = re.search(r"\]\(\.\./(\d\d_\w+)\.md\)", cells[-1])
        if line.startswith("|") and link:
            chapters[cells[0]] = f"book/{link.group(1)}"
    return chapters


def test_the_chinese_search_finds_glossary_terms(site, tab):
    base, page, errors, _, _ = tab
    terms = {t.english[0]: t.chinese[0] for t in i18n.glossary_terms()}
    chapters = glossary_chapters()
    searched = [(terms[e], chapters[e]) for e in SEARCHED_TERMS]
    assert len({chapter for _, chapter in searched}) >= 4, searched
    page.set_viewport_size({"width": 1280, "height": 900})
    # Chinese is written without spaces: the term followed by a particle
    # (one query word for the browser) must find the chapter too.
    queries = [(query, chapter) for chinese, chapter in searched
               for query in (chinese, f"{chinese}的")]
    missed = {}
    for query, chapter in queries:
        errors.clear()
        page.goto(f"{base}/zh/search.html?q={quote(query)}",
                  wait_until="networkidle")
        # The summary is written once every result is listed.
        page.wait_for_function("""() => {
            const summary = document.querySelector('.search-summary');
            return summary && summary.innerText.trim().length > 0; }""",
            timeout=15000)
        found = page.eval_on_selector_all(
            "#search-results ul.search > li > a",
            "as => as.map(a => a.getAttribute('href'))")
        pages = [href.split("#")[0].removesuffix(".html") for href in found]
        assert not errors, f"searching {query}: {errors}"
        if chapter not in pages:
            missed[query] = (chapter, pages[:8])
    assert not missed, f"the Chinese search misses the chapters: {missed}"
