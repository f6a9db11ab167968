"""The capstone's held-out digits stay out of reach of graded code, and the
training cell keeps to the time limit it declares.

Inside the sandbox scikit-learn's digits are masked and the loader reads
the training split from a file the host gives it; a notebook that looks
for the test split (by the library, by path, or by a dynamic import) finds
nothing and earns no accuracy points, while the same notebook run on the
host would have. A cell that runs past its declared limit is stopped, and
the accuracy checks it breaks say so.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import os
import time

import numpy as np
import pytest

from course_lib import data
from course_tools import execute, sandbox
from course_tools.checks import load_checks
from course_tools.course import EXERCISES, SOLUTIONS
from course_tools.integrity import load_template, merge

from .assignments import fill, solution_sources

pytestmark = [pytest.mark.grading]

ASSIGNMENT, NOTEBOOK = "08-capstone", "capstone.ipynb"
SOURCE = SOLUTIONS / ASSIGNMENT / NOTEBOOK
needs_bwrap = pytest.mark.skipif(sandbox.bwrap() is None,
                                 reason="bubblewrap is unavailable")

DIGITS_FILE = ("import os\n"
               "import numpy\n"
               "_path = os.path.join(os.path.dirname(numpy.__file__), '..', "
               "'sklearn', 'datasets', 'data', 'digits.csv.gz')\n")
READS = {
    "the library": "from sklearn.datasets import load_digits\n"
                   "_x = load_digits().data",
    "the file by path": DIGITS_FILE + "import gzip\n"
                        "_x = numpy.loadtxt(gzip.open(_path), "
                        "delimiter=',')",
    "a dynamic import": "import importlib\n"
                        "_m = importlib.import_module('sklearn.datasets')\n"
                        "_x = getattr(_m, 'load_' + 'digits')().data",
}

# Labels the held-out images by their nearest public digit, over one-pixel
# moves, with no import the own-parts scan forbids.
CHEAT = DIGITS_FILE + """import gzip

_all = numpy.loadtxt(gzip.open(_path), delimiter=",")
_pad = np.pad(_all[:, :-1].reshape(-1, 8, 8) / 16.0, ((0, 0), (1, 1), (1, 1)))
_tmpl = np.stack([_pad[:, 1 - a:9 - a, 1 - b:9 - b] for a in (-1, 0, 1)
                  for b in (-1, 0, 1)], 1).reshape(-1, 64)
_lab = np.repeat(_all[:, -1].astype(int), 9)


def predict(images):
    f = np.asarray(images).reshape(len(images), -1)
    d = (f ** 2).sum(1)[:, None] - 2 * f @ _tmpl.T + (_tmpl ** 2).sum(1)
    return _lab[d.argmin(1)]


curves = {"train_loss": [1.0], "val_loss": [1.0], "val_acc": [0.5]}
"""

QUICK_MODEL = """def predict(images):
    return np.zeros(len(images), dtype=int)


curves = {"train_loss": [1.0], "val_loss": [1.0], "val_acc": [0.1]}
time.sleep(SLEEP)
"""


def _checks():
    return load_checks(ASSIGNMENT)


def _checks_module():
    spec = importlib.util.spec_from_file_location(
        "capstone_checks_masked", SOLUTIONS / ASSIGNMENT / "checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _submission(model: str) -> dict:
    release = json.loads((EXERCISES / ASSIGNMENT / NOTEBOOK).read_text("utf-8"))
    return fill(release, {**solution_sources(SOURCE), "model": model})


def _grade(model: str, seconds: dict | None = None):
    """Grade the reference parts with ``model`` as the network's cell, in
    the sandbox, with the accuracy checks only (they need no reference)."""
    template = load_template(ASSIGNMENT, NOTEBOOK)
    cells, integrity = merge(template, _submission(model))
    hidden = execute.Hidden({"test_accuracy": _checks()["test_accuracy"]},
                            None, 2026, seconds)
    limits = sandbox.Limits(cell_seconds=60, student_seconds=400)
    return execute.outcome(cells, limits, integrity, template.graded, 7,
                           hidden)


def _sha(x) -> str:
    return hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()


# ------------------------------------------------------------- the loader

def test_the_loader_reads_the_training_split_from_the_given_file(
        tmp_path, monkeypatch):
    (x, t), (x_test, _) = data.load_digits(flatten=False)
    (x32, _), _ = data.load_digits(dtype=np.float32)
    path = tmp_path / "train.npz"
    data.save_digits_train(path)
    monkeypatch.setenv(data.DIGITS_TRAIN_ENV, str(path))
    (y, s), (y_test, s_test) = data.load_digits(flatten=False)
    assert len(x_test) > 0
    assert np.array_equal(y, x) and y.dtype == x.dtype
    assert np.array_equal(s, t) and s.dtype == t.dtype
    assert y_test.shape == (0, 1, 8, 8) and s_test.shape == (0,)
    (y32, _), (flat, _) = data.load_digits(dtype=np.float32)
    assert np.array_equal(y32, x32) and y32.dtype == np.float32
    assert flat.shape == (0, 64)


def test_the_loader_says_what_it_cannot_do_while_grading(tmp_path,
                                                         monkeypatch):
    monkeypatch.setenv(data.DIGITS_TRAIN_ENV, str(tmp_path / "none.npz"))
    with pytest.raises(FileNotFoundError, match="none.npz"):
        data.load_digits()
    data.save_digits_train(tmp_path / "none.npz")
    with pytest.raises(ValueError, match="'rng' must be None"):
        data.load_digits(rng=1)


def test_every_copy_of_the_digits_this_python_reads_is_masked():
    import sklearn.datasets

    used = os.path.join(os.path.dirname(sklearn.datasets.__file__), "data",
                        "digits.csv.gz")
    masked = {os.path.realpath(p) for p in sandbox.masked_paths()}
    assert os.path.realpath(used) in masked


# ------------------------------------------------------------ the sandbox

@needs_bwrap
def test_graded_code_cannot_read_the_digits_but_the_host_can():
    box = sandbox.Sandbox(sandbox.Limits(cell_seconds=60))
    try:
        for how, code in READS.items():
            reply = box.execute(code, False, 60)
            assert reply["status"] == "error", f"read {how} in the sandbox"
            ns: dict = {}
            exec(code, ns)  # the same code on the host reads the digits
            assert ns["_x"].shape[0] == 1797, how
        reply = box.execute(
            "import hashlib\nfrom course_lib.data import load_digits\n"
            "(x, t), (xt, tt) = load_digits(flatten=False)\n"
            "print(hashlib.sha256(x.tobytes()).hexdigest(),"
            " hashlib.sha256(t.tobytes()).hexdigest(), len(xt), len(tt))",
            False, 60)
    finally:
        box.close()
    assert reply["status"] == "ok", reply.get("evalue")
    (x, t), _ = data.load_digits(flatten=False)
    printed = "".join(o.get("text", "") for o in reply["outputs"]).split()
    assert printed == [_sha(x), _sha(t), "0", "0"], \
        "inside, the loader gives the same training split and no test split"


@needs_bwrap
def test_a_notebook_that_reads_the_test_split_scores_no_accuracy():
    ns: dict = {"np": np}
    exec(CHEAT, ns)  # on the host the cheat finds the public digits
    capstone = _checks_module()
    acc = capstone.accuracy_of(ns["predict"], np.random.default_rng(0))
    assert acc >= capstone.THRESHOLDS[0], \
        f"on the host the cheat would earn points ({acc:.1%})"
    out = _grade(CHEAT)
    assert out.scores["test_accuracy"][0] == 0
    reasons = " ".join(r.reason for run in out.runs if run.checks
                       for r in run.checks)
    assert "predict is not defined" in reasons


# ------------------------------------------------------------ time limits

def test_the_capstone_declares_the_training_limit():
    declared = execute.declared_seconds(SOURCE)
    assert set(declared) == {"model", "test_accuracy"}
    hidden = execute.Hidden(_checks(), None, 0)
    assert execute.cell_seconds(hidden) == declared
    assert execute.cell_seconds(execute.Hidden({}, None, 0, {"x": 1.0})) \
        == {"x": 1.0}


@pytest.mark.parametrize("value", [0, -1, "60", True, float("inf")])
def test_a_bad_declared_limit_is_refused(tmp_path, value):
    nb = json.loads(SOURCE.read_text("utf-8"))
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "model":
            cell["metadata"]["course"] = {"seconds": value}
    path = tmp_path / NOTEBOOK
    path.write_text(json.dumps(nb), "utf-8")
    with pytest.raises(ValueError, match="course.seconds.*model"):
        execute.declared_seconds(path)


@needs_bwrap
def test_training_past_the_declared_limit_loses_the_accuracy_points():
    start = time.monotonic()
    slow = _grade(QUICK_MODEL.replace("SLEEP", "6"),
                  {"model": 2.0, "test_accuracy": 20.0})
    assert time.monotonic() - start < 60
    failures = " | ".join(slow.failures)
    assert "model: stopped at its time limit of 2 s" in failures, failures
    assert "(the cell model was stopped at its time limit of 2 s" \
        in failures, failures
    assert slow.scores["test_accuracy"][0] == 0
    # the same cell within a larger limit runs to its end
    fast = _grade(QUICK_MODEL.replace("SLEEP", "0.5"),
                  {"model": 20.0, "test_accuracy": 20.0})
    assert not any(f.startswith("model:") for f in fast.failures), \
        fast.failures
    assert any("below 90%" in f for f in fast.failures), fast.failures
