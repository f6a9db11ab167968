r"""Regularization: weight penalties, weight constraints and early stopping.

Three ways to keep a network from memorizing its training set, one module
each:

- :mod:`~course_lib.regularization.penalties` — :class:`L2`, :class:`L1`,
  :class:`L1L2`, :class:`LInf` add a term :math:`\lambda\,\Omega(W)` to the
  loss; pass one as ``Sequential(..., penalty=...)``;
- :mod:`~course_lib.regularization.constraints` — :class:`MaxNorm`,
  :class:`UnitNorm`, :class:`NonNeg`, :class:`MinMaxNorm` project the
  weights back into an allowed set after each update; pass them to
  :class:`~course_lib.trainer.Trainer` as callbacks;
- :mod:`~course_lib.regularization.callbacks` — :class:`EarlyStopping`
  ends training when a validation metric stops improving and keeps the best
  weights; :class:`WeightSnapshots` copies weights after chosen epochs.

By default penalties and constraints act on the *weights only* (names
ending in ``"W"``), never biases or BatchNorm's γ and β; see
:func:`select_keys`. Every name is importable from this package, e.g.
``from course_lib.regularization import L2, MaxNorm, EarlyStopping``.
See Chapter 5.
"""

from __future__ import annotations

from ._keys import select_keys
from .callbacks import EarlyStopping, WeightSnapshots
from .constraints import Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm
from .penalties import L1, L1L2, L2, LInf, Penalty

__all__ = [
    "Constraint",
    "EarlyStopping",
    "L1",
    "L1L2",
    "L2",
    "LInf",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "Penalty",
    "UnitNorm",
    "WeightSnapshots",
    "select_keys",
]
