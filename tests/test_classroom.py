"""The classroom, end to end, on real servers on 127.0.0.1.

JupyterHub (``deploy/jupyterhub_config.py``, dummy authenticator, local
process spawner) runs one JupyterLab per person as a throw-away system user.
Through the hub's REST API and each person's own server:

- the instructor generates and releases ``01-foundations`` (formgrader API);
- two students fetch it (assignment-list API); one saves the reference
  answers into the fetched notebook (contents API), the other leaves it
  blank; both submit;
- the instructor collects and autogrades (formgrader API) and exports the
  grades (``nbgrader export`` as the instructor's user);
- full marks for one, zero for the other; and, checked as each system user,
  no student can read the other's submission or the instructor's course.

Needs root (to create users), JupyterHub and configurable-http-proxy
(``make classroom`` or ``.ci/setup-classroom.sh`` install them); skips with
the reason otherwise. Everything it starts, creates or writes is removed.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .assignments import fill, solution_sources

pytestmark = [pytest.mark.classroom, pytest.mark.slow,
              pytest.mark.xdist_group("classroom")]

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01-foundations"
NB = "foundations.ipynb"
COURSE_ID = "nn-from-scratch"
HUB_START_S = 60
SERVER_START_S = 90
REQUEST_S = 120


def _load_launcher():
    spec = importlib.util.spec_from_file_location(
        "classroom_launcher", ROOT / "deploy" / "classroom.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


launcher = _load_launcher()
requests = pytest.importorskip("requests")
CLASS_BIN = launcher.VENV / "bin"  # what the servers run, executable by all


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_as(user: str, argv: list[str], cwd: Path | None = None,
           env: dict | None = None, timeout: float = 120):
    """Run ``argv`` as system user ``user`` (no root groups, a clean env)."""
    home = pwd.getpwnam(user).pw_dir
    base = {"HOME": home, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
            "PATH": f"{CLASS_BIN}:/usr/bin:/bin"}
    base.update(env or {})
    envargs = [f"{k}={v}" for k, v in base.items()]
    return subprocess.run(["runuser", "-u", user, "--", "env", "-i", *envargs,
                           *argv], cwd=cwd or home, capture_output=True,
                          text=True, timeout=timeout)


READ_PROBE = """
import os, sys
path = sys.argv[1]
try:
    if os.path.isdir(path):
        os.listdir(path)
    else:
        open(path, 'rb').read(1)
except PermissionError:
    print('DENIED')
else:
    print('READ')
"""


def can_read(user: str, path: Path) -> bool:
    """Whether system user ``user`` can list (folder) or read (file) ``path``."""
    proc = run_as(user, [str(CLASS_BIN / "python"), "-c", READ_PROBE, str(path)],
                  cwd=Path("/"))
    verdict = proc.stdout.strip()
    assert verdict in ("READ", "DENIED"), proc.stdout + proc.stderr
    return verdict == "READ"


def preflight() -> str | None:
    """Why the classroom cannot run on this machine, or None."""
    if os.name != "posix" or os.geteuid() != 0:
        return "needs root to create one system user per person (CI runs as root)"
    problems = launcher.missing_requirements()
    if not shutil.which("runuser"):
        problems.append("runuser is not available")
    if problems:
        return "; ".join(problems)
    return None


def not_reachable_by_others(path: Path) -> Path | None:
    """The first folder above ``path`` that other users cannot enter."""
    for parent in [path, *path.parents]:
        if not os.stat(parent).st_mode & 0o001:
            return parent
    return None


@dataclass
class Hub:
    url: str
    token: str
    process: subprocess.Popen
    log: Path
    user_tokens: dict = field(default_factory=dict)

    def api(self, method: str, path: str, **kw):
        return requests.request(method, f"{self.url}/hub/api/{path}",
                                headers={"Authorization": f"token {self.token}"},
                                timeout=30, **kw)

    def log_tail(self, n=60) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def token_for(self, user: str) -> str:
        if user not in self.user_tokens:
            r = self.api("POST", f"users/{user}/tokens",
                         json={"note": "classroom test", "expires_in": 900})
            assert r.status_code in (200, 201), r.text
            self.user_tokens[user] = r.json()["token"]
        return self.user_tokens[user]

    def start_server(self, user: str) -> None:
        r = self.api("POST", f"users/{user}/server")
        assert r.status_code in (201, 202), f"{r.status_code} {r.text}"

    def wait_ready(self, user: str, deadline: float) -> None:
        while time.monotonic() < deadline:
            model = self.api("GET", f"users/{user}").json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        pytest.fail(f"the server of {user} did not start:\n{self.log_tail()}")

    def server(self, user: str, method: str, path: str, as_user: str | None = None,
               **kw):
        """A request to ``user``'s server, authenticated as ``as_user``."""
        token = self.token_for(as_user or user)
        kw.setdefault("timeout", REQUEST_S)
        return requests.request(method, f"{self.url}/user/{user}/{path}",
                                headers={"Authorization": f"token {token}"},
                                allow_redirects=False, **kw)


@dataclass
class Class:
    hub: Hub
    base: Path
    exchange: Path
    instructor: str
    alice: str  # submits the reference answers
    bob: str  # submits the blank release
    course: Path
    results: dict = field(default_factory=dict)


def stop_processes_of(uids: set[int]) -> None:
    """SIGKILL every process still running as one of ``uids``."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass


def stop_hub(process: subprocess.Popen, state: Path) -> None:
    """SIGTERM the hub (it stops the servers and the proxy), then make sure."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    pid_file = state / "jupyterhub-proxy.pid"
    if pid_file.exists():
        try:
            pid = int(pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"configurable-http-proxy" in cmdline:
                os.kill(pid, signal.SIGKILL)
        except (ValueError, OSError):
            pass


@pytest.fixture(scope="module")
def classroom():
    reason = preflight()
    if reason:
        pytest.skip(f"classroom: {reason}")
    blocked = not_reachable_by_others(ROOT)
    if blocked is not None:
        pytest.skip(f"classroom: other users cannot enter {blocked}, so the "
                    "students' servers could not run this checkout's Python")
    tag = secrets.token_hex(3)
    names = {"instructor": f"nnfs{tag}-teach", "alice": f"nnfs{tag}-ann",
             "bob": f"nnfs{tag}-ben"}
    base = Path(tempfile.mkdtemp(prefix="classroom-"))
    os.chmod(base, 0o755)
    (base / "home").mkdir(mode=0o755)
    created: list[str] = []
    process = None
    log_fh = None
    try:
        for name in names.values():
            if launcher.create_user(name, base / "home" / name):
                created.append(name)
        probe = run_as(names["alice"], [str(CLASS_BIN / "python"), "-c",
                                        "import jupyterhub, nbgrader, course_lib"])
        if probe.returncode != 0:
            pytest.skip("classroom: a student's user cannot import the course's "
                        f"environment:\n{probe.stderr[-800:]}")
        exchange = base / "exchange"
        launcher.prepare_exchange(exchange)
        course = launcher.prepare_course(names["instructor"],
                                         assignments=[ASSIGNMENT])
        state = base / "hub"
        port = free_port()
        token = secrets.token_hex(32)
        env = launcher.hub_environment(
            [names["instructor"]], [names["alice"], names["bob"]], exchange,
            CLASSROOM_STATE=state, CLASSROOM_PORT=port,
            CLASSROOM_HUB_PORT=free_port(), CLASSROOM_PROXY_API_PORT=free_port(),
            CLASSROOM_API_TOKEN=token)
        log = base / "hub.log"
        log_fh = open(log, "wb")
        process = subprocess.Popen(launcher.hub_command(), env=env, cwd=base,
                                   stdout=log_fh, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        hub = Hub(f"http://127.0.0.1:{port}", token, process, log)
        deadline = time.monotonic() + HUB_START_S
        while True:
            try:
                if hub.api("GET", "").status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"classroom: JupyterHub did not start:\n{hub.log_tail(30)}")
            time.sleep(0.3)
        yield Class(hub, base, exchange, names["instructor"], names["alice"],
                    names["bob"], course)
    finally:
        if process is not None:
            stop_hub(process, base / "hub")
        if log_fh is not None:
            log_fh.close()
        uids = set()
        for name in created:
            try:
                uids.add(pwd.getpwnam(name).pw_uid)
            except KeyError:
                pass
        stop_processes_of(uids)
        for name in created:
            launcher.delete_user(name)
        shutil.rmtree(base, ignore_errors=True)


def _json_ok(response, what: str):
    assert response.status_code == 200, \
        f"{what}: {response.status_code} {response.text[:2000]}"
    return response.json()


@pytest.fixture(scope="module")
def cycle(classroom):
    """Release, fetch, fill, submit, collect, autograde, export."""
    c, hub = classroom, classroom.hub
    t0 = time.monotonic()
    people = [c.instructor, c.alice, c.bob]
    for person in people:
        hub.start_server(person)
    deadline = time.monotonic() + SERVER_START_S
    for person in people:
        hub.wait_ready(person, deadline)
    c.results["servers_s"] = time.monotonic() - t0

    fg = "formgrader/api/assignment/" + ASSIGNMENT
    out = _json_ok(hub.server(c.instructor, "POST", f"{fg}/assign"), "generate")
    assert out["success"], out
    out = _json_ok(hub.server(c.instructor, "POST", f"{fg}/release"), "release")
    assert out["success"], out

    form = {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT}
    answers = solution_sources(ROOT / "solutions" / ASSIGNMENT / NB)
    nb_path = f"api/contents/{ASSIGNMENT}/{NB}"
    for student in (c.alice, c.bob):
        listed = _json_ok(hub.server(student, "POST", "assignments/fetch", data=form),
                          f"fetch by {student}")
        assert any(a["assignment_id"] == ASSIGNMENT and a["status"] == "fetched"
                   for a in listed["value"]), listed
        fetched = _json_ok(hub.server(student, "GET", nb_path), "read notebook")
        c.results.setdefault("fetched", {})[student] = fetched["content"]
        if student == c.alice:
            filled = fill(fetched["content"], answers)
            r = hub.server(student, "PUT", nb_path,
                           json={"type": "notebook", "format": "json",
                                 "content": filled})
            assert r.status_code == 200, r.text
        out = _json_ok(hub.server(student, "POST", "assignments/submit", data=form),
                       f"submit by {student}")
        assert out.get("success", True) and "value" in out, out

    collected = _json_ok(hub.server(c.instructor, "POST", f"{fg}/collect"), "collect")
    assert collected["success"], collected.get("error", collected)
    for student in (c.alice, c.bob):
        out = _json_ok(hub.server(
            c.instructor, "POST",
            f"formgrader/api/submission/{ASSIGNMENT}/{student}/autograde"),
            f"autograde {student}")
        assert out["success"], out.get("log", out)
    notebooks = _json_ok(hub.server(
        c.instructor, "GET",
        f"formgrader/api/submitted_notebooks/{ASSIGNMENT}/{Path(NB).stem}"),
        "submitted notebooks")
    c.results["autograded"] = {s["student"]: s for s in notebooks}
    # The written answer is graded by hand: the reference answer gets full marks.
    alice_nb = c.results["autograded"][c.alice]["id"]
    grades = _json_ok(hub.server(c.instructor, "GET", "formgrader/api/grades",
                                 params={"submission_id": alice_nb}), "grades")
    for grade in grades:
        if grade["needs_manual_grade"]:
            r = hub.server(c.instructor, "PUT", f"formgrader/api/grade/{grade['id']}",
                           json={"manual_score": grade["max_score"]})
            assert r.status_code == 200, r.text
            c.results.setdefault("hand_graded", []).append(grade["name"])
    subs = _json_ok(hub.server(c.instructor, "GET",
                               f"formgrader/api/submissions/{ASSIGNMENT}"),
                    "submissions")
    c.results["formgrader"] = {s["student"]: s for s in subs}

    export = c.course / "_grading" / "export.csv"
    proc = run_as(c.instructor,
                  [str(CLASS_BIN / "nbgrader"), "export",
                   f"--to={export}", "--log-level=WARN"], cwd=c.course,
                  env={"JUPYTER_CONFIG_PATH": str(ROOT / "deploy" / "jupyter"
                                                  / "instructor"),
                       "CLASSROOM_EXCHANGE": str(c.exchange)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(export, newline="", encoding="utf-8") as fh:
        c.results["export"] = {(r["student_id"], r["assignment"]): r
                               for r in csv.DictReader(fh)}
    c.results["cycle_s"] = time.monotonic() - t0
    print(f"\nclassroom: servers up in {c.results['servers_s']:.1f} s, "
          f"whole cycle {c.results['cycle_s']:.1f} s")
    return c


def inbound_submission(c: Class, student: str) -> Path:
    inbound = c.exchange / COURSE_ID / "inbound"
    found = sorted(inbound.glob(f"{student}+{ASSIGNMENT}+*"))
    assert len(found) == 1, found
    return found[0]


def test_released_notebook_is_the_repository_exercise(cycle):
    committed = json.loads((ROOT / "exercises" / ASSIGNMENT / NB).read_text())
    for nb in cycle.results["fetched"].values():
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
    ref = cycle.results["autograded"][cycle.alice]
    blank = cycle.results["autograded"][cycle.bob]
    assert ref["max_code_score"] == pytest.approx(code) and code > 0
    assert ref["code_score"] == pytest.approx(code)
    assert ref["max_score"] == pytest.approx(code + written)
    # A changed written answer waits for a human; an untouched one scores 0.
    assert ref["needs_manual_grade"] == (written > 0)
    assert sorted(cycle.results.get("hand_graded", [])) == sorted(points("markdown"))
    assert blank["score"] == 0 and not blank["needs_manual_grade"]


def test_exported_grades_full_marks_and_zero(cycle):
    rows = cycle.results["export"]
    ref = rows[(cycle.alice, ASSIGNMENT)]
    blank = rows[(cycle.bob, ASSIGNMENT)]
    assert float(ref["max_score"]) > 0
    assert float(ref["score"]) == pytest.approx(float(ref["max_score"]))
    assert float(blank["score"]) == 0.0
    assert float(blank["max_score"]) == pytest.approx(float(ref["max_score"]))


def test_formgrader_agrees_with_export(cycle):
    fg = cycle.results["formgrader"]
    assert fg[cycle.alice]["score"] == pytest.approx(fg[cycle.alice]["max_score"])
    assert fg[cycle.alice]["max_score"] > 0
    assert fg[cycle.bob]["score"] == 0
    assert fg[cycle.alice]["autograded"] and fg[cycle.bob]["autograded"]


def test_servers_run_as_their_own_users(cycle):
    for student in (cycle.alice, cycle.bob):
        folder = Path(pwd.getpwnam(student).pw_dir) / ASSIGNMENT
        assert folder.stat().st_uid == pwd.getpwnam(student).pw_uid
    inbound = inbound_submission(cycle, cycle.alice)
    assert inbound.stat().st_uid == pwd.getpwnam(cycle.alice).pw_uid


def test_students_cannot_read_each_others_submissions(cycle):
    c = cycle
    alice_sub = inbound_submission(c, c.alice) / NB
    bob_sub = inbound_submission(c, c.bob) / NB
    # The probe can say yes: each reads their own, the instructor reads both.
    assert can_read(c.alice, alice_sub) and can_read(c.bob, bob_sub)
    assert can_read(c.instructor, alice_sub) and can_read(c.instructor, bob_sub)
    assert can_read(c.bob, c.exchange / COURSE_ID / "outbound" / ASSIGNMENT / NB)
    # Neither lists the inbound folder nor reads the other's submission, even
    # knowing its exact name, nor the other's home (fetched copy and cache).
    assert not can_read(c.bob, c.exchange / COURSE_ID / "inbound")
    assert not can_read(c.bob, alice_sub)
    assert not can_read(c.alice, bob_sub)
    assert not can_read(c.bob, Path(pwd.getpwnam(c.alice).pw_dir) / ASSIGNMENT / NB)
    assert not can_read(c.alice, Path(pwd.getpwnam(c.bob).pw_dir))


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
