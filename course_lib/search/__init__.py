r"""Hyperparameter search: samplers, random and grid search, narrowing, a ledger.

One module per part:

- :mod:`~course_lib.search.space` — samplers :class:`Uniform`,
  :class:`LogUniform` (:math:`v = 10^{u}`, :math:`u \sim U(\log_{10} a,
  \log_{10} b)`), :class:`Choice`, and :class:`SearchSpace`;
- :mod:`~course_lib.search.ledger` — :class:`Trial` and the JSON-lines
  :class:`Ledger` that lets an interrupted search resume;
- :mod:`~course_lib.search.algorithms` — :func:`random_search`,
  :func:`grid_search`, :func:`grid_from_space`, :func:`narrow`,
  :func:`search_rounds`;
- :mod:`~course_lib.search.reports` — :func:`best_trials`,
  :func:`trials_table`.

Every name is importable from this package, e.g.
``from course_lib.search import LogUniform, SearchSpace, random_search``.
See Chapter 7.
"""

from __future__ import annotations

from .algorithms import (
    grid_from_space,
    grid_search,
    narrow,
    random_search,
    search_rounds,
)
from .ledger import Ledger, Trial
from .reports import best_trials, trials_table
from .space import Choice, LogUniform, SearchSpace, Uniform

__all__ = [
    "Choice",
    "Ledger",
    "LogUniform",
    "SearchSpace",
    "Trial",
    "Uniform",
    "best_trials",
    "grid_from_space",
    "grid_search",
    "narrow",
    "random_search",
    "search_rounds",
    "trials_table",
]
