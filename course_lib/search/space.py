r"""Search spaces: the samplers a configuration is drawn from.

A *search space* maps each hyperparameter name to a sampler:
:class:`Uniform` draws :math:`v \sim U(a, b)`, :class:`LogUniform` draws
:math:`v = 10^{u}` with :math:`u \sim U(\log_{10} a, \log_{10} b)` (every
factor of ten is equally likely), :class:`Choice` picks one of a few
options. :class:`SearchSpace` draws one value from each, in order. See
Chapter 7.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import as_rng, check_finite_number, check_int, error

__all__ = ["Choice", "LogUniform", "SearchSpace", "Uniform"]


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

    .. math::

        \begin{gathered}
        v = 10^{u},\quad u \sim U(\log_{10} a, \log_{10} b), \\
        p(v) = \frac{1}{v \,\ln(b/a)}
        \end{gathered}

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
