"""nbgrader's ``autograde`` (and Formgrader's Autograde button) on the
course's grading engine.

Three preprocessors take the place of nbgrader's own (see
:func:`configure`, called by the course's ``nbgrader_config.py``):

- :class:`RebuildFromSource` replaces nbgrader's sanitizing of the
  submitted file (``DeduplicateIds``, ``OverwriteCells``): the notebook is
  rebuilt from the instructor's source with only the student's answers
  (:func:`course_tools.integrity.merge`), so duplicated, retyped or edited
  cells and forged metadata cannot stop the run for the whole class;
- :class:`SandboxedGrade` runs the sanitized submission exactly as
  ``make grade`` does: rebuilt from the source, executed in a sandbox, each
  hidden check decided on the host against the reference solution. The
  outputs and the checks' verdicts go into the autograded notebook (so
  feedback shows them); the scores go into ``resources``.
- :class:`SaveCheckScores` writes those scores into nbgrader's gradebook,
  with the same rules as nbgrader (written answers wait for a human), so
  manual grading, feedback release and ``nbgrader export`` keep working.

The same submission gets the same scores from ``make grade`` and from
``nbgrader autograde`` (the seed of a check's inputs depends on the
student, the assignment and the notebook, and on the course's secret).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor, SaveAutoGrades
from traitlets import Bool, Float, Integer

from .checks import seed_for
from .course import Assignment
from .execute import Hidden, outcome
from .feedback import StripHiddenTests, autograded_notebook
from .integrity import load_template, merge
from .sandbox import Limits, bwrap, isolation

_PLANS: dict = {}
_LOCK = threading.Lock()


def _plan(source: Path, release: Path, assignment: str, notebook: str):
    """(template, hidden checks or None) of one notebook, cached."""
    from .grade import hidden_checks

    key = (str(source), str(release), assignment, notebook)
    with _LOCK:
        if key not in _PLANS:
            template = load_template(assignment, notebook, solutions=source,
                                     exercises=release)
            plans = hidden_checks([Assignment(assignment, (notebook,))],
                                  {(assignment, notebook): template},
                                  solutions=source)
            _PLANS[key] = (template, plans.get((assignment, notebook)))
        return _PLANS[key]


class RebuildFromSource(NbGraderPreprocessor):
    """The submission as it will run: the source notebook's cells (with
    their nbgrader metadata) and the student's answers and added cells."""

    def preprocess(self, nb, resources):
        meta = resources["nbgrader"]
        template, _ = _plan(*_folders(self.config), meta["assignment"],
                            f"{meta['notebook']}.ipynb")
        cells, integrity = merge(template, json.loads(nbformat.writes(nb)))
        by_id = {c["metadata"]["nbgrader"].get("grade_id"): c
                 for c in template.cells}
        rebuilt = []
        for cell in cells:
            if cell.grade_id in by_id:
                meta_nb = dict(by_id[cell.grade_id]["metadata"]["nbgrader"])
                new = (nbformat.v4.new_code_cell if cell.cell_type == "code"
                       else nbformat.v4.new_markdown_cell)(cell.source)
                new.metadata["nbgrader"] = meta_nb
                new.id = cell.grade_id.replace("_", "-")[:64]
            else:
                new = nbformat.v4.new_code_cell(cell.source)
            rebuilt.append(new)
        nb.cells = rebuilt
        for note in integrity.restored + integrity.stripped:
            self.log.info("%s/%s: %s", meta["student"], meta["assignment"],
                          note)
        return nb, resources


def _folders(config) -> tuple[Path, Path]:
    """The course's source and release folders (from nbgrader's config)."""
    from nbgrader.coursedir import CourseDirectory

    course = CourseDirectory(config=config)
    return (Path(course.format_path(course.source_directory, ".", ".")),
            Path(course.format_path(course.release_directory, ".", ".")))


def _secret_folder(config) -> Path:
    """Where the grading secret lives: the course directory's ``_grading``
    (the instructor's own, in the classroom)."""
    from nbgrader.coursedir import CourseDirectory

    return Path(CourseDirectory(config=config).root) / "_grading"


class SandboxedGrade(NbGraderPreprocessor):
    """Grade the notebook in a sandbox, with host-decided checks."""

    cell_seconds = Float(120.0, help="seconds allowed per cell").tag(
        config=True)
    student_seconds = Float(900.0, help="seconds allowed per notebook").tag(
        config=True)
    memory_mb = Integer(3072, help="address space per notebook, MiB").tag(
        config=True)
    flood_bytes = Integer(8 << 20, help="raw output before the sandbox is "
                          "stopped, bytes").tag(config=True)
    require_isolation = Bool(False, help="refuse to grade when bubblewrap "
                             "is unavailable (student code would run as "
                             "the grader's own user)").tag(config=True)

    def preprocess(self, nb, resources):
        if self.require_isolation and bwrap() is None:
            raise RuntimeError(f"SandboxedGrade.require_isolation is set, but "
                               f"{isolation()}; install bubblewrap")
        meta = resources["nbgrader"]
        assignment, student = meta["assignment"], meta["student"]
        notebook = f"{meta['notebook']}.ipynb"
        template, plan = _plan(*_folders(self.config), assignment, notebook)
        cells, integrity = merge(template, json.loads(nbformat.writes(nb)))
        limits = Limits(cell_seconds=self.cell_seconds,
                        student_seconds=self.student_seconds,
                        memory_mb=self.memory_mb,
                        flood_bytes=self.flood_bytes)
        seed = seed_for(student, assignment, notebook,
                        secret_folder=_secret_folder(self.config))
        hidden = None if plan is None else Hidden(plan[0], plan[1], seed)
        out = outcome(cells, limits, integrity, template.graded, seed, hidden)
        resources["course_scores"] = dict(out.scores)
        resources["course_flagged"] = integrity.flagged
        outputs = {c["metadata"].get("nbgrader", {}).get("grade_id"):
                   c.get("outputs", []) for c in
                   autograded_notebook(out)["cells"]}
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.cell_type == "code":
                cell.outputs = [nbformat.from_dict(o)
                                for o in outputs.get(gid, [])] if gid else []
        for note in out.failures:
            self.log.info("%s/%s: %s", student, assignment, note)
        for finding in integrity.tamper + integrity.canaries:
            self.log.warning("%s/%s flagged: %s", student, assignment,
                             finding)
        return nb, resources


class SaveCheckScores(SaveAutoGrades):
    """Store the scores :class:`SandboxedGrade` decided (not the ones
    nbgrader would read from error outputs)."""

    def preprocess(self, nb, resources):
        self._scores = resources.get("course_scores")
        if self._scores is None:
            raise RuntimeError("SaveCheckScores: expected the scores of "
                               "SandboxedGrade in resources; got none "
                               "(configure both preprocessors)")
        nb, resources = super().preprocess(nb, resources)
        if resources.get("course_flagged"):
            from nbgrader.api import Gradebook

            with Gradebook(self.db_url) as gb:
                sub = gb.find_submission_notebook(
                    self.notebook_id, self.assignment_id, self.student_id)
                sub.flagged = True
                gb.db.commit()
        return nb, resources

    def _add_score(self, cell, resources) -> None:
        gid = cell.metadata["nbgrader"]["grade_id"]
        grade = self.gradebook.find_grade(gid, self.notebook_id,
                                          self.assignment_id,
                                          self.student_id)
        score = self._scores.get(gid, (0.0, None))[0]
        grade.auto_score = score
        grade.needs_manual_grade = (grade.manual_score is not None
                                    or score is None)
        self.gradebook.db.commit()


SANITIZE_PREPROCESSORS = [
    "nbgrader.preprocessors.ClearOutput",
    "course_tools.autograde.RebuildFromSource",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.CheckCellMetadata",
]
AUTOGRADE_PREPROCESSORS = [
    "course_tools.autograde.SandboxedGrade",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "course_tools.autograde.SaveCheckScores",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

def configure(c) -> None:
    """Make ``nbgrader autograde`` use the course's engine (in an
    ``nbgrader_config.py``: ``configure(c)``)."""
    c.Autograde.sanitize_preprocessors = list(SANITIZE_PREPROCESSORS)
    c.Autograde.autograde_preprocessors = list(AUTOGRADE_PREPROCESSORS)
    # nbgrader's feedback steps, then no hidden-test block in what students
    # receive (this list takes classes, not names).
    c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor,
                                        StripHiddenTests]
