"""``make grade SUBMISSIONS=dir``: grade every student's notebooks safely.

Layout of ``SUBMISSIONS``: one folder per student (the folder name is the
student id), holding that student's notebooks under their released names,
directly or in a folder named after the assignment::

    SUBMISSIONS/
      alice/foundations.ipynb
      bob/01-foundations/foundations.ipynb
      collection.csv          (optional: when each was collected)

A notebook under another name (``foundations (1).ipynb``,
``Foundations.ipynb``) is recognised by its cells: when it is the only copy
of that assignment's notebook in the student's folder it is graded and its
row says ``renamed from '<name>'``; when there are several, none is graded
and the row names them all.

For every student on the roster (``--roster``, else every folder) and
every assignment handed in, the notebook is checked on the host, rebuilt
from the instructor's source (:mod:`course_tools.integrity`), executed in a
sandbox (:mod:`course_tools.sandbox`), and scored on the host: each hidden
check asks the sandbox for data and compares it with the reference solution
run on the host (:mod:`course_tools.checks`, :mod:`course_tools.execute`).
Scores are validated, then written to the nbgrader gradebook
``OUT/gradebook.db`` (a re-grade first removes the old submission).
Students are graded in parallel, one sandbox per notebook.

Written to ``--out`` (default ``grades/``):

- ``grades.csv``: one row per student and assignment: ``status``
  (``graded``, ``missing``, ``invalid`` or ``error``), score,
  ``needs_manual_grade``, ``flagged`` and a ``reason``;
- ``cells.csv``: the score of every graded cell;
- ``integrity.json``: per row, what was restored, stripped, undone or
  flagged;
- ``feedback/<student>/<assignment>/<notebook>.html``: what students see;
- ``report.html``: distribution, pass rate per cell, flags, slowest runs;
- ``autograde.log``: one line per notebook.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .checks import load_checks, reference, seed_for, validate_checks
from .course import ROOT, SOLUTIONS, Assignment, assignments
from .execute import Hidden
from .execute import outcome as run_notebook
from .feedback import autograded_notebook, feedback_html, install_mathjax, write_json
from .integrity import Integrity, load_template, merge
from .late import POLICIES, LatePolicy, load_collection, parse_time
from .manual import ManualScoreError, apply_manual, load_manual
from .sandbox import Limits, isolation
from .validate import grade_ids, identify

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_NOTEBOOK_BYTES = 20 << 20
STATUSES = ("graded", "missing", "invalid", "error")
MAX_OTHER_NOTEBOOKS = 50  # notebooks under other names read per student


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
    integrity: dict = field(default_factory=dict)
    seconds: float = 0.0
    manual_cells: set = field(default_factory=set)  # scored from --manual


def _safe_csv(value):
    """Neutralize values a spreadsheet would run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def check_notebook(path: Path) -> tuple[dict | None, str | None]:
    """(notebook, None) if ``path`` can be graded, else (None, why not)."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK_BYTES:
            return None, (f"file is {size >> 20} MiB; at most "
                          f"{MAX_NOTEBOOK_BYTES >> 20} MiB is accepted "
                          "(clear the outputs)")
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read file: {exc.strerror}"
    if b"\x00" in raw:
        return None, "file contains NUL bytes (not a text notebook)"
    try:
        nb = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return None, f"not valid notebook JSON ({exc.__class__.__name__}: " \
                     f"{str(exc)[:200]})"
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 \
            or not isinstance(nb.get("cells"), list):
        got = nb.get("nbformat") if isinstance(nb, dict) else "?"
        return None, (f"expected an nbformat 4 notebook; got nbformat "
                      f"{str(got)[:20]}")
    return nb, None


def read_roster(path: Path) -> list[str]:
    """The ids of a roster file: CSV with ``student_id``, or one per line."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if lines and "student_id" in lines[0].split(","):
        return [r["student_id"].strip() for r in csv.DictReader(lines)]
    return [ln.strip() for ln in lines if ln.strip()]


def load_roster(path: Path | None, submissions: Path) -> list[str]:
    """Student ids: the roster file when given, plus every student folder;
    the roster comes first."""
    ids = read_roster(path) if path is not None else []
    folders = sorted(p.name for p in submissions.iterdir() if p.is_dir())
    return list(dict.fromkeys(ids + folders))


def _places(folder: Path, a: Assignment, nb: str) -> tuple[Path, Path]:
    return folder / nb, folder / a.name / nb


def _find(folder: Path, a: Assignment, nb: str) -> Path | None:
    for candidate in _places(folder, a, nb):
        if candidate.is_file() and not candidate.is_symlink():
            return candidate
    return None


def _plain_name(name: str) -> str:
    """A file name without case, copy marks, digits and punctuation:
    ``Copy of Foundations (1).ipynb.ipynb`` -> ``foundations``."""
    stem = re.sub(r"(\.ipynb)+$", "", name.lower())
    letters = re.sub(r"[^a-z]", "", stem)
    return re.sub(r"copy$", "", re.sub(r"^copyof", "", letters))


def renamed_copies(folder: Path, course: list[Assignment],
                   known: dict[tuple[str, str], set[str]]
                   ) -> dict[tuple[str, str], list[Path]]:
    """(assignment, notebook) -> the notebooks in ``folder`` that are that
    notebook under another name or in another place, recognised by their
    grade ids (``known``: the ids of every assignment's notebooks), or,
    when a file is not a readable notebook, by a name like the released
    one. Hidden files and folders (``.ipynb_checkpoints``) and links are
    passed over."""
    released = {p for a in course for nb in a.notebooks
                for p in _places(folder, a, nb)}
    by_name = {_plain_name(nb): (a.name, nb) for a in course
               for nb in a.notebooks}
    wanted = set(by_name.values())
    found: dict[tuple[str, str], list[Path]] = {}
    seen = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root) / name
            if name.startswith(".") or ".ipynb" not in name.lower() \
                    or path in released or path.is_symlink():
                continue
            seen += 1
            if seen > MAX_OTHER_NOTEBOOKS:
                return found
            data, _ = check_notebook(path)
            key = identify(grade_ids(data), known) if data is not None \
                else by_name.get(_plain_name(name))
            if key in wanted:
                found.setdefault(key, []).append(path)
    return found


@dataclass
class Job:
    """One student's notebooks for one assignment, ready to run."""

    result: Result
    notebooks: dict  # notebook name -> (cells, Integrity)
    # where notebooks were found under other names, for the row's reason
    names: list = field(default_factory=list)


def notebook_ids(solutions: Path = SOLUTIONS) -> dict[tuple[str, str], set[str]]:
    """(assignment, notebook) -> grade ids, for every assignment of the course
    (not only those being graded, so that a copy of one is never taken for
    another)."""
    return {(a.name, nb): grade_ids(json.loads(
        (solutions / a.name / nb).read_text(encoding="utf-8")))
        for a in assignments(solutions) for nb in a.notebooks}


def _shown(path: Path, folder: Path) -> str:
    return repr(path.relative_to(folder).as_posix())


def collect(submissions: Path, course: list[Assignment], students: list[str],
            templates: dict, rostered: set | None = None,
            known: dict[tuple[str, str], set[str]] | None = None
            ) -> tuple[list[Result], list[Job]]:
    """Check every (student, assignment); rows that cannot run are final.

    Students in ``rostered`` get a row for every assignment; any other
    student folder only for the assignments it holds (or, when it holds
    none of them, a ``missing`` row for each, so that it is not lost).
    A notebook handed in under another name is found by its grade ids
    (``known``, see :func:`notebook_ids`; by default those of ``templates``).
    """
    final, jobs = [], []
    known_nbs = {n for a in course for n in a.notebooks}
    rostered = set() if rostered is None else rostered
    if known is None:
        known = {key: {c["metadata"]["nbgrader"].get("grade_id")
                       for c in t.cells} - {None}
                 for key, t in templates.items()}
    for sid in students:
        folder = submissions / sid
        usable = folder.is_dir() and STUDENT_ID.match(sid)
        copies = renamed_copies(folder, course, known) if usable else {}
        handed_in = {a.name for a in course if usable and any(
            _find(folder, a, nb) or copies.get((a.name, nb))
            for nb in a.notebooks)}
        for a in course:
            if sid not in rostered and handed_in and a.name not in handed_in:
                continue
            res = Result(sid, a.name, max_score=sum(
                sum(templates[(a.name, nb)].graded.values())
                for nb in a.notebooks))
            if not STUDENT_ID.match(sid):
                res.status, res.reason = "invalid", (
                    "student folder name must be letters, digits, '_', '.' "
                    "or '-' (at most 64); rename the folder")
                final.append(res)
                continue
            if not folder.is_dir():
                res.reason = f"no folder {sid}/ in the submissions"
                final.append(res)
                continue
            found = {nb: _find(folder, a, nb) for nb in a.notebooks}
            remarks: dict[str, list[str]] = {nb: [] for nb in a.notebooks}
            clash = []
            for nb, path in found.items():
                mine = copies.get((a.name, nb), [])
                shown = [_shown(p, folder) for p in mine]
                if path is None and len(mine) == 1:
                    found[nb] = mine[0]
                    remarks[nb].append(f"renamed from {shown[0]}")
                elif path is None and mine:
                    clash.append(f"{len(mine)} copies of {nb} and none under "
                                 f"that name: {', '.join(shown)}; graded none "
                                 f"(keep one, named {nb})")
                else:
                    remarks[nb] += [f"also found {m}, not graded"
                                    for m in shown]
            if clash:
                res.status, res.reason = "invalid", "; ".join(clash)
                final.append(res)
                continue
            if not any(found.values()):
                others = sorted({p.name for p in folder.rglob("*.ipynb")}
                                - known_nbs)
                res.reason = f"no {', '.join(a.notebooks)} in {sid}/"
                if others:
                    res.reason += (f" (found {', '.join(others[:5])}: "
                                   "notebooks must keep their released names)")
                final.append(res)
                continue
            merged, bad = {}, []
            for nb, path in found.items():
                template = templates[(a.name, nb)]
                data: dict | None
                if path is None:
                    data = {"cells": []}
                    bad_note = f"{nb}: missing (graded as blank)"
                else:
                    data, why = check_notebook(path)
                    if why or data is None:
                        bad.append("; ".join([f"{nb}: {why}", *remarks[nb]]))
                        continue
                    bad_note = None
                cells, integrity = merge(template, data)
                if bad_note:
                    integrity.notes.append(bad_note)
                integrity.notes.extend(
                    f"{r}: graded as {nb}, the name to hand it in under"
                    if r.startswith("renamed") else r for r in remarks[nb])
                merged[nb] = (cells, integrity)
            if bad:
                res.status, res.reason = "invalid", "; ".join(bad)
                final.append(res)
                continue
            many = len(a.notebooks) > 1
            jobs.append(Job(res, merged, [f"{nb}: " * many + r
                                          for nb, rs in remarks.items()
                                          for r in rs]))
    return final, jobs


def _seed(student: str, assignment: str, notebook: str) -> int:
    digest = hashlib.sha256(f"{student}/{assignment}/{notebook}".encode())
    return int.from_bytes(digest.digest()[:8], "big")


def hidden_checks(course: list[Assignment], templates: dict,
                  solutions: Path = SOLUTIONS) -> dict:
    """(assignment, notebook) -> (checks per cell, reference) for every
    assignment with a ``checks.py``; ValueError when one does not fit its
    notebook (a check for no test cell, points that do not add up, hidden
    tests left in the notebook)."""
    plans = {}
    for a in course:
        found = load_checks(a.name, solutions)
        if found is None:
            continue
        where = f"{a.name}/checks.py"
        all_tests = set()
        for nb in a.notebooks:
            template = templates[(a.name, nb)]
            tests = {c["metadata"]["nbgrader"]["grade_id"]
                     for c in template.cells if template.kind(c) == "test"}
            all_tests |= tests
            for c in template.cells:
                if template.kind(c) == "test" and \
                        "BEGIN HIDDEN TESTS" in c["source"]:
                    raise ValueError(
                        f"{a.name}/{nb}: cell "
                        f"{c['metadata']['nbgrader']['grade_id']!r} still "
                        f"has hidden tests; with {where} they belong there")
            mine = {k: v for k, v in found.items() if k in tests}
            validate_checks(mine, template.graded, tests, where)
            plans[(a.name, nb)] = (mine, reference(solutions / a.name / nb))
        unknown = sorted(set(found) - all_tests)
        if unknown:
            raise ValueError(f"{where}: checks for {unknown}, which are not "
                             "test cells")
    return plans


def run_job(job: Job, templates: dict, limits: Limits, workdir: Path,
            feedback_dir: Path, plans: dict | None = None) -> Result:
    """Execute and score one job (runs in a worker thread)."""
    res = job.result
    res.status = "graded"
    notes, total_seconds = [], 0.0
    merged_integrity = Integrity()
    for nb, (cells, integrity) in job.notebooks.items():
        template = templates[(res.assignment, nb)]
        plan = (plans or {}).get((res.assignment, nb))
        hidden = None if plan is None else Hidden(
            plan[0], plan[1], seed_for(res.student, res.assignment, nb))
        try:
            out = run_notebook(cells, limits, integrity, template.graded,
                               _seed(res.student, res.assignment, nb),
                               hidden)
        except Exception as exc:  # one broken run must not stop the class
            res.status = "error"
            res.reason = " | ".join([
                *job.names, f"{nb}: grading failed ({type(exc).__name__}: "
                f"{str(exc)[:300]})"])
            return res
        total_seconds += out.seconds
        for gid, pair in out.scores.items():
            res.cells[gid] = pair
        res.needs_manual_grade |= out.needs_manual_grade
        notes += out.failures
        for key, value in integrity.as_dict().items():
            getattr(merged_integrity, key).extend(
                f"{nb}: {v}" if len(job.notebooks) > 1 else v for v in value)
        subtotal = sum(s for s, _ in out.scores.values() if s is not None)
        path = workdir / "autograded" / res.student / res.assignment / nb
        write_json(path, autograded_notebook(out))
        page = feedback_dir / res.student / res.assignment / \
            nb.replace(".ipynb", ".html")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(feedback_html(
            res.student, res.assignment, nb, out, subtotal,
            sum(template.graded.values()), integrity.notes), "utf-8")
    res.seconds = total_seconds
    res.integrity = merged_integrity.as_dict()
    res.score = sum(s for s, _ in res.cells.values() if s is not None)
    res.flagged = merged_integrity.flagged
    reasons = list(job.names)
    if merged_integrity.canaries:
        # Defence in depth only: scores come from the host's checks.
        reasons.append("flagged for a human: "
                       + "; ".join(merged_integrity.canaries[:2]))
    if merged_integrity.tamper:
        reasons.append("tampering: " + "; ".join(merged_integrity.tamper[:3]))
    if merged_integrity.course_imports:
        reasons.append("uses the course's implementation: "
                       + "; ".join(merged_integrity.course_imports[:3]))
    if merged_integrity.restored:
        reasons.append(f"{len(merged_integrity.restored)} cell(s) restored")
    if notes:
        reasons.append("failed: " + "; ".join(notes))
    res.reason = " | ".join(reasons)
    return res


class GradebookWriter:
    """Writes validated results into nbgrader's gradebook (main thread)."""

    def __init__(self, path: Path, templates: dict, course: list[Assignment]):
        from nbgrader.api import Gradebook

        # nbgrader runs ``alembic`` from PATH: use this environment's.
        bindir = str(Path(sys.executable).parent)
        if bindir not in os.environ.get("PATH", "").split(os.pathsep):
            os.environ["PATH"] = os.pathsep.join(
                [bindir, os.environ.get("PATH", "")])
        self.gb = Gradebook(f"sqlite:///{path.resolve()}")
        for a in course:
            self.gb.update_or_create_assignment(a.name)
            for nb in a.notebooks:
                stem = nb[:-len(".ipynb")]
                self.gb.update_or_create_notebook(stem, a.name)
                template = templates[(a.name, nb)]
                for cell in template.cells:
                    meta = cell["metadata"]["nbgrader"]
                    gid = meta.get("grade_id")
                    if meta.get("grade"):
                        self.gb.update_or_create_grade_cell(
                            gid, stem, a.name, max_score=float(meta["points"]),
                            cell_type=cell["cell_type"])
                    if meta.get("solution"):
                        self.gb.update_or_create_solution_cell(gid, stem,
                                                               a.name)
                    if gid:
                        self.gb.update_or_create_source_cell(
                            gid, stem, a.name, cell_type=cell["cell_type"],
                            locked=bool(meta.get("locked")),
                            source=cell["source"],
                            checksum=meta.get("checksum"))

    def write(self, res: Result, notebooks: tuple[str, ...]) -> None:
        from nbgrader.api import MissingEntry

        if not STUDENT_ID.match(res.student):
            return
        self.gb.update_or_create_student(res.student)
        try:
            self.gb.remove_submission(res.assignment, res.student)
        except MissingEntry:
            pass
        if res.status != "graded":
            return
        with self.gb.db.no_autoflush:
            self.gb.add_submission(res.assignment, res.student)
        for nb in notebooks:
            stem = nb[:-len(".ipynb")]
            sub = self.gb.find_submission_notebook(stem, res.assignment,
                                                   res.student)
            for grade in sub.grades:
                got = res.cells.get(grade.name, (None, None))[0]
                if grade.name in res.manual_cells:
                    grade.auto_score, grade.manual_score = None, got
                else:
                    grade.auto_score = got
                grade.needs_manual_grade = got is None
                sub.flagged = res.flagged
        self.gb.db.commit()

    def close(self):
        self.gb.close()


def grade(submissions, out, workdir=None, timeout=120, names=None,
          jobs=None, roster=None, limits: Limits | None = None,
          late: LatePolicy | None = None, collection=None,
          progress: bool = False, manual=None) -> list[Result]:
    """Grade ``submissions`` into ``out``; return one Result per row.

    ``manual``: a CSV of hand-given points for written answers (see
    :mod:`course_tools.manual`); it is checked before any file is touched.
    """
    submissions, out = Path(submissions), Path(out)
    limits = limits or Limits(cell_seconds=float(timeout))
    course = [a for a in assignments() if names is None or a.name in names]
    templates = {(a.name, nb): load_template(a.name, nb) for a in course
                 for nb in a.notebooks}
    manual_scores = load_manual(manual, templates) if manual else {}
    plans = hidden_checks(course, templates)
    if workdir is None:
        # One scratch folder per output folder, so two gradings into
        # different folders never touch each other's files.
        tag = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:10]
        workdir = ROOT / "_grading" / f"run-{tag}"
    workdir = Path(workdir)
    if workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "course").mkdir(parents=True)
    out.mkdir(parents=True, exist_ok=True)
    feedback_dir = out / "feedback"
    if feedback_dir.exists():
        shutil.rmtree(feedback_dir)
    install_mathjax(feedback_dir)
    students = load_roster(roster, submissions)
    rostered = set(read_roster(roster)) if roster is not None else set()
    final, todo = collect(submissions, course, students, templates, rostered,
                          notebook_ids())
    # Opening the gradebook is slow (nbgrader's imports, alembic): do it
    # while the sandboxes run.
    opening = ThreadPoolExecutor(max_workers=1)
    writer_future = opening.submit(GradebookWriter, out / "gradebook.db",
                                   templates, course)
    nb_names = {a.name: a.notebooks for a in course}
    results = list(final)
    log = []
    n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    bar = _progress(len(todo), progress)
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        futures = {pool.submit(run_job, job, templates, limits,
                               workdir / "course", feedback_dir, plans): job
                   for job in todo}
        for fut in as_completed(futures):
            try:
                res = fut.result()
            except Exception as exc:
                res = futures[fut].result
                res.status = "error"
                res.reason = f"grading failed ({type(exc).__name__}: {exc})"
            results.append(res)
            log.append(f"{res.student}/{res.assignment}: {res.status} "
                       f"{res.score:g}/{res.max_score:g} in "
                       f"{res.seconds:.1f} s")
            if bar:
                bar.update(1)
    if bar:
        bar.close()
    writer = writer_future.result()
    opening.shutdown()
    stamps = _collection_times(collection, submissions)
    for res in results:
        apply_manual(res, manual_scores)
        _apply_late(res, late, stamps)
        writer.write(res, nb_names[res.assignment])
    writer.close()
    _write_outputs(out, results, "\n".join(sorted(log)) + "\n")
    from .report import write_report

    write_report(out / "report.html", results, isolation())
    return results


def _progress(total: int, enabled: bool):
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="grading", unit="notebook",
                file=sys.stderr, mininterval=0.5)


def _collection_times(collection, submissions: Path) -> dict:
    path = Path(collection) if collection else submissions / "collection.csv"
    return load_collection(path) if path.is_file() else {}


def _apply_late(res: Result, late: LatePolicy | None, stamps: dict) -> None:
    if late is None or res.status != "graded":
        return
    score, note = late.apply(res.assignment,
                             stamps.get((res.student, res.assignment)),
                             res.score)
    res.score = score
    if note:
        res.reason = f"{note} | {res.reason}" if res.reason else note


def _write_outputs(out: Path, results: list[Result], log: str) -> None:
    rows = sorted(results, key=lambda r: (r.student, r.assignment))
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
                            "" if score is None else f"{score:g}", f"{mx:g}"])
    integrity = {f"{r.student}/{r.assignment}": {
        "status": r.status, "flagged": r.flagged, **r.integrity}
        for r in rows}
    (out / "integrity.json").write_text(json.dumps(integrity, indent=1,
                                                   sort_keys=True), "utf-8")
    (out / "autograde.log").write_text(log, encoding="utf-8")


def _parse_deadlines(items: list[str] | None) -> dict:
    out = {}
    for item in items or []:
        name, sep, when = item.partition("=")
        if not sep:
            raise ValueError(f"--deadline must be ASSIGNMENT=TIME; got "
                             f"{item!r}")
        out[name] = parse_time(when, f"--deadline {name}")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Autograde a folder of submissions (one subfolder per "
                    "student) in sandboxes.")
    parser.add_argument("submissions", help="folder with one subfolder per "
                        "student")
    parser.add_argument("--out", default="grades", help="output folder")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds allowed per cell")
    parser.add_argument("--student-timeout", type=float, default=900,
                        help="seconds allowed per notebook in total")
    parser.add_argument("--memory-mb", type=int, default=3072,
                        help="address space per notebook, MiB")
    parser.add_argument("--assignment", action="append", dest="names",
                        help="grade only this assignment (repeatable)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="notebooks graded in parallel (default: cores)")
    parser.add_argument("--roster", help="CSV (student_id column) or text "
                        "file listing every student")
    parser.add_argument("--deadline", action="append",
                        help="ASSIGNMENT=ISO-TIME (repeatable)")
    parser.add_argument("--late-policy", choices=POLICIES, default="accept")
    parser.add_argument("--late-penalty", type=float, default=0.1,
                        help="fraction lost per day late (policy 'penalty')")
    parser.add_argument("--collection", help="CSV student_id,assignment,"
                        "collected_at (default SUBMISSIONS/collection.csv)")
    parser.add_argument("--manual", help="CSV student_id,assignment,cell,"
                        "points: hand-given scores of written answers")
    parser.add_argument("--no-progress", action="store_true")
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
    if args.jobs is not None and args.jobs < 1:
        print(f"grade: --jobs must be a positive integer; got {args.jobs}.",
              file=sys.stderr)
        return 2
    if args.manual and not Path(args.manual).is_file():
        print(f"grade: --manual must be a CSV file; got {args.manual}.",
              file=sys.stderr)
        return 2
    if args.roster and not Path(args.roster).is_file():
        print(f"grade: --roster must be a file; got {args.roster}.",
              file=sys.stderr)
        return 2
    try:
        limits = Limits(cell_seconds=args.timeout,
                        student_seconds=args.student_timeout,
                        memory_mb=args.memory_mb)
        late = LatePolicy(_parse_deadlines(args.deadline), args.late_policy,
                          args.late_penalty)
    except ValueError as exc:
        print(f"grade: {exc}", file=sys.stderr)
        return 2
    mode = isolation()
    print(f"Sandbox: {mode}", file=sys.stderr)
    if mode.startswith("NOT ISOLATED"):
        print("WARNING: " + "!" * 60 + f"\nWARNING: {mode}.\nWARNING: "
              "install bubblewrap (apt-get install bubblewrap) to isolate "
              "student code.\nWARNING: " + "!" * 60, file=sys.stderr)
    start = time.perf_counter()
    try:
        results = grade(sub, args.out, names=args.names, jobs=args.jobs,
                        roster=args.roster, limits=limits, late=late,
                        collection=args.collection,
                        progress=not args.no_progress, manual=args.manual)
    except ManualScoreError as exc:
        print(f"grade: {exc}", file=sys.stderr)
        return 2
    took = time.perf_counter() - start
    _print_summary(results, took, Path(args.out), mode)
    return 0


def _print_summary(results: list[Result], took: float, out: Path,
                   mode: str) -> None:
    n_students = len({r.student for r in results})
    print(f"{'student':<20} {'assignment':<22} {'status':<9} score")
    for r in sorted(results, key=lambda r: (r.student, r.assignment)):
        line = (f"{r.student[:20]:<20} {r.assignment:<22} {r.status:<9} "
                f"{r.score:g}/{r.max_score:g}")
        if r.needs_manual_grade:
            line += "  (written answer to grade by hand)"
        if r.flagged:
            line += "  FLAGGED"
        if r.reason:
            line += f"  [{r.reason[:160]}]"
        print(line)
    counts = {s: sum(r.status == s for r in results) for s in STATUSES}
    graded = [r for r in results if r.status == "graded"]
    mean = (sum(r.score / r.max_score for r in graded if r.max_score)
            / len(graded) * 100) if graded else 0.0
    print(f"\n{n_students} students graded in {took:.1f} s: "
          + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
          + f"; mean score of graded rows {mean:.0f}%; "
          f"{sum(r.flagged for r in results)} flagged.")
    print(f"Sandbox: {mode}")
    print(f"Wrote {out / 'grades.csv'}, {out / 'report.html'} and feedback "
          f"in {out / 'feedback'}")


if __name__ == "__main__":
    sys.exit(main())
