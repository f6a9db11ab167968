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
    "check_batch",
    "check_choice",
    "check_finite_number",
    "check_int",
    "check_labels",
    "check_probability",
    "check_same_keys_and_shapes",
    "check_targets",
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
    if isinstance(rng, numbers.Integral):
        return np.random.default_rng(int(rng))
    if rng is None or isinstance(rng, np.random.Generator):
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


def check_batch(where: str, name: str, x: np.ndarray) -> np.ndarray:
    """Check that the array ``x`` holds at least one sample (N >= 1)."""
    if x.ndim == 0 or x.shape[0] == 0:
        raise error(where, name, "a batch of at least one sample (N >= 1)",
                    f"shape {shape_str(x.shape)}")
    return x


def _class_indices(where: str, name: str, t: np.ndarray,
                   n_classes: int) -> np.ndarray:
    """Int labels from a 1-D array of integers or integral floats.

    Values are checked before any cast, so ``-1`` cannot wrap around to the
    last class and ``1e20`` is reported as itself, not as a garbage integer.
    """
    kind = t.dtype.kind
    if kind not in "iuf":
        raise error(where, name, "integer class labels", f"dtype {t.dtype}",
                    kind=TypeError)
    if kind == "f":
        bad = ~np.isfinite(t)
        bad[~bad] = t[~bad] != np.round(t[~bad])
        if bad.any():
            raise error(where, name, "integer class labels",
                        f"label {float(t[bad][0])!r}")
    if t.size:
        bad = (t < 0) | (t >= n_classes)
        if bad.any():
            v = t[bad][0]
            v = float(v) if kind == "f" else int(v)
            raise error(where, name, f"labels in [0, {n_classes - 1}]",
                        f"label {v!r}")
    return t if kind in "iu" else t.astype(np.intp)


def check_labels(where: str, t, n_samples: int, n_classes: int,
                 name: str = "t") -> np.ndarray:
    """Validate int labels (N,) or one-hot/probability rows (N, K).

    Returns int labels (N,): the labels themselves, or the arg-max of each
    row for 2-D targets (what an accuracy compares with).
    """
    if not isinstance(t, np.ndarray):
        raise error(where, name, "a numpy.ndarray of labels",
                    type(t).__name__, kind=TypeError)
    if t.ndim == 2:
        if t.shape != (n_samples, n_classes):
            raise error(where, name, f"one-hot labels of shape "
                        f"({n_samples}, {n_classes})",
                        f"shape {shape_str(t.shape)}")
        return np.argmax(t, axis=1)
    if t.ndim != 1 or t.shape[0] != n_samples:
        raise error(where, name, f"int labels of shape ({n_samples},) or "
                    f"one-hot of shape ({n_samples}, {n_classes})",
                    f"shape {shape_str(t.shape)}")
    return _class_indices(where, name, t, n_classes)


def check_targets(where: str, t, n_samples: int, n_classes: int,
                  name: str = "t"):
    """Targets of a cross-entropy: int labels (N,) or probability rows (N, K).

    Returns ``(labels, None)`` for int labels and for exact one-hot rows,
    ``(None, probs)`` for soft targets. Every row of a 2-D ``t`` must be
    finite, non-negative and sum to 1 (relative tolerance about 1e-6);
    otherwise the first bad row is named.
    """
    if not isinstance(t, np.ndarray):
        raise error(where, name, "a numpy.ndarray of labels",
                    type(t).__name__, kind=TypeError)
    if t.ndim != 2:
        return check_labels(where, t, n_samples, n_classes, name), None
    if t.shape != (n_samples, n_classes):
        raise error(where, name, f"int labels of shape ({n_samples},) or "
                    f"class probabilities of shape ({n_samples}, "
                    f"{n_classes})", f"shape {shape_str(t.shape)}")
    if t.dtype.kind not in "biuf":
        raise error(where, name, "numeric class probabilities",
                    f"dtype {t.dtype}", kind=TypeError)
    if t.dtype.kind != "f":
        t = t.astype(np.float64)
    sums = t.sum(axis=1, dtype=np.float64)
    # summing K rounded numbers may be off by a few K ulps of their dtype
    tol = max(1e-6, 4 * n_classes * float(np.finfo(t.dtype).eps))
    bad = (~np.all(np.isfinite(t), axis=1) | np.any(t < 0, axis=1)
           | ~(np.abs(sums - 1.0) <= tol))
    if bad.any():
        i = int(np.argmax(bad))
        row = np.array2string(t[i], precision=4, threshold=8)
        raise error(where, name, "int labels (N,) or rows of class "
                    "probabilities (non-negative, each summing to 1)",
                    f"row {i} = {row} with sum {sums[i]:.6g}",
                    hint="Normalize the rows, or pass int labels.")
    if np.all((t == 0) | (t == 1)):      # one-hot: the exact label path
        return np.argmax(t, axis=1), None
    return None, t


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
