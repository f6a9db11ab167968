"""The assignments in Chinese: catalogues of the notebooks' text, the Chinese
release in ``exercises-zh/``, and a grader that cannot tell the languages
apart.

Fast tests cut synthetic and real notebooks into messages, plant mistakes in
small catalogues, and compare the committed release with a fresh one. The
slow ones grade and validate real notebooks in both languages.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from course_tools import grade as grading
from course_tools import i18n, validate
from course_tools import i18n_notebooks as nbi18n
from course_tools.course import EXERCISES, ROOT, SOLUTIONS, assignments
from course_tools.integrity import load_template, merge

from .assignments import fill, load_mutants, solution_sources

COURSE = assignments()
NAMES = [a.name for a in COURSE]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


# --- cutting Markdown into messages ----------------------------------------------

SAMPLE = """## Task 1 — The loss (2 points)

The loss of a batch
is the mean of its samples:

$$L = \\frac1N \\sum_n L_n,
\\qquad N > 0.$$

```python
loss = np.mean(per_sample)
```

- `forward(x)` returns the loss, for either form
  of `t`;
- `backward()` returns the gradient.

| part | points |
| --- | --- |
| the loss | 2 |
"""


def test_a_cell_is_cut_into_headings_paragraphs_items_and_table_cells():
    found = [(b.kind, b.msgid) for b in nbi18n.blocks(SAMPLE) if b.msgid]
    assert found == [
        ("heading", "Task 1 — The loss (2 points)"),
        ("paragraph", "The loss of a batch is the mean of its samples:"),
        ("item", "`forward(x)` returns the loss, for either form of `t`;"),
        ("item", "`backward()` returns the gradient."),
        ("cell", "part"), ("cell", "points"), ("cell", "the loss"), ("cell", "2"),
    ]
    assert "".join(b.raw for b in nbi18n.blocks(SAMPLE)) == SAMPLE


def test_a_translation_replaces_only_the_text():
    table = {
        "Task 1 — The loss (2 points)": "任务 1 —— 损失（2 分）",
        "The loss of a batch is the mean of its samples:":
            "一个批量的损失是其样本损失的均值：",
        "`forward(x)` returns the loss, for either form of `t`;":
            "`forward(x)` 返回损失，\n对 `t` 的两种形式都适用；",
        "`backward()` returns the gradient.": "`backward()` 返回梯度。",
        "part": "部分", "points": "分值", "the loss": "损失", "2": "2",
    }
    text, missing = nbi18n.translate_source(SAMPLE, table.get)
    assert missing == []
    assert text.startswith("## 任务 1 —— 损失（2 分）\n\n"
                           "一个批量的损失是其样本损失的均值：\n\n$$L =")
    assert "```python\nloss = np.mean(per_sample)\n```\n" in text
    assert "\\qquad N > 0.$$\n" in text
    assert ("- `forward(x)` 返回损失，\n  对 `t` 的两种形式都适用；\n"
            "- `backward()` 返回梯度。\n") in text
    assert "| 部分 | 分值 |\n| --- | --- |\n| 损失 | 2 |\n" in text


def test_an_untranslated_message_stays_in_english_and_is_named():
    text, missing = nbi18n.translate_source(SAMPLE, {"part": "部分"}.get)
    assert "| 部分 | points |" in text and "The loss of a batch\nis the mean" in text
    assert len(missing) == 7 and "points" in missing


@pytest.mark.parametrize("name", NAMES)
def test_real_cells_join_up_again_and_code_is_never_a_message(name):
    for path in sorted((SOLUTIONS / name).glob("*.ipynb")):
        ids = "\n".join(m.msgid for m in nbi18n.notebook_messages(path))
        assert ids, f"{path} gave no messages"
        prose = re.sub(r"`[^`]*`", "", ids)  # inline code may quote a code cell
        for cell in _cells(path):
            text = _source(cell)
            if cell["cell_type"] == "markdown":
                assert "".join(b.raw for b in nbi18n.blocks(text)) == text
            if cell["cell_type"] == "code":
                lines = [ln.strip() for ln in text.splitlines() if len(ln.strip()) > 25]
                leaked = [ln for ln in lines if ln in prose]
                assert not leaked, f"{path}: code became messages: {leaked[:2]}"
            elif not nbi18n.translatable(cell):
                answer = {b.msgid for b in nbi18n.blocks(text) if b.msgid}
                assert not answer & set(ids.split("\n")), \
                    f"{path}: an answer became a message"
            else:
                for math in re.findall(r"^\$\$(.+?)\$\$", text, re.S | re.M):
                    assert math.strip() not in ids, \
                        f"{path}: display math became a message"


# --- catalogues ------------------------------------------------------------------


def _scratch(tmp_path: Path, names: list[str]) -> tuple[Path, Path]:
    solutions, locale = tmp_path / "solutions", tmp_path / "locale"
    for name in names:
        shutil.copytree(SOLUTIONS / name, solutions / name)
    return solutions, locale


def _set(po: Path, translations: dict[str, str]) -> None:
    catalog = nbi18n._read(po)
    for msgid, msgstr in translations.items():
        catalog[msgid].string = msgstr
        catalog[msgid].flags.discard("fuzzy")
    nbi18n._write(po, catalog)


def test_extract_keeps_translations_and_a_changed_sentence_turns_fuzzy(tmp_path):
    name = "02-optimizers"
    solutions, locale = _scratch(tmp_path, [name])
    pots = tmp_path / "pot"
    assert nbi18n.extract([name], solutions, locale, pots) == {name: "created"}
    assert (pots / f"{name}.pot").exists()
    po = nbi18n.catalogue_path(name, locale)
    first = nbi18n.translations(name, locale)
    heading = "Task 1 — Momentum (2 points)"
    _set(po, {heading: "任务 1 —— 动量（2 分）"})
    assert nbi18n.extract([name], solutions, locale, pots) == {name: "unchanged"}
    assert nbi18n.translations(name, locale) == {
        **first, heading: "任务 1 —— 动量（2 分）"}

    nb_path = solutions / name / "optimizers.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell.get("id") == "task-momentum":
            cell["source"] = _source(cell).replace("(2 points)", "(3 points)")
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    assert nbi18n.extract([name], solutions, locale, pots) == {name: "updated"}
    message = nbi18n._read(po)["Task 1 — Momentum (3 points)"]
    assert message.fuzzy and message.string == "任务 1 —— 动量（2 分）"
    assert i18n.document_status(nbi18n.document(name), po).fuzzy == 1
    assert i18n.status([nbi18n.document(name)], True, locale) == 1


def test_locations_name_the_notebook_and_the_cell(tmp_path):
    solutions, locale = _scratch(tmp_path, ["01-foundations"])
    nbi18n.extract(["01-foundations"], solutions, locale, tmp_path / "pot")
    catalog = nbi18n._read(nbi18n.catalogue_path("01-foundations", locale))
    where = catalog["Task 6 — The numerical gradient (1 point)"].locations
    assert where == [("solutions/01-foundations/foundations.ipynb#task-numgrad", 1)]


def test_the_committed_catalogues_are_up_to_date(tmp_path):
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE / i18n.LANGUAGE / "LC_MESSAGES" / nbi18n.DOMAIN,
                    locale / i18n.LANGUAGE / "LC_MESSAGES" / nbi18n.DOMAIN)
    states = nbi18n.extract(None, SOLUTIONS, locale, tmp_path / "pot")
    assert states == {name: "unchanged" for name in NAMES}, (
        "run `python -m course_tools.i18n_notebooks extract`")


PLANTED = {
    # the inline math is retyped
    "for the epoch $e = 0, 1, 2, \\dots$ Return the rate as a Python `float`.":
        "对第 $e = 0, 1, 2, ...$ 个 epoch，以 Python `float` 返回学习率。",
    # "momentum" must be 动量
    "Momentum keeps a velocity $v$ per weight, starting at zero:":
        "Momentum 为每个权重保持一个速度 $v$，初始为零：",
    # a copy of the English
    "Return it as a Python `float`. (With `decay = 0.01` the rate halves after "
    "100 updates.)": "Return it as a Python `float`. (With `decay = 0.01` the rate "
    "halves after 100 updates.)",
    # a heading broken over two lines
    "Task 6 — Step decay (1 point)": "任务 6 ——\n间隔衰减（1 分）",
}


def test_planted_mistakes_fail_the_check(tmp_path, capsys):
    name = "02-optimizers"
    solutions, locale = _scratch(tmp_path, [name])
    nbi18n.extract([name], solutions, locale, tmp_path / "pot")
    po = nbi18n.catalogue_path(name, locale)
    _set(po, {"Task 1 — Momentum (2 points)": "任务 1 —— 动量（2 分）"})
    assert nbi18n.check([name], locale, solutions) == 0
    _set(po, PLANTED)
    assert nbi18n.check([name], locale, solutions) == 1
    out = capsys.readouterr().out
    assert "4 problems" in out
    assert "markup '$e = 0, 1, 2, \\\\dots$' of the English is missing" in out
    assert "glossary: 'momentum' must be rendered as '动量'" in out
    assert "a copy of the English" in out
    assert "a heading must stay on one line" in out


def test_a_missing_translation_fails_the_strict_release(tmp_path):
    name = "02-optimizers"
    solutions, locale = _scratch(tmp_path, [name])
    nbi18n.extract([name], solutions, locale, tmp_path / "pot")
    out = tmp_path / "zh"
    with pytest.raises(nbi18n.MissingTranslations, match="assignments/02-optimizers"):
        nbi18n.release([name], EXERCISES, out, locale, strict=True)
    assert not out.exists(), "a failed strict release must write nothing"
    missing = nbi18n.release([name], EXERCISES, out, locale, strict=False)
    assert missing[name] and (out / name / "optimizers.ipynb").exists()


def test_without_a_catalogue_the_release_is_the_english_one_byte_for_byte(tmp_path):
    missing = nbi18n.release(None, EXERCISES, tmp_path / "zh", tmp_path / "none")
    for a in COURSE:
        assert missing[a.name]
        for nb in a.notebooks:
            assert (tmp_path / "zh" / a.name / nb).read_bytes() == \
                (EXERCISES / a.name / nb).read_bytes()


# --- the real catalogues and the committed Chinese release ------------------------


def test_every_message_is_translated(capsys):
    assert nbi18n.main(["status", "--strict"]) == 0, capsys.readouterr().err


def test_every_translation_passes_the_checks(capsys):
    code = nbi18n.main(["check"])
    assert code == 0, capsys.readouterr().out


@pytest.mark.parametrize("name", NAMES)
def test_the_committed_chinese_release_equals_a_fresh_one(name, tmp_path):
    nbi18n.release([name], EXERCISES, tmp_path, strict=True)
    a = next(a for a in COURSE if a.name == name)
    for nb in a.notebooks:
        fresh = (tmp_path / name / nb).read_text(encoding="utf-8")
        committed = nbi18n.EXERCISES_ZH / name / nb
        assert committed.exists() and committed.read_text(encoding="utf-8") == fresh, (
            f"exercises-zh/{name}/{nb} differs from a fresh Chinese release; run "
            "`make release`")


@pytest.mark.parametrize("name", NAMES)
def test_only_the_instructions_differ_between_the_languages(name):
    from nbformat import from_dict
    from nbgrader.utils import compute_checksum

    a = next(a for a in COURSE if a.name == name)
    names = sorted(p.name for p in (nbi18n.EXERCISES_ZH / name).iterdir())
    assert names == sorted(p.name for p in (EXERCISES / name).iterdir())
    for nb_name in a.notebooks:
        en = json.loads((EXERCISES / name / nb_name).read_text("utf-8"))
        zh = json.loads((nbi18n.EXERCISES_ZH / name / nb_name).read_text("utf-8"))
        assert {k: v for k, v in zh.items() if k != "cells"} == \
            {k: v for k, v in en.items() if k != "cells"}
        assert [c["id"] for c in zh["cells"]] == [c["id"] for c in en["cells"]]
        translated = 0
        for e, z in zip(en["cells"], zh["cells"], strict=True):
            if not nbi18n.translatable(e):
                assert z == e, f"{name}: cell {e['id']} changed"
                continue
            meta_e, meta_z = e["metadata"], z["metadata"]
            assert meta_z["nbgrader"].pop("checksum") == compute_checksum(
                from_dict({**z, "source": _source(z)}))
            meta_e["nbgrader"].pop("checksum")
            assert meta_z == meta_e and z["cell_type"] == e["cell_type"]
            assert CJK.search(_source(z)), f"{name}: cell {e['id']} is not in Chinese"
            translated += 1
        assert translated >= 5


def _hand_in(name: str, nb: str, language_root: Path) -> dict:
    release = json.loads((language_root / name / nb).read_text(encoding="utf-8"))
    return fill(release, solution_sources(SOLUTIONS / name / nb))


@pytest.mark.parametrize("name", NAMES)
def test_chinese_instructions_are_no_tampering(name):
    a = next(a for a in COURSE if a.name == name)
    nb = a.notebooks[0]
    template = load_template(name, nb)
    for root in (EXERCISES, nbi18n.EXERCISES_ZH):
        _, integrity = merge(template, _hand_in(name, nb, root))
        assert integrity.restored == [] and not integrity.flagged, (root, integrity)
    # Without the Chinese release the same hand-in counts as edited.
    english_only = load_template(name, nb, translations=())
    _, integrity = merge(english_only, _hand_in(name, nb, nbi18n.EXERCISES_ZH))
    assert len(integrity.restored) >= 5


def test_an_edited_chinese_instruction_or_test_is_still_restored():
    nb = "foundations.ipynb"
    template = load_template("01-foundations", nb)
    hand_in = _hand_in("01-foundations", nb, nbi18n.EXERCISES_ZH)
    by_id = {c["id"]: c for c in hand_in["cells"]}
    by_id["task-softmax"]["source"] = "## 任务 1 —— 随便写写\n"
    by_id["test-softmax"]["source"] = "pass\n"
    cells, integrity = merge(template, hand_in)
    assert sorted(integrity.restored) == ["'task-softmax': edited; restored",
                                          "'test_softmax': edited; restored"]
    test = next(c for c in cells if c.grade_id == "test_softmax")
    assert "softmax(" in test.source


# --- grading and validating in both languages (slow) --------------------------------

LANGUAGE_BLIND = ["01-foundations", "02-optimizers"]
_GRADED: dict[str, dict] = {}


def _graded(name: str, tmp_root: Path) -> dict:
    """Reference, blank and first mutant of ``name`` in both languages,
    graded in one run per assignment."""
    if name not in _GRADED:
        a = next(a for a in COURSE if a.name == name)
        nb = a.notebooks[0]
        answers = solution_sources(SOLUTIONS / name / nb)
        mutant = load_mutants(name)[0]
        wrong = {**answers, mutant.cell: mutant.resolve(answers[mutant.cell])}
        subs = tmp_root / name / "submissions"
        for lang, root in (("en", EXERCISES), ("zh", nbi18n.EXERCISES_ZH)):
            release = json.loads((root / name / nb).read_text(encoding="utf-8"))
            for student, notebook in (("reference", fill(release, answers)),
                                      ("blank", release),
                                      ("mutant", fill(release, wrong))):
                folder = subs / f"{student}-{lang}"
                folder.mkdir(parents=True)
                (folder / nb).write_text(json.dumps(notebook), encoding="utf-8")
        results = grading.grade(subs, tmp_root / name / "out",
                                workdir=tmp_root / name / "work", names=[name], jobs=2)
        _GRADED[name] = {r.student: r for r in results}
    return _GRADED[name]


@pytest.fixture(scope="module")
def grading_root(tmp_path_factory):
    return tmp_path_factory.mktemp("language-blind")


def _blind_params():
    for name in LANGUAGE_BLIND:
        for student in ("reference", "blank", "mutant"):
            yield pytest.param(name, student, id=f"{name}:{student}",
                               marks=pytest.mark.xdist_group(f"i18n-{name}"))


@pytest.mark.grading
@pytest.mark.slow
@pytest.mark.parametrize("name, student", list(_blind_params()))
def test_a_chinese_notebook_scores_exactly_as_the_english_one(name, student,
                                                              grading_root):
    results = _graded(name, grading_root)
    en, zh = results[f"{student}-en"], results[f"{student}-zh"]
    assert en.status == zh.status == "graded", (en.reason, zh.reason)
    assert zh.cells == en.cells and zh.score == en.score
    assert zh.flagged == en.flagged and zh.integrity == en.integrity
    assert zh.reason == en.reason
    if student == "reference":
        assert zh.score > 0
    if student == "mutant":
        assert zh.score < results["reference-zh"].score


@pytest.mark.grading
@pytest.mark.slow
def test_the_chinese_release_validates_like_the_english_one(capsys, tmp_path):
    name, nb = "01-foundations", "foundations.ipynb"
    outcomes = {}
    for lang, root in (("en", EXERCISES), ("zh", nbi18n.EXERCISES_ZH)):
        code = validate.main([str(root / name / nb)])
        out = capsys.readouterr().out
        failed = re.search(r"VALIDATION FAILED ON (\d+) CELL", out)
        outcomes[lang] = (code, failed.group(1) if failed else None)
        assert "CHANGED" not in out, out[-2000:]
    assert outcomes["zh"] == outcomes["en"] and outcomes["en"][0] == 1, outcomes
    assert outcomes["en"][1] is not None
    reference = tmp_path / nb
    reference.write_text(json.dumps(_hand_in(name, nb, nbi18n.EXERCISES_ZH)),
                         encoding="utf-8")
    code = validate.main([str(reference)])
    out = capsys.readouterr().out
    assert code == 0 and "Success!" in out, out[-2000:]


def test_the_chinese_release_sits_beside_the_english_one():
    assert nbi18n.EXERCISES_ZH == ROOT / "exercises-zh"
    assert sorted(p.name for p in nbi18n.EXERCISES_ZH.iterdir()) == NAMES
