"""``make grade`` end to end: roster first, late policy from the collection
times, a resubmission with deleted tests re-scored from zero, and the
loudly reported fallback when no sandbox is available."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .assignments import nbgrader_meta, variants

pytestmark = [pytest.mark.grading, pytest.mark.slow,
              pytest.mark.xdist_group("grading-runs")]
ROOT = Path(__file__).resolve().parent.parent
A, NB = "01-foundations", "foundations.ipynb"


def run_grade(*args, env=None):
    return subprocess.run([sys.executable, "-m", "course_tools.grade", *args,
                           "--no-progress", "--timeout", "30"],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def rows_of(out: Path) -> dict:
    with open(out / "grades.csv", newline="", encoding="utf-8") as fh:
        return {r["student_id"]: r for r in csv.DictReader(fh)}


def gradebook_scores(out: Path) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        return {s.student_id: s.score for s in gb.assignment_submissions(A)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    subs, out = root / "submissions", root / "out"
    nbs = variants(A, NB)
    for sid in ("alice", "bob"):
        (subs / sid).mkdir(parents=True)
        (subs / sid / NB).write_text(json.dumps(nbs["reference"]))
    # A time the student wrote is ignored; the collection's is used.
    (subs / "alice" / "timestamp.txt").write_text("2026-01-01 00:00:00")
    (subs / "collection.csv").write_text(
        "student_id,assignment,collected_at\n"
        f"alice,{A},2026-03-03T12:00:00+00:00\n"
        f"bob,{A},2026-03-01T10:00:00+00:00\n")
    roster = root / "roster.csv"
    roster.write_text("student_id,name\nalice,A\nbob,B\nzed,Z\n")
    late = ["--deadline", f"{A}=2026-03-01T23:59:00+00:00", "--late-policy",
            "penalty", "--late-penalty", "0.25"]
    common = [str(subs), "--out", str(out), "--assignment", A, "--roster",
              str(roster), *late]
    first = run_grade(*common)
    assert first.returncode == 0, first.stdout + first.stderr
    rows1, book1 = rows_of(out), gradebook_scores(out)
    # Resubmission: wrong softmax, every test cell deleted.
    nb = json.loads(json.dumps(nbs["reference"]))
    for cell in nb["cells"]:
        if nbgrader_meta(cell).get("grade_id") == "softmax":
            cell["source"] = "def softmax(x):\n    return x\n"
    nb["cells"] = [c for c in nb["cells"] if not (
        nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get(
            "solution"))]
    (subs / "bob" / NB).write_text(json.dumps(nb))
    second = run_grade(*common, env={"COURSE_GRADE_SANDBOX": "none"})
    assert second.returncode == 0, second.stdout + second.stderr
    return dict(first=first, second=second, rows1=rows1, book1=book1,
                rows2=rows_of(out), book2=gradebook_scores(out), out=out)


def test_roster_student_without_folder_is_missing(runs):
    row = runs["rows1"]["zed"]
    assert row["status"] == "missing"
    assert "no folder zed/" in row["reason"]
    assert float(row["max_score"]) == 15.0


def test_late_penalty_uses_collection_times(runs):
    alice, bob = runs["rows1"]["alice"], runs["rows1"]["bob"]
    assert float(bob["score"]) == 13.0 and "late" not in bob["reason"]
    assert float(alice["score"]) == 13.0 * 0.5  # 2 days late, 25 % a day
    assert "late by 36.0 h" in alice["reason"]


def test_resubmission_is_rescored_from_zero(runs):
    assert runs["book1"]["bob"] == 13.0
    bob = runs["rows2"]["bob"]
    assert float(bob["score"]) == 11.0, bob
    assert "restored" in bob["reason"]
    assert runs["book2"]["bob"] == 11.0
    integrity = json.loads((runs["out"] / "integrity.json").read_text())
    assert any("deleted" in r for r in integrity[f"bob/{A}"]["restored"])


def test_fallback_without_sandbox_is_loud(runs):
    assert "NOT ISOLATED" in runs["second"].stderr
    assert "NOT ISOLATED" in runs["second"].stdout
    assert "NOT ISOLATED" in (runs["out"] / "report.html").read_text()
    assert float(runs["rows2"]["alice"]["score"]) == 13.0 * 0.5


def test_sandboxed_run_says_how(runs):
    from course_tools.sandbox import bwrap

    if bwrap() is None:
        pytest.skip("bubblewrap is not available here")
    assert "Sandbox: bubblewrap" in runs["first"].stdout


def test_summary_and_progress(runs):
    out = runs["first"].stdout
    assert "3 students graded in" in out
    assert "2 graded, 1 missing" in out
    assert (runs["out"] / "report.html").is_file()
