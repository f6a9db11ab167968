"""ActivityRegularization: a penalty on a layer's output (Chapter 5)."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import check_network
from course_lib.layers import ActivityRegularization, Affine, ReLU
from course_lib.network import Sequential
from course_lib.optim import SGD
from course_lib.trainer import Trainer

pytestmark = pytest.mark.ch5


def _net(l1, l2, rng=0, dtype=np.float64):
    """5 -> 4 -> ActivityRegularization -> 3, distinct sizes."""
    rng = np.random.default_rng(rng)
    return Sequential([
        Affine(rng.standard_normal((5, 4)).astype(dtype),
               rng.standard_normal(4).astype(dtype)),
        ActivityRegularization(l1=l1, l2=l2),
        ReLU(),
        Affine(rng.standard_normal((4, 3)).astype(dtype),
               rng.standard_normal(3).astype(dtype)),
    ])


def _batch(n=6, rng=1):
    rng = np.random.default_rng(rng)
    return rng.standard_normal((n, 5)), rng.integers(0, 3, n)


def test_penalty_value_is_the_per_sample_mean():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((7, 3))
    layer = ActivityRegularization(l1=0.3, l2=0.2)
    out = layer.forward(a)
    np.testing.assert_array_equal(out, a)
    assert out is not a
    expected = (0.3 * np.abs(a).sum() + 0.2 * (a ** 2).sum()) / 7
    assert layer.penalty() == pytest.approx(expected, rel=1e-12)


def test_backward_adds_the_penalty_gradient():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((4, 6))
    dout = rng.standard_normal((4, 6))
    dout0 = dout.copy()
    layer = ActivityRegularization(l1=0.5, l2=0.25)
    layer.forward(a)
    dx = layer.backward(dout)
    expected = dout + (0.5 * np.sign(a) + 2 * 0.25 * a) / 4
    np.testing.assert_allclose(dx, expected, rtol=1e-12)
    np.testing.assert_array_equal(dout, dout0)


@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.7, 0.0), (0.0, 0.4),
                                    (0.3, 0.6)])
def test_network_gradient_matches_numerical(l1, l2):
    x, t = _batch()
    errors = check_network(_net(l1, l2), x, t)
    assert max(errors.values()) < 1e-7, errors


def test_penalty_changes_the_loss_and_the_gradient():
    x, t = _batch()
    plain, reg = _net(0.0, 0.0), _net(0.5, 0.5)
    assert reg.loss(x, t) > plain.loss(x, t) + 1e-3
    g_plain, g_reg = plain.gradient(x, t), reg.gradient(x, t)
    assert not np.allclose(g_plain["0.W"], g_reg["0.W"])
    # the layers after the penalty are not affected by it
    np.testing.assert_allclose(g_plain["3.W"], g_reg["3.W"], rtol=1e-12)


def test_l1_activity_penalty_makes_hidden_units_quieter():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((60, 5))
    t = (x[:, 0] > 0).astype(int)

    def mean_activity(l1):
        net = _net(l1, 0.0, rng=5)
        Trainer(net, SGD(lr=0.05), batch_size=20, rng=6,
                progress=False).fit(x, t, epochs=40)
        out = net.layers[0].forward(x, train=False)
        return np.abs(out).mean()

    assert mean_activity(1.0) < 0.5 * mean_activity(0.0)


@pytest.mark.parametrize("name", ["l1", "l2"])
@pytest.mark.parametrize("value", [-0.1, float("nan"), float("inf")])
def test_bad_strength_names_the_argument(name, value):
    with pytest.raises(ValueError, match=rf"ActivityRegularization: '{name}'"
                       r" must be a finite number >= 0\.0; got"):
        ActivityRegularization(**{name: value})


def test_non_number_strength_is_a_type_error():
    with pytest.raises(TypeError, match="'l2' must be a real number"):
        ActivityRegularization(l2="0.1")


def test_repr_shows_both_strengths():
    assert repr(ActivityRegularization()) == ("ActivityRegularization("
                                             "l1=0, l2=0)")
    assert repr(ActivityRegularization(l1=0.01, l2=2e-5)) == (
        "ActivityRegularization(l1=0.01, l2=2e-05)")


def test_float32_in_float32_out():
    layer = ActivityRegularization(l1=0.1, l2=0.1)
    x = np.random.default_rng(7).standard_normal((3, 4)).astype(np.float32)
    out = layer.forward(x)
    assert out.dtype == np.float32
    dx = layer.backward(np.ones_like(out))
    assert dx.dtype == np.float32
    net = _net(0.1, 0.1, dtype=np.float32)
    xb, tb = _batch()
    assert net.predict(xb.astype(np.float32)).dtype == np.float32
    for key, g in net.gradient(xb.astype(np.float32), tb).items():
        assert g.dtype == np.float32, key


def test_backward_before_forward_and_wrong_dout():
    layer = ActivityRegularization(l1=0.1)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((2, 3)))
    assert layer.penalty() == 0.0
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match="'dout'"):
        layer.backward(np.ones((2, 4)))


def test_forward_rejects_non_arrays():
    with pytest.raises(TypeError, match="'x' must be a numpy.ndarray"):
        ActivityRegularization().forward([[1.0, 2.0]])
