"""The honest reference of every assignment, graded in the sandbox in one
run: full automatic marks, nothing flagged or undone, and feedback that
names each check without showing hidden check code."""

from __future__ import annotations

import json

import pytest

from course_tools import grade as grading
from course_tools.course import assignments
from course_tools.integrity import load_template

from .assignments import variants

pytestmark = [pytest.mark.grading, pytest.mark.slow,
              pytest.mark.xdist_group("honest")]
COURSE = assignments()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("honest")
    folder = root / "submissions" / "honest"
    folder.mkdir(parents=True)
    for a in COURSE:
        for nb in a.notebooks:
            (folder / nb).write_text(json.dumps(variants(a.name, nb)[
                "reference"]))
    out = root / "out"
    results = grading.grade(root / "submissions", out, workdir=root / "work",
                            jobs=2)
    integrity = json.loads((out / "integrity.json").read_text())
    return {r.assignment: r for r in results}, integrity, out


@pytest.mark.parametrize("assignment", COURSE, ids=[a.name for a in COURSE])
def test_reference_is_clean_and_full(graded, assignment):
    results, integrity, out = graded
    res = results[assignment.name]
    assert res.status == "graded" and not res.flagged, res.reason
    found = integrity[f"honest/{assignment.name}"]
    for key in ("tamper", "canaries", "restored", "course_imports"):
        assert not found[key], (key, found[key])
    for nb in assignment.notebooks:
        template = load_template(assignment.name, nb)
        written = {c["metadata"]["nbgrader"]["grade_id"]
                   for c in template.cells if template.kind(c) == "written"}
        for cell, points in template.graded.items():
            got = res.cells[cell][0]
            if cell in written:
                # an answer that differs from the placeholder waits for a
                # human: no automatic score
                assert got is None, (cell, got)
            else:
                assert got == points, (cell, got, points)
        assert res.needs_manual_grade == bool(written)
        page = (out / "feedback" / "honest" / assignment.name /
                nb.replace(".ipynb", ".html")).read_text()
        assert "BEGIN HIDDEN TESTS" not in page
        assert "_check_" not in page
        assert page.count("passed (") == sum(
            1 for c in template.cells
            if c["metadata"]["nbgrader"].get("grade")
            and not c["metadata"]["nbgrader"].get("solution"))
