"""Batch, layer and group normalization: every message in full, the
statistics helper, the staged backward pass's ``eps``, gradients that
start at zero, and train versus inference on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

import course_lib.layers as L
from course_lib.layers.normalization import (
    batchnorm_backward_staged,
    channel_statistics,
)

pytestmark = pytest.mark.ch4


def _raises(kind, message, call, *args, **kwargs):
    with pytest.raises(kind) as info:
        call(*args, **kwargs)
    assert str(info.value) == message


# built inside each test (a layer built while tests are collected would
# run the constructor of the unmutated code)
NORMS = {"BatchNorm": lambda g, b: L.BatchNorm(g, b),
         "LayerNorm": lambda g, b: L.LayerNorm(g, b),
         "GroupNorm": lambda g, b: L.GroupNorm(g, b, groups=3)}


# ------------------------------------------------------- channel_statistics


def test_channel_statistics_refuses_other_ranks_and_integers():
    _raises(ValueError, "channel_statistics: 'x' must be a 2-D or 4-D "
            "array; got shape (2, 3, 4).", channel_statistics,
            np.ones((2, 3, 4)))
    _raises(TypeError, "channel_statistics: 'x' must be a floating-point "
            "array; got dtype int64.", channel_statistics,
            np.ones((2, 3), dtype=np.int64))


def test_channel_statistics_unbiased_needs_two_values_per_channel():
    _raises(ValueError, "channel_statistics: 'x' must be at least 2 values "
            "per channel for the unbiased variance; got shape (1, 3).",
            channel_statistics, np.ones((1, 3)), unbiased=True)
    mean, var = channel_statistics(np.array([[1.0, 2.0], [3.0, 6.0]]),
                                   unbiased=True)
    assert mean.tolist() == [2.0, 4.0] and var.tolist() == [2.0, 8.0]
    mean, var = channel_statistics(np.array([[1.0, 2.0], [3.0, 6.0]]))
    assert var.tolist() == [1.0, 4.0]


def test_channel_statistics_of_images_pool_pixels_and_batch():
    x = np.zeros((2, 2, 1, 2))
    x[:, 0] = [[[1.0, 3.0]], [[5.0, 7.0]]]        # channel 0: 1, 3, 5, 7
    x[:, 1] = 2.0
    mean, var = channel_statistics(x, unbiased=True)
    assert mean.tolist() == [4.0, 2.0]
    assert var.tolist() == [20.0 / 3.0, 0.0]
    # one image of 1x2 pixels still has two values per channel
    mean, var = channel_statistics(x[:1], unbiased=True)
    assert mean.tolist() == [2.0, 2.0] and var.tolist() == [2.0, 0.0]


# -------------------------------------------------------------- BatchNorm


def test_batchnorm_constructor_messages():
    one, zero = np.ones(3), np.zeros(3)
    _raises(ValueError, "BatchNorm: 'gamma' must be a 1-D array; got shape "
            "(1, 3).", L.BatchNorm, np.ones((1, 3)), zero)
    _raises(ValueError, "BatchNorm: 'beta' must be a 1-D array; got shape "
            "(1, 3).", L.BatchNorm, one, np.zeros((1, 3)))
    _raises(TypeError, "BatchNorm: 'beta' must be a numpy.ndarray; got "
            "list.", L.BatchNorm, one, [0.0, 0.0, 0.0])
    _raises(ValueError, "BatchNorm: 'momentum' must be a finite number in "
            "[0.0, 1.0); got 1.0.", L.BatchNorm, one, zero, momentum=1.0)
    _raises(ValueError, "BatchNorm: 'eps' must be a finite number > 0.0; "
            "got 0.", L.BatchNorm, one, zero, eps=0)


def test_batchnorm_forward_messages():
    bn = L.BatchNorm(np.ones(3), np.zeros(3))
    _raises(ValueError, "BatchNorm.forward: 'x' must be a 2-D or 4-D array; "
            "got shape (2, 3, 4).", bn.forward, np.ones((2, 3, 4)))
    _raises(TypeError, "BatchNorm.forward: 'x' must be a numpy.ndarray; got "
            "list.", bn.forward, [[1.0, 2.0, 3.0]])
    for train in (True, False):
        _raises(ValueError, "BatchNorm.forward: 'x' must be a batch of at "
                "least one sample (N >= 1); got shape (0, 3).", bn.forward,
                np.ones((0, 3)), train=train)


@pytest.mark.parametrize("name", NORMS)
def test_gradients_start_at_zero_in_the_parameters_dtype(name):
    layer = NORMS[name](np.ones(3, np.float32), np.zeros(3, np.float32))
    assert layer.grads.keys() == layer.params.keys() == {"gamma", "beta"}
    for k, p in layer.params.items():
        g = layer.grads[k]
        assert g.shape == p.shape and g.dtype == np.float32 and not g.any()


def test_batchnorm_images_by_hand_in_both_modes():
    # channel 0 holds 1, 3 (mean 2, variance 1); channel 1 holds 4, 4
    x = np.array([[[[1.0]], [[4.0]]], [[[3.0]], [[4.0]]]])   # (2, 2, 1, 1)
    bn = L.BatchNorm(np.array([2.0, 1.0]), np.array([0.5, -1.0]),
                     momentum=0.5, eps=1e-12)
    out = bn.forward(x)
    np.testing.assert_allclose(out[:, :, 0, 0], [[-1.5, -1.0], [2.5, -1.0]],
                               rtol=1e-12)
    # running: 0.5 * (0, 1) + 0.5 * (mean, m/(m-1) var) with m = 2
    assert bn.running_mean.tolist() == [1.0, 2.0]
    assert bn.running_var.tolist() == [1.5, 0.5]
    y = bn.forward(np.full((1, 2, 1, 1), 3.0), train=False)
    # gamma (x - mu) / sqrt(var + eps) + beta with mu = (1, 2), var = (1.5, .5)
    np.testing.assert_allclose(y.ravel(), [2 * 2 / np.sqrt(1.5) + 0.5,
                                           1 / np.sqrt(0.5) - 1.0],
                               rtol=1e-10)
    dx = bn.backward(np.ones((1, 2, 1, 1)))
    np.testing.assert_allclose(dx.ravel(), [2 / np.sqrt(1.5),
                                            1 / np.sqrt(0.5)], rtol=1e-10)


def test_batchnorm_eps_is_added_to_the_variance():
    bn = L.BatchNorm(np.ones(1), np.zeros(1), eps=3.0)
    out = bn.forward(np.array([[-1.0], [1.0]]))       # variance 1
    assert out.ravel().tolist() == [-0.5, 0.5]        # 1/sqrt(1 + 3)


def test_batchnorm_repr():
    assert repr(L.BatchNorm(np.ones(4), np.zeros(4))) == \
        "BatchNorm(D=4, momentum=0.9, eps=1e-05)"


# -------------------------------------------------- the staged backward pass


def test_staged_backward_messages():
    where = "batchnorm_backward_staged"
    x, g = np.ones((2, 3)), np.ones(3)
    _raises(ValueError, f"{where}: 'x' must be a 2-D or 4-D array; got "
            "shape (2, 3, 1).", batchnorm_backward_staged, np.ones((2, 3, 1)),
            np.ones((2, 3, 1)), g)
    _raises(ValueError, f"{where}: 'gamma' must be a 1-D array; got shape "
            "(1, 3).", batchnorm_backward_staged, x, x, np.ones((1, 3)))
    _raises(ValueError, f"{where}: 'gamma' must be of shape (3,) to match x "
            "(2, 3); got shape (2).", batchnorm_backward_staged, x, x,
            np.ones(2))
    _raises(ValueError, f"{where}: 'dout' must be of the shape of x (2, 3); "
            "got list.", batchnorm_backward_staged, [[1.0] * 3] * 2, x, g)
    _raises(ValueError, f"{where}: 'dout' must be of the shape of x (2, 3); "
            "got shape (3, 2).", batchnorm_backward_staged, np.ones((3, 2)),
            x, g)
    _raises(ValueError, f"{where}: 'x' must be a batch of at least 2 "
            "samples; got shape (1, 3).", batchnorm_backward_staged,
            np.ones((1, 3)), np.ones((1, 3)), g)


def test_staged_backward_default_eps_is_the_layers():
    # a variance of 1e-5, as large as eps, so eps changes every gradient
    rng = np.random.default_rng(0)
    x = 3e-3 * rng.standard_normal((5, 2))
    dout = rng.standard_normal((5, 2))
    gamma = np.array([1.5, -0.5])
    bn = L.BatchNorm(gamma, np.zeros(2))
    bn.forward(x)
    want = bn.backward(dout)
    dx, dgamma, dbeta = batchnorm_backward_staged(dout, x, gamma)
    np.testing.assert_allclose(dx, want, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(dgamma, bn.grads["gamma"], rtol=1e-12)


def test_staged_backward_of_images_uses_the_given_eps():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 2, 2))
    dout = rng.standard_normal(x.shape)
    gamma = np.array([1.0, 2.0, -1.0])
    bn = L.BatchNorm(gamma, np.zeros(3), eps=0.5)
    bn.forward(x)
    want = bn.backward(dout)
    dx, dgamma, dbeta = batchnorm_backward_staged(dout, x, gamma, eps=0.5)
    np.testing.assert_allclose(dx, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, bn.grads["gamma"], rtol=1e-10)
    np.testing.assert_allclose(dbeta, bn.grads["beta"], rtol=1e-12)


# ------------------------------------------------- LayerNorm and GroupNorm


def test_layernorm_constructor_messages():
    one, zero = np.ones(3), np.zeros(3)
    _raises(ValueError, "LayerNorm: 'gamma' must be a 1-D array; got shape "
            "(1, 3).", L.LayerNorm, np.ones((1, 3)), zero)
    _raises(ValueError, "LayerNorm: 'beta' must be a 1-D array; got shape "
            "(1, 3).", L.LayerNorm, one, np.zeros((1, 3)))
    _raises(ValueError, "LayerNorm: 'beta' must be of shape (3,) to match "
            "gamma; got shape (2,).", L.LayerNorm, one, np.zeros(2))
    _raises(ValueError, "LayerNorm: 'eps' must be a finite number > 0.0; "
            "got 0.", L.LayerNorm, one, zero, eps=0)


def test_groupnorm_constructor_messages():
    one, zero = np.ones(4), np.zeros(4)
    _raises(ValueError, "GroupNorm: 'gamma' must be a 1-D array; got shape "
            "(1, 4).", L.GroupNorm, np.ones((1, 4)), zero, 2)
    _raises(ValueError, "GroupNorm: 'beta' must be a 1-D array; got shape "
            "(4, 1).", L.GroupNorm, one, np.zeros((4, 1)), 2)
    _raises(TypeError, "GroupNorm: 'groups' must be an integer; got 1.5.",
            L.GroupNorm, one, zero, 1.5)
    _raises(ValueError, "GroupNorm: 'groups' must be an integer >= 1; got "
            "0.", L.GroupNorm, one, zero, 0)
    _raises(ValueError, "GroupNorm: 'groups' must be a divisor of the 4 "
            "channels of gamma; got 3.", L.GroupNorm, one, zero, 3)
    _raises(ValueError, "GroupNorm: 'eps' must be a finite number > 0.0; "
            "got -1.0.", L.GroupNorm, one, zero, 2, eps=-1.0)


def test_per_sample_norm_forward_messages():
    ln = L.LayerNorm(np.ones(3), np.zeros(3))
    _raises(TypeError, "LayerNorm.forward: 'x' must be a numpy.ndarray; got "
            "list.", ln.forward, [[1.0, 2.0, 3.0]])
    _raises(ValueError, "LayerNorm.forward: 'x' must be of shape (N, 3) to "
            "match gamma (3,); got shape (2, 4).", ln.forward, np.ones((2, 4)))
    _raises(ValueError, "LayerNorm.forward: 'x' must be a batch of at least "
            "one sample (N >= 1); got shape (0, 3).", ln.forward,
            np.ones((0, 3)))
    gn = L.GroupNorm(np.ones(4), np.zeros(4), 2)
    _raises(TypeError, "GroupNorm.forward: 'x' must be a numpy.ndarray; got "
            "list.", gn.forward, [1.0])
    _raises(ValueError, "GroupNorm.forward: 'x' must be of shape (N, 4, H, W)"
            " to match gamma (4,); got shape (2, 4, 3).", gn.forward,
            np.ones((2, 4, 3)))
    _raises(ValueError, "GroupNorm.forward: 'x' must be a batch of at least "
            "one sample (N >= 1); got shape (0, 4, 1, 1).", gn.forward,
            np.ones((0, 4, 1, 1)))


def test_groupnorm_by_hand_with_two_groups():
    # sample 0: group 0 holds 0, 2 (mean 1, var 1), group 1 holds 5, 5
    x = np.array([[[[0.0, 2.0]], [[5.0, 5.0]]]])       # (1, 2, 1, 2)
    gn = L.GroupNorm(np.array([2.0, 3.0]), np.array([1.0, -1.0]), groups=2,
                     eps=1e-12)
    out = gn.forward(x, train=False)
    np.testing.assert_allclose(out[0, :, 0], [[-1.0, 3.0], [-1.0, -1.0]],
                               atol=1e-9)
    dx = gn.backward(np.array([[[[1.0, 0.0]], [[0.0, 0.0]]]]))
    # row (0, 2) standardized: d/dx of gamma * x_hat at dout (1, 0):
    # gamma / sigma * (dout - mean(dout) - x_hat mean(dout x_hat)) = (0, 0)
    np.testing.assert_allclose(dx[0, 0, 0], [0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(gn.grads["gamma"], [-1.0, 0.0], rtol=1e-9)
    assert gn.grads["beta"].tolist() == [1.0, 0.0]


def test_per_sample_norm_reprs():
    assert repr(L.LayerNorm(np.ones(5), np.zeros(5), eps=1e-3)) == \
        "LayerNorm(D=5, eps=0.001)"
    assert repr(L.GroupNorm(np.ones(4), np.zeros(4), 2)) == \
        "GroupNorm(C=4, groups=2, eps=1e-05)"
