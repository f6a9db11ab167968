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

from .assignments import variants

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
                         "'=HYPERLINK(evil)", "gina"}


def test_reference_full_and_blank_zero(graded):
    rows, _, _ = graded
    assert rows["alice"]["status"] == "graded"
    assert float(rows["alice"]["score"]) == 13.0
    assert float(rows["alice"]["max_score"]) == 15.0
    assert rows["alice"]["needs_manual_grade"] == "true"
    assert rows["bob"]["status"] == "graded"
    assert float(rows["bob"]["score"]) == 0.0


@pytest.mark.parametrize("student, status, reason", [
    ("carol", "invalid", "not valid notebook JSON"),
    ("dave", "missing", "must keep their released names"),
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
    with open(out / "cells.csv", newline="") as fh:
        cells = [r for r in csv.DictReader(fh) if r["student_id"] == "alice"]
    assert {r["cell"] for r in cells} >= {"test_softmax", "test_affine"}
    assert "8 students graded" in stdout


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
