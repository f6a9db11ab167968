"""Hidden checks that run on the host: the sandbox returns data, the host
decides.

An assignment's hidden checks live in ``solutions/NN-name/checks.py`` (never
released: nbgrader's ``ignore`` list holds ``checks.py``). Each check is a
function of three arguments, registered with :func:`check` for one graded
test cell::

    from course_tools.checks import check, expect_close

    @check("test_softmax", points=2)
    def softmax_rows(probe, ref, rng):
        x = rng.normal(scale=3.0, size=(7, 5))
        expect_close(probe.softmax(x), ref.softmax(x), rtol=1e-12,
                     what="softmax(x)", hint="normalize each row (axis=1)")

- ``probe`` reaches the student's notebook in its sandbox:
  ``probe.softmax(x)`` sends ``x`` in, calls the notebook's ``softmax`` and
  returns what it returned, as data (arrays, numbers, strings, tuples,
  lists, dicts). An object that is not data (a layer, an optimizer) stays in
  the sandbox and comes back as a handle whose methods and attributes work
  the same way (``layer.forward(x)``, ``probe.get(layer.dW)``). An exception
  raised by student code arrives as :class:`StudentError` (its name and
  message), and fails the check unless the check expects it.
- ``ref`` is the same interface on the reference solution, executed on the
  host from the solution notebook. Code that takes a ``side`` and is run
  once with ``probe`` and once with ``ref`` computes both answers.
- ``rng`` is a ``numpy.random.Generator`` seeded on the host, per
  submission and per check: inputs are fresh for every student.

A check passes when it returns; it fails with the reason given to
:class:`Fail` (or by the ``expect_*`` helpers). Points of a cell are the
sum of the points of its checks that pass. Reasons name what was compared
and what was wrong with it, never the expected values. Nothing of this
file, and no expected value, is ever sent into the sandbox: only function
names, attribute names and inputs are.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib.util
import io
import json
import os
import secrets
import sys
import threading
import time
import weakref
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import wire
from .course import ROOT, SOLUTIONS

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


# --------------------------------------------------------------- authoring

@dataclass(frozen=True)
class Check:
    """One hidden check: ``fn(probe, ref, rng)`` worth ``points``.

    ``rng`` is seeded from the submission's secret seed and ``stream``
    (default: the check's own name); checks that name the same stream draw
    the very same inputs."""

    cell: str
    points: float
    name: str
    fn: Callable[..., object] = field(compare=False, repr=False)
    stream: str = ""


def check(cell: str, points: float, stream: str = ""):
    """Register the decorated function as a check of the test cell ``cell``;
    checks given the same ``stream`` share their random inputs."""
    if not isinstance(cell, str) or not cell:
        raise TypeError(f"check: 'cell' must be a grade id; got {cell!r}")
    if not (isinstance(points, (int, float)) and points > 0):
        raise ValueError(f"check: 'points' must be a positive number; got "
                         f"{points!r}")
    if not isinstance(stream, str):
        raise TypeError(f"check: 'stream' must be a string; got {stream!r}")

    def register(fn):
        fn.__check__ = Check(cell, float(points), fn.__name__, fn, stream)
        return fn
    return register


class Fail(Exception):
    """A check failed; the message is what the student reads."""


class StudentError(Exception):
    """Student code raised ``ename`` with message ``evalue`` during a probe."""

    def __init__(self, ename: str, evalue: str):
        super().__init__(f"{ename}: {evalue}" if evalue else ename)
        self.ename, self.evalue = ename, evalue


def _say(what: str, problem: str, hint: str) -> str:
    return f"{what}: {problem}" + (f" ({hint})" if hint else "")


def expect(condition, reason: str) -> None:
    """Fail with ``reason`` unless ``condition`` holds."""
    if not condition:
        raise Fail(reason)


def _as_array(got, want, what, hint):
    want = np.asarray(want)
    if want.ndim == 0:
        if not isinstance(got, (int, float, np.number, np.ndarray)) or \
                isinstance(got, bool) or np.ndim(got) != 0:
            raise Fail(_say(what, f"expected one number; got "
                            f"{_describe(got)}", hint))
        return np.asarray(got), want
    if not isinstance(got, np.ndarray):
        raise Fail(_say(what, f"expected an array of shape {want.shape}; "
                        f"got {_describe(got)}", hint))
    if got.shape != want.shape:
        raise Fail(_say(what, f"has shape {got.shape}; expected "
                        f"{want.shape}", hint))
    return got, want


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, wire.Ref) or isinstance(value, Remote):
        return f"a {getattr(value, 'type', None) or 'object'}"
    return f"a {type(value).__name__}"


def expect_close(got, want, *, rtol=1e-7, atol=0.0, what="the result",
                 hint="", dtype=True) -> None:
    """Fail unless ``got`` has the shape (and, with ``dtype``, the dtype) of
    ``want`` and ``|got - want| <= atol + rtol * |want|`` everywhere, with
    NaN and infinities where ``want`` has them."""
    got, want = _as_array(got, want, what, hint)
    if dtype and want.ndim and got.dtype != want.dtype:
        raise Fail(_say(what, f"has dtype {got.dtype}; expected "
                        f"{want.dtype}", hint))
    if got.dtype.kind not in "biufc":
        raise Fail(_say(what, f"holds {got.dtype} values, not numbers",
                        hint))
    with np.errstate(all="ignore"):
        ok = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    bad = int(ok.size - np.count_nonzero(ok))
    if bad:
        nonfinite = int(np.count_nonzero(~np.isfinite(got)
                                         & np.isfinite(want)))
        extra = (f", {nonfinite} of them not finite (nan or inf)"
                 if nonfinite else "")
        count = (f"{bad} of {ok.size} values differ" if ok.size > 1
                 else "the value differs")
        raise Fail(_say(what, f"{count} from the reference solution's{extra}"
                        f" (tolerance rtol={rtol:g}, atol={atol:g})", hint))


def expect_equal(got, want, *, what="the result", hint="") -> None:
    """Fail unless ``got`` equals ``want`` exactly (arrays: same shape,
    dtype and values; other data: ``==``)."""
    if isinstance(want, np.ndarray) or isinstance(got, np.ndarray):
        got_a, want_a = _as_array(got, want, what, hint)
        if got_a.dtype != want_a.dtype:
            raise Fail(_say(what, f"has dtype {got_a.dtype}; expected "
                            f"{want_a.dtype}", hint))
        if not np.array_equal(got_a, want_a, equal_nan=got_a.dtype.kind
                              in "fc"):
            bad = int(np.count_nonzero(got_a != want_a))
            raise Fail(_say(what, f"{bad} of {want_a.size} values differ "
                            "from the reference solution's", hint))
        return
    if type(got) is not type(want) and not (
            isinstance(got, (int, float)) and isinstance(want, (int, float))
            and not isinstance(got, bool)):
        raise Fail(_say(what, f"expected a {type(want).__name__}; got "
                        f"{_describe(got)}", hint))
    if got != want:
        raise Fail(_say(what, "differs from the reference solution's", hint))


def raised(side, fn, *args, **kwargs) -> str | None:
    """The name of the exception ``fn(*args, **kwargs)`` raises, or None.

    Works on both sides: ``raised(probe, probe.f, x)`` and ``raised(ref,
    ref.f, x)``.
    """
    try:
        fn(*args, **kwargs)
    except StudentError as exc:
        return exc.ename
    except Exception as exc:  # the reference raising is the expected case
        if isinstance(side, Probe):
            raise
        return type(exc).__name__
    return None


# ------------------------------------------------------------ the two sides

class Remote:
    """A handle on an object in the sandbox: attributes and calls go there."""

    def __init__(self, probe, base, attrs=(), type_name=""):
        object.__setattr__(self, "_probe", probe)
        object.__setattr__(self, "_base", base)
        object.__setattr__(self, "_attrs", tuple(attrs))
        object.__setattr__(self, "type", type_name)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Remote(self._probe, self._base, self._attrs + (name,))

    def __setattr__(self, name, value):
        self._probe.set(self, name, value)

    def __call__(self, *args, **kwargs):
        return self._probe._ask("call", self, list(args), kwargs)

    def __getitem__(self, key):
        return self._probe._ask("getitem", self, [key])

    def __repr__(self):
        path = ".".join(str(p) for p in (self._base, *self._attrs))
        return f"<sandbox {path}>"

    @property
    def _target(self):
        return {"base": self._base, "attrs": list(self._attrs)}


#: sandbox -> the memo its probes share (gone with the sandbox)
_MEMOS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class Probe:
    """The student's notebook, reached through its sandbox.

    ``memo`` is a dict on the host that every check of the notebook sees
    while its sandbox lives (a measurement made once for several checks)."""

    def __init__(self, sandbox, deadline: float,
                 sources: dict[str, str] | None = None):
        self._sandbox, self._deadline = sandbox, deadline
        self._callbacks: dict[int, object] = {}
        self._sources = dict(sources or {})
        self.memo: dict = _MEMOS.setdefault(sandbox, {})

    def submitted(self) -> dict[str, str]:
        """grade id -> source of each answer cell as handed in (read on the
        host, from the submitted file), and ``"_other"``: the cells the
        student added, joined."""
        return dict(self._sources)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return Remote(self, name)

    def lookup(self, name: str) -> Remote:
        """The notebook's global ``name`` (also names starting with ``_``,
        such as a helper a visible test defines)."""
        return Remote(self, str(name))

    def put(self, value) -> Remote:
        """Store ``value`` (data; handles inside stay themselves) in the
        sandbox; a handle on the stored copy."""
        return self._ask("put", None, [value])

    def get(self, value):
        """The data behind a handle (arrays, numbers, ...); data as is."""
        if isinstance(value, Remote):
            return self._ask("get", value, [])
        return value

    def set(self, obj: Remote, name: str, value) -> None:
        """``setattr(obj, name, value)`` in the sandbox."""
        self._ask("setattr", obj, [value], name=name)

    def _encode(self, value):
        def keep(fn):
            key = len(self._callbacks) + 1
            self._callbacks[key] = fn
            return key
        return wire.encode(self._concrete(value), callback=keep)

    def _concrete(self, value):
        """Handles with a path become stored references (one round trip)."""
        if isinstance(value, Remote):
            if isinstance(value._base, int) and not value._attrs:
                return wire.Ref(value._base, value.type)
            tree = self._ask("ref", value, [], raw=True)
            return wire.decode(tree)
        if type(value) in (list, tuple):
            return type(value)(self._concrete(v) for v in value)
        if type(value) is dict:
            return {k: self._concrete(v) for k, v in value.items()}
        return value

    def _ask(self, action, target, args, kwargs=None, raw=False, **extra):
        request = {"action": action, "args": self._encode(list(args)),
                   **extra}
        if target is not None:
            request["target"] = target._target
        if kwargs:
            request["kwargs"] = self._encode(dict(kwargs))
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise Fail("the check ran out of time")
        answer = self._sandbox.probe(request, left, self._callbacks)
        if "raised" in answer:
            name, message = _raised(answer["raised"])
            raise StudentError(name, message)
        if raw:
            return answer["value"]
        try:
            return wire.decode(answer["value"], self._remote)
        except wire.WireError as exc:
            self._sandbox.tamper.append(f"malformed answer to a probe "
                                        f"({exc})")
            raise Fail(f"the notebook's answer broke the protocol ({exc})") \
                from None

    def _remote(self, key, type_name):
        return Remote(self, key, (), type_name)


def _raised(body) -> tuple[str, str]:
    if type(body) is not list or len(body) != 2 or not all(
            type(s) is str for s in body):
        return "Error", "malformed exception report"
    return body[0][:100], body[1][:2000]


class Reference:
    """The reference solution on the host, with the same interface as
    :class:`Probe`."""

    def __init__(self, namespace: dict):
        self._ns = namespace
        self._kept: dict[int, object] = {}  # what put() returned
        self.memo: dict = {}

    def fresh(self) -> "Reference":
        """A view for one check: same namespace, its own stored values."""
        return Reference(self._ns)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._ns[name]
        except KeyError:
            raise AttributeError(f"the reference solution has no {name!r}") \
                from None

    def lookup(self, name: str):
        return self._ns[name]

    def put(self, value):
        """A copy of ``value``; what put() returned before stays itself
        (as handles do in the sandbox)."""
        kept = copy.deepcopy(value, {k: v for k, v in self._kept.items()})
        self._kept[id(kept)] = kept
        return kept

    def get(self, value):
        return copy.deepcopy(value)

    def set(self, obj, name, value):
        setattr(obj, name, value)


_REFERENCES: dict = {}
_REFERENCE_LOCK = threading.Lock()


def solution_code(notebook: Path) -> str:
    """The code of the solution notebook that defines the reference: answer
    and locked code cells, solution markers removed, test cells left out."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] != "code" or (meta.get("grade") and not
                                           meta.get("solution")):
            continue
        src = "".join(cell["source"])
        parts.append("\n".join(ln for ln in src.splitlines()
                               if ln.strip() not in SOLUTION_MARKERS))
    return "\n\n".join(parts)


def reference(notebook: Path) -> Reference:
    """The reference of ``notebook`` (executed once per process)."""
    notebook = Path(notebook).resolve()
    key = (str(notebook), notebook.stat().st_mtime_ns)
    with _REFERENCE_LOCK:
        if key not in _REFERENCES:
            namespace = {"__name__": "__reference__"}
            code = compile(solution_code(notebook), str(notebook), "exec")
            with contextlib.redirect_stdout(io.StringIO()):
                exec(code, namespace)  # the instructor's own code
            if "matplotlib.pyplot" in sys.modules:
                sys.modules["matplotlib.pyplot"].close("all")
            _REFERENCES[key] = Reference(namespace)
        return _REFERENCES[key]


# ---------------------------------------------------------------- loading

def checks_file(assignment: str, solutions: Path = SOLUTIONS) -> Path:
    return Path(solutions) / assignment / "checks.py"


def load_checks(assignment: str, solutions: Path = SOLUTIONS
                ) -> dict[str, list[Check]] | None:
    """grade_id -> its checks, in file order; None without a checks.py."""
    path = checks_file(assignment, solutions)
    if not path.is_file():
        return None
    name = "course_checks_" + hashlib.sha256(str(path).encode()).hexdigest(
        )[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"checks: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found: dict[str, list[Check]] = {}
    for value in vars(module).values():
        registered = getattr(value, "__check__", None)
        if isinstance(registered, Check):
            found.setdefault(registered.cell, []).append(registered)
    return found


def validate_checks(checks: dict[str, list[Check]], graded: dict,
                    tests: set[str], where: str) -> None:
    """Raise ValueError unless every test cell's checks add up to its
    points and every check names a test cell."""
    unknown = sorted(set(checks) - tests)
    if unknown:
        raise ValueError(f"{where}: checks for {unknown}, which are not test "
                         f"cells; expected grade ids among {sorted(tests)}")
    missing = sorted(tests - set(checks))
    if missing:
        raise ValueError(f"{where}: test cells {missing} have no check; "
                         "every test cell needs at least one")
    for cell, items in checks.items():
        total = sum(c.points for c in items)
        if abs(total - graded[cell]) > 1e-9:
            raise ValueError(f"{where}: the checks of {cell!r} are worth "
                             f"{total:g} points; the cell is worth "
                             f"{graded[cell]:g}")


# ---------------------------------------------------------------- running

@dataclass
class Result:
    """The verdict of one check."""

    name: str
    points: float
    passed: bool
    reason: str = ""
    seconds: float = 0.0


def _secret(folder: Path | None = None) -> bytes:
    """The course's grading secret: seeds inputs no student can predict.

    Kept in ``folder/secret`` (default: this checkout's ``_grading``; the
    classroom keeps it in the instructor's course directory), created on
    first use readable by its owner only."""
    env = os.environ.get("COURSE_GRADE_SECRET")
    if env:
        return env.encode()
    path = (folder or ROOT / "_grading") / "secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def seed_for(*parts: str, secret_folder: Path | None = None) -> int:
    """A 64-bit seed from the secret and ``parts`` (student, assignment,
    notebook)."""
    digest = hashlib.sha256(_secret(secret_folder) + "\0".join(parts).encode())
    return int.from_bytes(digest.digest()[:8], "big")


def run_check(item: Check, probe: Probe, ref: Reference, seed: int
              ) -> Result:
    """Run one check; a CellFailure (the sandbox stopped) propagates."""
    from .sandbox import CellFailure, ProbeError

    stream = item.stream or item.name
    rng = np.random.default_rng([seed, zlib.crc32(stream.encode())])
    start = time.monotonic()
    try:
        item.fn(probe, ref.fresh() if isinstance(ref, Reference) else ref,
                rng)
    except Fail as exc:
        reason = str(exc) or f"check {item.name} failed"
        return Result(item.name, item.points, False, reason,
                      time.monotonic() - start)
    except StudentError as exc:
        return Result(item.name, item.points, False,
                      f"{item.name}: your code raised {exc}",
                      time.monotonic() - start)
    except ProbeError as exc:
        return Result(item.name, item.points, False,
                      f"{item.name}: {exc}", time.monotonic() - start)
    except CellFailure:
        raise
    except Exception as exc:
        # The check itself broke on what came back (for example a method
        # returned text where an array was due): the answer is wrong.
        return Result(item.name, item.points, False,
                      f"{item.name}: the answer could not be checked "
                      f"({type(exc).__name__} while reading it)",
                      time.monotonic() - start)
    return Result(item.name, item.points, True, "", time.monotonic() - start)
