"""An instructor's nbgrader settings: the course directory is a copy of the
course repository in the instructor's home (``~/$CLASSROOM_COURSE_DIR``),
with its ``solutions/`` (source) and ``exercises/`` (release) folders and
its own ``nbgrader_config.py`` (stubs, time limits)."""

import os

c = get_config()  # noqa: F821 (injected by nbgrader)
_here = os.path.dirname(os.path.abspath(__file__))
load_subconfig(os.path.join(_here, os.pardir, "exchange_config.py"))  # noqa: F821

_course = os.path.join(os.path.expanduser("~"),
                       os.environ.get("CLASSROOM_COURSE_DIR", "nn-from-scratch"))
if os.path.exists(os.path.join(_course, "nbgrader_config.py")):
    load_subconfig(os.path.join(_course, "nbgrader_config.py"))  # noqa: F821

# The same values as the course's own config, so that nbgrader run from a
# terminal inside the course directory finds the same gradebook.
c.CourseDirectory.root = _course
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_course, "_grading",
                                                       "gradebook.db")
if os.path.isdir(_course):
    os.makedirs(os.path.join(_course, "_grading"), exist_ok=True)

# Autograde in the classroom never runs student code as the instructor:
# without a working bubblewrap it refuses instead of grading unconfined.
c.SandboxedGrade.require_isolation = True
