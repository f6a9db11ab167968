"""Run a merged notebook in sandboxes and score it on the host.

Cells run in order in one sandbox. After each test cell (its visible part,
which students can read anyway), the host runs that cell's hidden checks
(:mod:`course_tools.checks`): probes ask the sandbox for data, and the
verdict is computed here against the reference solution. The sandbox never
receives a line of a check or an expected value, so whatever student code
does to its interpreter, it can only change the data it returns.

A cell or probe that times out, crashes the process, or floods the output
stops that sandbox; a fresh one replays the cells that completed before it
(their outputs discarded) and grading goes on, so a crash costs only what
depended on it. Canaries and the runner's guard (tampering undone before
test cells) remain as defence in depth: they flag a submission for a
human, and no score depends on them.

A cell may declare its own time limit in the source notebook's metadata,
``"course": {"seconds": 60}`` (a training cell, say): it then runs with that
limit instead of ``Limits.cell_seconds``, still bounded by what is left of
the notebook's total, and on a test cell the limit bounds each of its hidden
checks as well. A cell stopped at its limit fails with a reason that names
the limit, and the checks it breaks say which cell was stopped.

Assignments without a ``checks.py`` are graded the older way: the test
cell's whole source (hidden tests included) runs in the sandbox, and the
cell scores when it raised nothing.
"""

from __future__ import annotations

import ast
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import checks as hidden_checks
from .integrity import Cell, Integrity, canary_fooled, is_unchanged, with_canaries
from .sandbox import CellFailure, CellTimeout, Limits, Sandbox

SECONDS_KEY = ("course", "seconds")  # cell metadata: a cell's own limit


@dataclass
class Hidden:
    """What the host needs to judge a notebook: checks per test cell, the
    reference solution, the submission's secret seed, and the time limits
    cells declare (None: read from the source notebook next to the checks,
    see :func:`declared_seconds`)."""

    checks: dict  # grade_id -> list[checks.Check]
    reference: Any  # checks.Reference
    seed: int
    seconds: dict | None = None  # grade_id -> seconds


def declared_seconds(notebook: Path) -> dict[str, float]:
    """grade_id -> the time limit a cell of ``notebook`` declares in its
    metadata (``"course": {"seconds": s}``); ValueError for a bad one."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    out = {}
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {})
        course = meta.get(SECONDS_KEY[0], {})
        if not isinstance(course, dict) or SECONDS_KEY[1] not in course:
            continue
        gid = meta.get("nbgrader", {}).get("grade_id")
        value = course[SECONDS_KEY[1]]
        if not gid or isinstance(value, bool) or not isinstance(
                value, (int, float)) or not (math.isfinite(value)
                                             and value > 0):
            raise ValueError(
                f"{notebook}: a cell's 'course.seconds' must be a positive "
                f"number on a cell with a grade id; got {value!r} on "
                f"{gid or 'a cell without one'}")
        out[gid] = float(value)
    return out


def _grade_ids(notebook: Path) -> set[str]:
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    return {c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            for c in nb.get("cells", [])} - {None}


def cell_seconds(hidden: Hidden | None) -> dict[str, float]:
    """The declared limits for the notebook ``hidden`` checks: given, or
    read from the source notebook in the folder of its ``checks.py`` whose
    test cells the checks cover."""
    if hidden is None:
        return {}
    if hidden.seconds is not None:
        return dict(hidden.seconds)
    files = {getattr(getattr(c.fn, "__code__", None), "co_filename", None)
             for items in hidden.checks.values() for c in items}
    out: dict[str, float] = {}
    for name in sorted(f for f in files if f):
        for nb in sorted(Path(name).parent.glob("*.ipynb")):
            if set(hidden.checks) <= _grade_ids(nb):
                out.update(declared_seconds(nb))
    return out


@dataclass
class Run:
    """What happened to one cell."""

    status: str = "skipped"  # "ok", "error", "failed" (sandbox stopped)
    outputs: list = field(default_factory=list)
    ename: str = ""
    evalue: str = ""
    traceback: list = field(default_factory=list)
    reason: str = ""
    count: int | None = None
    seconds: float = 0.0
    restored: list = field(default_factory=list)  # tampering undone
    checks: list | None = None  # checks.Result of each hidden check


@dataclass
class Outcome:
    """Scores of one notebook and the evidence behind them."""

    cells: list[Cell]
    runs: list[Run]
    scores: dict  # grade_id -> (score or None, max)
    needs_manual_grade: bool
    seconds: float
    failures: list[str]


def _guarded(cell: Cell) -> bool:
    return cell.kind in ("test", "canary")


def _imports(source: str) -> list[str]:
    """The top-level import statements of ``source``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [ast.unparse(n) for n in tree.body
            if isinstance(n, (ast.Import, ast.ImportFrom))]


def _with_imports(plan: list[Cell]) -> list[str]:
    """The code sent for each cell: test cells first re-run the imports of
    the locked cells above them, so names such as ``np`` are the real
    modules whatever student code rebound them to."""
    codes: list[str] = []
    imports: list[str] = []
    for cell in plan:
        if cell.kind == "test" and imports:
            codes.append("\n".join(dict.fromkeys(imports)) + "\n"
                         + cell.source)
        else:
            codes.append(cell.source)
        if cell.kind == "locked" and cell.cell_type == "code":
            imports += _imports(cell.source)
    return codes


def run_cells(cells: list[Cell], limits: Limits, integrity: Integrity,
              seed: int, hidden: Hidden | None = None
              ) -> tuple[list[Cell], list[Run], float]:
    """Execute the code cells of ``cells`` (plus canaries); one Run each.
    With ``hidden``, each test cell's checks run after it."""
    plan = with_canaries(cells, seed)
    codes = _with_imports(plan)
    runs = [Run() for _ in plan]
    own = cell_seconds(hidden)
    budget = [own.get(c.grade_id or "", limits.cell_seconds) for c in plan]
    start = time.monotonic()
    done: list[int] = []
    state: dict[str, Any] = {"restarts": 0, "sandbox": Sandbox(limits)}

    def restart(reason_box):
        _add(integrity.tamper, state["sandbox"].tamper)
        state["sandbox"].close()
        state["restarts"] += 1
        state["sandbox"] = Sandbox(limits)
        if state["restarts"] <= limits.restarts:
            _replay(state["sandbox"], plan, codes, done, limits, start,
                    budget)

    try:
        for i, cell in enumerate(plan):
            if cell.cell_type != "code":
                continue
            left = limits.student_seconds - (time.monotonic() - start)
            if left <= 0:
                runs[i] = Run("failed", reason="not run: the notebook used "
                              f"its {limits.student_seconds:g} s in total")
            elif state["restarts"] > limits.restarts:
                runs[i] = Run("failed", reason="not run: the notebook "
                              f"stopped the grader {state['restarts']} times")
            else:
                try:
                    runs[i] = _reply_to_run(state["sandbox"].execute(
                        codes[i], _guarded(cell), min(budget[i], left)))
                    done.append(i)
                except CellFailure as exc:
                    why = str(exc)
                    if isinstance(exc, CellTimeout) and \
                            cell.grade_id in own and budget[i] < left:
                        why = (f"stopped at its time limit of {budget[i]:g} "
                               "s (this cell must finish within it)")
                    runs[i] = Run("failed", reason=why, ename="Stopped",
                                  evalue=why)
                    restart(exc)
            if runs[i].status != "failed" and cell.kind == "canary" \
                    and canary_fooled({"status": runs[i].status,
                                       "ename": runs[i].ename,
                                       "evalue": runs[i].evalue}, cell):
                integrity.canaries.append(
                    "a check that must fail passed (after cell "
                    f"{_previous_test(plan, i)})")
            _add(integrity.tamper, [f"undone: {r}" for r in runs[i].restored])
            if hidden is not None and cell.kind == "test":
                results = _run_checks(cell, runs[i], hidden, state, restart,
                                      limits, start, _sources(plan),
                                      budget[i])
                _explain(results, _stopped(plan, runs, i))
                runs[i].checks = results
        _add(integrity.tamper, state["sandbox"].tamper)
    finally:
        state["sandbox"].close()
    return plan, runs, time.monotonic() - start


def _sources(plan: list[Cell]) -> dict[str, str]:
    """What the student handed in: answer cells by grade id, and the cells
    they added (``"_other"``)."""
    out = {c.grade_id: c.source for c in plan
           if c.kind == "answer" and c.grade_id}
    out["_other"] = "\n".join(c.source for c in plan if c.kind == "extra")
    return out


def _stopped(plan: list[Cell], runs: list[Run], i: int) -> list[str]:
    """Why each answer or added cell above ``i`` was stopped."""
    return [f"{c.grade_id or 'an added cell'} was {r.reason}"
            if r.reason.startswith("stopped") else
            f"{c.grade_id or 'an added cell'} did not finish: {r.reason}"
            for c, r in zip(plan[:i], runs[:i], strict=True)
            if c.kind in ("answer", "extra") and r.status == "failed"]


def _explain(results: list, stopped: list[str]) -> None:
    """Add to each failed check the cells above that were stopped."""
    if not stopped:
        return
    for r in results:
        if not r.passed:
            r.reason = f"{r.reason} (the cell {'; '.join(stopped[:2])})"


def _run_checks(cell: Cell, run: Run, hidden: Hidden, state: dict, restart,
                limits: Limits, start: float, sources: dict,
                seconds: float) -> list:
    """The verdicts of ``cell``'s hidden checks, decided on the host."""
    results = []
    for item in hidden.checks.get(cell.grade_id, []):
        left = limits.student_seconds - (time.monotonic() - start)
        if run.status == "failed":
            why = f"not checked: {run.reason}"
        elif left <= 0:
            why = ("not checked: the notebook used its "
                   f"{limits.student_seconds:g} s in total")
        elif state["restarts"] > limits.restarts:
            why = ("not checked: the notebook stopped the grader "
                   f"{state['restarts']} times")
        else:
            probe = hidden_checks.Probe(
                state["sandbox"], time.monotonic() + min(seconds, left),
                sources)
            try:
                results.append(hidden_checks.run_check(
                    item, probe, hidden.reference, hidden.seed))
                continue
            except CellFailure as exc:
                why = str(exc)
                restart(exc)
        results.append(hidden_checks.Result(item.name, item.points, False,
                                            f"{item.name}: {why}"))
    return results


def _previous_test(plan: list[Cell], i: int) -> str:
    for cell in reversed(plan[:i]):
        if cell.kind == "test":
            return repr(cell.grade_id)
    return "the last one"


def _add(found: list[str], items: list[str]) -> None:
    """Append the items not already in ``found``."""
    for item in items:
        if item not in found:
            found.append(item)


def _replay(sandbox: Sandbox, plan: list[Cell], codes: list[str],
            done: list[int], limits: Limits, start: float,
            budget: list[float]) -> None:
    """Re-run the cells that completed, to rebuild the notebook's state."""
    for j in done:
        if plan[j].kind == "canary":
            continue
        left = limits.student_seconds - (time.monotonic() - start)
        if left <= 0:
            return
        try:
            sandbox.execute(codes[j], _guarded(plan[j]),
                            min(budget[j], left))
        except CellFailure:
            return


def _reply_to_run(reply: dict) -> Run:
    outputs = reply.get("outputs")
    run = Run(status="ok" if reply.get("status") == "ok" else "error",
              outputs=outputs if isinstance(outputs, list) else [],
              ename=str(reply.get("ename", "")),
              evalue=str(reply.get("evalue", "")),
              traceback=[str(t) for t in reply.get("traceback", [])
                         if isinstance(t, str)],
              count=reply.get("count"),
              seconds=float(reply.get("seconds", 0) or 0))
    restored = reply.get("restored")
    if isinstance(restored, list):
        run.restored = [str(r) for r in restored]
    return run


def score(plan: list[Cell], runs: list[Run]) -> tuple[dict, bool,
                                                      list[str]]:
    """grade_id -> (score or None for a human, max); needs a human; why
    points were lost.

    A test cell with hidden checks earns the points of the checks that
    passed; one without earns its points when it ran to the end without an
    error (text on stderr, warnings, does not matter). A written answer still
    equal to the placeholder scores 0; any other waits for a human.
    """
    scores: dict[str, tuple[float | None, float]] = {}
    failures: list[str] = []
    manual = False
    # runs stop short of the plan when a notebook is cut off
    for cell, run in zip(plan, runs, strict=False):
        if run.status == "failed" and cell.kind not in ("test", "canary"):
            failures.append(f"{cell.grade_id or 'an added cell'}: "
                            f"{run.reason}")
        if cell.grade_id is None or cell.kind not in ("test", "written"):
            continue
        if cell.kind == "written":
            if is_unchanged(cell):
                scores[cell.grade_id] = (0.0, cell.points)
            else:
                scores[cell.grade_id] = (None, cell.points)
                manual = True
            continue
        if run.checks is not None:
            got = sum(r.points for r in run.checks if r.passed)
            scores[cell.grade_id] = (float(got), cell.points)
            failures += [f"{cell.grade_id}: {r.reason[:300]}"
                         for r in run.checks if not r.passed]
        elif run.status == "ok":
            scores[cell.grade_id] = (cell.points, cell.points)
        else:
            scores[cell.grade_id] = (0.0, cell.points)
            why = run.reason or f"{run.ename}: {run.evalue}".strip(": ")
            failures.append(f"{cell.grade_id}: {why.splitlines()[0][:200]}"
                            if why.strip() else
                            f"{cell.grade_id}: {run.ename or 'failed'}")
    return scores, manual, failures


def validate(scores: dict, graded: dict[str, float]) -> None:
    """Raise ValueError unless ``scores`` covers exactly the graded cells
    with finite scores in [0, max]."""
    missing = sorted(set(graded) - set(scores))
    extra = sorted(set(scores) - set(graded))
    if missing or extra:
        raise ValueError(f"graded cells expected {sorted(graded)}; missing "
                         f"{missing}, unexpected {extra}")
    for gid, (got, mx) in scores.items():
        if mx != graded[gid]:
            raise ValueError(f"cell {gid}: max score must be {graded[gid]}; "
                             f"got {mx}")
        if got is not None and not (math.isfinite(got) and 0 <= got <= mx):
            raise ValueError(f"cell {gid}: score must be in [0, {mx}]; got "
                             f"{got}")


def outcome(cells: list[Cell], limits: Limits, integrity: Integrity,
            graded: dict[str, float], seed: int,
            hidden: Hidden | None = None) -> Outcome:
    """Run, score and validate one notebook."""
    plan, runs, seconds = run_cells(cells, limits, integrity, seed, hidden)
    scores, manual, failures = score(plan, runs)
    validate(scores, graded)
    return Outcome(plan, runs, scores, manual, seconds, failures)
