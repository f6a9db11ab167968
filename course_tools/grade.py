"""``make grade SUBMISSIONS=dir``: autograde every student's notebooks.

Layout of ``SUBMISSIONS``: one folder per student (the folder name is the
student id), holding that student's notebooks under their released names::

    SUBMISSIONS/
      alice/foundations.ipynb
      alice/optimizers.ipynb
      bob/foundations.ipynb

Each notebook is matched to its assignment by name, executed by ``nbgrader
autograde`` in a fresh scratch course (so re-grading starts from zero), and
scored. Written to ``--out`` (default ``grades/``):

- ``grades.csv``: one row per student and assignment, with ``status``
  (``graded``, ``missing``, ``invalid`` or ``error``), the score, whether a
  written answer still needs a human, and a reason for anything not graded;
- ``cells.csv``: the score of every graded cell;
- ``feedback/<student>/<assignment>/<notebook>.html``: what the student sees.

A student with no or an unreadable notebook still gets a row; one broken
submission never stops the run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .course import ROOT, SOLUTIONS, Assignment, assignments, nbgrader, \
    strip_outputs, write_course_config

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass
class Result:
    """The outcome for one student and one assignment."""

    student: str
    assignment: str
    status: str = "missing"
    score: float = 0.0
    max_score: float = 0.0
    needs_manual_grade: bool = False
    flagged: bool = False
    reason: str = ""
    cells: dict = field(default_factory=dict)  # grade_id -> (score, max)


def _safe_csv(value):
    """Neutralize values a spreadsheet would run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _check_notebook(path: Path) -> str | None:
    """Why ``path`` cannot be graded, or None if it looks like a notebook."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return f"cannot read file: {exc.strerror}"
    if b"\x00" in raw:
        return "file contains NUL bytes (not a text notebook)"
    try:
        nb = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"not valid notebook JSON ({exc.__class__.__name__}: {exc})"
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 \
            or not isinstance(nb.get("cells"), list):
        return (f"expected an nbformat 4 notebook; got nbformat "
                f"{nb.get('nbformat') if isinstance(nb, dict) else '?'}")
    return None


def collect(submissions: Path, course: list[Assignment], root: Path,
            students: list[str]) -> dict[tuple[str, str], Result]:
    """Check and copy each submission into ``root/submitted``; one Result each."""
    results: dict[tuple[str, str], Result] = {}
    students = [submissions / name for name in students]
    for folder in students:
        sid = folder.name
        for a in course:
            res = Result(sid, a.name)
            results[(sid, a.name)] = res
            if not STUDENT_ID.match(sid):
                res.status, res.reason = "invalid", (
                    "student folder name must be letters, digits, '_', '.' "
                    "or '-' (at most 64); rename the folder")
                continue
            present = [nb for nb in a.notebooks if (folder / nb).is_file()]
            if not present:
                others = sorted(p.name for p in folder.glob("*.ipynb")
                                if p.name not in {n for x in course
                                                  for n in x.notebooks})
                res.reason = f"no {', '.join(a.notebooks)} in {folder.name}/"
                if others:
                    res.reason += (f" (found {', '.join(others)}: notebooks "
                                   "must keep their released names)")
                continue
            problems = {nb: _check_notebook(folder / nb) for nb in present}
            bad = {nb: why for nb, why in problems.items() if why}
            if bad:
                res.status = "invalid"
                res.reason = "; ".join(f"{nb}: {why}" for nb, why in bad.items())
                continue
            dest = root / "submitted" / sid / a.name
            dest.mkdir(parents=True, exist_ok=True)
            for nb in present:
                shutil.copyfile(folder / nb, dest / nb)
            res.status = "submitted"
    return results


def _read_gradebook(root: Path, results):
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{(root / 'gradebook.db').resolve()}") as gb:
        for (sid, aname), res in results.items():
            if res.status != "submitted":
                continue
            try:
                sub = gb.find_submission(aname, sid)
            except MissingEntry:
                res.status = "error"
                res.reason = "autograde produced no score (see the log)"
                continue
            res.status = "graded"
            res.score = float(sub.score)
            res.max_score = float(sub.max_score)
            res.needs_manual_grade = bool(sub.needs_manual_grade)
            for nb in sub.notebooks:
                for g in nb.grades:
                    res.cells[g.name] = (float(g.score), float(g.max_score))


def _max_scores(root: Path, results):
    """Fill max_score for students who were not graded."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{(root / 'gradebook.db').resolve()}") as gb:
        for res in results.values():
            if res.status != "graded":
                res.max_score = float(gb.find_assignment(res.assignment)
                                      .max_score)


def _prepare_course(root: Path, course: list[Assignment], timeout: int):
    """A fresh scratch course at ``root`` with every assignment generated."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(SOLUTIONS, root / "source")
    for nb in (root / "source").rglob("*.ipynb"):
        nb.write_text(json.dumps(strip_outputs(json.loads(nb.read_text()))))
    write_course_config(root, timeout=timeout)
    for a in course:
        nbgrader(["generate_assignment", a.name, "--force"], cwd=root)


def _grade_shard(root: Path, course: list[Assignment], submissions: Path,
                 students: list[str], timeout: int):
    """Collect and autograde ``students`` in their own scratch course."""
    _prepare_course(root, course, timeout)
    results = collect(submissions, course, root, students)
    logs = []
    for a in course:
        if not any(r.status == "submitted" for (s, n), r in results.items()
                   if n == a.name):
            continue
        proc = nbgrader(["autograde", a.name, "--force", "--create"],
                        cwd=root, check=False)
        logs.append(proc.stdout + proc.stderr)
        nbgrader(["generate_feedback", a.name, "--force"], cwd=root,
                 check=False)
    _read_gradebook(root, results)
    _max_scores(root, results)
    return results, "\n".join(logs)


def grade(submissions, out, workdir=None, timeout=120, names=None,
          jobs=None) -> list[Result]:
    """Grade ``submissions`` into ``out``; return one Result per row.

    Students are split into ``jobs`` shards (default: one per core), each
    graded in its own scratch course under ``workdir`` in parallel; the
    shards share nothing, so one student's crash cannot touch another's.
    """
    from concurrent.futures import ThreadPoolExecutor

    submissions, out = Path(submissions), Path(out)
    course = [a for a in assignments() if names is None or a.name in names]
    workdir = Path(workdir) if workdir else ROOT / "_grading" / "run"
    if workdir.exists():
        shutil.rmtree(workdir)
    students = sorted(p.name for p in submissions.iterdir() if p.is_dir())
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(students) or 1))
    shards = [students[i::jobs] for i in range(jobs)]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_grade_shard, workdir / f"shard-{i}", course,
                               submissions, shard, timeout)
                   for i, shard in enumerate(shards)]
        parts = [f.result() for f in futures]
    results = {}
    for shard_results, _ in parts:
        results.update(shard_results)
    _write_outputs(out, [workdir / f"shard-{i}" for i in range(jobs)],
                   results, "\n".join(log for _, log in parts))
    return list(results.values())


def _write_outputs(out: Path, roots: list[Path], results, log: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rows = sorted(results.values(), key=lambda r: (r.student, r.assignment))
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        w.writerow(["student_id", "assignment", "status", "score",
                    "max_score", "needs_manual_grade", "flagged", "reason"])
        for r in rows:
            w.writerow([_safe_csv(r.student), r.assignment, r.status,
                        f"{r.score:g}", f"{r.max_score:g}",
                        str(r.needs_manual_grade).lower(),
                        str(r.flagged).lower(), _safe_csv(r.reason)])
    with open(out / "cells.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student_id", "assignment", "cell", "score", "max_score"])
        for r in rows:
            for cell, (score, mx) in sorted(r.cells.items()):
                w.writerow([_safe_csv(r.student), r.assignment, cell,
                            f"{score:g}", f"{mx:g}"])
    feedback = out / "feedback"
    if feedback.exists():
        shutil.rmtree(feedback)
    feedback.mkdir()
    for root in roots:
        if (root / "feedback").exists():
            shutil.copytree(root / "feedback", feedback, dirs_exist_ok=True)
    (out / "autograde.log").write_text(log, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Autograde a folder of submissions (one subfolder per "
                    "student).")
    parser.add_argument("submissions", help="folder with one subfolder per "
                        "student")
    parser.add_argument("--out", default="grades", help="output folder")
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds allowed per cell")
    parser.add_argument("--assignment", action="append", dest="names",
                        help="grade only this assignment (repeatable)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="students graded in parallel (default: cores)")
    args = parser.parse_args(argv)
    sub = Path(args.submissions)
    if not sub.is_dir():
        print(f"grade: SUBMISSIONS must be a folder with one subfolder per "
              f"student; got {sub} (not a folder).", file=sys.stderr)
        return 2
    known = {a.name for a in assignments()}
    if args.names and set(args.names) - known:
        print(f"grade: --assignment must be one of {sorted(known)}; got "
              f"{sorted(set(args.names) - known)}.", file=sys.stderr)
        return 2
    start = time.perf_counter()
    if args.jobs is not None and args.jobs < 1:
        print(f"grade: --jobs must be a positive integer; got {args.jobs}.",
              file=sys.stderr)
        return 2
    results = grade(sub, args.out, timeout=args.timeout, names=args.names,
                    jobs=args.jobs)
    took = time.perf_counter() - start
    n_students = len({r.student for r in results})
    print(f"{'student':<20} {'assignment':<22} {'status':<9} score")
    for r in sorted(results, key=lambda r: (r.student, r.assignment)):
        line = (f"{r.student:<20} {r.assignment:<22} {r.status:<9} "
                f"{r.score:g}/{r.max_score:g}")
        if r.needs_manual_grade:
            line += "  (written answer to grade by hand)"
        if r.reason:
            line += f"  [{r.reason}]"
        print(line)
    print(f"\n{n_students} students graded in {took:.1f} s; wrote "
          f"{Path(args.out) / 'grades.csv'} and feedback in "
          f"{Path(args.out) / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
