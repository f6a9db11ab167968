"""Conv2D and MaxPool2D: every message in full, output shapes with N != C,
padding on one axis only, non-square overlapping windows against a loop
over the windows, windows of more than 127 cells, and a float32 bias."""

from __future__ import annotations

import numpy as np
import pytest

import course_lib.layers as L

pytestmark = pytest.mark.ch6


def _raises(kind, message, call, *args, **kwargs):
    with pytest.raises(kind) as info:
        call(*args, **kwargs)
    assert str(info.value) == message


def _conv(F=3, C=2, kh=3, kw=3, **kw_args):
    return L.Conv2D(np.ones((F, C, kh, kw)), np.zeros(F), **kw_args)


# ------------------------------------------------------------------ Conv2D


def test_conv_constructor_messages():
    _raises(ValueError, "Conv2D: 'W' must be a 4-D array; got shape "
            "(2, 3, 3).", L.Conv2D, np.ones((2, 3, 3)), np.zeros(2))
    _raises(ValueError, "Conv2D: 'b' must be a 1-D array; got shape (1, 2).",
            L.Conv2D, np.ones((2, 1, 3, 3)), np.zeros((1, 2)))
    _raises(TypeError, "Conv2D: 'b' must be a numpy.ndarray; got list.",
            L.Conv2D, np.ones((2, 1, 3, 3)), [0.0, 0.0])
    _raises(ValueError, "Conv2D: 'b' must be of shape (2,) to match W "
            "(2, 1, 3, 3) (one bias per kernel); got shape (3).",
            L.Conv2D, np.ones((2, 1, 3, 3)), np.zeros(3))
    _raises(ValueError, "Conv2D: 'stride' must be an int >= 1 (or a pair of "
            "them); got 0.", _conv, stride=0)
    _raises(TypeError, "Conv2D: 'stride' must be an int or a pair of ints "
            "(height, width); got 1.5.", _conv, stride=1.5)
    _raises(ValueError, "Conv2D: 'pad' must be an int >= 0 (or a pair of "
            "them); got (0, -1).", _conv, pad=(0, -1))


def test_conv_starts_with_zero_gradients_like_its_parameters():
    layer = L.Conv2D(np.ones((2, 1, 3, 3), np.float32),
                     np.ones(2, np.float32))
    for k, p in layer.params.items():
        g = layer.grads[k]
        assert g.shape == p.shape and g.dtype == np.float32 and not g.any()


def test_conv_output_shape_keeps_n_and_takes_f():
    layer = _conv(F=3, C=2, kh=3, kw=2, stride=(2, 1), pad=(1, 0))
    # height (7 - 3 + 2)/2 + 1 = 4, width (6 - 2)/1 + 1 = 5
    assert layer.output_shape((5, 2, 7, 6)) == (5, 3, 4, 5)
    assert layer.forward(np.zeros((5, 2, 7, 6))).shape == (5, 3, 4, 5)


def test_conv_output_shape_names_the_kernel_too_large():
    _raises(ValueError, "Conv2D: the kernel height k=3 must be at most the "
            "padded input height W + 2P = 2 + 2·0 = 2; got an output height "
            "(W − k + 2P)/S + 1 = (2 − 3 + 2·0)/1 + 1 < 1 (x of shape "
            "(1, 2, 2, 5), W of shape (3, 2, 3, 3)). Use a smaller kernel or "
            "more padding.", _conv().output_shape, (1, 2, 2, 5))


def test_conv_forward_messages():
    layer = _conv()
    _raises(ValueError, "Conv2D.forward: 'x' must be a 4-D array; got shape "
            "(2, 4, 4).", layer.forward, np.ones((2, 4, 4)))
    _raises(TypeError, "Conv2D.forward: 'x' must be a numpy.ndarray; got "
            "list.", layer.forward, [1.0])
    _raises(ValueError, "Conv2D.forward: the kernel width k=3 must be at "
            "most the padded input width W + 2P = 2 + 2·0 = 2; got an output "
            "width (W − k + 2P)/S + 1 = (2 − 3 + 2·0)/1 + 1 < 1 (x of shape "
            "(1, 2, 5, 2), W of shape (3, 2, 3, 3)). Use a smaller kernel or "
            "more padding.", layer.forward, np.ones((1, 2, 5, 2)))


def test_conv_forward_of_channels_last_images_says_how_to_transpose():
    _raises(ValueError, "Conv2D.forward: 'x' must be of shape (N, 2, H, W): "
            "2 channels to match W (3, 2, 3, 3) (F, C, kh, kw); got shape "
            "(1, 5, 5, 2). Is it channels-last (N, H, W, C)? Use "
            "x.transpose(0, 3, 1, 2).", _conv().forward, np.ones((1, 5, 5, 2)))
    _raises(ValueError, "Conv2D.forward: 'x' must be of shape (N, 2, H, W): "
            "2 channels to match W (3, 2, 3, 3) (F, C, kh, kw); got shape "
            "(1, 5, 5, 4).", _conv().forward, np.ones((1, 5, 5, 4)))


def test_conv_adds_a_float64_bias_after_rounding_it_to_float32():
    # out = 2^-24 before the bias; b = 1 + 2^-25 rounds to 1 in float32, and
    # 2^-24 + 1 rounds (to even) to 1: the float32 sum of float32 numbers
    W = np.full((1, 1, 1, 1), 2.0 ** -24, np.float32)
    b = np.array([1.0 + 2.0 ** -25])
    out = L.Conv2D(W, b).forward(np.ones((1, 1, 1, 1), np.float32))
    assert out.dtype == np.float32 and out.item() == 1.0


def test_conv_by_hand_with_stride_and_padding():
    W = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])          # (1, 1, 2, 2)
    layer = L.Conv2D(W, np.array([0.5]), stride=2, pad=1)
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    # padded 4x4 with x in the middle; windows at (0,0), (0,2), (2,0), (2,2)
    assert layer.forward(x)[0, 0].tolist() == [[4.5, 6.5], [6.5, 4.5]]
    dx = layer.backward(np.ones((1, 1, 2, 2)))
    # each x cell lies in exactly one window, at the kernel cell it meets
    assert dx[0, 0].tolist() == [[4.0, 3.0], [2.0, 1.0]]
    assert layer.grads["b"].tolist() == [4.0]
    assert layer.grads["W"][0, 0].tolist() == [[4.0, 3.0], [2.0, 1.0]]


# --------------------------------------------------------------- MaxPool2D


def test_maxpool_constructor_messages():
    _raises(ValueError, "MaxPool2D: 'size' must be an int >= 1 (or a pair "
            "of them); got 0.", L.MaxPool2D, 0)
    _raises(TypeError, "MaxPool2D: 'size' must be an int or a pair of ints "
            "(height, width); got '2'.", L.MaxPool2D, "2")
    _raises(ValueError, "MaxPool2D: 'stride' must be an int >= 1 (or a pair "
            "of them); got (1, 0).", L.MaxPool2D, 2, (1, 0))
    _raises(ValueError, "MaxPool2D: 'pad' must be an int >= 0 (or a pair of "
            "them); got -1.", L.MaxPool2D, 2, 2, -1)


@pytest.mark.parametrize("size,pad", [((2, 4), (0, 3)), ((4, 2), (3, 0)),
                                      (3, 2), ((2, 2), (2, 0))])
def test_maxpool_refuses_padding_over_half_the_window(size, pad):
    kh, kw = size if isinstance(size, tuple) else (size, size)
    _raises(ValueError, f"MaxPool2D: 'pad' must be at most half the window "
            f"{kh}×{kw} (a window of padding alone has no maximum); got "
            f"{pad!r}.", L.MaxPool2D, size, 1, pad)


@pytest.mark.parametrize("size,pad", [(2, 1), ((2, 2), (0, 1)),
                                      ((2, 2), (1, 0)), ((3, 5), (1, 2))])
def test_maxpool_accepts_padding_of_half_the_window(size, pad):
    assert L.MaxPool2D(size, 1, pad)._pad == (
        (pad, pad) if isinstance(pad, int) else pad)


def test_maxpool_output_shape_keeps_n_and_c():
    assert L.MaxPool2D(2, 2).output_shape((5, 3, 6, 4)) == (5, 3, 3, 2)
    _raises(ValueError, "MaxPool2D: the kernel height k=3 must be at most "
            "the padded input height W + 2P = 2 + 2·0 = 2; got an output "
            "height (W − k + 2P)/S + 1 = (2 − 3 + 2·0)/2 + 1 < 1 (x of shape "
            "(1, 1, 2, 4), a 3×3 window). Use a smaller kernel or more "
            "padding.", L.MaxPool2D(3, 2).output_shape, (1, 1, 2, 4))


def test_maxpool_forward_messages():
    _raises(ValueError, "MaxPool2D.forward: 'x' must be a 4-D array; got "
            "shape (1, 2, 2).", L.MaxPool2D().forward, np.ones((1, 2, 2)))
    _raises(ValueError, "MaxPool2D.forward: the kernel width k=2 must be at "
            "most the padded input width W + 2P = 1 + 2·0 = 1; got an output "
            "width (W − k + 2P)/S + 1 = (1 − 2 + 2·0)/2 + 1 < 1 (x of shape "
            "(1, 1, 4, 1), a 2×2 window). Use a smaller kernel or more "
            "padding.", L.MaxPool2D().forward, np.ones((1, 1, 4, 1)))


def _maxpool_by_loops(x, dout, size, stride, pad):
    """Forward and backward window by window; ties go to the first cell."""
    (kh, kw), (sh, sw), (ph, pw) = size, stride, pad
    n, c, height, width = x.shape
    xp = np.full((n, c, height + 2 * ph, width + 2 * pw), -np.inf)
    xp[:, :, ph:ph + height, pw:pw + width] = x
    out_h, out_w = dout.shape[2:]
    out = np.zeros(dout.shape)
    dxp = np.zeros(xp.shape)
    for a in range(n):
        for ch in range(c):
            for i in range(out_h):
                for j in range(out_w):
                    win = xp[a, ch, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    u, v = divmod(int(np.argmax(win)), kw)
                    out[a, ch, i, j] = win[u, v]
                    dxp[a, ch, i * sh + u, j * sw + v] += dout[a, ch, i, j]
    return out, dxp[:, :, ph:ph + height, pw:pw + width]


@pytest.mark.parametrize("size,stride,pad,shape", [
    ((2, 2), (2, 2), (1, 0), (2, 2, 3, 4)),   # padding on the height only
    ((2, 2), (2, 2), (0, 1), (2, 2, 4, 3)),   # on the width only
    ((3, 2), (2, 2), (0, 0), (1, 2, 7, 6)),   # overlapping along H only
    ((2, 3), (2, 2), (1, 1), (1, 2, 5, 7)),   # overlapping along W only
    ((3, 3), (3, 3), (1, 1), (2, 1, 4, 4)),   # disjoint, padded
])
def test_maxpool_equals_a_loop_over_the_windows(size, stride, pad, shape):
    rng = np.random.default_rng(0)
    # integers make ties, which must go to the first cell of the window
    x = rng.integers(-3, 4, shape).astype(float)
    layer = L.MaxPool2D(size, stride, pad)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    want_out, want_dx = _maxpool_by_loops(x, dout, size, stride, pad)
    assert np.array_equal(out, want_out)
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, want_dx, rtol=1e-15, atol=0)


def test_maxpool_window_of_more_than_127_cells():
    x = np.zeros((1, 1, 12, 12))
    x[0, 0, 11, 10] = 1.0                      # offset 11 * 12 + 10 = 142
    layer = L.MaxPool2D(12, 12)
    assert layer.forward(x).item() == 1.0
    dx = layer.backward(np.full((1, 1, 1, 1), 5.0))
    assert dx[0, 0, 11, 10] == 5.0 and dx.sum() == 5.0


def test_maxpool_reprs_show_the_arguments_as_given():
    assert repr(L.MaxPool2D((2, 3), 1, (1, 0))) == \
        "MaxPool2D(size=(2, 3), stride=1, pad=(1, 0))"
    assert repr(_conv(stride=(2, 1), pad=1)) == \
        "Conv2D(F=3, C=2, kh=3, kw=3, stride=(2, 1), pad=1)"
