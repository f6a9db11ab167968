"""Properties of course_lib.gradcheck that plausible slips break: the step
``h`` is used, ``train`` reaches every forward call, the seed fixes the
upstream gradient, comparisons happen in float64, empty arrays are safe, and
errors name the function and the argument."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import check_layer, numerical_gradient, relative_error
from course_lib.layers import Tanh

pytestmark = pytest.mark.ch1


class _Square:
    """out = x², recording the ``train`` flag of every forward call."""

    params: dict = {}
    grads: dict = {}

    def __init__(self):
        self.modes = []

    def forward(self, x, train="not given"):
        self.modes.append(train)
        self._x = x
        return x * x

    def backward(self, dout):
        return 2 * self._x * dout


@pytest.mark.parametrize("train", [True, False])
def test_check_layer_passes_train_to_every_forward(train):
    layer = _Square()
    check_layer(layer, np.arange(1.0, 7.0).reshape(2, 3), rng=0, train=train)
    assert layer.modes and set(layer.modes) == {train}


def test_check_layer_checks_training_mode_by_default():
    layer = _Square()
    check_layer(layer, np.ones((2, 3)), rng=0)
    assert set(layer.modes) == {True}


def test_check_layer_is_reproducible_given_rng():
    # the upstream gradient is drawn from rng; a seed must fix the errors,
    # which (at ~1e-11) depend on every digit of that draw
    x = np.random.default_rng(5).standard_normal((3, 4))
    first = check_layer(Tanh(), x, rng=7)
    again = check_layer(Tanh(), x, rng=7)
    assert first == again
    other = check_layer(Tanh(), x, rng=8)
    assert other != first


def test_check_layer_uses_the_given_step():
    # central differences of tanh have error ~ h² |tanh'''| / 6: with h = 0.5
    # the error is large, with the default 1e-5 it is tiny
    x = np.random.default_rng(1).uniform(-1, 1, (2, 3))
    coarse = check_layer(Tanh(), x, rng=0, h=0.5)["x"]
    fine = check_layer(Tanh(), x, rng=0)["x"]
    assert coarse > 1e-3
    assert fine < 1e-8


def test_numerical_gradient_uses_the_given_step():
    # f(x) = x³: the central difference is 3x² + h² exactly
    x = np.array([2.0])
    g = numerical_gradient(lambda v: float(v[0] ** 3), x, h=0.1)
    assert g[0] == pytest.approx(12.0 + 0.01, abs=1e-12)


def test_relative_error_works_in_float64_so_unsigned_ints_do_not_wrap():
    a = np.array([1, 5], dtype=np.uint8)
    b = np.array([3, 5], dtype=np.uint8)
    # max|a - b| / max(|a| + |b|) = 2 / 10
    assert relative_error(a, b) == pytest.approx(0.2)
    assert relative_error(b, a) == pytest.approx(0.2)


def test_relative_error_of_empty_arrays_is_zero():
    assert relative_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0


def test_errors_name_the_function_and_the_argument():
    with pytest.raises(TypeError, match=r"^numerical_gradient: 'x' must be "):
        numerical_gradient(lambda v: 0.0, [1.0, 2.0])
    with pytest.raises(TypeError, match=r"^numerical_gradient: 'x' must be "):
        numerical_gradient(lambda v: 0.0, np.ones(2, dtype=np.float32))
    with pytest.raises(ValueError, match=r"^numerical_gradient: 'h' must be "):
        numerical_gradient(lambda v: 0.0, np.ones(2), h=0.0)
    with pytest.raises(TypeError, match=r"^check_layer: 'x' must be "):
        check_layer(_Square(), np.ones(2, dtype=np.float32))


class _Cube:
    """out = x · W³ (element-wise), with W a parameter."""

    def __init__(self, W):
        self.params = {"W": W}
        self.grads = {"W": np.zeros_like(W)}

    def forward(self, x, train=True):
        self._x = x
        return x * self.params["W"] ** 3

    def backward(self, dout):
        W = self.params["W"]
        self.grads["W"] = np.sum(3 * W ** 2 * self._x * dout, axis=0)
        return W ** 3 * dout


def test_check_layer_uses_the_given_step_for_parameters_too():
    # the central difference of W³ is 3W² + h²: exact up to h² per element
    rng = np.random.default_rng(2)
    layer = _Cube(rng.uniform(0.5, 1.5, 3))
    x = rng.standard_normal((2, 3))
    assert check_layer(layer, x, rng=0)["W"] < 1e-8
    assert check_layer(layer, x, rng=0, h=0.5)["W"] > 1e-3
