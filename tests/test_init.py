"""Weight initializers: fans, scales, dtype, reproducibility, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_lib import init

pytestmark = pytest.mark.ch3

# (function, expected std as a function of (fan_in, fan_out), kurtosis)
NORMAL, UNIFORM = 3.0, 1.8
INITIALIZERS = {
    "xavier_normal": (init.xavier_normal, lambda i, o: 1 / math.sqrt(i),
                      NORMAL),
    "glorot_normal": (init.glorot_normal,
                      lambda i, o: math.sqrt(2 / (i + o)), NORMAL),
    "he_normal": (init.he_normal, lambda i, o: math.sqrt(2 / i), NORMAL),
    "xavier_uniform": (init.xavier_uniform, lambda i, o: 1 / math.sqrt(i),
                       UNIFORM),
    "glorot_uniform": (init.glorot_uniform,
                       lambda i, o: math.sqrt(2 / (i + o)), UNIFORM),
    "he_uniform": (init.he_uniform, lambda i, o: math.sqrt(2 / i), UNIFORM),
}
SHAPES = [(300, 200), (40, 3, 5, 5)]


def test_fans_dense_conv_and_vector():
    assert init.fans((784, 100)) == (784, 100)
    assert init.fans((16, 3, 5, 5)) == (75, 400)
    assert init.fans((8, 4, 3)) == (12, 24)          # 1-D convolution
    assert init.fans((7,)) == (7, 7)
    assert init.fans([20, 10]) == (20, 10)
    assert init.fans(5) == (5, 5)


@pytest.mark.parametrize("bad", [(), (3, 0), (3, -2), (2.5, 3), "ab", None,
                                 (True, 3)])
def test_bad_shapes_name_the_argument(bad):
    with pytest.raises(ValueError, match="'shape'"):
        init.fans(bad)
    with pytest.raises(ValueError, match="'shape'"):
        init.he_normal(bad)


@pytest.mark.parametrize("shape", SHAPES, ids=["dense", "conv"])
@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_sample_std_matches_the_formula(name, shape):
    fn, formula, kurtosis = INITIALIZERS[name]
    W = fn(shape, rng=0)
    assert W.shape == shape and W.dtype == np.float64
    fan_in, fan_out = init.fans(shape)
    std = formula(fan_in, fan_out)
    n = W.size
    # standard error of the sample std: std * sqrt((kurtosis - 1) / (4 n));
    # of the sample mean: std / sqrt(n). Five standard errors.
    assert abs(W.std() - std) < 5 * std * math.sqrt((kurtosis - 1) / (4 * n))
    assert abs(W.mean()) < 5 * std / math.sqrt(n)
    if kurtosis == UNIFORM:
        assert np.abs(W).max() <= math.sqrt(3) * std


def test_known_scales_of_the_chapter():
    # the chapter's numbers: 100 inputs -> Xavier 0.1, He 0.1414
    assert init.xavier_normal((100, 100), rng=1).std() == pytest.approx(
        0.1, rel=0.03)
    assert init.he_normal((100, 100), rng=1).std() == pytest.approx(
        math.sqrt(0.02), rel=0.03)
    # Glorot differs from the simplified Xavier when n_in != n_out
    g = init.glorot_normal((784, 16), rng=2)
    assert g.std() == pytest.approx(math.sqrt(2 / 800), rel=0.05)
    assert init.xavier_normal((784, 16), rng=2).std() == pytest.approx(
        1 / 28, rel=0.05)


@pytest.mark.parametrize("std", [0.01, 1.0, 3.0])
def test_normal_and_uniform(std):
    n = 200_000
    W = init.normal((n,), std, rng=3)
    assert abs(W.std() - std) < 5 * std * math.sqrt(2 / (4 * n))
    U = init.uniform((n,), rng=3)
    assert U.min() >= -0.05 and U.max() < 0.05
    assert abs(U.std() - 0.05 / math.sqrt(3)) < 5 * 0.0289 * math.sqrt(
        0.8 / (4 * n))
    assert np.all(init.normal((3, 4), 0.0, rng=0) == 0)


def test_constant_and_zeros():
    c = init.constant((3, 4), 0.5)
    assert c.shape == (3, 4) and np.all(c == 0.5)
    z = init.zeros((2, 2), dtype=np.float32)
    assert z.dtype == np.float32 and not z.any()


@pytest.mark.parametrize("name", list(INITIALIZERS))
def test_dtype_and_reproducibility(name):
    fn = INITIALIZERS[name][0]
    a = fn((20, 30), rng=7)
    b = fn((20, 30), rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, fn((20, 30), rng=8))
    f32 = fn((20, 30), rng=7, dtype=np.float32)
    assert f32.dtype == np.float32
    np.testing.assert_array_equal(f32, a.astype(np.float32))
    # a shared generator advances: two draws differ
    g = np.random.default_rng(0)
    assert not np.array_equal(fn((5, 5), rng=g), fn((5, 5), rng=g))


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="'std'.*got -1"):
        init.normal((2, 2), -1)
    with pytest.raises(ValueError, match="'std'"):
        init.normal((2, 2), float("nan"))
    with pytest.raises(TypeError, match="'std'"):
        init.normal((2, 2), "0.1")
    with pytest.raises(ValueError, match="'low'"):
        init.uniform((2, 2), 0.1, -0.1)
    with pytest.raises(ValueError, match="'value'"):
        init.constant((2, 2), float("inf"))
    with pytest.raises(TypeError, match="'dtype'"):
        init.he_normal((2, 2), dtype=np.int64)
    with pytest.raises(TypeError, match="rng"):
        init.xavier_normal((2, 2), rng="seed")


def test_registry_and_std_for_agree_with_the_formulas():
    names = {"xavier": "xavier_normal", "glorot": "glorot_normal",
             "he": "he_normal", "xavier_uniform": "xavier_uniform",
             "glorot_uniform": "glorot_uniform", "he_uniform": "he_uniform"}
    assert set(init.INITIALIZERS) == set(names)
    for key, fn_name in names.items():
        fn, formula, _ = INITIALIZERS[fn_name]
        assert init.INITIALIZERS[key] is fn
        assert init.std_for(key, 300, 200) == pytest.approx(
            formula(300, 200), rel=1e-15)
    assert init.std_for("glorot", 100) == pytest.approx(0.1)   # square


def test_uniform_bound_is_sqrt3_times_std_for():
    for key in ("xavier_uniform", "glorot_uniform", "he_uniform"):
        W = init.INITIALIZERS[key]((400, 100), rng=0)
        a = math.sqrt(3) * init.std_for(key, 400, 100)
        assert a * 0.99 < np.abs(W).max() <= a


def test_std_for_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"std_for: 'name' must be one of "
                       r"'he', .*; got 'lecun'"):
        init.std_for("lecun", 10)
    with pytest.raises(ValueError, match=r"std_for: 'fan_in' must be an "
                       r"integer >= 1; got 0"):
        init.std_for("he", 0)
    with pytest.raises(TypeError, match="'fan_out'"):
        init.std_for("he", 10, 2.5)
