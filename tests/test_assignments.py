"""Every assignment, proven with real ``nbgrader autograde``: the reference
answer scores full marks, the blank release scores zero on every autograded
cell, and each plausible wrong answer loses the points of the cells it
should."""

from __future__ import annotations

import json

import pytest

from course_tools import grade as grading
from course_tools.course import EXERCISES, ROOT, SOLUTIONS, assignments
from course_tools.release import generate

from .assignments import cell_outputs, load_mutants, nbgrader_meta, write_submissions

pytestmark = [pytest.mark.grading, pytest.mark.slow]

COURSE = assignments()
_GRADED: dict[str, tuple] = {}


def graded(assignment, tmp_root):
    """Grade reference, blank and mutants of ``assignment`` once per worker."""
    if assignment.name not in _GRADED:
        notebook = assignment.notebooks[0]
        subs = tmp_root / "submissions"
        write_submissions(subs, assignment.name, notebook)
        work = tmp_root / "work"
        results = grading.grade(subs, tmp_root / "out", workdir=work,
                                names=[assignment.name])
        by_student = {r.student: r for r in results}
        _GRADED[assignment.name] = (by_student, work, notebook)
    return _GRADED[assignment.name]


def autograded_cells(assignment) -> dict[str, float]:
    """grade_id -> points of every autograded test cell (from the source)."""
    nb = json.loads((assignment.source_dir / assignment.notebooks[0])
                    .read_text(encoding="utf-8"))
    return {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c)["points"])
            for c in nb["cells"]
            if nbgrader_meta(c).get("grade") and not nbgrader_meta(c)
            .get("solution")}


def _params():
    for a in COURSE:
        yield pytest.param(a, id=a.name,
                           marks=pytest.mark.xdist_group(a.name))


def _mutant_params():
    for a in COURSE:
        for m in load_mutants(a.name):
            yield pytest.param(a, m, id=f"{a.name}:{m.name}",
                               marks=pytest.mark.xdist_group(a.name))


@pytest.fixture(scope="module")
def tmp_root(tmp_path_factory):
    return tmp_path_factory.mktemp("grading")


def _root_for(tmp_root, assignment):
    d = tmp_root / assignment.name
    d.mkdir(exist_ok=True)
    return d


@pytest.mark.parametrize("assignment", list(_params()))
def test_reference_scores_full_marks(assignment, tmp_root):
    results, _, _ = graded(assignment, _root_for(tmp_root, assignment))
    ref = results["reference"]
    assert ref.status == "graded", ref.reason
    auto = autograded_cells(assignment)
    assert auto, "the assignment has no autograded test cell"
    for cell, points in auto.items():
        assert ref.cells[cell] == (points, points), (
            f"reference lost points on {cell}: {ref.cells[cell]}")


@pytest.mark.parametrize("assignment", list(_params()))
def test_blank_release_scores_zero(assignment, tmp_root):
    results, _, _ = graded(assignment, _root_for(tmp_root, assignment))
    blank = results["blank"]
    assert blank.status == "graded", blank.reason
    for cell in autograded_cells(assignment):
        assert blank.cells[cell][0] == 0, f"blank scored on {cell}"
    assert blank.score == 0


@pytest.mark.parametrize("assignment", list(_params()))
def test_every_graded_cell_has_a_mutant(assignment):
    lost = {c for m in load_mutants(assignment.name) for c in m.loses}
    missing = sorted(set(autograded_cells(assignment)) - lost)
    assert not missing, f"no plausible wrong answer loses points on {missing}"


@pytest.mark.parametrize("assignment,mutant", list(_mutant_params()))
def test_mutant_loses_its_points(assignment, mutant, tmp_root):
    results, work, notebook = graded(assignment,
                                     _root_for(tmp_root, assignment))
    res = results[f"mutant-{mutant.name}"]
    assert res.status == "graded", res.reason
    for cell, points in autograded_cells(assignment).items():
        score = res.cells[cell][0]
        if cell in mutant.unsettled:
            continue
        if cell in mutant.loses:
            assert score < points, f"{mutant.name} kept full marks on {cell}"
        else:
            assert score == points, (
                f"{mutant.name} lost points on {cell}, which it should not "
                "affect")
    if mutant.message:
        outputs = cell_outputs(work, f"mutant-{mutant.name}",
                               assignment.name, notebook)
        text = "\n".join(outputs[c] for c in mutant.loses)
        assert mutant.message.lower() in text.lower(), (
            f"the failure output does not name the mistake "
            f"({mutant.message!r}):\n{text[-2000:]}")


@pytest.mark.parametrize("assignment", list(_params()))
def test_exercises_match_a_fresh_release(assignment, tmp_path):
    generate(tmp_path, [assignment.name])
    for nb in assignment.notebooks:
        fresh = json.loads((tmp_path / assignment.name / nb).read_text())
        committed = json.loads((EXERCISES / assignment.name / nb).read_text())
        assert committed == fresh, (
            f"exercises/{assignment.name}/{nb} differs from what "
            "`make release` generates from solutions/; run `make release`")


@pytest.mark.parametrize("assignment", list(_params()))
def test_no_instructor_marker_in_exercises(assignment):
    for path in (EXERCISES / assignment.name).rglob("*.ipynb"):
        text = path.read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS",
                       "END HIDDEN TESTS"):
            assert marker not in text, f"{marker!r} survives in {path}"


@pytest.mark.parametrize("notebook", sorted(
    str(p.relative_to(ROOT)) for p in
    [*SOLUTIONS.rglob("*.ipynb"), *EXERCISES.rglob("*.ipynb")]
    if ".ipynb_checkpoints" not in p.parts))
def test_notebooks_are_committed_without_outputs(notebook):
    nb = json.loads((ROOT / notebook).read_text(encoding="utf-8"))
    executed = [i for i, cell in enumerate(nb["cells"])
                if cell["cell_type"] == "code"
                and (cell.get("outputs") or cell.get("execution_count"))]
    assert not executed, (f"{notebook}: code cells {executed} carry outputs; "
                          "clear them (Kernel > Restart and clear outputs)")
