r"""Schedules that follow the measured error: plateau and bold driver.

See Chapter 2.
"""

from __future__ import annotations

import math

from .._validation import check_finite_number, check_int, error
from .base import Schedule, check_rate

__all__ = ["BoldDriver", "ReduceOnPlateau"]


class _Stateful(Schedule):
    """A schedule whose rate moves with the measured error."""

    def __init__(self, lr):
        self.lr = lr
        self.lr_ = lr
        self.history_: list[float] = []

    def lr_at(self, i) -> float:
        check_int(f"{type(self).__name__}.lr_at", "i", i, low=0)
        return self.lr_

    def values(self, n):
        raise error(f"{type(self).__name__}.values", "schedule",
                    "a schedule that does not depend on the error",
                    "a stateful one", hint="Plot History.lr of a training "
                    "run instead.", kind=TypeError)

    def _check_metric(self, metric) -> float:
        return check_finite_number(f"{type(self).__name__}.update",
                                   "metric", metric)

    def reset(self) -> None:
        """Forget the past: back to the initial rate."""
        self.lr_ = self.lr
        self.history_ = []


class ReduceOnPlateau(_Stateful):
    r"""Error-based decay: shrink the rate when the error stops falling.

    After each epoch, ``update(metric)`` compares the error with the best
    seen so far. An epoch *improves* when ``metric < best - min_delta``.
    After ``patience`` epochs in a row without improvement the rate is
    multiplied by ``factor`` (never below ``min_lr``) and the count starts
    again.

    Parameters
    ----------
    lr : float
        Initial rate > 0.
    factor : float, default 0.5
        Multiplier in (0, 1) applied at a plateau.
    patience : int, default 3
        Epochs without improvement before a reduction (>= 1).
    min_delta : float, default 0.0
        How much lower than the best an error must be to count (>= 0).
    min_lr : float, default 0.0
        Floor of the rate (>= 0).

    Raises
    ------
    ValueError
        For arguments outside the ranges above, and (in ``update``) for a
        non-finite metric.

    Notes
    -----
    Keras ``callbacks.ReduceLROnPlateau(factor, patience, min_delta,
    min_lr)`` uses the same count. PyTorch ``lr_scheduler.ReduceLROnPlateau``
    reduces only after ``patience + 1`` bad epochs and measures
    ``min_delta`` (its ``threshold``) relative to the best by default. See
    Chapter 2.
    """

    def __init__(self, lr, factor=0.5, patience=3, min_delta=0.0, min_lr=0.0):
        super().__init__(check_rate("ReduceOnPlateau", lr))
        self.factor = check_finite_number("ReduceOnPlateau", "factor",
                                          factor, 0.0, 1.0, low_open=True,
                                          high_open=True)
        self.patience = check_int("ReduceOnPlateau", "patience", patience,
                                  low=1)
        self.min_delta = check_finite_number("ReduceOnPlateau", "min_delta",
                                             min_delta, low=0.0)
        self.min_lr = check_finite_number("ReduceOnPlateau", "min_lr",
                                          min_lr, low=0.0)
        self.reset()

    def reset(self):
        super().reset()
        self.best_ = math.inf
        self.wait_ = 0

    def update(self, metric) -> float:
        """Record the epoch's error; returns the rate for the next epoch."""
        metric = self._check_metric(metric)
        self.history_.append(metric)
        if metric < self.best_ - self.min_delta:
            self.best_ = metric
            self.wait_ = 0
        else:
            self.wait_ += 1
            if self.wait_ >= self.patience:
                self.lr_ = max(self.lr_ * self.factor, self.min_lr)
                self.wait_ = 0
        return self.lr_

    def _args(self):
        return {"lr": self.lr, "factor": self.factor,
                "patience": self.patience, "min_delta": self.min_delta,
                "min_lr": self.min_lr}


class BoldDriver(_Stateful):
    r"""Bold driver: speed up while the error falls, brake hard when it rises.

    After each epoch ``update(E)`` compares the error :math:`E` with the
    previous epoch's :math:`E_\text{prev}`, with tol = ``tolerance``:

    .. math::

        \eta \leftarrow \begin{cases}
        \eta \cdot \text{increase} & E < E_\text{prev} \\
        \eta \cdot \text{decrease} & E > E_\text{prev}\,(1 + \text{tol}) \\
        \eta & \text{otherwise}
        \end{cases}

    The rate stays within ``[min_lr, max_lr]``. The first call only
    records the error.

    Parameters
    ----------
    lr : float
        Initial rate > 0.
    increase : float, default 1.05
        Growth factor >= 1 while the error falls (1.01 to 1.05 is usual).
    decrease : float, default 0.5
        Factor in (0, 1) when the error rises: halve by default.
    tolerance : float, default 0.0
        Relative rise (>= 0) that is still tolerated without braking.
    min_lr, max_lr : float, default 0.0 and inf
        Bounds of the rate.

    Raises
    ------
    ValueError
        For arguments outside the ranges above, ``min_lr > max_lr``, or a
        non-finite metric.

    Notes
    -----
    Battiti (1989); Orr (1999). The original also undoes the weight update
    of an epoch that raised the error; here only the rate changes. No
    framework ships it: in Keras write a callback, in PyTorch set
    ``param_group["lr"]`` yourself. See Chapter 2.
    """

    def __init__(self, lr, increase=1.05, decrease=0.5, tolerance=0.0,
                 min_lr=0.0, max_lr=math.inf):
        super().__init__(check_rate("BoldDriver", lr))
        self.increase = check_finite_number("BoldDriver", "increase",
                                            increase, low=1.0)
        self.decrease = check_finite_number("BoldDriver", "decrease",
                                            decrease, 0.0, 1.0,
                                            low_open=True, high_open=True)
        self.tolerance = check_finite_number("BoldDriver", "tolerance",
                                             tolerance, low=0.0)
        self.min_lr = check_finite_number("BoldDriver", "min_lr", min_lr,
                                          low=0.0)
        if not (isinstance(max_lr, (int, float)) and max_lr >= self.min_lr
                and not math.isnan(max_lr)):
            raise error("BoldDriver", "max_lr", f"a number >= min_lr = "
                        f"{self.min_lr:g}", repr(max_lr))
        self.max_lr = float(max_lr)
        self.reset()

    def reset(self):
        super().reset()
        self.prev_ = None

    def update(self, metric) -> float:
        """Record the epoch's error; returns the rate for the next epoch."""
        metric = self._check_metric(metric)
        self.history_.append(metric)
        if self.prev_ is not None:
            if metric < self.prev_:
                self.lr_ *= self.increase
            elif metric > self.prev_ * (1 + self.tolerance):
                self.lr_ *= self.decrease
            self.lr_ = min(max(self.lr_, self.min_lr), self.max_lr)
        self.prev_ = metric
        return self.lr_

    def _args(self):
        return {"lr": self.lr, "increase": self.increase,
                "decrease": self.decrease, "tolerance": self.tolerance,
                "min_lr": self.min_lr, "max_lr": self.max_lr}
