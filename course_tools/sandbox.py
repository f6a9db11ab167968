"""Run one student's cells in a sandbox and talk to it from the host.

The sandbox is bubblewrap (``bwrap``): new PID, network, IPC and UTS
namespaces, a read-only view of the system and of the Python environment,
``course_lib`` read-only, and nothing else of the course: not ``solutions/``,
not the gradebook, not other students. The only writable places are two
small private tmpfs (``/home/student`` and ``/tmp``). When the grader runs
as root the code inside runs as an unprivileged uid without an account,
one per running sandbox, with every capability dropped.

Resource limits (``setrlimit``) cap address space, processes, file size,
open files and CPU time; the host enforces the per-cell and per-student
wall-clock limits and the output limit by killing the sandbox.

The digits' test split, which assignment 8 grades on, is out of reach:
every copy of scikit-learn's digits data inside the sandbox is masked
(an empty file is mounted over it), and the sandbox gets the training split
alone, as a file that :func:`course_lib.data.load_digits` reads when
``$COURSE_LIB_DIGITS_TRAIN`` names it (see :func:`masked_paths`).

The submission folder is never mounted: cells are sent one by one over a
pipe (see :mod:`course_tools.sandbox_runner`), and files next to the
notebook (shadow modules) do not exist inside. Hidden checks never enter:
the host sends probes (a function name and its inputs) and receives data
(:meth:`Sandbox.probe`), which it judges itself. Without bubblewrap the same
runner runs with the limits only, and :func:`isolation` says so.
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import resource
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import wire

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "sandbox_runner.py"
WIRE = HERE / "wire.py"
COURSE_LIB = HERE.parent / "course_lib"
# Student code runs as an unprivileged uid with no account (when the grader
# runs as root): each running sandbox holds its own uid (a lock file), so
# the process limit, which the kernel counts per uid, is per sandbox and a
# student who starts many processes cannot stop another's sandbox starting.
SANDBOX_UID_BASE = 2_000_000
UID_LOCKS = Path(tempfile.gettempdir()) / "course-grader-uids"
INSIDE_RUNNER = "/opt/grader/runner.py"
INSIDE_WIRE = "/opt/grader/wire.py"
MAX_CALLBACKS = 100_000  # host-function calls allowed during one probe
INSIDE_HOME = "/home/student"
INSIDE_DIGITS = "/opt/grader/digits-train.npz"
# Where a Python installation keeps scikit-learn's digits (images and labels,
# test split included), below each of its package folders.
DIGITS_DATA = ("sklearn", "datasets", "data", "digits.csv.gz")


@dataclass(frozen=True)
class Limits:
    """What one student's notebook may use."""

    cell_seconds: float = 120.0
    student_seconds: float = 900.0
    memory_mb: int = 3072
    processes: int = 256
    output_bytes: int = 65536  # kept per cell, per stream
    flood_bytes: int = 8 << 20  # raw output before the sandbox is killed
    scratch_mb: int = 64
    restarts: int = 3  # crashes tolerated before the rest of the cells fail

    def __post_init__(self):
        for name in ("cell_seconds", "student_seconds", "memory_mb",
                     "processes", "output_bytes", "flood_bytes",
                     "scratch_mb"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"Limits.{name} must be positive; got "
                                 f"{value!r}")


class CellFailure(Exception):
    """The sandbox had to be stopped while running a cell (reason inside)."""


class CellTimeout(CellFailure):
    """The cell or probe ran out of time and the sandbox was stopped."""


class ProbeError(Exception):
    """A probe's answer broke the protocol (reason inside); the sandbox
    keeps running."""


@lru_cache(maxsize=1)
def bwrap() -> str | None:
    """Path of a working ``bwrap``, or None (missing, or namespaces denied)."""
    if os.environ.get("COURSE_GRADE_SANDBOX", "") == "none":
        return None
    exe = shutil.which("bwrap")
    if exe is None:
        return None
    probe = [exe, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
             *_unshare_flags(), "--die-with-parent", "true"]
    try:
        ok = subprocess.run(probe, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return exe if ok.returncode == 0 else None


def isolation() -> str:
    """A one-line description of how student code is confined."""
    if bwrap():
        who = (f"its own uid from {SANDBOX_UID_BASE}, no capabilities"
               if os.geteuid() == 0 else "an unprivileged user namespace")
        return f"bubblewrap (no network, own PID namespace, as {who})"
    return ("NOT ISOLATED: bubblewrap is unavailable, so student code runs "
            "as this user with resource limits only")


def _unshare_flags() -> list[str]:
    flags = ["--unshare-ipc", "--unshare-pid", "--unshare-net",
             "--unshare-uts", "--unshare-cgroup-try"]
    if os.geteuid() != 0:
        flags += ["--unshare-user", "--uid", "65534", "--gid", "65534"]
    return flags


def claim_uid() -> tuple[int, object]:
    """A uid no other running sandbox uses, and the lock that holds it."""
    UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
    for n in range(4096):
        handle = open(UID_LOCKS / f"{n}.lock", "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        return SANDBOX_UID_BASE + n, handle
    raise RuntimeError(f"no free sandbox uid in {UID_LOCKS}")


def _environment(inside_home: str, limits: Limits,
                 digits: str = INSIDE_DIGITS) -> dict[str, str]:
    env = {
        "GRADER_MAX_OUTPUT": str(limits.output_bytes),
        "HOME": inside_home, "USER": "student", "LOGNAME": "student",
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:"
        "/bin", "LANG": "C.UTF-8", "PYTHONSAFEPATH": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
        "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib", "IPYTHONDIR": "/tmp/ipython",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1", "COURSE_LIB_PROGRESS": "0",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "COURSE_LIB_DIGITS_TRAIN": digits}
    return env


def _system_binds() -> list[str]:
    """The read-only system: /usr (and its links), /etc."""
    args = []
    for top in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
                "/libx32"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.exists():
            args += ["--ro-bind", top, top]
    return args + ["--ro-bind", "/etc", "/etc"]


def _course_binds() -> list[str]:
    """Python, the virtualenv and course_lib, read-only, at their paths."""
    args, seen = [], set()
    for prefix in (sys.base_prefix, sys.prefix):
        real = str(Path(prefix).resolve())
        if real.startswith("/usr/") or real in seen:
            continue
        seen.add(real)
        args += ["--ro-bind", real, real]
        if prefix != real:
            args += ["--ro-bind", real, prefix]
    args += ["--ro-bind", str(COURSE_LIB), str(COURSE_LIB),
             "--ro-bind", str(RUNNER), INSIDE_RUNNER,
             "--ro-bind", str(WIRE), INSIDE_WIRE]
    return args


def _package_dirs() -> set[Path]:
    """Every folder a Python installation on this machine may import
    packages from: this interpreter's path, and the usual site folders."""
    found = {Path(p) for p in sys.path if p}
    patterns = [f"{prefix}/lib/python3*/*-packages" for prefix in
                (sys.prefix, sys.base_prefix, "/usr", "/usr/local")]
    for pattern in patterns:
        found |= {Path(p) for p in glob.glob(pattern)}
    return found


@lru_cache(maxsize=1)
def masked_paths() -> tuple[str, ...]:
    """The files mounted empty inside the sandbox: scikit-learn's digits
    data, at each path where a sandbox could read a copy (a symlinked
    prefix is bound at two paths, so both are listed)."""
    found = set()
    for folder in _package_dirs():
        path = folder.joinpath(*DIGITS_DATA)
        if path.is_file():
            found |= {str(path.absolute()), str(path.resolve())}
    return tuple(sorted(found))


def _under(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/")
               for r in roots)


def _mask_binds(visible: list[str]) -> list[str]:
    """``--ro-bind /dev/null`` over each masked file inside ``visible``
    (the sandbox's mount points; other paths do not exist there)."""
    args = []
    for path in masked_paths():
        if _under(path, visible):
            args += ["--ro-bind", "/dev/null", path]
    return args


@lru_cache(maxsize=1)
def digits_train_file() -> str:
    """The digits' training split as a file (written once per process) that
    the sandbox reads instead of scikit-learn's masked copy."""
    from course_lib.data import save_digits_train

    folder = Path(tempfile.mkdtemp(prefix="course-grader-data-"))
    folder.chmod(0o755)
    path = folder / "digits-train.npz"
    save_digits_train(path)
    path.chmod(0o644)
    return str(path)


def _parent_dirs(argv: list[str]) -> list[str]:
    """``--dir`` options (mode 0755) for every parent of a mount point.

    bwrap creates missing parents itself, but as root with mode 0700,
    which the unprivileged user could not traverse.
    """
    targets = []
    for i, arg in enumerate(argv):
        if arg in ("--ro-bind", "--bind", "--symlink"):
            targets.append(argv[i + 2])
        elif arg in ("--tmpfs", "--proc", "--dev"):
            targets.append(argv[i + 1])
    made, out = set(), []
    for target in targets:
        for parent in reversed(Path(target).parents):
            name = str(parent)
            if name == "/" or name in made or name in targets:
                continue
            made.add(name)
            out += ["--perms", "0755", "--dir", name]
    return out


def command(limits: Limits, uid: int = SANDBOX_UID_BASE) -> tuple[
        list[str], dict, str | None]:
    """argv, environment and working directory that start the runner."""
    python = [sys.executable, "-P", "-s"]
    exe = bwrap()
    if exe is None:
        env = _environment(INSIDE_HOME, limits, digits_train_file())
        return [*python, str(RUNNER)], env, None
    env = _environment(INSIDE_HOME, limits)
    scratch = str(limits.scratch_mb << 20)
    # The private tmpfs come before the course binds, so that a checkout
    # under /tmp is not hidden by the sandbox's own /tmp.
    base = [*_system_binds(), "--proc", "/proc", "--dev", "/dev",
            "--size", scratch, "--tmpfs", "/tmp",
            "--perms", "0755", "--dir", "/home",
            "--size", scratch, "--tmpfs", INSIDE_HOME]
    course = [*_course_binds(), "--ro-bind", digits_train_file(),
              INSIDE_DIGITS]
    mounts = [*base, *course]
    visible = [mounts[i + 2] for i, a in enumerate(mounts)
               if a in ("--ro-bind", "--bind")]
    argv = [exe, "--die-with-parent", "--new-session", *_unshare_flags(),
            "--hostname", "grader", *base, *_parent_dirs(course), *course,
            *_mask_binds(visible), "--chdir", INSIDE_HOME, "--clearenv"]
    for key, value in env.items():
        argv += ["--setenv", key, value]
    if os.geteuid() == 0:
        argv += ["--chmod", "1777", INSIDE_HOME, "--chmod", "1777", "/tmp",
                 "setpriv", f"--reuid={uid}", f"--regid={uid}",
                 "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
                 "--no-new-privs", "--"]
    argv += [*python, INSIDE_RUNNER]
    return argv, {"PATH": "/usr/bin:/bin"}, None


def _limit_resources(limits: Limits):
    """``preexec_fn``: the rlimits every process of the sandbox inherits."""
    mem = limits.memory_mb << 20
    cpu = int(limits.student_seconds) + 5

    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_NPROC,
                           (limits.processes, limits.processes))
        resource.setrlimit(resource.RLIMIT_FSIZE,
                           (limits.scratch_mb << 20, limits.scratch_mb << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    return apply


class Sandbox:
    """One running sandbox; :meth:`execute` runs a cell and returns its reply.

    Replies are validated here: each must carry the nonce sent with its
    cell and the next execution count. Anything else is recorded in
    ``tamper`` (a reply forged by student code) and ignored.
    """

    def __init__(self, limits: Limits):
        self.limits = limits
        self.tamper: list[str] = []
        self.stderr_head = bytearray()
        self.stderr_bytes = 0
        self.flooded = False
        self.count = None
        self._uid_lock = None
        uid = SANDBOX_UID_BASE
        if os.geteuid() == 0 and bwrap():
            uid, self._uid_lock = claim_uid()
        argv, env, cwd = command(limits, uid)
        self._home: Path | None = None
        if cwd is None and bwrap() is None:
            home = Path(os.environ.get("TMPDIR", "/tmp")) / \
                f"grader-{secrets.token_hex(6)}"
            home.mkdir(mode=0o700)
            env = {**env, "HOME": str(home), "MPLCONFIGDIR": str(home / "mpl"),
                   "IPYTHONDIR": str(home / "ipython")}
            cwd = str(home)
            self._home = home
        self.proc = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            preexec_fn=_limit_resources(limits), start_new_session=True)
        self._buf = b""
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()

    def _read_stderr(self):
        keep = self.limits.output_bytes
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):
            self.stderr_bytes += len(chunk)
            if len(self.stderr_head) < keep:
                self.stderr_head += chunk[:keep - len(self.stderr_head)]
            if self.stderr_bytes > self.limits.flood_bytes and \
                    not self.flooded:
                self.flooded = True
                self.kill()

    def _send(self, message: dict) -> None:
        stdin = self.proc.stdin
        assert stdin is not None  # stdin=PIPE
        try:
            stdin.write((wire.dumps(message) + "\n").encode())
            stdin.flush()
        except (BrokenPipeError, OSError):
            raise CellFailure(self._death()) from None

    def execute(self, code: str, guard: bool, timeout: float) -> dict:
        """Run ``code``; raise CellFailure on timeout, crash or flood."""
        nonce = secrets.token_hex(16)
        self._send({"id": nonce, "op": "run", "code": code, "guard": guard})
        deadline = time.monotonic() + timeout
        while True:
            line = self._read_line(deadline, timeout)
            try:
                reply = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError,
                    RecursionError):
                self.tamper.append("unreadable data on the grading channel")
                continue
            if not isinstance(reply, dict) or reply.get("id") != nonce:
                self.tamper.append("a message that did not answer the cell "
                                   "being run (forged reply)")
                continue
            expected = None if self.count is None else self.count + 1
            if expected is not None and reply.get("count") != expected:
                self.tamper.append("a reply out of sequence (forged reply)")
            self.count = reply.get("count")
            return reply

    def probe(self, request: dict, timeout: float,
              callbacks: dict | None = None) -> dict:
        """Send one probe (see :mod:`course_tools.sandbox_runner`) and return
        its answer, ``{"value": tree}`` or ``{"raised": [name, message]}``.

        While waiting, calls of host functions (``callbacks``: id ->
        function) are answered here. Raise CellFailure on timeout, crash or
        flood, ProbeError on an answer that breaks the protocol.
        """
        nonce = secrets.token_hex(16)
        self._send({**request, "id": nonce, "op": "probe"})
        deadline = time.monotonic() + timeout
        calls = 0
        while True:
            line = self._read_line(deadline, timeout)
            try:
                msg = wire.loads(line, self.limits.flood_bytes)
            except wire.WireError as exc:
                self.tamper.append(f"malformed answer to a probe ({exc})")
                raise ProbeError(f"malformed answer ({exc})") from None
            if msg.get("id") != nonce:
                self.tamper.append("a message that did not answer the probe "
                                   "being run (forged reply)")
                continue
            if "callback" in msg:
                calls += 1
                if calls > MAX_CALLBACKS:
                    raise ProbeError(f"more than {MAX_CALLBACKS} calls of a "
                                     "function given as input")
                self._send({"id": nonce, "op": "return",
                            **_call_host(callbacks or {}, msg)})
                continue
            if set(msg) - {"id", "value", "raised"} or \
                    ("value" in msg) == ("raised" in msg):
                raise ProbeError("an answer must hold either a value or "
                                 "the exception raised")
            return msg

    def _read_line(self, deadline: float, timeout: float) -> bytes:
        assert self.proc.stdout is not None  # stdout=PIPE
        fd = self.proc.stdout.fileno()
        cap = self.limits.flood_bytes
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise CellTimeout(f"timed out after {timeout:g} s (the cell "
                                  "was stopped)")
            ready, _, _ = select.select([fd], [], [], min(left, 0.5))
            if self.flooded:
                raise CellFailure(self._flood_message())
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise CellFailure(self._death())
            self._buf += chunk
            if len(self._buf) > cap:
                self.kill()
                raise CellFailure(self._flood_message())
        line, self._buf = self._buf.split(b"\n", 1)
        return line

    def _flood_message(self) -> str:
        return (f"output limit exceeded (more than "
                f"{self.limits.flood_bytes >> 20} MiB); the cell was stopped")

    def _death(self) -> str:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.wait()
        if self.flooded:
            return self._flood_message()
        tail = bytes(self.stderr_head[-300:]).decode("utf-8", "replace")
        if "MemoryError" in tail or code in (-signal.SIGKILL, 137):
            hint = " (memory or process limit?)"
        elif code in (-signal.SIGXCPU, 152):
            hint = " (CPU time limit)"
        else:
            hint = ""
        return f"the notebook's process ended (exit status {code}){hint}"

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def close(self):
        self.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
        if self._uid_lock is not None:
            self._uid_lock.close()  # releases the uid
            self._uid_lock = None


def _call_host(callbacks: dict, msg: dict) -> dict:
    """Run the host function a probe asked for; its result or an error."""
    try:
        fn = callbacks[msg["callback"]]
        args, kwargs = wire.decode(msg.get("args"))
        if type(args) is not list or type(kwargs) is not dict:
            raise wire.WireError("malformed arguments")
        return {"value": wire.encode(fn(*args, **kwargs))}
    except Exception as exc:  # bad data from the sandbox, or a bad input
        return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}
