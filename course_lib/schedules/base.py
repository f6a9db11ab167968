r"""The schedule base class and the constant rate. See Chapter 2."""

from __future__ import annotations

import numpy as np

from .._validation import check_finite_number, check_int

__all__ = ["Constant", "Schedule"]


def check_rate(where, value):
    """A learning rate: a finite number > 0."""
    return check_finite_number(where, "lr", value, low=0.0, low_open=True)


def check_factor(where, name, value):
    """A decay factor in (0, 1]."""
    return check_finite_number(where, name, value, 0.0, 1.0, low_open=True)


class Schedule:
    """Base class: ``lr_at(i)`` from the subclass's ``_lr(i)``."""

    def lr_at(self, i) -> float:
        """The learning rate of epoch or update ``i`` (0-based)."""
        i = check_int(f"{type(self).__name__}.lr_at", "i", i, low=0)
        return self._lr(i)

    def values(self, n) -> np.ndarray:
        """``[lr_at(0), ..., lr_at(n - 1)]`` as an array (for plots)."""
        n = check_int(f"{type(self).__name__}.values", "n", n, low=0)
        return np.array([self._lr(i) for i in range(n)], dtype=float)

    def _lr(self, i: int) -> float:
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v:g}" if isinstance(v, float) else
                         f"{k}={v!r}" for k, v in self._args().items())
        return f"{type(self).__name__}({args})"

    def _args(self) -> dict:
        """The constructor's arguments, for ``repr``."""
        return {}


class Constant(Schedule):
    r"""The same rate throughout: :math:`\eta_i = \eta`.

    Parameters
    ----------
    lr : float
        :math:`\eta > 0`.

    Notes
    -----
    What an optimizer does without a schedule. See Chapter 2.
    """

    def __init__(self, lr):
        self.lr = check_rate("Constant", lr)

    def _lr(self, i):
        return self.lr

    def _args(self):
        return {"lr": self.lr}
