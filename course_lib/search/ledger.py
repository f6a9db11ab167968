"""Trials and the ledger: finished trials as lines of a JSON file.

A :class:`Trial` is one evaluated configuration with its final metrics and
per-epoch curves. A :class:`Ledger` appends each finished trial to a
JSON-lines file, so an interrupted search resumes where it stopped. NaN and
infinite metrics are stored as ``null`` and read back as NaN. See Chapter 7.
"""

from __future__ import annotations

import json
import math
import numbers
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._validation import error

__all__ = ["Ledger", "Trial"]


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
        if v is None:
            return float("nan")
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
