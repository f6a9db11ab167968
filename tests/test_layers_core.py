"""Contract battery for the core layers, losses and gradient checking."""

from __future__ import annotations

import numpy as np
import pytest

import course_lib as cl
from course_lib.gradcheck import check_layer, numerical_gradient, \
    relative_error

pytestmark = pytest.mark.ch1

N, D, M = 4, 7, 3


def make_layers(rng, dtype=np.float64):
    W = rng.standard_normal((D, M)).astype(dtype)
    b = rng.standard_normal(M).astype(dtype)
    return {
        "Affine": (cl.Affine(W, b), (N, D)),
        "Affine-4d": (cl.Affine(W[:6].copy(), b), (N, 1, 2, 3)),
        "ReLU": (cl.ReLU(), (N, D)),
        "Sigmoid": (cl.Sigmoid(), (N, D)),
        "Tanh": (cl.Tanh(), (N, D)),
        "Flatten": (cl.Flatten(), (N, 2, 3)),
    }


NAMES = list(make_layers(np.random.default_rng(0)))


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_numerical_gradient(name):
    rng = np.random.default_rng(1)
    layer, shape = make_layers(rng)[name]
    x = rng.standard_normal(shape)
    if name == "ReLU":  # keep inputs away from the kink at 0
        x += np.sign(x) * 0.1
    errors = check_layer(layer, x, rng=2)
    assert set(errors) == {"x", *layer.params}
    for key, err in errors.items():
        assert err < 1e-7, f"{name}: gradient of {key} off by {err:.2e}"


@pytest.mark.parametrize("name", NAMES)
def test_contract(name):
    rng = np.random.default_rng(3)
    layer, shape = make_layers(rng)[name]
    assert set(layer.params) == set(layer.grads)
    for k in layer.params:
        assert layer.params[k].shape == layer.grads[k].shape
    x = rng.standard_normal(shape)
    x_copy = x.copy()
    fresh = type(layer)(*[p.copy() for p in layer.params.values()])
    with pytest.raises(RuntimeError, match="before forward"):
        fresh.backward(np.ones(1))
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dout_copy = dout.copy()
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    assert np.array_equal(x, x_copy) and np.array_equal(dout, dout_copy), \
        "layers must not modify x or dout"
    assert repr(layer)


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name):
    rng = np.random.default_rng(4)
    layer, shape = make_layers(rng, np.float32)[name]
    x = rng.standard_normal(shape).astype(np.float32)
    out = layer.forward(x)
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    for g in layer.grads.values():
        assert g.dtype == np.float32


def test_affine_params_alias_constructor_arrays():
    W, b = np.zeros((2, 3)), np.zeros(3)
    layer = cl.Affine(W, b)
    assert layer.params["W"] is W and layer.params["b"] is b


def test_affine_rejects_wrong_feature_count():
    layer = cl.Affine(np.zeros((784, 100)), np.zeros(100))
    with pytest.raises(ValueError, match=r"\(N, 784\).*got \(32, 64\)"):
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


@pytest.mark.parametrize("t, match", [
    (np.array([0, 3]), r"labels in \[0, 2\]; got label 3"),
    (np.array([0, -1]), r"got label -1"),
    (np.array([0, 1, 2]), r"shape \(2,\)"),
    (np.array([0.5, 1.0]), "integer class labels"),
])
def test_softmax_loss_rejects_bad_labels(t, match):
    with pytest.raises((ValueError, TypeError), match=match):
        cl.SoftmaxWithLoss().forward(np.zeros((2, 3)), t)


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
