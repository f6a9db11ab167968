r"""Adam and AdamW. See Chapter 2."""

from __future__ import annotations

import numpy as np

from .._validation import check_finite_number, check_probability
from .base import Optimizer, positive_eps

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam: momentum on the gradient, RMSProp on its square, bias-corrected.

    .. math::

        \begin{aligned}
        m &\leftarrow \beta_1 m + (1-\beta_1)\, g, \\
        v &\leftarrow \beta_2 v + (1-\beta_2)\, g^2, \\
        \hat m &= \frac{m}{1-\beta_1^t}, \qquad
        \hat v = \frac{v}{1-\beta_2^t}, \\
        W &\leftarrow W - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}
        \end{aligned}

    with :math:`t = 1` on the first update of each parameter.

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate :math:`\eta` (> 0).
    beta1, beta2 : float, default 0.9 and 0.999
        Decays in [0, 1) of the first and second moment estimates.
    eps : float, default 1e-8
        :math:`\epsilon > 0`, added outside the root, after the bias
        correction of :math:`v`.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, a beta outside [0, 1) or ``eps``
        not finite and > 0.

    Notes
    -----
    Equals ``torch.optim.Adam(lr, betas=(beta1, beta2), eps=eps)``: the
    same place for eps, and :math:`t` counted per parameter (``steps[key]``),
    so an array that joins mid-training starts its bias correction at
    :math:`t = 1` and its first step is :math:`\approx \eta\,\mathrm{sign}(g)`.
    Keras ``Adam(learning_rate, beta_1, beta_2, epsilon)`` adds epsilon to
    :math:`\sqrt{v}` before the correction (the paper's efficient form);
    the difference only matters when :math:`\sqrt{\hat v}` is comparable to
    eps. :class:`course_lib.fast.FastAdam` computes the same update on
    flat buffers, faster for many small arrays. See Chapter 2.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        where = type(self).__name__
        self.beta1 = check_probability(where, "beta1", beta1)
        self.beta2 = check_probability(where, "beta2", beta2)
        self.eps = positive_eps(where, eps)

    def _step(self, key, p, g):
        st = self._buffers(key, p, "m", "v")
        m, v, t = st["m"], st["v"], self.steps[key]
        b1, b2 = self.beta1, self.beta2
        m *= b1
        m += (1 - b1) * g                      # m = β1 m + (1 − β1) g
        v *= b2
        v += (1 - b2) * g * g                  # v = β2 v + (1 − β2) g²
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    .. math::

        \begin{gathered}
        W \leftarrow W - \eta \lambda W, \quad\text{then the Adam step} \\
        W \leftarrow W - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon}
        \end{gathered}

    The decay shrinks every weight by the same fraction
    :math:`\eta\lambda` and never enters :math:`m` or :math:`v`. Adding
    :math:`\lambda W` to the gradient instead (an L2 penalty) would be
    divided by :math:`\sqrt{\hat v}`: weights with large gradients would
    hardly be decayed.

    Parameters
    ----------
    lr, beta1, beta2, eps : float
        As in :class:`Adam` (defaults 0.001, 0.9, 0.999, 1e-8).
    weight_decay : float, default 0.01
        :math:`\lambda \ge 0`; 0 gives :class:`Adam`.

    Raises
    ------
    ValueError
        As :class:`Adam`, and for a negative or non-finite
        ``weight_decay``.

    Notes
    -----
    Equals ``torch.optim.AdamW(lr, betas=(beta1, beta2), eps=eps,
    weight_decay=weight_decay)`` (same default decay 0.01), which also
    multiplies by :math:`1 - \eta\lambda` before the step; Keras
    ``AdamW(learning_rate, weight_decay=0.004, ...)``. See Chapter 2 and
    Chapter 5.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay=0.01):
        super().__init__(lr, beta1, beta2, eps)
        self.weight_decay = check_finite_number("AdamW", "weight_decay",
                                                weight_decay, low=0.0)

    def _step(self, key, p, g):
        p *= 1 - self.lr * self.weight_decay   # W = W − η λ W
        super()._step(key, p, g)
