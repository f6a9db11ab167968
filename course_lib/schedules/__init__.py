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

from .adaptive import BoldDriver, ReduceOnPlateau
from .base import Constant, Schedule
from .cosine import CosineAnnealing
from .decay import (
    DelayedExponentialDecay,
    ExponentialDecay,
    IntervalDecay,
    StepwiseDecay,
    TimeBasedDecay,
)
from .warmup import LinearWarmup

__all__ = ["BoldDriver", "Constant", "CosineAnnealing",
           "DelayedExponentialDecay", "ExponentialDecay", "IntervalDecay",
           "LinearWarmup", "ReduceOnPlateau", "Schedule", "StepwiseDecay",
           "TimeBasedDecay"]
