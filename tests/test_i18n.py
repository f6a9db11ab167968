"""The Chinese edition's catalogues and the checks translators rely on.

Fast: no book build. Every check is shown to fail on a planted mistake in a
small synthetic message or ``.po`` file, then run on the real catalogues
in ``locale/``.
"""

from __future__ import annotations

import importlib.util
import re
import tempfile
from pathlib import Path

import pytest

from course_tools import i18n

ROOT = Path(__file__).resolve().parent.parent


def _switch():
    spec = importlib.util.spec_from_file_location(
        "language_switch", ROOT / "book" / "_ext" / "language_switch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


switch = _switch()
TERMS = i18n.glossary_terms()


# --- markup that must survive translation ----------------------------------


@pytest.mark.parametrize("msgid, piece", [
    ("the gap is {glue:text}`ch1_gap:.0e` here", "{glue:text}`ch1_gap:.0e`"),
    ("one update per pass ($b = N$) over the set", "$b = N$"),
    ("the energy $$E = mc^2$$ of a body", "$$E = mc^2$$"),
    ("call `np.log(n_out)` to see", "`np.log(n_out)`"),
    ("see [the chapter](01_foundations.md) for more", "](01_foundations.md"),
    ("see <https://example.org/x> for more", "<https://example.org/x>"),
    ("built on {{ version }} today", "{{ version }}"),
    ("the :math:`r` of a layer", ":math:`r`"),
    ("see {doc}`the foundations <01_foundations>` first", "<01_foundations>"),
    ("see {doc}`the foundations <01_foundations>` first", "{doc}`"),
    ("```{note} is a directive", "```{note}"),
    ("double ``code with `tick` inside`` here", "``code with `tick` inside``"),
])
def test_preserved_markup_finds_each_kind(msgid, piece):
    assert piece in i18n.preserved_markup(msgid)


def test_an_escaped_dollar_is_no_math():
    assert i18n.preserved_markup(r"costs \$5 and \$6 today") == []


def test_code_inside_a_role_is_the_role_not_code():
    found = i18n.preserved_markup("error {glue:text}`ch1_gap:.0e`, tiny")
    assert found == ["{glue:text}`ch1_gap:.0e`"]


GOOD = {
    "The gap is {glue:text}`ch1_gap:.0e` for $b = N$ in `course_lib`; see "
    "[Foundations](01_foundations.md).":
        "当 $b = N$ 时，`course_lib` 中的差距为 {glue:text}`ch1_gap:.0e`；"
        "参见[基础](01_foundations.md)。",
}


def test_a_faithful_translation_passes():
    for msgid, msgstr in GOOD.items():
        assert i18n.check_message(msgid, msgstr, TERMS) == []


@pytest.mark.parametrize("broken, what", [
    ("{glue:text}`ch1_gap:.1e`", "{glue:text}`ch1_gap:.0e`"),   # glue format changed
    ("{glue}`ch1_gap:.0e`", "{glue:text}`ch1_gap:.0e`"),        # role changed
    ("$b=N$", "$b = N$"),                                         # math retyped
    ("`课程库`", "`course_lib`"),                                  # code translated
    ("](01_foundation.md)", "](01_foundations.md"),               # link target
])
def test_changed_markup_is_reported(broken, what):
    msgid, msgstr = next(iter(GOOD.items()))
    planted = msgstr.replace(what if what in msgstr else what + ")", broken, 1)
    assert planted != msgstr
    problems = i18n.check_message(msgid, planted, TERMS)
    assert any(repr(what) in p for p in problems), problems


def test_dropping_one_of_two_equal_pieces_is_reported():
    msgid = "compare $x$ with $x$ again and again"
    assert i18n.check_message(msgid, "比较 $x$ 与 $x$", TERMS) == []
    assert i18n.check_message(msgid, "比较 $x$ 与它自身", TERMS)


def test_a_titled_role_keeps_its_target_and_may_translate_its_title():
    msgid = "Read {doc}`the foundations <01_foundations>` first."
    assert i18n.check_message(msgid, "先读{doc}`基础 <01_foundations>`。", TERMS) == []
    assert i18n.check_message(msgid, "先读{doc}`基础 <02_optimizers>`。", TERMS)


def test_a_substitution_must_stay():
    msgid = "Built with {{ version }} of the library."
    assert i18n.check_message(msgid, "用 {{ version }} 版本的库构建。", TERMS) == []
    assert i18n.check_message(msgid, "用当前版本的库构建。", TERMS)


# --- glossary terms ------------------------------------------------------------


def test_the_glossary_is_parsed_into_terms():
    assert len(TERMS) > 100
    by_english = {form: t for t in TERMS for form in t.english}
    assert by_english["batch normalization"].chinese[0] == "批量归一化"
    assert "批量标准化" in by_english["batch normalization"].chinese
    assert by_english["bias"].chinese == ("偏置",)
    assert by_english["Glorot initialization"].chinese[0] == "Xavier 初始化器"
    assert by_english["SGD"].chinese[0] == "随机梯度下降"
    assert by_english["local minimum"].chinese[0] == "局部极小值"
    assert by_english["constraint"].chinese[0] == "约束"
    for term in TERMS:
        assert term.english and all(term.english), term
        assert term.chinese and all(c.strip() == c and c for c in term.chinese), term


def test_a_glossary_term_needs_its_chinese():
    msgid = "Batch normalization makes these questions go away."
    good = "批量归一化让这些问题迎刃而解。"
    assert i18n.check_message(msgid, good, TERMS) == []
    assert i18n.check_message(msgid, "批量标准化让这些问题迎刃而解。", TERMS) == []
    problems = i18n.check_message(msgid, "批规范化让这些问题迎刃而解。", TERMS)
    assert problems == [
        "glossary: 'batch normalization' must be rendered as '批量归一化' "
        "(or '批量标准化', '批处理规范化')"]


def test_a_longer_term_hides_the_shorter_one_inside_it():
    msgid = "Adam applies a bias correction to both averages."
    found = {t.english[0] for t in i18n.terms_in(msgid, TERMS)}
    assert found == {"Adam", "bias correction"}
    assert i18n.check_message(msgid, "Adam 对两个平均值都做偏差校正。", TERMS) == []


def test_plurals_and_hyphens_match_but_other_words_do_not():
    names = {t.english[0] for t in i18n.terms_in(
        "Mini-batches of weights, a bias-corrected value, hyperparameters.", TERMS)}
    assert names == {"mini-batch", "weight", "hyperparameter"}


def test_terms_in_code_math_or_links_are_not_prose():
    msgid = "Call `weight_decay(dropout)` with $weight$ as [x](gradient.md)."
    assert i18n.terms_in(msgid, TERMS) == []



def test_an_untitled_cross_reference_is_a_name_not_prose():
    msgid = (":py:class:`~course_lib.layers.Dropout` and "
             ":py:func:`~course_lib.network.cnn`")
    assert i18n.terms_in(msgid, TERMS) == []
    assert i18n.nothing_to_translate(":py:class:`~course_lib.layers.Dropout`")
    # kept as it is, or given a title with the same target
    assert i18n.check_message(msgid, msgid, TERMS) == []
    titled = (":py:class:`Dropout <course_lib.layers.Dropout>` 和 "
              ":py:func:`~course_lib.network.cnn`")
    assert i18n.check_message(msgid, titled, TERMS) == []
    # a titled role's title is prose: its terms count
    assert i18n.terms_in(":py:class:`the weight <course_lib.x.W>`", TERMS)


def test_braces_inside_a_rest_math_role_are_no_myst_role():
    msgid = r"an ``eps`` of :math:`10^{-6}` and :math:`(x/x_0)^{power}` here"
    assert i18n.preserved_markup(msgid) == [
        r":math:`10^{-6}`", r":math:`(x/x_0)^{power}`", "``eps``"]


def test_a_glued_phrase_may_be_replaced_by_its_chinese_twin():
    msgid = "Without clipping {glue:text}`ch2_wild`, as {glue:text}`ch2_n:.0f` shows."
    good = "不裁剪时，{glue:text}`ch2_wild_zh`，正如 {glue:text}`ch2_n:.0f` 所示。"
    assert i18n.check_message(msgid, good, TERMS) == []
    # only a glued reference has a twin, and only one named <name>_zh
    for bad in (good.replace("ch2_wild_zh", "ch2_wild_cn"),
                good.replace("ch2_n:.0f", "ch2_n_zh:.0f").replace("ch2_wild_zh", "x")):
        assert i18n.check_message(msgid, bad, TERMS)

# --- untranslated copies ------------------------------------------------------


def test_a_copy_of_a_long_english_message_is_reported():
    msgid = "Chapter 1 is needed by everything after it."
    assert i18n.check_message(msgid, msgid, TERMS) == [
        "the translation is a copy of the English text"]


def test_short_names_chinese_and_kept_cells_may_be_copied():
    for msgid in ("Adam", "AdaDelta", "Sobel 滤波器", "`x_hat`"):
        assert i18n.check_message(msgid, msgid, TERMS) == []
    term = "constraint (max-norm, unit-norm, non-negative, min-max norm)"
    assert i18n.check_message(term, term, TERMS)
    assert i18n.check_message(term, term, TERMS, keep_english=True) == []
    assert term in i18n.glossary_english_cells()


def test_nothing_to_translate_is_math_code_links_and_chinese():
    for msgid in ("$N$", "`N`, `batch_size`", "[6](../06_convolution.md)",
                  "激活函数", "$C$, $H$, $W$"):
        assert i18n.nothing_to_translate(msgid), msgid
    for msgid in ("state `\"m\"`", "[1. Foundations](01_foundations.md)", "LeNet 5"):
        assert not i18n.nothing_to_translate(msgid), msgid


# --- synthetic catalogues -------------------------------------------------------

PO = '''\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"
"Language: zh_CN\\n"

#: book/x.md:1
msgid "Who this course is for"
msgstr "本课程适合谁"

#: book/x.md:3
msgid "The gap is {glue:text}`ch1_gap:.0e` when $b = N$."
msgstr "当 $b = N$ 时，差距为 {glue:text}`ch1_gap:.2e`。"

#: book/x.md:5
msgid "Dropout helps a network that overfits its training data."
msgstr "Dropout helps a network that overfits its training data."

#: book/x.md:7
msgid "Plain gradient descent stalls."
msgstr "朴素的梯度方法停滞不前。"

#, fuzzy
#: book/x.md:9
msgid "Why does the same network learn?"
msgstr "为什么同一个网络能学习？"

#: book/x.md:11
msgid "Each chapter ends with a graded assignment."
msgstr ""

#: book/x.md:13
msgid "$N$"
msgstr ""

#~ msgid "An old sentence that was removed."
#~ msgstr "一个被删掉的旧句子。"
'''


@pytest.fixture
def locale(tmp_path):
    po = tmp_path / "zh_CN" / "LC_MESSAGES" / "book" / "x.po"
    po.parent.mkdir(parents=True)
    po.write_text(PO, encoding="utf-8")
    return tmp_path


def test_check_catalogue_reports_each_planted_mistake_with_its_line(locale):
    po = i18n.catalogues(locale)["book/x"]
    problems = i18n.check_catalogue("book/x", po, TERMS)
    found = {(p.line, p.problem) for p in problems}
    assert found == {
        (11, "markup '{glue:text}`ch1_gap:.0e`' of the English is missing or changed"),
        (15, "glossary: 'dropout' must be rendered as '丢弃法' (or 'dropout')"),
        (15, "glossary: 'training data' must be rendered as '训练数据'"),
        (15, "the translation is a copy of the English text"),
        (19, "glossary: 'gradient descent' must be rendered as '梯度下降'"),
    }, found


def test_status_counts_each_kind_of_message(locale, capsys):
    row = i18n.document_status("book/x", i18n.catalogues(locale)["book/x"])
    assert (row.messages, row.translated, row.fuzzy, row.untranslated, row.obsolete) \
        == (7, 4, 1, 2, 1)
    assert not row.complete
    assert i18n.status([], strict=False, locale=locale) == 0
    assert i18n.status([], strict=True, locale=locale) == 1
    out = capsys.readouterr()
    assert "book/x" in out.out and "untranslated or fuzzy" in out.err


def test_status_strict_passes_once_everything_is_translated(locale):
    po = i18n.catalogues(locale)["book/x"]
    text = po.read_text(encoding="utf-8").replace("#, fuzzy\n", "")
    text = text.replace('graded assignment."\nmsgstr ""',
                        'graded assignment."\nmsgstr "每章"')
    text = text.replace('msgid "$N$"\nmsgstr ""', 'msgid "$N$"\nmsgstr "$N$"')
    po.write_text(text, encoding="utf-8")
    assert i18n.status([], strict=True, locale=locale) == 0


def test_status_names_an_unknown_document(locale, capsys):
    assert i18n.status(["book/nope"], strict=False, locale=locale) == 2
    assert "'documents' must name catalogued documents" in capsys.readouterr().err


def test_fill_copies_messages_with_nothing_to_translate(locale):
    po = i18n.catalogues(locale)["book/x"]
    assert i18n.fill_notation_only(po) == 1
    assert 'msgid "$N$"\nmsgstr "$N$"' in po.read_text(encoding="utf-8")
    assert i18n.fill_notation_only(po) == 0


# --- docstrings: messages written in reST ----------------------------------------


def test_a_docstring_or_overview_location_is_rest_a_book_file_is_not():
    assert i18n.is_rest_message([("course_lib.optim.adam.Adam", 3), ("of", None)])
    assert i18n.is_rest_message([("course_lib.optim", 1)])
    assert not i18n.is_rest_message([("book/api/optim.md", 3)])
    assert not i18n.is_rest_message([("of", None)])


@pytest.mark.parametrize("msgid, broken, what", [
    ("Bounds, ``0 < low < high`` (the values).", "边界，``0 < low < high``（数值）。",
     "Inline literal start-string without end-string."),
    ("Input length :math:`W` (height).", "输入长度 :math:`W`（高度）。",
     "Inline interpreted text or phrase reference start-string without end-string."),
    ("``a`` (one) and ``b`` (two)", "``a``（一）和 ``b``（二）", "literal 'a' is lost"),
    ("or (with ``f``) if :math:`S` divides", "或者（在 ``f`` 时）:math:`S` 整除",
     "role:math 'S' is lost"),
    ("Adds **twice** the step.", "加上**两倍**步长。",
     "emphasis"),
    ("Uses :class:`Uniform` (or :class:`LogUniform`).",
     "使用 :class:`Uniform`（或 :class:`LogUniform`）。", "cross-references"),
    ("list of ndarray", "ndarray 列表", "a type expression stays as written"),
    ("int or None", "int 或 None", "a type expression stays as written"),
])
def test_rest_a_translation_docutils_rejects_is_reported(msgid, broken, what):
    assert i18n.check_rest_message(msgid, msgid) == []
    problems = i18n.check_rest_message(msgid, broken)
    assert any(what in p for p in problems), problems


@pytest.mark.parametrize("msgid, good", [
    ("Bounds, ``0 < low < high`` (the values).",
     "边界，``0 < low < high``\\ （数值）。"),
    ("Input length :math:`W` (height).", "输入长度 :math:`W`\\ （高度）。"),
    ("The rate of epoch ``i`` (0-based).",
     "第 ``i`` 个 epoch 的学习率（``i`` 从 0 开始）。"),
    (":py:class:`~course_lib.optim.AdaDelta`",
     ":py:class:`AdaDelta <course_lib.optim.AdaDelta>`"),
    ("Changes ``p`` **in place**.", "**原地** 修改 ``p``。"),
    ("list of ndarray", "list of ndarray"),
    ("Number of images.", "图像数量。"),
])
def test_rest_a_faithful_translation_passes(msgid, good):
    assert i18n.check_rest_message(msgid, good) == []


def test_rest_parsing_leaves_docutils_roles_as_they_were():
    from docutils.parsers.rst import roles

    before = dict(roles._roles)
    i18n.rest_parse(":py:class:`X` and :math:`x`")
    assert roles._roles == before


REST_PO = PO.split("#: book/x.md:3\n")[0] + '''\
#: course_lib.optim:3 of
msgid "Bounds, ``0 < low < high`` (the values)."
msgstr "边界，``0 < low < high``（数值）。"

#: course_lib.optim.base.Optimizer:20 of
msgid "list of ndarray"
msgstr "ndarray 列表"

#: course_lib.optim:22 of
msgid "Momentum"
msgstr "Momentum"

#: book/api/optim.md:7
msgid "The step is ``x``(here)."
msgstr "步长是 ``x``（这里）。"
'''


def test_check_catalogue_reports_rest_mistakes_of_docstrings_only(tmp_path):
    po = tmp_path / "zh_CN" / "LC_MESSAGES" / "book" / "x.po"
    po.parent.mkdir(parents=True)
    po.write_text(REST_PO, encoding="utf-8")
    problems = i18n.check_catalogue("book/x", po, TERMS)
    # the Markdown page's message is MyST, not checked as reST; a docstring
    # table's class name needs no glossary term
    assert {p.msgid for p in problems} == {
        "Bounds, ``0 < low < high`` (the values).", "list of ndarray"}, \
        [str(p) for p in problems]
    assert all(p.problem.startswith("reST: ") for p in problems)
    assert all(p.line > 0 for p in problems)


# --- the real catalogues -------------------------------------------------------


def _toc_documents() -> list[str]:
    text = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    return re.findall(r"(?:root|file):\s*(\S+)", text)


def test_every_document_of_the_book_has_a_catalogue():
    found = i18n.catalogues()
    missing = [d for d in _toc_documents() if d not in found]
    assert not missing, (f"no .po file for {missing}: run "
                         "`python -m course_tools.i18n extract`")


def test_every_catalogue_is_complete():
    """Nothing untranslated or fuzzy, in the book, its figures and the
    assignments (``status --strict``)."""
    missing = i18n.incomplete_messages()
    assert not missing, "\n".join(
        f"{d}.po:{line}: {m[:70]}" for d, line, m in missing[:20])
    assert len(i18n.catalogues()) > 30


@pytest.mark.book
def test_the_chinese_edition_shows_no_english_message():
    """The last Chinese build found a translation for every message (an
    English text changed after the last extract shows up here)."""
    try:
        shown = i18n.untranslated_in_build()
    except FileNotFoundError:
        pytest.skip("the Chinese edition is not built (make book)")
    assert not shown, "\n".join(
        f"{r['document']}:{r['line']}: {r['message'][:70]}" for r in shown[:20])


@pytest.mark.book
def test_chinese_chapters_offer_the_chinese_notebooks(book_html):
    zh = book_html / i18n.ZH_DIR
    if not (zh / "book" / "01_foundations.html").exists():
        pytest.skip("the Chinese edition is not built (make book)")
    for page, name in (("01_foundations", "foundations.ipynb"),
                       ("05_regularization", "regularization.ipynb")):
        for root, chinese in ((book_html, False), (zh, True)):
            html = (root / "book" / f"{page}.html").read_text(encoding="utf-8")
            link = re.search(rf'href="([^"]*_downloads/[^"]*/{name})"', html)
            assert link, f"{root}/{page}: no download of {name}"
            nb = (root / "book" / link.group(1)).resolve().read_text(encoding="utf-8")
            assert ("YOUR CODE HERE" in nb) and (
                bool(re.search(r"[\u4e00-\u9fff]", nb)) is chinese), link.group(1)


def test_every_translation_passes_the_checks():
    found = i18n.catalogues()
    problems = [str(p) for d, po in found.items()
                for p in i18n.check_catalogue(d, po, TERMS)]
    assert not problems, "\n".join(problems)


def _code_cell_lines(md: Path) -> list[str]:
    lines, inside = [], False
    for line in md.read_text(encoding="utf-8").splitlines():
        if line.startswith("```{code-cell}"):
            inside = True
        elif inside and line.startswith("```"):
            inside = False
        elif inside and len(line.strip()) > 25 and not line.startswith(":"):
            lines.append(line.strip())
    return lines


def _display_math(md: Path) -> list[str]:
    return [m.strip() for m in re.findall(r"^\$\$(.+?)^\$\$", md.read_text(
        encoding="utf-8"), re.S | re.M)]


def test_code_cells_and_display_math_are_no_messages():
    from babel.messages.pofile import read_po

    checked = 0
    for document, po in i18n.catalogues().items():
        md = ROOT / f"{document}.md"
        if not md.exists():
            continue
        with po.open("rb") as handle:
            ids = "\n".join(m.id for m in read_po(handle) if isinstance(m.id, str))
        code = _code_cell_lines(md)
        leaked = [line for line in code if line in ids]
        assert not leaked, f"{document}: code cells became messages: {leaked[:3]}"
        math = [m for m in _display_math(md) if len(m) > 20]
        assert not [m for m in math if m in ids], f"{document}: display math"
        checked += len(code)
    assert checked > 100, "found almost no code cells in the chapters"


def test_the_chinese_font_holds_every_translated_character():
    pytest.importorskip("fontTools")
    from fontTools.ttLib import TTFont

    data = i18n.ZH_FONT.read_bytes()
    assert data[:4] == b"wOF2"
    cmap = {chr(c) for c in TTFont(str(i18n.ZH_FONT)).getBestCmap()}
    missing = i18n.zh_font_characters() - cmap
    assert not missing, (f"{len(missing)} characters missing from {i18n.ZH_FONT}: "
                         f"{''.join(sorted(missing))}; run "
                         "`python -m course_tools.i18n font`")
    assert "中" in cmap and "从" in cmap


def test_the_check_command_passes_on_the_real_catalogues(capsys):
    assert i18n.main(["check"]) == 0
    assert "0 problems" in capsys.readouterr().out


# --- the language switch -------------------------------------------------------


@pytest.mark.parametrize("page, uri, root, url", [
    ("book/index", "book/index.html", "zh/", "../zh/book/index.html"),
    ("book/api/optim", "book/api/optim.html", "zh/", "../../zh/book/api/optim.html"),
    ("search", "search.html", "zh/", "zh/search.html"),
    ("book/index", "book/index.html", "../", "../../book/index.html"),
    ("book/api/optim", "book/api/optim.html", "..", "../../../book/api/optim.html"),
])
def test_the_switch_links_to_the_same_page_in_the_other_edition(page, uri, root, url):
    assert switch.page_url(page, uri, root) == url


def test_the_edition_follows_the_language():
    assert switch.edition("zh_CN")[1] == "English"
    assert switch.edition(None)[1] == "中文"
    assert switch.edition("en")[0] == "zh/"


class _Config:
    language = "zh_CN"
    language_switch_root = ""
    language_switch_label = ""
    language_switch_hreflang = ""


class _Builder:
    format = "html"

    def get_target_uri(self, pagename):
        return pagename + ".html"


class _App:
    config = _Config()
    builder = _Builder()


def test_every_page_gets_the_button_and_an_alternate_link():
    from jinja2 import DictLoader, Environment

    context = {"theme_article_header_end": "article-header-buttons.html",
               "metatags": ""}
    switch._page_context(_App(), "book/appendix/glossary", "page.html", context, None)
    # The theme's buttons are drawn inside the switch's row.
    assert context["theme_article_header_end"] == ["language-switch.html"]
    assert context["language_switch"]["buttons"] == "article-header-buttons.html"
    assert context["language_switch"]["url"] == "../../../book/appendix/glossary.html"
    assert 'hreflang="en"' in context["metatags"]
    loader = DictLoader({"article-header-buttons.html": "<b>buttons</b>"})
    html = Environment(loader=loader).from_string(switch._HTML).render(context)
    assert "<b>buttons</b>" in html
    assert 'href="../../../book/appendix/glossary.html"' in html
    assert ">English</span>" in html and 'lang="en"' in html


def test_glue_in_a_translation_reads_its_documents_glue_cache():
    text = ("差距为 {glue:text}`ch3_gap:.3g`，准确率 {glue:text}`ch3_acc:.1%`，"
            "另见 {glue:text}`other.md::k:.2f`。")
    # a phrase without a format gets the one myst-nb gives it ("s"), or
    # myst-nb would read the path as the key
    assert i18n.glue_from("book/x.md", "即 {glue:text}`ch2_gain_zh`。") == (
        "即 {glue:text}`/book/x.md::ch2_gain_zh:s`。")
    assert i18n.glue_from("book/03_initialization.md", text) == (
        "差距为 {glue:text}`/book/03_initialization.md::ch3_gap:.3g`，准确率 "
        "{glue:text}`/book/03_initialization.md::ch3_acc:.1%`，"
        "另见 {glue:text}`other.md::k:.2f`。")


# --- the Sphinx configuration ----------------------------------------------------


def test_the_editions_configuration():
    zh = i18n.sphinx_overrides("zh_CN", ROOT / "_build" / ".jupyter_cache")
    assert zh["language"] == "zh_CN"
    assert zh["gettext_compact"] is False
    assert zh["locale_dirs"] == [str(i18n.LOCALE)]
    assert zh["html_title"] == "从零开始训练神经网络"
    assert zh["html_theme_options"] == {"search_bar_text": i18n.ZH_SEARCH_TEXT}
    assert {"language_switch", "course_tools.i18n", "myst_nb"} <= set(zh["extensions"])
    assert "course_tools.i18n_widgets" in zh["extensions"]
    words = Path(zh["html_search_options"]["dict"]).read_text(
        encoding="utf-8").split()
    assert {"批量归一化", "学习率", "初始化器"} <= set(words) and "He" not in words
    en = i18n.sphinx_overrides(None, ROOT / "_build" / ".jupyter_cache")
    assert "language" not in en and "html_title" not in en
    assert "html_search_options" not in en
    assert en["nb_execution_cache_path"] == str(ROOT / "_build" / ".jupyter_cache")


def test_pot_locations_become_repository_relative():
    # Sphinx writes locations relative to the gettext output folder.
    with tempfile.TemporaryDirectory(dir=ROOT, prefix=".i18n-test-") as folder:
        pot = Path(folder) / "book" / "x.pot"
        pot.parent.mkdir()
        pot.write_text('#: ../book/index.md:13 ../book/index.md\nmsgid "a"\n'
                       '#: course_lib.optim.Adam:4\nmsgid "b"\n', encoding="utf-8")
        i18n._root_relative_locations(Path(folder))
        # A docstring's location is a dotted name, not a path: kept.
        assert pot.read_text(encoding="utf-8") == (
            '#: book/index.md:13 book/index.md\nmsgid "a"\n'
            '#: course_lib.optim.Adam:4\nmsgid "b"\n')


# --- the Sphinx side, on a two-page book --------------------------------------

_INDEX = """\
# A small book

A paragraph with $x^2$ and `np.log`, see [the page](page.md).

$$
a = b + c
$$

```{toctree}
:caption: Chapters

page
```
"""

_PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"

msgid "A small book"
msgstr "一本小书"

msgid "A paragraph with $x^2$ and `np.log`, see [the page](page.md)."
msgstr "含有 $x^2$ 和 `np.log` 的段落，参见[那一页](page.md)。"

msgid "Chapters"
msgstr "章节"
"""


def _sphinx(src: Path, builder: str, out: Path, **conf) -> None:
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    overrides = {"extensions": ["myst_parser", "course_tools.i18n"],
                 "myst_enable_extensions": ["dollarmath"],
                 "gettext_compact": False, "locale_dirs": [str(src / "locale")],
                 "html_theme": "basic", **conf}
    with docutils_namespace():
        app = Sphinx(str(src), None, str(out), str(out / ".doctrees"), builder,
                     confoverrides=overrides, status=None, warning=None,
                     freshenv=True)
        app.build()
        assert app.statuscode == 0


@pytest.mark.slow
def test_a_small_book_is_extracted_and_translated(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text(_INDEX, encoding="utf-8")
    # front matter is the page's metadata, no message
    (src / "page.md").write_text("---\njupytext:\n  text_representation: x\n---\n"
                                 "# The page\n\nSome text.\n", encoding="utf-8")
    _sphinx(src, "gettext", tmp_path / "pot")
    pot = (tmp_path / "pot" / "index.pot").read_text(encoding="utf-8")
    assert ('msgid "A paragraph with $x^2$ and `np.log`, see [the page](page.md)."'
            in pot)
    assert 'msgid "Chapters"' in pot
    assert "a = b + c" not in pot, "display math became a message"

    po = src / "locale" / "zh_CN" / "LC_MESSAGES" / "index.po"
    po.parent.mkdir(parents=True)
    po.write_text(_PO, encoding="utf-8")
    _sphinx(src, "html", tmp_path / "html", language="zh_CN")
    html = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    assert "一本小书" in html and "含有" in html and "的段落" in html
    assert 'href="page.html"' in html and "那一页" in html
    assert "np.log" in html and "a = b + c" in html
    assert "章节" in html and ">Chapters<" not in html
    # the build lists what it showed in English: the untranslated page only
    shown = i18n.untranslated_in_build(tmp_path / "html" / ".doctrees")
    assert [(r["document"], r["message"]) for r in shown] == [
        ("page", "The page"), ("page", "Some text.")], shown


def _notebook() -> str:
    import json

    glue = {"output_type": "display_data", "metadata": {"scrapbook": {
        "name": "gap", "mime_prefix": "application/papermill.record/"}},
        "data": {"application/papermill.record/text/plain": "0.4567"}}
    markdown = {"output_type": "display_data", "metadata": {},
                "data": {"text/markdown": "Validation accuracy **91.7 %** today."}}
    cells = [
        {"cell_type": "markdown", "id": "a1", "metadata": {}, "source":
         "# Numbers\n\nThe gap is {glue:text}`gap:.2f` after training."},
        {"cell_type": "code", "id": "a2", "metadata": {}, "execution_count": 1,
         "source": "glue('gap', 0.4567)", "outputs": [glue, markdown]},
    ]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5})


@pytest.mark.slow
def test_glue_in_a_translated_notebook_shows_the_same_number(tmp_path):
    src = tmp_path / "src"
    po = src / "locale" / "zh_CN" / "LC_MESSAGES" / "index.po"
    po.parent.mkdir(parents=True)
    (src / "index.ipynb").write_text(_notebook(), encoding="utf-8")
    conf = {"extensions": ["myst_nb", "course_tools.i18n"],
            "nb_execution_mode": "off"}
    _sphinx(src, "gettext", tmp_path / "pot", **conf)
    pot = (tmp_path / "pot" / "index.pot").read_text(encoding="utf-8")
    assert 'msgid "The gap is {glue:text}`gap:.2f` after training."' in pot
    assert "glue('gap'" not in pot, "a code cell became a message"
    assert "Validation accuracy" not in pot, "an output became a message"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "The gap is {glue:text}`gap:.2f` after training."\n'
        'msgstr "训练之后，差距为 {glue:text}`gap:.2f`。"\n', encoding="utf-8")
    _sphinx(src, "html", tmp_path / "html", language="zh_CN", **conf)
    html = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    assert "训练之后，差距为 0.46。" in text
    assert "Validation accuracy 91.7 % today." in text


def test_a_changed_english_sentence_becomes_fuzzy(tmp_path):
    """Editing the English never leaves a stale translation in the book:
    sphinx-intl marks it fuzzy, Sphinx then shows the English, and
    ``status --strict`` fails until a translator confirms it."""
    basic = pytest.importorskip("sphinx_intl.basic")
    pot_dir, locale = tmp_path / "pot", tmp_path / "locale"
    pot = pot_dir / "book" / "x.pot"
    pot.parent.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
    pot.write_text(header + 'msgid "Who this course is for"\nmsgstr ""\n',
                   encoding="utf-8")
    basic.update(str(locale), str(pot_dir), ("zh_CN",), jobs=1)
    po = i18n.catalogues(locale)["book/x"]
    po.write_text(po.read_text(encoding="utf-8").replace(
        'msgid "Who this course is for"\nmsgstr ""',
        'msgid "Who this course is for"\nmsgstr "本课程适合谁"'), encoding="utf-8")
    assert i18n.status([], strict=True, locale=locale) == 0
    pot.write_text(header + 'msgid "Who this course is written for"\nmsgstr ""\n',
                   encoding="utf-8")
    basic.update(str(locale), str(pot_dir), ("zh_CN",), jobs=1)
    row = i18n.document_status("book/x", po)
    # The old translation is kept for review, marked fuzzy.
    assert (row.messages, row.translated, row.fuzzy) == (1, 0, 1)
    assert 'msgstr "本课程适合谁"' in po.read_text(encoding="utf-8")
    assert i18n.status([], strict=True, locale=locale) == 1


_DEMO = '''"""A tiny library for the reST switch."""

__all__ = ["Thing", "Other", "LIMIT", "NAMES"]


class Thing:
    """A thing with :math:`x^2` and :class:`Other`.

    It holds ``n`` (a count) items.
    """


class Other:
    """Another thing."""


LIMIT = 3
"""At most :math:`3` things."""

NAMES = {"a": 1}
'''

_API_PAGE = """\
# The API

Read `Thing` first.

```{eval-rst}
.. api-overview:: zh_demo_lib

.. autoclass:: zh_demo_lib.Thing

.. autoclass:: zh_demo_lib.Other

.. autodata:: zh_demo_lib.LIMIT
```
"""

_API_PO = r'''msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\n"

msgid "Read `Thing` first."
msgstr "先读 `Thing`。"

msgid ":py:class:`~zh_demo_lib.Thing`"
msgstr ":py:class:`Thing <zh_demo_lib.Thing>`"

msgid "A thing with :math:`x^2` and :class:`Other`."
msgstr "一个带有 :math:`x^2`\\ 、链接到 :class:`Other` 的东西。"

msgid "It holds ``n`` (a count) items."
msgstr "它存放 ``n``\\ （一个计数）个条目。"

msgid "At most :math:`3` things."
msgstr "至多 :math:`3`\\ 个东西。"
'''


@pytest.mark.slow
def test_a_translated_docstring_is_parsed_as_rest_on_a_markdown_page(tmp_path,
                                                                      monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    (src / "index.md").write_text(_API_PAGE, encoding="utf-8")
    (tmp_path / "zh_demo_lib.py").write_text(_DEMO, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(ROOT / "book" / "_ext"))
    po = src / "locale" / "zh_CN" / "LC_MESSAGES" / "index.po"
    po.parent.mkdir(parents=True)
    po.write_text(_API_PO, encoding="utf-8")
    # The book's .md pages are myst-nb's (a myst_parser build earlier in the
    # process leaves ".md" mapped to its own parser otherwise).
    _sphinx(src, "html", tmp_path / "html", language="zh_CN", nb_execution_mode="off",
            extensions=["myst_nb", "sphinx.ext.autodoc", "api_overview",
                        "course_tools.i18n"],
            source_suffix={".rst": "restructuredtext", ".md": "myst-nb"})
    html = (tmp_path / "html" / "index.html").read_text(encoding="utf-8")
    body = re.sub(r"<[^>]+>", "", html)
    # the docstring's translation is reST: its roles and escapes work
    assert ":math:" not in body and ":class:" not in body and "\\ " not in body
    assert "一个带有" in body and "它存放" in body and "至多" in body
    assert re.search(r'<span class="math[^"]*">\\\(x\^2\\\)</span>', html), html
    assert 'href="#zh_demo_lib.Other"' in html
    assert '<span class="pre">n</span></code>' in html
    # the page's own message stays MyST (a single backtick is code)
    assert "先读" in body and '<span class="pre">Thing</span></code>。' in html
    # the overview: the link's title and the translated first paragraph
    assert "一个带有 x^2、链接到 Other 的东西。" in body
    assert "A thing with" not in body and "Another thing." in body
    # a data object's summary is its own docstring, never its type's
    assert "至多 3个东西。" in body and "new empty dictionary" not in body
