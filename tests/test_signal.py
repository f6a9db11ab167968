"""Signal-processing convolution: 1-D signals, single images, Sobel."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.signal import (
    SOBEL_X,
    SOBEL_Y,
    convolve1d,
    convolve2d,
    correlate2d,
    first_order_lowpass,
    sample_photo,
    sobel,
    to_grayscale,
)

pytestmark = pytest.mark.ch6

LENGTHS = [(5, 3), (6, 4), (3, 5), (4, 7), (7, 2), (1, 1), (10, 1), (8, 8)]


@pytest.mark.parametrize("m, k", LENGTHS)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve1d_equals_numpy(m, k, mode):
    rng = np.random.default_rng(m * 10 + k)
    x, h = rng.standard_normal(m), rng.standard_normal(k)
    out = convolve1d(x, h, mode)
    expected = np.convolve(x, h, mode)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


def test_convolve1d_definition_and_commutativity():
    x = np.array([1.0, 2.0, 3.0])
    h = np.array([0.0, 1.0, 0.5])
    # y[n] = sum_k x[k] h[n - k]
    np.testing.assert_allclose(convolve1d(x, h), [0, 1, 2.5, 4, 1.5])
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(9), rng.standard_normal(4)
    np.testing.assert_allclose(convolve1d(a, b), convolve1d(b, a),
                               rtol=1e-12)
    # the impulse response is what comes out for a unit impulse
    delta = np.zeros(6)
    delta[0] = 1.0
    np.testing.assert_allclose(convolve1d(delta, b)[:4], b)


def test_convolve1d_dtypes_and_errors():
    x32 = np.ones(5, dtype=np.float32)
    assert convolve1d(x32, x32[:2]).dtype == np.float32
    ints = convolve1d(np.array([1, 2]), np.array([3, 4]))
    np.testing.assert_array_equal(ints, [3, 10, 8])
    with pytest.raises(ValueError, match="'mode' must be one of"):
        convolve1d(x32, x32, mode="circular")
    with pytest.raises(ValueError, match="'x' must be a 1-D"):
        convolve1d(np.ones((2, 2)), x32)
    with pytest.raises(ValueError, match="'h' must be a non-empty"):
        convolve1d(x32, np.zeros(0))


def direct_correlate(image, kernel):
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for u in range(kh):
                for v in range(kw):
                    out[i, j] += kernel[u, v] * image[i + u, j + v]
    return out


def direct_convolve(image, kernel):
    """O(i, j) = sum K(u, v) I(i - u, j - v) over the full overlap."""
    kh, kw = kernel.shape
    height, width = image.shape
    out = np.zeros((height + kh - 1, width + kw - 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for u in range(kh):
                for v in range(kw):
                    if 0 <= i - u < height and 0 <= j - v < width:
                        out[i, j] += kernel[u, v] * image[i - u, j - v]
    return out


@pytest.mark.parametrize("shape, kshape", [((6, 7), (3, 3)), ((5, 8), (2, 4)),
                                           ((4, 4), (4, 4)), ((6, 5), (1, 2))])
def test_correlate_and_convolve2d_equal_definitions(shape, kshape):
    rng = np.random.default_rng(1)
    image, kernel = rng.standard_normal(shape), rng.standard_normal(kshape)
    np.testing.assert_allclose(correlate2d(image, kernel),
                               direct_correlate(image, kernel), rtol=1e-12)
    np.testing.assert_allclose(convolve2d(image, kernel, "full"),
                               direct_convolve(image, kernel), rtol=1e-12)
    # convolution is correlation with the kernel rotated by 180 degrees
    np.testing.assert_allclose(convolve2d(image, kernel),
                               correlate2d(image, kernel[::-1, ::-1]),
                               rtol=1e-12)
    assert convolve2d(image, kernel, "same").shape == shape
    assert correlate2d(image, kernel, "same").shape == shape


@pytest.mark.parametrize("kshape", [(3, 3), (2, 4), (4, 3)])
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_2d_modes_equal_scipy(kshape, mode):
    ss = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(2)
    image, kernel = rng.standard_normal((7, 6)), rng.standard_normal(kshape)
    np.testing.assert_allclose(correlate2d(image, kernel, mode),
                               ss.correlate2d(image, kernel, mode),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(convolve2d(image, kernel, mode),
                               ss.convolve2d(image, kernel, mode),
                               rtol=1e-12, atol=1e-12)


def test_2d_errors_and_float32():
    with pytest.raises(ValueError, match="'kernel' must be at most the image"):
        correlate2d(np.ones((3, 3)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="'image' must be a 2-D"):
        convolve2d(np.ones((1, 3, 3)), np.ones((2, 2)))
    im = np.ones((5, 5), dtype=np.float32)
    assert correlate2d(im, im[:3, :3]).dtype == np.float32


def test_sobel_on_a_ramp_and_an_edge():
    ramp = np.tile(np.arange(8.0), (6, 1))          # brightness grows right
    gx, gy, mag = sobel(ramp, mode="valid")
    np.testing.assert_allclose(gx, 8.0)              # 1 + 2 + 1 on each side
    np.testing.assert_allclose(gy, 0.0)
    np.testing.assert_allclose(mag, 8.0)
    step = np.zeros((6, 6))
    step[3:] = 1.0                                   # a horizontal edge
    gx, gy, _ = sobel(step, mode="valid")
    np.testing.assert_allclose(gx, 0.0)
    assert gy[1, 0] == 4.0 and gy[0, 0] == 0.0
    # the flip of true convolution turns the antisymmetric kernel around
    np.testing.assert_allclose(convolve2d(ramp, SOBEL_X), -8.0)
    np.testing.assert_array_equal(SOBEL_Y, SOBEL_X.T)


def test_grayscale_and_sample_photo():
    rgb = np.zeros((2, 2, 3))
    rgb[..., 1] = 1.0
    np.testing.assert_allclose(to_grayscale(rgb), 0.587)
    with pytest.raises(ValueError, match=r"of shape \(H, W, 3\)"):
        to_grayscale(np.zeros((2, 2, 4)))
    photo = sample_photo(np.float32)
    assert photo.shape == (600, 512, 3) and photo.dtype == np.float32
    assert 0.0 <= photo.min() and photo.max() <= 1.0


def test_lowpass_is_lti_and_equals_its_impulse_response():
    rng = np.random.default_rng(3)
    a = 0.7
    x1, x2 = rng.standard_normal(40), rng.standard_normal(40)
    # linearity
    np.testing.assert_allclose(first_order_lowpass(2 * x1 - 3 * x2, a),
                               2 * first_order_lowpass(x1, a)
                               - 3 * first_order_lowpass(x2, a), atol=1e-12)
    # time invariance: a delayed input gives a delayed output
    delayed = np.concatenate([np.zeros(5), x1[:-5]])
    np.testing.assert_allclose(first_order_lowpass(delayed, a)[5:],
                               first_order_lowpass(x1, a)[:-5], atol=1e-12)
    h = (1 - a) * a ** np.arange(40)
    np.testing.assert_allclose(first_order_lowpass(x1, a),
                               convolve1d(x1, h)[:40], atol=1e-12)
    with pytest.raises(ValueError, match="'a' must be a finite number"):
        first_order_lowpass(x1, 1.0)
