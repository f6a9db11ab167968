r"""Hyperparameter search: samplers, random and grid search, narrowing, a ledger.

A *search space* maps each hyperparameter name to a sampler:
:class:`Uniform` draws :math:`v \sim U(a, b)`, :class:`LogUniform` draws
:math:`v = 10^{u}` with :math:`u \sim U(\log_{10} a, \log_{10} b)` (every
factor of ten is equally likely), :class:`Choice` picks one of a few
options. :func:`random_search` evaluates an *objective* (train a short run,
return its curves and final metrics) on configurations drawn from the
space; :func:`narrow` shrinks the space around the best trials, for the
next round; :func:`grid_search` evaluates every point of a grid.

Every finished trial can be appended to a **ledger**, a JSON-lines file:
re-running the same search with the same ``rng`` skips the trials already
in the ledger, so an interrupted search resumes where it stopped. See
Chapter 7.
"""

from __future__ import annotations

import itertools
import json
import math
import numbers
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._validation import as_rng, check_finite_number, check_int, error

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


# ---------------------------------------------------------------------------
# Samplers
# ---------------------------------------------------------------------------

def _check_bounds(where: str, low, high, log: bool) -> tuple[float, float]:
    low = check_finite_number(where, "low", low)
    high = check_finite_number(where, "high", high)
    if log and low <= 0:
        raise error(where, "low", "a finite number > 0 (a log scale has no "
                    "zero or negative values)", repr(low),
                    hint="Pass the value itself, e.g. LogUniform(1e-6, 1e-2)"
                    ", not its exponent.")
    if log and high <= 0:
        raise error(where, "high", "a finite number > 0 (a log scale has no "
                    "zero or negative values)", repr(high))
    if low >= high:
        raise error(where, "high", f"a number greater than low = {low!r}",
                    repr(high))
    return low, high


class Uniform:
    r"""Draw a real value uniformly between ``low`` and ``high``.

    .. math:: v \sim U(a, b),\qquad p(v) = \frac{1}{b - a}

    Parameters
    ----------
    low, high : float
        Bounds, ``low < high``.

    Raises
    ------
    ValueError
        If a bound is not finite or ``low >= high`` (the message names
        the bound).

    Notes
    -----
    Right for quantities whose effect is additive (a dropout ratio, a
    momentum coefficient). Optuna: ``trial.suggest_float(name, low,
    high)``; Ray Tune: ``tune.uniform(low, high)``. See Chapter 7.
    """

    log = False

    def __init__(self, low, high):
        self.low, self.high = _check_bounds(type(self).__name__, low, high,
                                            self.log)

    def sample(self, rng=None, size=None):
        """One value (a float) or an array of ``size`` values."""
        v = as_rng(rng).uniform(self.low, self.high, size)
        return float(v) if size is None else v

    def contains(self, value) -> bool:
        return self.low <= float(value) <= self.high

    # the coordinate in which the sampler is uniform (used by ``narrow``)
    def _to_unit(self, value):
        return np.asarray(value, dtype=float)

    def _from_unit(self, u):
        return u

    def grid(self, n: int, ends: bool = True) -> list[float]:
        """``n`` evenly spaced values (in the sampler's own scale).

        ``ends=True`` includes ``low`` and ``high``; ``ends=False`` puts
        one value at the centre of each of ``n`` equal cells.
        """
        n = check_int(f"{type(self).__name__}.grid", "n", n, low=1)
        lo, hi = self._to_unit(self.low), self._to_unit(self.high)
        if ends and n > 1:
            u = np.linspace(lo, hi, n)
        else:
            u = lo + (hi - lo) * (np.arange(n) + 0.5) / n
        return [float(v) for v in self._from_unit(u)]

    def __eq__(self, other):
        return (type(self) is type(other) and self.low == other.low
                and self.high == other.high)

    def __repr__(self):
        return f"{type(self).__name__}({self.low:g}, {self.high:g})"


class LogUniform(Uniform):
    r"""Draw a positive value whose base-10 logarithm is uniform.

    .. math:: v = 10^{u},\quad u \sim U(\log_{10} a, \log_{10} b),\qquad
              p(v) = \frac{1}{v \,\ln(b/a)}

    Each decade between ``low`` and ``high`` receives the same share of the
    samples: for ``LogUniform(1e-6, 1e-2)`` a quarter of the draws lie in
    each of [1e-6, 1e-5), …, [1e-3, 1e-2]. A plain uniform draw on the same
    interval would put 90 % of them in the last decade.

    Parameters
    ----------
    low, high : float
        Bounds, ``0 < low < high`` (the values, not their exponents).

    Raises
    ------
    ValueError
        If a bound is zero, negative or not finite, or ``low >= high``.

    Notes
    -----
    The seeds write this as ``10 ** np.random.uniform(-6, -2)``. Optuna:
    ``trial.suggest_float(name, low, high, log=True)``; Ray Tune:
    ``tune.loguniform(low, high)``; SciPy: ``scipy.stats.loguniform``.
    Learning rates and weight-decay strengths act multiplicatively, so
    they are searched on this scale. See Chapter 7.
    """

    log = True

    def sample(self, rng=None, size=None):
        u = as_rng(rng).uniform(math.log10(self.low), math.log10(self.high),
                                size)
        v = 10.0 ** u
        return float(v) if size is None else v

    def _to_unit(self, value):
        return np.log10(np.asarray(value, dtype=float))

    def _from_unit(self, u):
        return 10.0 ** np.asarray(u, dtype=float)


class Choice:
    """Pick one of a few options with equal probability.

    Parameters
    ----------
    options : sequence
        At least one option; JSON-friendly values (str, int, float, bool).

    Notes
    -----
    Optuna: ``trial.suggest_categorical``; Ray Tune: ``tune.choice``.
    See Chapter 7.
    """

    log = False

    def __init__(self, options):
        options = list(options)
        if not options:
            raise error("Choice", "options", "a non-empty sequence", "[]")
        self.options = options

    def sample(self, rng=None, size=None):
        idx = as_rng(rng).integers(len(self.options), size=size)
        if size is None:
            return self.options[int(idx)]
        return [self.options[int(i)] for i in np.ravel(idx)]

    def contains(self, value) -> bool:
        return value in self.options

    def grid(self, n=None, ends=True) -> list:
        return list(self.options)

    def __eq__(self, other):
        return type(self) is type(other) and self.options == other.options

    def __repr__(self):
        return f"Choice({self.options!r})"


_SAMPLERS = (Uniform, Choice)


class SearchSpace:
    """Named samplers: one configuration is one draw from each, in order.

    Parameters
    ----------
    samplers : dict
        ``name -> sampler`` (:class:`Uniform`, :class:`LogUniform`,
        :class:`Choice`), for example
        ``{"lr": LogUniform(1e-6, 1e-2), "weight_decay": LogUniform(1e-8,
        1e-4)}``.

    Raises
    ------
    ValueError
        If ``samplers`` is empty.
    TypeError
        If it is not a dict, a name is not a string, or a value is not a
        sampler.

    Notes
    -----
    The draws of one configuration are made in the dict's order from one
    generator, so the same seed gives the same configurations. See
    Chapter 7.
    """

    def __init__(self, samplers):
        if isinstance(samplers, SearchSpace):
            samplers = samplers.samplers
        if not isinstance(samplers, dict):
            raise error("SearchSpace", "samplers", "a dict name -> sampler",
                        type(samplers).__name__, kind=TypeError)
        if not samplers:
            raise error("SearchSpace", "samplers", "a non-empty dict "
                        "name -> sampler", "{}")
        for name, s in samplers.items():
            if not isinstance(name, str):
                raise error("SearchSpace", "samplers", "string keys",
                            repr(name), kind=TypeError)
            if not isinstance(s, _SAMPLERS):
                raise error("SearchSpace", f"samplers[{name!r}]",
                            "a Uniform, LogUniform or Choice",
                            type(s).__name__, kind=TypeError,
                            hint="Fixed values belong in the objective, "
                            "not in the search space.")
        self.samplers = dict(samplers)

    @property
    def names(self) -> list[str]:
        return list(self.samplers)

    def sample(self, rng=None) -> dict:
        """One configuration ``{name: value}``."""
        rng = as_rng(rng)
        return {name: s.sample(rng) for name, s in self.samplers.items()}

    def __getitem__(self, name):
        return self.samplers[name]

    def __iter__(self):
        return iter(self.samplers)

    def __len__(self):
        return len(self.samplers)

    def __eq__(self, other):
        return isinstance(other, SearchSpace) and \
            self.samplers == other.samplers

    def __repr__(self):
        inner = ", ".join(f"{k!r}: {v!r}" for k, v in self.samplers.items())
        return f"SearchSpace({{{inner}}})"


def _as_space(space, where) -> SearchSpace:
    if isinstance(space, SearchSpace):
        return space
    if isinstance(space, dict):
        return SearchSpace(space)
    raise error(where, "space", "a SearchSpace or a dict name -> sampler",
                type(space).__name__, kind=TypeError)


# ---------------------------------------------------------------------------
# Trials and the ledger
# ---------------------------------------------------------------------------

@dataclass
class Trial:
    """One evaluated configuration.

    Attributes
    ----------
    index : int
        Position in its search (0-based).
    config : dict
        ``name -> value`` of the hyperparameters.
    metrics : dict
        Final metrics, e.g. ``{"val_acc": 0.83, "train_acc": 0.9}``.
    curves : dict
        Per-epoch lists, e.g. ``{"train_acc": [...], "val_acc": [...]}``.
    search : str
        Name of the search (round) the trial belongs to.
    seconds : float
        Wall time of the objective.
    """

    index: int
    config: dict
    metrics: dict = field(default_factory=dict)
    curves: dict = field(default_factory=dict)
    search: str = "search"
    seconds: float = 0.0

    def score(self, metric: str) -> float:
        """``metrics[metric]`` as a float (NaN when missing or not finite)."""
        v = self.metrics.get(metric)
        try:
            v = float(v)
        except (TypeError, ValueError):
            return float("nan")
        return v

    def to_record(self) -> dict:
        return {"search": self.search, "index": self.index,
                "config": _jsonable(self.config), "metrics": _jsonable(self.metrics),
                "curves": _jsonable(self.curves),
                "seconds": round(self.seconds, 4)}

    @classmethod
    def from_record(cls, rec: dict) -> "Trial":
        return cls(index=int(rec["index"]), config=dict(rec["config"]),
                   metrics=_unjson(rec.get("metrics", {})),
                   curves=_unjson(rec.get("curves", {})),
                   search=rec.get("search", "search"),
                   seconds=float(rec.get("seconds", 0.0)))


def _jsonable(obj):
    """Plain JSON: NumPy scalars/arrays to Python, NaN and inf to None."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        v = float(obj)
        return v if math.isfinite(v) else None
    return obj


def _unjson(obj):
    """Inverse of :func:`_jsonable` for metrics and curves (None -> NaN)."""
    if isinstance(obj, dict):
        return {k: _unjson(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unjson(v) for v in obj]
    return float("nan") if obj is None else obj


def _result_to_trial(result, index, config, search, seconds) -> Trial:
    """Turn what an objective returned into a :class:`Trial`.

    Accepted: a :class:`~course_lib.trainer.History` (curves = its
    per-epoch lists, metrics = their last values), a dict (a ``"curves"``
    entry, every other entry a final metric), or a number (``{"score": v}``).
    """
    metrics, curves = {}, {}
    if hasattr(result, "train_loss") and hasattr(result, "val_acc"):
        for key in ("train_loss", "train_acc", "val_loss", "val_acc"):
            values = [float(v) for v in getattr(result, key)]
            if values:
                curves[key] = values
                metrics[key] = values[-1]
    elif isinstance(result, dict):
        for key, value in result.items():
            if key == "curves":
                curves = {str(k): [float(v) for v in vals]
                          for k, vals in dict(value).items()}
            elif isinstance(value, numbers.Real) and not isinstance(
                    value, bool):
                metrics[str(key)] = float(value)
            else:
                metrics[str(key)] = value
    elif isinstance(result, numbers.Real) and not isinstance(result, bool):
        metrics["score"] = float(result)
    else:
        raise error("objective", "return value", "a History, a dict of "
                    "metrics (optionally with 'curves') or a number",
                    type(result).__name__, kind=TypeError)
    return Trial(index=index, config=dict(config), metrics=metrics,
                 curves=curves, search=search, seconds=seconds)


class Ledger:
    """An append-only JSON-lines file of finished trials.

    One line per trial: ``{"search", "index", "config", "metrics",
    "curves", "seconds"}``. Lines are flushed to disk as soon as a trial
    ends, so a crash loses at most the trial that was running; an
    incomplete last line (the process died while writing it) is ignored
    and that trial runs again.

    Parameters
    ----------
    path : str or Path
        The file; created (with its folder) on the first append.

    Notes
    -----
    Optuna keeps the same information in a database
    (``storage="sqlite:///study.db"``, ``load_if_exists=True``); Ray Tune
    restores an interrupted experiment with ``Tuner.restore(path)``.
    See Chapter 7.
    """

    def __init__(self, path):
        if isinstance(path, Ledger):
            path = path.path
        if not isinstance(path, (str, os.PathLike)):
            raise error("Ledger", "path", "a file path (str or Path)",
                        type(path).__name__, kind=TypeError)
        self.path = Path(path)

    def trials(self, search: str | None = None) -> list[Trial]:
        """The trials stored so far (of one ``search`` name, if given)."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        out = []
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                if i == len(lines) - 1:
                    break           # torn final write: redo that trial
                raise ValueError(f"Ledger: line {i + 1} of {self.path} is "
                                 "not valid JSON; the ledger is corrupt "
                                 "(delete the line or the file).") from None
            if search is None or rec.get("search") == search:
                out.append(Trial.from_record(rec))
        return out

    def append(self, trial: Trial) -> None:
        """Write one trial as a line and flush it to disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(trial.to_record(), allow_nan=False)
        if self.path.exists() and self.path.stat().st_size:
            data = self.path.read_bytes()
            if not data.endswith(b"\n"):       # drop a torn last write
                with open(self.path, "r+b") as fh:
                    fh.truncate(data.rfind(b"\n") + 1)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def __len__(self):
        return len(self.trials())

    def __repr__(self):
        return f"Ledger({str(self.path)!r})"


def _same_config(a: dict, b: dict) -> bool:
    if set(a) != set(b):
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, numbers.Real) and isinstance(y, numbers.Real) \
                and not isinstance(x, bool):
            if not math.isclose(float(x), float(y), rel_tol=1e-12,
                                abs_tol=0.0):
                return False
        elif x != y:
            return False
    return True


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
    configs = [dict(zip(names, combo)) for combo in itertools.product(*values)]
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


# ---------------------------------------------------------------------------
# Reading the results
# ---------------------------------------------------------------------------

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
                       for c, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def narrow(space, trials, top_k=5, metric="val_acc", mode="max",
           margin=0.25, clip=True) -> SearchSpace:
    r"""A smaller search space around the ``top_k`` best trials.

    For each :class:`Uniform` (or :class:`LogUniform`) dimension, take the
    smallest and largest value among the best trials — in the exponent
    :math:`\log_{10} v` for a log-uniform one — and widen the interval by
    ``margin`` times its width on each side:

    .. math:: [\,u_\min - m\,(u_\max - u_\min),\;
              u_\max + m\,(u_\max - u_\min)\,]

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
