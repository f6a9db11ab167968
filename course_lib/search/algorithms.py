r"""Search algorithms: random search, grid search and coarse-to-fine rounds.

:func:`random_search` evaluates an *objective* (train a short run, return
its curves and final metrics) on configurations drawn from a search space;
:func:`grid_search` evaluates every point of a grid (:func:`grid_from_space`
builds one from a space); :func:`narrow` shrinks a space around the best
trials and :func:`search_rounds` alternates the two. Every search can keep a
:class:`~course_lib.search.ledger.Ledger`: re-running it with the same
``rng`` skips the trials already there. See Chapter 7.
"""

from __future__ import annotations

import itertools
import numbers
import time

import numpy as np

from .._validation import as_rng, check_finite_number, check_int, error
from .ledger import Ledger, Trial, _result_to_trial, _same_config
from .reports import best_trials
from .space import Choice, SearchSpace, _as_space

__all__ = ["grid_from_space", "grid_search", "narrow", "random_search",
           "search_rounds"]


def _run(objective, configs, ledger, search, where, progress=None):
    """Evaluate ``configs`` in order, skipping those already in the ledger."""
    if not callable(objective):
        raise error(where, "objective", "a callable objective(config)",
                    type(objective).__name__, kind=TypeError)
    book = None if ledger is None else Ledger(ledger)
    done = {}
    if book is not None:
        for trial in book.trials(search):
            if trial.index >= len(configs):
                continue
            if not _same_config(trial.config, configs[trial.index]):
                raise ValueError(
                    f"{where}: the ledger {book.path} holds trial "
                    f"{trial.index} of search {search!r} with config "
                    f"{trial.config}, but this search draws "
                    f"{configs[trial.index]} there. It belongs to another "
                    "search: use the same rng and space to resume, or "
                    "another ledger file or search name.")
            done[trial.index] = trial
    trials = []
    for i, config in enumerate(configs):
        if i in done:
            trials.append(done[i])
            continue
        start = time.perf_counter()
        result = objective(dict(config))
        trial = _result_to_trial(result, i, config, search,
                                 time.perf_counter() - start)
        if book is not None:
            book.append(trial)
        trials.append(trial)
        if progress is not None:
            progress(trial)
    return trials


def random_search(objective, space, n_trials, rng=None, ledger=None,
                  search="random", progress=None) -> list[Trial]:
    r"""Evaluate ``objective`` on ``n_trials`` configurations drawn from ``space``.

    All configurations are drawn first, in order, from ``rng``: trial *i*
    gets the same configuration whether the search runs in one go or is
    resumed, which is what makes the ledger work.

    Parameters
    ----------
    objective : callable
        ``objective(config) -> result`` trains one short run and returns a
        :class:`~course_lib.trainer.History`, a dict of final metrics
        (optionally with ``"curves": {name: list}``), or a number. Seed
        the run inside (the same seed for every trial is a fair
        comparison: only the hyperparameters differ).
    space : SearchSpace or dict
        ``name -> sampler``.
    n_trials : int
        Number of configurations, at least 1.
    rng : Generator, int or None
        Draws the configurations.
    ledger : str, Path, Ledger or None
        JSON-lines file; finished trials are appended and skipped when the
        search is run again (with the same ``rng``, ``space`` and
        ``search``).
    search : str
        Name stored with each trial, so that several searches (rounds)
        can share one ledger file.
    progress : callable, optional
        Called with each newly finished :class:`Trial`.

    Returns
    -------
    list of Trial
        In trial order, including those read back from the ledger.

    Raises
    ------
    ValueError
        If the ledger holds a different configuration at some index (it
        belongs to another search).

    Notes
    -----
    Bergstra & Bengio (2012) show that random search finds good settings
    with fewer trials than a grid when only a few hyperparameters matter.
    Optuna: ``optuna.create_study(sampler=RandomSampler(seed))``; Ray
    Tune: ``Tuner(..., tune_config=TuneConfig(num_samples=n))``;
    scikit-learn: ``RandomizedSearchCV``. See Chapter 7.
    """
    space = _as_space(space, "random_search")
    n_trials = check_int("random_search", "n_trials", n_trials, low=1)
    gen = as_rng(rng)
    configs = [space.sample(gen) for _ in range(n_trials)]
    return _run(objective, configs, ledger, search, "random_search",
                progress)


def grid_search(objective, grid, ledger=None, search="grid",
                progress=None) -> list[Trial]:
    """Evaluate ``objective`` at every combination of the ``grid`` values.

    Parameters
    ----------
    objective : callable
        As in :func:`random_search`.
    grid : dict
        ``name -> list of values``; the configurations are the Cartesian
        product, the last name varying fastest.
    ledger, search, progress
        As in :func:`random_search`.

    Returns
    -------
    list of Trial

    Raises
    ------
    ValueError
        If ``grid`` is empty or a value list is empty.

    Notes
    -----
    scikit-learn: ``GridSearchCV``; Ray Tune: ``tune.grid_search``.
    With ``n`` values for each of ``d`` hyperparameters a grid costs
    ``n**d`` runs but tries only ``n`` distinct values of each. See
    Chapter 7.
    """
    if not isinstance(grid, dict):
        raise error("grid_search", "grid", "a dict name -> list of values",
                    type(grid).__name__, kind=TypeError)
    if not grid:
        raise error("grid_search", "grid", "a non-empty dict name -> list "
                    "of values", "{}")
    names = list(grid)
    values = []
    for name in names:
        vals = grid[name]
        if isinstance(vals, (str, bytes)) or not hasattr(vals, "__iter__"):
            raise error("grid_search", f"grid[{name!r}]", "a list of values",
                        type(vals).__name__, kind=TypeError)
        vals = [v.item() if isinstance(v, np.generic) else v for v in vals]
        if not vals:
            raise error("grid_search", f"grid[{name!r}]", "at least one "
                        "value", "[]")
        values.append(vals)
    configs = [dict(zip(names, combo, strict=True))
               for combo in itertools.product(*values)]
    return _run(objective, configs, ledger, search, "grid_search", progress)


def grid_from_space(space, n_per_dim, ends=True) -> dict:
    """A grid over a search space: ``n_per_dim`` values per hyperparameter.

    Values are evenly spaced in each sampler's own scale (in the exponent
    for :class:`LogUniform`): from bound to bound with ``ends=True``, or
    at the centres of ``n`` equal cells with ``ends=False``. A
    :class:`Choice` keeps all its options. ``n_per_dim`` is an int or a
    dict ``name -> int``; the result is the ``grid`` argument of
    :func:`grid_search`.
    """
    space = _as_space(space, "grid_from_space")
    out = {}
    for name, s in space.samplers.items():
        n = n_per_dim[name] if isinstance(n_per_dim, dict) else n_per_dim
        n = check_int("grid_from_space", "n_per_dim", n, 1)
        out[name] = s.grid(n, ends=ends)
    return out


def narrow(space, trials, top_k=5, metric="val_acc", mode="max",
           margin=0.25, clip=True) -> SearchSpace:
    r"""A smaller search space around the ``top_k`` best trials.

    For each :class:`Uniform` (or :class:`LogUniform`) dimension, take the
    smallest and largest value among the best trials — in the exponent
    :math:`\log_{10} v` for a log-uniform one — and widen the interval by
    ``margin`` times its width on each side:

    .. math::

        \begin{aligned}
        [\,&u_\min - m\,(u_\max - u_\min),\\
        &u_\max + m\,(u_\max - u_\min)\,]
        \end{aligned}

    When the best trials share one value, the width is taken as ``margin``
    times the original interval's width instead. A :class:`Choice` keeps
    the options that occur among the best trials.

    Parameters
    ----------
    space : SearchSpace or dict
        The space the trials were drawn from.
    trials : sequence of Trial
    top_k : int
        How many of the best trials define the new ranges (>= 1 and at
        most the number of trials).
    metric, mode : str
        What "best" means, as in :func:`best_trials`.
    margin : float
        Relative widening (>= 0).
    clip : bool or dict
        Keep the new bounds inside the old ones. When the best values
        crowd against an old bound, the optimum may lie beyond it: set
        ``clip=False`` to let the next round look there, or pass a dict
        ``name -> bool`` to decide per hyperparameter (names left out
        are clipped).

    Returns
    -------
    SearchSpace
        Samplers of the same kinds with the narrowed bounds.

    Notes
    -----
    This is the "coarse to fine" procedure of Stanford's CS231n notes and
    of the source texts: a wide log-scale range, short runs, then repeated
    rounds on the range where the best runs lie. See Chapter 7.
    """
    space = _as_space(space, "narrow")
    trials = list(trials)
    top_k = check_int("narrow", "top_k", top_k, low=1)
    if top_k > len(trials):
        raise error("narrow", "top_k", f"at most the number of trials "
                    f"({len(trials)})", top_k)
    margin = check_finite_number("narrow", "margin", margin, low=0.0)
    if isinstance(clip, dict):
        unknown = sorted(set(clip) - set(space.names))
        if unknown:
            raise error("narrow", "clip", f"a dict with names of the space "
                        f"{space.names}", f"unknown {unknown}")
    best = best_trials(trials, top_k, metric, mode)
    new = {}
    for name, s in space.samplers.items():
        values = [t.config[name] for t in best if name in t.config]
        if not values:
            raise error("narrow", "trials", f"configs with the "
                        f"hyperparameter {name!r}", "none")
        if isinstance(s, Choice):
            kept = [o for o in s.options if o in values]
            new[name] = Choice(kept or s.options)
            continue
        u = s._to_unit(values)
        lo, hi = float(u.min()), float(u.max())
        span = hi - lo
        if span == 0:
            span = float(s._to_unit(s.high) - s._to_unit(s.low))
        lo, hi = lo - margin * span, hi + margin * span
        if (clip.get(name, True) if isinstance(clip, dict) else clip):
            lo = max(lo, float(s._to_unit(s.low)))
            hi = min(hi, float(s._to_unit(s.high)))
        if hi <= lo:          # margin 0 and a single value: keep a sliver
            width = 1e-6 * float(s._to_unit(s.high) - s._to_unit(s.low))
            lo, hi = lo - width, hi + width
        new[name] = type(s)(float(s._from_unit(lo)), float(s._from_unit(hi)))
    return SearchSpace(new)


def search_rounds(objective, space, n_trials, n_rounds=2, top_k=5,
                  rng=None, ledger=None, metric="val_acc", mode="max",
                  margin=0.25, clip=True, progress=None):
    """Random search in rounds, narrowing the space after each one.

    Round ``r`` (1-based) runs :func:`random_search` with ``search =
    f"round-{r}"`` on the current space, then :func:`narrow` shrinks it
    around the ``top_k`` best trials of that round. ``n_trials`` is an int
    or one int per round. All rounds draw from the one generator ``rng``,
    in order, so a resumed run reproduces every round.

    Returns
    -------
    list of (SearchSpace, list of Trial)
        The space each round searched and its trials.
    """
    n_rounds = check_int("search_rounds", "n_rounds", n_rounds, low=1)
    counts = ([n_trials] * n_rounds if isinstance(n_trials, numbers.Integral)
              else list(n_trials))
    if len(counts) != n_rounds:
        raise error("search_rounds", "n_trials", f"an int or {n_rounds} "
                    "ints", repr(n_trials))
    gen = as_rng(rng)
    space = _as_space(space, "search_rounds")
    out = []
    for r, n in enumerate(counts, 1):
        trials = random_search(objective, space, n, gen, ledger,
                               search=f"round-{r}", progress=progress)
        out.append((space, trials))
        space = narrow(space, trials, min(top_k, len(trials)), metric, mode,
                       margin, clip)
    return out
