"""Where the course keeps its assignments, and how to call nbgrader on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
COURSE_ID = "nn-from-scratch"
# Files of an assignment's source folder that are never released: nbgrader's
# defaults plus the hidden checks, which only the grading host reads.
IGNORE = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
          "checks.py"]


@dataclass(frozen=True)
class Assignment:
    """One graded assignment: a folder of source notebooks in ``solutions/``."""

    name: str
    notebooks: tuple[str, ...]  # file names, e.g. ("foundations.ipynb",)

    @property
    def source_dir(self) -> Path:
        return SOLUTIONS / self.name


def assignments(solutions: Path = SOLUTIONS) -> list[Assignment]:
    """Every assignment in ``solutions/``, in order."""
    found = []
    for folder in sorted(p for p in solutions.iterdir() if p.is_dir()):
        nbs = tuple(sorted(p.name for p in folder.glob("*.ipynb")))
        if nbs:
            found.append(Assignment(folder.name, nbs))
    return found


def nbgrader_env() -> dict:
    """Environment for nbgrader and the kernels it starts."""
    env = dict(os.environ)
    # nbgrader runs helpers such as ``alembic`` from PATH: use this env's.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent),
                                   env.get("PATH", "")])
    env.update(COURSE_LIB_PROGRESS="0", MPLBACKEND="Agg",
               PYDEVD_DISABLE_FILE_VALIDATION="1", PYTHONHASHSEED="0")
    return env


def write_course_config(root: Path, source="source", release="release",
                        timeout=120, engine: dict | None = None) -> None:
    """An ``nbgrader_config.py`` for a scratch course directory at ``root``.

    With ``engine`` (settings of :class:`course_tools.autograde.
    SandboxedGrade`, e.g. ``{"cell_seconds": 8}``), ``nbgrader autograde``
    there uses the course's sandboxed, host-decided grader.
    """
    db = (root / "gradebook.db").resolve()
    text = (
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {str(root.resolve())!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.source_directory = {source!r}\n"
        f"c.CourseDirectory.release_directory = {release!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{db}'\n"
        f"c.CourseDirectory.ignore = {IGNORE!r}\n"
        "c.ClearSolutions.code_stub = {'python': "
        "'# YOUR CODE HERE\\nraise NotImplementedError()'}\n"
        "c.ClearSolutions.text_stub = 'YOUR ANSWER HERE'\n"
        f"c.Execute.timeout = {int(timeout)}\n"
        "c.Execute.interrupt_on_timeout = True\n"
        "c.ExecutePreprocessor.timeout = %d\n" % int(timeout))
    if engine is not None:
        text += ("import sys\n"
                 f"sys.path.insert(0, {str(ROOT)!r})\n"
                 "from course_tools.autograde import configure\n"
                 "configure(c)\n")
        text += "".join(f"c.SandboxedGrade.{k} = {v!r}\n"
                        for k, v in engine.items())
    (root / "nbgrader_config.py").write_text(text)


def nbgrader(args: list[str], cwd: Path, check: bool = True,
             quiet: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``cwd`` (a course directory)."""
    exe = Path(sys.executable).parent / "nbgrader"
    cmd = [str(exe) if exe.exists() else "nbgrader", *args]
    if quiet:
        cmd.append("--log-level=WARN")
    proc = subprocess.run(cmd, cwd=cwd, env=nbgrader_env(),
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed "
                           f"(exit {proc.returncode}):\n{proc.stdout}\n"
                           f"{proc.stderr}")
    return proc


def strip_outputs(nb: dict) -> dict:
    """Remove outputs and execution counts from a notebook dict (in place)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def read_notebook_json(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
