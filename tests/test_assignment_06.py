"""Assignment 06-convolution beyond what tests/test_assignments_fast.py
checks for every assignment: the hidden checks' reasons name the mistake of
a plausible wrong answer (tests/mutants/06-convolution.py) in words, not as
a NumPy error; each backward-pass cell has two plausible wrong answers; and
the reference backward passes agree with central differences and with the
library's layers.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.layers import Conv2D, MaxPool2D
from course_tools.checks import reference
from course_tools.course import SOLUTIONS

from .assignments import hidden_in_process, load_mutants, run_visible, variants

ASSIGNMENT, NOTEBOOK = "06-convolution", "convolution.ipynb"
NEW_CELLS = ("test_col2im", "test_conv_backward", "test_maxpool_backward")

REF = reference(SOLUTIONS / ASSIGNMENT / NOTEBOOK)
VARIANTS = variants(ASSIGNMENT, NOTEBOOK)
MUTANTS = {m.name: m for m in load_mutants(ASSIGNMENT)}


@pytest.mark.parametrize("name, words", [
    ("col2im-overwrites", "ADD overlapping"),
    ("conv-back-db-batch-only", "per filter"),
    ("conv-back-dW-mean", "SUM over the batch"),
    ("maxpool-back-zero-padding", "-inf")])
def test_feedback_names_the_mistake(name, words):
    """The hidden checks' reasons say what is wrong, not a NumPy error."""
    nb = VARIANTS[f"mutant-{name}"]
    namespace, _ = run_visible(nb)
    _, reasons = hidden_in_process(ASSIGNMENT, NOTEBOOK, nb, namespace)
    reason = reasons[MUTANTS[name].loses[0]]
    assert words in reason, (name, reason)
    assert "broadcast" not in reason, (name, reason)


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
