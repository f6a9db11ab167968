"""Properties of course_lib.init that plausible slips break: every error
names the function and the argument (the library's message template), the
requested dtype is honoured, and constant/zeros fill exactly."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib import init

pytestmark = pytest.mark.ch3

# (call, exception, the message's start: "<function>: '<argument>' must be ")
BAD_CALLS = [
    (lambda: init.fans((0, 3)), ValueError, "fans: 'shape'"),
    (lambda: init.std_for("he", 0), ValueError, "std_for: 'fan_in'"),
    (lambda: init.std_for("he", 3, 0), ValueError, "std_for: 'fan_out'"),
    (lambda: init.std_for("lecun", 3), ValueError, "std_for: 'name'"),
    (lambda: init.normal((2, 3), -1.0), ValueError, "normal: 'std'"),
    (lambda: init.normal((2, -3), 1.0), ValueError, "normal: 'shape'"),
    (lambda: init.normal((2, 3), 1.0, dtype=np.int32), TypeError,
     "normal: 'dtype'"),
    (lambda: init.uniform((2, 3), np.nan, 1.0), ValueError, "uniform: 'low'"),
    (lambda: init.uniform((2, 3), 0.0, np.inf), ValueError,
     "uniform: 'high'"),
    (lambda: init.uniform((2, 3), 1.0, 0.0), ValueError, "uniform: 'low'"),
    # [low, high) is empty when low == high
    (lambda: init.uniform((2, 3), 0.5, 0.5), ValueError, "uniform: 'low'"),
    (lambda: init.uniform((), 0.0, 1.0), ValueError, "uniform: 'shape'"),
    (lambda: init.uniform((2, 3), dtype="int64"), TypeError,
     "uniform: 'dtype'"),
    (lambda: init.constant((2, 3), np.inf), ValueError, "constant: 'value'"),
    (lambda: init.constant((2, 0), 1.0), ValueError, "constant: 'shape'"),
    (lambda: init.constant((2, 3), 1.0, dtype=bool), TypeError,
     "constant: 'dtype'"),
    (lambda: init.zeros([2.5]), ValueError, "zeros: 'shape'"),
    # a string NumPy does not understand as a dtype at all
    (lambda: init.zeros((2, 3), dtype="float-ish"), TypeError,
     "zeros: 'dtype'"),
    (lambda: init.zeros((2, 3), dtype=np.int8), TypeError, "zeros: 'dtype'"),
]


@pytest.mark.parametrize("call,kind,start", BAD_CALLS,
                         ids=[f"{i}-{s}" for i, (_, _, s) in
                              enumerate(BAD_CALLS)])
def test_errors_name_the_function_and_the_argument(call, kind, start):
    with pytest.raises(kind) as info:
        call()
    assert str(info.value).startswith(start + " must be "), str(info.value)
    assert "; got " in str(info.value)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_constant_and_zeros_fill_exactly_in_the_requested_dtype(dtype):
    c = init.constant((2, 3), 0.1, dtype=dtype)
    assert c.dtype == dtype and c.shape == (2, 3)
    assert np.all(c == dtype(0.1))
    z = init.zeros((4,), dtype=dtype)
    assert z.dtype == dtype and z.shape == (4,) and not z.any()


@pytest.mark.parametrize("make", [
    lambda dt: init.normal((3, 4), 0.1, rng=0, dtype=dt),
    lambda dt: init.uniform((3, 4), rng=0, dtype=dt),
    lambda dt: init.he_normal((3, 4), rng=0, dtype=dt),
    lambda dt: init.glorot_uniform((3, 4), rng=0, dtype=dt),
])
def test_float32_is_the_float64_draw_rounded(make):
    # same rng, same numbers: float32 is the float64 draw rounded once
    w32, w64 = make(np.float32), make(np.float64)
    assert w32.dtype == np.float32 and w64.dtype == np.float64
    np.testing.assert_array_equal(w32, w64.astype(np.float32))


def test_sizes_of_one_are_valid_shapes():
    assert init.fans((1,)) == (1, 1)
    assert init.fans((1, 5)) == (1, 5)
    assert init.zeros((1, 1)).shape == (1, 1)
    assert init.he_normal((1, 3), rng=0).shape == (1, 3)
