"""The program that runs inside a grading sandbox: executes what it is sent.

Started by :mod:`course_tools.sandbox` as ``python -P -s sandbox_runner.py``
(never imported by the host). Protocol, one JSON object per line (values
encoded by :mod:`course_tools.wire`, loaded from the file next to this one):

- in (stdin): ``{"id": nonce, "op": "run", "code": source, "guard": bool}``
  runs a cell; the reply is ``{"id": nonce, "status": "ok"|"error",
  "count": n, "outputs": [...], "ename", "evalue", "traceback",
  "restored": [...]}``;
- in: ``{"id": nonce, "op": "probe", "action": ..., "target": ...}`` asks
  for data: call a function of the notebook, read or set an attribute,
  store a value, fetch a stored value. The reply is ``{"id": nonce,
  "value": tree}`` or ``{"id": nonce, "raised": [ename, evalue]}``.
  Objects that are not data stay here and are named by a reference;
- out, during a probe: ``{"id": nonce, "callback": k, "args": tree}`` calls
  a host function (an input such as the function to differentiate); the
  host answers ``{"id": nonce, "op": "return", "value": tree}``.

The runner decides nothing: probes return data, and the host compares it
with the reference. After every cell, and again before a cell sent with
``guard``, the runner puts back what student code may have replaced
(NumPy's and the builtins' functions, import hooks, tracing, IPython's
transformers and callbacks, ...) and reports it, so the host can flag it.
Student output is captured per cell and truncated at ``GRADER_MAX_OUTPUT``
bytes; raw writes to file descriptors 1 and 2 go to stderr, which the host
drains and caps.
"""

import builtins
import importlib.util
import json
import os
import signal
import sys
import threading
import time
import types

MAX_OUTPUT = int(os.environ.get("GRADER_MAX_OUTPUT", "65536"))
LIBRARY_CALLBACKS = {"matplotlib", "matplotlib_inline", "IPython",
                     "ipywidgets"}
SNAPSHOT_PREFIXES = ("numpy", "builtins", "math", "operator", "functools",
                     "sys", "IPython.core.interactiveshell")

# The protocol channel is a private copy of stdout; fd 1 then points at
# stderr so that stray writes cannot interleave with protocol messages.
_proto = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
# Requests arrive on a private copy of stdin; fd 0 reads nothing.
_requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
_null = os.open(os.devnull, os.O_RDONLY)
os.dup2(_null, 0)
os.close(_null)
sys.stdin = open(os.devnull, encoding="utf-8")


def _load_wire():
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location(
        "grader_wire", os.path.join(here, "wire.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

import numpy  # noqa: E402  (after the redirect; the snapshot needs it)
import numpy.testing  # noqa: E402,F401
from IPython.core.displayhook import DisplayHook  # noqa: E402
from IPython.core.displaypub import DisplayPublisher  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402


class Capture:
    """A text stream that keeps at most MAX_OUTPUT bytes per cell."""

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, name, outputs):
        self.name, self.outputs, self.kept, self.dropped = name, outputs, 0, 0

    def write(self, text):
        text = str(text)
        room = MAX_OUTPUT - self.kept
        if room > 0:
            piece = text[:room]
            self.kept += len(piece)
            if self.outputs and self.outputs[-1].get("name") == self.name:
                self.outputs[-1]["text"] += piece
            else:
                self.outputs.append({"type": "stream", "name": self.name,
                                     "text": piece})
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False

    def fileno(self):
        return 2

    def writable(self):
        return True


class Hook(DisplayHook):
    """Records the value of a cell's last expression instead of printing it."""

    outputs = None

    def __call__(self, result=None):
        if result is None or self.outputs is None:
            return
        self.shell.user_ns["_"] = result
        text = _safe_repr(result)
        self.outputs.append({"type": "result", "text": text[:MAX_OUTPUT]})


class Publisher(DisplayPublisher):
    """Records ``display()`` calls as text (images are not kept)."""

    outputs = None

    def publish(self, data, metadata=None, source=None, *, transient=None,
                update=False, **kwargs):
        if self.outputs is not None:
            text = str(data.get("text/plain", ""))[:MAX_OUTPUT]
            kinds = sorted(k for k in data if k != "text/plain")
            self.outputs.append({"type": "display", "text": text,
                                 "kinds": kinds})

    def clear_output(self, wait=False):
        pass


def _safe_repr(value):
    try:
        return repr(value)
    except Exception as exc:  # a hostile __repr__ must not stop the runner
        return f"<unrepresentable {type(value).__name__}: {exc!r}>"


def _snapshot():
    """Module name -> copy of its namespace, for the modules tests rely on
    (builtins first: restoring the others relies on them)."""
    saved = {"builtins": (builtins, dict(vars(builtins)))}
    for name, mod in list(sys.modules.items()):
        if isinstance(mod, types.ModuleType) and name.startswith(
                SNAPSHOT_PREFIXES):
            saved[name] = (mod, dict(vars(mod)))
    return saved


class Guard:
    """Remembers a clean interpreter and puts it back before guarded cells."""

    def __init__(self, shell):
        self.shell = shell
        self.modules = _snapshot()
        self.classes = {cls: {k: v for k, v in vars(cls).items()
                              if callable(v)}
                        for cls in type(shell).__mro__[:3]}
        self.instance = {k: v for k, v in vars(shell).items()
                         if callable(v)}
        self.custom_tb = shell.CustomTB
        self.ns0 = dict(shell.user_ns)
        self.meta_path = list(sys.meta_path)
        self.path_hooks = list(sys.path_hooks)
        self.path = list(sys.path)
        self.lists = {attr: list(getattr(shell, attr)) for attr in (
            "input_transformers_cleanup", "input_transformers_post",
            "ast_transformers")}
        self.input_manager = list(shell.input_transformer_manager
                                  .cleanup_transforms)
        self.line_transforms = list(shell.input_transformer_manager
                                    .line_transforms)
        self.token_transforms = list(shell.input_transformer_manager
                                     .token_transformers)
        self.events = {name: list(cbs) for name, cbs in
                       shell.events.callbacks.items()}
        self.sigint = signal.getsignal(signal.SIGINT)

    def restore(self, before_test=False):
        """Undo tampering; return a description of each thing undone.

        Before a test, globals that shadow a builtin are removed too (only
        callables are reported: ``sum = 0`` is not an attack).
        """
        done = []
        for name, (mod, original) in self.modules.items():
            if sys.modules.get(name) is not mod:
                sys.modules[name] = mod
                done.append(f"sys.modules[{name!r}] replaced")
            current = vars(mod)
            for key, value in original.items():
                now = current.get(key, _MISSING)
                if now is not value and _is_code(value):
                    current[key] = value
                    done.append(f"{name}.{key} replaced")
        for cls, saved in self.classes.items():
            for key, value in saved.items():
                if vars(cls).get(key, _MISSING) is not value:
                    setattr(cls, key, value)
                    done.append(f"{cls.__name__}.{key} replaced")
        for key, value in list(vars(self.shell).items()):
            old = self.instance.get(key, _MISSING)
            if old is _MISSING and callable(getattr(type(self.shell), key,
                                                    None)):
                delattr(self.shell, key)
                done.append(f"shell.{key} replaced")
            elif old is not _MISSING and old is not value:
                setattr(self.shell, key, old)
                done.append(f"shell.{key} replaced")
        for attr, saved in self.lists.items():
            if list(getattr(self.shell, attr)) != saved:
                getattr(self.shell, attr)[:] = saved
                done.append(f"IPython {attr} changed")
        mgr = self.shell.input_transformer_manager
        for attr, saved in (("cleanup_transforms", self.input_manager),
                            ("line_transforms", self.line_transforms),
                            ("token_transformers", self.token_transforms)):
            if list(getattr(mgr, attr)) != saved:
                getattr(mgr, attr)[:] = saved
                done.append(f"IPython input {attr} changed")
        for name, cbs in self.shell.events.callbacks.items():
            keep = [cb for cb in cbs if cb in self.events.get(name, [])
                    or _library_callback(cb)]
            if keep != list(cbs):
                cbs[:] = keep
                done.append(f"IPython event {name!r} callback added")
        if (self.shell.CustomTB is not self.custom_tb
                or self.shell.custom_exceptions != ()):
            self.shell.CustomTB = self.custom_tb
            self.shell.custom_exceptions = ()
            done.append("custom exception handler installed")
        if sys.meta_path != self.meta_path:
            sys.meta_path[:] = self.meta_path
            done.append("import hook in sys.meta_path")
        if sys.path_hooks != self.path_hooks:
            sys.path_hooks[:] = self.path_hooks
            sys.path_importer_cache.clear()
            done.append("import hook in sys.path_hooks")
        if sys.path != self.path:
            sys.path[:] = self.path
            done.append("sys.path changed")
        if sys.gettrace() is not None or threading.gettrace() is not None:
            sys.settrace(None)
            threading.settrace(None)
            done.append("trace function installed")
        if sys.getprofile() is not None:
            sys.setprofile(None)
            done.append("profile function installed")
        ns = self.shell.user_ns
        shadows = [k for k in ns if k in vars(builtins)
                   and not k.startswith("_")] if before_test else []
        for name in shadows:
            if ns[name] is self.ns0.get(name, _MISSING):
                continue
            if ns[name] is not vars(builtins)[name] and _is_code(ns[name]):
                done.append(f"builtin {name!r} shadowed by a global")
            del ns[name]
        if self.shell.user_ns.get("__builtins__") not in (builtins,
                                                          vars(builtins)):
            self.shell.user_ns["__builtins__"] = builtins
            done.append("__builtins__ replaced")
        try:
            if signal.getsignal(signal.SIGINT) is not self.sigint:
                signal.signal(signal.SIGINT, self.sigint)
                done.append("SIGINT handler replaced")
        except (TypeError, ValueError):
            pass
        return done


def _library_callback(cb):
    """True for event callbacks that plotting libraries register."""
    module = getattr(cb, "__module__", None) or ""
    return module.split(".")[0] in LIBRARY_CALLBACKS


def _is_code(value, _callable=callable, _isinstance=isinstance,
             _module=types.ModuleType):
    """Functions, classes and modules: what tampering replaces (the
    builtins used here are bound at import, before any student code)."""
    return _callable(value) or _isinstance(value, _module)


_MISSING = object()


class Shell(InteractiveShell):
    """Keeps the structured traceback of the last error."""

    tracebacks = None

    def _showtraceback(self, etype, evalue, stb):
        if self.tracebacks is not None:
            self.tracebacks.append(list(stb))


def make_shell():
    """A plain IPython shell whose output goes to per-cell lists."""
    main = types.ModuleType("__main__")
    shell = Shell.instance(displayhook_class=Hook,
                                      display_pub_class=Publisher,
                                      user_module=main)
    shell.history_manager.enabled = False
    try:
        shell.colors = "nocolor"
    except Exception:
        pass
    return shell


def run(shell, run_cell, code):
    """Execute one cell; return (status, outputs, error fields)."""
    outputs, tracebacks = [], []
    out, err = Capture("stdout", outputs), Capture("stderr", outputs)
    shell.displayhook.outputs = outputs
    shell.display_pub.outputs = outputs
    shell.tracebacks = tracebacks
    sys.stdout = sys.__stdout__ = out  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = err  # type: ignore[misc]
    try:
        result = run_cell(shell, code, store_history=True)
    finally:
        sys.stdout = sys.stderr = _host_err
        sys.__stdout__ = sys.__stderr__ = _host_err  # type: ignore[misc]
    exc = result.error_in_exec or result.error_before_exec
    reply = {"status": "ok" if exc is None else "error", "outputs": outputs,
             "dropped": out.dropped + err.dropped}
    if exc is not None:
        reply["ename"] = type(exc).__name__
        reply["evalue"] = _safe_str(exc)[:MAX_OUTPUT]
        reply["traceback"] = (tracebacks[-1] if tracebacks else [])[-40:]
    return reply


def _safe_str(exc):
    try:
        return str(exc)
    except Exception:
        return f"<unprintable {type(exc).__name__}>"


_host_err = sys.stderr


class Probes:
    """Answers the host's questions about the notebook's objects."""

    def __init__(self, shell, wire):
        self.shell, self.wire = shell, wire
        self.objects = {}
        self.nonce = None

    def keep(self, obj):
        key = len(self.objects) + 1
        self.objects[key] = obj
        return key

    def resolve(self, key, _type=""):
        if key not in self.objects:
            raise LookupError(f"no stored object {key}")
        return self.objects[key]

    def target(self, spec):
        base = spec.get("base")
        if isinstance(base, str):
            if base not in self.shell.user_ns:
                raise NameError(f"name {base!r} is not defined")
            obj = self.shell.user_ns[base]
        else:
            obj = self.resolve(base)
        for name in spec.get("attrs", []):
            obj = getattr(obj, name)
        return obj

    def callback(self, key):
        nonce, wire = self.nonce, self.wire

        def host_function(*args, **kwargs):
            _proto.write(wire.dumps({"id": nonce, "callback": key,
                                     "args": wire.encode([list(args),
                                                          kwargs])}) + "\n")
            _proto.flush()
            answer = json.loads(_requests.readline())
            if "error" in answer:
                raise RuntimeError(str(answer["error"]))
            return wire.decode(answer.get("value"))
        return host_function

    def answer(self, request):
        self.nonce = request["id"]
        wire, action = self.wire, request.get("action")
        args = wire.decode(request.get("args", []), self.resolve,
                           self.callback)
        if action == "put":
            return {"$r": [self.keep(args[0]), type(args[0]).__name__]}
        obj = self.target(request.get("target", {}))
        if action == "get":
            return wire.encode(obj)
        if action == "ref":
            return {"$r": [self.keep(obj), type(obj).__name__]}
        if action == "setattr":
            setattr(obj, request["name"], args[0])
            return None
        if action == "getitem":
            value = obj[args[0]]
        elif action == "call":
            kwargs = wire.decode(request.get("kwargs", []), self.resolve,
                                 self.callback)
            value = obj(*args, **dict(kwargs))
        else:
            raise ValueError(f"unknown action {action!r}")
        return wire.encode(value, refer=self.keep)


def probe(probes, request):
    """Answer one probe; student output during it is dropped."""
    outputs = []
    sys.stdout = sys.__stdout__ = Capture("stdout", outputs)  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = Capture("stderr", outputs)  # type: ignore[misc]
    try:
        return {"value": probes.answer(request)}
    except BaseException as exc:  # student code raised: that is data too
        if isinstance(exc, KeyboardInterrupt):
            raise
        return {"raised": [type(exc).__name__[:100], _safe_str(exc)[:2000]]}
    finally:
        sys.stdout = sys.stderr = _host_err
        sys.__stdout__ = sys.__stderr__ = _host_err  # type: ignore[misc]


def main():
    shell = make_shell()
    guard = Guard(shell)
    run_cell = Shell.run_cell
    dumps = json.dumps
    probes = Probes(shell, _load_wire())
    for line in iter(_requests.readline, ""):
        request = json.loads(line)
        if request.get("op") == "probe":
            reply = probe(probes, request)
            reply["id"] = request["id"]
            try:
                text = probes.wire.dumps(reply)
            except (ValueError, TypeError) as exc:
                text = dumps({"id": request["id"], "raised": [
                    "WireError", str(exc)[:500]]})
            _proto.write(text + "\n")
            _proto.flush()
            continue
        restored = guard.restore(True) if request.get("guard") else []
        start = time.perf_counter()
        reply = run(shell, run_cell, request["code"])
        # Undo what the cell replaced before the runner itself relies on it.
        restored += guard.restore()
        reply.update(id=request["id"], count=shell.execution_count,
                     restored=restored,
                     seconds=round(time.perf_counter() - start, 3))
        _proto.write(dumps(reply) + "\n")
        _proto.flush()


if __name__ == "__main__":
    main()
