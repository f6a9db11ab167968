"""check_network: whole-network gradient checks find a wrong backward."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import check_network
from course_lib.layers import Affine, ReLU
from course_lib.network import Sequential

pytestmark = pytest.mark.ch1


def _net(dtype=np.float64):
    rng = np.random.default_rng(0)
    return Sequential([Affine(rng.standard_normal((4, 5)).astype(dtype),
                              rng.standard_normal(5).astype(dtype)),
                       ReLU(),
                       Affine(rng.standard_normal((5, 3)).astype(dtype),
                              np.zeros(3, dtype=dtype))])


def _batch():
    rng = np.random.default_rng(1)
    return rng.standard_normal((6, 4)), np.array([0, 2, 1, 1, 0, 2])


def test_correct_backward_passes_for_every_parameter():
    errors = check_network(_net(), *_batch())
    assert set(errors) == {"0.W", "0.b", "2.W", "2.b"}
    assert max(errors.values()) < 1e-7, errors


class _DoubledGradient(Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.grads["W"] = 2 * self.grads["W"]
        return dx


def test_a_wrong_weight_gradient_is_named():
    net = _net()
    W, b = net.layers[2].params["W"], net.layers[2].params["b"]
    net = Sequential(net.layers[:2] + [_DoubledGradient(W, b)])
    errors = check_network(net, *_batch())
    assert errors["2.W"] > 0.1
    assert max(errors[k] for k in ("0.W", "0.b", "2.b")) < 1e-7


def test_float32_parameters_are_refused():
    with pytest.raises(TypeError, match="check_network"):
        check_network(_net(np.float32), *_batch())
