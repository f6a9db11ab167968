"""The glossary's Chinese column is readable on any machine: the book ships a
subset of Noto Sans CJK SC holding every CJK character of its sources, and
the browser draws the column with it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXT = ROOT / "book" / "_ext"
CSS = EXT / "static" / "course.css"


def _load_maker():
    spec = importlib.util.spec_from_file_location(
        "make_cjk_font", EXT / "make_cjk_font.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


maker = _load_maker()


def _cmap() -> set[int]:
    pytest.importorskip("fontTools")
    from fontTools.ttLib import TTFont

    # Reading WOFF2 needs the brotli package (requirements.txt).
    return set(TTFont(str(maker.FONT_OUT)).getBestCmap())


def test_every_cjk_character_of_the_book_is_in_the_font():
    used = maker.cjk_characters()
    assert len(used) > 50, (
        "the scan finds almost no Chinese in the book; is the glossary's "
        f"中文 column still there? found {sorted(used)}")
    cmap = _cmap()
    missing = {c: files for c, files in used.items() if ord(c) not in cmap}
    where = sorted({f for files in missing.values() for f in files})
    assert not missing, (
        f"{len(missing)} CJK characters of the book are not in "
        f"{maker.FONT_OUT.relative_to(ROOT)}: "
        f"{''.join(sorted(missing))} (in {where}). "
        "Regenerate it: .venv/bin/python book/_ext/make_cjk_font.py")


def test_the_font_is_a_small_subset():
    data = maker.FONT_OUT.read_bytes()
    assert data[:4] == b"wOF2", "the web font must be WOFF2"
    assert len(data) < 300_000, f"the web font is {len(data):,} bytes"
    cmap = _cmap()
    cjk_in_font = {c for c in cmap if maker.is_cjk(chr(c))}
    used = {ord(c) for c in maker.cjk_characters()}
    extra = cjk_in_font - used
    assert not extra, (
        f"the font holds {len(extra)} CJK characters the book does not use "
        "(regenerate it to keep it small)")
    assert (EXT / "static" / "fonts" / "OFL-noto-cjk.txt").read_text(
        encoding="utf-8").count("SIL OPEN FONT LICENSE") >= 1


def _unicode_range(css: str) -> list[tuple[int, int]]:
    face = re.search(r"@font-face\s*{[^}]*\"Course CJK\"[^}]*}", css)
    assert face, "course.css has no @font-face for \"Course CJK\""
    assert "url(\"fonts/course-cjk.woff2\")" in face.group(0)
    spec = re.search(r"unicode-range:\s*([^;]+);", face.group(0)).group(1)
    ranges = []
    for part in spec.split(","):
        lo, _, hi = part.strip().removeprefix("U+").partition("-")
        ranges.append((int(lo, 16), int(hi or lo, 16)))
    return ranges


def test_the_stylesheet_loads_the_font_for_chinese_text():
    css = CSS.read_text(encoding="utf-8")
    assert _unicode_range(css) == list(maker.CJK_RANGES)
    rule = re.search(r":lang\(zh\)[^{]*{([^}]*)}", css)
    assert rule and '"Course CJK"' in rule.group(1), (
        "course.css must give :lang(zh) the \"Course CJK\" family")


def test_the_glossary_has_a_chinese_column():
    text = (ROOT / "book" / "appendix" / "glossary.md").read_text(
        encoding="utf-8")
    header = next(line for line in text.splitlines()
                  if line.startswith("| Term"))
    assert "| 中文 |" in header, (
        "cjk_text.py tags the column headed 中文; the glossary's header is "
        f"{header!r}")


# --- in the browser -------------------------------------------------------

_CELLS = """() => [...document.querySelectorAll('article td[lang="zh"]')]
  .map((td, i) => { td.dataset.zhCell = i; return td.innerText; })"""


@pytest.mark.browser
@pytest.mark.book
@pytest.mark.xdist_group("browser")
def test_browser_draws_the_chinese_column_with_the_shipped_font(book_html):
    """Chromium reports, per cell, which fonts drew its glyphs: every CJK
    character must come from the book's web font (a custom font named
    Noto Sans CJK SC), not from a system font or an empty box."""
    from .browser import browser, serve

    with serve(book_html) as base, browser() as b:
        page = b.new_page(viewport={"width": 400, "height": 900})
        failed = []
        page.on("response", lambda r: failed.append(r.url)
                if r.status >= 400 else None)
        page.goto(f"{base}/book/appendix/glossary.html",
                  wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        texts = page.evaluate(_CELLS)
        assert len(texts) > 100, (
            f"{len(texts)} glossary cells carry lang=\"zh\"")
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        wrong = []
        for i, text in enumerate(texts):
            n_cjk = sum(maker.is_cjk(c) for c in text)
            if not n_cjk:
                continue
            node = cdp.send("DOM.querySelector", {
                "nodeId": root, "selector": f'td[data-zh-cell="{i}"]'})
            fonts = cdp.send("CSS.getPlatformFontsForNode",
                             {"nodeId": node["nodeId"]})["fonts"]
            ours = sum(f["glyphCount"] for f in fonts
                       if f["isCustomFont"]
                       and f["familyName"].startswith("Noto Sans CJK"))
            if ours < n_cjk:
                wrong.append((text, fonts))
        assert not failed, f"missing assets: {failed}"
        assert not wrong, (
            f"{len(wrong)} cells draw Chinese without the web font, e.g. "
            f"{wrong[:2]}")
        # On a phone the table scrolls inside its own box, not the page.
        box = page.evaluate("""() => {
          const t = document.querySelector('article table');
          const c = t.closest('.pst-scrollable-table-container') || t;
          const r = c.getBoundingClientRect();
          return [r.left, r.right, getComputedStyle(c).overflowX,
                  document.documentElement.scrollWidth];
        }""")
        assert box[0] >= 0 and box[1] <= 400, f"table box at {box[:2]}"
        assert box[2] in ("auto", "scroll"), box
        assert box[3] <= 400, f"the glossary page is {box[3]} px wide"
        page.close()
