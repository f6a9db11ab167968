r"""Mutation testing of ``course_lib`` (and the grader's scoring) with mutmut.

Run on demand, never in CI::

    .venv/bin/python tests/mutation/run.py                 # every group
    .venv/bin/python tests/mutation/run.py layers init     # some groups
    .venv/bin/python tests/mutation/run.py --without-new-tests   # baseline

Each group mutates some source files and runs only the fast unit tests of
those files against every mutant. A mutant is *killed* when a test fails
(or the tests time out); it *survives* when they all pass. The score of a
group is

.. math:: \text{score} = \frac{\text{killed} + \text{timeout}}
                             {\text{mutants} - \text{equivalent}}

where the equivalent mutants are those listed, with the reason, in
``tests/mutation/equivalent.md``: changes that no test can detect because the
program means the same thing.

Every group runs in its own copy of the tree under
``test-artifacts/mutation/work/<group>/`` (git-ignored), with a generated
``pyproject.toml`` that carries mutmut's configuration, so the run neither
needs a ``[tool.mutmut]`` section in the project nor sees edits made while it
runs. mutmut's own working folder, ``mutants/``, lives inside that copy.

The report, ``test-artifacts/mutation/report.md``, gives the score per group
and per module and every surviving mutant (file, line, diff); the same data
is written to ``report.json`` beside it, and mutmut's output to ``run.log``
(``--report NAME.md`` writes ``NAME.json`` and ``NAME.log`` instead, so two
runs never overwrite each other's files).
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts" / "mutation"
EQUIVALENT = HERE / "equivalent.md"

# Tests that are not fast unit tests never run against mutants.
MARKERS = "not grading and not book and not browser and not classroom and not slow"
# Lines that only word an error message are not mutated: a raise statement,
# a line that continues a message string, a hint. The condition that raises
# stays mutated, so a dropped check is still caught; ``--with-messages``
# mutates the wording too.
MESSAGE_LINES = [r"^\s*raise\b", r"^\s*[rRfFbBuU]{0,2}[\"']", r"^\s*hint="]
# Detected mutants, by mutmut's status names.
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}


@dataclass
class Group:
    """Source files to mutate and the unit tests that judge the mutants."""

    name: str
    mutate: list[str]
    tests: list[str]
    target: float | None = 0.90
    # mutmut mutant-name globs; empty means every mutant of ``mutate``.
    functions: list[str] = field(default_factory=list)
    provisional: bool = False
    # Folders the tests read (linked into the work copy; mutmut copies
    # them into its own folder, where the mutated package looks for them).
    link: list[str] = field(default_factory=list)
    # Slow tests of the selection that are not unit tests of these files.
    deselect: list[str] = field(default_factory=list)

    def new_tests(self) -> list[str]:
        """The ``tests/test_mutation_<group>.py`` file(s) of this group."""
        return sorted(str(p.relative_to(ROOT)) for p in
                      (ROOT / "tests").glob(f"test_mutation_{self.name}*.py"))


GROUPS = [
    Group("layers", ["course_lib/layers/*.py"],
          ["tests/test_layer_contract.py", "tests/test_layers_core.py",
           "tests/test_batchnorm.py", "tests/test_conv.py",
           "tests/test_dropout.py", "tests/test_normalization_torch.py"]),
    Group("init", ["course_lib/init.py"], ["tests/test_init.py"]),
    Group("gradcheck", ["course_lib/gradcheck.py"],
          ["tests/test_layer_contract.py", "tests/test_layers_core.py",
           "tests/test_network_data.py"]),
    Group("optim", ["course_lib/optim/*.py"], ["tests/test_optim.py"]),
    Group("schedules", ["course_lib/schedules/*.py"],
          ["tests/test_schedules.py"]),
    Group("trainer", ["course_lib/trainer.py"], ["tests/test_trainer.py"]),
    # The grader's scoring: a notebook's cell scores and their validation
    # (execute), each hidden check's verdict and the helpers that decide it
    # (checks), the row total, the late penalty, the CSV files and the
    # gradebook (grade, late), and the pass rate per cell (report). The
    # report's plots and page layout, and the sandbox plumbing, compute no
    # score and are left out. One test reads every assignment's checks
    # against its notebook (two minutes); it is not a unit test of these.
    Group("grader", ["course_tools/execute.py", "course_tools/checks.py",
                     "course_tools/grade.py", "course_tools/late.py",
                     "course_tools/report.py"],
          ["tests/test_grading_integrity.py", "tests/test_grading_checks.py"],
          functions=["course_tools.execute.x_score__mutmut_*",
                     "course_tools.execute.x_validate__mutmut_*",
                     "course_tools.checks.x_check__mutmut_*",
                     "course_tools.checks.x_expect__mutmut_*",
                     "course_tools.checks.x__say__mutmut_*",
                     "course_tools.checks.x__as_array__mutmut_*",
                     "course_tools.checks.x_expect_close__mutmut_*",
                     "course_tools.checks.x_expect_equal__mutmut_*",
                     "course_tools.checks.x_validate_checks__mutmut_*",
                     "course_tools.checks.x_run_check__mutmut_*",
                     "course_tools.grade.x__safe_csv__mutmut_*",
                     "course_tools.grade.x_run_job__mutmut_*",
                     "course_tools.grade.x__apply_late__mutmut_*",
                     "course_tools.grade.x__write_outputs__mutmut_*",
                     "course_tools.grade.xǁGradebookWriterǁwrite__mutmut_*",
                     "course_tools.late.xǁLatePolicyǁapply__mutmut_*",
                     "course_tools.report.x__pass_rates__mutmut_*"],
          deselect=["tests/test_grading_checks.py::"
                    "test_every_checks_file_fits_its_notebook"],
          link=["solutions", "exercises", "book", "_config.yml", "_toc.yml",
                "nbgrader_config.py"]),
]
BY_NAME = {g.name: g for g in GROUPS}


# --------------------------------------------------------------------------
# The work copy and mutmut's configuration


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


PYTEST_ARGS = ["-p", "no:randomly", "-p", "no:cacheprovider", "-m", MARKERS]


def failing_tests(tests: list[str], deselect: Sequence[str] = ()) -> list[str]:
    """Tests of the selection that fail on the unmutated code."""
    skip = [a for test in deselect for a in ("--deselect", test)]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *PYTEST_ARGS, "-q", "-rf", "-n", "0",
         *skip, *tests], cwd=ROOT, env=environment(), capture_output=True, text=True,
        stdin=subprocess.DEVNULL)
    return re.findall(r"^FAILED (\S+)", proc.stdout, re.M)


def mutmut_config(group: Group, tests: list[str], messages: bool,
                  deselect: Sequence[str] = ()) -> str:
    """The ``[tool.mutmut]`` table for one group."""
    sources = sorted({m.split("/")[0] for m in group.mutate})
    pytest_args = PYTEST_ARGS + ["-q"]
    for test in [*group.deselect, *deselect]:
        pytest_args += ["--deselect", test]
    return "\n".join([
        "[tool.mutmut]",
        f"source_paths = {_toml_list(sources)}",
        f"only_mutate = {_toml_list(group.mutate)}",
        f"pytest_add_cli_args = {_toml_list(pytest_args)}",
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}",
        f"do_not_mutate_patterns = {_toml_list([] if messages else MESSAGE_LINES)}",
        f"also_copy = {_toml_list(group.link)}",
        "use_git_change_detection = false",
        "track_dependencies = false",
        "",
    ])


def make_workspace(group: Group, tests: list[str], messages: bool,
                   deselect: Sequence[str] = ()) -> Path:
    """A fresh copy of the sources and tests that ``group`` needs."""
    work = ARTIFACTS / "work" / group.name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("course_lib", "course_tools"):
        shutil.copytree(ROOT / package, work / package, ignore=ignore)
    (work / "tests").mkdir()
    for helper in (ROOT / "tests").glob("*.py"):
        if not helper.name.startswith("test_") or str(
                helper.relative_to(ROOT)) in tests:
            shutil.copy2(helper, work / "tests" / helper.name)
    for name in group.link:
        if (ROOT / name).exists():
            (work / name).symlink_to(ROOT / name)
    pyproject = (ROOT / "pyproject.toml").read_text()
    # Drop a [tool.mutmut] table of the project, if any: ours replaces it.
    pyproject = re.sub(r"(?ms)^\[tool\.mutmut\].*?(?=^\[|\Z)", "", pyproject)
    (work / "pyproject.toml").write_text(
        pyproject.rstrip() + "\n\n" + mutmut_config(group, tests, messages, deselect))
    return work


def environment() -> dict:
    env = dict(os.environ)
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", COURSE_LIB_PROGRESS="0", MPLBACKEND="Agg",
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    return env


def run_group(group: Group, with_new_tests: bool, max_children: int,
              messages: bool, log, previous: dict | None = None) -> dict:
    """Run mutmut for one group; the collected results as a dict.

    With ``previous`` (this group's results of an earlier run on the same
    sources), only the functions that had undetected mutants are run again:
    adding tests cannot revive a killed mutant.
    """
    functions = list(group.functions)
    kept: list[dict] = []
    if previous is not None:
        again = {r["name"].partition("__mutmut_")[0] + "__mutmut_*"
                 for r in previous["mutants"] if r["status"] not in DETECTED}
        kept = [r for r in previous["mutants"] if not any(
            fnmatch.fnmatchcase(r["name"], f) for f in again)]
        if not again:
            return {**previous, "seconds": 0.0, "reused": len(kept)}
        functions = sorted(again)
    tests = list(group.tests)
    if with_new_tests:
        tests += [t for t in group.new_tests() if t not in tests]
    tests = [t for t in tests if (ROOT / t).exists()]
    # a test that fails without mutants would "kill" every mutant it runs
    # for; it is left out, and the report names it
    broken = failing_tests(tests, group.deselect)
    work = make_workspace(group, tests, messages, broken)
    command = [sys.executable, "-m", "mutmut", "run",
               "--max-children", str(max_children), *functions]
    start = time.monotonic()
    log.write(f"\n## {group.name}: {' '.join(command)}\n")
    log.flush()
    proc = subprocess.run(command, cwd=work, env=environment(),
                          capture_output=True, text=True, errors="replace",
                          stdin=subprocess.DEVNULL)
    log.write(_without_spinners(proc.stdout + proc.stderr))
    took = time.monotonic() - start
    out = work / "results.json"
    collect = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--collect", str(out),
         "--group", group.name],
        cwd=work, env=environment(), stdout=log, stderr=subprocess.STDOUT)
    result = {"group": group.name, "tests": tests, "seconds": took,
              "deselected": broken,
              "exit_code": proc.returncode, "mutants": [], "reused": len(kept)}
    if collect.returncode == 0 and out.exists():
        fresh = json.loads(out.read_text())
        if previous is not None:
            fresh = [r for r in fresh if any(
                fnmatch.fnmatchcase(r["name"], f) for f in functions)]
        result["mutants"] = kept + fresh
    return result


def _without_spinners(text: str) -> str:
    """mutmut's output without the frames of its progress spinner."""
    lines = []
    for line in text.splitlines():
        frames = re.split(r"[\u2800-\u28ff] ", line)
        lines.append(frames[-1] if len(frames) > 1 else line)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Collecting mutmut's results (runs inside the work copy)


def _function_name(mutant: str) -> str:
    """``pkg.mod.xǁAffineǁforward__mutmut_3`` → ``Affine.forward``."""
    mangled = mutant.partition("__mutmut_")[0].rpartition(".")[2]
    if "ǁ" in mangled:
        _, cls, method = mangled.split("ǁ", 2)
        return f"{cls}.{method}"
    return mangled[2:] if mangled.startswith("x_") else mangled


def _function_span(source: str, qualname: str) -> tuple[int, int]:
    """First and last line of function ``qualname`` in ``source``."""
    tree = ast.parse(source)
    parts = qualname.split(".")
    scope = tree.body
    node = None
    for part in parts:
        node = next((n for n in scope if isinstance(
            n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and n.name == part), None)
        if node is None:
            return 1, len(source.splitlines())
        scope = node.body
    first = min([node.lineno] + [d.lineno for d in
                                 getattr(node, "decorator_list", [])])
    return first, node.end_lineno or first


def changed_lines(diff: str) -> tuple[list[str], list[str]]:
    removed = [line[1:] for line in diff.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    return removed, added


def fingerprint(path: str, function: str, diff: str) -> str:
    """A name for a mutant that survives renumbering: what it changes, where."""
    removed, added = changed_lines(diff)
    text = "\n".join([path, function]
                     + ["-" + r.strip() for r in removed]
                     + ["+" + a.strip() for a in added])
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def locate(source: str, function: str, diff: str) -> int:
    """The line of the original file that the mutant changes."""
    first, last = _function_span(source, function)
    lines = source.splitlines()
    removed, _ = changed_lines(diff)
    for wanted in removed:
        for i in range(first - 1, min(last, len(lines))):
            if lines[i].strip() == wanted.strip():
                return i + 1
    hunk = re.search(r"^@@ -(\d+)", diff, re.M)
    return first + (int(hunk.group(1)) - 1 if hunk else 0)


def collect(out: Path, group: Group) -> None:
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    rows = []
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        source = Path(path).read_text()
        for name, code in sorted(data.exit_code_by_key.items()):
            if group.functions and not any(
                    fnmatch.fnmatchcase(name, f) for f in group.functions):
                continue
            status = status_by_exit_code[code]
            function = _function_name(name)
            row = {"path": str(path), "name": name, "function": function,
                   "status": status}
            if status not in DETECTED:
                diff = get_diff_for_mutant(name, path=path)
                row["diff"] = diff
                row["line"] = locate(source, function, diff)
                row["fingerprint"] = fingerprint(str(path), function, diff)
            rows.append(row)
    out.write_text(json.dumps(rows, indent=1, ensure_ascii=False))


# --------------------------------------------------------------------------
# Equivalent mutants and the report


HEADING = re.compile(r"^###\s+(\S+)\s+·\s+`?([^`\s]+)`?\s+·\s+([0-9a-f]{10})\s*$")


def load_equivalent(path: Path = EQUIVALENT) -> dict[str, str]:
    """Fingerprint → the heading of each entry of ``equivalent.md``."""
    found = {}
    if path.exists():
        for line in path.read_text().splitlines():
            m = HEADING.match(line)
            if m:
                found[m.group(3)] = f"{m.group(1)} · {m.group(2)}"
    return found


def summarize(rows: list[dict], equivalent: dict[str, str]) -> dict:
    total = len(rows)
    detected = sum(r["status"] in DETECTED for r in rows)
    equiv = sum(r.get("fingerprint") in equivalent for r in rows
                if r["status"] not in DETECTED)
    judged = total - equiv
    return {"mutants": total, "detected": detected, "equivalent": equiv,
            "undetected": judged - detected,
            "score": detected / judged if judged else None}


def _pct(x) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def write_report(results: list[dict], args,
                 wall: float) -> tuple[Path, list[str]]:
    equivalent = load_equivalent()
    lines = ["# Mutation testing report", ""]
    dirty = _git("status", "--porcelain", "--", "course_lib", "course_tools")
    tests = ("existing tests only" if args.without_new_tests
             else "existing tests and tests/test_mutation_*.py")
    wording = ("mutated" if args.with_messages else "not mutated (lines matching "
               + ", ".join(f"`{p}`" for p in MESSAGE_LINES) + ")")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    reused = sum(r.get("reused", 0) for r in results)
    lines += [
        f"- when: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; "
        f"commit {_git('rev-parse', '--short', 'HEAD')}"
        f"{' (with uncommitted changes)' if dirty else ''}",
        f"- tool: mutmut {_version('mutmut')}, at most {args.max_children} "
        f"parallel children; load average at the end {load} on "
        f"{os.cpu_count()} cores (the machine may be shared)",
        f"- tests: {tests}; marker filter `{MARKERS}`",
        f"- error-message wording: {wording}",
        f"- wall time: {wall:.0f} s in all"
        + (f"; {reused} results reused from {args.rerun_survivors_of}"
           if args.rerun_survivors_of else ""),
        "- score = (killed + timeout) / (mutants − equivalent); equivalent "
        "mutants are listed in tests/mutation/equivalent.md",
        "",
        "## Score per group", "",
        "| group | mutants | detected | undetected | equivalent | score "
        "| target | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    failing = []
    for res in results:
        g = BY_NAME[res["group"]]
        s = summarize(res["mutants"], equivalent)
        res["summary"] = s
        if not res["mutants"]:
            verdict = (f"no mutants (mutmut exit {res['exit_code']}; "
                       f"see {log_name(args.report)})")
            if not g.provisional:
                failing.append(g.name)
        elif g.target is None:
            verdict = "provisional"
        elif s["score"] is not None and s["score"] >= g.target:
            verdict = f"≥ {_pct(g.target)}: met"
        else:
            verdict = f"≥ {_pct(g.target)}: MISSED"
            failing.append(g.name)
        lines.append(f"| {g.name} | {s['mutants']} | {s['detected']} | "
                     f"{s['undetected']} | {s['equivalent']} | "
                     f"{_pct(s['score'])} | {verdict} | {res['seconds']:.0f} |")
    broken = [(res["group"], t) for res in results
              for t in res.get("deselected", [])]
    if broken:
        lines += ["", "Left out because they fail on the unmutated code:", ""]
        lines += [f"- {g}: `{t}`" for g, t in broken]
    lines += ["", "## Score per module", "",
              "| module | mutants | detected | undetected | equivalent | score |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for res in results:
        paths = sorted({r["path"] for r in res["mutants"]})
        for p in paths:
            s = summarize([r for r in res["mutants"] if r["path"] == p],
                          equivalent)
            lines.append(f"| {p} | {s['mutants']} | {s['detected']} | "
                         f"{s['undetected']} | {s['equivalent']} | "
                         f"{_pct(s['score'])} |")
    lines += ["", "## Surviving mutants", ""]
    survivors = 0
    seen = set()
    for res in results:
        for r in sorted(res["mutants"], key=lambda r: (r["path"], r.get("line", 0))):
            if r["status"] in DETECTED:
                continue
            fp = r.get("fingerprint")
            if fp in equivalent:
                seen.add(fp)
                continue
            survivors += 1
            tag = " (provisional)" if BY_NAME[res["group"]].provisional else ""
            where = f"{r['path']}:{r.get('line', '?')}"
            lines += [f"### {where} · `{r['function']}` · {fp}{tag}",
                      "", f"{r['status']}: `{r['name']}`", "", "```diff",
                      r.get("diff", ""), "```", ""]
    if not survivors:
        lines.append("None: every mutant was detected or is listed as equivalent.")
    stale = sorted(set(equivalent) - seen - {
        r.get("fingerprint") for res in results for r in res["mutants"]})
    ran = {res["group"] for res in results}
    if stale and ran == set(BY_NAME):
        lines += ["", "## Entries of equivalent.md that no mutant matched", ""]
        lines += [f"- {equivalent[fp]} · {fp}" for fp in stale]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / args.report
    report.write_text("\n".join(lines) + "\n")
    (ARTIFACTS / (Path(args.report).stem + ".json")).write_text(
        json.dumps(results, indent=1, ensure_ascii=False))
    return report, failing


def log_name(report: str) -> str:
    """mutmut's output goes beside the report: ``run.log`` for the default one."""
    stem = Path(report).stem
    return "run.log" if stem == "report" else f"{stem}.log"


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,
                              text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("groups", nargs="*", metavar="GROUP",
                        help=f"groups to run (default: all, in this order: "
                             f"{', '.join(BY_NAME)})")
    parser.add_argument("--max-children", type=int, default=2,
                        help="parallel test processes (default 2)")
    parser.add_argument("--without-new-tests", action="store_true",
                        help="use only the tests that predate "
                             "tests/test_mutation_*.py (a baseline)")
    parser.add_argument("--with-messages", action="store_true",
                        help="mutate the wording of error messages too")
    parser.add_argument("--report", default="report.md",
                        help="file name under test-artifacts/mutation/")
    parser.add_argument("--rerun-survivors-of", type=Path, metavar="JSON",
                        help="reuse the results of an earlier run (its "
                             "test-artifacts/mutation/*.json) and run again "
                             "only the functions that had survivors")
    parser.add_argument("--collect", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--group", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.collect:
        collect(args.collect, BY_NAME[args.group])
        return 0
    unknown = [g for g in args.groups if g not in BY_NAME]
    if unknown:
        parser.error(f"unknown group(s) {unknown}; choose from {list(BY_NAME)}")
    if args.max_children < 1:
        parser.error(f"--max-children must be >= 1; got {args.max_children}")
    groups = [BY_NAME[n] for n in dict.fromkeys(args.groups)] or GROUPS
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    earlier = {}
    if args.rerun_survivors_of:
        earlier = {r["group"]: r for r in
                   json.loads(args.rerun_survivors_of.read_text())}
    results = []
    start = time.monotonic()
    with open(ARTIFACTS / log_name(args.report), "w") as log:
        for g in groups:
            print(f"mutation testing: {g.name} ...", flush=True)
            res = run_group(g, not args.without_new_tests, args.max_children,
                            args.with_messages, log, earlier.get(g.name))
            s = summarize(res["mutants"], load_equivalent())
            print(f"  {s['mutants']} mutants, {s['detected']} detected, "
                  f"{s['equivalent']} equivalent, score {_pct(s['score'])}, "
                  f"{res['seconds']:.0f} s", flush=True)
            results.append(res)
            # a report after every group, so an interrupted run keeps its news
            report, failing = write_report(results, args,
                                           time.monotonic() - start)
    print(f"report: {report.relative_to(ROOT)}")
    if failing:
        print(f"below target: {', '.join(failing)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
