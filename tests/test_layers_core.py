"""Core layers, losses, labels and gradient checking, beyond the contract
battery of test_layer_contract.py."""

from __future__ import annotations

import numpy as np
import pytest

import course_lib as cl
from course_lib.functional import cross_entropy, one_hot
from course_lib.gradcheck import check_layer, numerical_gradient, relative_error

pytestmark = pytest.mark.ch1


def test_affine_params_alias_constructor_arrays():
    W, b = np.zeros((2, 3)), np.zeros(3)
    layer = cl.Affine(W, b)
    assert layer.params["W"] is W and layer.params["b"] is b


def test_affine_rejects_wrong_feature_count():
    layer = cl.Affine(np.zeros((784, 100)), np.zeros(100))
    with pytest.raises(ValueError, match=r"\(N, 784\).*got shape \(32, 64\)"):
        layer.forward(np.zeros((32, 64)))


def test_affine_rejects_mismatched_bias():
    with pytest.raises(ValueError, match="'b' must have shape \\(3,\\)"):
        cl.Affine(np.zeros((2, 3)), np.zeros(4))


def test_softmax_with_loss_gradient_and_value():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 4))
    t = rng.integers(0, 4, 5)
    loss = cl.SoftmaxWithLoss()
    value = loss.forward(x, t)
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert value == pytest.approx(-np.mean(np.log(p[np.arange(5), t])))
    dx = loss.backward()
    num = numerical_gradient(lambda z: cl.SoftmaxWithLoss().forward(z, t), x)
    assert relative_error(dx, num) < 1e-7
    onehot = np.eye(4)[t]
    assert cl.SoftmaxWithLoss().forward(x, onehot) == pytest.approx(value)


@pytest.mark.parametrize("scale", [1e4, -1e4])
def test_softmax_loss_is_finite_for_huge_logits(scale):
    x = np.array([[scale, -scale, 0.0], [0.0, scale, -scale]])
    loss = cl.SoftmaxWithLoss()
    value = loss.forward(x, np.array([1, 2]))
    assert np.isfinite(value)
    assert np.all(np.isfinite(loss.backward()))
    assert np.all(np.isfinite(cl.functional.softmax(x)))


def test_numerical_gradient_leaves_x_unchanged_and_is_accurate():
    x = np.random.default_rng(6).standard_normal((3, 2))
    before = x.copy()
    g = numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
    assert np.array_equal(x, before)
    assert relative_error(g, 3 * x ** 2) < 1e-9


def test_relative_error_is_safe_at_zero():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([1.0], [1.0]) == 0.0
    assert relative_error([1.0], [3.0]) == pytest.approx(0.5)


def test_numerical_gradient_rejects_bad_h():
    with pytest.raises(ValueError, match="'h'"):
        numerical_gradient(np.sum, np.zeros(2), h=0)


def test_relu_gradient_at_zero_is_zero():
    relu = cl.ReLU()
    relu.forward(np.array([[-1.0, 0.0, 2.0]]))
    assert relu.backward(np.ones((1, 3))).tolist() == [[0.0, 0.0, 1.0]]


def test_affine_and_flatten_reject_an_empty_batch():
    with pytest.raises(ValueError, match=r"Affine.forward: 'x' must be a "
                       r"batch of at least one sample.*got shape \(0, 3\)"):
        cl.Affine(np.ones((3, 2)), np.zeros(2)).forward(np.ones((0, 3)))
    with pytest.raises(ValueError, match=r"Flatten.forward.*\(0, 2, 2\)"):
        cl.Flatten().forward(np.ones((0, 2, 2)))


def test_flatten_backward_checks_dout():
    layer = cl.Flatten()
    layer.forward(np.ones((4, 2, 3)))
    with pytest.raises(ValueError, match=r"'dout' must have the shape of the "
                       r"forward output \(4, 6\); got shape \(6, 4\)"):
        layer.backward(np.ones((6, 4)))       # same size, wrong shape


# ------------------------------------------------------------ soft targets

def test_softmax_loss_with_soft_targets_matches_formula():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((6, 4))
    t = rng.uniform(0, 1, (6, 4))
    t /= t.sum(axis=1, keepdims=True)
    loss = cl.SoftmaxWithLoss()
    value = loss.forward(x, t)
    logp = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    assert value == pytest.approx(-np.sum(t * logp) / 6, rel=1e-13)
    p = np.exp(logp)
    np.testing.assert_allclose(loss.backward(), (p - t) / 6, rtol=1e-13)
    assert cross_entropy(x, t) == pytest.approx(value, rel=1e-13)
    num = numerical_gradient(lambda z: cl.SoftmaxWithLoss().forward(z, t), x)
    assert relative_error(loss.backward(), num) < 1e-7


def test_soft_targets_equal_torch_when_installed():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x = rng.standard_normal((5, 3))
    t = rng.dirichlet(np.ones(3), size=5)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    want = torch.nn.functional.cross_entropy(xt, torch.from_numpy(t))
    want.backward()
    loss = cl.SoftmaxWithLoss()
    assert loss.forward(x, t) == pytest.approx(want.item(), rel=1e-12)
    np.testing.assert_allclose(loss.backward(), xt.grad.numpy(), rtol=1e-10,
                               atol=1e-15)


@pytest.mark.parametrize("row, match", [
    ([0.5, 0.6, 0.0], r"row 1 = \[0.5 0.6 0. \] with sum 1.1"),
    ([1.2, -0.2, 0.0], r"row 1 = .*with sum 1\b"),
    ([np.nan, 0.5, 0.5], r"row 1 = \[nan"),
])
def test_targets_that_are_not_probabilities_raise(row, match):
    t = np.array([[0.2, 0.3, 0.5], row, [0.0, 1.0, 0.0]])
    with pytest.raises(ValueError, match=r"SoftmaxWithLoss.forward: 't' must "
                       r"be int labels \(N,\) or rows of class probabilities"
                       r".*" + match):
        cl.SoftmaxWithLoss().forward(np.zeros((3, 3)), t)
    with pytest.raises(ValueError, match="cross_entropy: 't'.*" + match):
        cross_entropy(np.zeros((3, 3)), t)


def test_one_hot_targets_equal_int_labels_exactly():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((5, 4)) * 30
    t = rng.integers(0, 4, 5)
    a, b = cl.SoftmaxWithLoss(), cl.SoftmaxWithLoss()
    assert a.forward(x, t) == b.forward(x, np.eye(4)[t])
    np.testing.assert_array_equal(a.backward(), b.backward())
    # within rounding of 1, rows are still accepted (float32 one-hot sums)
    t32 = np.full((2, 3), 1 / 3, dtype=np.float32)
    assert np.isfinite(cl.SoftmaxWithLoss().forward(np.zeros((2, 3),
                                                             np.float32), t32))


# ------------------------------------------------------------------ labels

@pytest.mark.parametrize("t, kind, match", [
    (np.array([0, -1]), ValueError, r"'t' must be labels in \[0, 2\]; got "
     r"label -1\."),
    (np.array([0, 3]), ValueError, r"labels in \[0, 2\]; got label 3\."),
    (np.array([0.0, 1e20]), ValueError, r"labels in \[0, 2\]; got label "
     r"1e\+20\."),
    (np.array([0.0, 0.5]), ValueError, r"integer class labels; got label "
     r"0\.5\."),
    (np.array([0.0, np.nan]), ValueError, r"integer class labels; got label "
     r"nan\."),
    (np.array(["a", "b"]), TypeError, r"integer class labels; got dtype"),
    (np.array([0, 1, 2]), ValueError, r"shape \(3\)"),
])
def test_bad_labels_raise_in_every_function(t, kind, match):
    import warnings

    x = np.zeros((2, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # no cast warning on the way
        with pytest.raises(kind, match="cross_entropy: .*" + match):
            cross_entropy(x, t)
        with pytest.raises(kind, match="SoftmaxWithLoss.forward: .*" + match):
            cl.SoftmaxWithLoss().forward(x, t)
        if t.shape == (2,):
            with pytest.raises(kind, match="one_hot: .*" + match):
                one_hot(t, 3)


def test_one_hot_and_cross_entropy_accept_integral_labels():
    t = np.array([2.0, 0.0])
    np.testing.assert_array_equal(one_hot(t, 3), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(one_hot(np.array([2, 0], np.uint8), 3),
                                  [[0, 0, 1], [1, 0, 0]])
    x = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 0.0]])
    assert cross_entropy(x, t) == cross_entropy(x, t.astype(int))
    with pytest.raises(ValueError, match=r"cross_entropy: 'logits' must be a "
                       r"batch of at least one sample"):
        cross_entropy(np.zeros((0, 3)), np.zeros(0, int))


# ----------------------------------------------------- gradients in float64

def test_numerical_gradient_rejects_float32():
    with pytest.raises(TypeError, match=r"numerical_gradient: 'x' must be a "
                       r"float64 array \(numerical gradients need float64"
                       r".*got dtype float32"):
        numerical_gradient(np.sum, np.zeros(2, np.float32))


def test_check_layer_rejects_float32_input_and_params():
    with pytest.raises(TypeError, match=r"check_layer: 'x'.*float64.*"
                       r"got dtype float32"):
        check_layer(cl.ReLU(), np.ones((2, 3), np.float32))
    layer = cl.Affine(np.ones((3, 2), np.float32), np.zeros(2, np.float32))
    with pytest.raises(TypeError, match=r"check_layer: "
                       r"\"layer.params\['W'\]\".*got dtype float32"):
        check_layer(layer, np.ones((2, 3)))
