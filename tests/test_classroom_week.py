"""The documented week in a real browser, and what it must never expose.

Shares the session's classroom and week with ``tests/test_classroom.py``
(``tests/classroom_browser.py``). Screenshots of each step are written to
``test-artifacts/screenshots/classroom/`` for a reviewer.
"""

from __future__ import annotations

import json
import re

import pytest

from .classroom_browser import (
    ASSIGNMENT,
    NB,
    ROOT,
    SCREENSHOTS,
    Class,
    run_week,
    shared,
    shared_classroom,
)

pytestmark = [pytest.mark.classroom, pytest.mark.slow, pytest.mark.browser,
              pytest.mark.xdist_group("classroom")]


@pytest.fixture(scope="module")
def week(request) -> Class:
    c = shared_classroom(request)
    c.results["week"] = shared(request, "week", run_week)
    return c


def test_formgrader_loads_inside_jupyterlab(week):
    out = week.results["week"]
    assert out["formgrader_frame_url"].endswith(
        f"/user/{week.instructor}/formgrader/manage_assignments")
    assert out["formgrader_csp"], "Formgrader's page was never loaded"
    assert all(csp == "frame-ancestors 'self'" for csp in out["formgrader_csp"])
    for step in ("01-formgrader-in-lab", "02-generated", "03-released",
                 "04-student-assignments", "05-collected", "06-students-with-names",
                 "07-feedback-released", "08-export-in-terminal"):
        assert (SCREENSHOTS / f"{step}.png").stat().st_size > 5000, step


def test_students_keep_the_default_framing_policy(week):
    r = week.hub.server(week.bob, "GET", "lab")
    assert r.headers.get("Content-Security-Policy") == "frame-ancestors 'none'"


def test_formgrader_links_opened_outside_lab_reach_lab(week):
    import requests

    r = requests.get(f"{week.hub.url}/tree/nn-from-scratch/solutions",
                     allow_redirects=False, timeout=30)
    assert r.status_code in (301, 302), r.status_code
    assert "/hub/" in r.headers["Location"]
    r = requests.get(f"{week.hub.url}/hub/tree/nn-from-scratch/solutions",
                     allow_redirects=False, timeout=30)
    assert r.status_code in (301, 302), r.status_code
    assert r.headers["Location"].endswith(
        "/hub/user-redirect/lab/tree/nn-from-scratch/solutions")


def test_gradebook_has_the_class_lists_names(week):
    rows = "\n".join(week.results["week"]["student_rows"])
    assert "Ann" in rows and "Example" in rows, rows
    assert "None, None" not in rows


def test_no_news_pop_up(week):
    assert week.results["week"]["news_toasts"] == 0
    r = week.hub.server(week.alice, "GET", "lab/api/settings/"
                        "@jupyterlab/apputils-extension:notification")
    assert r.status_code == 200, r.text
    # overrides.json changes the defaults the schema reports
    props = r.json()["schema"]["properties"]
    assert props["fetchNews"]["default"] == "false"
    assert props["checkForUpdates"]["default"] is False


def test_terminal_has_the_course_environment(week):
    for user in (week.instructor, week.alice):
        out = week.hub.terminal(user, "command -v nbgrader; echo DONE-$?", r"DONE-\d")
        assert "/venv/bin/nbgrader" in out and "DONE-0" in out, out
    export = week.results["week"]["export"]
    assert {(week.alice, ASSIGNMENT), (week.bob, ASSIGNMENT)} <= set(export)


def _probe(feedback: str) -> dict:
    found = re.search(r"SANDBOX-PROBE (\{.*?\})", feedback.replace("&quot;", '"'))
    assert found, "the probe's output is not in the feedback"
    return json.loads(found.group(1))


def test_autograde_runs_student_code_confined(week):
    """Bob's first answer printed what it could see during Autograde; the
    output reached him in his released feedback."""
    import pwd

    facts = _probe(week.results["week"]["feedback"][week.bob])
    teacher = pwd.getpwnam(week.instructor)
    assert facts["uid"] not in (0, teacher.pw_uid), facts
    assert facts["gid"] not in (0, teacher.pw_gid), facts
    assert facts["env"] == [], facts  # no hub token, no classroom settings
    assert facts["write_home"] != "WROTE" and facts["write_course"] != "WROTE", facts
    assert facts["read_solutions"] != "READ", facts
    assert not list(week.home(week.instructor).rglob("sandbox-was-here"))


def test_feedback_holds_no_hidden_test_text(week):
    checks = (ROOT / "solutions" / ASSIGNMENT / "checks.py").read_text()
    lines = {line.strip() for line in checks.splitlines() if len(line.strip()) > 40}
    fetched = json.dumps(week.results["week"]["fetched"])
    for student, html in week.results["week"]["feedback"].items():
        assert "HIDDEN TESTS" not in html, student
        leaked = [line for line in lines if line in html and line not in fetched]
        assert not leaked, (student, leaked[:3])
        assert NB.split(".")[0] in html, student
