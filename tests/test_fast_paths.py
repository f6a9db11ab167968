"""Fast paths equal the plain definitions they stand in for.

``course_lib.fast`` holds faster forms of rules the library writes plainly
(FastConv2D's grouping of the backward sums, FastAdam's folded update on
flat buffers), and the network skips the input gradient of the first
layer. Each test here computes the same numbers the plain way and
compares, in float64 tightly and in float32 to its rounding, and checks
that float32 stays float32.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from course_lib.fast import FastAdam, FastConv2D, backward_plan
from course_lib.gradcheck import check_layer
from course_lib.im2col import col2im, conv2d_naive, im2col
from course_lib.layers import Conv2D
from course_lib.network import mlp
from course_lib.optim import Adam


def _rng(seed=0):
    return np.random.default_rng(seed)


def _reference_conv(x, W, b, stride, pad, dout):
    """Forward and backward written with im2col/col2im, in one orientation."""
    F, _, kh, kw = W.shape
    n = x.shape[0]
    col = im2col(x, kh, kw, stride, pad)
    out = np.matmul(W.reshape(F, -1), col) + b.reshape(F, 1)
    delta = dout.reshape(n, F, -1)
    dW = np.zeros((F, col.shape[1]))
    for i in range(n):  # one sample at a time: delta_n col_n^T
        dW += delta[i].astype(np.float64) @ col[i].T.astype(np.float64)
    dx = col2im(np.matmul(W.reshape(F, -1).T, delta), x.shape, kh, kw,
                stride, pad)
    return (out.reshape(dout.shape), dW.reshape(W.shape),
            delta.sum(axis=(0, 2)), dx)


# ------------------------------------------------------------------ Conv2D

CONV_CASES = [
    # (N, C, H, W), (F, kh, kw), stride, pad; F < C·kh·kw takes the
    # transposed weight-gradient product, F >= C·kh·kw the direct one;
    # stride 1 with F < 3C and P < k computes dx as a convolution of dout
    ((2, 3, 7, 6), (4, 3, 3), 1, 1),
    ((3, 2, 6, 8), (2, 2, 3), 1, (2, 1)),
    ((2, 16, 6, 6), (8, 3, 3), 2, 1),
    ((2, 1, 9, 9), (30, 5, 5), 1, 0),
    ((2, 3, 4, 4), (6, 1, 1), 1, 0),
]


@pytest.mark.parametrize("cls", [Conv2D, FastConv2D])
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12),
                                        (np.float32, 2e-6)])
@pytest.mark.parametrize("xs, ws, stride, pad", CONV_CASES)
def test_conv2d_equals_the_plain_im2col_formulas(xs, ws, stride, pad, dtype,
                                                 tol, cls):
    rng = _rng(4)
    x = rng.standard_normal(xs).astype(dtype)
    W = rng.standard_normal((ws[0], xs[1], ws[1], ws[2])).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    layer = cls(W, b, stride=stride, pad=pad)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape).astype(dtype)
    x_before, dout_before = x.copy(), dout.copy()
    dx = layer.backward(dout)
    ref = dict(zip(("out", "dW", "db", "dx"),
                   _reference_conv(x, W, b, stride, pad, dout),
                   strict=True))
    got = {"out": out, "dW": layer.grads["W"], "db": layer.grads["b"],
           "dx": dx}
    for name in got:
        assert got[name].dtype == dtype, name
        assert got[name].shape == ref[name].shape, name
        scale = np.max(np.abs(ref[name]))
        np.testing.assert_allclose(got[name], ref[name], rtol=0,
                                   atol=tol * scale, err_msg=name)
    np.testing.assert_allclose(out, conv2d_naive(x, W, b, stride, pad),
                               rtol=0, atol=10 * tol * np.max(np.abs(out)))
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dout, dout_before)


def test_the_cases_take_every_branch_of_the_backward_plan():
    plans = set()
    for xs, ws, stride, pad in CONV_CASES:
        layer = FastConv2D(np.zeros((ws[0], xs[1], ws[1], ws[2])),
                           np.zeros(ws[0]), stride, pad)
        plans.add(backward_plan(layer.params["W"].shape, layer._stride,
                                layer._pad))
    assert plans == {(True, True), (True, False), (False, True),
                     (False, False)}


def test_backward_plan_rules():
    # dW transposed when F < C·kh·kw; dx by convolution with stride 1,
    # P < k and F < 3C
    assert backward_plan((32, 16, 3, 3), (1, 1), (1, 1)) == (True, True)
    assert backward_plan((30, 1, 5, 5), (1, 1), (0, 0)) == (False, False)
    assert backward_plan((8, 16, 3, 3), (2, 2), (1, 1)) == (True, False)
    assert backward_plan((8, 16, 3, 3), (1, 1), (3, 1)) == (True, False)
    assert backward_plan((48, 16, 3, 3), (1, 1), (1, 1)) == (True, False)


@pytest.mark.parametrize("xs, ws, stride, pad", CONV_CASES)
def test_fast_conv2d_equals_conv2d_and_passes_the_gradient_check(
        xs, ws, stride, pad):
    rng = _rng(6)
    x = rng.standard_normal(xs)
    W = rng.standard_normal((ws[0], xs[1], ws[1], ws[2]))
    b = rng.standard_normal(ws[0])
    plain, fast = Conv2D(W, b, stride, pad), FastConv2D(W, b, stride, pad)
    out = plain.forward(x)
    np.testing.assert_array_equal(fast.forward(x), out)
    dout = rng.standard_normal(out.shape)
    dx = plain.backward(dout)
    np.testing.assert_allclose(fast.backward(dout), dx, rtol=1e-12,
                               atol=1e-12 * np.max(np.abs(dx)))
    for k in ("W", "b"):
        np.testing.assert_allclose(fast.grads[k], plain.grads[k], rtol=1e-12,
                                   atol=1e-12 * np.max(np.abs(plain.grads[k])))
    errors = check_layer(FastConv2D(W, b, stride, pad), x, rng=7)
    for name, err in errors.items():
        assert err < 1e-7, f"Conv2D d{name}: relative error {err:.2e}"


# -------------------------------------------------------------------- Adam

def _textbook_adam(p, grads, lrs, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam as written in torch.optim.Adam's documentation, in float64."""
    p = p.astype(np.float64)
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t, (g, lr) in enumerate(zip(grads, lrs, strict=True), start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** t)
        denom = np.sqrt(v) / math.sqrt(1 - beta2 ** t) + eps
        p = p - lr * m_hat / denom
    return p


ADAMS = [Adam, FastAdam]


@pytest.mark.parametrize("cls", ADAMS)
@pytest.mark.parametrize("eps", [1e-8, 1e-3])
def test_adam_equals_the_textbook_formula(eps, cls):
    rng = _rng(8)
    p0 = rng.standard_normal((5, 4))
    grads = [rng.standard_normal((5, 4)) * s for s in (1.0, 0.1, 3.0, 1e-3,
                                                         0.5)]
    lrs = [0.01, 0.01, 0.003, 0.05, 0.001]  # a schedule changes lr
    p = p0.copy()
    opt = cls(lr=lrs[0], eps=eps)
    for g, lr in zip(grads, lrs, strict=True):
        opt.lr = lr
        opt.update({"w": p}, {"w": g})
    np.testing.assert_allclose(p, _textbook_adam(p0, grads, lrs, eps=eps),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("cls", ADAMS)
def test_adam_float32_stays_float32_and_follows_float64(cls):
    rng = _rng(9)
    p0 = rng.standard_normal(50)
    grads = [rng.standard_normal(50) for _ in range(4)]
    p32 = p0.astype(np.float32)
    opt = cls(lr=0.01)
    for g in grads:
        opt.update({"w": p32}, {"w": g.astype(np.float32)})
    assert p32.dtype == np.float32
    assert all(buf.dtype == np.float32 for buf in opt.state["w"].values())
    np.testing.assert_allclose(p32, _textbook_adam(p0, grads, [0.01] * 4),
                               rtol=0, atol=1e-5)


@pytest.mark.parametrize("cls", ADAMS)
def test_adam_state_survives_round_trips_and_new_keys(cls):
    rng = _rng(14)
    p0 = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}
    grads = [{k: rng.standard_normal(v.shape) for k, v in p0.items()}
             for _ in range(6)]
    # uninterrupted run, per key in float64 by the textbook formula
    expected = {k: _textbook_adam(p0[k], [g[k] for g in grads],
                                  [0.01] * 6) for k in p0}
    params = {k: v.copy() for k, v in p0.items()}
    opt = cls(lr=0.01)
    for g in grads[:3]:
        opt.update(params, g)
    saved = opt.state_dict()
    fresh = cls(lr=0.01)
    fresh.load_state_dict(saved)
    for g in grads[3:]:
        fresh.update(params, g)
    for k in p0:
        np.testing.assert_allclose(params[k], expected[k], rtol=1e-12,
                                   err_msg=k)
    # a key that appears later starts from zero moments; the others go on
    params["c"] = np.ones(2)
    before = {k: {n: a.copy() for n, a in st.items()}
              for k, st in fresh.state.items()}
    fresh.update(params, {**grads[0], "c": np.full(2, 0.5)})
    assert set(fresh.state) == {"W", "b", "c"}
    np.testing.assert_allclose(fresh.state["c"]["m"], 0.1 * 0.5)
    np.testing.assert_allclose(fresh.state["W"]["m"],
                               0.9 * before["W"]["m"] + 0.1 * grads[0]["W"])
    # a state array replaced by hand is what the next update starts from
    fresh.state["b"]["m"] = np.zeros(3)
    fresh.update(params, {**grads[1], "c": np.zeros(2)})
    np.testing.assert_allclose(fresh.state["b"]["m"], 0.1 * grads[1]["b"])


@pytest.mark.parametrize("cls", ADAMS)
def test_a_copied_adam_continues_like_the_original(cls):
    rng = _rng(16)
    p = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    grads = [{k: rng.standard_normal(v.shape) for k, v in p.items()}
             for _ in range(4)]
    opt = cls(lr=0.05)
    for g in grads[:2]:
        opt.update(p, g)
    twin, p_twin = copy.deepcopy(opt), copy.deepcopy(p)
    for g in grads[2:]:
        opt.update(p, g)
        twin.update(p_twin, g)
    for k in p:
        np.testing.assert_array_equal(p_twin[k], p[k])
        np.testing.assert_array_equal(twin.state[k]["m"], opt.state[k]["m"])
        np.testing.assert_array_equal(twin.state[k]["v"], opt.state[k]["v"])


@pytest.mark.parametrize("cls", ADAMS)
def test_adam_with_mixed_dtypes_updates_each_array_alike(cls):
    rng = _rng(15)
    w64 = rng.standard_normal(6)
    grads = [rng.standard_normal(6) for _ in range(3)]
    params = {"a": w64.copy(), "b": w64.astype(np.float32)}
    opt = cls(lr=0.02)
    for g in grads:
        opt.update(params, {"a": g, "b": g.astype(np.float32)})
    expected = _textbook_adam(w64, grads, [0.02] * 3)
    assert params["b"].dtype == np.float32
    np.testing.assert_allclose(params["a"], expected, rtol=1e-12)
    np.testing.assert_allclose(params["b"], expected, atol=1e-5)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12),
                                         (np.float32, 1e-5)])
def test_fast_adam_follows_plain_adam_on_many_arrays(dtype, rtol):
    rng = _rng(17)
    shapes = {"0.W": (6, 5), "0.b": (5,), "1.W": (5, 3), "1.b": (3,)}
    p_plain = {k: rng.standard_normal(s).astype(dtype)
               for k, s in shapes.items()}
    p_fast = {k: v.copy() for k, v in p_plain.items()}
    plain, fast = Adam(lr=0.01), FastAdam(lr=0.01)
    for step in range(40):
        if step == 20:   # a key joins: its own count, the plain fallback
            p_plain["2.W"] = np.ones((3, 2), dtype=dtype)
            p_fast["2.W"] = np.ones((3, 2), dtype=dtype)
        g = {k: rng.standard_normal(v.shape).astype(dtype)
             for k, v in p_plain.items()}
        plain.update(p_plain, g)
        fast.update(p_fast, {k: v.copy() for k, v in g.items()})
    assert fast.steps == plain.steps == {"0.W": 40, "0.b": 40, "1.W": 40,
                                         "1.b": 40, "2.W": 20}
    for k in p_plain:
        assert p_fast[k].dtype == dtype
        np.testing.assert_allclose(p_fast[k], p_plain[k], rtol=rtol,
                                   atol=rtol, err_msg=k)
        for name in ("m", "v"):
            np.testing.assert_allclose(fast.state[k][name],
                                       plain.state[k][name], rtol=rtol,
                                       atol=rtol * 1e-3, err_msg=k)


def test_fast_adam_uses_flat_buffers():
    params = {"W": np.zeros((3, 2)), "b": np.zeros(2)}
    opt = FastAdam()
    opt.update(params, {"W": np.ones((3, 2)), "b": np.ones(2)})
    m_W, m_b = opt.state["W"]["m"], opt.state["b"]["m"]
    assert m_W.base is not None and m_W.base is m_b.base  # one buffer
    assert repr(opt).startswith("FastAdam(lr=0.001")


# --------------------------------------------------- network and training

def test_skipping_the_input_gradient_leaves_the_parameter_gradients():
    rng = _rng(10)
    net = mlp([6, 5, 4, 3], rng=11)
    x = rng.standard_normal((7, 6))
    t = rng.integers(0, 3, 7)
    net.loss(x, t)
    dx = net.backward(input_grad=True)
    full = {k: v.copy() for k, v in net.grads.items()}
    net.loss(x, t)
    assert net.backward(input_grad=False) is None
    assert dx.shape == x.shape
    for k, g in net.grads.items():
        np.testing.assert_array_equal(g, full[k], err_msg=k)


def test_float32_training_step_stays_float32():
    rng = _rng(12)
    net = mlp([8, 6, 3], rng=13, dtype=np.float32)
    x = rng.standard_normal((5, 8)).astype(np.float32)
    t = rng.integers(0, 3, 5)
    opt = Adam()
    loss, grads = net.train_step(x, t)
    opt.update(net.params, grads)
    assert np.isfinite(loss)
    for k in net.params:
        assert net.params[k].dtype == np.float32, k
        assert grads[k].dtype == np.float32, k
        assert opt.state[k]["m"].dtype == np.float32, k
