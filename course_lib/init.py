r"""Weight initializers, shape-based like ``torch.nn.init``.

Every initializer takes the weight's ``shape`` and returns a new array.
The *fans* decide the scale: a dense weight of shape (n_in, n_out) has
fan-in n_in and fan-out n_out; a convolution weight of shape
(F, C, kh, kw) has fan-in C·kh·kw (the inputs one output sums over) and
fan-out F·kh·kw.

* :func:`xavier_normal`: std :math:`1/\sqrt{n_\mathrm{in}}` (PyTorch
  ``kaiming_normal_(w, nonlinearity="linear")``, Keras ``LecunNormal``);
* :func:`glorot_normal`: std
  :math:`\sqrt{2/(n_\mathrm{in}+n_\mathrm{out})}` (PyTorch
  ``xavier_normal_``, Keras ``GlorotNormal``);
* :func:`he_normal`: std :math:`\sqrt{2/n_\mathrm{in}}` (PyTorch
  ``kaiming_normal_(w, nonlinearity="relu")``, Keras ``HeNormal``);
* uniform variants with the same variances, :func:`normal`,
  :func:`uniform`, :func:`constant` and :func:`zeros`.

Watch the names: the source books (and Caffe) call the simplified
:math:`1/\sqrt{n_\mathrm{in}}` rule "Xavier", while PyTorch's
``xavier_normal_`` is the original Glorot–Bengio rule, our
:func:`glorot_normal`. PyTorch stores a ``Linear`` weight as
(n_out, n_in) — the transpose of ours — and computes its fans accordingly.
See Chapter 3.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validation import (
    as_rng,
    check_choice,
    check_finite_number,
    check_int,
    error,
)

__all__ = [
    "INITIALIZERS",
    "constant",
    "fans",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "normal",
    "std_for",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]


def _shape(where, shape) -> tuple[int, ...]:
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    ok = isinstance(shape, (tuple, list)) and len(shape) > 0 and all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and int(s) > 0
        for s in shape)
    if not ok:
        raise error(where, "shape", "a non-empty tuple of positive ints, "
                    "e.g. (n_in, n_out) or (F, C, kh, kw)", repr(shape))
    return tuple(int(s) for s in shape)


def _dtype(where, dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.kind != "f":
        raise error(where, "dtype", "a floating-point dtype such as "
                    "np.float64 or np.float32", repr(dtype), kind=TypeError)
    return dt


def fans(shape) -> tuple[int, int]:
    r"""``(fan_in, fan_out)`` of a weight of the given shape.

    Parameters
    ----------
    shape : tuple of int
        (n,) a vector (both fans n); (n_in, n_out) a dense weight;
        (F, C, kh, kw) — or any ``(F, C, *kernel)`` — a convolution weight.

    Returns
    -------
    fan_in, fan_out : int
        Dense: :math:`(n_\mathrm{in}, n_\mathrm{out})`; convolution:
        :math:`(C\,k_h k_w,\; F\,k_h k_w)`.

    Raises
    ------
    ValueError
        If ``shape`` is not a non-empty tuple of positive ints.

    Notes
    -----
    PyTorch's ``nn.init._calculate_fan_in_and_fan_out`` gives the same
    numbers for a convolution; for a dense weight it reads the transposed
    (n_out, n_in) layout of ``nn.Linear``. See Chapter 3.

    Examples
    --------
    >>> fans((784, 100))
    (784, 100)
    >>> fans((16, 3, 5, 5))
    (75, 400)
    """
    shape = _shape("fans", shape)
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


#: Each scaling rule as (gain, fan): Var W = gain / fan, with fan either
#: fan_in or fan_in + fan_out. The one place the formulas live.
_RULES = {
    "xavier": (1, "fan_in"),
    "glorot": (2, "fan_in + fan_out"),
    "he": (2, "fan_in"),
}


def _gain_and_fan(rule: str, fan_in: int, fan_out: int) -> tuple[int, int]:
    """``(gain, fan)`` of a rule, so that Var W = gain / fan."""
    gain, fan = _RULES[rule]
    return gain, (fan_in if fan == "fan_in" else fan_in + fan_out)


def std_for(name: str, fan_in: int, fan_out: int | None = None) -> float:
    r"""The standard deviation the initializer ``name`` gives a weight.

    .. math::

        \begin{gathered}
        \text{xavier: } \frac{1}{\sqrt{n_\mathrm{in}}},\qquad
        \text{he: } \sqrt{\frac{2}{n_\mathrm{in}}}, \\
        \text{glorot: } \sqrt{\frac{2}{n_\mathrm{in} + n_\mathrm{out}}}
        \end{gathered}

    Parameters
    ----------
    name : str
        A key of :data:`INITIALIZERS`; a ``"_uniform"`` variant has the
        std of its normal counterpart.
    fan_in : int >= 1
    fan_out : int >= 1, optional
        Defaults to ``fan_in`` (a square layer).

    Raises
    ------
    ValueError
        For an unknown name or a fan that is not a positive int.

    Examples
    --------
    >>> std_for("he", 50)
    0.2
    """
    fan_in = check_int("std_for", "fan_in", fan_in, low=1)
    fan_out = fan_in if fan_out is None else check_int(
        "std_for", "fan_out", fan_out, low=1)
    check_choice("std_for", "name", name, tuple(INITIALIZERS))
    gain, fan = _gain_and_fan(name.removesuffix("_uniform"), fan_in, fan_out)
    return math.sqrt(gain / fan)


def _normal_rule(rule: str, shape, rng, dtype) -> np.ndarray:
    gain, fan = _gain_and_fan(rule, *fans(shape))
    return normal(shape, math.sqrt(gain / fan), rng, dtype)


def _uniform_rule(rule: str, shape, rng, dtype) -> np.ndarray:
    # U(-a, a) has variance a^2 / 3, so a = sqrt(3 Var W)
    gain, fan = _gain_and_fan(rule, *fans(shape))
    a = math.sqrt(3 * gain / fan)
    return uniform(shape, -a, a, rng, dtype)


def normal(shape, std, rng=None, dtype=np.float64) -> np.ndarray:
    r"""Gaussian weights with mean 0 and standard deviation ``std``.

    .. math:: W_{ij} \sim \mathcal N(0, \mathrm{std}^2)

    Parameters
    ----------
    shape : tuple of int
    std : float
        Standard deviation, >= 0 (0 gives all zeros).
    rng : Generator, int or None
        Source of randomness (``np.random.default_rng(rng)``).
    dtype : floating dtype, default float64
        The same ``rng`` gives the same numbers (rounded) in any dtype.

    Returns
    -------
    ndarray of ``shape`` and ``dtype``

    Raises
    ------
    ValueError
        If ``std`` is negative or not finite, or ``shape`` is invalid.
    TypeError
        If ``std`` is not a number, ``dtype`` not a float type or ``rng``
        not a Generator/int/None.

    Notes
    -----
    PyTorch: ``nn.init.normal_(w, 0, std)``; Keras:
    ``RandomNormal(stddev=std)`` (Keras's default stddev is 0.05).
    ``normal(shape, 0.01)`` is the "small random numbers" recipe; the
    source books' ``0.01 * randn(n_in, n_out)``. See Chapter 3.
    """
    std = check_finite_number("normal", "std", std, low=0.0)
    shape = _shape("normal", shape)
    dtype = _dtype("normal", dtype)
    return (std * as_rng(rng).standard_normal(shape)).astype(dtype)


def uniform(shape, low=-0.05, high=0.05, rng=None, dtype=np.float64):
    r"""Uniform weights on the interval [low, high).

    .. math::

        \begin{gathered}
        W_{ij} \sim U(\mathrm{low}, \mathrm{high}), \\
        \operatorname{Var} W_{ij} = \frac{(\mathrm{high}-\mathrm{low})^2}{12}
        \end{gathered}

    so the symmetric :math:`U(-a, a)` has standard deviation
    :math:`a/\sqrt3`.

    Parameters
    ----------
    shape : tuple of int
    low, high : float, default -0.05 and 0.05
        ``low < high``. The default is Keras's ``RandomUniform`` default.
    rng : Generator, int or None
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray of ``shape`` and ``dtype``

    Raises
    ------
    ValueError
        If ``low >= high``, a bound is not finite, or ``shape`` is invalid.

    Notes
    -----
    PyTorch: ``nn.init.uniform_(w, low, high)`` (its default interval is
    [0, 1)); Keras: ``RandomUniform(minval, maxval)``. U(−0.05, 0.05) has
    std 0.0289 whatever the layer size, so it suits layers of a few
    hundred inputs and shrinks the signal in narrower ones. See Chapter 3.
    """
    low = check_finite_number("uniform", "low", low)
    high = check_finite_number("uniform", "high", high)
    if not low < high:
        raise error("uniform", "low", f"smaller than high={high}", low)
    shape = _shape("uniform", shape)
    dtype = _dtype("uniform", dtype)
    return as_rng(rng).uniform(low, high, shape).astype(dtype)


def xavier_normal(shape, rng=None, dtype=np.float64):
    r"""Xavier initialization, simplified: std :math:`1/\sqrt{n_\mathrm{in}}`.

    .. math::

        W_{ij} \sim \mathcal N\!\left(0, \frac{1}{n_\mathrm{in}}\right)

    A unit summing :math:`n_\mathrm{in}` inputs of variance :math:`v` then
    has pre-activation variance :math:`n_\mathrm{in}\cdot
    \tfrac{1}{n_\mathrm{in}}\cdot v = v`: the signal keeps its size through
    a (nearly) linear activation such as tanh or sigmoid near 0.

    Parameters
    ----------
    shape : tuple of int
        (n_in, n_out) or (F, C, kh, kw); see :func:`fans`.
    rng : Generator, int or None
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray of ``shape`` and ``dtype``

    Raises
    ------
    ValueError
        If ``shape`` is invalid.

    Notes
    -----
    This is the rule the source books (and Caffe's ``xavier`` filler) use.
    It is **not** PyTorch's ``nn.init.xavier_normal_``, which is our
    :func:`glorot_normal`. It equals Keras's ``LecunNormal`` (which
    truncates at two std) and PyTorch's
    ``nn.init.kaiming_normal_(w, nonlinearity="linear")``. See Chapter 3.
    """
    return _normal_rule("xavier", shape, rng, dtype)


def glorot_normal(shape, rng=None, dtype=np.float64):
    r"""Glorot–Bengio: std :math:`\sqrt{2/(n_\mathrm{in}+n_\mathrm{out})}`.

    .. math::

        W_{ij} \sim \mathcal N\!\left(0,
        \frac{2}{n_\mathrm{in} + n_\mathrm{out}}\right)

    The harmonic compromise between keeping the forward signal
    (variance :math:`1/n_\mathrm{in}`) and the backward gradient
    (variance :math:`1/n_\mathrm{out}`) the same size.

    ``shape``, ``rng`` and ``dtype`` as in :func:`normal`, which also
    names the errors.

    Notes
    -----
    Equals PyTorch's ``nn.init.xavier_normal_`` and Keras's
    ``GlorotNormal`` (Keras truncates the normal at two std; we do not).
    For a square layer it equals :func:`xavier_normal`. See Chapter 3.
    """
    return _normal_rule("glorot", shape, rng, dtype)


def he_normal(shape, rng=None, dtype=np.float64):
    r"""He (Kaiming) initialization for ReLU layers: std :math:`\sqrt{2/n_\mathrm{in}}`.

    .. math::

        W_{ij} \sim \mathcal N\!\left(0, \frac{2}{n_\mathrm{in}}\right)

    ReLU zeroes half of its inputs, which halves the second moment of the
    signal; doubling the weight variance of :func:`xavier_normal` makes up
    for it, so every layer sees a signal of the same size.

    ``shape``, ``rng`` and ``dtype`` as in :func:`normal`, which also
    names the errors.

    Notes
    -----
    PyTorch: ``nn.init.kaiming_normal_(w, nonlinearity="relu")`` (mode
    ``"fan_in"``); Keras: ``HeNormal`` (truncated). See Chapter 3.
    """
    return _normal_rule("he", shape, rng, dtype)


def xavier_uniform(shape, rng=None, dtype=np.float64):
    r"""Uniform with the variance of :func:`xavier_normal`.

    .. math::

        \begin{gathered}
        W_{ij} \sim U(-a, a), \qquad a = \sqrt{3/n_\mathrm{in}} \\
        (\text{so } \operatorname{Var} W_{ij} = a^2/3 = 1/n_\mathrm{in})
        \end{gathered}

    ``shape``, ``rng`` and ``dtype`` as in :func:`normal`, which also
    names the errors.

    Notes
    -----
    Keras: ``LecunUniform``; PyTorch:
    ``nn.init.kaiming_uniform_(w, nonlinearity="linear")``. Not PyTorch's
    ``xavier_uniform_`` (that is :func:`glorot_uniform`). See Chapter 3.
    """
    return _uniform_rule("xavier", shape, rng, dtype)


def glorot_uniform(shape, rng=None, dtype=np.float64):
    r"""Glorot uniform: :math:`U(-a, a)` with the variance of :func:`glorot_normal`.

    .. math:: a = \sqrt{\frac{6}{n_\mathrm{in} + n_\mathrm{out}}}

    The variance :math:`a^2/3 = 2/(n_\mathrm{in} + n_\mathrm{out})` equals
    that of :func:`glorot_normal`.

    ``shape``, ``rng`` and ``dtype`` as in :func:`normal`, which also
    names the errors.

    Notes
    -----
    PyTorch: ``nn.init.xavier_uniform_``; Keras: ``GlorotUniform``, the
    default ``kernel_initializer`` of ``Dense`` and ``Conv2D``.
    See Chapter 3.
    """
    return _uniform_rule("glorot", shape, rng, dtype)


def he_uniform(shape, rng=None, dtype=np.float64):
    r"""He uniform: :math:`U(-a, a)` with :math:`a = \sqrt{6/n_\mathrm{in}}`.

    The variance :math:`a^2/3 = 2/n_\mathrm{in}` equals that of
    :func:`he_normal`.

    ``shape``, ``rng`` and ``dtype`` as in :func:`normal`, which also
    names the errors.

    Notes
    -----
    PyTorch: ``nn.init.kaiming_uniform_(w, nonlinearity="relu")``; Keras:
    ``HeUniform``. See Chapter 3.
    """
    return _uniform_rule("he", shape, rng, dtype)


def constant(shape, value, dtype=np.float64):
    r"""Every weight equal to ``value``: :math:`W_{ij} = c`.

    Useful only to show why it fails: units that start equal receive equal
    gradients and stay equal (the symmetry problem).

    Parameters
    ----------
    shape : tuple of int
    value : float
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray of ``shape`` and ``dtype``

    Notes
    -----
    PyTorch: ``nn.init.constant_(w, value)``; Keras: ``Constant(value)``.
    See Chapter 3.
    """
    value = check_finite_number("constant", "value", value)
    shape = _shape("constant", shape)
    return np.full(shape, value, dtype=_dtype("constant", dtype))


def zeros(shape, dtype=np.float64):
    r"""All-zero weights: :math:`W_{ij} = 0`.

    The right start for biases. For weights it makes every unit of a layer
    identical, so they stay identical; with ReLU hidden layers no weight
    receives any gradient at all.

    Parameters
    ----------
    shape : tuple of int
    dtype : floating dtype, default float64

    Returns
    -------
    ndarray of ``shape`` and ``dtype``

    Notes
    -----
    PyTorch: ``nn.init.zeros_``; Keras: ``Zeros``. See Chapter 3.
    """
    shape = _shape("zeros", shape)
    return np.zeros(shape, dtype=_dtype("zeros", dtype))


#: The one registry of initializers by name, used by
#: :func:`course_lib.network.mlp`, :func:`course_lib.network.cnn` and
#: :mod:`course_lib.diagnostics`; :func:`std_for` gives each one's std.
INITIALIZERS = {
    "he": he_normal,
    "xavier": xavier_normal,
    "glorot": glorot_normal,
    "he_uniform": he_uniform,
    "xavier_uniform": xavier_uniform,
    "glorot_uniform": glorot_uniform,
}
