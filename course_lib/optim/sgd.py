r"""Gradient descent with and without momentum. See Chapter 2."""

from __future__ import annotations

from .._validation import check_finite_number, check_probability
from .base import Optimizer

__all__ = ["Momentum", "Nesterov", "SGD"]


class SGD(Optimizer):
    r"""Plain (mini-batch) gradient descent, optionally with weight decay.

    .. math::
        W \leftarrow W - \eta\, \Bigl(\frac{\partial L}{\partial W}
        + \lambda W\Bigr)

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta` (> 0).
    weight_decay : float, default 0.0
        :math:`\lambda \ge 0`; 0 is plain gradient descent.

    Raises
    ------
    ValueError
        For a learning rate that is not a finite number > 0, or a negative
        or non-finite ``weight_decay``.

    Notes
    -----
    Without momentum the two kinds of weight decay are one and the same:
    adding :math:`\lambda W` to the gradient (the L2 penalty
    :math:`\tfrac{\lambda}{2}\lVert W\rVert^2`, PyTorch's
    ``SGD(lr, weight_decay=λ)``) and shrinking the weights by
    :math:`\eta\lambda W` apart from the gradient step (decoupled decay,
    "SGDW") both give the update above. Equals ``torch.optim.SGD(params,
    lr, weight_decay=weight_decay)``; Keras ``optimizers.SGD(learning_rate,
    weight_decay=...)`` is the decoupled form, the same here. See
    Chapter 2 (and Chapter 5 for weight decay).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([1.0, -2.0])
    >>> SGD(lr=0.5).update({"W": W}, {"W": np.array([2.0, 2.0])})
    >>> W
    array([ 0., -3.])
    """

    def __init__(self, lr=0.01, weight_decay=0.0):
        super().__init__(lr)
        self.weight_decay = check_finite_number("SGD", "weight_decay",
                                                weight_decay, low=0.0)

    def _step(self, key, p, g):
        if self.weight_decay:
            g = g + self.weight_decay * p    # gradient of λ/2 ‖W‖²
        p -= self.lr * g

    def _hyper(self):
        if self.weight_decay:
            return f"lr={self.lr:g}, weight_decay={self.weight_decay:g}"
        return f"lr={self.lr:g}"


class Momentum(Optimizer):
    r"""Gradient descent with momentum (the heavy ball).

    .. math::
        v \leftarrow \alpha v - \eta\, g, \qquad W \leftarrow W + v

    with :math:`g = \partial L/\partial W` and :math:`v = 0` before the first
    update.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta` (> 0).
    momentum : float, default 0.9
        :math:`\alpha \in [0, 1)`, the fraction of the previous step kept;
        0 gives plain SGD.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, or ``momentum`` outside [0, 1).

    Notes
    -----
    PyTorch ``torch.optim.SGD(lr, momentum)`` keeps a buffer
    :math:`b \leftarrow \alpha b + g` and steps :math:`W \leftarrow W - \eta b`.
    For a constant :math:`\eta`, :math:`v = -\eta b` and the trajectories are
    identical; when a schedule changes :math:`\eta`, PyTorch rescales the
    whole buffer at once while :math:`v` remembers the old rates. Keras
    ``SGD(learning_rate, momentum)`` uses the velocity form above. See
    Chapter 2.
    """

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = check_probability(type(self).__name__, "momentum",
                                          momentum)

    def _velocity(self, key, p, g):
        """The key's velocity after v = α v − η g (updated in place)."""
        v = self._buffers(key, p, "v")["v"]
        v *= self.momentum
        v -= self.lr * g                      # v = α v − η g
        return v

    def _step(self, key, p, g):
        p += self._velocity(key, p, g)        # W = W + v


class Nesterov(Momentum):
    r"""Nesterov momentum: the step is corrected by a look-ahead gradient.

    .. math::
        v \leftarrow \alpha v - \eta\, g, \qquad
        W \leftarrow W + \alpha v - \eta\, g

    This is Nesterov's accelerated gradient rewritten in the variable
    :math:`W` that sits one momentum step ahead, so the gradient is taken
    at the point where the parameters are stored (no second evaluation).

    Parameters and errors are those of :class:`Momentum` (same defaults).

    Notes
    -----
    Equal, for a constant ``lr``, to ``torch.optim.SGD(lr, momentum,
    nesterov=True)``, which steps :math:`W \leftarrow W - \eta(g + \alpha b)`
    with :math:`b \leftarrow \alpha b + g`. Keras: ``SGD(learning_rate,
    momentum, nesterov=True)``. See Chapter 2.
    """

    def _step(self, key, p, g):
        v = self._velocity(key, p, g)         # v = α v − η g
        p += self.momentum * v - self.lr * g  # W = W + α v − η g
