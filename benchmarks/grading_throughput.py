"""Grading throughput: ``make grade`` against sequential ``nbgrader autograde``.

    python -m benchmarks.grading_throughput [--students 50] [--jobs N]
                                            [--assignment 01-foundations]

Builds a class of ``--students`` submissions of one assignment (the
reference, the blank release and every mutant, in turn), then

1. grades them with plain ``nbgrader autograde`` (nbgrader's own executor,
   unsandboxed, visible tests only) in a scratch course, one submission
   after another, timing that command: the baseline;
2. grades them with ``nbgrader autograde`` configured with the course's
   engine (sandboxes, hidden checks decided on the host), as Formgrader's
   Autograde button does, one after another;
3. grades the same folder with ``course_tools.grade`` (the same engine,
   ``--jobs`` in parallel, default one per core), timing the whole call
   (gradebook, CSV, feedback and report included).

It prints the wall times, the throughput ratio of 3 to 1, and whether 2 and
3 gave every student the same automatic score. Work goes to a temporary
folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def build_class(folder: Path, assignment: str, notebook: str,
                n: int) -> list[str]:
    from tests.assignments import variants

    kinds = list(variants(assignment, notebook).items())
    students = []
    for i in range(n):
        kind, nb = kinds[i % len(kinds)]
        sid = f"s{i:03d}-{kind}"[:60]
        (folder / sid).mkdir(parents=True)
        (folder / sid / notebook).write_text(json.dumps(nb))
        students.append(sid)
    return students


def plain_nbgrader(subs: Path, work: Path, assignment: str, notebook: str,
                   students: list[str], engine: dict | None = None
                   ) -> tuple[float, dict]:
    """Sequential ``nbgrader autograde`` (with the course's engine when
    ``engine`` is given); (seconds, student -> score)."""
    from nbgrader.api import Gradebook

    from course_tools.course import (
        SOLUTIONS,
        nbgrader,
        strip_outputs,
        write_course_config,
    )

    shutil.copytree(SOLUTIONS / assignment, work / "source" / assignment)
    for nb in (work / "source").rglob("*.ipynb"):
        nb.write_text(json.dumps(strip_outputs(json.loads(nb.read_text()))))
    write_course_config(work, timeout=120, engine=engine)
    nbgrader(["generate_assignment", assignment, "--force"], cwd=work)
    for sid in students:
        dest = work / "submitted" / sid / assignment
        dest.mkdir(parents=True)
        shutil.copyfile(subs / sid / notebook, dest / notebook)
    start = time.perf_counter()
    nbgrader(["autograde", assignment, "--force", "--create"], cwd=work,
             check=False)
    took = time.perf_counter() - start
    with Gradebook(f"sqlite:///{work / 'gradebook.db'}") as gb:
        scores = {s.student_id: float(s.score)
                  for s in gb.assignment_submissions(assignment)}
    return took, scores


def sandboxed(subs: Path, work: Path, assignment: str,
              jobs: int | None) -> tuple[float, dict]:
    from course_tools import grade

    start = time.perf_counter()
    results = grade.grade(subs, work / "out", workdir=work / "run",
                          names=[assignment], jobs=jobs)
    took = time.perf_counter() - start
    return took, {r.student: r.score for r in results}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--assignment", default="01-foundations")
    args = parser.parse_args(argv)
    if args.students < 1:
        parser.error(f"--students must be positive; got {args.students}")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from course_tools.course import assignments
    from course_tools.sandbox import isolation

    found = {a.name: a for a in assignments()}
    if args.assignment not in found:
        parser.error(f"--assignment must be one of {sorted(found)}; got "
                     f"{args.assignment!r}")
    notebook = found[args.assignment].notebooks[0]
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        tmp = Path(tmp)
        subs = tmp / "submissions"
        students = build_class(subs, args.assignment, notebook,
                               args.students)
        t_plain, _ = plain_nbgrader(subs, tmp / "plain", args.assignment,
                                    notebook, students)
        t_engine, engine = plain_nbgrader(
            subs, tmp / "engine", args.assignment, notebook, students,
            engine={"cell_seconds": 120.0})
        t_ours, ours = sandboxed(subs, tmp / "ours", args.assignment,
                                 args.jobs)
    same = all(engine.get(s) == ours.get(s) for s in students)
    diff = [s for s in students if engine.get(s) != ours.get(s)]
    cores = len(os.sched_getaffinity(0))
    print(f"{args.students} submissions of {args.assignment} on {cores} "
          f"cores; sandbox: {isolation()}")
    print(f"  sequential nbgrader autograde: {t_plain:7.1f} s "
          f"({args.students / t_plain:.2f} submissions/s; unsandboxed)")
    print(f"  nbgrader autograde, engine:    {t_engine:7.1f} s "
          f"({args.students / t_engine:.2f} submissions/s; sequential)")
    print(f"  course_tools.grade (parallel): {t_ours:7.1f} s "
          f"({args.students / t_ours:.2f} submissions/s)")
    print(f"  throughput ratio: {t_plain / t_ours:.2f}x "
          f"(target: at least 1.7x on 2 cores)")
    print(f"  same scores from nbgrader and make grade: {same}"
          + (f" (differ: {diff[:5]})" if diff else ""))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
