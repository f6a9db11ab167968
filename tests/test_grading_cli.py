"""``make grade`` as an instructor runs it: every student gets a row, broken
submissions get a status and a reason, and nothing aborts the run."""

from __future__ import annotations

import copy
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .assignments import nbgrader_meta, variants

pytestmark = [pytest.mark.grading, pytest.mark.slow,
              pytest.mark.xdist_group("grading-cli")]
ROOT = Path(__file__).resolve().parent.parent
NB = "foundations.ipynb"


SCRIPT = "<script>alert('feedback')</script>"


def run_grade(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "course_tools.grade", *args],
                          cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs = root / "submissions"
    nbs = variants("01-foundations", NB)

    def put(student, name, content):
        d = subs / student
        d.mkdir(parents=True, exist_ok=True)
        if name is not None:
            data = content if isinstance(content, bytes) else json.dumps(
                content).encode()
            (d / name).write_bytes(data)

    alice = copy.deepcopy(nbs["reference"])
    for cell in alice["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "markdown" and meta.get("solution"):
            cell["source"] = "".join(cell["source"]) + "\n\n" + SCRIPT
    put("alice", NB, alice)
    put("bob", NB, nbs["blank"])
    put("carol", NB, b'{"cells": [')
    put("dave", "foundations (1).ipynb", nbs["reference"])
    put("eve", NB, b'{"cells": []}\x00')
    put("frank", None, None)
    put("hal", "notes.ipynb", {"cells": [], "nbformat": 4, "metadata": {}})
    put("ivy", "foundations (1).ipynb", nbs["reference"])
    put("ivy", "Foundations-2.ipynb", nbs["reference"])
    put("=HYPERLINK(evil)", NB, nbs["reference"])
    put("gina", NB, {**nbs["reference"], "nbformat": 3})
    out = root / "grades"
    proc = run_grade(str(subs), "--out", str(out), "--assignment",
                     "01-foundations")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    return rows, out, proc.stdout


def test_every_student_has_a_row(graded):
    rows, _, _ = graded
    assert set(rows) == {"alice", "bob", "carol", "dave", "eve", "frank",
                         "'=HYPERLINK(evil)", "gina", "hal", "ivy"}


def test_reference_full_and_blank_zero(graded):
    rows, _, _ = graded
    assert rows["alice"]["status"] == "graded"
    assert float(rows["alice"]["score"]) == 13.0
    assert float(rows["alice"]["max_score"]) == 15.0
    assert rows["alice"]["needs_manual_grade"] == "true"
    assert rows["bob"]["status"] == "graded"
    assert float(rows["bob"]["score"]) == 0.0


def test_a_renamed_copy_is_graded_and_says_so(graded):
    rows, out, stdout = graded
    assert rows["dave"]["status"] == "graded"
    assert float(rows["dave"]["score"]) == 13.0
    assert rows["dave"]["reason"] == "renamed from 'foundations (1).ipynb'"
    page = (out / "feedback" / "dave" / "01-foundations" /
            "foundations.html").read_text(encoding="utf-8")
    assert ("renamed from &#x27;foundations (1).ipynb&#x27;: graded as "
            "foundations.ipynb") in page
    integrity = json.loads((out / "integrity.json").read_text())
    assert integrity["dave/01-foundations"]["notes"][0].startswith(
        "renamed from 'foundations (1).ipynb'")
    assert "renamed from 'foundations (1).ipynb'" in stdout


def test_two_copies_are_graded_none_and_named(graded):
    rows, out, _ = graded
    assert rows["ivy"]["status"] == "invalid"
    assert float(rows["ivy"]["score"]) == 0.0
    both = "'Foundations-2.ipynb', 'foundations (1).ipynb'; graded none"
    assert both in rows["ivy"]["reason"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert both.replace("'", "&#x27;") in report


@pytest.mark.parametrize("student, status, reason", [
    ("carol", "invalid", "not valid notebook JSON"),
    ("hal", "missing", "found notes.ipynb: notebooks must keep their released names"),
    ("eve", "invalid", "NUL bytes"),
    ("frank", "missing", "no foundations.ipynb"),
    ("'=HYPERLINK(evil)", "invalid", "student folder name"),
    ("gina", "invalid", "nbformat 4"),
])
def test_broken_submissions_get_status_and_reason(graded, student, status,
                                                  reason):
    rows, _, _ = graded
    assert rows[student]["status"] == status
    assert reason in rows[student]["reason"]
    assert float(rows[student]["score"]) == 0.0
    assert float(rows[student]["max_score"]) == 15.0


def test_feedback_and_cell_scores_written(graded):
    _, out, stdout = graded
    page = (out / "feedback" / "alice" / "01-foundations" /
            "foundations.html").read_text(encoding="utf-8")
    assert "<h2>Task 1" in page, "the notebook's Markdown is not rendered"
    assert SCRIPT not in page and "&lt;script&gt;" in page, \
        "HTML a student wrote must be shown escaped, not run"
    # Math is left to the book's offline MathJax, TeX intact.
    assert r"\(\sigma'(x) = \sigma(x)\,(1 - \sigma(x))\)" in page
    assert r"\[y_k = \frac{e^{x_k}}{\sum_{j=1}^{K} e^{x_j}}.\]" in page
    assert "$$" not in page
    script = "../../_static/mathjax/tex-chtml.js"
    assert f"src='{script}'" in page
    assert (out / "feedback" / "alice" / "01-foundations" / script).resolve() \
        .is_file()
    with open(out / "cells.csv", newline="") as fh:
        cells = [r for r in csv.DictReader(fh) if r["student_id"] == "alice"]
    assert {r["cell"] for r in cells} >= {"test_softmax", "test_affine"}
    assert "10 students graded" in stdout


def test_every_failed_check_has_a_reason(graded):
    rows, out, _ = graded
    with open(out / "cells.csv", newline="") as fh:
        failed = {r["cell"] for r in csv.DictReader(fh)
                  if r["student_id"] == "bob" and r["score"] == "0"
                  and r["cell"].startswith("test_")}
    # bob handed in the blank release: every autograded test cell fails
    blank = variants("01-foundations", NB)["blank"]
    tests = {nbgrader_meta(c).get("grade_id") for c in blank["cells"]
             if nbgrader_meta(c).get("grade") and c["cell_type"] == "code"
             and not nbgrader_meta(c).get("solution")}
    assert failed == tests, failed
    reason = rows["bob"]["reason"]
    for part in reason.removeprefix("failed: ").split("; "):
        cell, _, why = part.partition(": ")
        assert cell in failed and why.strip(), part
    assert all(f"{cell}: " in reason for cell in failed), reason


def test_regrading_gives_the_same_csv(graded, tmp_path):
    rows, out, _ = graded
    first = (out / "grades.csv").read_text()
    subs = out.parent / "submissions"
    again = tmp_path / "again"
    proc = run_grade(str(subs), "--out", str(again), "--assignment",
                     "01-foundations")
    assert proc.returncode == 0, proc.stderr
    assert (again / "grades.csv").read_text() == first


def test_bad_arguments_are_named(tmp_path):
    proc = run_grade(str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert "SUBMISSIONS must be a folder" in proc.stderr
    proc = run_grade(str(tmp_path), "--assignment", "99-none")
    assert proc.returncode == 2
    assert "--assignment must be one of" in proc.stderr


def test_manual_scores_complete_written_answers(graded, tmp_path):
    _, out, _ = graded
    subs = out.parent / "submissions"
    manual = tmp_path / "manual.csv"
    manual.write_text("student_id,assignment,cell,points,comment\n"
                      "alice,01-foundations,linear_collapse,1.5,good\n")
    again = tmp_path / "grades"
    proc = run_grade(str(subs), "--out", str(again), "--assignment",
                     "01-foundations", "--manual", str(manual))
    assert proc.returncode == 0, proc.stderr
    with open(again / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert rows["alice"]["score"] == "14.5"
    assert rows["alice"]["needs_manual_grade"] == "false"
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{again / 'gradebook.db'}") as gb:
        grade = gb.find_grade("linear_collapse", "foundations",
                              "01-foundations", "alice")
        assert grade.manual_score == 1.5 and not grade.needs_manual_grade


@pytest.mark.parametrize("row,message", [
    ("alice,01-foundations,test_softmax,1", "must be a written answer"),
    ("alice,01-foundations,linear_collapse,3", "from 0 to 2"),
    ("alice,01-foundations,linear_collapse,two", "from 0 to 2"),
])
def test_bad_manual_scores_are_named_before_grading(tmp_path, row, message):
    subs = tmp_path / "subs"
    (subs / "alice").mkdir(parents=True)
    out = tmp_path / "grades"
    (out / "feedback").mkdir(parents=True)
    manual = tmp_path / "manual.csv"
    manual.write_text(f"student_id,assignment,cell,points\n{row}\n")
    proc = run_grade(str(subs), "--out", str(out), "--assignment",
                     "01-foundations", "--manual", str(manual))
    assert proc.returncode == 2
    assert "line 2" in proc.stderr and message in proc.stderr, proc.stderr
    assert (out / "feedback").is_dir(), "earlier feedback must survive"
