"""Scores for written answers, given by hand in a CSV (``make grade`` with
``--manual``).

The file has a header ``student_id,assignment,cell,points`` (and an optional
``comment`` column): one row per written answer the instructor has read, in
the student's feedback page. Every row is checked before anything is graded:
the cell must be a written-answer cell of that assignment and the points
must lie between 0 and the cell's maximum.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

REQUIRED = ("student_id", "assignment", "cell", "points")


class ManualScoreError(ValueError):
    """A row of the manual-scores file that cannot be used."""


def written_cells(templates: dict) -> dict[tuple[str, str], float]:
    """(assignment, grade_id) -> points of every written-answer cell."""
    cells = {}
    for (assignment, _), template in templates.items():
        for cell in template.cells:
            if template.kind(cell) == "written":
                meta = cell["metadata"]["nbgrader"]
                cells[(assignment, meta["grade_id"])] = float(meta["points"])
    return cells


def load_manual(path, templates: dict) -> dict[tuple[str, str, str], float]:
    """(student, assignment, cell) -> points, validated against the course.

    Raises ManualScoreError naming the file, the line, what was expected and what
    was found.
    """
    path = Path(path)
    allowed = written_cells(templates)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ManualScoreError(
                f"--manual {path}: the header must name the columns "
                f"{', '.join(REQUIRED)}; got {reader.fieldnames}")
        scores = {}
        for line, row in enumerate(reader, start=2):
            where = f"--manual {path}, line {line}"
            key = (row["assignment"].strip(), row["cell"].strip())
            if key not in allowed:
                choices = sorted(g for a, g in allowed if a == key[0])
                raise ManualScoreError(
                    f"{where}: cell must be a written answer of {key[0]!r} "
                    f"(one of {choices}); got {key[1]!r}")
            try:
                points = float(row["points"])
            except ValueError:
                points = math.nan
            if not 0 <= points <= allowed[key]:
                raise ManualScoreError(
                    f"{where}: points must be a number from 0 to "
                    f"{allowed[key]:g}; got {row['points']!r}")
            student = row["student_id"].strip()
            if (student, *key) in scores:
                raise ManualScoreError(
                    f"{where}: a second score for {student} {key[0]} "
                    f"{key[1]}")
            scores[(student, *key)] = points
    return scores


def apply_manual(res, scores: dict) -> None:
    """Put the hand-given points into a graded Result (flagged rows stay
    unscored until a human has looked at them)."""
    if res.status != "graded":
        return
    for gid, (score, mx) in list(res.cells.items()):
        points = scores.get((res.student, res.assignment, gid))
        if points is None or score is not None:
            continue
        res.cells[gid] = (points, mx)
        res.manual_cells.add(gid)
        res.score += points
    res.needs_manual_grade = any(s is None for s, _ in res.cells.values())
