"""The classroom, end to end, on real servers on 127.0.0.1.

JupyterHub (``deploy/jupyterhub_config.py``, dummy authenticator, local
process spawner) runs one JupyterLab per person as a throw-away system user,
from the classroom installed outside the checkout (``deploy/install.sh``).
The week (``tests/classroom_browser.py``, shared with
``tests/test_classroom_week.py``) releases ``01-foundations``; one student
submits the reference answers, the other a blank notebook; the instructor
collects, autogrades, grades by hand, returns feedback and exports. Here:
full marks and zero, and, checked as each system user, who can read and
change what.

Needs root (to create users), the installed classroom and Chromium
(``.ci/setup-classroom.sh`` and ``.ci/run``); skips with the reason
otherwise. Everything it starts, creates or writes is removed.
"""

from __future__ import annotations

import json
import os
import pwd
import stat
from pathlib import Path

import pytest

from .classroom_browser import (
    ASSIGNMENT,
    CLASS_BIN,
    COURSE_ID,
    NB,
    ROOT,
    Class,
    Hub,
    can_read,
    run_as,
    run_week,
    shared,
    shared_classroom,
)

pytestmark = [pytest.mark.classroom, pytest.mark.slow,
              pytest.mark.xdist_group("classroom")]


@pytest.fixture(scope="module")
def classroom(request) -> Class:
    return shared_classroom(request)


@pytest.fixture(scope="module")
def cycle(request, classroom) -> Class:
    """The week, run once per session; its results in ``results["week"]``."""
    classroom.results["week"] = shared(request, "week", run_week)
    return classroom


def inbound_submissions(c: Class, student: str) -> list[Path]:
    inbound = c.exchange / COURSE_ID / "inbound"
    found = sorted(inbound.glob(f"{student}+{ASSIGNMENT}+*"))
    assert found, f"no hand-in of {student} in {inbound}"
    return found


def inbound_submission(c: Class, student: str) -> Path:
    return inbound_submissions(c, student)[0]


def test_released_notebook_is_the_repository_exercise(cycle):
    committed = json.loads((ROOT / "exercises" / ASSIGNMENT / NB).read_text())
    for nb in cycle.results["week"]["fetched"].values():
        assert [cell["source"] for cell in nb["cells"]] == \
            ["".join(cell["source"]) if isinstance(cell["source"], list)
             else cell["source"] for cell in committed["cells"]]


def points(kind: str) -> dict[str, float]:
    """grade_id -> points of the graded ``kind`` cells of the source notebook."""
    nb = json.loads((ROOT / "solutions" / ASSIGNMENT / NB).read_text())
    return {cell["metadata"]["nbgrader"]["grade_id"]:
            float(cell["metadata"]["nbgrader"]["points"])
            for cell in nb["cells"]
            if cell["metadata"].get("nbgrader", {}).get("grade")
            and cell["cell_type"] == kind}


def test_autograde_scores_code_and_leaves_written_answers(cycle):
    code, written = sum(points("code").values()), sum(points("markdown").values())
    ref = cycle.results["week"]["autograded"][cycle.alice]
    blank = cycle.results["week"]["autograded"][cycle.bob]
    assert ref["max_code_score"] == pytest.approx(code) and code > 0
    assert ref["code_score"] == pytest.approx(code)
    assert ref["max_score"] == pytest.approx(code + written)
    # A changed written answer waits for a human; an untouched one scores 0.
    assert ref["needs_manual_grade"] == (written > 0)
    hand_graded = cycle.results["week"].get("hand_graded", [])
    assert sorted(hand_graded) == sorted(points("markdown"))
    assert blank["score"] == 0 and not blank["needs_manual_grade"]


def test_exported_grades_full_marks_and_zero(cycle):
    rows = cycle.results["week"]["export"]
    ref = rows[(cycle.alice, ASSIGNMENT)]
    blank = rows[(cycle.bob, ASSIGNMENT)]
    assert float(ref["max_score"]) > 0
    assert float(ref["score"]) == pytest.approx(float(ref["max_score"]))
    assert float(blank["score"]) == 0.0
    assert float(blank["max_score"]) == pytest.approx(float(ref["max_score"]))


def test_formgrader_agrees_with_export(cycle):
    fg = cycle.results["week"]["formgrader"]
    assert fg[cycle.alice]["score"] == pytest.approx(fg[cycle.alice]["max_score"])
    assert fg[cycle.alice]["max_score"] > 0
    assert fg[cycle.bob]["score"] == 0
    assert fg[cycle.alice]["autograded"] and fg[cycle.bob]["autograded"]


def test_servers_run_as_their_own_users_and_hand_ins_are_sealed(cycle):
    for student in (cycle.alice, cycle.bob):
        folder = Path(pwd.getpwnam(student).pw_dir) / ASSIGNMENT
        assert folder.stat().st_uid == pwd.getpwnam(student).pw_uid
    inbound = cycle.exchange / COURSE_ID / "inbound"
    assert inbound.stat().st_mode & stat.S_ISVTX, "inbound lacks the sticky bit"
    for student in (cycle.alice, cycle.bob):
        sub = inbound_submission(cycle, student)
        for path in [sub, *sub.rglob("*")]:
            st = path.lstat()
            assert st.st_uid == 0 and st.st_gid == inbound.stat().st_gid, path
            assert stat.S_IMODE(st.st_mode) in (0o750, 0o640), (path, oct(st.st_mode))
    leftovers = [p.name for p in inbound.iterdir() if p.name.startswith(".")]
    assert not leftovers, leftovers


def test_students_cannot_read_each_others_submissions(cycle):
    c = cycle
    alice_sub = inbound_submission(c, c.alice) / NB
    bob_sub = inbound_submission(c, c.bob) / NB
    # The probe can say yes: the instructor reads both, and everyone the release.
    assert can_read(c.instructor, alice_sub) and can_read(c.instructor, bob_sub)
    assert can_read(c.bob, c.exchange / COURSE_ID / "outbound" / ASSIGNMENT / NB)
    # No student lists inbound or reads a hand-in (sealed: not even their
    # own), nor the other's home (fetched copy and cache).
    assert not can_read(c.bob, c.exchange / COURSE_ID / "inbound")
    for student in (c.alice, c.bob):
        assert not can_read(student, alice_sub) and not can_read(student, bob_sub)
    assert not can_read(c.bob, Path(pwd.getpwnam(c.alice).pw_dir) / ASSIGNMENT / NB)
    assert not can_read(c.alice, Path(pwd.getpwnam(c.bob).pw_dir))


CHANGE_PROBE = """
import os, sys
folder = sys.argv[1]
nb = os.path.join(folder, sys.argv[2])
attempts = {
    "write": lambda: open(nb, "a").write("changed"),
    "timestamp": lambda: open(os.path.join(folder, "timestamp.txt"), "w").write("2000"),
    "delete": lambda: os.remove(nb),
    "chmod": lambda: os.chmod(folder, 0o777),
    "rename": lambda: os.rename(folder, folder + "-renamed"),
    "rmdir": lambda: os.rmdir(folder),
}
for name, attempt in attempts.items():
    try:
        attempt()
    except OSError as exc:
        print(name, type(exc).__name__)
    else:
        print(name, "CHANGED")
"""


def test_a_hand_in_cannot_be_changed_and_a_resubmit_is_a_new_one(cycle):
    c, hub = cycle, cycle.hub
    sub = inbound_submission(c, c.alice)
    before = {p.name: p.read_bytes() for p in sub.iterdir()}
    proc = run_as(c.alice, [str(CLASS_BIN / "python"), "-c", CHANGE_PROBE,
                            str(sub), NB], cwd=Path("/"))
    verdicts = dict(line.split() for line in proc.stdout.splitlines())
    assert set(verdicts) == {"write", "timestamp", "delete", "chmod", "rename",
                             "rmdir"}, proc.stdout + proc.stderr
    assert all(v == "PermissionError" for v in verdicts.values()), verdicts
    assert {p.name: p.read_bytes() for p in sub.iterdir()} == before
    # The same from a terminal in the student's JupyterLab.
    out = hub.terminal(c.alice, f"echo changed >> '{sub / NB}'; echo STATUS-$?",
                       r"STATUS-\d")
    assert "STATUS-1" in out and "Permission denied" in out, out
    # Submitting again adds a newer, sealed hand-in; the old one is intact.
    form = {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT}
    r = hub.server(c.alice, "POST", "assignments/submit", data=form)
    assert r.status_code == 200 and r.json().get("success", True), r.text
    subs = inbound_submissions(c, c.alice)
    assert len(subs) == 2 and sub in subs, subs
    newer = next(p for p in subs if p != sub)
    assert newer.stat().st_uid == 0
    assert (newer / "timestamp.txt").read_text() > (sub / "timestamp.txt").read_text()
    assert {p.name: p.read_bytes() for p in sub.iterdir()} == before


def test_students_cannot_read_the_instructors_course(cycle):
    c = cycle
    secret = [c.course / "solutions" / ASSIGNMENT / NB,
              c.course / "_grading" / "gradebook.db",
              c.course / "submitted" / c.alice / ASSIGNMENT / NB,
              c.course / "autograded" / c.alice / ASSIGNMENT / NB]
    for path in secret:
        assert path.exists(), path
        assert can_read(c.instructor, path)
        for student in (c.alice, c.bob):
            assert not can_read(student, path), (student, path)


def test_students_cannot_read_the_checkout(cycle):
    """The servers run the installed copy; the checkout, with solutions/,
    _grading/ and .git, is closed to students (kernels, terminals alike)."""
    for path in (ROOT / "solutions" / ASSIGNMENT / NB, ROOT / "solutions",
                 ROOT / ".git" / "HEAD", ROOT / "_grading"):
        assert not can_read(cycle.bob, path), path
    out = cycle.hub.terminal(cycle.bob, f"ls {ROOT / 'solutions'}; echo STATUS-$?",
                             r"STATUS-\d")
    assert "Permission denied" in out and "STATUS-2" in out, out
    assert os.stat(ROOT).st_mode & 0o077 == 0


def test_students_cannot_use_other_servers_or_the_formgrader(cycle):
    c, hub = cycle, cycle.hub
    # Another person's server refuses a student's token.
    for owner in (c.alice, c.instructor):
        r = hub.server(owner, "GET", "api/contents", as_user=c.bob)
        assert r.status_code in (403, 404), (owner, r.status_code)
    r = hub.server(c.instructor, "GET", f"formgrader/api/submissions/{ASSIGNMENT}",
                   as_user=c.alice)
    assert r.status_code in (403, 404), r.status_code
    # A student's own server has no formgrader; the instructor's has.
    assert hub.server(c.alice, "GET", "formgrader/api/status").status_code == 404
    assert hub.server(c.instructor, "GET", "formgrader/api/status").status_code == 200


def lab_page_config(hub: Hub, user: str) -> dict:
    """The page config JupyterLab serves to ``user`` (extensions on and off)."""
    r = hub.server(user, "GET", "lab")
    assert r.status_code == 200, r.status_code
    start = r.text.index('id="jupyter-config-data"')
    body = r.text[r.text.index(">", start) + 1:]
    return json.loads(body[:body.index("</script>")])


def test_lab_extensions_follow_the_role(cycle):
    tools = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")
    student = lab_page_config(cycle.hub, cycle.bob).get("disabledExtensions", {})
    teacher = lab_page_config(cycle.hub, cycle.instructor).get("disabledExtensions", {})
    for plugin in tools:
        assert plugin in student and plugin not in teacher, plugin
    assert "@jupyter/nbgrader:assignment-list" not in student
