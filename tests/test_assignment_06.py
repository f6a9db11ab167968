"""Assignment 06-convolution, fast and without a sandbox.

The reference backward passes agree with central differences and with the
library's layers; every variant of the notebook (reference, blank release,
each plausible wrong answer of tests/mutants/06-convolution.py) is run in
process, with its visible tests and the hidden checks of
solutions/06-convolution/checks.py: each mutant fails a visible test of a
cell it loses and loses exactly the hidden points of its ``loses`` cells.
tests/test_assignments.py proves the same scores with real nbgrader.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json

import numpy as np
import pytest

from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.layers import Conv2D, MaxPool2D
from course_tools.checks import Probe, StudentError, load_checks, reference, run_check
from course_tools.course import EXERCISES, SOLUTIONS

from .assignments import load_mutants, nbgrader_meta, variants

ASSIGNMENT, NOTEBOOK = "06-convolution", "convolution.ipynb"
NEW_CELLS = ("test_col2im", "test_conv_backward", "test_maxpool_backward")

REF = reference(SOLUTIONS / ASSIGNMENT / NOTEBOOK)
CHECKS = load_checks(ASSIGNMENT)
MUTANTS = {m.name: m for m in load_mutants(ASSIGNMENT)}


class LocalProbe(Probe):
    """A notebook's namespace behind the probe interface (data in, data
    out, exceptions as StudentError), for fast tests only."""

    def __init__(self, namespace):
        self._ns = namespace

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        target = self._ns[name]

        def call(*args):
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    out = target(*copy.deepcopy(args))
            except Exception as exc:  # student code: reported as data
                raise StudentError(type(exc).__name__, str(exc)) from None
            return copy.deepcopy(out)
        return call


def run_variant(nb: dict) -> tuple[dict, dict[str, float], dict[str, str]]:
    """(visible failures: grade_id -> message, hidden scores, reasons)."""
    ns: dict = {}
    failures = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        gid = nbgrader_meta(cell).get("grade_id")
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec("".join(cell["source"]), ns)
        except Exception as exc:
            failures[gid] = f"{type(exc).__name__}: {exc}"
    probe = LocalProbe(ns)
    scores, reasons = {}, {}
    for cell, items in CHECKS.items():
        results = [run_check(item, probe, REF, seed=2026) for item in items]
        scores[cell] = sum(r.points for r in results if r.passed)
        reasons[cell] = " | ".join(r.reason for r in results if not r.passed)
    return failures, scores, reasons


@pytest.fixture(scope="module")
def outcomes():
    return {student: run_variant(nb)
            for student, nb in variants(ASSIGNMENT, NOTEBOOK).items()}


@pytest.fixture(scope="module")
def points():
    nb = json.loads((EXERCISES / ASSIGNMENT / NOTEBOOK).read_text())
    return {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c)["points"])
            for c in nb["cells"] if nbgrader_meta(c).get("grade")
            and c["cell_type"] == "code"}


def test_reference_passes_everything(outcomes, points):
    failures, scores, reasons = outcomes["reference"]
    assert failures == {}
    assert scores == points, reasons


def test_blank_scores_zero(outcomes, points):
    failures, scores, _ = outcomes["blank"]
    assert set(scores) == set(points)
    assert all(v == 0 for v in scores.values()), scores
    assert set(failures) == set(points), "every visible test must fail"


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_loses_exactly_its_cells(outcomes, points, name):
    mutant = MUTANTS[name]
    failures, scores, reasons = outcomes[f"mutant-{name}"]
    for cell, full in points.items():
        if cell in mutant.loses:
            assert scores[cell] < full, f"{name} keeps the points of {cell}"
        else:
            assert scores[cell] == full, (
                f"{name} loses points of {cell}: {reasons[cell]}")
    seen = [c for c in mutant.loses if c in failures]
    assert seen, f"{name} passes every visible test of {mutant.loses}"
    if mutant.message:
        text = " ".join(failures.get(c, "") + reasons[c]
                        for c in mutant.loses)
        assert mutant.message.lower() in text.lower(), text


def test_feedback_names_the_mistake(outcomes):
    """The hidden checks' reasons say what is wrong, not a NumPy error."""
    for name, words in [("col2im-overwrites", "ADD overlapping"),
                        ("conv-back-db-batch-only", "per filter"),
                        ("conv-back-dW-mean", "SUM over the batch"),
                        ("maxpool-back-zero-padding", "-inf")]:
        reasons = outcomes[f"mutant-{name}"][2][MUTANTS[name].loses[0]]
        assert words in reasons, (name, reasons)
        assert "broadcast" not in reasons, (name, reasons)


def test_new_cells_have_two_mutants_each():
    cells = [m.loses for m in MUTANTS.values()]
    for cell in NEW_CELLS:
        assert sum(loses == (cell,) for loses in cells) >= 2, cell


# ----------------------------------- the reference against the definitions

def _loss_of(forward, dout):
    return lambda _: float(np.sum(forward() * dout))


@pytest.mark.parametrize("xs,ws,stride,pad", [
    ((2, 3, 7, 5), (4, 3, 3, 3), 2, 1), ((3, 2, 6, 6), (5, 2, 2, 2), 2, 0),
    ((1, 4, 6, 7), (2, 4, 1, 3), 1, 0)])
def test_reference_conv_backward(xs, ws, stride, pad):
    rng = np.random.default_rng(6)
    x, W, b = rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0])
    layer = Conv2D(W, b, stride=stride, pad=pad)
    dout = rng.normal(size=layer.output_shape(x.shape))
    dx, dW, db = REF.conv_backward(dout, x, W, stride, pad)
    loss = _loss_of(lambda: REF.conv_forward(x, W, b, stride, pad), dout)
    for got, arg in [(dx, x), (dW, W), (db, b)]:
        assert relative_error(got, numerical_gradient(loss, arg)) < 1e-8
    layer.forward(x)
    np.testing.assert_allclose(dx, layer.backward(dout), atol=1e-12)
    np.testing.assert_allclose(dW, layer.grads["W"], atol=1e-12)
    np.testing.assert_allclose(db, layer.grads["b"], atol=1e-12)


@pytest.mark.parametrize("xs,size,stride,pad,ties", [
    ((2, 3, 6, 6), 2, 2, 0, False), ((2, 2, 7, 7), 3, 2, 1, False),
    ((2, 3, 6, 6), 2, 1, 0, True), ((1, 2, 7, 7), 3, 2, 1, True)])
def test_reference_maxpool_backward(xs, size, stride, pad, ties):
    rng = np.random.default_rng(7)
    x = (rng.integers(0, 3, size=xs).astype(float) if ties
         else rng.normal(size=xs))
    layer = MaxPool2D(size, stride, pad)
    dout = rng.normal(size=layer.output_shape(x.shape))
    dx = REF.maxpool_backward(dout, x, size, stride, pad)
    layer.forward(x)
    np.testing.assert_array_equal(dx, layer.backward(dout))  # first maximum
    if not ties:
        loss = _loss_of(lambda: layer.forward(x), dout)
        assert relative_error(dx, numerical_gradient(loss, x)) < 1e-8


def test_reference_col2im_is_the_adjoint_of_im2col():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 3, 7, 6))
    col = REF.im2col(x, 3, 2, 2, 1)
    d = rng.normal(size=col.shape)
    assert np.isclose(np.sum(col * d),
                      np.sum(x * REF.col2im(d, x.shape, 3, 2, 2, 1)))
