"""LayerNorm and GroupNorm: PyTorch's definitions, gradients, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import check_layer
from course_lib.layers import GroupNorm, LayerNorm
from course_lib.layers.normalization import GroupNorm as GroupNorm2
from course_lib.layers.normalization import LayerNorm as LayerNorm2

pytestmark = pytest.mark.ch4

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12),
       np.float32: dict(rtol=1e-5, atol=1e-5)}


def _params(rng, C, dtype) -> tuple[np.ndarray, np.ndarray]:
    gamma = rng.normal(1.0, 0.5, C).astype(dtype)
    beta = rng.standard_normal(C).astype(dtype)
    return gamma, beta


def _input(rng, shape, dtype):
    # a different offset and scale per sample, so per-sample statistics
    # matter
    n = shape[0]
    loc = rng.uniform(-3, 3, (n,) + (1,) * (len(shape) - 1))
    scale = rng.uniform(0.5, 4, (n,) + (1,) * (len(shape) - 1))
    return (loc + scale * rng.standard_normal(shape)).astype(dtype)


def _torch_reference(torch, fn, x, gamma, beta, dout):
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    gt = torch.from_numpy(gamma.copy()).requires_grad_(True)
    bt = torch.from_numpy(beta.copy()).requires_grad_(True)
    out = fn(xt, gt, bt)
    out.backward(torch.from_numpy(dout.copy()))
    return (out.detach().numpy(), xt.grad.numpy(), gt.grad.numpy(),
            bt.grad.numpy())


def _assert_close(ours, want, dtype):
    tol = dict(TOL[dtype])
    # atol relative to the size of the reference values
    tol["atol"] = tol["atol"] * max(1.0, float(np.max(np.abs(want))))
    np.testing.assert_allclose(ours, want, **tol)


def _assert_layer_matches(layer, x, dout, want, dtype):
    """out, dx, dgamma, dbeta of ``layer`` equal PyTorch's ``want``."""
    out = layer.forward(x)
    dx = layer.backward(dout)
    for ours, ref in zip((out, dx, layer.grads["gamma"],
                          layer.grads["beta"]), want, strict=True):
        assert ours.dtype == dtype
        _assert_close(ours, ref, dtype)


def _check_against_torch(make_layer, torch_fn, shape, dtype, seed):
    """``make_layer(gamma, beta)`` and ``torch_fn(x, gamma, beta)`` give
    the same output and gradients for random data of ``shape``."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    gamma, beta = _params(rng, shape[1], dtype)
    x = _input(rng, shape, dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    want = _torch_reference(torch, torch_fn(torch), x, gamma, beta, dout)
    _assert_layer_matches(make_layer(gamma, beta), x, dout, want, dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape, eps", [((5, 7), 1e-5), ((3, 2), 1e-5),
                                        ((8, 16), 1e-3)])
def test_layernorm_equals_torch(shape, eps, dtype):
    _check_against_torch(
        lambda g, b: LayerNorm(g, b, eps=eps),
        lambda torch: lambda x, g, b: torch.nn.functional.layer_norm(
            x, (shape[1],), g, b, eps), shape, dtype, seed=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape, groups", [((3, 6, 4, 5), 3),
                                           ((2, 6, 3, 3), 1),
                                           ((2, 4, 2, 3), 4),
                                           ((1, 8, 5, 1), 2)])
def test_groupnorm_equals_torch(shape, groups, dtype):
    _check_against_torch(
        lambda g, b: GroupNorm(g, b, groups),
        lambda torch: lambda x, g, b: torch.nn.functional.group_norm(
            x, groups, g, b, 1e-5), shape, dtype, seed=1)


def test_layernorm_by_hand():
    x = np.array([[1.0, 2.0, 3.0, 6.0], [0.0, 0.0, 4.0, 4.0]])
    gamma, beta = np.array([1.0, 2.0, 0.5, 1.0]), np.array([0, 1, 0, -1.0])
    out = LayerNorm(gamma, beta, eps=1e-5).forward(x)
    mean = x.mean(axis=1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=1, keepdims=True)   # biased
    want = (x - mean) / np.sqrt(var + 1e-5) * gamma + beta
    np.testing.assert_allclose(out, want, rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_layernorm_of_one_feature_is_beta(dtype):
    # x - mean is exactly 0 for one feature: out = beta and no gradient
    # reaches x or gamma (PyTorch's float32 rounding leaves ~1e-4 here)
    layer = LayerNorm(np.full(1, 3.0, dtype), np.full(1, 0.5, dtype))
    out = layer.forward(np.array([[1.7], [-2.3], [1e4]], dtype))
    np.testing.assert_array_equal(out, np.full((3, 1), 0.5, dtype))
    dx = layer.backward(np.array([[1.0], [2.0], [-1.0]], dtype))
    np.testing.assert_array_equal(dx, np.zeros((3, 1), dtype))
    np.testing.assert_array_equal(layer.grads["gamma"], np.zeros(1, dtype))
    np.testing.assert_array_equal(layer.grads["beta"], np.full(1, 2.0, dtype))


def test_groupnorm_by_hand_and_special_cases():
    rng = np.random.default_rng(2)
    x = _input(rng, (2, 4, 3, 2), np.float64)
    ones, zeros = np.ones(4), np.zeros(4)
    out = GroupNorm(ones, zeros, groups=2).forward(x)
    for n in range(2):
        for chans in (slice(0, 2), slice(2, 4)):
            v = x[n, chans]
            want = (v - v.mean()) / np.sqrt(v.var() + 1e-5)
            np.testing.assert_allclose(out[n, chans], want, rtol=1e-12)
    # one group: LayerNorm over (C, H, W); C groups: per image and channel
    flat = x.reshape(2, -1)
    np.testing.assert_allclose(
        GroupNorm(ones, zeros, 1).forward(x).reshape(2, -1),
        LayerNorm(np.ones(24), np.zeros(24)).forward(flat), rtol=1e-12)
    inst = GroupNorm(ones, zeros, 4).forward(x)
    np.testing.assert_allclose(inst.mean(axis=(2, 3)), 0.0, atol=1e-12)


@pytest.mark.parametrize("make, shape", [
    (lambda r: LayerNorm(*_params(r, 1, np.float64)), (3, 1)),
    (lambda r: LayerNorm(*_params(r, 9, np.float64)), (1, 9)),
    (lambda r: GroupNorm(*_params(r, 6, np.float64), groups=1),
     (2, 6, 2, 2)),
    (lambda r: GroupNorm(*_params(r, 6, np.float64), groups=6),
     (2, 6, 3, 2)),
    (lambda r: GroupNorm(*_params(r, 4, np.float64), groups=2),
     (1, 4, 1, 3)),
])
def test_gradient_check_edge_shapes(make, shape):
    rng = np.random.default_rng(3)
    layer = make(rng)
    errors = check_layer(layer, _input(rng, shape, np.float64), rng=4)
    for name, err in errors.items():
        assert err < 1e-7, f"d{name}: relative error {err:.1e}"


@pytest.mark.parametrize("make, shape", [
    (lambda: LayerNorm(np.ones(5), np.zeros(5)), (6, 5)),
    (lambda: GroupNorm(np.ones(4), np.zeros(4), 2), (6, 4, 2, 2)),
])
def test_per_sample_same_in_train_and_inference(make, shape):
    layer = make()
    x = _input(np.random.default_rng(5), shape, np.float64)
    whole = layer.forward(x, train=True)
    np.testing.assert_array_equal(layer.forward(x, train=False), whole)
    # a sample's output does not depend on its batch mates
    np.testing.assert_allclose(layer.forward(x[2:3]), whole[2:3],
                               rtol=1e-13)
    assert layer.buffers == {}


def test_params_alias_and_normalization_module_exports():
    gamma, beta = np.ones(3), np.zeros(3)
    layer = LayerNorm(gamma, beta)
    assert layer.params["gamma"] is gamma and layer.params["beta"] is beta
    assert LayerNorm2 is LayerNorm and GroupNorm2 is GroupNorm


# --------------------------------------------------------------- bad input

def test_layernorm_bad_input():
    with pytest.raises(ValueError, match=r"LayerNorm: 'beta' must be of "
                       r"shape \(4,\) to match gamma; got shape \(3,\)"):
        LayerNorm(np.ones(4), np.zeros(3))
    with pytest.raises(ValueError, match=r"LayerNorm: 'gamma' must be a 1-D"):
        LayerNorm(np.ones((2, 2)), np.zeros((2, 2)))
    with pytest.raises(TypeError, match="'gamma'"):
        LayerNorm([1.0, 1.0], np.zeros(2))
    for eps in (0.0, -1e-5, float("nan")):
        with pytest.raises(ValueError, match=r"LayerNorm: 'eps' must be a "
                           r"finite number > 0"):
            LayerNorm(np.ones(3), np.zeros(3), eps=eps)
    layer = LayerNorm(np.ones(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"LayerNorm.forward: 'x' must be of"
                       r" shape \(N, 4\) to match gamma \(4,\); got shape "
                       r"\(2, 3\)"):
        layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(N, 4\).*got shape \(2, 3, 4\)"):
        layer.forward(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"at least one sample.*\(0, 4\)"):
        layer.forward(np.ones((0, 4)))
    with pytest.raises(TypeError, match="'x'"):
        layer.forward(np.ones((2, 4), dtype=int))


def test_groupnorm_bad_input():
    with pytest.raises(ValueError, match=r"GroupNorm: 'groups' must be a "
                       r"divisor of the 6 channels of gamma; got 4"):
        GroupNorm(np.ones(6), np.zeros(6), groups=4)
    with pytest.raises(ValueError, match=r"'groups' must be an integer >= 1"):
        GroupNorm(np.ones(6), np.zeros(6), groups=0)
    with pytest.raises(TypeError, match=r"'groups' must be an integer"):
        GroupNorm(np.ones(6), np.zeros(6), groups=2.0)
    with pytest.raises(ValueError, match=r"'beta' must be of shape \(6,\)"):
        GroupNorm(np.ones(6), np.zeros(3), groups=3)
    with pytest.raises(ValueError, match="'eps'"):
        GroupNorm(np.ones(6), np.zeros(6), groups=3, eps=0)
    layer = GroupNorm(np.ones(6), np.zeros(6), groups=3)
    with pytest.raises(ValueError, match=r"'x' must be of shape \(N, 6, H, W\)"
                       r" to match gamma \(6,\); got shape \(2, 6\)"):
        layer.forward(np.ones((2, 6)))
    with pytest.raises(ValueError, match=r"got shape \(2, 4, 3, 3\)"):
        layer.forward(np.ones((2, 4, 3, 3)))
    with pytest.raises(ValueError, match=r"at least one sample"):
        layer.forward(np.ones((0, 6, 2, 2)))
