"""The Chinese edition in headless Chromium: its home page is drawn with real
Chinese glyphs from the shipped web font, the theme speaks Chinese, and the
language switch leads to the same page in English and back, over HTTP and
from file://.

Needs both editions built (``python -m course_tools.i18n build``; the site
is ``_build/html``, or ``I18N_HTML``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from course_tools import i18n

from .browser import browser, serve

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
#: each visible element tagged for the lookup.
_ZH_BLOCKS = """() => [...document.querySelectorAll('article *')]
  .filter(e => e.getClientRects().length
               && getComputedStyle(e).visibility !== 'hidden')
  .map(e => [e, [...e.childNodes].filter(n => n.nodeType === 3)
                 .map(n => n.textContent).join('')])
  .filter(([e, text]) => /[\\u4e00-\\u9fff]/.test(text))
  .map(([e, text], i) => { e.dataset.zhBlock = i; return text; })"""


def _glyphs_from_other_fonts(page) -> tuple[int, list]:
    """(CJK characters checked, blocks whose CJK glyphs did not all come
    from the book's web font)."""
    texts = page.evaluate(_ZH_BLOCKS)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    checked, wrong = 0, []
    for i, text in enumerate(texts):
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
