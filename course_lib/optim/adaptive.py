r"""Per-weight learning rates: AdaGrad, RMSProp and AdaDelta. See Chapter 2."""

from __future__ import annotations

import numpy as np

from .._validation import check_probability
from .base import Optimizer, positive_eps

__all__ = ["AdaDelta", "AdaGrad", "RMSProp"]


class AdaGrad(Optimizer):
    r"""AdaGrad: a per-weight rate that shrinks with the accumulated squares.

    .. math::

        \begin{aligned}
        h &\leftarrow h + g \odot g, \\
        W &\leftarrow W - \eta\, \frac{g}{\sqrt{h} + \epsilon}
        \end{aligned}

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta` (> 0).
    eps : float, default 1e-7
        :math:`\epsilon > 0`, added **outside** the square root.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, or ``eps`` not finite and > 0.

    Notes
    -----
    :math:`h` only grows, so every step shrinks, like
    :math:`\eta/\sqrt{t}` for a steady gradient: AdaGrad can stall before
    it arrives. PyTorch ``torch.optim.Adagrad(lr, eps=eps)`` (its default
    eps is 1e-10); Keras ``Adagrad`` also puts eps outside the root but
    starts :math:`h` at 0.1. See Chapter 2.
    """

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr)
        self.eps = positive_eps("AdaGrad", eps)

    def _step(self, key, p, g):
        h = self._buffers(key, p, "h")["h"]
        h += g * g                                    # h = h + g²
        p -= self.lr * g / (np.sqrt(h) + self.eps)    # W = W − η g/(√h + ε)


class RMSProp(Optimizer):
    r"""RMSProp: divide by a running root-mean-square of recent gradients.

    .. math::

        \begin{aligned}
        h &\leftarrow \rho h + (1-\rho)\, g \odot g, \\
        W &\leftarrow W - \eta\, \frac{g}{\sqrt{h} + \epsilon}
        \end{aligned}

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate :math:`\eta` (> 0).
    rho : float, default 0.9
        :math:`\rho \in [0, 1)`, the decay of the running average.
    eps : float, default 1e-7
        :math:`\epsilon > 0`, added **outside** the square root.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, ``rho`` outside [0, 1) or ``eps``
        not finite and > 0.

    Notes
    -----
    PyTorch ``torch.optim.RMSprop(lr, alpha=rho, eps=eps)`` (default
    alpha 0.99, eps 1e-8). Keras ``RMSprop(learning_rate, rho, epsilon)``
    adds epsilon *inside* the root, :math:`\sqrt{h + \epsilon}`: with
    :math:`\epsilon` far below :math:`h` the two agree. See Chapter 2.
    """

    def __init__(self, lr=0.001, rho=0.9, eps=1e-7):
        super().__init__(lr)
        self.rho = check_probability("RMSProp", "rho", rho)
        self.eps = positive_eps("RMSProp", eps)

    def _step(self, key, p, g):
        h = self._buffers(key, p, "h")["h"]
        h *= self.rho
        h += (1 - self.rho) * g * g                   # h = ρ h + (1 − ρ) g²
        p -= self.lr * g / (np.sqrt(h) + self.eps)    # W = W − η g/(√h + ε)


class AdaDelta(Optimizer):
    r"""AdaDelta: running averages of squared gradients and squared steps.

    .. math::
        h &\leftarrow \rho h + (1-\rho)\, g^2, \\
        \Delta &= \frac{\sqrt{s + \epsilon}}{\sqrt{h + \epsilon}}\, g, \\
        s &\leftarrow \rho s + (1-\rho)\, \Delta^2, \\
        W &\leftarrow W - \eta\, \Delta

    The ratio of the two root-mean-squares gives :math:`\Delta` the units
    of :math:`W`, so :math:`\eta = 1` (Zeiler's rule) needs no tuning.

    Parameters
    ----------
    lr : float, default 1.0
        A multiplier :math:`\eta` (> 0) on the step; 1 is the original
        method.
    rho : float, default 0.95
        :math:`\rho \in [0, 1)` of both running averages.
    eps : float, default 1e-6
        :math:`\epsilon > 0`, **inside** both square roots. It also sets
        the size of the first steps: with :math:`s = 0` and a steady
        gradient, :math:`h \approx (1-\rho)\,g^2` at first, so
        :math:`|\Delta| \approx \sqrt{\epsilon/(1-\rho)}`, about
        :math:`4.5 \times 10^{-3}` for the defaults.

    Raises
    ------
    ValueError
        As :class:`RMSProp`.

    Notes
    -----
    PyTorch ``torch.optim.Adadelta(lr, rho, eps)`` (defaults 1.0, 0.9,
    1e-6); Keras ``Adadelta(learning_rate, rho, epsilon)`` (Keras's default
    rate is 0.001, which makes it very slow). See Chapter 2.
    """

    def __init__(self, lr=1.0, rho=0.95, eps=1e-6):
        super().__init__(lr)
        self.rho = check_probability("AdaDelta", "rho", rho)
        self.eps = positive_eps("AdaDelta", eps)

    def _step(self, key, p, g):
        st = self._buffers(key, p, "h", "s")
        h, s = st["h"], st["s"]
        h *= self.rho
        h += (1 - self.rho) * g * g                   # h = ρ h + (1 − ρ) g²
        delta = np.sqrt(s + self.eps) / np.sqrt(h + self.eps) * g
        s *= self.rho
        s += (1 - self.rho) * delta * delta           # s = ρ s + (1 − ρ) Δ²
        p -= self.lr * delta                          # W = W − η Δ
