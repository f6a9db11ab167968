"""Weight initializers, shape-based like ``torch.nn.init``.

Fan-in of a dense weight (n_in, n_out) is n_in; of a convolution weight
(F, C, kh, kw) it is C·kh·kw (and fan-out F·kh·kw). See Chapter 3.
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import as_rng, check_finite_number, error

__all__ = [
    "constant",
    "fans",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "normal",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]


def _shape(where, shape) -> tuple[int, ...]:
    try:
        shape = tuple(int(s) for s in shape)
    except TypeError:
        shape = None
    if not shape or any(s <= 0 for s in shape):
        raise error(where, "shape", "a non-empty tuple of positive ints",
                    repr(shape))
    return shape


def fans(shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a dense (n_in, n_out) or conv (F, C, kh, kw) weight."""
    shape = _shape("fans", shape)
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _dtype(dtype):
    return np.dtype(dtype)


def normal(shape, std, rng=None, dtype=np.float64) -> np.ndarray:
    r"""Gaussian weights :math:`W_{ij} \sim \mathcal N(0, \mathrm{std}^2)`."""
    std = check_finite_number("normal", "std", std, low=0.0)
    shape = _shape("normal", shape)
    return (std * as_rng(rng).standard_normal(shape)).astype(_dtype(dtype))


def uniform(shape, low=-0.05, high=0.05, rng=None, dtype=np.float64):
    r"""Uniform weights :math:`W_{ij} \sim U(\mathrm{low}, \mathrm{high})`.

    The default (−0.05, 0.05) is Keras's old ``RandomUniform`` default.
    """
    low = check_finite_number("uniform", "low", low)
    high = check_finite_number("uniform", "high", high)
    if not low < high:
        raise error("uniform", "low", f"smaller than high={high}", low)
    shape = _shape("uniform", shape)
    return as_rng(rng).uniform(low, high, shape).astype(_dtype(dtype))


def xavier_normal(shape, rng=None, dtype=np.float64):
    r"""Xavier (simplified) :math:`\mathrm{std} = 1/\sqrt{n_\mathrm{in}}`.

    This is the form the source books use. PyTorch's ``xavier_normal_`` is
    our :func:`glorot_normal`.
    """
    fan_in, _ = fans(shape)
    return normal(shape, 1.0 / math.sqrt(fan_in), rng, dtype)


def glorot_normal(shape, rng=None, dtype=np.float64):
    r"""Glorot :math:`\mathrm{std} = \sqrt{2/(n_\mathrm{in} + n_\mathrm{out})}`.

    Equals PyTorch's ``xavier_normal_`` and Keras's ``GlorotNormal`` (Keras
    truncates the normal; we do not).
    """
    fan_in, fan_out = fans(shape)
    return normal(shape, math.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def he_normal(shape, rng=None, dtype=np.float64):
    r"""He :math:`\mathrm{std} = \sqrt{2/n_\mathrm{in}}`, for ReLU layers."""
    fan_in, _ = fans(shape)
    return normal(shape, math.sqrt(2.0 / fan_in), rng, dtype)


def xavier_uniform(shape, rng=None, dtype=np.float64):
    r"""Uniform with the variance of :func:`xavier_normal`: :math:`a = \sqrt{3/n_\mathrm{in}}`."""
    fan_in, _ = fans(shape)
    a = math.sqrt(3.0 / fan_in)
    return uniform(shape, -a, a, rng, dtype)


def glorot_uniform(shape, rng=None, dtype=np.float64):
    r"""Glorot uniform :math:`a = \sqrt{6/(n_\mathrm{in} + n_\mathrm{out})}` (PyTorch's ``xavier_uniform_``)."""
    fan_in, fan_out = fans(shape)
    a = math.sqrt(6.0 / (fan_in + fan_out))
    return uniform(shape, -a, a, rng, dtype)


def he_uniform(shape, rng=None, dtype=np.float64):
    r"""He uniform :math:`a = \sqrt{6/n_\mathrm{in}}`."""
    fan_in, _ = fans(shape)
    a = math.sqrt(6.0 / fan_in)
    return uniform(shape, -a, a, rng, dtype)


def constant(shape, value, dtype=np.float64):
    """Every weight equal to ``value`` (the symmetry demonstration)."""
    value = check_finite_number("constant", "value", value)
    return np.full(_shape("constant", shape), value, dtype=_dtype(dtype))


def zeros(shape, dtype=np.float64):
    """All-zero weights (biases, or the symmetry demonstration)."""
    return np.zeros(_shape("zeros", shape), dtype=_dtype(dtype))
