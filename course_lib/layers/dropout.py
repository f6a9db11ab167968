r"""Noise layers that regularize by corrupting activations during training.

:class:`Dropout` switches units off with a Bernoulli mask;
:class:`GaussianDropout` multiplies them by Gaussian noise centred on 1;
:class:`AlphaDropout` drops units to the negative saturation value of SELU
and rescales so that mean and variance survive. All three are identity-like
at inference and draw their noise from the ``rng`` they were given. See
Chapter 5.
"""

from __future__ import annotations

import numpy as np

from .._validation import as_rng, check_array, check_probability, error
from .base import Layer

__all__ = ["AlphaDropout", "Dropout", "GaussianDropout"]


def _check_bool(where: str, name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise error(where, name, "True or False", repr(value), kind=TypeError)
    return bool(value)


class Dropout(Layer):
    r"""Drop each unit with probability ``ratio`` during training.

    A fresh Bernoulli mask :math:`m_i \sim \mathrm{Bernoulli}(1 - p)` is
    drawn on every training forward pass, one entry per element of ``x``
    (:math:`p` = ``ratio``, :math:`q = 1 - p` the keep probability).

    *Inverted* dropout (the default, as in every modern framework) rescales
    the survivors during training and does nothing at inference:

    .. math::
        \text{train: } y = \frac{m \odot x}{1 - p}, \qquad
        \text{inference: } y = x .

    *Direct* dropout (``inverted=False``, the original 2014 formulation)
    leaves training outputs unscaled and shrinks at inference instead:

    .. math::

        \begin{aligned}
        \text{train: }&& y &= m \odot x, \\
        \text{inference: }&& y &= (1 - p)\, x .
        \end{aligned}

    Either way :math:`\mathbb E[y_\text{train}] = y_\text{inference}`
    (up to the common factor :math:`1 - p` of direct dropout's two modes),
    so the next layer sees inputs of the same expected size in both modes.
    The backward pass reuses the mask of the forward pass:
    :math:`\partial L/\partial x = \partial L/\partial y \odot m / (1 - p)`
    (inverted) or :math:`\odot\, m` (direct).

    Parameters
    ----------
    ratio : float in [0, 1), default 0.5
        Probability of **dropping** a unit (not of keeping it).
    inverted : bool, default True
        Scale by :math:`1/(1 - p)` in training (True) or by :math:`1 - p`
        at inference (False).
    rng : Generator, int or None
        Source of the masks; a Generator is used as given (not copied), so
        the same seed gives the same sequence of masks.

    Raises
    ------
    ValueError
        If ``ratio`` is not in [0, 1) (``ratio = 1`` would drop everything
        and divide by zero).
    TypeError
        If ``inverted`` is not a bool or ``rng`` is not a Generator, an int
        or None.

    Notes
    -----
    ``ratio`` is the drop probability, as PyTorch's ``nn.Dropout(p)`` and
    Keras's ``layers.Dropout(rate)``; both are inverted. Some texts use the
    keep probability instead. The mask is also available after a training
    forward pass as :attr:`mask` (a bool array). See Chapter 5.

    Examples
    --------
    >>> import numpy as np
    >>> layer = Dropout(0.5, rng=0)
    >>> out = layer.forward(np.ones((2, 4)))
    >>> sorted(set(out.ravel().tolist()))   # dropped or doubled
    [0.0, 2.0]
    >>> layer.forward(np.ones((1, 3)), train=False)
    array([[1., 1., 1.]])
    """

    def __init__(self, ratio=0.5, inverted=True, rng=None):
        super().__init__()
        self.ratio = check_probability("Dropout", "ratio", ratio)
        self.inverted = _check_bool("Dropout", "inverted", inverted)
        self.rng = rng
        self._rng = as_rng(rng)
        self._mask = None

    @property
    def mask(self) -> np.ndarray | None:
        """The bool mask (True = kept) of the last training forward pass."""
        return self._mask

    def forward(self, x, train=True):
        check_array("Dropout.forward", "x", x)
        keep = 1.0 - self.ratio
        if train:
            # P(m = 1) = P(u >= p) = 1 - p for u ~ U[0, 1)
            self._mask = self._rng.random(x.shape) >= self.ratio
            scale = 1.0 / keep if self.inverted else 1.0
            # dy/dx = m * scale, element by element: all backward needs
            factor = self._mask * x.dtype.type(scale)
        else:
            scale = 1.0 if self.inverted else keep
            factor = x.dtype.type(scale)
        self._cache = (factor, x.shape)
        return x * factor

    def backward(self, dout):
        factor, shape = self._require_cache()
        self._check_dout(dout, shape)
        # dL/dx = dout * m / (1 - p)  (inverted)  or  dout * m  (direct)
        return dout * factor

    def __repr__(self):
        return f"Dropout(ratio={self.ratio:g}, inverted={self.inverted})"


class GaussianDropout(Layer):
    r"""Multiply each unit by Gaussian noise of mean 1 during training.

    .. math::
        y = x \odot \varepsilon, \qquad
        \varepsilon \sim \mathcal N\!\left(1,\ \frac{p}{1 - p}\right)

    where :math:`p` = ``rate``. The variance :math:`p/(1 - p)` is the one of
    the multiplicative factor :math:`m/(1 - p)` of inverted dropout with
    drop probability :math:`p`, so both layers perturb a unit by the same
    amount on average; the Gaussian version never switches a unit off
    completely. At inference :math:`y = x`. Backward:
    :math:`\partial L/\partial x = \partial L/\partial y \odot \varepsilon`.

    Parameters
    ----------
    rate : float in [0, 1)
        Drop rate of the equivalent dropout; 0 adds no noise.
    rng : Generator, int or None
        Source of the noise.

    Raises
    ------
    ValueError
        If ``rate`` is not in [0, 1).

    Notes
    -----
    Same definition as Keras's ``layers.GaussianDropout(rate)``
    (standard deviation :math:`\sqrt{p/(1 - p)}`). PyTorch has no built-in
    layer; write ``x * (1 + sigma * torch.randn_like(x))``. See Chapter 5.
    """

    def __init__(self, rate, rng=None):
        super().__init__()
        self.rate = check_probability("GaussianDropout", "rate", rate)
        self.rng = rng
        self._rng = as_rng(rng)

    @property
    def stddev(self) -> float:
        r"""Standard deviation :math:`\sqrt{p/(1 - p)}` of the noise."""
        return float(np.sqrt(self.rate / (1.0 - self.rate)))

    def forward(self, x, train=True):
        check_array("GaussianDropout.forward", "x", x)
        if train and self.rate > 0:
            noise = self._rng.standard_normal(x.shape)
            factor = (1.0 + self.stddev * noise).astype(x.dtype)
        else:
            factor = x.dtype.type(1.0)
        self._cache = (factor, x.shape)
        return x * factor

    def backward(self, dout):
        factor, shape = self._require_cache()
        self._check_dout(dout, shape)
        return dout * factor  # dL/dx = dout * eps

    def __repr__(self):
        return f"GaussianDropout(rate={self.rate:g})"


# SELU's constants: lambda * alpha, the value SELU tends to for x -> -inf
_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


class AlphaDropout(Layer):
    r"""Dropout for self-normalizing (SELU) networks.

    Dropped units are set to :math:`\alpha' = -\lambda\alpha \approx -1.7581`,
    the value SELU saturates to, instead of 0, and an affine correction
    restores zero mean and unit variance for standardized inputs:

    .. math::

        \begin{aligned}
        y &= a\,\big(m \odot x + \alpha' (1 - m)\big) + b, \\
        a &= \big((1 - p)(1 + p\,\alpha'^2)\big)^{-1/2}, \\
        b &= -a\,\alpha' p,
        \end{aligned}

    with :math:`m_i \sim \mathrm{Bernoulli}(1 - p)`, :math:`p` = ``rate``.
    At inference :math:`y = x`. Backward:
    :math:`\partial L/\partial x = a\, m \odot \partial L/\partial y`.

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping a unit.
    rng : Generator, int or None
        Source of the masks.

    Raises
    ------
    ValueError
        If ``rate`` is not in [0, 1).

    Notes
    -----
    Same as PyTorch's ``nn.AlphaDropout(p)`` and Keras's
    ``layers.AlphaDropout(rate)``. Meant for inputs with mean 0 and
    variance 1 (SELU activations); elsewhere it only adds noise. See
    Chapter 5.
    """

    def __init__(self, rate, rng=None):
        super().__init__()
        self.rate = check_probability("AlphaDropout", "rate", rate)
        self.rng = rng
        self._rng = as_rng(rng)

    @property
    def coefficients(self) -> tuple[float, float, float]:
        r"""``(alpha', a, b)`` of the definition."""
        p = self.rate
        alpha_p = -_SELU_SCALE * _SELU_ALPHA
        a = ((1.0 - p) * (1.0 + p * alpha_p ** 2)) ** -0.5
        return alpha_p, a, -a * alpha_p * p

    def forward(self, x, train=True):
        check_array("AlphaDropout.forward", "x", x)
        if not train or self.rate == 0:
            self._cache = (x.dtype.type(1.0), x.shape)
            return x * x.dtype.type(1.0)
        alpha_p, a, b = self.coefficients
        mask = self._rng.random(x.shape) >= self.rate
        factor = (a * mask).astype(x.dtype)          # dy/dx = a * m
        shift = (a * alpha_p * ~mask + b).astype(x.dtype)
        self._cache = (factor, x.shape)
        return x * factor + shift

    def backward(self, dout):
        factor, shape = self._require_cache()
        self._check_dout(dout, shape)
        return dout * factor  # dL/dx = a * m * dout

    def __repr__(self):
        return f"AlphaDropout(rate={self.rate:g})"
