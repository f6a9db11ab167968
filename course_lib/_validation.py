"""Shared argument checks and the one error-message template of the library.

Every message reads ``Where: 'name' must be <expected>; got <received>.`` so a
student can see at once which argument was wrong and how.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_rng",
    "check_array",
    "check_choice",
    "check_finite_number",
    "check_int",
    "check_labels",
    "check_probability",
    "check_same_keys_and_shapes",
    "error",
    "shape_str",
]


def shape_str(shape) -> str:
    """Format a shape like ``(32, 64)`` (one-element tuples without the comma)."""
    return "(" + ", ".join(str(s) for s in shape) + ")"


def error(where: str, name: str, expected: str, got, hint: str | None = None,
          kind=ValueError) -> Exception:
    """Build (not raise) an exception with the library's message template."""
    msg = f"{where}: {name!r} must be {expected}; got {got}."
    if hint:
        msg += f" {hint}"
    return kind(msg)


def as_rng(rng) -> np.random.Generator:
    """Normalize ``rng`` (Generator, int seed or None) into a Generator."""
    if rng is None or isinstance(rng, (np.random.Generator, numbers.Integral)):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    raise error("rng", "rng", "a numpy.random.Generator, an int seed or None",
                type(rng).__name__, kind=TypeError)


def check_array(where: str, name: str, x, ndim=None, min_ndim=None,
                dtype_kind="f") -> np.ndarray:
    """Check that ``x`` is an ndarray of the right rank and kind; return it.

    ``dtype_kind`` is a string of accepted ``dtype.kind`` letters
    (``"f"`` floats, ``"iu"`` integers); ``None`` accepts any numeric dtype.
    """
    if not isinstance(x, np.ndarray):
        raise error(where, name, "a numpy.ndarray", type(x).__name__,
                    kind=TypeError)
    if ndim is not None:
        ranks = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if x.ndim not in ranks:
            want = " or ".join(f"{r}-D" for r in ranks)
            raise error(where, name, f"a {want} array", f"shape "
                        f"{shape_str(x.shape)}")
    if min_ndim is not None and x.ndim < min_ndim:
        raise error(where, name, f"an array with at least {min_ndim} "
                    "dimensions", f"shape {shape_str(x.shape)}")
    if dtype_kind is not None and x.dtype.kind not in dtype_kind:
        kinds = {"f": "floating-point", "i": "integer", "u": "unsigned",
                 "b": "boolean"}
        want = " or ".join(kinds.get(k, k) for k in dtype_kind)
        raise error(where, name, f"a {want} array", f"dtype {x.dtype}",
                    kind=TypeError)
    return x


def check_finite_number(where: str, name: str, value, low=None, high=None,
                        low_open=False, high_open=False) -> float:
    """Check a real, finite number inside an interval; return it as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise error(where, name, "a real number", repr(value), kind=TypeError)
    v = float(value)
    lo_ok = low is None or (v > low if low_open else v >= low)
    hi_ok = high is None or (v < high if high_open else v <= high)
    if not np.isfinite(v) or not lo_ok or not hi_ok:
        if low is not None and high is not None:
            rng_txt = (("(" if low_open else "[") + f"{low}, {high}"
                       + (")" if high_open else "]"))
            expected = f"a finite number in {rng_txt}"
        elif low is not None:
            expected = f"a finite number {'>' if low_open else '>='} {low}"
        elif high is not None:
            expected = f"a finite number {'<' if high_open else '<='} {high}"
        else:
            expected = "a finite number"
        raise error(where, name, expected, repr(value))
    return v


def check_probability(where: str, name: str, value) -> float:
    """A rate in [0, 1) such as a dropout ratio or a momentum coefficient."""
    return check_finite_number(where, name, value, 0.0, 1.0, high_open=True)


def check_int(where: str, name: str, value, low=None) -> int:
    """Check an integer (not bool) that is at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise error(where, name, "an integer", repr(value), kind=TypeError)
    if low is not None and value < low:
        raise error(where, name, f"an integer >= {low}", repr(value))
    return int(value)


def check_choice(where: str, name: str, value, choices) -> str:
    """Check that ``value`` is one of ``choices``."""
    if value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise error(where, name, f"one of {opts}", repr(value))
    return value


def check_labels(where: str, t, n_samples: int, n_classes: int) -> np.ndarray:
    """Validate int labels (N,) or one-hot (N, K); return int labels (N,)."""
    if not isinstance(t, np.ndarray):
        raise error(where, "t", "a numpy.ndarray of labels",
                    type(t).__name__, kind=TypeError)
    if t.ndim == 2:
        if t.shape != (n_samples, n_classes):
            raise error(where, "t", f"one-hot labels of shape "
                        f"({n_samples}, {n_classes})",
                        f"shape {shape_str(t.shape)}")
        return np.argmax(t, axis=1)
    if t.ndim != 1 or t.shape[0] != n_samples:
        raise error(where, "t", f"int labels of shape ({n_samples},) or "
                    f"one-hot of shape ({n_samples}, {n_classes})",
                    f"shape {shape_str(t.shape)}")
    if t.dtype.kind not in "iu":
        if t.dtype.kind == "f" and np.all(np.mod(t, 1) == 0):
            t = t.astype(np.int64)
        else:
            raise error(where, "t", "integer class labels",
                        f"dtype {t.dtype}", kind=TypeError)
    if t.size and (t.min() < 0 or t.max() >= n_classes):
        bad = t[(t < 0) | (t >= n_classes)][0]
        raise error(where, "t", f"labels in [0, {n_classes - 1}]",
                    f"label {bad}")
    return t


def check_same_keys_and_shapes(where: str, params: dict, grads: dict) -> None:
    """Check that ``grads`` has exactly the keys and shapes of ``params``."""
    missing = sorted(set(params) - set(grads))
    extra = sorted(set(grads) - set(params))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {missing}")
        if extra:
            parts.append(f"unexpected {extra}")
        raise ValueError(f"{where}: 'grads' must have the same keys as "
                         f"'params'; got {', '.join(parts)}.")
    for k, p in params.items():
        g = grads[k]
        if np.shape(g) != np.shape(p):
            raise ValueError(
                f"{where}: grads[{k!r}] must have the shape of params[{k!r}] "
                f"{shape_str(np.shape(p))}; got {shape_str(np.shape(g))}.")
