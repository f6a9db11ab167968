r"""Learning-rate schedules. See Chapter 2.

A schedule is an object with ``lr_at(i)``: the learning rate to use during
epoch (or update) ``i``, counted from 0. Stateful schedules
(:class:`ReduceOnPlateau`, :class:`BoldDriver`) also have
``update(metric)``, to be called once per epoch with the error just
measured; their ``lr_at`` returns the current rate whatever ``i`` is.

:class:`~course_lib.trainer.Trainer` does the bookkeeping: with
``schedule_unit="epoch"`` it sets ``optimizer.lr = schedule.lr_at(epoch)``
before every epoch, with ``"step"`` it does so before every update, and it
calls ``update`` after every epoch with the validation loss (the training
loss when there is no validation data). Optimizers know nothing about
schedules.

>>> s = IntervalDecay(0.1, factor=0.5, interval=4)
>>> [s.lr_at(i) for i in (0, 3, 4, 8)]
[0.1, 0.1, 0.05, 0.025]
"""

from __future__ import annotations

import math

import numpy as np

from ._validation import check_finite_number, check_int, error

__all__ = ["BoldDriver", "Constant", "DelayedExponentialDecay",
           "ExponentialDecay", "IntervalDecay", "ReduceOnPlateau",
           "Schedule", "StepwiseDecay", "TimeBasedDecay"]


def _rate(where, value):
    return check_finite_number(where, "lr", value, low=0.0, low_open=True)


def _factor(where, name, value):
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
        return {"lr": self.lr}


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
        self.lr = _rate("Constant", lr)

    def _lr(self, i):
        return self.lr


class StepwiseDecay(Schedule):
    r"""Multiply the rate by ``factor`` after every step: :math:`\eta_i = \eta\, r^i`.

    The simplest decay: with :math:`r = 0.99` and :math:`\eta = 0.1` the
    rates are 0.1, 0.099, 0.09801, ... Meant for ``schedule_unit="step"``
    (one multiplication per update); per epoch it is the exponential decay
    of :class:`ExponentialDecay`.

    Parameters
    ----------
    lr : float
        Initial rate :math:`\eta > 0`.
    factor : float, default 0.99
        :math:`r \in (0, 1]`.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0 or ``factor`` outside (0, 1].

    Notes
    -----
    PyTorch ``lr_scheduler.ExponentialLR(gamma=factor)`` stepped after each
    update; Keras ``ExponentialDecay(lr, decay_steps=1, decay_rate=factor)``.
    See Chapter 2.
    """

    def __init__(self, lr, factor=0.99):
        self.lr = _rate("StepwiseDecay", lr)
        self.factor = _factor("StepwiseDecay", "factor", factor)

    def _lr(self, i):
        return self.lr * self.factor ** i

    def _args(self):
        return {"lr": self.lr, "factor": self.factor}


class ExponentialDecay(Schedule):
    r"""Smooth exponential decay: :math:`\eta_i = \eta\, r^{\,i/k}`.

    The rate is multiplied by ``decay_rate`` every ``decay_steps`` epochs
    (or updates), continuously in between.

    Parameters
    ----------
    lr : float
        Initial rate :math:`\eta > 0`.
    decay_rate : float, default 0.9
        :math:`r \in (0, 1]`.
    decay_steps : int, default 1
        :math:`k \ge 1`.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0 or ``decay_rate`` outside (0, 1].
    TypeError, ValueError
        For ``decay_steps`` that is not an integer >= 1.

    Notes
    -----
    Keras ``optimizers.schedules.ExponentialDecay(lr, decay_steps,
    decay_rate)``; PyTorch ``ExponentialLR(gamma=decay_rate ** (1/k))``.
    See Chapter 2.
    """

    def __init__(self, lr, decay_rate=0.9, decay_steps=1):
        self.lr = _rate("ExponentialDecay", lr)
        self.decay_rate = _factor("ExponentialDecay", "decay_rate",
                                  decay_rate)
        self.decay_steps = check_int("ExponentialDecay", "decay_steps",
                                     decay_steps, low=1)

    def _lr(self, i):
        return self.lr * self.decay_rate ** (i / self.decay_steps)

    def _args(self):
        return {"lr": self.lr, "decay_rate": self.decay_rate,
                "decay_steps": self.decay_steps}


class DelayedExponentialDecay(Schedule):
    r"""Constant for ``delay`` epochs, then exponential decay.

    .. math::
        \eta_i = \begin{cases} \eta & i < d \\
        \eta\, r^{\,i-d} & i \ge d \end{cases}

    The undecayed start lets the weights leave their random initial values
    before the steps begin to shrink.

    Parameters
    ----------
    lr : float
        Initial rate :math:`\eta > 0`.
    factor : float, default 0.9
        :math:`r \in (0, 1]`, applied once per epoch after the delay.
    delay : int, default 10
        :math:`d \ge 0` epochs at the full rate.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, ``factor`` outside (0, 1] or a
        negative ``delay``.

    Notes
    -----
    PyTorch: ``SequentialLR([ConstantLR(factor=1, total_iters=d),
    ExponentialLR(r)], milestones=[d])``; Keras: a ``LearningRateScheduler``
    callback with this function. See Chapter 2.
    """

    def __init__(self, lr, factor=0.9, delay=10):
        self.lr = _rate("DelayedExponentialDecay", lr)
        self.factor = _factor("DelayedExponentialDecay", "factor", factor)
        self.delay = check_int("DelayedExponentialDecay", "delay", delay,
                               low=0)

    def _lr(self, i):
        return self.lr * self.factor ** max(0, i - self.delay)

    def _args(self):
        return {"lr": self.lr, "factor": self.factor, "delay": self.delay}


class IntervalDecay(Schedule):
    r"""Step decay: multiply by ``factor`` every ``interval`` epochs.

    .. math::
        \eta_i = \eta\, r^{\lfloor i / n \rfloor}

    Parameters
    ----------
    lr : float
        Initial rate :math:`\eta > 0`.
    factor : float, default 0.5
        :math:`r \in (0, 1]`.
    interval : int, default 10
        :math:`n \ge 1` epochs between drops.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, ``factor`` outside (0, 1] or
        ``interval`` < 1.

    Notes
    -----
    Also called fixed-step decay. PyTorch ``lr_scheduler.StepLR(step_size=n,
    gamma=r)``; Keras ``ExponentialDecay(lr, n, r, staircase=True)``.
    See Chapter 2.
    """

    def __init__(self, lr, factor=0.5, interval=10):
        self.lr = _rate("IntervalDecay", lr)
        self.factor = _factor("IntervalDecay", "factor", factor)
        self.interval = check_int("IntervalDecay", "interval", interval,
                                  low=1)

    def _lr(self, i):
        return self.lr * self.factor ** (i // self.interval)

    def _args(self):
        return {"lr": self.lr, "factor": self.factor,
                "interval": self.interval}


class TimeBasedDecay(Schedule):
    r"""Keras's time-based decay: :math:`\eta_i = \eta_0 / (1 + \text{decay}\cdot i)`.

    The rate halves when :math:`i = 1/\text{decay}` and falls like
    :math:`1/i` afterwards, much more slowly than an exponential.

    Parameters
    ----------
    lr : float
        :math:`\eta_0 > 0`.
    decay : float, default 0.01
        :math:`\ge 0`; 0 keeps the rate constant.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0 or a negative or non-finite
        ``decay``.

    Notes
    -----
    Keras 2 optimizers took ``decay=...`` and applied this rule with
    :math:`i` = the number of **updates** (``iterations``); Keras 3 spells
    it ``optimizers.schedules.InverseTimeDecay(lr, decay_steps=1,
    decay_rate=decay)``. Use ``schedule_unit="step"`` to reproduce that,
    ``"epoch"`` to decay per epoch. PyTorch: ``LambdaLR(lambda i: 1 / (1 +
    decay * i))``. See Chapter 2.
    """

    def __init__(self, lr, decay=0.01):
        self.lr = _rate("TimeBasedDecay", lr)
        self.decay = check_finite_number("TimeBasedDecay", "decay", decay,
                                         low=0.0)

    def _lr(self, i):
        return self.lr / (1.0 + self.decay * i)

    def _args(self):
        return {"lr": self.lr, "decay": self.decay}


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
        super().__init__(_rate("ReduceOnPlateau", lr))
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
    previous epoch's :math:`E_\text{prev}`:

    .. math::
        \eta \leftarrow \begin{cases}
        \eta \cdot \text{increase} & E < E_\text{prev} \\
        \eta \cdot \text{decrease} & E > E_\text{prev}\,(1 + \text{tolerance}) \\
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
        super().__init__(_rate("BoldDriver", lr))
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
                "decrease": self.decrease, "tolerance": self.tolerance}
