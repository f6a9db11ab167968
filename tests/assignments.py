"""Build graded variants of an assignment (reference, blank, mutants) and
grade them with real ``nbgrader autograde``."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from course_tools.course import EXERCISES, SOLUTIONS

MUTANTS_DIR = Path(__file__).parent / "mutants"
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS",
           "### END HIDDEN TESTS")


class MutantEditError(ValueError):
    """An edit of a mutant does not name exactly one place in the answer."""


Edit = tuple[str, str]


@dataclass(frozen=True, kw_only=True)
class Mutant:
    """A plausible wrong answer to the solution cell ``cell``.

    Give either the whole wrong answer as ``source`` (for code that is
    structurally different) or ``edits``: ``(old, new)`` pairs applied in
    order to the reference answer, each ``old`` occurring exactly once in the
    text it is applied to. Every test cell in ``loses`` must score less than
    full marks; all other autograded cells keep theirs. ``message``, when
    given, must appear in the output of a failing test cell (the hint that
    names the mistake). ``unsettled`` names cells whose points the mutant
    keeps or loses with the grading secret's draw (its held-out accuracy
    sits at a bar); their scores are asserted neither way.
    """

    name: str
    cell: str
    loses: tuple[str, ...]
    source: str | None = None
    edits: tuple[Edit, ...] = ()
    message: str | None = None
    unsettled: tuple[str, ...] = ()

    def __post_init__(self):
        if (self.source is None) == (not self.edits):
            raise TypeError(f"mutant {self.name}: give either source or "
                            "edits, not both or neither")
        for edit in self.edits:
            if (not isinstance(edit, (tuple, list)) or len(edit) != 2
                    or not all(isinstance(s, str) for s in edit)
                    or edit[0] == edit[1] or not edit[0]):
                raise TypeError(f"mutant {self.name}: each edit must be a "
                                f"pair (old, new) of different strings with "
                                f"old non-empty; got {edit!r}")
        if set(self.unsettled) & set(self.loses):
            raise TypeError(f"mutant {self.name}: a cell cannot both lose "
                            f"and be unsettled: "
                            f"{sorted(set(self.unsettled) & set(self.loses))}")
        # lists are accepted; tuples keep the mutant hashable
        object.__setattr__(self, "edits",
                           tuple(tuple(e) for e in self.edits))

    def resolve(self, reference: str) -> str:
        """The wrong answer: ``source``, or ``edits`` applied to
        ``reference`` (the reference answer of ``cell``)."""
        if self.source is not None:
            return self.source
        text = reference
        for i, (old, new) in enumerate(self.edits, start=1):
            count = text.count(old)
            if count != 1:
                where = ("not found" if count == 0
                         else f"found {count} times; make it longer")
                raise MutantEditError(
                    f"mutant {self.name!r}, cell {self.cell!r}: the text of "
                    f"edit {i}, {old!r}, must occur exactly once in the "
                    f"reference answer (after the previous edits): {where}")
            text = text.replace(old, new)
        return text


def load_mutants(assignment: str) -> list[Mutant]:
    path = MUTANTS_DIR / f"{assignment}.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location(
        f"mutants_{assignment.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.MUTANTS)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def autograded_points(nb: dict) -> dict[str, float]:
    """grade_id -> points of every test cell of ``nb`` (graded code that is
    not an answer): the cells the hidden checks score."""
    return {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c)["points"])
            for c in nb["cells"] if c["cell_type"] == "code"
            and nbgrader_meta(c).get("grade")
            and not nbgrader_meta(c).get("solution")}


def solution_sources(notebook: Path) -> dict[str, str]:
    """grade_id -> the reference answer (solution markers removed)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    out = {}
    for cell in nb["cells"]:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            lines = "".join(cell["source"]).splitlines()
            kept = [ln for ln in lines if ln.strip() not in MARKERS]
            out[meta["grade_id"]] = "\n".join(kept)
    return out


def fill(release_nb: dict, answers: dict[str, str]) -> dict:
    """A copy of the released notebook with solution cells replaced."""
    nb = copy.deepcopy(release_nb)
    for cell in nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    return nb


def variants(assignment: str, notebook: str) -> dict[str, dict]:
    """student id -> notebook dict: ``reference``, ``blank``, one per mutant."""
    release = json.loads((EXERCISES / assignment / notebook).read_text(
        encoding="utf-8"))
    answers = solution_sources(SOLUTIONS / assignment / notebook)
    out = {"reference": fill(release, answers), "blank": release}
    for m in load_mutants(assignment):
        if m.cell not in answers:
            raise ValueError(f"mutant {m.name}: no solution cell {m.cell!r} "
                             f"in {assignment}/{notebook}")
        out[f"mutant-{m.name}"] = fill(
            release, {**answers, m.cell: m.resolve(answers[m.cell])})
    return out


def write_submissions(folder: Path, assignment: str, notebook: str) -> None:
    for student, nb in variants(assignment, notebook).items():
        d = folder / student
        d.mkdir(parents=True, exist_ok=True)
        (d / notebook).write_text(json.dumps(nb, indent=1), encoding="utf-8")


def cell_outputs(workdir: Path, student: str, assignment: str,
                 notebook: str) -> dict[str, str]:
    """grade_id -> text of that cell's outputs in the autograded notebook."""
    found = list(workdir.glob(f"*/autograded/{student}/{assignment}/"
                              f"{notebook}"))
    if len(found) != 1:
        raise FileNotFoundError(f"no single autograded {notebook} for "
                                f"{student} under {workdir}: {found}")
    nb = json.loads(found[0].read_text(encoding="utf-8"))
    texts = {}
    for cell in nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid:
            parts = []
            for o in cell.get("outputs", []):
                parts.append("".join(o.get("text", "")))
                parts.append(o.get("evalue", ""))
                parts.extend(o.get("traceback", []))
            texts[gid] = "\n".join(parts)
    return texts


def nbgrader_autograde(submissions: Path, assignment: str, notebook: str,
                       root: Path, engine: dict) -> dict[str, dict]:
    """Grade ``submissions`` (one folder per student holding ``notebook``)
    with real ``nbgrader autograde`` in a scratch course at ``root`` that
    uses the course's engine (``engine``: SandboxedGrade settings).

    Returns student -> {"score", "cells": {grade_id: auto_score},
    "flagged"} for every submission nbgrader graded.
    """
    import shutil

    from nbgrader.api import Gradebook

    from course_tools.course import nbgrader, write_course_config

    shutil.copytree(SOLUTIONS / assignment, root / "source" / assignment)
    write_course_config(root, engine=engine)
    nbgrader(["generate_assignment", assignment, "--force"], cwd=root)
    for folder in sorted(Path(submissions).iterdir()):
        nb = folder / notebook
        if folder.is_dir() and nb.is_file() and not nb.is_symlink():
            dest = root / "submitted" / folder.name / assignment
            dest.mkdir(parents=True)
            shutil.copy(nb, dest / notebook)
    nbgrader(["autograde", assignment, "--force"], cwd=root, check=False)
    stem = notebook[:-len(".ipynb")]
    out = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for sub in gb.assignment_submissions(assignment):
            nb = gb.find_submission_notebook(stem, assignment,
                                             sub.student_id)
            out[sub.student_id] = {
                "score": sub.score, "flagged": nb.flagged,
                "cells": {g.name: g.auto_score for g in nb.grades}}
    return out


# ------------------------------------------------ in process, without nbgrader

def answer_sources(nb: dict) -> dict[str, str]:
    """grade id -> source of each answer cell, and ``"_other"``: the
    unmarked cells joined (what Probe.submitted() gives the checks)."""
    out: dict[str, str] = {}
    other = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = cell["source"] if isinstance(cell["source"], str) else "".join(
            cell["source"])
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            out[meta["grade_id"]] = src
        elif not meta.get("grade") and not meta.get("locked"):
            other.append(src)
    out["_other"] = "\n\n".join(other)
    return out


def run_visible(nb: dict) -> tuple[dict, dict[str, str]]:
    """Run a notebook's code cells in order in one namespace, as Validate
    does: (namespace, grade id -> error text of every test cell that
    raised)."""
    import contextlib
    import io

    import numpy as np

    namespace: dict = {"__name__": "__main__"}
    failed = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id", "?")
        src = cell["source"] if isinstance(cell["source"], str) else "".join(
            cell["source"])
        try:
            with contextlib.redirect_stdout(io.StringIO()), \
                    np.errstate(all="ignore"):
                exec(compile(src, gid, "exec"), namespace)
        except Exception as exc:  # a failing cell, as in the notebook
            if meta.get("grade") and not meta.get("solution"):
                failed[gid] = f"{type(exc).__name__}: {exc}"
    if "matplotlib.pyplot" in sys.modules:  # the variants' figures pile up
        sys.modules["matplotlib.pyplot"].close("all")
    return namespace, failed


def local_probe(namespace: dict, sources: dict[str, str] | None = None):
    """A notebook's namespace behind the Probe interface, as the sandbox
    gives it: data goes in and comes out as copies, objects come back as
    handles that stay themselves when passed back, and the answer's own
    errors arrive as StudentError."""
    import contextlib
    import io

    import numpy as np

    from course_tools.checks import Reference, StudentError

    data = (np.ndarray, np.generic, int, float, complex, str, bytes, bool,
            type(None))

    def is_data(value) -> bool:
        if isinstance(value, (list, tuple)):
            return all(is_data(v) for v in value)
        if type(value) is dict:
            return all(is_data(v) for v in value.values())
        return isinstance(value, data)

    def unwrap(value):
        if isinstance(value, Handle):
            return value._obj
        if type(value) in (list, tuple):
            return type(value)(unwrap(v) for v in value)
        if type(value) is dict:
            return {k: unwrap(v) for k, v in value.items()}
        return copy.deepcopy(value)

    def answer(fn, args, kwargs):
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                out = fn(*unwrap(list(args)), **unwrap(dict(kwargs)))
        except Exception as exc:  # the answer's own error
            raise StudentError(type(exc).__name__, str(exc)) from None
        return copy.deepcopy(out) if is_data(out) else Handle(out)

    class Handle:
        """An object living in the notebook (a sandbox handle's stand-in):
        attributes, items and calls reach the object itself."""

        def __init__(self, obj):
            object.__setattr__(self, "_obj", obj)

        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            try:
                return Handle(getattr(self._obj, name))
            except Exception as exc:
                raise StudentError(type(exc).__name__, str(exc)) from None

        def __setattr__(self, name, value):
            setattr(self._obj, name, unwrap(value))

        def __getitem__(self, key):
            try:
                return Handle(self._obj[key])
            except Exception as exc:
                raise StudentError(type(exc).__name__, str(exc)) from None

        def __call__(self, *args, **kwargs):
            return answer(self._obj, args, kwargs)

    class LocalProbe(Reference):
        def __getattr__(self, name):
            return Handle(super().__getattr__(name))

        def lookup(self, name: str):
            return Handle(self._ns[name])

        def put(self, value):
            return Handle(unwrap(value))

        def get(self, value):
            return copy.deepcopy(value._obj if isinstance(value, Handle)
                                 else value)

        def set(self, obj, name, value):
            setattr(obj._obj if isinstance(obj, Handle) else obj, name,
                    unwrap(value))

        def submitted(self) -> dict[str, str]:
            return dict(sources or {})

    return LocalProbe(namespace)


def hidden_in_process(assignment: str, notebook: str, nb: dict,
                      namespace: dict, seed: int = 2026
                      ) -> tuple[dict[str, float], dict[str, str]]:
    """Run the hidden checks of ``assignment`` against a variant already
    executed into ``namespace``: (grade id -> points earned, grade id ->
    reasons of the checks that failed)."""
    import numpy as np

    from course_tools.checks import load_checks, reference, run_check

    checks = load_checks(assignment) or {}
    ref = reference(SOLUTIONS / assignment / notebook)
    probe = local_probe(namespace, answer_sources(nb))
    scores, reasons = {}, {}
    for cell, items in checks.items():
        with np.errstate(all="ignore"):  # wrong answers overflow, as in the sandbox
            results = [run_check(item, probe, ref, seed=seed) for item in items]
        scores[cell] = sum(r.points for r in results if r.passed)
        reasons[cell] = " | ".join(r.reason for r in results if not r.passed)
    return scores, reasons
