"""The adversarial corpus, graded in one run: every hostile submission gets
the score its code earns, the right status and flag, honest ones keep full
marks, and the run completes with one row per student."""

from __future__ import annotations

import csv
import html
import json
import os
import socket

import pytest

from course_tools import grade as grading
from course_tools.sandbox import Limits, bwrap

from .adversarial.corpus import ASSIGNMENT, NB, build, write
from .assignments import nbgrader_autograde

pytestmark = [pytest.mark.grading, pytest.mark.adversarial, pytest.mark.slow,
              pytest.mark.xdist_group("adversarial")]

# Filling the 1 GiB address space (the memory bomb) takes several seconds
# on a loaded machine; a cell gets 15.
LIMITS = Limits(cell_seconds=15, student_seconds=150, memory_mb=1024,
                flood_bytes=4 << 20)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if bwrap() is None:
        pytest.skip("bubblewrap is unavailable: hostile code would run "
                    "unconfined (run .ci/setup-sandbox.sh as root)")
    root = tmp_path_factory.mktemp("adversarial")
    marker = root / "host-only" / "written-by-student.txt"
    marker.parent.mkdir()
    # A service on the host's loopback, listening while the corpus runs:
    # the 'probe' submission must not reach it.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]
        cases = build(marker, port)
        subs = root / "submissions"
        write(cases, subs)
        out = root / "out"
        results = grading.grade(subs, out, workdir=root / "work",
                                names=[ASSIGNMENT], limits=LIMITS, jobs=2)
    with open(out / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    integrity = json.loads((out / "integrity.json").read_text())
    by_student = {r.student: r for r in results}
    return dict(cases=cases, rows=rows, results=by_student, out=out,
                root=root, marker=marker, integrity=integrity)


def _row(corpus, case):
    key = grading._safe_csv(case.student)
    return corpus["rows"][key]


def test_corpus_has_thirty_kinds_of_attack(corpus):
    kinds = {c.kind for c in corpus["cases"] if not c.kind.startswith(
        "honest")}
    assert len(kinds) >= 30, sorted(kinds)


def test_every_student_has_exactly_one_row(corpus):
    expected = {grading._safe_csv(c.student) for c in corpus["cases"]}
    assert set(corpus["rows"]) == expected
    lines = (corpus["out"] / "grades.csv").read_text().splitlines()
    assert len(list(csv.reader(lines))) == len(expected) + 1


def _cases():
    from pathlib import Path

    for case in build(Path("/nonexistent/marker")):
        yield pytest.param(case.student, id=case.student)


@pytest.mark.parametrize("student", list(_cases()))
def test_case_gets_what_its_code_earns(corpus, student):
    case = next(c for c in corpus["cases"] if c.student == student)
    row = _row(corpus, case)
    detail = f"{case.kind}: {row}"
    assert row["status"] == case.status, detail
    if case.score is not None:
        assert float(row["score"]) == case.score, detail
    if case.same_as:
        # the attack adds nothing to what the same answers earn without it
        # (it may cost points: it can only change the data it returns)
        twin = corpus["results"][case.same_as]
        res = corpus["results"][case.student]
        assert set(res.cells) == set(twin.cells), detail
        for cell, (got, _) in res.cells.items():
            if got is not None:
                assert got <= twin.cells[cell][0], (detail, cell, twin.cells)
        assert float(row["score"]) <= twin.score, detail
    assert float(row["max_score"]) == 15.0, detail
    if case.flagged is not None:
        assert row["flagged"] == str(case.flagged).lower(), detail
    if case.reason:
        assert case.reason in row["reason"], detail
    if case.integrity:
        found = corpus["integrity"][f"{row['student_id']}/{ASSIGNMENT}"]
        assert found[case.integrity], (case.integrity, found)
    res = corpus["results"][case.student]
    for cell in case.lose:
        assert res.cells[cell][0] == 0, (cell, res.cells)
    if case.status == "graded":
        assert row["needs_manual_grade"] == "true", detail


def test_honest_submission_is_clean(corpus):
    found = corpus["integrity"][f"honest/{ASSIGNMENT}"]
    assert not any(found[k] for k in ("tamper", "canaries", "restored",
                                      "course_imports")), found


def test_sandbox_saw_nothing_and_wrote_nothing(corpus):
    if bwrap() is None:
        pytest.skip("bubblewrap is not available: isolation not tested")
    nb = json.loads(next((corpus["root"] / "work").glob(
        f"*/autograded/probe/{ASSIGNMENT}/{NB}")).read_text())
    text = "".join(o.get("text", "") for c in nb["cells"]
                   for o in c.get("outputs", []))
    assert "VISIBLE []" in text, text
    assert "WROTE []" in text, text
    assert "NETWORK reachable" not in text, text
    assert "NETWORK OSError" in text, text
    assert "INTERFACES ['lo']" in text, text
    assert not corpus["marker"].exists()
    assert not (grading.ROOT / "course_lib" / "evil.py").exists()


def test_feedback_hides_hidden_tests(corpus):
    page = (corpus["out"] / "feedback" / "honest-wrong" / ASSIGNMENT /
            "foundations.html").read_text()
    assert "failed" in page and "test_softmax" in page
    assert "BEGIN HIDDEN TESTS" not in page
    assert "_check_softmax" not in page
    assert "Traceback" not in page


def _check_source_lines() -> list[str]:
    """Lines of the hidden checks that only their source contains."""
    text = (grading.ROOT / "solutions" / ASSIGNMENT / "checks.py").read_text()
    return [ln.strip() for ln in text.splitlines()
            if any(k in ln for k in ("probe.", "ref.", "def ", "side."))
            and len(ln.strip()) > 12]


# Reference answers to the fixed inputs of the checks: the cross-entropy of
# logits (1e4, -1e4) with label 1, and the softmax of three equal logits.
EXPECTED_VALUES = ("20000.0", "2e+04", "0.3333333333333333", "0.33333")


def test_no_feedback_shows_a_check_or_an_expected_value(corpus):
    lines = _check_source_lines()
    assert len(lines) > 10, lines
    pages = list((corpus["out"] / "feedback").rglob("*.html"))
    assert len(pages) >= 40, len(pages)
    for page in pages:
        text = page.read_text()
        for line in lines:
            assert html.escape(line) not in text and line not in text, (
                page, line)
        for value in EXPECTED_VALUES:
            assert value not in text, (page, value)


def test_recorded_traffic_holds_no_check(corpus):
    """A submission that records every cell and probe it is sent prints
    them into its feedback: inputs and names only."""
    page = (corpus["out"] / "feedback" / "record-cells" / ASSIGNMENT /
            "foundations.html").read_text()
    assert "RECORDED" in page
    assert "&#x27;action&#x27;: &#x27;call&#x27;" in page  # probes recorded
    assert "softmax" in page
    for word in ("BEGIN HIDDEN", "expect_close", "_check_", "checks.py"):
        assert word not in page, word


def test_report_lists_flags(corpus):
    page = (corpus["out"] / "report.html").read_text()
    assert "patch-runner" in page and "canaries" in page
    assert "data:image/png;base64," in page


def test_gradebook_has_only_validated_rows(corpus):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{corpus['out'] / 'gradebook.db'}") as gb:
        subs = {s.student_id: s for s in
                gb.assignment_submissions(ASSIGNMENT)}
        assert subs["honest"].score == 13.0
        assert "invalid-json" not in subs
        assert subs["patch-runner"].score == 11.0
        assert subs["gc-rewrite"].score <= subs["zeros"].score
        assert subs["patch-runner"].needs_manual_grade


def test_no_sandbox_process_survives(corpus):
    """The 'processes' case started sleepers; closing its sandbox (its PID
    namespace) must have ended them."""
    left = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read()
        except OSError:
            continue
        if cmd == b"sleep\x0060\x00":
            left.append(pid)
    assert not left, f"{len(left)} sleep processes survived the sandbox"


@pytest.fixture(scope="module")
def classroom(corpus):
    """The same corpus through ``nbgrader autograde`` with the course's
    configuration (what Formgrader's Autograde button runs)."""
    import shutil

    root = corpus["root"] / "nbgrader"
    subs = root / "submissions"
    for case in corpus["cases"]:
        if corpus["rows"][grading._safe_csv(case.student)]["status"] == \
                "graded":
            shutil.copytree(corpus["root"] / "submissions" / case.student,
                            subs / case.student)
    engine = {"cell_seconds": LIMITS.cell_seconds,
              "student_seconds": LIMITS.student_seconds,
              "memory_mb": LIMITS.memory_mb,
              "flood_bytes": LIMITS.flood_bytes}
    scores = nbgrader_autograde(subs, ASSIGNMENT, NB, root / "course", engine)
    return scores, root / "course"


def test_nbgrader_autograde_gives_the_same_scores(corpus, classroom):
    scores, _ = classroom
    # nbgrader collects a notebook under its released name only; make grade
    # also takes a student's one renamed copy (and says so in its reason)
    graded = {c.student for c in corpus["cases"]
              if corpus["rows"][grading._safe_csv(c.student)]["status"]
              == "graded" and c.filename == NB}
    assert set(scores) == graded
    for student in sorted(graded):
        res = corpus["results"][student]
        mine = {cell: got for cell, (got, _) in res.cells.items()}
        assert scores[student]["cells"] == mine, student
        auto = sum(v for v in mine.values() if v is not None)
        assert scores[student]["score"] == auto, student


def test_nbgrader_autograded_notebooks_hold_no_check(classroom):
    _, course = classroom
    notebooks = list(course.glob(f"autograded/*/{ASSIGNMENT}/{NB}"))
    assert len(notebooks) >= 30, len(notebooks)
    lines = _check_source_lines()
    for path in notebooks:
        text = path.read_text()
        for line in lines:
            assert json.dumps(line)[1:-1] not in text, (path, line)
        for value in EXPECTED_VALUES:
            assert value not in text, (path, value)
    found = sorted(str(p.relative_to(course)) for p in
                   course.rglob("checks.py"))
    assert found == [f"source/{ASSIGNMENT}/checks.py"], found
