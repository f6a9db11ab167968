"""Reading a search: rank the trials and print the best ones as a table.

Trials whose metric is missing or NaN (a diverged run) rank last. See
Chapter 7.
"""

from __future__ import annotations

import math
import numbers

from .._validation import check_int, error
from .ledger import Trial

__all__ = ["best_trials", "trials_table"]


def _check_mode(where, mode):
    if mode not in ("max", "min"):
        raise error(where, "mode", "'max' or 'min'", repr(mode))


def best_trials(trials, k=None, metric="val_acc", mode="max") -> list[Trial]:
    """The ``k`` best trials by ``metric``, best first.

    Trials whose metric is missing or NaN (a diverged run) come last. Ties
    keep trial order. ``k=None`` sorts them all.

    Raises
    ------
    ValueError
        If ``trials`` is empty, ``k < 1`` or ``mode`` is not ``"max"`` or
        ``"min"``.
    """
    trials = list(trials)
    if not trials:
        raise error("best_trials", "trials", "at least one trial", "[]")
    _check_mode("best_trials", mode)
    if k is not None:
        k = check_int("best_trials", "k", k, low=1)
    sign = -1.0 if mode == "max" else 1.0

    def key(t: Trial):
        s = t.score(metric)
        return (math.isnan(s), sign * s if not math.isnan(s) else 0.0,
                t.index)

    ranked = sorted(trials, key=key)
    return ranked if k is None else ranked[:k]


def _fmt(value) -> str:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    v = float(value)
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e4):
        return f"{v:.3g}"
    return f"{v:.4g}"


def trials_table(trials, k=5, metric="val_acc", mode="max",
                 extra=("train_acc",)) -> str:
    """A text table of the best ``k`` trials: rank, metric, hyperparameters.

    ``extra`` lists more final metrics to show when the trials have them.
    Returns a string; print it.
    """
    best = best_trials(trials, k, metric, mode)
    names = list(best[0].config)
    extra = [m for m in extra if m != metric
             and any(m in t.metrics for t in best)]
    header = ["rank", metric, *extra, *names, "trial"]
    rows = [header]
    for rank, t in enumerate(best, 1):
        rows.append([f"Best-{rank}", _fmt(t.score(metric)),
                     *[_fmt(t.score(m)) for m in extra],
                     *[_fmt(t.config.get(n)) for n in names], str(t.index)])
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    lines = ["  ".join(cell.rjust(w) if c else cell.ljust(w)
                       for c, (cell, w) in enumerate(zip(r, widths,
                                                         strict=True)))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
