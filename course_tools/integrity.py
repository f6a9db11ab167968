"""What a submission is allowed to change, and the proof that tests ran.

A submitted notebook is never executed as handed in. :func:`merge` rebuilds
it from the instructor's source: every locked cell (instructions, imports,
visible and hidden tests) comes from ``solutions/``; only the answer cells
(nbgrader ``solution`` cells) and cells the student added come from the
submission, with their tags and metadata stripped. Missing, duplicated,
retyped or edited cells are restored and listed in an :class:`Integrity`
record, as is any answer cell that imports the course's own implementation.

Canaries are cells the host inserts after each test: each must fail with an
:class:`AssertionError` whose message only the host knows. One compares two
distinct numbers with a plain ``assert``; the other checks that NumPy's
comparison functions still tell distinct arrays apart. A canary that passes
means the submission has changed how failures look, and it is flagged.
"""

from __future__ import annotations

import ast
import json
import random
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .course import EXERCISES, SOLUTIONS
from .i18n_notebooks import EXERCISES_ZH, translated_sources

# "course" holds a cell's time limit; the grader reads it from the source
# notebook, never from the hand-in.
KNOWN_METADATA = {"nbgrader", "deletable", "editable", "collapsed", "scrolled",
                  "jupyter", "execution", "trusted", "course"}


@dataclass
class Cell:
    """One cell of the notebook that will actually run."""

    kind: str  # "answer", "test", "written", "locked", "extra", "canary"
    cell_type: str  # "code" or "markdown"
    source: str
    grade_id: str | None = None
    points: float = 0.0
    visible: str = ""  # what the student may see (hidden tests removed)
    expected: str = ""  # canaries: the exact message of the failure


@dataclass
class Integrity:
    """What was changed on the way from the submission to the run."""

    restored: list[str] = field(default_factory=list)
    stripped: list[str] = field(default_factory=list)
    tamper: list[str] = field(default_factory=list)
    canaries: list[str] = field(default_factory=list)  # fooled canaries
    course_imports: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.tamper or self.canaries or self.course_imports)

    def as_dict(self) -> dict:
        return {k: list(v) for k, v in vars(self).items()}


@dataclass(frozen=True)
class Template:
    """An assignment notebook as the instructor wrote it and as released."""

    assignment: str
    notebook: str
    cells: tuple  # source cells (dicts), in order
    release: dict  # grade_id -> release source (stubs, visible tests)
    # grade_id -> the texts of a Markdown cell in the translated releases,
    # which a hand-in may hold instead of the English one
    translated: dict = field(default_factory=dict)

    def kind(self, cell: dict) -> str:
        meta = _nbgrader(cell)
        if meta.get("solution"):
            return "written" if meta.get("grade") else "answer"
        if meta.get("grade"):
            return "test"
        return "locked"

    @property
    def graded(self) -> dict[str, float]:
        """grade_id -> points of every graded cell."""
        return {_nbgrader(c)["grade_id"]: float(_nbgrader(c)["points"])
                for c in self.cells if _nbgrader(c).get("grade")}

    @property
    def answer_names(self) -> dict[str, set[str]]:
        """answer grade_id -> names its release stub defines (the graded
        functions and classes)."""
        out: dict[str, set[str]] = {}
        for c in self.cells:
            gid = _nbgrader(c).get("grade_id")
            if (isinstance(gid, str) and self.kind(c) == "answer"
                    and c["cell_type"] == "code"):
                out[gid] = _defined_names(self.release.get(gid, ""))
        return out


def _nbgrader(cell: dict) -> dict[str, Any]:
    meta = cell.get("metadata")
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def _text(source) -> str:
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return source if isinstance(source, str) else ""


def load_template(assignment: str, notebook: str,
                  solutions: Path = SOLUTIONS,
                  exercises: Path = EXERCISES,
                  translations: tuple[Path, ...] = (EXERCISES_ZH,)) -> Template:
    src = json.loads((solutions / assignment / notebook).read_text("utf-8"))
    rel = json.loads((exercises / assignment / notebook).read_text("utf-8"))
    release = {_nbgrader(c).get("grade_id"): _text(c["source"])
               for c in rel["cells"] if _nbgrader(c).get("grade_id")}
    cells = tuple({"cell_type": c["cell_type"], "source": _text(c["source"]),
                   "metadata": {"nbgrader": dict(_nbgrader(c))}}
                  for c in src["cells"])
    return Template(assignment, notebook, cells, release,
                    translated_sources(assignment, notebook, translations))


def _defined_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.name for n in tree.body
            if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def course_imports(source: str) -> list[str]:
    """Names imported from ``course_lib`` by ``source`` (a code cell)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ["course_lib"] if "course_lib" in source else []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names
                      if a.name.split(".")[0] == "course_lib"]
        elif isinstance(node, ast.ImportFrom) and node.module and \
                node.module.split(".")[0] == "course_lib":
            found += [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value.split(".")[0] == "course_lib":
            found.append(node.value[:60])  # importlib.import_module(...)
    return found


def _cell_summary(cell: dict) -> str:
    gid = _nbgrader(cell).get("grade_id")
    return repr(gid) if gid else "a cell"


def _strip(cell: dict, integrity: Integrity, index: int) -> None:
    raw = cell.get("metadata")
    meta: dict[str, Any] = raw if isinstance(raw, dict) else {}
    tags = meta.get("tags")
    if tags:
        integrity.stripped.append(f"cell {index}: tags {tags!r}")
    unknown = sorted(set(meta) - KNOWN_METADATA - {"tags"})
    if unknown:
        integrity.stripped.append(f"cell {index}: metadata {unknown}")


def merge(template: Template, submitted: dict) -> tuple[list[Cell],
                                                         Integrity]:
    """The cells to run for ``submitted``, and what had to be repaired."""
    integrity = Integrity()
    known = {_nbgrader(c)["grade_id"]: c for c in template.cells
             if _nbgrader(c).get("grade_id")}
    answers: dict[str, dict] = {}
    extras: dict[str | None, list[str]] = {}
    anchor = None
    for i, cell in enumerate(submitted.get("cells", [])):
        if not isinstance(cell, dict):
            continue
        _strip(cell, integrity, i)
        gid = _nbgrader(cell).get("grade_id")
        ctype = cell.get("cell_type")
        if isinstance(gid, str) and gid in known:
            anchor = gid
            src = known[gid]
            if template.kind(src) in ("answer", "written"):
                if gid in answers:
                    integrity.restored.append(
                        f"{gid!r}: duplicated; the first copy was kept")
                elif ctype != src["cell_type"]:
                    integrity.restored.append(
                        f"{gid!r}: changed from {src['cell_type']} to "
                        f"{ctype}; the released cell was restored")
                else:
                    answers[gid] = cell
            continue
        if ctype == "code":
            extras.setdefault(anchor, []).append(_text(cell.get("source")))
    seen = {_nbgrader(c).get("grade_id") for c in submitted.get("cells", [])
            if isinstance(c, dict)}
    cells = [Cell("extra", "code", s) for s in extras.get(None, [])]
    counts: dict[str | None, int] = {}
    for c in submitted.get("cells", []):
        if isinstance(c, dict):
            g = _nbgrader(c).get("grade_id")
            counts[g] = counts.get(g, 0) + 1
    sub_types = {_nbgrader(c).get("grade_id"): c.get("cell_type")
                 for c in submitted.get("cells", []) if isinstance(c, dict)}
    sub_locked = {_nbgrader(c).get("grade_id"): _text(c.get("source"))
                  for c in submitted.get("cells", []) if isinstance(c, dict)}
    for src in template.cells:
        meta = _nbgrader(src)
        gid, kind = meta.get("grade_id"), template.kind(src)
        visible = template.release.get(gid, src["source"])
        if kind in ("answer", "written"):
            if gid in answers:
                source = _text(answers[gid].get("source"))
            else:
                source = visible
                if gid not in seen:
                    integrity.restored.append(
                        f"{gid!r}: missing; the released cell was restored")
            cells.append(Cell(kind, src["cell_type"], source, gid,
                              float(meta.get("points", 0) or 0), visible))
        else:
            if gid not in seen:
                integrity.restored.append(f"{gid!r}: deleted; restored")
            elif sub_types.get(gid) != src["cell_type"]:
                integrity.restored.append(
                    f"{gid!r}: changed from {src['cell_type']} to "
                    f"{sub_types.get(gid)}; restored")
            elif counts.get(gid, 0) > 1:
                integrity.restored.append(
                    f"{gid!r}: duplicated; one original copy kept")
            elif sub_locked.get(gid, "").strip() not in {
                    visible.strip(),
                    *(t.strip() for t in template.translated.get(gid, ()))}:
                integrity.restored.append(f"{gid!r}: edited; restored")
            cells.append(Cell(kind, src["cell_type"], src["source"], gid,
                              float(meta.get("points", 0) or 0), visible))
        for extra in extras.get(gid, []):
            cells.append(Cell("extra", "code", extra))
    names = template.answer_names
    for cell in cells:
        if cell.kind in ("answer", "extra") and cell.cell_type == "code":
            imported = course_imports(cell.source)
            if imported:
                where = cell.grade_id or "an added cell"
                graded = names.get(cell.grade_id or "", set())
                integrity.course_imports.append(
                    f"{where} imports {', '.join(sorted(set(imported)))}"
                    + (f" (it should implement {', '.join(sorted(graded))})"
                       if graded else ""))
    return cells, integrity


def is_unchanged(cell: Cell) -> bool:
    """True when a written answer is still the released placeholder."""
    return cell.source.strip() == cell.visible.strip()


def canary(rng: random.Random, kind: int) -> Cell:
    """A cell that must fail with a message only the host knows.

    The message is computed in the cell from two random numbers, so it does
    not appear in the source.
    """
    a, b = rng.randint(10**6, 10**9), rng.randint(10**6, 10**9)
    name = "_" + secrets.token_hex(4)
    expected = format(a * b, "x")
    if kind % 2 == 0:
        source = (f"{name} = {a}\n"
                  f"assert {name} == {name} + 1, format({name} * {b}, 'x')\n")
    else:
        x = round(rng.uniform(1.0, 9.0), 6)
        source = (
            f"import numpy as {name}np\n"
            f"{name}a = {name}np.array([{x!r}, {x + 1!r}])\n"
            f"{name}b = {name}a + {name}np.array([0.0, 1e-3])\n"
            f"{name}ok = [not {name}np.allclose({name}a, {name}b),\n"
            f"        {name}np.isclose({name}a, {name}b).tolist() == "
            "[True, False],\n"
            f"        not {name}np.array_equal({name}a, {name}b),\n"
            f"        ({name}a == {name}b).tolist() == [True, False]]\n"
            f"for {name}f in ({name}np.testing.assert_allclose,\n"
            f"           {name}np.testing.assert_array_equal,\n"
            f"           {name}np.testing.assert_array_almost_equal):\n"
            f"    try:\n"
            f"        {name}f({name}a, {name}b)\n"
            f"        {name}ok.append(False)\n"
            f"    except AssertionError:\n"
            f"        {name}ok.append(True)\n"
            f"if all({name}ok):\n"
            f"    raise AssertionError(format({a} * {b}, 'x'))\n"
            f"print('comparisons fooled', {name}ok)\n")
    return Cell("canary", "code", source, expected=expected)


def canary_fooled(reply: dict, cell: Cell) -> bool:
    """True unless the canary failed exactly as it must."""
    return not (reply.get("status") == "error"
                and reply.get("ename") == "AssertionError"
                and reply.get("evalue") == cell.expected)


def with_canaries(cells: list[Cell], seed: int) -> list[Cell]:
    """``cells`` with a canary after every test cell (and at least one)."""
    rng = random.Random(seed)
    out, n = [], 0
    for cell in cells:
        out.append(cell)
        if cell.kind == "test":
            out.append(canary(rng, n))
            n += 1
    if n < 2:
        out += [canary(rng, n), canary(rng, n + 1)]
    return out
