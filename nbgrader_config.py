"""nbgrader settings of the course: instructors author in solutions/,
students receive exercises/ (exactly what ``nbgrader generate_assignment``
makes of solutions/)."""

import os

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

# nbgrader's own autograde (formgrader's button, the classroom deployment):
# the kernel never imports modules from the submission's folder.
# `make grade` goes further: it runs student code in a sandbox and scores on
# the host (see course_tools/grade.py).
c.Execute.extra_arguments = ["--HistoryManager.hist_file=:memory:",
                             "--IPKernelApp.ignore_cwd=True"]
