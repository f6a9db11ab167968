"""nbgrader settings of the course: instructors author in solutions/,
students receive exercises/ (exactly what ``nbgrader generate_assignment``
makes of solutions/), and ``nbgrader autograde`` (Formgrader's Autograde
button too) grades with the course's engine: sandboxed notebooks, hidden
checks decided on the host (course_tools/autograde.py)."""

import os
import sys

c = get_config()  # noqa: F821 (injected by nbgrader)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "nn-from-scratch"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(
    c.CourseDirectory.root, "_grading", "gradebook.db")

# Hidden checks (solutions/NN-name/checks.py) are read by the grading host
# only; they are never released to students.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__",
                            "feedback", "checks.py"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearOutput.enabled = True
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# Autograde runs the same engine as `make grade`: nbgrader's Execute and
# SaveAutoGrades are replaced by the course's sandboxed, host-decided grader.
if c.CourseDirectory.root not in sys.path:
    sys.path.insert(0, c.CourseDirectory.root)
from course_tools.autograde import configure  # noqa: E402

configure(c)
c.SandboxedGrade.cell_seconds = 120
c.SandboxedGrade.student_seconds = 900

# nbgrader's own executor, still used by `nbgrader validate` (students'
# check before handing in): the kernel never imports modules from the
# notebook's folder.
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:",
                             "--IPKernelApp.ignore_cwd=True"]
