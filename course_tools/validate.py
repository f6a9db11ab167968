"""``make validate NB=path``: run a notebook and report which visible tests fail.

This is what a student runs before handing in. It first makes sure the file
is a notebook of one of the course's assignments, under the name that
assignment is handed in as (a copy saved as ``foundations (1).ipynb`` is
named first, with the fix). Then it executes the notebook in a fresh kernel
(nothing is saved) and prints nbgrader's verdict.

The assignment is recognised by its cells: the grade ids that only it uses
(:func:`identify`), so a renamed or moved notebook is still known.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import TypeVar

from .course import EXERCISES, nbgrader

Key = TypeVar("Key", bound=Hashable)

# An assignment is recognised when the notebook holds at least this share of
# the grade ids no other assignment uses (a scratch notebook with a few
# copied cells is not a copy of the assignment).
MIN_SHARE = 0.5


def grade_ids(nb: object) -> set[str]:
    """The nbgrader grade ids of a notebook's cells (empty for non-notebooks)."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    ids = set()
    for cell in cells if isinstance(cells, list) else []:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
        gid = nbg.get("grade_id") if isinstance(nbg, dict) else None
        if isinstance(gid, str):
            ids.add(gid)
    return ids


def identify(ids: set[str], known: Mapping[Key, set[str]]) -> Key | None:
    """The key of ``known`` whose notebook ``ids`` (grade ids) come from, or
    None: judged by the ids that only that notebook uses, of which ``ids``
    must hold at least half, and more than of any other's."""
    shares = {}
    for key, mine in known.items():
        others = set().union(*(v for k, v in known.items() if k != key))
        own = mine - others
        if own:
            shares[key] = len(ids & own) / len(own)
    ranked = sorted(shares.values(), reverse=True)
    if not ranked or ranked[0] < MIN_SHARE or ranked[1:2] == ranked[:1]:
        return None
    return next(k for k, s in shares.items() if s == ranked[0])


def released(exercises: Path = EXERCISES) -> dict[tuple[str, str], set[str]]:
    """(assignment, notebook name) -> grade ids, for every released notebook."""
    out = {}
    for path in sorted(exercises.glob("*/*.ipynb")):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        out[(path.parent.name, path.name)] = grade_ids(nb)
    return out


def assignment_of(path: Path, nb: dict,
                  known: Mapping[tuple[str, str], set[str]]) -> tuple[str, str]:
    """(assignment, the notebook name it is handed in as) of the notebook
    ``nb`` read from ``path``; ValueError when it belongs to no assignment."""
    key = identify(grade_ids(nb), known)
    if key is None:
        folder = path.resolve().parent.name
        hint = (f" Start again from exercises/{folder}/ (copy the released "
                "notebook and paste your answers into it)."
                if any(a == folder for a, _ in known) else "")
        raise ValueError(
            "NB must be a notebook of one of the assignments "
            f"{', '.join(sorted({a for a, _ in known}))}; got {path.name}, "
            f"which holds too few of the graded cells of any of them.{hint}")
    return key


def rename_message(path: Path, assignment: str, expected: str) -> str:
    """What is wrong with the name of ``path``, and how to fix it."""
    target = path.with_name(expected)
    fix = f"rename it: mv {shlex.quote(str(path))} {shlex.quote(str(target))}"
    if target.exists() and not target.samefile(path):  # not just its case
        fix = (f"there is already a {expected} beside it: keep the version "
               "you mean to hand in under that name and delete the other")
    return (f"WRONG FILE NAME: this is assignment {assignment}, handed in as "
            f"{expected}, but the file is named {path.name!r}. Grading looks "
            f"for {expected}: {fix} (in JupyterLab: right-click the file, "
            "Rename).")


def _fail(message: str) -> int:
    print(f"validate: {message}", file=sys.stderr)
    return 2


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: make validate NB=exercises/01-foundations/"
              "foundations.ipynb", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.exists():
        return _fail(f"NB must be an existing .ipynb file; got {path} (no such "
                     "file).")
    if not path.is_file():
        return _fail(f"NB must be an .ipynb file; got {path} (a folder).")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        if path.suffix != ".ipynb":
            return _fail(f"NB must be a Jupyter notebook (.ipynb); got "
                         f"{path.name}, which is not one.")
        return _fail(f"NB must be a Jupyter notebook; {path} is not readable "
                     f"(invalid JSON: {exc}). Restore it from exercises/ or a "
                     "backup.")
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return _fail(f"NB must be a Jupyter notebook; {path} is JSON without "
                     "notebook cells. Restore it from exercises/ or a backup.")
    known = released()
    expected = path.name
    if known:  # without exercises/ there is nothing to compare names with
        try:
            assignment, expected = assignment_of(path, nb, known)
        except ValueError as exc:
            return _fail(str(exc))
    renamed = expected != path.name
    if renamed:
        print(rename_message(path, assignment, expected), flush=True)
        if path.suffix != ".ipynb":
            return 1
    proc = nbgrader(["validate", str(path.resolve())], cwd=path.parent,
                    check=False, quiet=False)
    out = proc.stdout.strip()
    print(out)
    if proc.stderr.strip() and proc.returncode != 0:
        print(proc.stderr.strip(), file=sys.stderr)
    failed = proc.returncode != 0 or "VALIDATION FAILED" in out \
        or "ERROR" in out or "NotImplementedError" in out
    if renamed:
        print(f"\nNot ready to hand in: the file must be named {expected} "
              "(see the first line).")
    return 1 if failed or renamed else 0


if __name__ == "__main__":
    sys.exit(main())
