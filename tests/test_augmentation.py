"""Data augmentation transforms and the arrows toy set (Chapter 5)."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.augmentation import (
    Augment,
    GaussianNoise,
    RandomBrightness,
    RandomFlip,
    RandomShift,
    RandomStroke,
    RandomWarp,
    arrows,
)
from course_lib.network import mlp
from course_lib.optim import SGD
from course_lib.trainer import Trainer

pytestmark = pytest.mark.ch5

TRANSFORMS = [
    RandomShift(1, image_shape=(8, 8)),
    RandomFlip(image_shape=(8, 8)),
    GaussianNoise(0.1),
    RandomBrightness(0.2, clip=(0.0, 1.0)),
    Augment(RandomShift(2, image_shape=(8, 8)), GaussianNoise(0.05)),
]
IDS = ["shift", "flip", "noise", "brightness", "augment"]


def _batch(shape=(6, 64), dtype=np.float64, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, shape).astype(dtype)


@pytest.mark.parametrize("f", TRANSFORMS, ids=IDS)
@pytest.mark.parametrize("shape", [(6, 64), (6, 1, 8, 8)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_shape_dtype_and_input_untouched(f, shape, dtype):
    x = _batch(shape, dtype)
    keep = x.copy()
    out = f(x, np.random.default_rng(0))
    assert out.shape == x.shape and out.dtype == dtype
    assert out is not x
    np.testing.assert_array_equal(x, keep)


@pytest.mark.parametrize("f", TRANSFORMS, ids=IDS)
def test_deterministic_given_seed(f):
    x = _batch()
    np.testing.assert_array_equal(f(x, 3), f(x, 3))
    assert not np.array_equal(f(x, 3), f(x, 4))


def _naive_shift(img, dy, dx):
    out = np.zeros_like(img)
    h, w = img.shape
    for i in range(h):
        for j in range(w):
            if 0 <= i - dy < h and 0 <= j - dx < w:
                out[i, j] = img[i - dy, j - dx]
    return out


@pytest.mark.parametrize("s", [0, 1, 2])
def test_shift_matches_naive_definition(s):
    x = _batch((7, 1, 5, 6))
    out = RandomShift(s)(x, np.random.default_rng(9))
    rng = np.random.default_rng(9)                   # same draws, same order
    dy = rng.integers(-s, s + 1, size=7)
    dx = rng.integers(-s, s + 1, size=7)
    for n in range(7):
        np.testing.assert_array_equal(out[n, 0],
                                      _naive_shift(x[n, 0], dy[n], dx[n]))


def test_shift_three_channel_flat_and_fill():
    x = _batch((3, 2 * 4 * 4))
    out = RandomShift(1, image_shape=(2, 4, 4), fill=0.5)(x, 0)
    assert out.shape == x.shape
    # every value is either an input value or the fill value
    assert np.all(np.isin(out, np.append(x.ravel(), 0.5)))


def test_flip_probabilities():
    x = _batch((5, 1, 4, 4))
    np.testing.assert_array_equal(RandomFlip(p=1.0)(x, 0), x[..., ::-1])
    np.testing.assert_array_equal(RandomFlip(p=0.0)(x, 0), x)
    both = RandomFlip(horizontal=True, vertical=True, p=1.0)(x, 0)
    np.testing.assert_array_equal(both, x[..., ::-1, ::-1])
    half = RandomFlip(p=0.5)(np.repeat(x[:1], 4000, axis=0), 1)
    frac = np.mean(np.all(half == x[0][..., ::-1], axis=(1, 2, 3)))
    assert abs(frac - 0.5) < 5 * np.sqrt(0.25 / 4000)


def test_noise_and_brightness_statistics():
    n = 100_000
    x = np.full((n, 4), 0.5)
    noisy = GaussianNoise(0.1)(x, 0) - 0.5
    assert abs(noisy.mean()) < 5 * 0.1 / np.sqrt(4 * n)
    assert noisy.std() == pytest.approx(0.1, rel=0.02)
    clipped = GaussianNoise(1.0, clip=(0.0, 1.0))(x, 0)
    assert clipped.min() >= 0.0 and clipped.max() <= 1.0
    np.testing.assert_array_equal(GaussianNoise(0.0)(x[:3], 0), x[:3])
    bright = RandomBrightness(0.2)(_batch((50, 64)), 1) - _batch((50, 64))
    # one offset per image, within [-0.2, 0.2]
    np.testing.assert_allclose(bright, bright[:, :1] * np.ones((1, 64)),
                               atol=1e-15)
    assert np.abs(bright).max() <= 0.2


def test_augment_composes_in_order_with_one_generator():
    x = _batch()
    f, g = RandomShift(1, image_shape=(8, 8)), GaussianNoise(0.1)
    rng = np.random.default_rng(5)
    want = g(f(x, rng), rng)
    np.testing.assert_array_equal(Augment(f, g)(x, 5), want)
    np.testing.assert_array_equal(Augment()(x, 0), x)


def test_trainer_uses_augment_reproducibly():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (40, 64))
    t = rng.integers(0, 3, size=40)
    aug = Augment(RandomShift(1, image_shape=(8, 8)), GaussianNoise(0.05))
    runs = []
    for _ in range(2):
        net = mlp([64, 10, 3], rng=0)
        h = Trainer(net, SGD(0.1), batch_size=10, augment=aug, rng=1).fit(
            x, t, epochs=2)
        runs.append(h.batch_loss)
    assert runs[0] == runs[1]
    plain = Trainer(mlp([64, 10, 3], rng=0), SGD(0.1), batch_size=10,
                    rng=1).fit(x, t, epochs=2)
    assert plain.batch_loss[1:] != runs[0][1:]


def test_bad_input():
    with pytest.raises(ValueError, match="'image_shape'"):
        RandomShift(1)(_batch(), 0)
    with pytest.raises(ValueError, match="'image_shape'.*64 pixels"):
        RandomFlip(image_shape=(7, 7))(_batch(), 0)
    with pytest.raises(ValueError, match="'image_shape'"):
        RandomShift(1, image_shape=(8,))
    with pytest.raises(ValueError, match="'x'"):
        GaussianNoise(0.1)(np.ones(5), 0)
    with pytest.raises(TypeError, match="'x'"):
        GaussianNoise(0.1)(np.ones((2, 4), dtype=int), 0)
    with pytest.raises(ValueError, match="'std'"):
        GaussianNoise(-0.1)
    with pytest.raises(ValueError, match="'max_shift'"):
        RandomShift(-1)
    with pytest.raises(ValueError, match="'p'"):
        RandomFlip(p=1.5)
    with pytest.raises(ValueError, match="'clip'"):
        GaussianNoise(0.1, clip=(1.0, 0.0))
    with pytest.raises(TypeError, match="transforms\\[1\\]"):
        Augment(GaussianNoise(0.1), "flip")


def test_arrows_and_flip_breaks_labels():
    x, t = arrows(40, noise=0.0, rng=0)
    assert x.shape == (40, 1, 8, 8) and t.shape == (40,)
    assert np.bincount(t).tolist() == [20, 20]
    def points_right(imgs):
        """The head (ink off the shaft row) lies right of the shaft."""
        out = []
        for img in imgs[:, 0]:
            shaft = np.argmax(img.sum(axis=1))
            cols = np.arange(img.shape[1])
            head = np.delete(img, shaft, axis=0).sum(axis=0)
            out.append(head @ cols / head.sum()
                       > img[shaft] @ cols / img[shaft].sum())
        return np.array(out)

    np.testing.assert_array_equal(points_right(x), t == 1)
    flipped = RandomFlip(p=1.0)(x, 0)
    np.testing.assert_array_equal(points_right(flipped), t == 0)
    np.testing.assert_array_equal(arrows(10, rng=3)[0], arrows(10, rng=3)[0])


# ------------------------------------------------------------- RandomWarp

def _warp_by_loop(img, theta, z, dy, dx):
    """One (H, W) image read through the warp, pixel by pixel, with the
    four-neighbour bilinear rule written out (0 outside)."""
    h, w = img.shape
    cy, cx = (h - 1) / 2, (w - 1) / 2

    def pixel(r, q):
        return img[r, q] if 0 <= r < h and 0 <= q < w else 0.0

    out = np.zeros_like(img)
    for i in range(h):
        for j in range(w):
            di, dj = i - cy, j - cx
            y = (np.cos(theta) * di + np.sin(theta) * dj) / z + cy - dy
            u = (np.cos(theta) * dj - np.sin(theta) * di) / z + cx - dx
            r, q = int(np.floor(y)), int(np.floor(u))
            a, b = y - r, u - q
            out[i, j] = ((1 - a) * (1 - b) * pixel(r, q) + (1 - a) * b * pixel(r, q + 1)
                         + a * (1 - b) * pixel(r + 1, q) + a * b * pixel(r + 1, q + 1))
    return out


def test_random_warp_reads_each_pixel_as_the_bilinear_rule_says():
    x = np.random.default_rng(1).random((4, 2, 6, 7))
    got = RandomWarp(degrees=25, zoom=0.2, shift=1.5)(x, np.random.default_rng(7))
    draws = np.random.default_rng(7)
    theta = np.deg2rad(draws.uniform(-25, 25, (4, 1, 1)))[:, 0, 0]
    z = draws.uniform(0.8, 1.2, (4, 1, 1))[:, 0, 0]
    dy, dx = draws.uniform(-1.5, 1.5, (2, 4, 1, 1))[:, :, 0, 0]
    for n in range(4):
        for c in range(2):
            want = _warp_by_loop(x[n, c], theta[n], z[n], dy[n], dx[n])
            np.testing.assert_allclose(got[n, c], want, rtol=1e-12, atol=1e-12)


def test_random_warp_without_range_is_the_identity_and_keeps_dtype_and_shape():
    x = np.random.default_rng(2).random((3, 64)).astype(np.float32)
    out = RandomWarp(0, 0, 0, image_shape=(8, 8))(x, rng=0)
    assert out.dtype == np.float32 and out.shape == (3, 64)
    np.testing.assert_array_equal(out, x)
    assert out is not x


def test_random_warp_moves_a_dot_by_a_whole_pixel_and_fills_outside():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 2] = 1.0
    # the move is drawn from U(-1, 1) after the turn and the zoom
    warp = RandomWarp(degrees=0, zoom=0, shift=1.0, fill=0.5)
    draws = np.random.default_rng(4)
    draws.uniform(0, 0, (1, 1, 1))
    draws.uniform(1, 1, (1, 1, 1))
    dy, dx = draws.uniform(-1, 1, (2, 1, 1, 1))[:, 0, 0, 0]
    out = warp(x, np.random.default_rng(4))[0, 0]
    # the dot's mass is kept inside the image and split between 4 pixels
    r, q = 2 + int(np.floor(dy)), 2 + int(np.floor(dx))
    fy, fu = dy - np.floor(dy), dx - np.floor(dx)
    assert out[r + 1, q + 1] == pytest.approx(fy * fu)
    assert out[r, q] == pytest.approx((1 - fy) * (1 - fu))
    # a blank image: the edge the image moved away from reads the fill
    # (partly), the centre reads only the image
    blank = warp(np.zeros((1, 1, 5, 5)), np.random.default_rng(4))[0, 0]
    assert 0 < blank.max() <= 0.5 and blank[2, 2] == 0.0


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"degrees": -1}, "degrees"), ({"zoom": 1.0}, "zoom"),
    ({"shift": float("nan")}, "shift"), ({"image_shape": (8,)}, "image_shape")])
def test_random_warp_names_a_bad_argument(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        RandomWarp(**kwargs)


# ----------------------------------------------------------- RandomStroke

def test_random_stroke_raises_each_image_to_its_own_power():
    x = np.array([[0.0, 0.25, 1.0], [0.5, 0.81, 1.0]])
    out = RandomStroke(0.3)(x, np.random.default_rng(5))
    gamma = np.exp(np.random.default_rng(5).uniform(-0.3, 0.3, (2, 1)))
    np.testing.assert_allclose(out, x ** gamma, rtol=1e-15)
    assert out[0, 0] == 0.0 and out[0, 2] == 1.0 and out[1, 2] == 1.0
    assert not np.allclose(out[0, 1] ** (1 / gamma[1, 0]), 0.25)  # per image


def test_random_stroke_refuses_negative_pixels():
    with pytest.raises(ValueError, match="RandomStroke.*x.*>= 0"):
        RandomStroke()(np.array([[0.2, -0.1]]), rng=0)
