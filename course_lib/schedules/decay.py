r"""Learning rates that fall with the epoch by a fixed rule. See Chapter 2."""

from __future__ import annotations

from .._validation import check_finite_number, check_int
from .base import Schedule, check_factor, check_rate

__all__ = ["DelayedExponentialDecay", "ExponentialDecay", "IntervalDecay",
           "StepwiseDecay", "TimeBasedDecay"]


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
        self.lr = check_rate("StepwiseDecay", lr)
        self.factor = check_factor("StepwiseDecay", "factor", factor)

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
        self.lr = check_rate("ExponentialDecay", lr)
        self.decay_rate = check_factor("ExponentialDecay", "decay_rate",
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
        self.lr = check_rate("DelayedExponentialDecay", lr)
        self.factor = check_factor("DelayedExponentialDecay", "factor", factor)
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
        self.lr = check_rate("IntervalDecay", lr)
        self.factor = check_factor("IntervalDecay", "factor", factor)
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
        self.lr = check_rate("TimeBasedDecay", lr)
        self.decay = check_finite_number("TimeBasedDecay", "decay", decay,
                                         low=0.0)

    def _lr(self, i):
        return self.lr / (1.0 + self.decay * i)

    def _args(self):
        return {"lr": self.lr, "decay": self.decay}
