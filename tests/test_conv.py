"""Convolution and pooling: output sizes, im2col, Conv2D, MaxPool2D, CNNs."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import check_layer, check_network
from course_lib.im2col import (
    col2im,
    conv2d_naive,
    conv_output_size,
    im2col,
    maxpool2d_naive,
    receptive_field,
)
from course_lib.layers import Affine, Conv2D, MaxPool2D
from course_lib.layers.conv import affine_to_conv2d
from course_lib.network import cnn, fully_convolutional, summary

pytestmark = pytest.mark.ch6


def direct_conv(x, W, b, stride, pad):
    """Cross-correlation straight from the definition, written independently."""
    n_samples, _, height, width = x.shape
    F, _, kh, kw = W.shape
    xp = np.zeros((n_samples, x.shape[1], height + 2 * pad, width + 2 * pad))
    xp[:, :, pad:pad + height, pad:pad + width] = x
    out_h = (height + 2 * pad - kh) // stride + 1
    out_w = (width + 2 * pad - kw) // stride + 1
    out = np.empty((n_samples, F, out_h, out_w))
    for n in range(n_samples):
        for f in range(F):
            for i in range(out_h):
                for j in range(out_w):
                    total = b[f]
                    for c in range(x.shape[1]):
                        for u in range(kh):
                            for v in range(kw):
                                total += (W[f, c, u, v]
                                          * xp[n, c, i * stride + u,
                                               j * stride + v])
                    out[n, f, i, j] = total
    return out


def distinct_values(rng, shape):
    """Inputs without ties and with gaps >> h, for max-pool gradient checks."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 + 0.01


# --------------------------------------------------------------- output size

@pytest.mark.parametrize("size, k, stride, pad, expected", [
    (7, 3, 1, 0, 5), (7, 3, 2, 1, 4), (28, 5, 1, 2, 28), (32, 5, 1, 0, 28),
    (8, 2, 2, 0, 4), (5, 5, 1, 0, 1), (227, 11, 4, 0, 55), (1, 1, 1, 0, 1),
])
def test_conv_output_size_formula(size, k, stride, pad, expected):
    assert conv_output_size(size, k, stride, pad) == expected


def test_conv_output_size_not_integer_raises_with_formula():
    with pytest.raises(ValueError, match=r"must be an integer.*\(8 − 3 \+ "
                       r"2·0\)/2 \+ 1 = 3\.5"):
        conv_output_size(8, 3, stride=2)
    assert conv_output_size(8, 3, stride=2, floor=True) == 3


def test_conv_output_size_kernel_too_large_raises():
    with pytest.raises(ValueError, match=r"k=7 must be at most the padded "
                       r"input length W \+ 2P = 5 \+ 2·0 = 5"):
        conv_output_size(5, 7)
    assert conv_output_size(5, 7, pad=1) == 1


@pytest.mark.parametrize("kwargs, kind, name", [
    (dict(size=4.0, k=2), TypeError, "size"),
    (dict(size=4, k=0), ValueError, "k"),
    (dict(size=4, k=2, stride=0), ValueError, "stride"),
    (dict(size=4, k=2, pad=-1), ValueError, "pad"),
])
def test_conv_output_size_bad_arguments(kwargs, kind, name):
    with pytest.raises(kind, match=f"'{name}'"):
        conv_output_size(**kwargs)


def test_receptive_field_of_lenet():
    # conv5, pool2, conv5, pool2, conv5: the classic 32-pixel field
    rf = receptive_field([5, 2, 5, 2, 5], [1, 2, 1, 2, 1])
    assert rf == [(5, 1), (6, 2), (14, 2), (16, 4), (32, 4)]


# -------------------------------------------------------------------- im2col

def test_im2col_small_example_by_hand():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    col = im2col(x, 2, 2)
    # one column per window, rows in (u, v) order of the kernel
    expected = np.array([[0, 1, 3, 4],
                         [1, 2, 4, 5],
                         [3, 4, 6, 7],
                         [4, 5, 7, 8]], dtype=float)
    np.testing.assert_array_equal(col[0], expected)


@pytest.mark.parametrize("shape, kh, kw, stride, pad", [
    ((2, 3, 7, 6), 3, 3, 1, 0),
    ((3, 2, 7, 7), 3, 2, 2, 1),
    ((2, 1, 8, 5), 1, 1, 1, 0),
    ((2, 4, 6, 9), 4, 3, (2, 3), (1, 0)),
    ((2, 2, 5, 5), 5, 5, 1, 2),
])
def test_im2col_equals_naive_loop(shape, kh, kw, stride, pad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    sh, sw = stride if isinstance(stride, tuple) else (stride, stride)
    ph, pw = pad if isinstance(pad, tuple) else (pad, pad)
    n_samples, channels, height, width = shape
    xp = np.zeros((n_samples, channels, height + 2 * ph, width + 2 * pw))
    xp[:, :, ph:ph + height, pw:pw + width] = x
    out_h = (height + 2 * ph - kh) // sh + 1
    out_w = (width + 2 * pw - kw) // sw + 1
    expected = np.empty((n_samples, channels * kh * kw, out_h * out_w))
    for n in range(n_samples):
        for i in range(out_h):
            for j in range(out_w):
                patch = xp[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                expected[n, :, i * out_w + j] = patch.reshape(-1)
    col = im2col(x, kh, kw, stride, pad)
    assert col.shape == expected.shape
    np.testing.assert_array_equal(col, expected)


@pytest.mark.parametrize("stride, pad", [(1, 0), (2, 1), (3, 2), (1, 2)])
def test_col2im_is_the_adjoint_of_im2col(stride, pad):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 7, 8))
    col = im2col(x, 3, 3, stride, pad)
    c = rng.standard_normal(col.shape)
    back = col2im(c, x.shape, 3, 3, stride, pad)
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(col * c), np.sum(x * back), rtol=1e-12)


def test_col2im_rejects_wrong_shape():
    with pytest.raises(ValueError, match=r"'col' must be of shape "
                       r"\(2, 27, 25\)"):
        col2im(np.zeros((2, 27, 24)), (2, 3, 7, 7), 3, 3)


def test_im2col_keeps_float32():
    x = np.ones((2, 3, 5, 5), dtype=np.float32)
    assert im2col(x, 3, 3, 1, 1).dtype == np.float32
    assert col2im(im2col(x, 3, 3), x.shape, 3, 3).dtype == np.float32


# -------------------------------------------------------------------- Conv2D

CONV_CASES = [
    # (N, C, H, W), (F, kh, kw), stride, pad
    ((2, 1, 6, 5), (3, 3, 3), 1, 0),
    ((3, 2, 7, 7), (4, 3, 3), 2, 1),
    ((2, 3, 5, 6), (2, 2, 3), 1, 2),
    ((2, 4, 8, 7), (5, 3, 2), 3, 1),
    ((2, 3, 4, 4), (6, 1, 1), 1, 0),
]


@pytest.mark.parametrize("xs, ws, stride, pad", CONV_CASES)
def test_conv2d_equals_direct_definition(xs, ws, stride, pad):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(xs)
    W = rng.standard_normal((ws[0], xs[1], ws[1], ws[2]))
    b = rng.standard_normal(ws[0])
    out = Conv2D(W, b, stride, pad).forward(x)
    expected = direct_conv(x, W, b, stride, pad)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv2d_naive(x, W, b, stride, pad), expected,
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xs, ws, stride, pad", CONV_CASES)
def test_conv2d_gradient_check(xs, ws, stride, pad):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(xs)
    W = rng.standard_normal((ws[0], xs[1], ws[1], ws[2]))
    b = rng.standard_normal(ws[0])
    errors = check_layer(Conv2D(W, b, stride, pad), x, rng=4)
    assert set(errors) == {"x", "W", "b"}
    for name, err in errors.items():
        assert err < 1e-7, f"Conv2D d{name}: relative error {err:.2e}"


def test_conv2d_matches_torch_when_available():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 9, 8))
    W = rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(4)
    for stride, pad in [(1, 0), (2, 1), (3, 2)]:
        ref = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(W),
                                         torch.tensor(b), stride=stride,
                                         padding=pad).numpy()
        np.testing.assert_allclose(Conv2D(W, b, stride, pad).forward(x), ref,
                                   rtol=1e-10, atol=1e-10)


def test_conv2d_floors_like_pytorch():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 1, 8, 8))
    W = rng.standard_normal((2, 1, 3, 3))
    b = np.zeros(2)
    out = Conv2D(W, b, stride=2).forward(x)
    assert out.shape == (2, 2, 3, 3)
    np.testing.assert_allclose(out, direct_conv(x, W, b, 2, 0), atol=1e-12)


def test_conv2d_channel_mismatch_names_the_shapes():
    layer = Conv2D(np.zeros((4, 3, 3, 3)), np.zeros(4))
    with pytest.raises(ValueError, match=r"3 channels to match W "
                       r"\(4, 3, 3, 3\).*got shape \(2, 1, 8, 8\)"):
        layer.forward(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match="channels-last"):
        layer.forward(np.zeros((2, 8, 8, 3)))


def test_conv2d_kernel_larger_than_input():
    layer = Conv2D(np.zeros((2, 1, 5, 5)), np.zeros(2))
    with pytest.raises(ValueError, match=r"kernel height k=5 .*\(x of shape "
                       r"\(1, 1, 3, 3\), W of shape \(2, 1, 5, 5\)"):
        layer.forward(np.zeros((1, 1, 3, 3)))


@pytest.mark.parametrize("kwargs, match", [
    (dict(W=np.zeros((2, 3, 3)), b=np.zeros(2)), "'W' must be a 4-D"),
    (dict(W=np.zeros((2, 3, 3, 3)), b=np.zeros(3)), r"'b' must be of shape "
                                                    r"\(2,\)"),
    (dict(W=np.zeros((2, 1, 3, 3)), b=np.zeros(2), stride=0), "'stride'"),
    (dict(W=np.zeros((2, 1, 3, 3)), b=np.zeros(2), pad=-1), "'pad'"),
])
def test_conv2d_constructor_validates(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Conv2D(**kwargs)


def test_conv2d_preserves_float32_and_inputs():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    W = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    b = np.zeros(4, dtype=np.float32)
    layer = Conv2D(W, b, stride=1, pad=1)
    x0 = x.copy()
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    d0 = dout.copy()
    dx = layer.backward(dout)
    assert out.dtype == dx.dtype == np.float32
    assert layer.grads["W"].dtype == layer.grads["b"].dtype == np.float32
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dout, d0)
    assert layer.params["W"] is W
    assert dx.shape == x.shape


def test_conv2d_backward_before_forward_and_repr():
    layer = Conv2D(np.zeros((4, 3, 3, 2)), np.zeros(4), stride=2, pad=1)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.zeros((1, 4, 2, 2)))
    assert repr(layer) == "Conv2D(F=4, C=3, kh=3, kw=2, stride=2, pad=1)"


def test_conv1x1_equals_dense_layer_at_every_pixel():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 6, 5, 4))         # N, D, H, W
    W = rng.standard_normal((2, 6, 1, 1))          # 6 → 2 channels
    b = rng.standard_normal(2)
    conv = Conv2D(W, b)
    dense = Affine(W[:, :, 0, 0].T.copy(), b.copy())
    pixels = x.transpose(0, 2, 3, 1).reshape(-1, 6)  # one row per pixel
    out_conv = conv.forward(x)
    out_dense = dense.forward(pixels).reshape(3, 5, 4, 2).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(out_conv, out_dense, rtol=1e-12, atol=1e-13)
    dout = rng.standard_normal(out_conv.shape)
    conv.backward(dout)
    dense.backward(dout.transpose(0, 2, 3, 1).reshape(-1, 2))
    np.testing.assert_allclose(conv.grads["W"][:, :, 0, 0].T,
                               dense.grads["W"], rtol=1e-12)


def test_affine_to_conv2d_gives_the_same_logits():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 4, 5))
    dense = Affine(rng.standard_normal((60, 7)), rng.standard_normal(7))
    conv = affine_to_conv2d(dense, (3, 4, 5))
    np.testing.assert_allclose(conv.forward(x)[:, :, 0, 0], dense.forward(x),
                               rtol=1e-12)
    with pytest.raises(ValueError, match=r"C·h·w = 60"):
        affine_to_conv2d(dense, (3, 4, 4))


# ----------------------------------------------------------------- MaxPool2D

POOL_CASES = [
    ((2, 3, 6, 6), 2, 2, 0),
    ((3, 2, 7, 5), 2, 2, 0),       # floored: last row/column ignored
    ((2, 2, 7, 7), 3, 2, 1),
    ((2, 3, 5, 6), 3, 1, 1),
    ((2, 1, 6, 8), (2, 3), (1, 3), 0),
    ((2, 2, 7, 7), 2, 3, 0),       # gaps between windows
]


@pytest.mark.parametrize("xs, size, stride, pad", POOL_CASES)
def test_maxpool_equals_naive(xs, size, stride, pad):
    rng = np.random.default_rng(10)
    x = rng.standard_normal(xs)
    out = MaxPool2D(size, stride, pad).forward(x)
    np.testing.assert_array_equal(out, maxpool2d_naive(x, size, stride, pad))


@pytest.mark.parametrize("xs, size, stride, pad", POOL_CASES)
def test_maxpool_gradient_check(xs, size, stride, pad):
    rng = np.random.default_rng(11)
    x = distinct_values(rng, xs)
    errors = check_layer(MaxPool2D(size, stride, pad), x, rng=12)
    assert errors["x"] < 1e-7, f"MaxPool2D dx: relative error {errors['x']}"


def test_maxpool_small_example_and_ties():
    x = np.array([[1, 3, 2, 0],
                  [4, 2, 1, 5],
                  [0, 0, 7, 7],
                  [0, 0, 7, 7]], dtype=float).reshape(1, 1, 4, 4)
    layer = MaxPool2D(2, 2)
    np.testing.assert_array_equal(layer.forward(x)[0, 0], [[4, 5], [0, 7]])
    dx = layer.backward(np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2))
    # ties: the first maximum in row-major order gets the gradient (PyTorch)
    expected = np.array([[0, 0, 0, 0],
                         [1, 0, 0, 2],
                         [3, 0, 4, 0],
                         [0, 0, 0, 0]], dtype=float)
    np.testing.assert_array_equal(dx[0, 0], expected)


def test_maxpool_preserves_float32_and_validates():
    x = np.random.default_rng(13).standard_normal((2, 3, 4, 4)).astype(
        np.float32)
    layer = MaxPool2D()
    out = layer.forward(x)
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    assert not np.shares_memory(MaxPool2D(1, 1).forward(x), x)
    with pytest.raises(ValueError, match="'pad' must be at most half"):
        MaxPool2D(2, 2, pad=2)
    with pytest.raises(ValueError, match="'x' must be a 4-D"):
        layer.forward(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="kernel height k=2"):
        layer.forward(np.zeros((1, 1, 1, 4)))
    assert repr(layer) == "MaxPool2D(size=2, stride=2, pad=0)"


# ---------------------------------------------------------------------- CNNs

def test_cnn_layout_and_shapes():
    net = cnn((1, 8, 8), 16, 3, 64, 10, rng=0)
    names = [type(layer).__name__ for layer in net.layers]
    assert names == ["Conv2D", "ReLU", "MaxPool2D", "Flatten", "Affine",
                     "ReLU", "Affine"]
    assert net.params["0.W"].shape == (16, 1, 3, 3)
    assert net.params["4.W"].shape == (256, 64)
    x = np.zeros((5, 1, 8, 8))
    assert net.predict(x).shape == (5, 10)
    table = summary(net, (1, 8, 8))
    assert "(16, 4, 4)" in table and "total parameters: 17,258" in table


def test_cnn_float32_and_errors():
    net = cnn((3, 12, 12), [4, 6], 3, [8], 5, rng=1, dtype=np.float32)
    x = np.ones((2, 3, 12, 12), dtype=np.float32)
    assert net.predict(x).dtype == np.float32
    _, grads = net.train_step(x, np.array([0, 4]))
    assert all(g.dtype == np.float32 for g in grads.values())
    with pytest.raises(ValueError, match="kernel height k=2"):
        cnn((1, 4, 4), [2, 2, 2], 3, 8, 3, rng=0)
    with pytest.raises(ValueError, match="'init'"):
        cnn((1, 8, 8), 4, 3, 8, 10, init="magic")


def test_cnn_whole_network_gradient_check():
    rng = np.random.default_rng(14)
    net = cnn((2, 6, 6), 3, 3, 5, 4, rng=rng)
    x = rng.standard_normal((3, 2, 6, 6))
    t = np.array([0, 3, 1])
    errors = check_network(net, x, t)
    assert set(errors) == set(net.params)
    assert max(errors.values()) < 1e-7, errors


def test_fully_convolutional_equals_classifier_and_slides():
    rng = np.random.default_rng(15)
    net = cnn((1, 8, 8), 4, 3, 6, 10, rng=rng)
    fcn = fully_convolutional(net, (1, 8, 8))
    x = rng.standard_normal((3, 1, 8, 8))
    np.testing.assert_allclose(fcn.predict(x)[:, :, 0, 0], net.predict(x),
                               rtol=1e-12, atol=1e-12)
    big = np.zeros((1, 1, 16, 24))
    big[0, 0, 4:12, 6:14] = x[0, 0]                # an 8×8 window at (4, 6)
    maps = fcn.predict(big)
    assert maps.shape == (1, 10, 5, 9)
    # the window starting at input row 4, column 6 is output (2, 3)
    np.testing.assert_allclose(maps[0, :, 2, 3], net.predict(x[:1])[0],
                               rtol=1e-12, atol=1e-12)
