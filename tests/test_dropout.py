"""Dropout, Gaussian dropout and Alpha dropout (Chapter 5)."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.layers import AlphaDropout, Dropout, GaussianDropout
from course_lib.network import mlp

pytestmark = pytest.mark.ch5

# Shapes, dtypes, unmodified inputs, call order, dout checks and frozen-noise
# gradient checks of every mode are in test_layer_contract.py.


# ------------------------------------------------------------ arguments
@pytest.mark.parametrize("ratio", [-0.1, 1.0, 1.5, float("nan"),
                                   float("inf")])
def test_bad_ratio_raises(ratio):
    with pytest.raises(ValueError, match="'ratio'.*\\[0.0, 1.0\\)"):
        Dropout(ratio)


@pytest.mark.parametrize("cls", [GaussianDropout, AlphaDropout])
def test_bad_rate_raises(cls):
    with pytest.raises(ValueError, match="'rate'"):
        cls(1.0)
    with pytest.raises(ValueError, match="'rate'"):
        cls(-0.2)


def test_bad_types_raise():
    with pytest.raises(TypeError, match="'inverted'"):
        Dropout(0.5, inverted="yes")
    with pytest.raises(TypeError, match="'ratio'"):
        Dropout("0.5")
    with pytest.raises(TypeError, match="rng"):
        Dropout(0.5, rng="seed")
    with pytest.raises(TypeError, match="'x'"):
        Dropout(0.5).forward(np.ones((2, 2), dtype=int))


# ------------------------------------------------------------ behaviour
def test_mask_values_and_scale():
    p = 0.25
    layer = Dropout(p, rng=3)
    x = np.random.default_rng(4).uniform(1, 2, size=(50, 40))
    out = layer.forward(x)
    kept = layer.mask
    assert kept.dtype == bool and kept.shape == x.shape
    np.testing.assert_array_equal(out[~kept], 0.0)
    np.testing.assert_allclose(out[kept], x[kept] / (1 - p), rtol=1e-15)
    direct = Dropout(p, inverted=False, rng=3)
    out_d = direct.forward(x)
    np.testing.assert_array_equal(direct.mask, kept)   # same seed, same mask
    np.testing.assert_array_equal(out_d, x * kept)


def test_keep_fraction_matches_ratio():
    p, n = 0.3, 200_000
    layer = Dropout(p, rng=0)
    layer.forward(np.ones((n, 1)))
    frac = layer.mask.mean()
    sigma = np.sqrt(p * (1 - p) / n)      # binomial standard error
    assert abs(frac - (1 - p)) < 5 * sigma


def test_backward_uses_forward_mask():
    p = 0.4
    layer = Dropout(p, rng=8)
    rng = np.random.default_rng(9)
    x = rng.standard_normal((30, 20))
    out = layer.forward(x)
    mask = layer.mask.copy()
    dout = rng.standard_normal(x.shape)
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dx, dout * mask / (1 - p))
    # a second backward (no new forward) must not redraw the mask
    np.testing.assert_array_equal(layer.backward(dout), dx)
    # zero gradient exactly where the unit was dropped in forward
    np.testing.assert_array_equal(dx == 0, out == 0)


def test_direct_backward():
    layer = Dropout(0.5, inverted=False, rng=1)
    x = np.ones((6, 6))
    layer.forward(x)
    dx = layer.backward(np.full((6, 6), 3.0))
    np.testing.assert_array_equal(dx, 3.0 * layer.mask)


def test_new_mask_each_training_pass():
    layer = Dropout(0.5, rng=0)
    x = np.ones((20, 20))
    a = layer.forward(x).copy()
    b = layer.forward(x)
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("inverted,scale", [(True, 1.0), (False, 0.8)])
def test_inference_is_deterministic(inverted, scale):
    layer = Dropout(0.2, inverted=inverted, rng=0)
    x = np.random.default_rng(0).standard_normal((5, 4))
    out1 = layer.forward(x, train=False)
    out2 = layer.forward(x, train=False)
    np.testing.assert_array_equal(out1, out2)
    np.testing.assert_allclose(out1, scale * x, rtol=1e-15)
    np.testing.assert_allclose(layer.backward(np.ones_like(x)),
                               np.full_like(x, scale), rtol=1e-15)


def test_ratio_zero_is_identity():
    x = np.random.default_rng(0).standard_normal((4, 4))
    for inverted in (True, False):
        layer = Dropout(0.0, inverted=inverted, rng=0)
        np.testing.assert_array_equal(layer.forward(x), x)
        np.testing.assert_array_equal(layer.forward(x, train=False), x)


@pytest.mark.parametrize("inverted", [True, False])
def test_expected_training_output_equals_inference(inverted):
    """E[train output] = inference output, for direct and inverted."""
    p, n = 0.5, 20_000
    x = np.array([[0.5, 1.0, 2.0, -3.0]])
    layer = Dropout(p, inverted=inverted, rng=12)
    samples = layer.forward(np.repeat(x, n, axis=0))
    mean = samples.mean(axis=0)
    target = layer.forward(x, train=False)[0]
    # std of one sample: |x| * scale * sqrt(p (1 - p))
    scale = 1 / (1 - p) if inverted else 1.0
    se = np.abs(x[0]) * scale * np.sqrt(p * (1 - p)) / np.sqrt(n)
    assert np.all(np.abs(mean - target) < 5 * se)


def test_direct_and_inverted_agree_at_inference_up_to_scale():
    """Both give the same function up to the factor (1 - p) everywhere."""
    p = 0.3
    x = np.random.default_rng(5).standard_normal((200, 10))
    inv, direct = Dropout(p, rng=1), Dropout(p, inverted=False, rng=1)
    np.testing.assert_allclose(inv.forward(x) * (1 - p), direct.forward(x),
                               rtol=1e-14)
    np.testing.assert_allclose(inv.forward(x, train=False) * (1 - p),
                               direct.forward(x, train=False), rtol=1e-14)


def test_rng_reproducibility_and_generator_used_as_given():
    x = np.ones((8, 8))
    a, b = Dropout(0.5, rng=42), Dropout(0.5, rng=42)
    for _ in range(3):
        np.testing.assert_array_equal(a.forward(x), b.forward(x))
    gen = np.random.default_rng(7)
    ref = np.random.default_rng(7)
    layer = Dropout(0.5, rng=gen)
    layer.forward(x)
    np.testing.assert_array_equal(layer.mask, ref.random(x.shape) >= 0.5)
    # the caller's generator advanced: the layer drew from it directly
    assert gen.random() == ref.random()


def test_mlp_adds_dropout_layers():
    net = mlp([6, 5, 4, 3], dropout=0.2, rng=0)
    drops = [layer for layer in net.layers if isinstance(layer, Dropout)]
    assert len(drops) == 2 and all(d.ratio == 0.2 for d in drops)
    x = np.random.default_rng(0).standard_normal((4, 6))
    np.testing.assert_array_equal(net.predict(x), net.predict(x))


# ---------------------------------------------------- Gaussian and Alpha
def test_gaussian_dropout_moments():
    p, n = 0.2, 200_000
    layer = GaussianDropout(p, rng=0)
    out = layer.forward(np.ones((n, 1)))
    var = p / (1 - p)
    assert abs(out.mean() - 1) < 5 * np.sqrt(var / n)
    # variance of a sample variance: about 2 var^2 / n for a Gaussian
    assert abs(out.var() - var) < 5 * np.sqrt(2 * var ** 2 / n)
    assert layer.stddev == pytest.approx(0.5)
    x = np.random.default_rng(1).standard_normal((3, 3))
    np.testing.assert_array_equal(layer.forward(x, train=False), x)


def test_alpha_dropout_keeps_mean_and_variance():
    n = 400_000
    layer = AlphaDropout(0.2, rng=0)
    x = np.random.default_rng(3).standard_normal((n, 1))
    out = layer.forward(x)
    assert abs(out.mean()) < 5 / np.sqrt(n)
    assert abs(out.var() - 1) < 5 * np.sqrt(2 / n) * 2
    alpha_p, a, b = layer.coefficients
    assert alpha_p == pytest.approx(-1.7580993408473766)
    dropped = out[x != 0][(out[x != 0] == a * alpha_p + b)]
    assert dropped.size > 0.15 * n
    np.testing.assert_array_equal(layer.forward(x[:5], train=False), x[:5])
