r"""Activity regularization: a penalty on a layer's output, not its weights.

:class:`ActivityRegularization` passes its input through unchanged and adds
:math:`\lambda_1 \sum |a| + \lambda_2 \sum a^2` (per-sample mean) to the
network's loss; :class:`~course_lib.network.Sequential` collects the
penalty after each forward pass. See Chapter 5.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_finite_number
from .base import Layer

__all__ = ["ActivityRegularization"]


class ActivityRegularization(Layer):
    r"""Identity layer whose output is penalized in the loss.

    For a batch :math:`a` of :math:`N` samples,

    .. math::

        \begin{aligned}
        \Omega(a) &= \frac{1}{N} \sum_{n=1}^{N} \sum_i
            \big(\lambda_1 |a_{ni}| + \lambda_2 a_{ni}^2\big), \\
        \frac{\partial \Omega}{\partial a} &= \frac{1}{N}
            \big(\lambda_1 \operatorname{sign}(a) + 2 \lambda_2 a\big).
        \end{aligned}

    Forward returns ``x`` unchanged (a copy); backward returns
    ``dout + dΩ/da``, so the gradient of the penalty joins the gradient of
    the data loss on its way down. :meth:`penalty` returns :math:`\Omega`
    of the last forward pass; ``Sequential.loss`` adds it to the data loss.
    The division by :math:`N` matches the mean cross-entropy, so the
    strength of the penalty does not depend on the batch size.

    Parameters
    ----------
    l1 : float >= 0, default 0.0
        :math:`\lambda_1`, strength of the L1 term (pushes outputs to 0).
    l2 : float >= 0, default 0.0
        :math:`\lambda_2`, strength of the squared term (no factor ½).

    Raises
    ------
    ValueError
        If ``l1`` or ``l2`` is negative, NaN or infinite.
    TypeError
        If ``l1`` or ``l2`` is not a real number.

    Notes
    -----
    Same definition as ``tf.keras.layers.ActivityRegularization(l1, l2)``
    and a layer's ``activity_regularizer=regularizers.l1_l2(l1, l2)``:
    Keras sums the penalty over the batch and divides by the batch size.
    PyTorch has no layer for it; add ``l1 * a.abs().sum() / len(a)`` to
    the loss. The sign of 0 is 0, as in both. See Chapter 5.

    Examples
    --------
    >>> import numpy as np
    >>> layer = ActivityRegularization(l1=0.1)
    >>> out = layer.forward(np.array([[1.0, -2.0], [0.0, 3.0]]))
    >>> round(layer.penalty(), 6)          # 0.1 * (1 + 2 + 0 + 3) / 2
    0.3
    """

    def __init__(self, l1=0.0, l2=0.0):
        super().__init__()
        self.l1 = check_finite_number("ActivityRegularization", "l1", l1,
                                      low=0.0)
        self.l2 = check_finite_number("ActivityRegularization", "l2", l2,
                                      low=0.0)

    def forward(self, x, train=True):
        check_array("ActivityRegularization.forward", "x", x, min_ndim=1)
        self._cache = x
        return x.copy()

    def penalty(self) -> float:
        r""":math:`\Omega` of the output of the last forward pass (0 before
        any)."""
        if self._cache is None:
            return 0.0
        a = self._cache
        n = a.shape[0] if a.shape[0] else 1
        value = (self.l1 * np.abs(a).sum() + self.l2 * np.square(a).sum()) / n
        return float(value)

    def backward(self, dout):
        a = self._require_cache()
        self._check_dout(dout, a.shape)
        n = a.shape[0] if a.shape[0] else 1
        # dΩ/da = (λ1 sign(a) + 2 λ2 a) / N
        scale1 = a.dtype.type(self.l1 / n)
        scale2 = a.dtype.type(2.0 * self.l2 / n)
        return dout + scale1 * np.sign(a) + scale2 * a

    def __repr__(self):
        return f"ActivityRegularization(l1={self.l1:g}, l2={self.l2:g})"
