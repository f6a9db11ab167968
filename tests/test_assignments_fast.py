"""Every assignment in process, without nbgrader or a sandbox (fast): the
reference passes its visible tests and earns every hidden point; the blank
release fails every visible test; each plausible wrong answer in
tests/mutants/ fails a visible test of a cell it loses (so *Validate* saying
"Success" means the hidden checks will not find a mistake of that kind) and
loses hidden points in exactly its own cells. tests/test_assignments.py
grades the same variants with real nbgrader in the sandbox."""

from __future__ import annotations

import functools
import json

import pytest

from course_tools.checks import load_checks
from course_tools.course import EXERCISES

from .assignments import (
    autograded_points,
    hidden_in_process,
    load_mutants,
    run_visible,
    variants,
)

ASSIGNMENTS = {
    "01-foundations": "foundations.ipynb",
    "02-optimizers": "optimizers.ipynb",
    "03-initialization": "initialization.ipynb",
    "04-batchnorm": "batchnorm.ipynb",
    "05-regularization": "regularization.ipynb",
    "06-convolution": "convolution.ipynb",
    "07-hyperparameters": "hyperparameters.ipynb",
}
CASES = [(a, m.name) for a in ASSIGNMENTS for m in load_mutants(a)]


@functools.cache
def outcome(assignment: str, student: str):
    """(visible failures, hidden points, hidden reasons) of one variant."""
    notebook = ASSIGNMENTS[assignment]
    nb = variants(assignment, notebook)[student]
    namespace, visible = run_visible(nb)
    scores, reasons = hidden_in_process(assignment, notebook, nb, namespace)
    return visible, scores, reasons


@functools.cache
def points(assignment: str) -> dict[str, float]:
    return autograded_points(json.loads(
        (EXERCISES / assignment / ASSIGNMENTS[assignment]).read_text()))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_passes_visible_tests_and_earns_every_hidden_point(assignment):
    visible, scores, reasons = outcome(assignment, "reference")
    assert visible == {}
    full = {c: p for c, p in points(assignment).items() if c in scores}
    assert scores == full, {c: r for c, r in reasons.items() if r}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_cell_has_hidden_checks_and_a_mutant(assignment):
    checks = load_checks(assignment) or {}
    assert set(checks) == set(points(assignment))
    lost = {c for m in load_mutants(assignment) for c in m.loses}
    bare = sorted(set(points(assignment)) - lost)
    assert not bare, f"cells without a plausible wrong answer: {bare}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_blank_release_fails_every_visible_test_and_earns_nothing(assignment):
    visible, scores, _ = outcome(assignment, "blank")
    assert set(visible) == set(points(assignment))
    assert sum(scores.values()) == 0


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_visible_tests_catch_the_mutant(assignment, name):
    mutant = {m.name: m for m in load_mutants(assignment)}[name]
    visible, _, _ = outcome(assignment, f"mutant-{name}")
    caught = set(visible) & set(mutant.loses)
    assert caught, (f"{assignment} {name}: no visible test of {mutant.loses} fails, so "
                    f"Validate says Success (failing: {sorted(visible)})")


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_mutant_loses_hidden_points_in_exactly_its_cells(assignment, name):
    mutant = {m.name: m for m in load_mutants(assignment)}[name]
    _, scores, reasons = outcome(assignment, f"mutant-{name}")
    full = points(assignment)
    losing = {c for c, s in scores.items() if s < full[c]}
    assert losing - set(mutant.unsettled) == set(mutant.loses), \
        {c: reasons[c] for c in losing}
    if mutant.message:
        visible, _, _ = outcome(assignment, f"mutant-{name}")
        text = " ".join([*(reasons[c] for c in losing),
                         *(visible.get(c, "") for c in mutant.loses)]).lower()
        assert mutant.message.lower() in text, (name, text)
