"""Hand-in file names: ``make validate`` names the file an assignment is
handed in as before anything else, and ``make grade`` grades the one copy
of a notebook handed in under another name, saying so, and grades none of
several copies, naming them all. tests/test_grading_cli.py shows both in
the CSV, the feedback, integrity.json and the report of a real grading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from course_tools.course import EXERCISES, assignments
from course_tools.grade import Result, collect, notebook_ids
from course_tools.integrity import load_template
from course_tools.validate import identify, main, released

from .assignments import variants

ROOT = Path(__file__).resolve().parent.parent
NB = "foundations.ipynb"
RELEASE = json.loads((EXERCISES / "01-foundations" / NB).read_text())
COURSE = [a for a in assignments()
          if a.name in ("01-foundations", "07-hyperparameters")]
TEMPLATES = {(a.name, nb): load_template(a.name, nb)
             for a in COURSE for nb in a.notebooks}
KNOWN = notebook_ids()
EMPTY = {"cells": [], "nbformat": 4, "metadata": {}}


def write(path: Path, content) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not isinstance(content, bytes):
        content = json.dumps(content).encode()
    path.write_bytes(content)
    return path


def rows_of(folder: Path) -> dict[tuple[str, str], Result | object]:
    """(student, assignment) -> its final Result, or the Job that will run."""
    students = sorted(p.name for p in folder.iterdir())
    final, jobs = collect(folder, COURSE, students, TEMPLATES, known=KNOWN)
    out: dict = {(r.student, r.assignment): r for r in final}
    out.update({(j.result.student, j.result.assignment): j for j in jobs})
    return out


# ------------------------------------------------------------ which notebook

@pytest.mark.parametrize("assignment", [a.name for a in assignments()])
def test_every_released_notebook_is_recognised_by_its_cells(assignment):
    known = released()
    [(key, ids)] = [(k, v) for k, v in known.items() if k[0] == assignment]
    assert identify(ids, known) == key
    # a student who deleted a few cells is still recognised
    assert identify(set(sorted(ids)[3:]), known) == key


def test_shared_cells_alone_identify_no_assignment():
    known = released()
    assert identify({"intro", "imports", "task-written"}, known) is None
    assert identify(set(), known) is None
    first = next(iter(known.values()))
    others = set().union(*(v for v in known.values() if v is not first))
    few = set(sorted(first - others)[:1])
    assert identify(few, known) is None, "one copied cell is not the notebook"


# ------------------------------------------------------------------ validate

def run_validate(path: Path, capsys) -> tuple[int, str, str]:
    code = main([str(path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def fake_nbgrader(monkeypatch, ran: list | None = None) -> None:
    """nbgrader validate says Success at once (and records its arguments)."""
    def run(args, **kwargs):
        if ran is not None:
            ran.append(args)
        return subprocess.CompletedProcess(args, 0, "Success!", "")
    monkeypatch.setattr("course_tools.validate.nbgrader", run)


@pytest.mark.parametrize("name", ["foundations (1).ipynb", "Foundations.ipynb",
                                  "foundations-copy.ipynb",
                                  "foundations.ipynb.txt"])
def test_validate_names_the_expected_file_first(tmp_path, capsys, monkeypatch,
                                                name):
    ran: list = []
    fake_nbgrader(monkeypatch, ran)
    path = write(tmp_path / "01-foundations" / name, RELEASE)
    code, out, _ = run_validate(path, capsys)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith("WRONG FILE NAME") and "01-foundations" in first, out
    assert "handed in as foundations.ipynb" in first and repr(name) in first, first
    assert "mv " in first and str(path.with_name(NB)) in first, first
    # the tests of a notebook still run, so the student sees both problems
    notebook = name.endswith(".ipynb")
    assert len(ran) == notebook, ran
    assert out.rstrip().endswith("(see the first line).") == notebook, out


def test_validate_does_not_advise_overwriting_the_other_copy(tmp_path, capsys,
                                                             monkeypatch):
    fake_nbgrader(monkeypatch)
    write(tmp_path / NB, RELEASE)
    copy = write(tmp_path / "foundations (1).ipynb", RELEASE)
    code, out, _ = run_validate(copy, capsys)
    assert code == 1
    assert "already a foundations.ipynb beside it" in out and "mv " not in out, out


def test_validate_accepts_the_released_name(tmp_path, capsys, monkeypatch):
    fake_nbgrader(monkeypatch)
    code, out, err = run_validate(write(tmp_path / "any" / NB, RELEASE), capsys)
    assert (code, out.strip(), err) == (0, "Success!", "")


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "nothere.ipynb", "NB must be an existing .ipynb file; got"),
    (lambda d: d, "(a folder)"),
    (lambda d: write(d / "notes.txt", b"my notes"),
     "NB must be a Jupyter notebook (.ipynb); got notes.txt"),
    (lambda d: write(d / NB, b'{"cells": ['), "is not readable (invalid JSON"),
    (lambda d: write(d / NB, [1, 2]), "is JSON without notebook cells"),
    (lambda d: write(d / "scratch.ipynb", {"cells": [], "nbformat": 4}),
     "NB must be a notebook of one of the assignments 01-foundations, 02-"),
])
def test_validate_names_bad_input(tmp_path, capsys, make, message):
    code, out, err = run_validate(make(tmp_path), capsys)
    assert code == 2 and out == ""
    assert err.startswith("validate: ") and message in err, err


@pytest.mark.slow
def test_validate_rename_message_comes_first_in_a_real_run(tmp_path):
    path = write(tmp_path / "Foundations.ipynb",
                 variants("01-foundations", NB)["reference"])
    proc = subprocess.run([sys.executable, "-m", "course_tools.validate",
                           str(path)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("WRONG FILE NAME") and "foundations.ipynb" in lines[0]
    assert any("Success" in ln for ln in lines[1:]), proc.stdout


# ----------------------------------------------------- grade: which file runs

@pytest.mark.parametrize("name", ["foundations (1).ipynb", "Foundations.ipynb",
                                  "foundations.ipynb.ipynb", "foundations-2.ipynb",
                                  "01-foundations/Copy of foundations.ipynb",
                                  "work/foundations.ipynb"])
def test_one_renamed_copy_is_graded_and_marked(tmp_path, name):
    write(tmp_path / "ann" / name, RELEASE)
    rows = rows_of(tmp_path)
    assert set(rows) == {("ann", "01-foundations")}, "a copy of 01 is not 07"
    job = rows[("ann", "01-foundations")]
    assert not isinstance(job, Result), job.reason
    assert job.names == [f"renamed from {name!r}"]
    (_, integrity), = job.notebooks.values()
    assert integrity.notes[0].startswith(
        f"renamed from {name!r}: graded as foundations.ipynb")


def test_several_copies_grade_none_and_are_all_named(tmp_path):
    for name in ("foundations (1).ipynb", "Foundations.ipynb",
                 ".ipynb_checkpoints/x.ipynb"):
        write(tmp_path / "ben" / name, RELEASE)
    row = rows_of(tmp_path)[("ben", "01-foundations")]
    assert isinstance(row, Result) and row.status == "invalid"
    assert row.reason == ("2 copies of foundations.ipynb and none under that name: "
                          "'Foundations.ipynb', 'foundations (1).ipynb'; graded none "
                          "(keep one, named foundations.ipynb)")


def test_the_released_name_wins_and_the_other_copy_is_named(tmp_path):
    write(tmp_path / "cat" / NB, RELEASE)
    write(tmp_path / "cat" / "foundations (1).ipynb", RELEASE)
    job = rows_of(tmp_path)[("cat", "01-foundations")]
    assert not isinstance(job, Result)
    assert job.names == ["also found 'foundations (1).ipynb', not graded"]


def test_copies_are_told_apart_by_their_cells(tmp_path):
    hyper = json.loads((EXERCISES / "07-hyperparameters" /
                        "hyperparameters.ipynb").read_text())
    write(tmp_path / "dan" / "foundations (1).ipynb", RELEASE)
    write(tmp_path / "dan" / "assignment 7.ipynb", hyper)
    write(tmp_path / "dan" / "scratch.ipynb", EMPTY)
    rows = rows_of(tmp_path)
    assert rows[("dan", "01-foundations")].names == [
        "renamed from 'foundations (1).ipynb'"]
    assert rows[("dan", "07-hyperparameters")].names == [
        "renamed from 'assignment 7.ipynb'"]


def test_an_unreadable_renamed_copy_is_invalid_not_missing(tmp_path):
    write(tmp_path / "eli" / "Foundations (2).ipynb", b'{"cells": [')
    row = rows_of(tmp_path)[("eli", "01-foundations")]
    assert row.status == "invalid"
    assert row.reason.startswith("foundations.ipynb: not valid notebook JSON")
    assert row.reason.endswith("; renamed from 'Foundations (2).ipynb'")


def test_a_notebook_of_no_assignment_stays_missing(tmp_path):
    write(tmp_path / "fay" / "notes.ipynb", EMPTY)
    rows = rows_of(tmp_path)
    assert {r.status for r in rows.values()} == {"missing"}
    assert "found notes.ipynb" in rows[("fay", "01-foundations")].reason
