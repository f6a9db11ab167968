"""The host-side rules of grading, without running notebooks: rebuilding a
submission from the source, canaries, score validation, the late policy,
limits and CSV safety."""

from __future__ import annotations

import copy
import random
from datetime import datetime, timezone

import pytest

from course_tools.course import SOLUTIONS
from course_tools.execute import Run, score, validate
from course_tools.grade import _safe_csv, check_notebook
from course_tools.integrity import (
    canary,
    canary_fooled,
    course_imports,
    load_template,
    merge,
    with_canaries,
)
from course_tools.late import LatePolicy, load_collection, parse_time
from course_tools.sandbox import Limits

from .assignments import nbgrader_meta, variants

A, NB = "01-foundations", "foundations.ipynb"


@pytest.fixture(scope="module")
def template():
    return load_template(A, NB)


@pytest.fixture(scope="module")
def reference():
    return variants(A, NB)["reference"]


def _by_id(cells):
    return {c.grade_id: c for c in cells if c.grade_id}


def test_reference_merges_without_findings(template, reference):
    cells, integrity = merge(template, reference)
    assert not (integrity.restored or integrity.stripped or
                integrity.course_imports)
    tests = [c for c in cells if c.kind == "test"]
    released = [c for c in template.cells if template.kind(c) == "test"]
    assert len(tests) == len(released) > 0
    # Hidden checks live on the host (checks.py): a test cell is only the
    # visible test the student has, sent as released.
    assert all(c.source.strip() == c.visible.strip() for c in tests)
    assert all("HIDDEN" not in c.source for c in tests)


def test_locked_cells_come_from_the_source(template, reference):
    nb = copy.deepcopy(reference)
    cells = nb["cells"]
    test = next(c for c in cells if nbgrader_meta(c).get("grade_id") ==
                "test_softmax")
    test["source"] = "pass"
    test["metadata"]["tags"] = ["skip-execution"]
    nbgrader_meta(test)["points"] = 99
    cells.remove(next(c for c in cells if nbgrader_meta(c).get("grade_id")
                      == "test_relu"))
    merged, integrity = merge(template, nb)
    got = _by_id(merged)
    assert "softmax overflowed on logits of 1000" in \
        got["test_softmax"].source
    assert got["test_softmax"].points == 2
    assert "r.backward(np.array([[5.0, 5.0, 5.0]]))" in \
        got["test_relu"].source
    text = " ".join(integrity.restored)
    assert "'test_softmax': edited" in text
    assert "'test_relu': deleted" in text
    assert any("skip-execution" in s for s in integrity.stripped)


def test_duplicated_and_retyped_answers(template, reference):
    nb = copy.deepcopy(reference)
    answer = next(c for c in nb["cells"] if nbgrader_meta(c).get(
        "grade_id") == "relu")
    dup = copy.deepcopy(answer)
    dup["source"] = "class ReLU:\n    pass\n"
    nb["cells"].append(dup)
    sig = next(c for c in nb["cells"] if nbgrader_meta(c).get("grade_id") ==
               "sigmoid")
    sig["cell_type"] = "markdown"
    merged, integrity = merge(template, nb)
    got = _by_id(merged)
    assert "np.where" in got["relu"].source  # the first copy is kept
    assert got["sigmoid"].cell_type == "code"
    assert "NotImplementedError" in got["sigmoid"].source  # released stub
    text = " ".join(integrity.restored)
    assert "'relu': duplicated" in text and "'sigmoid': changed" in text


def test_added_cells_keep_their_place_without_metadata(template, reference):
    nb = copy.deepcopy(reference)
    i = next(i for i, c in enumerate(nb["cells"])
             if nbgrader_meta(c).get("grade_id") == "softmax")
    nb["cells"].insert(i + 1, {"cell_type": "code", "source": "SCALE = 1",
                               "metadata": {"tags": ["hide"], "x": 1}})
    merged, integrity = merge(template, nb)
    kinds = [(c.kind, c.grade_id) for c in merged]
    at = kinds.index(("answer", "softmax"))
    assert merged[at + 1].kind == "extra"
    assert merged[at + 1].source == "SCALE = 1"
    assert any("['x']" in s for s in integrity.stripped)


@pytest.mark.parametrize("source, found", [
    ("from course_lib.functional import softmax", True),
    ("import course_lib.layers as L", True),
    ("import importlib\nm = importlib.import_module('course_lib.optim')",
     True),
    ("print('/work/course_lib/notes.txt')", False),
    ("import numpy as np", False),
])
def test_course_imports_are_detected(source, found):
    assert bool(course_imports(source)) is found


def test_course_import_in_an_answer_is_flagged(template, reference):
    nb = copy.deepcopy(reference)
    cell = next(c for c in nb["cells"] if nbgrader_meta(c).get("grade_id")
                == "softmax")
    cell["source"] = "from course_lib.functional import softmax\n"
    _, integrity = merge(template, nb)
    assert integrity.flagged
    assert "softmax imports course_lib.functional.softmax" in \
        integrity.course_imports[0]


def test_canaries_must_fail_with_the_hidden_message():
    rng = random.Random(3)
    for kind in (0, 1):
        cell = canary(rng, kind)
        assert cell.expected not in cell.source  # computed, not written
        good = {"status": "error", "ename": "AssertionError",
                "evalue": cell.expected}
        assert not canary_fooled(good, cell)
        assert canary_fooled({"status": "ok"}, cell)
        assert canary_fooled({**good, "evalue": "something else"}, cell)
        assert canary_fooled({**good, "ename": "ValueError"}, cell)


def test_a_canary_follows_every_test(template, reference):
    cells, _ = merge(template, reference)
    plan = with_canaries(cells, seed=1)
    for i, cell in enumerate(plan):
        if cell.kind == "test":
            assert plan[i + 1].kind == "canary"
    sources = {c.source for c in plan if c.kind == "canary"}
    assert len(sources) == sum(c.kind == "test" for c in cells) > 0
    again = with_canaries(cells, seed=1)
    assert [c.expected for c in again if c.kind == "canary"] == \
        [c.expected for c in plan if c.kind == "canary"]


def test_scores_count_stderr_as_passing(template, reference):
    cells, _ = merge(template, reference)
    runs = []
    for c in cells:
        if c.grade_id == "test_softmax":
            runs.append(Run("ok", outputs=[{"type": "stream",
                                            "name": "stderr",
                                            "text": "RuntimeWarning"}]))
        elif c.grade_id == "test_relu":
            runs.append(Run("failed", reason="timed out after 8 s"))
        else:
            runs.append(Run("ok"))
    scores, manual, failures = score(cells, runs)
    assert scores["test_softmax"] == (2.0, 2.0)
    assert scores["test_relu"] == (0.0, 2.0)
    assert scores["linear_collapse"] == (None, 2.0) and manual
    assert failures == ["test_relu: timed out after 8 s"]
    validate(scores, template.graded)


def test_blank_written_answer_scores_zero_without_a_human(template):
    release = variants(A, NB)["blank"]
    cells, _ = merge(template, release)
    scores, manual, _ = score(cells, [Run("ok") for _ in cells])
    assert scores["linear_collapse"] == (0.0, 2.0) and not manual


@pytest.mark.parametrize("scores, message", [
    ({"a": (1.0, 1.0)}, "missing ['b']"),
    ({"a": (1.0, 1.0), "b": (3.0, 2.0)}, "must be in [0, 2.0]"),
    ({"a": (float("nan"), 1.0), "b": (0.0, 2.0)}, "must be in [0, 1.0]"),
    ({"a": (1.0, 1.0), "b": (0.0, 2.0), "c": (0.0, 1.0)}, "unexpected ['c']"),
    ({"a": (1.0, 5.0), "b": (0.0, 2.0)}, "max score must be 1.0"),
])
def test_validation_rejects_bad_scores(scores, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[")
                       .replace("]", r"\]")):
        validate(scores, {"a": 1.0, "b": 2.0})


def test_late_policy():
    deadline = datetime(2026, 3, 1, 23, 59, tzinfo=timezone.utc)
    on_time = datetime(2026, 3, 1, 23, 0, tzinfo=timezone.utc)
    late_2d = datetime(2026, 3, 3, 12, 0, tzinfo=timezone.utc)
    pen = LatePolicy({"a": deadline}, "penalty", 0.25)
    assert pen.apply("a", on_time, 10.0) == (10.0, "")
    got, note = pen.apply("a", late_2d, 10.0)
    assert got == 5.0 and "late by 36.0 h" in note
    assert LatePolicy({"a": deadline}, "zero").apply("a", late_2d, 10)[0] \
        == 0.0
    assert LatePolicy({"a": deadline}).apply("a", late_2d, 10)[0] == 10
    assert "no collection time" in pen.apply("a", None, 10.0)[1]
    assert pen.apply("other", late_2d, 10.0) == (10.0, "")


def test_late_policy_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="late policy must be one of"):
        LatePolicy(policy="sometimes")
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\]"):
        LatePolicy(rate=2.0)
    with pytest.raises(ValueError, match="--deadline x must be an ISO 8601"):
        parse_time("tomorrow", "--deadline x")
    bad = tmp_path / "c.csv"
    bad.write_text("student,when\nalice,2026-01-01\n")
    with pytest.raises(ValueError, match="must have the columns"):
        load_collection(bad)


@pytest.mark.parametrize("name", ["cell_seconds", "memory_mb",
                                  "flood_bytes"])
def test_limits_must_be_positive(name):
    with pytest.raises(ValueError, match=f"Limits.{name} must be positive"):
        Limits(**{name: 0})


@pytest.mark.parametrize("value, safe", [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-1", "'-1"),
    ("@x", "'@x"), ("alice", "alice"), ("\tx", "'\tx"),
])
def test_csv_formulas_are_neutralized(value, safe):
    assert _safe_csv(value) == safe


def test_check_notebook_reasons(tmp_path):
    p = tmp_path / "n.ipynb"
    p.write_bytes(b'{"nbformat": 4, "cells": "no"}')
    assert "nbformat 4" in check_notebook(p)[1]
    p.write_bytes(b"\xff\xfe")
    assert "not valid notebook JSON" in check_notebook(p)[1]
    p.write_bytes(b"[" * 100000)
    assert "not valid notebook JSON" in check_notebook(p)[1]


@pytest.mark.parametrize("assignment", sorted(
    p.parent.name for p in SOLUTIONS.glob("*/*.ipynb")))
def test_hidden_checks_live_on_the_host(assignment):
    """Every assignment's hidden checks are in its checks.py, and none is
    left in the notebook, whose test cells are sent into the sandbox."""
    assert (SOLUTIONS / assignment / "checks.py").is_file()
    for path in (SOLUTIONS / assignment).glob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert "BEGIN HIDDEN TESTS" not in text, path


@pytest.mark.grading
def test_each_running_sandbox_has_its_own_uid():
    import os

    from course_tools.course import SOLUTIONS
    from course_tools.sandbox import Sandbox, bwrap

    if bwrap() is None or os.geteuid() != 0:
        pytest.skip("needs bubblewrap and root (uids are per sandbox then)")
    boxes = [Sandbox(Limits(cell_seconds=60)) for _ in range(2)]
    try:
        code = (f"import os\nprint(os.getuid(), os.path.exists("
                f"{str(SOLUTIONS)!r}), sum(p.isdigit() for p in os.listdir('/proc'))"
                f" <= 3)")
        seen = [b.execute(code, False, 60)["outputs"][0]["text"].split()
                for b in boxes]
    finally:
        for b in boxes:
            b.close()
    uids = {int(s[0]) for s in seen}
    assert len(uids) == 2 and min(uids) >= 1_000_000, seen
    assert all(s[1:] == ["False", "True"] for s in seen), seen


def test_rows_only_for_what_was_handed_in_without_a_roster(tmp_path):
    import json

    from course_tools.course import assignments
    from course_tools.grade import collect

    course = assignments()
    templates = {(a.name, nb): load_template(a.name, nb) for a in course
                 for nb in a.notebooks}
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / NB).write_text(json.dumps(variants(A, NB)[
        "reference"]))
    (tmp_path / "bob").mkdir()
    final, jobs = collect(tmp_path, course, ["alice", "bob"], templates)
    assert [(j.result.student, j.result.assignment) for j in jobs] == [
        ("alice", A)]
    assert not [r for r in final if r.student == "alice"]
    # a folder holding none of the assignments is not silently dropped
    bob = [r for r in final if r.student == "bob"]
    assert len(bob) == len(course) and {r.status for r in bob} == {"missing"}
    # on the roster, every assignment gets a row
    final, _ = collect(tmp_path, course, ["alice"], templates, {"alice"})
    assert len(final) == len(course) - 1
    assert {r.status for r in final} == {"missing"}
