"""The adversarial corpus: each Case is a submission plus what it must get.

Submissions are built from 01-foundations (the cheapest assignment): the
reference answers (13 automatic points of 15, plus a written answer for a
human), the reference with a wrong ``softmax`` ("WRONG", which honestly
earns 11), or answers that all return zeros ("ZEROS", which earn 0), with an
attack added. Each attack tries to raise the score, hide a failure, read
the hidden checks, escape the sandbox, or break the run; each case states
the score its code earns, the status, and whether it must be flagged
(``None``: either way).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..assignments import nbgrader_meta, variants

ASSIGNMENT = "01-foundations"
NB = "foundations.ipynb"
FULL, WRONG_SCORE = 13.0, 11.0
WRONG_SOFTMAX = (
    "def softmax(x):\n"
    "    '''Uniform probabilities: wrong on purpose.'''\n"
    "    return np.ones_like(x) / x.shape[1]\n")


@dataclass
class Case:
    """One student of the corpus."""

    student: str
    kind: str
    content: object  # notebook dict, raw bytes, or None (no file)
    status: str = "graded"
    score: float | None = None  # None: see same_as and lose
    flagged: bool | None = False
    reason: str = ""  # must appear in the reason column
    integrity: str = ""  # key of integrity.json that must be non-empty
    filename: str = NB
    extra_files: dict = field(default_factory=dict)  # name -> text
    lose: tuple = ()  # cells that must score 0
    same_as: str = ""  # may score no more than this student, cell by cell


def _base() -> dict:
    return variants(ASSIGNMENT, NB)["reference"]


def _cell(nb: dict, gid: str) -> dict:
    return next(c for c in nb["cells"] if nbgrader_meta(c).get("grade_id")
                == gid)


def _wrong() -> dict:
    nb = _base()
    _cell(nb, "softmax")["source"] = WRONG_SOFTMAX
    return nb


ZERO_ANSWERS = {
    "softmax": "def softmax(x):\n    return np.zeros_like(x)\n",
    "cross_entropy": "def cross_entropy(x, t):\n    return 0.0\n",
    "sigmoid": ("class Sigmoid:\n    def forward(self, x):\n"
                "        return np.zeros_like(x)\n\n"
                "    def backward(self, dout):\n"
                "        return np.zeros_like(dout)\n"),
    "relu": ("class ReLU:\n    def forward(self, x):\n"
             "        return np.zeros_like(x)\n\n"
             "    def backward(self, dout):\n"
             "        return np.zeros_like(dout)\n"),
    "affine": ("class Affine:\n    def __init__(self, W, b):\n"
               "        self.W, self.b = W, b\n"
               "        self.dW, self.db = np.zeros_like(W), np.zeros_like(b)"
               "\n\n    def forward(self, x):\n"
               "        return np.zeros((x.shape[0], self.W.shape[1]))\n\n"
               "    def backward(self, dout):\n"
               "        return np.zeros((dout.shape[0], self.W.shape[0]))\n"),
    "numerical_gradient": ("def numerical_gradient(f, x, h=1e-5):\n"
                           "    return np.zeros_like(x, dtype=float)\n"),
}


ZERO_LOSS = ("class SoftmaxWithLoss:\n    def forward(self, x, t):\n"
             "        self.x = x\n        return 0.0\n\n"
             "    def backward(self, dout=1.0):\n"
             "        return np.zeros_like(self.x)\n")
STUB = "        # YOUR CODE HERE\n        raise NotImplementedError()"


# The checks of the tasks whose answers all return zeros: none may score.
ZERO_CELLS = ("test_softmax", "test_cross_entropy", "test_sigmoid",
              "test_relu", "test_affine", "test_numerical_gradient")


def _zeros() -> dict:
    """Every answer returns zeros: it earns nothing."""
    nb = _base()
    answers = dict(ZERO_ANSWERS)
    blank = variants(ASSIGNMENT, NB)["blank"]
    ids = {nbgrader_meta(c).get("grade_id") for c in nb["cells"]}
    if "softmax_with_loss" in ids:
        answers["softmax_with_loss"] = ZERO_LOSS
    if "two_layer_net" in ids:
        stub = "".join(_cell(blank, "two_layer_net")["source"])
        answers["two_layer_net"] = stub.replace(
            STUB, "        return {k: np.zeros_like(v) for k, v in "
            "self.params.items()}")
    if "train" in ids:
        answers["train"] = ("def train(net, x, t, epochs, batch_size, lr, "
                            "rng):\n    return [0.0] * epochs\n")
    for gid, code in answers.items():
        _cell(nb, gid)["source"] = code
    return nb


def _last_task() -> tuple[str, str, float]:
    """The last answer cell, its test cell and that test's points: an
    attack that breaks the answer cell it is appended to costs exactly
    those points, since no later cell needs it."""
    cells = [c for c in variants(ASSIGNMENT, NB)["blank"]["cells"]
             if nbgrader_meta(c).get("grade_id")]
    answer = test = None
    for c in cells:
        meta = nbgrader_meta(c)
        if meta.get("solution") and c["cell_type"] == "code":
            answer, test = meta["grade_id"], None
        elif meta.get("grade") and not meta.get("solution") and test is None:
            test = (meta["grade_id"], float(meta["points"]))
    return answer, test[0], test[1]


LAST, LAST_TEST, LAST_POINTS = _last_task()


def _append_to(nb: dict, gid: str, code: str) -> dict:
    cell = _cell(nb, gid)
    cell["source"] = "".join(cell["source"]) + "\n" + code
    return nb


def _added_cell(nb: dict, code: str, after: str = "softmax") -> dict:
    i = next(i for i, c in enumerate(nb["cells"])
             if nbgrader_meta(c).get("grade_id") == after)
    nb["cells"].insert(i + 1, {"cell_type": "code", "metadata": {},
                               "execution_count": None, "outputs": [],
                               "source": code})
    return nb


def _attack(code: str, **kw) -> dict:
    """A wrong softmax plus ``code`` in the softmax cell."""
    return _append_to(_wrong(), "softmax", code)


PATCH_COMPARISONS = """
import numpy.testing
np.testing.assert_allclose = lambda *a, **k: None
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, **k: np.ones(np.shape(a), bool)
"""
PATCH_PRIVATE = """
import numpy.testing._private.utils as _u
_u.assert_array_compare = lambda *a, **k: None
"""
PATCH_BUILTINS = """
import builtins
builtins.isinstance = lambda *a: True
builtins.all = lambda *a: True
"""
SHADOW_BUILTINS = """
def isinstance(*a):
    return True
all = lambda *a: True
"""
REBIND_NP = """
import numpy as _real
class _Fake:
    def __getattr__(self, name):
        return getattr(_real, name)
    allclose = staticmethod(lambda *a, **k: True)
    class testing:
        assert_allclose = staticmethod(lambda *a, **k: None)
np = _Fake()
"""
AST_HOOK = """
import ast
class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
    def visit_Call(self, node):
        if 'assert' in ast.unparse(node.func):
            return ast.Constant(None)
        return self.generic_visit(node)
get_ipython().ast_transformers.append(_NoAsserts())
"""
INPUT_HOOK = """
get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])
"""
CLEANUP_HOOK = """
get_ipython().input_transformers_cleanup.append(
    lambda lines: [l for l in lines if 'assert' not in l])
"""
CUSTOM_EXC = """
get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)
"""
TRACE = """
import sys
def _tracer(frame, event, arg):
    return _tracer
sys.settrace(_tracer)
"""
EXCEPTHOOK = """
import sys
sys.excepthook = lambda *a: None
"""
PRE_RUN = """
def _repatch(*a):
    np.testing.assert_allclose = lambda *a, **k: None
    np.allclose = lambda *a, **k: True
get_ipython().events.register('pre_run_cell', _repatch)
"""
META_PATH = """
import sys, types
class _Finder:
    def find_spec(self, name, path=None, target=None):
        return None
sys.meta_path.insert(0, _Finder())
sys.modules['numpy.testing'] = types.SimpleNamespace(
    assert_allclose=lambda *a, **k: None)
"""
SYS_PATH = """
import sys, os
os.makedirs('/tmp/shadow', exist_ok=True)
with open('/tmp/shadow/numpy.py', 'w') as fh:
    fh.write('def allclose(*a, **k):\\n    return True\\n')
sys.path.insert(0, '/tmp/shadow')
"""
FORGED_REPLY = """
import os, json
for fd in range(3, 40):
    try:
        os.write(fd, (json.dumps({"id": "x", "status": "ok", "count": 99,
                                  "outputs": []}) + "\\n").encode())
    except OSError:
        pass
"""
PATCH_RUNNER = """
import gc
_g = next(o for o in gc.get_objects()
          if type(o) is dict and 'Guard' in o and 'run' in o)
"""
PATCH_RUNNER += """
_real_run = _g['run']
def _always_ok(shell, run_cell, code):
    reply = _real_run(shell, run_cell, code)
    reply['status'] = 'ok'
    reply.pop('ename', None)
    reply.pop('evalue', None)
    return reply
_g['run'] = _always_ok
"""
PATCH_GUARD = """
import gc
_g = next(o for o in gc.get_objects()
          if type(o) is dict and 'Guard' in o and 'run' in o)
_g['Guard'].restore = lambda self, *a, **k: []
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
np.testing.assert_array_almost_equal = lambda *a, **k: None
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
"""
# In-process attacks on the runner itself. Verdicts are decided on the host,
# so each can only change the data the sandbox returns.
_RUNNER_GLOBALS = """
import gc
_g = next(o for o in gc.get_objects()
          if type(o) is dict and 'Probes' in o and 'run' in o)
"""
GC_REWRITE = _RUNNER_GLOBALS + """
_real_run = _g['run']
def _always_ok(shell, run_cell, code):
    reply = _real_run(shell, run_cell, code)
    reply['status'] = 'ok'
    reply.pop('ename', None)
    reply.pop('evalue', None)
    return reply
_g['run'] = _always_ok
def _probe_ok(probes, request):
    reply = {'value': {'$f': '0.0'}}
    try:
        reply = {'value': probes.answer(request)}
    except BaseException:
        pass
    return reply
_g['probe'] = _probe_ok
_g['Probes'].answer = lambda self, request, _a=_g['Probes'].answer: (
    _a(self, request) if request.get('action') != 'call' else
    self.wire.encode(True))
"""
REPLY_CHANNEL = _RUNNER_GLOBALS + """
import json as _json
_chan = _g['_proto']
_real_write = _chan.write
def _rewrite(text):
    try:
        msg = _json.loads(text)
    except ValueError:
        return _real_write(text)
    if isinstance(msg, dict):
        msg.pop('raised', None)
        msg.setdefault('value', {'$f': '1.0'})
        if 'status' in msg:
            msg['status'] = 'ok'
            msg.pop('ename', None)
        text = _json.dumps(msg) + '\\n'
    return _real_write(text)
_chan.write = _rewrite
"""
RECORD = _RUNNER_GLOBALS + """
_SEEN = []
_real_answer = _g['Probes'].answer
def _recording(self, request):
    _SEEN.append(repr(request)[:3000])
    return _real_answer(self, request)
_g['Probes'].answer = _recording
_real_run2 = _g['run']
def _recording_run(shell, run_cell, code):
    _SEEN.append(code)
    return _real_run2(shell, run_cell, code)
_g['run'] = _recording_run
"""
PRINT_RECORDED = """
print('RECORDED', len(_SEEN))
for _item in _SEEN:
    print(_item)
"""
THREAD_FORGER = _RUNNER_GLOBALS + """
import threading, time, json as _json
_probes = next(o for o in gc.get_objects()
               if type(o) is _g['Probes'])
def _forge():
    seen = None
    while True:
        nonce = _probes.nonce
        if nonce and nonce != seen:
            seen = nonce
            for value in ({'$f': '0.6931471805599453'},
                          {'$a': ['float64', [1, 2],
                                  'AAAAAAAA4D8AAAAAAADgPw==']}):
                _g['_proto'].write(_json.dumps({'id': nonce,
                                                'value': value}) + '\\n')
            _g['_proto'].flush()
        time.sleep(0.0005)
threading.Thread(target=_forge, daemon=True).start()
"""
DEL_ATEXIT = _RUNNER_GLOBALS + """
import atexit, json as _json
class _Ghost:
    def __del__(self):
        nonce = getattr(_probes_ref[0], 'nonce', None)
        _g['_proto'].write(_json.dumps({'id': nonce, 'value': True,
                                        'status': 'ok', 'count': 99})
                           + '\\n')
        _g['_proto'].flush()
_probes_ref = [next(o for o in gc.get_objects()
                    if type(o) is _g['Probes'])]
def _keep_making():
    _Ghost()
    return True
gc.callbacks.append(lambda *a: _keep_making())
atexit.register(lambda: _Ghost())
_Ghost()
"""
LOOP = "\nwhile True:\n    pass\n"
NO_INTERRUPT = """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    try:
        pass
    except BaseException:
        pass
"""
EXIT = "\nimport os\nos._exit(3)\n"
KILL_PARENT = """
import os, signal
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
os.kill(os.getpid(), signal.SIGKILL)
"""
MEMORY_BOMB = """
_hog = []
while True:
    _hog.append(np.ones(1 << 25))
"""
PROCESSES = """
import subprocess
_procs = []
try:
    for _ in range(400):
        _procs.append(subprocess.Popen(['sleep', '60']))
except OSError as exc:
    print('stopped at', len(_procs), 'processes:', type(exc).__name__)
"""
PRINT_FLOOD = "\nprint('x' * 50_000_000)\n"
RAW_FLOOD = "\nimport os\nwhile True:\n    os.write(1, b'x' * 65536)\n"
WARNINGS = """
import warnings
_orig_softmax = softmax
def softmax(x):
    warnings.warn('a harmless warning', RuntimeWarning)
    np.exp(np.array([1000.0]))
    return _orig_softmax(x)
"""
COURSE_IMPORT = "from course_lib.functional import softmax\n"


REPO = Path(__file__).resolve().parents[2]


def probe_code(marker: Path, port: int = 9) -> str:
    """Looks for course files and other students; tries to write out and to
    reach ``port`` on the host's loopback (where the test listens)."""
    return f"""
import os, socket
_targets = [{str(REPO / 'solutions')!r}, {str(marker.parent)!r},
            '/root/.bash_history', {str(REPO / '_grading')!r},
            {str(REPO / 'tests')!r}]
print('VISIBLE', [t for t in _targets if os.path.exists(t)])
_wrote = []
for _p in [{str(marker)!r}, {str(REPO / 'course_lib' / 'evil.py')!r}, '/etc/evil']:
    try:
        with open(_p, 'w') as fh:
            fh.write('x')
        _wrote.append(_p)
    except OSError:
        pass
print('WROTE', _wrote)
try:
    socket.create_connection(('127.0.0.1', {port}), timeout=2)
    print('NETWORK reachable')
except OSError as exc:
    print('NETWORK OSError', type(exc).__name__)
print('INTERFACES', sorted(name for _, name in socket.if_nameindex()))
"""


def _tagged() -> dict:
    nb = _wrong()
    for cell in nb["cells"]:
        if nbgrader_meta(cell).get("grade"):
            cell["metadata"]["tags"] = ["skip-execution", "raises-exception"]
            cell["metadata"]["custom"] = {"skip": True}
    return nb


def _without_tests() -> dict:
    nb = _wrong()
    nb["cells"] = [c for c in nb["cells"] if not (
        nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get(
            "solution"))]
    return nb


def _duplicated_tests() -> dict:
    nb = _wrong()
    test = copy.deepcopy(_cell(nb, "test_softmax"))
    test["source"] = "pass"
    nb["cells"].insert(3, test)
    return nb


def _as_markdown(nb: dict, grade_id: str) -> dict:
    cell = _cell(nb, grade_id)
    cell["cell_type"] = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    return nb


def _retyped_test() -> dict:
    return _as_markdown(_wrong(), "test_softmax")


def _edited_test() -> dict:
    nb = _wrong()
    _cell(nb, "test_softmax")["source"] = "pass"
    return nb


def _fake_points() -> dict:
    nb = _wrong()
    meta = nbgrader_meta(_cell(nb, "test_softmax"))
    meta["points"] = 100
    meta["grade"] = False
    return nb


def _retyped_answer() -> dict:
    return _as_markdown(_base(), "softmax")


def _huge_outputs() -> dict:
    nb = _base()
    _cell(nb, "softmax")["outputs"] = [{"output_type": "stream",
                                        "name": "stdout",
                                        "text": "y" * 5_000_000}]
    return nb


def _hostile_message() -> dict:
    nb = _base()
    _cell(nb, "softmax")["source"] = (
        "def softmax(x):\n"
        "    raise ValueError('=HYPERLINK(\"http://x\"),\\n\"quoted\", ;')\n")
    return nb


def build(marker: Path, port: int = 9) -> list[Case]:
    """Every case; ``marker`` is a host path the sandbox must not write,
    ``port`` one the host listens on (on 127.0.0.1)."""
    ref = _base()
    W, F, L = WRONG_SCORE, FULL, FULL - LAST_POINTS
    cases = [
        Case("honest", "honest reference", ref, score=F),
        Case("honest-wrong", "honest wrong softmax", _wrong(), score=W,
             lose=("test_softmax",)),
        Case("patch-numpy", "patched NumPy comparisons",
             _attack(PATCH_COMPARISONS), score=W, flagged=True,
             integrity="tamper", lose=("test_softmax",)),
        Case("patch-private", "patched NumPy internals",
             _attack(PATCH_PRIVATE), score=W, flagged=True,
             integrity="tamper"),
        Case("patch-builtins", "patched builtins", _attack(PATCH_BUILTINS),
             score=W, flagged=True, integrity="tamper"),
        Case("shadow-builtins", "builtins shadowed by globals",
             _attack(SHADOW_BUILTINS), score=W, flagged=True,
             integrity="tamper"),
        Case("rebind-np", "np rebound to a fake module", _attack(REBIND_NP),
             score=W),
        Case("ast-hook", "IPython AST transformer", _attack(AST_HOOK),
             score=W, flagged=True, integrity="tamper"),
        Case("input-hook", "IPython input transformer", _attack(INPUT_HOOK),
             score=W, flagged=True, integrity="tamper"),
        Case("cleanup-hook", "IPython cleanup transformer",
             _attack(CLEANUP_HOOK), score=W, flagged=True,
             integrity="tamper"),
        Case("custom-exc", "exception handler swallowing errors",
             _attack(CUSTOM_EXC), score=W, flagged=True, integrity="tamper"),
        Case("settrace", "trace function", _attack(TRACE), score=W,
             flagged=True, integrity="tamper"),
        Case("excepthook", "sys.excepthook replaced (IPython ignores it)",
             _attack(EXCEPTHOOK), score=W),
        Case("pre-run-event", "pre_run_cell callback re-patching",
             _attack(PRE_RUN), score=W, flagged=True, integrity="tamper"),
        Case("import-hook", "import hook and fake numpy.testing",
             _attack(META_PATH), score=W, flagged=True, integrity="tamper"),
        Case("sys-path", "shadow module on sys.path", _attack(SYS_PATH),
             score=W, flagged=True, integrity="tamper"),
        Case("shadow-file", "numpy.py next to the notebook", _wrong(),
             score=W, extra_files={
                 "numpy.py": "def allclose(*a, **k):\n    return True\n",
                 "course_lib.py": "raise SystemExit\n"}),
        Case("forged-reply", "forged protocol messages",
             _attack(FORGED_REPLY), score=W, flagged=True,
             integrity="tamper"),
        Case("patch-runner", "runner patched: every cell reports success",
             _attack(PATCH_RUNNER), score=W, flagged=True,
             integrity="canaries", reason="flagged for a human",
             lose=("test_softmax",)),
        Case("patch-guard", "guard disabled and comparisons patched",
             _attack(PATCH_GUARD), score=W, flagged=True,
             integrity="canaries", lose=("test_softmax",)),
        Case("zeros", "every answer returns zeros", _zeros(), score=0.0,
             lose=ZERO_CELLS),
        Case("gc-rewrite", "zeros; runner functions rewritten through gc",
             _append_to(_zeros(), "softmax", GC_REWRITE), score=None,
             flagged=None, lose=ZERO_CELLS, same_as="zeros"),
        Case("reply-channel", "zeros; the reply channel's write replaced",
             _append_to(_zeros(), "softmax", REPLY_CHANNEL), score=None,
             flagged=None, lose=ZERO_CELLS, same_as="zeros"),
        Case("record-cells", "records what the sandbox is sent, prints it",
             _added_cell(_append_to(_wrong(), "softmax", RECORD),
                         PRINT_RECORDED, after="numerical_gradient"),
             score=W, flagged=None, lose=("test_softmax",)),
        Case("thread-forger", "zeros; a thread forging answers to probes",
             _append_to(_zeros(), "softmax", THREAD_FORGER), score=None,
             flagged=None, lose=ZERO_CELLS, same_as="zeros"),
        Case("del-atexit", "zeros; __del__, gc and atexit hooks forging "
             "replies", _append_to(_zeros(), "softmax", DEL_ATEXIT),
             score=None, flagged=None, lose=ZERO_CELLS, same_as="zeros"),
        Case("skip-tags", "skip tags and custom metadata", _tagged(),
             score=W, integrity="stripped"),
        Case("deleted-tests", "test cells deleted", _without_tests(),
             score=W, integrity="restored"),
        Case("duplicated-test", "test cell duplicated", _duplicated_tests(),
             score=W, integrity="restored"),
        Case("retyped-test", "test cell turned into markdown",
             _retyped_test(), score=W, integrity="restored"),
        Case("edited-test", "test cell edited to pass", _edited_test(),
             score=W, integrity="restored"),
        Case("fake-points", "test cell metadata changed", _fake_points(),
             score=W),
        Case("retyped-answer", "answer cell turned into markdown",
             _retyped_answer(), score=W, integrity="restored"),
        Case("loop", "infinite loop", _append_to(_base(), LAST, LOOP),
             score=L, reason="timed out", lose=(LAST_TEST,)),
        Case("no-interrupt", "loop ignoring interrupts",
             _append_to(_base(), LAST, NO_INTERRUPT), score=L,
             reason="timed out"),
        Case("exit", "process exits", _append_to(_base(), LAST, EXIT),
             score=L, reason="process ended"),
        Case("kill-parent", "kills its parent and process group",
             _append_to(_base(), LAST, KILL_PARENT), score=L,
             reason="process ended"),
        Case("memory-bomb", "allocates without limit",
             _append_to(_base(), LAST, MEMORY_BOMB), score=F),
        Case("processes", "starts hundreds of processes",
             _append_to(_base(), LAST, PROCESSES), score=F),
        Case("print-flood", "prints 50 MB", _append_to(_base(), LAST,
                                                     PRINT_FLOOD), score=F),
        Case("raw-flood", "floods file descriptor 1",
             _append_to(_base(), LAST, RAW_FLOOD), score=L,
             reason="output limit"),
        Case("probe", "reads and writes outside, network",
             _added_cell(_base(), probe_code(marker, port)), score=F),
        Case("warnings", "warnings on stderr", _added_cell(_base(),
                                                          WARNINGS), score=F),
        Case("course-import", "imports the course's softmax",
             _append_to(_base(), "softmax", COURSE_IMPORT), score=F,
             flagged=True, integrity="course_imports"),
        Case("huge-outputs", "5 MB of outputs in the file", _huge_outputs(),
             score=F),
        Case("hostile-message", "error text with CSV syntax",
             _hostile_message(), score=W, reason="HYPERLINK"),
        Case("invalid-json", "truncated JSON", b'{"cells": [',
             status="invalid", score=0.0, reason="not valid notebook JSON"),
        Case("nul-bytes", "NUL bytes", b'{"cells": []}\x00',
             status="invalid", score=0.0, reason="NUL bytes"),
        Case("nbformat-3", "wrong nbformat", {**ref, "nbformat": 3},
             status="invalid", score=0.0, reason="nbformat 4"),
        Case("cells-not-list", "cells is not a list",
             {**ref, "cells": {"a": 1}}, status="invalid", score=0.0,
             reason="nbformat 4"),
        Case("renamed", "renamed notebook", ref,
             filename="foundations (1).ipynb", score=F,
             reason="renamed from 'foundations (1).ipynb'"),
        Case("too-big", "file over the size limit",
             json.dumps({**ref, "pad": "z" * (21 << 20)}).encode(),
             status="invalid", score=0.0, reason="MiB"),
        Case("empty-folder", "no notebook at all", None, status="missing",
             score=0.0, reason="no foundations.ipynb"),
        Case("=HYPERLINK(x)", "formula as a folder name", ref,
             status="invalid", score=0.0, reason="student folder name"),
    ]
    return cases


def write(cases: list[Case], folder: Path) -> None:
    for case in cases:
        d = folder / case.student
        d.mkdir(parents=True, exist_ok=True)
        for name, text in case.extra_files.items():
            (d / name).write_text(text)
        if case.content is None:
            continue
        data = case.content if isinstance(case.content, bytes) else \
            json.dumps(case.content).encode()
        (d / case.filename).write_bytes(data)
