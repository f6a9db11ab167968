"""One running classroom shared by the classroom tests, and what drives it:
the hub's and the servers' APIs, JupyterLab terminals, and Chromium.

``shared_classroom(request)`` starts JupyterHub (``deploy/jupyterhub_config.py``)
on free ports of 127.0.0.1 with three throw-away system users, once per test
session, and tears everything down at the end of the session; both
``tests/test_classroom.py`` and ``tests/test_classroom_week.py`` use it.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import json
import os
import pwd
import re
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

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01-foundations"
NB = "foundations.ipynb"
COURSE_ID = "nn-from-scratch"
HUB_START_S = 60
SERVER_START_S = 90
REQUEST_S = 120
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots" / "classroom"
NAMES = {"alice": ("Ann", "Example"), "bob": ("Ben", "Sample")}


def _load_launcher():
    spec = importlib.util.spec_from_file_location(
        "classroom_launcher", ROOT / "deploy" / "classroom.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


launcher = _load_launcher()
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
    if problems:
        return "; ".join(problems)
    return None


@dataclass
class Hub:
    url: str
    token: str
    process: subprocess.Popen
    log: Path
    user_tokens: dict = field(default_factory=dict)

    def api(self, method: str, path: str, **kw):
        import requests

        return requests.request(method, f"{self.url}/hub/api/{path}",
                                headers={"Authorization": f"token {self.token}"},
                                timeout=30, **kw)

    def log_tail(self, n=60) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def token_for(self, user: str) -> str:
        if user not in self.user_tokens:
            r = self.api("POST", f"users/{user}/tokens",
                         json={"note": "classroom test", "expires_in": 1800})
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
        import requests

        token = self.token_for(as_user or user)
        kw.setdefault("timeout", REQUEST_S)
        return requests.request(method, f"{self.url}/user/{user}/{path}",
                                headers={"Authorization": f"token {token}"},
                                allow_redirects=False, **kw)

    def terminal(self, user: str, command: str, expect: str,
                 timeout: float = 60) -> str:
        """Run ``command`` in a new JupyterLab terminal of ``user`` (the
        terminals API and its websocket, as Lab does); the output, once it
        matches the regular expression ``expect``."""
        import websocket

        r = self.server(user, "POST", "api/terminals")
        assert r.status_code == 200, r.text
        name = r.json()["name"]
        ws_url = self.url.replace("http", "ws", 1)
        ws = websocket.create_connection(
            f"{ws_url}/user/{user}/terminals/websocket/{name}",
            header=[f"Authorization: token {self.token_for(user)}"], timeout=timeout)
        out = ""
        try:
            ws.send(json.dumps(["stdin", command + "\r"]))
            deadline = time.monotonic() + timeout
            # The shell echoes the command (twice, with bracketed paste); the
            # output follows its last echo.
            while not re.search(expect, out.rsplit(command, 1)[-1]):
                if time.monotonic() > deadline:
                    raise AssertionError(f"terminal of {user}: no {expect!r} in\n{out}")
                msg = json.loads(ws.recv())
                if msg[0] == "stdout":
                    out += msg[1]
        finally:
            ws.close()
            self.server(user, "DELETE", f"api/terminals/{name}")
        return out


@dataclass
class Class:
    hub: Hub
    base: Path
    exchange: Path
    instructor: str
    alice: str  # submits the reference answers
    bob: str  # submits the blank release, with one probe of the sandbox
    course: Path
    results: dict = field(default_factory=dict)

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)


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
    """SIGTERM the hub (it stops the servers, services and proxy), then make
    sure."""
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


@contextlib.contextmanager
def running_classroom():
    """Users, exchange, course, a private checkout and the hub; all undone
    on exit (the checkout's mode restored)."""
    reason = preflight()
    if reason:
        pytest.skip(f"classroom: {reason}")
    tag = secrets.token_hex(3)
    names = {"instructor": f"nnfs{tag}-teach", "alice": f"nnfs{tag}-ann",
             "bob": f"nnfs{tag}-ben"}
    base = Path(tempfile.mkdtemp(prefix="classroom-"))
    os.chmod(base, 0o755)
    (base / "home").mkdir(mode=0o755)
    created: list[str] = []
    process = None
    log_fh = None
    checkout_mode = launcher.protect_checkout(ROOT)
    try:
        for name in names.values():
            if launcher.create_user(name, base / "home" / name):
                created.append(name)
        probe = run_as(names["alice"], [str(CLASS_BIN / "python"), "-c",
                                        "import jupyterhub, nbgrader, course_lib"],
                       cwd=Path("/"))
        if probe.returncode != 0:
            pytest.skip("classroom: a student's user cannot import the course's "
                        f"environment:\n{probe.stderr[-800:]}")
        exchange = base / "exchange"
        launcher.prepare_exchange(exchange)
        course = launcher.prepare_course(names["instructor"],
                                         assignments=[ASSIGNMENT])
        launcher.register_students(names["instructor"], course,
                                   {names[k]: v for k, v in NAMES.items()})
        state = base / "hub"
        port = free_port()
        token = secrets.token_hex(32)
        env = launcher.hub_environment(
            [names["instructor"]], [names["alice"], names["bob"]], exchange,
            CLASSROOM_STATE=state, CLASSROOM_PORT=port,
            CLASSROOM_HUB_PORT=free_port(), CLASSROOM_PROXY_API_PORT=free_port(),
            CLASSROOM_SEAL_PORT=free_port(), CLASSROOM_API_TOKEN=token)
        log = base / "hub.log"
        log_fh = open(log, "wb")
        process = subprocess.Popen(launcher.hub_command(), env=env, cwd=base,
                                   stdout=log_fh, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        hub = Hub(f"http://127.0.0.1:{port}", token, process, log)
        import requests

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
        c = Class(hub, base, exchange, names["instructor"], names["alice"],
                  names["bob"], course)
        t0 = time.monotonic()
        people = [c.instructor, c.alice, c.bob]
        for person in people:
            hub.start_server(person)
        deadline = time.monotonic() + SERVER_START_S
        for person in people:
            hub.wait_ready(person, deadline)
        c.results["servers_s"] = time.monotonic() - t0
        yield c
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
        os.chmod(ROOT, checkout_mode)


_CLASSROOM = pytest.StashKey[object]()


def shared_classroom(request) -> Class:
    """The session's classroom, started on first use, stopped at the end."""
    stash = request.config.stash
    if _CLASSROOM not in stash:
        stack = contextlib.ExitStack()
        try:
            stash[_CLASSROOM] = stack.enter_context(running_classroom())
        except pytest.skip.Exception as exc:
            stack.close()
            stash[_CLASSROOM] = exc
        except BaseException:
            stack.close()
            raise
        request.config.add_cleanup(stack.close)
    value = stash[_CLASSROOM]
    if isinstance(value, BaseException):
        raise value
    return value  # type: ignore[return-value]


def shared(request, key: str, build):
    """``build()`` once per session (its result, or its skip), kept under
    ``key`` in the classroom's results."""
    c = shared_classroom(request)
    store = c.results.setdefault("_shared", {})
    if key not in store:
        try:
            store[key] = ("ok", build(c))
        except pytest.skip.Exception as exc:
            store[key] = ("skip", str(exc))
        except BaseException as exc:
            store[key] = ("error", exc)
            raise
    kind, value = store[key]
    if kind == "skip":
        pytest.skip(value)
    if kind == "error":
        pytest.fail(f"{key} failed earlier in this session: {value!r}")
    return value


# --- Chromium ----------------------------------------------------------------

def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def login(context, hub: Hub, user: str):
    """A page of ``context`` logged in as ``user`` (any password), in Lab."""
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login")
    page.fill("input#username_input", user)
    page.fill("input#password_input", "any password")
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/lab**", timeout=60_000)
    page.wait_for_selector("#jp-main-dock-panel", timeout=60_000)
    page.wait_for_selector(".jp-FileBrowser", timeout=60_000)
    return page


def lab_menu(page, *labels: str) -> None:
    """Click through JupyterLab's menu bar: ``lab_menu(page, "File", "New",
    "Terminal")``."""
    page.locator(".lm-MenuBar-itemLabel", has_text=labels[0]).first.click()
    for label in labels[1:]:
        page.locator(".lm-Menu-itemLabel:visible", has_text=label).first.click()


# --- the week ------------------------------------------------------------------

SANDBOX_PROBE = '''
import json, os
facts = {{"uid": os.getuid(), "gid": os.getgid(),
         "env": sorted(k for k in os.environ
                       if "JUPYTERHUB" in k or "TOKEN" in k or "CLASSROOM" in k)}}
for name, path in (("write_home", {home!r}), ("write_course", {course!r})):
    try:
        with open(os.path.join(path, "sandbox-was-here"), "w") as fh:
            fh.write("x")
        facts[name] = "WROTE"
    except OSError as exc:
        facts[name] = type(exc).__name__
try:
    os.listdir(os.path.join({course!r}, "solutions"))
    facts["read_solutions"] = "READ"
except OSError as exc:
    facts["read_solutions"] = type(exc).__name__
print("SANDBOX-PROBE " + json.dumps(facts, sort_keys=True))
raise NotImplementedError()
'''


def _json_ok(response, what: str):
    assert response.status_code == 200, \
        f"{what}: {response.status_code} {response.text[:2000]}"
    return response.json()


def _wait(condition, what: str, timeout: float, page, shot: str | None = None):
    """Poll ``condition`` while the browser keeps running (a plain sleep
    would stall Playwright's events)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            screenshot(page, f"failed-{shot or 'wait'}")
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(500)


def _formgrader_frame(page):
    for frame in page.frames:
        if "/formgrader/" in frame.url:
            return frame
    return None


def _close_modal(frame) -> None:
    """Dismiss the dialog Formgrader shows after an action, if any."""
    buttons = frame.locator(".modal.in .modal-footer button:visible")
    if buttons.count():
        buttons.last.click()
        frame.wait_for_timeout(300)


def run_week(c: Class) -> dict:
    """The documented week, as the instructor and two students meet it.

    Real in Chromium: the instructor's JupyterLab, Formgrader opened from its
    Nbgrader menu (inside Lab), its Generate, Release, Collect and feedback
    buttons, the students' Assignments tab, and the export typed into a
    JupyterLab terminal. Through the same server API the buttons call:
    the students' Fetch, Validate and Submit, Autograde per submission,
    and the manual grade (Formgrader's grading page is a notebook editor).
    """
    from .assignments import fill, solution_sources
    from .browser import browser

    hub, out = c.hub, {}
    form = {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT}
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1400, "height": 900})
        page = login(ctx, hub, c.instructor)
        out["news_toasts"] = page.locator(".jp-Notification-Toast").count()
        headers = {}
        page.on("response", lambda r: headers.update(
            {r.url: r.headers} if "/formgrader/manage_assignments" in r.url else {}))
        lab_menu(page, "Nbgrader", "Formgrader")
        _wait(lambda: _formgrader_frame(page) is not None, "Formgrader's frame",
              60, page, "formgrader")
        frame = _formgrader_frame(page)
        row = frame.locator("tr", has_text=ASSIGNMENT)
        row.first.wait_for(timeout=60_000)
        out["formgrader_frame_url"] = frame.url
        out["formgrader_csp"] = [h.get("content-security-policy")
                                 for h in headers.values()]
        screenshot(page, "01-formgrader-in-lab")

        release_nb = c.course / "exercises" / ASSIGNMENT / NB
        def mtime():
            return release_nb.stat().st_mtime_ns if release_nb.exists() else None

        before = mtime()
        row.first.locator("td.assign a").click()
        _wait(lambda: mtime() not in (None, before), "Generate", 180, page, "generate")
        frame.wait_for_timeout(1000)
        _close_modal(frame)
        screenshot(page, "02-generated")
        outbound = c.exchange / COURSE_ID / "outbound" / ASSIGNMENT / NB
        row.first.locator("td.release a").click()
        _wait(outbound.exists, "Release", 120, page, "release")
        frame.wait_for_timeout(1000)
        _close_modal(frame)
        screenshot(page, "03-released")

        # Students: Fetch, Validate, Submit are the Assignments tab's buttons;
        # here through the endpoints those buttons call.
        answers = solution_sources(ROOT / "solutions" / ASSIGNMENT / NB)
        nb_path = f"api/contents/{ASSIGNMENT}/{NB}"
        probe = SANDBOX_PROBE.format(home=str(c.home(c.instructor)),
                                     course=str(c.course))
        for student in (c.alice, c.bob):
            listed = _json_ok(hub.server(student, "POST", "assignments/fetch",
                                         data=form), f"fetch by {student}")
            assert any(a["assignment_id"] == ASSIGNMENT and a["status"] == "fetched"
                       for a in listed["value"]), listed
            fetched = _json_ok(hub.server(student, "GET", nb_path), "read notebook")
            out.setdefault("fetched", {})[student] = fetched["content"]
            if student == c.alice:
                content = fill(fetched["content"], answers)
            else:  # blank, but one answer probes the sandbox during Autograde
                content = copy.deepcopy(fetched["content"])
                first = next(cell for cell in content["cells"]
                             if cell["metadata"].get("nbgrader", {}).get("solution")
                             and cell["cell_type"] == "code")
                first["source"] = probe
            r = hub.server(student, "PUT", nb_path,
                           json={"type": "notebook", "format": "json",
                                 "content": content})
            assert r.status_code == 200, r.text
            out.setdefault("validated", {})[student] = _json_ok(hub.server(
                student, "POST", "assignments/validate",
                data={"path": f"{ASSIGNMENT}/{NB}"}), f"validate by {student}")
            sub = _json_ok(hub.server(student, "POST", "assignments/submit", data=form),
                           f"submit by {student}")
            assert sub.get("success", True) and "value" in sub, sub
        student_ctx = b.new_context(viewport={"width": 1400, "height": 900})
        student_page = login(student_ctx, hub, c.alice)
        lab_menu(student_page, "Nbgrader", "Assignment")
        student_page.wait_for_timeout(4000)
        screenshot(student_page, "04-student-assignments")
        student_ctx.close()

        page.bring_to_front()
        frame = _formgrader_frame(page)
        row = frame.locator("tr", has_text=ASSIGNMENT).first
        submitted = c.course / "submitted"
        row.locator("td.collect a").click()
        _wait(lambda: all((submitted / s / ASSIGNMENT / NB).exists()
                          for s in (c.alice, c.bob)), "Collect", 120, page, "collect")
        frame.wait_for_timeout(1000)
        _close_modal(frame)
        screenshot(page, "05-collected")
        # Autograde: the per-submission button's endpoint.
        t0 = time.monotonic()
        for student in (c.alice, c.bob):
            res = _json_ok(hub.server(
                c.instructor, "POST",
                f"formgrader/api/submission/{ASSIGNMENT}/{student}/autograde"),
                f"autograde {student}")
            assert res["success"], res.get("log", res)
        out["autograde_s"] = time.monotonic() - t0
        notebooks = _json_ok(hub.server(
            c.instructor, "GET",
            f"formgrader/api/submitted_notebooks/{ASSIGNMENT}/{Path(NB).stem}"),
            "submitted notebooks")
        out["autograded"] = {s["student"]: s for s in notebooks}
        # The written answer, graded by hand (the grading page's endpoint).
        grades = _json_ok(hub.server(
            c.instructor, "GET", "formgrader/api/grades",
            params={"submission_id": out["autograded"][c.alice]["id"]}), "grades")
        for grade in grades:
            if grade["needs_manual_grade"]:
                r = hub.server(c.instructor, "PUT",
                               f"formgrader/api/grade/{grade['id']}",
                               json={"manual_score": grade["max_score"]})
                assert r.status_code == 200, r.text
                out.setdefault("hand_graded", []).append(grade["name"])
        out["formgrader"] = {s["student"]: s for s in _json_ok(hub.server(
            c.instructor, "GET", f"formgrader/api/submissions/{ASSIGNMENT}"),
            "submissions")}
        page.goto(f"{hub.url}/user/{c.instructor}/formgrader/manage_students")
        page.locator("tr", has_text=c.alice).first.wait_for(timeout=30_000)
        out["student_rows"] = page.locator("tbody tr").all_inner_texts()
        screenshot(page, "06-students-with-names")

        page.goto(f"{hub.url}/user/{c.instructor}/lab")
        page.wait_for_selector(".jp-FileBrowser", timeout=60_000)
        lab_menu(page, "Nbgrader", "Formgrader")
        _wait(lambda: _formgrader_frame(page) is not None, "Formgrader's frame", 60,
              page)
        frame = _formgrader_frame(page)
        row = frame.locator("tr", has_text=ASSIGNMENT).first
        row.wait_for(timeout=60_000)
        feedback = [c.course / "feedback" / s / ASSIGNMENT / f"{Path(NB).stem}.html"
                    for s in (c.alice, c.bob)]
        row.locator("td.generate-feedback a").click()
        _wait(lambda: all(p.exists() for p in feedback), "Generate feedback", 120,
              page, "generate-feedback")
        frame.wait_for_timeout(1000)
        _close_modal(frame)
        row.locator("td.release-feedback a").click()
        released = c.exchange / COURSE_ID / "feedback"
        _wait(lambda: released.exists() and len(list(released.iterdir())) >= 2,
              "Release feedback", 120, page, "release-feedback")
        frame.wait_for_timeout(1000)
        _close_modal(frame)
        screenshot(page, "07-feedback-released")
        for student in (c.alice, c.bob):
            _json_ok(hub.server(student, "POST", "assignments/fetch_feedback",
                                data=form), f"fetch feedback by {student}")
            found = sorted((c.home(student) / ASSIGNMENT / "feedback").glob(
                f"*/{Path(NB).stem}.html"))
            assert found, f"{student} has no feedback"
            out.setdefault("feedback", {})[student] = found[-1].read_text(
                errors="replace")

        # Export, typed into a JupyterLab terminal as the guide says.
        export = c.course / "_grading" / "export.csv"
        lab_menu(page, "File", "New", "Terminal")
        term = page.locator(".jp-Terminal .xterm").last
        term.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)
        term.click()
        page.keyboard.type("cd ~/nn-from-scratch && nbgrader export "
                           f"--to={export} --log-level=WARN; echo EXPORT-STATUS-$?\n")
        _wait(export.exists, "nbgrader export in the terminal", 120, page, "export")
        page.wait_for_timeout(1500)
        screenshot(page, "08-export-in-terminal")
        with open(export, newline="", encoding="utf-8") as fh:
            import csv

            out["export"] = {(r["student_id"], r["assignment"]): r
                             for r in csv.DictReader(fh)}
        ctx.close()
    return out
