"""The plausible wrong answers of tests/mutants/ are well formed: each one
resolves to valid code that differs from the reference answer (no nbgrader,
fast; test_assignments.py grades them)."""

from __future__ import annotations

import pytest

from course_tools.course import SOLUTIONS, assignments

from .assignments import Mutant, MutantEditError, load_mutants, solution_sources

COURSE = assignments()
REFERENCES = {a.name: solution_sources(SOLUTIONS / a.name / a.notebooks[0])
              for a in COURSE}


def _mutant_params():
    for a in COURSE:
        for m in load_mutants(a.name):
            yield pytest.param(a.name, m, id=f"{a.name}:{m.name}")


@pytest.mark.parametrize("assignment,mutant", list(_mutant_params()))
def test_mutant_resolves_to_other_valid_code(assignment, mutant):
    answers = REFERENCES[assignment]
    assert mutant.cell in answers, (
        f"{mutant.name}: no solution cell {mutant.cell!r} in {assignment}")
    reference = answers[mutant.cell]
    wrong = mutant.resolve(reference)
    assert wrong.strip() != reference.strip(), (
        f"{mutant.name} is the reference answer of {mutant.cell}")
    compile(wrong, f"<mutant {mutant.name}>", "exec")


@pytest.mark.parametrize("assignment", [a.name for a in COURSE])
def test_mutants_are_distinct(assignment):
    mutants = load_mutants(assignment)
    names = [m.name for m in mutants]
    assert len(set(names)) == len(names), f"repeated names in {names}"
    seen: dict[tuple[str, str], str] = {}
    for m in mutants:
        key = (m.cell, m.resolve(REFERENCES[assignment][m.cell]))
        assert key not in seen, f"{m.name} repeats {seen.get(key)}"
        seen[key] = m.name


REFERENCE = "def f(x):\n    y = x + 1\n    return y + 1"


def _edit_mutant(*edits):
    return Mutant(name="demo", cell="f", edits=edits, loses=("test_f",))


def test_edits_apply_in_order():
    m = _edit_mutant(("x + 1", "x - 1"), ("x - 1\n", "x - 1  # sign\n"))
    assert m.resolve(REFERENCE) == (
        "def f(x):\n    y = x - 1  # sign\n    return y + 1")


def test_edit_not_found_names_mutant_cell_and_text():
    m = _edit_mutant(("x * 2", "x * 3"))
    with pytest.raises(MutantEditError) as err:
        m.resolve(REFERENCE)
    text = str(err.value)
    assert "'demo'" in text and "'f'" in text and "'x * 2'" in text
    assert "not found" in text


def test_ambiguous_edit_says_how_often_it_occurs():
    m = _edit_mutant(("+ 1", "- 1"))
    with pytest.raises(MutantEditError, match="found 2 times"):
        m.resolve(REFERENCE)


def test_later_edit_sees_the_earlier_ones():
    m = _edit_mutant(("x + 1", "x - 1"), ("x + 1", "x * 2"))
    with pytest.raises(MutantEditError, match="edit 2.*not found"):
        m.resolve(REFERENCE)


def test_source_is_used_as_given():
    m = Mutant(name="demo", cell="f", source="def f(x):\n    return 0",
               loses=("test_f",))
    assert m.resolve(REFERENCE) == "def f(x):\n    return 0"


@pytest.mark.parametrize("kwargs", [
    {},
    {"source": "pass", "edits": (("a", "b"),)},
    {"edits": (("a", "a"),)},
    {"edits": (("", "b"),)},
    {"edits": (("a", "b", "c"),)},
    {"edits": (("a", 1),)},
    {"edits": ("ab", "cd")},
], ids=["neither", "both", "no-op", "empty-old", "triple", "not-str",
        "pair-not-nested"])
def test_malformed_mutant_is_refused(kwargs):
    with pytest.raises(TypeError, match="mutant demo"):
        Mutant(name="demo", cell="f", loses=("test_f",), **kwargs)


def test_mutant_is_frozen_and_hashable():
    m = _edit_mutant(["x + 1", "x - 1"])
    assert m.edits == (("x + 1", "x - 1"),)
    assert hash(m) == hash(_edit_mutant(("x + 1", "x - 1")))
    with pytest.raises(AttributeError):
        m.name = "other"
