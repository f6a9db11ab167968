"""The interactive figures' texts in the Chinese edition: marked in the
pre-rendered HTML, collected into widgets.po, rewritten exactly in a
non-English build and nowhere else."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from course_lib.figures import prerendered
from course_lib.figures.prerender import view_alt
from course_tools import i18n, i18n_widgets

ROOT = Path(__file__).resolve().parent.parent

ZH = {"slope & co": "斜率 & 等", "style": "样式", "line <b>": "线 <b>",
      "dots": "点", "rate": "学习率", "1": "一", "2": "二", "0.1": "0.1",
      "0.3": "0.3", "{control} = {choice}": "{control}：{choice}", ", ": "；"}


def line(a=1.0, style="-", rate=0.1):
    fig, ax = plt.subplots(figsize=(1.2, 0.8))
    ax.plot([0, 1], [0, a * rate], style)
    return fig


@pytest.fixture(scope="module")
def figure():
    """Every kind of control: a slider, radio buttons and a menu."""
    views = prerendered(
        line, {"a": [1.0, 2.0], "style": {"line <b>": "-", "dots": "o"},
               "rate": [0.1, 0.3]},
        initial={"style": "o", "rate": 0.3},
        labels={"a": "slope & co"},
        widgets={"a": "slider", "style": "radio", "rate": "select"})
    return views.markup


def _visible_text(markup: str) -> str:
    """The text a reader sees, script excluded."""
    markup = re.sub(r"<script>.*?</script>", "", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _figure_html(page: str) -> str:
    start = page.index('<div id="course-views')
    return page[start:page.index("</script></div>", start) + len("</script></div>")]


# --- marking and finding -------------------------------------------------------


def test_every_text_a_reader_sees_is_marked(figure):
    [texts] = i18n_widgets.figure_texts(figure)
    assert texts == {"controls": ["slope & co", "style", "rate"],
                     "choices": [["1", "2"], ["line <b>", "dots"], ["0.1", "0.3"]],
                     "alt": "{control} = {choice}", "join": ", "}
    assert [t for t, _ in i18n_widgets.text_messages(texts)] == [
        "slope & co", "1", "2", "style", "line <b>", "dots", "rate", "0.1",
        "0.3", "{control} = {choice}", ", "]
    # blank every marked text: no word of the controls is left
    shown = _visible_text(figure)
    assert "slope & co" in shown and "line <b>" in shown
    assert _visible_text(i18n_widgets._frame(figure)).strip() == ""
    # the description is composed from the texts, for the view on show
    view = re.search(r'data-view="([^"]+)"', figure).group(1)
    assert view == "0-1-1"
    alt = html.unescape(re.search(r'\salt="([^"]*)"', figure).group(1))
    assert alt == view_alt(texts, view) == "slope & co = 1, style = dots, rate = 0.3"
    # the page's script reads its texts from the marked attribute
    assert "t.choices[k][idx[k]]" in figure and '"alts"' not in figure


def test_descriptions_given_per_view_are_texts_too():
    views = prerendered(line, {"a": [1.0, 2.0]},
                        alt=lambda a: f"a line of slope {a:g}")
    [texts] = i18n_widgets.figure_texts(views.markup)
    assert texts["alts"] == {"0": "a line of slope 1", "1": "a line of slope 2"}
    messages = [t for t, _ in i18n_widgets.text_messages(texts)]
    assert "a line of slope 2" in messages and "{control} = {choice}" not in messages
    table = {"a line of slope 1": "斜率为 1 的直线"}
    new, _ = i18n_widgets.rewrite(views.markup, table.get)
    assert 'alt="斜率为 1 的直线"' in new
    plt.close("all")


# --- rewriting -------------------------------------------------------------


def test_rewrite_translates_each_marked_text_and_nothing_else(figure):
    new, missing = i18n_widgets.rewrite(figure, ZH.get)
    assert missing == []
    assert i18n_widgets.verify(figure, new, ZH.get) == []
    assert i18n_widgets._frame(new) == i18n_widgets._frame(figure)
    [texts] = i18n_widgets.figure_texts(new)
    assert texts["controls"] == ["斜率 & 等", "样式", "学习率"]
    assert texts["choices"][0] == ["一", "二"]
    assert '<span data-course-text>斜率 &amp; 等</span>' in new
    assert '<span data-course-text>线 &lt;b&gt;</span>' in new
    assert 'value="1" selected data-course-text>0.3</option>' in new
    assert 'data-course-text>一</output>' in new
    assert 'alt="斜率 &amp; 等：一；样式：点；学习率：0.3"' in new
    # numbers outside the marked texts (ids, values, images) are untouched
    assert new.count('value="1"') == figure.count('value="1"')
    images = re.findall(r"base64,[^\"]+", figure)
    assert images and images == re.findall(r"base64,[^\"]+", new)


def test_the_english_output_is_unchanged(figure):
    same, missing = i18n_widgets.rewrite(figure, lambda text: None)
    assert same == figure and len(missing) == 11
    assert i18n_widgets.rewrite(figure, lambda text: text)[0] == figure
    unrelated = "<p>learning rate: 0.1</p>"
    assert i18n_widgets.rewrite(unrelated, ZH.get) == (unrelated, [])


def test_a_text_without_a_translation_stays_english_and_is_reported(figure):
    partial = {k: v for k, v in ZH.items() if k != "dots"}
    new, missing = i18n_widgets.rewrite(figure, partial.get)
    assert missing == ["dots"]
    assert "<span data-course-text>dots</span>" in new
    assert "样式：dots" in new
    assert i18n_widgets.verify(figure, new, partial.get) == []


@pytest.mark.parametrize("plant, problem", [
    # a naive replacement also rewrites ids, values and images
    (lambda en, zh: en.replace("1", "一"), "outside the marked texts"),
    (lambda en, zh: zh.replace(">样式<", ">学习率<"), "'style' is shown as '学习率'"),
    (lambda en, zh: zh.replace("样式：点", "style：点"), "description"),
    (lambda en, zh: zh.replace("&quot;点&quot;", "&quot;线&quot;"),
     "data-course-texts"),
    (lambda en, zh: zh.replace('data-view="0-1-1"', 'data-view="0-0-1"'), "outside"),
])
def test_a_planted_wrong_replacement_is_caught(figure, plant, problem):
    good, _ = i18n_widgets.rewrite(figure, ZH.get)
    bad = plant(figure, good)
    assert bad != good
    problems = i18n_widgets.verify(figure, bad, ZH.get)
    assert problems and any(problem in p for p in problems), problems


def test_two_figures_in_one_output_keep_their_own_texts(figure):
    other = prerendered(line, {"style": {"dots": "o", "line <b>": "-"}}).markup
    both = figure + "<p>between</p>" + other
    new, _ = i18n_widgets.rewrite(both, ZH.get)
    assert i18n_widgets.verify(both, new, ZH.get) == []
    first, second = i18n_widgets.figure_texts(new)
    assert first["controls"][0] == "斜率 & 等" and second["controls"] == ["样式"]
    assert 'alt="样式：点"' in new and "<p>between</p>" in new
    plt.close("all")


# --- the catalogue ---------------------------------------------------------


def _notebook(markup: str, source: str = "show()") -> dict:
    return {"cells": [
        {"cell_type": "markdown", "source": "# A chapter"},
        {"cell_type": "code", "source": source, "outputs": [
            {"output_type": "execute_result",
             "data": {"text/html": markup, "text/plain": "<StaticViews>"}}]}]}


def test_texts_are_collected_with_their_place(figure):
    source = "# A chapter\n\n```{code-cell} ipython3\nshow()\n```\n"
    entries = i18n_widgets.collect_notebook(_notebook(figure), "book/x.md", source)
    assert list(entries)[:3] == ["slope & co", "1", "2"]
    assert entries["dots"].locations == [("book/x.md", 4)]
    assert entries["dots"].comments == ["a choice of the control 'style'"]


def test_update_works_like_sphinx_intl(tmp_path, figure):
    from babel.messages.pofile import read_po, write_po

    po = tmp_path / "widgets.po"
    entries = i18n_widgets.collect_notebook(_notebook(figure), "book/x.md")
    assert i18n_widgets.update(po, i18n_widgets.template(entries)) == ("created", 5)
    text = po.read_text(encoding="utf-8")
    assert 'msgid "slope & co"\nmsgstr ""' in text
    assert 'msgid "0.3"\nmsgstr "0.3"' in text          # nothing to translate
    assert "Project-Id-Version: Training Neural Networks" in text
    po.write_text(text.replace('msgid "rate"\nmsgstr ""',
                               'msgid "rate"\nmsgstr "学习率"'), encoding="utf-8")
    renamed = prerendered(line, {"rate": [0.1, 0.3]},
                          labels={"rate": "rates"}).markup
    entries = i18n_widgets.collect_notebook(_notebook(renamed), "book/x.md")
    assert i18n_widgets.update(po, i18n_widgets.template(entries))[0] == "updated"
    status = i18n_widgets.catalogue_status(po, list(entries))
    assert status.fuzzy == ["rates"] and status.translated == 3
    assert status.untranslated == ["{control} = {choice}"] and status.obsolete == 6
    assert 'msgid "rates"\nmsgstr "学习率"' in po.read_text(encoding="utf-8")
    assert i18n_widgets.update(po, i18n_widgets.template(entries))[0] == "unchanged"
    # the layout of the book's catalogues: babel's, 76 columns
    with po.open("rb") as handle:
        catalog = read_po(handle)
    again = io.BytesIO()
    write_po(again, catalog, width=76)
    assert again.getvalue() == po.read_bytes()
    plt.close("all")


@pytest.fixture
def catalogue(tmp_path, figure, monkeypatch):
    """A complete catalogue of ``figure``, and ``collect`` finding it."""
    entries = i18n_widgets.collect_notebook(_notebook(figure), "book/x.md")
    monkeypatch.setattr(i18n_widgets, "collect",
                        lambda cache: (entries, ["book/x.md"]))
    from babel.messages.pofile import read_po, write_po

    po = tmp_path / "widgets.po"
    i18n_widgets.update(po, i18n_widgets.template(entries))
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id:
            message.string = ZH[message.id]
    with po.open("wb") as handle:
        write_po(handle, catalog, width=76)
    return po


def test_status_strict_passes_on_a_complete_catalogue(catalogue, capsys):
    assert i18n_widgets.status(catalogue.parent, strict=True, po=catalogue) == 0
    assert "11 texts, 11 translated, 0 fuzzy, 0 untranslated" in capsys.readouterr().out


def test_status_reports_a_label_missing_from_the_catalogue(catalogue, capsys,
                                                           monkeypatch):
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(text.replace('msgid "style"\nmsgstr "样式"\n', ""),
                         encoding="utf-8")
    assert i18n_widgets.status(catalogue.parent, strict=False, po=catalogue) == 0
    assert i18n_widgets.status(catalogue.parent, strict=True, po=catalogue) == 1
    out = capsys.readouterr().out
    assert "1 untranslated (1 not in the catalogue" in out
    assert "untranslated: 'style'" in out


def test_a_pattern_must_keep_its_placeholders(catalogue, capsys):
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(text.replace('"{control}：{choice}"', '"{control}：选择"'),
                         encoding="utf-8")
    assert i18n_widgets.status(catalogue.parent, strict=False, po=catalogue) == 1
    assert "must keep {choice} once" in capsys.readouterr().out


def test_status_without_executed_figures_cannot_be_strict(tmp_path, catalogue,
                                                          monkeypatch):
    monkeypatch.setattr(i18n_widgets, "collect", lambda cache: ({}, []))
    assert i18n_widgets.status(tmp_path, strict=True, po=catalogue) == 2
    assert i18n_widgets.status(tmp_path, strict=False, po=catalogue) == 0


def test_the_real_catalogue_is_complete_and_passes_the_book_checks():
    po = i18n_widgets.CATALOGUE
    row = i18n_widgets.catalogue_status(po, None)
    assert row.messages > 20 and not row.fuzzy and not row.untranslated
    assert not row.problems
    assert not i18n.check_catalogue("widgets", po, i18n.glossary_terms())
    table = i18n_widgets.translations(po)
    assert table["learning rate"] == "学习率"
    assert table["initialization"] == "权重初始化"


def test_the_real_catalogue_covers_the_executed_figures(capsys):
    entries, documents = i18n_widgets.collect(ROOT / "_build" / ".jupyter_cache")
    if not entries:
        pytest.skip("the execution cache holds no chapter with a marked figure: "
                    "run `make book`")
    assert "book/03_initialization.md" in documents
    assert i18n_widgets.status(ROOT / "_build" / ".jupyter_cache", strict=True) == 0


# --- the Sphinx extension ----------------------------------------------------


def _sphinx(src: Path, out: Path, **conf) -> None:
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    overrides = {"extensions": ["myst_nb", "course_tools.i18n_widgets"],
                 "nb_execution_mode": "off", "locale_dirs": ["locale"],
                 "html_theme": "basic", **conf}
    with docutils_namespace():
        app = Sphinx(str(src), None, str(out), str(out / ".doctrees"), "html",
                     confoverrides=overrides, status=None, warning=None,
                     freshenv=True)
        app.build()
        assert app.statuscode == 0


@pytest.mark.slow
def test_the_extension_rewrites_the_figure_in_zh_and_not_in_en(tmp_path, catalogue):
    views = prerendered(line, {"a": [1.0, 2.0], "rate": [0.1, 0.3]},
                        labels={"a": "slope & co"}, widgets={"rate": "slider"})
    english = views.markup
    src = tmp_path / "src"
    (src / "locale" / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    (src / "locale" / "zh_CN" / "LC_MESSAGES" / "widgets.po").write_text(
        catalogue.read_text(encoding="utf-8"), encoding="utf-8")
    (src / "conf.py").write_text("", encoding="utf-8")
    nb = _notebook(english)
    nb["cells"][1].update(id="c2", metadata={}, execution_count=1)
    nb["cells"][1]["outputs"][0].update(metadata={}, execution_count=1)
    nb["cells"][0].update(id="c1", metadata={})
    nb.update(nbformat=4, nbformat_minor=5, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    (src / "index.ipynb").write_text(json.dumps(nb), encoding="utf-8")

    _sphinx(src, tmp_path / "en")
    en_page = (tmp_path / "en" / "index.html").read_text(encoding="utf-8")
    assert _figure_html(en_page) == english

    _sphinx(src, tmp_path / "zh", language="zh_CN")
    zh_page = (tmp_path / "zh" / "index.html").read_text(encoding="utf-8")
    zh = _figure_html(zh_page)
    table = i18n_widgets.translations(catalogue)
    assert i18n_widgets.verify(english, zh, table.get) == []
    assert "<span data-course-text>斜率 &amp; 等</span>" in zh
    assert "<span data-course-text>学习率</span>" in zh
    assert 'alt="斜率 &amp; 等：一；学习率：0.1"' in zh
    assert ">slope &amp; co<" not in zh and ">rate<" not in zh
    plt.close("all")
