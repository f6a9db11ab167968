"""Batch normalization: gradients, running estimates, per-channel images, dtypes."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import check_layer, numerical_gradient, relative_error
from course_lib.layers import BatchNorm
from course_lib.layers.normalization import (
    batchnorm_backward_staged,
    channel_statistics,
)
from course_lib.network import mlp

pytestmark = pytest.mark.ch4

SHAPES = [(7, 5), (2, 3), (3, 4, 5, 2), (2, 3, 2, 3), (1, 2, 3, 4)]
# the contract battery (test_layer_contract.py) checks gradients, dtypes,
# unmodified inputs and call order on one 2-D and one 4-D shape; the
# edge shapes here (two samples, one image) are checked in addition
EDGE_SHAPES = [(2, 3), (2, 3, 2, 3), (1, 2, 3, 4)]


def make_layer(rng, C, dtype=np.float64, **kw):
    gamma = (1.0 + 0.5 * rng.standard_normal(C)).astype(dtype)
    beta = rng.standard_normal(C).astype(dtype)
    return BatchNorm(gamma, beta, **kw)


def make_input(rng, shape, dtype=np.float64):
    # far from zero mean and unit variance, with a different scale per
    # feature, so a missing centring or scaling shows up
    C = shape[1]
    scale = np.linspace(0.5, 3.0, C)
    offset = np.linspace(-2.0, 4.0, C)
    bshape = (1, C) if len(shape) == 2 else (1, C, 1, 1)
    x = rng.standard_normal(shape) * scale.reshape(bshape) \
        + offset.reshape(bshape)
    return x.astype(dtype)


def torch_style_reference(xs, gamma, beta, eps=1e-5, torch_momentum=0.1):
    """PyTorch's documented BatchNorm, written out with loops per channel.

    Returns the training outputs for each batch of ``xs`` and the running
    mean and variance after them (PyTorch weights the *new* value by its
    ``momentum`` and collects the unbiased variance).
    """
    C = gamma.shape[0]
    running_mean = [0.0] * C
    running_var = [1.0] * C
    outs = []
    for x in xs:
        out = np.empty_like(x)
        for c in range(C):
            values = x[:, c].ravel()
            m = values.size
            mean = sum(values) / m
            biased = sum((v - mean) ** 2 for v in values) / m
            unbiased = sum((v - mean) ** 2 for v in values) / (m - 1)
            out[:, c] = ((x[:, c] - mean) / np.sqrt(biased + eps) * gamma[c]
                         + beta[c])
            running_mean[c] = ((1 - torch_momentum) * running_mean[c]
                               + torch_momentum * mean)
            running_var[c] = ((1 - torch_momentum) * running_var[c]
                              + torch_momentum * unbiased)
        outs.append(out)
    return outs, np.array(running_mean), np.array(running_var)


# ------------------------------------------------------------ gradients

@pytest.mark.parametrize("shape", EDGE_SHAPES)
def test_gradient_check_train_mode(shape):
    rng = np.random.default_rng(40)
    layer = make_layer(rng, shape[1])
    errors = check_layer(layer, make_input(rng, shape), rng=rng)
    assert set(errors) == {"x", "gamma", "beta"}
    for name, err in errors.items():
        assert err < 1e-7, f"d{name}: relative error {err:.2e}"


@pytest.mark.parametrize("shape", SHAPES)
def test_staged_backward_equals_compact(shape):
    rng = np.random.default_rng(42)
    layer = make_layer(rng, shape[1])
    x = make_input(rng, shape)
    dout = rng.standard_normal(shape)
    layer.forward(x, train=True)
    dx = layer.backward(dout)
    dx_s, dgamma_s, dbeta_s = batchnorm_backward_staged(
        dout, x, layer.params["gamma"], eps=layer.eps)
    assert dx_s.shape == x.shape
    np.testing.assert_allclose(dx_s, dx, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dgamma_s, layer.grads["gamma"], rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(dbeta_s, layer.grads["beta"], rtol=1e-9,
                               atol=1e-12)


def test_dx_sums_to_zero_per_feature():
    # the output does not change when a constant is added to a feature, so
    # the input gradient has zero sum (and is orthogonal to x_hat)
    # (exactly so only for eps -> 0: here eps is tiny)
    rng = np.random.default_rng(43)
    layer = make_layer(rng, 4, eps=1e-12)
    x = make_input(rng, (9, 4))
    layer.forward(x)
    dx = layer.backward(rng.standard_normal((9, 4)))
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-12)
    x_hat = (x - x.mean(0)) / np.sqrt(x.var(0))
    np.testing.assert_allclose((dx * x_hat).sum(axis=0), 0.0, atol=1e-10)


def test_network_with_batchnorm_gradient_check():
    rng = np.random.default_rng(44)
    net = mlp([6, 5, 4, 3], batchnorm=True, rng=45)
    assert sum(isinstance(layer, BatchNorm) for layer in net.layers) == 2
    x = rng.standard_normal((8, 6))
    t = rng.integers(0, 3, size=8)
    grads = {k: g.copy() for k, g in net.gradient(x, t).items()}
    assert {"1.gamma", "1.beta", "4.gamma", "4.beta"} <= set(grads)
    for name, p in net.params.items():
        num = numerical_gradient(lambda _: net.loss(x, t, train=True), p)
        if name in ("0.b", "3.b"):
            # a bias right before BatchNorm is subtracted out with the mean:
            # its gradient is zero
            np.testing.assert_allclose(grads[name], 0.0, atol=1e-12)
            np.testing.assert_allclose(num, 0.0, atol=1e-9)
        else:
            assert relative_error(grads[name], num) < 1e-7, name


# ------------------------------------------------------- forward values

def test_forward_small_example():
    bn = BatchNorm(np.array([2.0, 1.0]), np.array([0.5, -1.0]))
    x = np.array([[1.0, 10.0], [3.0, 30.0]])     # means 2, 20; vars 1, 100
    out = bn.forward(x)
    x_hat = np.array([[-1 / np.sqrt(1 + 1e-5), -10 / np.sqrt(100 + 1e-5)],
                      [1 / np.sqrt(1 + 1e-5), 10 / np.sqrt(100 + 1e-5)]])
    np.testing.assert_allclose(out, x_hat * [2.0, 1.0] + [0.5, -1.0],
                               rtol=1e-12, atol=1e-12)


def test_train_output_has_batch_mean_beta_and_std_gamma():
    rng = np.random.default_rng(46)
    layer = make_layer(rng, 5)
    out = layer.forward(make_input(rng, (50, 5)))
    np.testing.assert_allclose(out.mean(0), layer.params["beta"], atol=1e-12)
    np.testing.assert_allclose(out.std(0), np.abs(layer.params["gamma"]),
                               rtol=1e-4)


def test_identity_at_start_standardizes():
    x = make_input(np.random.default_rng(47), (20, 3))
    out = BatchNorm(np.ones(3), np.zeros(3)).forward(x)
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5),
                               rtol=1e-12)


# ------------------------------------------------- running estimates

def test_running_estimates_start_and_are_buffers():
    gamma, beta = np.ones(4), np.zeros(4)
    bn = BatchNorm(gamma, beta)
    assert bn.params["gamma"] is gamma and bn.params["beta"] is beta
    assert set(bn.params) == set(bn.grads) == {"gamma", "beta"}
    np.testing.assert_array_equal(bn.running_mean, np.zeros(4))
    np.testing.assert_array_equal(bn.running_var, np.ones(4))
    assert "running_mean" not in bn.params and "running_var" not in bn.params


def test_buffers_dict_holds_the_running_estimates():
    bn = BatchNorm(np.ones(3), np.zeros(3))
    assert set(bn.buffers) == {"running_mean", "running_var"}
    assert bn.buffers["running_mean"] is bn.running_mean
    assert bn.buffers["running_var"] is bn.running_var
    buf = bn.running_var
    bn.running_var = np.full(3, 2.0)             # copies in place
    assert bn.running_var is buf and bn.buffers["running_var"] is buf
    np.testing.assert_array_equal(buf, 2.0)
    with pytest.raises(ValueError, match=r"'running_mean' must be of shape "
                       r"\(3\); got shape \(4\)"):
        bn.running_mean = np.zeros(4)
    bn.forward(np.arange(12.0).reshape(4, 3))
    assert bn.running_var is buf                 # updated in place
    np.testing.assert_allclose(buf, 0.9 * 2.0 + 0.1 * 15.0)


def test_running_update_formula_with_unbiased_variance():
    rng = np.random.default_rng(48)
    bn = make_layer(rng, 3, momentum=0.8)
    mean_buf, var_buf = bn.running_mean, bn.running_var
    want_mean, want_var, biased = np.zeros(3), np.ones(3), np.ones(3)
    for n in (4, 7, 2):
        x = make_input(rng, (n, 3))
        bn.forward(x)
        want_mean = 0.8 * want_mean + 0.2 * x.mean(0)
        want_var = 0.8 * want_var + 0.2 * x.var(0, ddof=1)
        biased = 0.8 * biased + 0.2 * x.var(0)
    np.testing.assert_allclose(bn.running_mean, want_mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, want_var, rtol=1e-12)
    # (the biased variance would give a clearly different answer)
    assert not np.allclose(bn.running_var, biased, rtol=1e-3)
    # updated in place: the buffers are the same arrays
    assert bn.running_mean is mean_buf and bn.running_var is var_buf


def test_momentum_weights_the_old_value():
    bn = BatchNorm(np.ones(1), np.zeros(1), momentum=0.9)
    bn.forward(np.array([[9.0], [11.0]]))            # mean 10, unbiased var 2
    assert bn.running_mean[0] == pytest.approx(1.0)  # 0.9*0 + 0.1*10
    assert bn.running_var[0] == pytest.approx(1.1)   # 0.9*1 + 0.1*2


def test_momentum_zero_keeps_the_last_batch():
    rng = np.random.default_rng(49)
    bn = make_layer(rng, 3, momentum=0.0)
    x = make_input(rng, (6, 3))
    bn.forward(x)
    np.testing.assert_allclose(bn.running_mean, x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, x.var(0, ddof=1), rtol=1e-12)


@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2, 3)])
def test_inference_uses_running_estimates_and_leaves_them(shape):
    rng = np.random.default_rng(50)
    bn = make_layer(rng, shape[1])
    for _ in range(3):
        bn.forward(make_input(rng, shape))
    mean, var = bn.running_mean.copy(), bn.running_var.copy()
    x = make_input(rng, shape)
    out = bn.forward(x, train=False)
    bshape = (1, -1) if len(shape) == 2 else (1, -1, 1, 1)
    g, b = bn.params["gamma"].reshape(bshape), bn.params["beta"].reshape(bshape)
    want = g * (x - mean.reshape(bshape)) / np.sqrt(
        var.reshape(bshape) + bn.eps) + b
    np.testing.assert_allclose(out, want, rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean, mean)
    np.testing.assert_array_equal(bn.running_var, var)


def test_inference_is_per_sample_and_accepts_one_sample():
    rng = np.random.default_rng(51)
    bn = make_layer(rng, 4)
    bn.forward(make_input(rng, (10, 4)))
    x = make_input(rng, (6, 4))
    whole = bn.forward(x, train=False)
    single = bn.forward(x[2:3], train=False)
    np.testing.assert_allclose(single, whole[2:3], rtol=1e-12)
    # in training mode the same sample's output depends on its batch mates
    a = bn.forward(x[:3], train=True)[2]
    b = bn.forward(x[2:], train=True)[0]
    assert not np.allclose(a, b)


# ------------------------------------------------------- per channel

def test_images_are_normalized_per_channel_not_per_pixel():
    rng = np.random.default_rng(52)
    shape = (3, 4, 5, 2)
    C = shape[1]
    x = make_input(rng, shape)
    dout = rng.standard_normal(shape)
    gamma = 1.0 + rng.standard_normal(C)
    beta = rng.standard_normal(C)
    img = BatchNorm(gamma.copy(), beta.copy())
    flat = BatchNorm(gamma.copy(), beta.copy())

    def rows(a):
        return a.transpose(0, 2, 3, 1).reshape(-1, C)

    out = img.forward(x)
    out_flat = flat.forward(rows(x))
    np.testing.assert_allclose(rows(out), out_flat, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(img.running_mean, flat.running_mean,
                               rtol=1e-12)
    np.testing.assert_allclose(img.running_var, flat.running_var, rtol=1e-12)
    dx = img.backward(dout)
    dx_flat = flat.backward(rows(dout))
    np.testing.assert_allclose(rows(dx), dx_flat, rtol=1e-10, atol=1e-12)
    for k in ("gamma", "beta"):
        np.testing.assert_allclose(img.grads[k], flat.grads[k], rtol=1e-10)
    # every channel has mean beta over the batch *and* the pixels, while a
    # single pixel position does not
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3)), beta, atol=1e-12)
    assert not np.allclose(out.mean(axis=0), beta.reshape(C, 1, 1))


def test_channel_statistics():
    rng = np.random.default_rng(53)
    x = make_input(rng, (3, 4, 2, 5))
    mean, var = channel_statistics(x)
    rows = x.transpose(0, 2, 3, 1).reshape(-1, 4)
    np.testing.assert_allclose(mean, rows.mean(0), rtol=1e-12)
    np.testing.assert_allclose(var, rows.var(0), rtol=1e-12)
    _, uvar = channel_statistics(rows, unbiased=True)
    np.testing.assert_allclose(uvar, rows.var(0, ddof=1), rtol=1e-12)
    with pytest.raises(ValueError, match="'x'"):
        channel_statistics(rng.standard_normal((2, 3, 4)))
    with pytest.raises(ValueError, match="unbiased"):
        channel_statistics(np.ones((1, 3)), unbiased=True)


# ---------------------------------------------------------- PyTorch

def test_equals_pytorch_definition_written_out():
    rng = np.random.default_rng(54)
    for shape in [(5, 3), (2, 3, 3, 2)]:
        C = shape[1]
        gamma = 1.0 + rng.standard_normal(C)
        beta = rng.standard_normal(C)
        xs = [make_input(rng, shape) for _ in range(4)]
        outs, r_mean, r_var = torch_style_reference(xs, gamma, beta)
        bn = BatchNorm(gamma, beta)              # our 0.9 is PyTorch's 0.1
        for x, want in zip(xs, outs, strict=True):
            np.testing.assert_allclose(bn.forward(x), want, rtol=1e-10,
                                       atol=1e-12)
        np.testing.assert_allclose(bn.running_mean, r_mean, rtol=1e-10)
        np.testing.assert_allclose(bn.running_var, r_var, rtol=1e-10)


def test_equals_torch_when_installed():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(55)
    x = make_input(rng, (4, 3, 5, 2))
    dout = rng.standard_normal(x.shape)
    gamma, beta = 1.0 + rng.standard_normal(3), rng.standard_normal(3)
    ref = torch.nn.BatchNorm2d(3, momentum=0.1, eps=1e-5).double()
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(gamma))
        ref.bias.copy_(torch.from_numpy(beta))
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    out_t = ref(xt)
    out_t.backward(torch.from_numpy(dout))
    bn = BatchNorm(gamma, beta, momentum=0.9, eps=1e-5)
    out = bn.forward(x)
    dx = bn.backward(dout)
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(bn.grads["gamma"], ref.weight.grad.numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(bn.grads["beta"], ref.bias.grad.numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(bn.running_mean, ref.running_mean.numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(bn.running_var, ref.running_var.numpy(),
                               rtol=1e-10)
    ref.eval()
    x2 = make_input(rng, (2, 3, 5, 2))
    with torch.no_grad():
        want = ref(torch.from_numpy(x2)).numpy()
    np.testing.assert_allclose(bn.forward(x2, train=False), want, rtol=1e-10,
                               atol=1e-12)


# --------------------------------------------------------- bad input

def test_empty_batch_raises_in_both_modes():
    bn = BatchNorm(np.ones(3), np.zeros(3))
    for train in (True, False):
        with pytest.raises(ValueError, match=r"at least one sample.*got "
                           r"shape \(0, 3\)"):
            bn.forward(np.ones((0, 3)), train=train)


def test_training_batch_of_one_raises():
    bn = BatchNorm(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"at least 2 values.*got shape "
                       r"\(1, 3\)"):
        bn.forward(np.ones((1, 3)))
    with pytest.raises(ValueError, match="train=False"):
        bn.forward(np.ones((1, 3, 1, 1)))
    # one image with several pixels has enough values per channel
    assert bn.forward(np.arange(24.0).reshape(1, 3, 2, 4)).shape == (1, 3, 2, 4)
    # and inference accepts a single sample
    assert bn.forward(np.ones((1, 3)), train=False).shape == (1, 3)


def test_wrong_feature_count_names_shapes():
    bn = BatchNorm(np.ones(5), np.zeros(5))
    with pytest.raises(ValueError, match=r"'x' must be of shape \(N, 5\) to "
                       r"match gamma \(5,\); got shape \(4, 3\)"):
        bn.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"\(N, 5, H, W\).*got shape "
                       r"\(2, 3, 4, 4\)"):
        bn.forward(np.ones((2, 3, 4, 4)))
    with pytest.raises(ValueError, match=r"'x' must be a 2-D or 4-D"):
        bn.forward(np.ones((2, 5, 4)))
    with pytest.raises(TypeError, match="'x'"):
        bn.forward(np.ones((2, 5), dtype=np.int64))


def test_constructor_checks():
    with pytest.raises(ValueError, match="'gamma'"):
        BatchNorm(np.ones((2, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"'beta' must be of shape \(3,\)"):
        BatchNorm(np.ones(3), np.zeros(4))
    for bad in (1.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="'momentum'"):
            BatchNorm(np.ones(3), np.zeros(3), momentum=bad)
    with pytest.raises(ValueError, match="'eps'"):
        BatchNorm(np.ones(3), np.zeros(3), eps=0.0)
    with pytest.raises(TypeError, match="'gamma'"):
        BatchNorm([1.0, 1.0], np.zeros(2))


def test_staged_backward_checks():
    x = np.ones((4, 3))
    with pytest.raises(ValueError, match="'gamma'"):
        batchnorm_backward_staged(x, x, np.ones(2))
    with pytest.raises(ValueError, match="'dout'"):
        batchnorm_backward_staged(np.ones((3, 4)), x, np.ones(3))
    with pytest.raises(ValueError, match="at least 2"):
        batchnorm_backward_staged(np.ones((1, 3)), np.ones((1, 3)),
                                  np.ones(3))
