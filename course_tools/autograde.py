"""nbgrader's ``autograde`` (and Formgrader's Autograde button) on the
course's grading engine.

Two preprocessors replace nbgrader's ``Execute`` and ``SaveAutoGrades``
in ``c.Autograde.autograde_preprocessors`` (see :func:`configure`, called by
the course's ``nbgrader_config.py``):

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
from nbgrader.preprocessors import NbGraderPreprocessor, SaveAutoGrades
from traitlets import Float, Integer

from .checks import seed_for
from .course import Assignment
from .execute import Hidden, outcome
from .feedback import autograded_notebook
from .integrity import load_template, merge
from .sandbox import Limits

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

    def preprocess(self, nb, resources):
        from nbgrader.coursedir import CourseDirectory

        meta = resources["nbgrader"]
        assignment, student = meta["assignment"], meta["student"]
        notebook = f"{meta['notebook']}.ipynb"
        course = CourseDirectory(config=self.config)
        source = Path(course.format_path(course.source_directory, ".", "."))
        release = Path(course.format_path(course.release_directory, ".",
                                          "."))
        template, plan = _plan(source, release, assignment, notebook)
        cells, integrity = merge(template, json.loads(nbformat.writes(nb)))
        limits = Limits(cell_seconds=self.cell_seconds,
                        student_seconds=self.student_seconds,
                        memory_mb=self.memory_mb,
                        flood_bytes=self.flood_bytes)
        seed = seed_for(student, assignment, notebook)
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
    c.Autograde.autograde_preprocessors = list(AUTOGRADE_PREPROCESSORS)
