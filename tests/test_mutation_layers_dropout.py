"""What the noise layers promise, checked with generators whose draws we set.

A :class:`Scripted` generator returns chosen uniforms and normals, so a
mask or a noise factor is known in advance: a uniform equal to the drop
rate keeps its unit (``P(keep) = P(u >= p)``), Gaussian noise enters as
``1 + sigma z``. A generator that refuses to draw shows which passes draw
nothing at all. Bad arguments are refused with the message template in full.
"""

from __future__ import annotations

import numpy as np
import pytest

import course_lib.layers as L

pytestmark = pytest.mark.ch5


class Scripted(np.random.Generator):
    """A Generator whose ``random``/``standard_normal`` return given values."""

    def __init__(self, uniform=None, normal=None):
        super().__init__(np.random.PCG64(0))
        self.uniform, self.normal = uniform, normal

    def random(self, size=None, dtype=np.float64, out=None):
        if self.uniform is None:
            raise AssertionError("drew uniforms")
        return np.broadcast_to(np.asarray(self.uniform, float), size).copy()

    def standard_normal(self, size=None, dtype=np.float64, out=None):
        if self.normal is None:
            raise AssertionError("drew normals")
        return np.broadcast_to(np.asarray(self.normal, float), size).copy()


def _raises(kind, message, call, *args, **kwargs):
    with pytest.raises(kind) as info:
        call(*args, **kwargs)
    assert str(info.value) == message


# ------------------------------------------------------------------ Dropout


def test_dropout_defaults():
    layer = L.Dropout()
    assert (layer.ratio, layer.inverted, layer.rng) == (0.5, True, None)
    assert repr(layer) == "Dropout(ratio=0.5, inverted=True)"
    assert layer.mask is None                 # nothing drawn yet


def test_dropout_keeps_its_rng_argument_and_uses_a_generator_as_given():
    assert L.Dropout(0.5, rng=7).rng == 7
    g = np.random.default_rng(3)
    layer = L.Dropout(0.5, rng=g)
    assert layer.rng is g
    before = g.bit_generator.state["state"]["state"]
    layer.forward(np.ones((2, 3)))
    assert g.bit_generator.state["state"]["state"] != before


def test_dropout_keeps_a_unit_whose_uniform_equals_the_ratio():
    layer = L.Dropout(0.25, rng=Scripted(uniform=[0.25, 0.2, 0.9, 0.0]))
    out = layer.forward(np.full((1, 4), 3.0))
    assert layer.mask.tolist() == [[True, False, True, False]]
    assert out.tolist() == [[4.0, 0.0, 4.0, 0.0]]           # 3 / 0.75
    assert layer.backward(np.ones((1, 4))).tolist() == \
        [[4 / 3, 0.0, 4 / 3, 0.0]]


def test_dropout_with_ratio_zero_keeps_every_unit_even_at_u_zero():
    layer = L.Dropout(0.0, rng=Scripted(uniform=0.0))
    x = np.arange(4.0).reshape(2, 2)
    assert np.array_equal(layer.forward(x), x)
    assert layer.mask.all()


def test_direct_dropout_scales_at_inference_only():
    layer = L.Dropout(0.25, inverted=False,
                      rng=Scripted(uniform=[0.5, 0.1]))
    x = np.array([[4.0, 8.0]])
    assert layer.forward(x).tolist() == [[4.0, 0.0]]
    assert layer.backward(np.ones((1, 2))).tolist() == [[1.0, 0.0]]
    assert layer.forward(x, train=False).tolist() == [[3.0, 6.0]]
    assert layer.backward(np.ones((1, 2))).tolist() == [[0.75, 0.75]]


def test_dropout_inference_draws_nothing():
    layer = L.Dropout(0.5, rng=Scripted())
    x = np.ones((2, 2), np.float32)
    out = layer.forward(x, train=False)
    assert np.array_equal(out, x) and out.dtype == np.float32


def test_dropout_refuses_bad_arguments():
    _raises(ValueError, "Dropout: 'ratio' must be a finite number in "
            "[0.0, 1.0); got 1.0.", L.Dropout, 1.0)
    _raises(TypeError, "Dropout: 'ratio' must be a real number; got '0.5'.",
            L.Dropout, "0.5")
    _raises(TypeError, "Dropout: 'inverted' must be True or False; got 1.",
            L.Dropout, 0.5, 1)
    assert L.Dropout(0.5, np.bool_(False)).inverted is False
    _raises(TypeError, "Dropout.forward: 'x' must be a numpy.ndarray; got "
            "list.", L.Dropout().forward, [1.0])


# ---------------------------------------------------------- GaussianDropout


def test_gaussian_dropout_noise_is_one_plus_sigma_z():
    # rate 0.2: sigma = sqrt(0.2 / 0.8) = 0.5
    layer = L.GaussianDropout(0.2, rng=Scripted(normal=[1.0, -2.0, 0.5]))
    assert layer.stddev == 0.5
    out = layer.forward(np.array([[2.0, 2.0, 4.0]]))
    assert out.tolist() == [[3.0, 0.0, 5.0]]
    assert layer.backward(np.array([[1.0, 1.0, 2.0]])).tolist() == \
        [[1.5, 0.0, 2.5]]


def test_gaussian_dropout_keeps_its_rng_and_repeats_with_a_seed():
    g = np.random.default_rng(11)
    assert L.GaussianDropout(0.3, rng=g).rng is g
    assert L.GaussianDropout(0.3, rng=5).rng == 5
    x = np.ones((3, 4))
    a = L.GaussianDropout(0.3, rng=5).forward(x)
    b = L.GaussianDropout(0.3, rng=5).forward(x)
    assert np.array_equal(a, b) and not np.array_equal(a, x)


def test_gaussian_dropout_at_rate_zero_or_inference_draws_nothing():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    for layer, train in [(L.GaussianDropout(0.0, rng=Scripted()), True),
                         (L.GaussianDropout(0.5, rng=Scripted()), False)]:
        out = layer.forward(x, train=train)
        assert np.array_equal(out, x) and out.dtype == np.float32
        assert np.array_equal(layer.backward(x), x)


def test_gaussian_dropout_refuses_bad_arguments():
    _raises(ValueError, "GaussianDropout: 'rate' must be a finite number in "
            "[0.0, 1.0); got -0.1.", L.GaussianDropout, -0.1)
    _raises(TypeError, "GaussianDropout.forward: 'x' must be a "
            "numpy.ndarray; got list.", L.GaussianDropout(0.1).forward, [1.0])
    assert repr(L.GaussianDropout(0.25)) == "GaussianDropout(rate=0.25)"


# ------------------------------------------------------------- AlphaDropout

ALPHA_P = -1.0507009873554805 * 1.6732632423543772     # -lambda alpha


def test_alpha_dropout_coefficients_by_hand():
    # p = 0.5: a = (0.5 (1 + 0.5 alpha'^2))^(-1/2), b = -a alpha' / 2
    a = (0.5 * (1 + 0.5 * ALPHA_P ** 2)) ** -0.5
    got = L.AlphaDropout(0.5).coefficients
    np.testing.assert_allclose(got, (ALPHA_P, a, -a * ALPHA_P * 0.5),
                               rtol=1e-15)


def test_alpha_dropout_keeps_a_unit_whose_uniform_equals_the_rate():
    layer = L.AlphaDropout(0.5, rng=Scripted(uniform=[0.5, 0.2]))
    alpha_p, a, b = layer.coefficients
    out = layer.forward(np.array([[2.0, 2.0]]))
    np.testing.assert_allclose(out, [[a * 2.0 + b, a * alpha_p + b]],
                               rtol=1e-15)
    np.testing.assert_allclose(layer.backward(np.ones((1, 2))), [[a, 0.0]],
                               rtol=1e-15)


def test_alpha_dropout_keeps_its_rng_and_repeats_with_a_seed():
    g = np.random.default_rng(2)
    assert L.AlphaDropout(0.3, rng=g).rng is g
    assert L.AlphaDropout(0.3, rng=4).rng == 4
    x = np.ones((3, 4))
    a = L.AlphaDropout(0.3, rng=4).forward(x)
    b = L.AlphaDropout(0.3, rng=4).forward(x)
    assert np.array_equal(a, b)


def test_alpha_dropout_at_rate_zero_or_inference_draws_nothing():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    for layer, train in [(L.AlphaDropout(0.0, rng=Scripted()), True),
                         (L.AlphaDropout(0.5, rng=Scripted()), False)]:
        out = layer.forward(x, train=train)
        assert np.array_equal(out, x) and out.dtype == np.float32
        assert out is not x
        assert np.array_equal(layer.backward(x), x)


def test_alpha_dropout_refuses_bad_arguments():
    _raises(ValueError, "AlphaDropout: 'rate' must be a finite number in "
            "[0.0, 1.0); got 1.5.", L.AlphaDropout, 1.5)
    _raises(TypeError, "AlphaDropout.forward: 'x' must be a numpy.ndarray; "
            "got list.", L.AlphaDropout(0.1).forward, [1.0])
    assert repr(L.AlphaDropout(0.1)) == "AlphaDropout(rate=0.1)"
