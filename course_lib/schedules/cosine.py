r"""Cosine annealing: a half cosine from the initial rate down to a floor.

See Chapter 2.
"""

from __future__ import annotations

import math

from .._validation import check_finite_number, check_int, error
from .base import Schedule, check_rate

__all__ = ["CosineAnnealing"]


class CosineAnnealing(Schedule):
    r"""Cosine annealing: fall from ``lr`` to ``min_lr`` along half a cosine.

    .. math::
        \eta_i = \eta_\min + \tfrac12\,(\eta - \eta_\min)
        \Bigl(1 + \cos\frac{\pi i}{T}\Bigr)

    so :math:`\eta_0 = \eta` and :math:`\eta_T = \eta_\min`. The rate stays
    near :math:`\eta` for the first epochs, falls fastest half-way and
    flattens out again near the floor: no milestones to tune, only the
    length :math:`T`.

    Parameters
    ----------
    lr : float
        Initial rate :math:`\eta > 0`.
    T_max : int
        :math:`T \ge 1`, the epoch (or update) at which the floor is reached.
    min_lr : float, default 0.0
        :math:`\eta_\min`, in :math:`[0, \eta]`.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, ``T_max`` < 1, or ``min_lr`` outside
        [0, lr].
    TypeError
        For a ``T_max`` that is not an integer.

    Notes
    -----
    Loshchilov and Hutter (2017), without restarts. For ``i`` in
    0…``T_max`` this equals PyTorch's ``CosineAnnealingLR(T_max,
    eta_min=min_lr)`` (its closed form); after ``T_max`` the formula, like
    PyTorch's, keeps following the cosine back up, so choose ``T_max`` at
    least the number of epochs (or wrap it: see :class:`LinearWarmup`).
    Keras: ``optimizers.schedules.CosineDecay(lr, decay_steps=T_max,
    alpha=min_lr/lr)``, which stays at the floor after ``T_max``. See
    Chapter 2.

    Examples
    --------
    >>> s = CosineAnnealing(0.1, T_max=4)
    >>> [round(s.lr_at(i), 5) for i in range(5)]
    [0.1, 0.08536, 0.05, 0.01464, 0.0]
    """

    def __init__(self, lr, T_max, min_lr=0.0):
        self.lr = check_rate("CosineAnnealing", lr)
        self.T_max = check_int("CosineAnnealing", "T_max", T_max, low=1)
        self.min_lr = check_finite_number("CosineAnnealing", "min_lr", min_lr,
                                          low=0.0)
        if self.min_lr > self.lr:
            raise error("CosineAnnealing", "min_lr", f"at most lr = "
                        f"{self.lr:g} (the rate falls towards it)",
                        repr(min_lr))

    def _lr(self, i):
        cosine = 1 + math.cos(math.pi * i / self.T_max)   # 2 at i = 0, 0 at T
        return self.min_lr + (self.lr - self.min_lr) * cosine / 2

    def _args(self):
        return {"lr": self.lr, "T_max": self.T_max, "min_lr": self.min_lr}
