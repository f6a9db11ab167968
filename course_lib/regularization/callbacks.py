r"""Callbacks that watch training: early stopping and weight snapshots.

:class:`EarlyStopping` watches a validation metric, ends training when it
stops improving and puts the best epoch's state back into the network
(through ``network.state_dict()`` and ``network.load_state_dict()``, so
buffers such as BatchNorm's running estimates come back with the weights).
:class:`WeightSnapshots` keeps copies of weights after chosen epochs, to
compare their histograms. See Chapter 5.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_choice, check_finite_number, check_int, error
from ..trainer import Callback
from ._keys import check_keys, select_keys

__all__ = ["EarlyStopping", "WeightSnapshots"]


_ALIASES = {"loss": "train_loss", "acc": "train_acc", "accuracy": "train_acc",
            "val_accuracy": "val_acc"}
_METRICS = ("train_loss", "train_acc", "val_loss", "val_acc")


class EarlyStopping(Callback):
    r"""Stop training when a monitored metric has stopped improving.

    After every evaluated epoch the callback compares the metric with the
    best value so far. An epoch *improves* when

    .. math::

        \begin{aligned}
        m_\text{now} &< m_\text{best} - \delta && (\text{mode "min"}), \\
        m_\text{now} &> m_\text{best} + \delta && (\text{mode "max"}),
        \end{aligned}

    with :math:`\delta` = ``min_delta``. Every other epoch increases a
    counter; training stops at the end of the epoch where the counter
    reaches ``patience``. So with the best epoch :math:`e^*` and no later
    improvement, training stops after epoch :math:`e^* + \text{patience}`.

    Parameters
    ----------
    monitor : str, default "val_loss"
        ``"val_loss"``, ``"val_acc"``, ``"train_loss"`` or ``"train_acc"``
        (``"loss"``, ``"acc"``, ``"accuracy"``, ``"val_accuracy"`` are
        accepted aliases).
    mode : {"auto", "min", "max"}, default "auto"
        ``"auto"`` maximizes accuracies and minimizes losses.
    patience : int >= 1, default 5
        Evaluated epochs without improvement before stopping.
    min_delta : float >= 0, default 0.0
        Smallest change that counts as an improvement.
    restore_best_weights : bool, default True
        When training ends (stopped early or not), put the state of the
        best epoch back into the network, in place: the parameters and the
        buffers (BatchNorm's running estimates), saved with
        ``network.state_dict()`` and written back with
        ``network.load_state_dict(state)``.

    Attributes
    ----------
    best_ : float
        Best value of the metric seen.
    best_epoch_ : int
        1-based epoch where it was reached.
    stopped_epoch_ : int or None
        1-based epoch after which training was stopped (None if it ran to
        the end).
    wait_ : int
        Evaluated epochs since the last improvement.

    Raises
    ------
    ValueError
        For an unknown ``monitor`` or ``mode``, ``patience < 1``, a negative
        ``min_delta``; when training, if the monitored metric was never
        recorded (e.g. ``"val_loss"`` without ``x_val, t_val``).
    TypeError
        When training begins with ``restore_best_weights=True`` and the
        network has no ``state_dict()`` / ``load_state_dict()``.

    Notes
    -----
    The result is written into the :class:`~course_lib.trainer.History`:
    ``history.stopped_epoch`` (set by the trainer) and
    ``history.notes["early_stopping"]``, a dict with ``monitor``,
    ``best_epoch``, ``best``, ``stopped_epoch`` and ``restored``.
    With ``eval_every > 1`` only evaluated epochs count toward patience.

    Keras: ``callbacks.EarlyStopping(monitor, min_delta, patience, mode,
    restore_best_weights)`` — same counting; Keras restores the best weights
    only when it actually stopped early and defaults to
    ``restore_best_weights=False``. PyTorch has no built-in; write the loop
    by hand or use PyTorch Lightning's ``EarlyStopping``. See Chapter 5.
    """

    def __init__(self, monitor="val_loss", mode="auto", patience=5,
                 min_delta=0.0, restore_best_weights=True):
        if not isinstance(monitor, str):
            raise error("EarlyStopping", "monitor", "a metric name",
                        repr(monitor), kind=TypeError)
        check_choice("EarlyStopping", "monitor", _ALIASES.get(monitor,
                                                              monitor),
                     _METRICS)
        self.monitor = monitor
        self.mode = check_choice("EarlyStopping", "mode", mode,
                                 ("auto", "min", "max"))
        self.patience = check_int("EarlyStopping", "patience", patience, 1)
        self.min_delta = check_finite_number("EarlyStopping", "min_delta",
                                             min_delta, low=0.0)
        if not isinstance(restore_best_weights, (bool, np.bool_)):
            raise error("EarlyStopping", "restore_best_weights",
                        "True or False", repr(restore_best_weights),
                        kind=TypeError)
        self.restore_best_weights = bool(restore_best_weights)
        self._reset()

    @property
    def metric(self) -> str:
        """The History attribute watched (aliases resolved)."""
        return _ALIASES.get(self.monitor, self.monitor)

    @property
    def direction(self) -> str:
        """``"min"`` or ``"max"`` (``"auto"`` resolved)."""
        if self.mode != "auto":
            return self.mode
        return "max" if self.metric.endswith("acc") else "min"

    def _reset(self):
        self.best_ = np.inf if self.direction == "min" else -np.inf
        self.best_epoch_ = None
        self.stopped_epoch_ = None
        self.wait_ = 0
        self._best_state = None
        self._n_seen = 0

    def improved(self, value: float) -> bool:
        """Whether ``value`` beats the best so far by more than ``min_delta``."""
        if self.direction == "min":
            return value < self.best_ - self.min_delta
        return value > self.best_ + self.min_delta

    def on_train_begin(self, trainer) -> None:
        self._reset()
        if self.restore_best_weights:
            _check_has_state(trainer.network)

    def on_epoch_end(self, trainer, epoch: int, history) -> bool:
        if not history.epochs or history.epochs[-1] != epoch + 1:
            return False  # not an evaluated epoch (eval_every > 1)
        values = getattr(history, self.metric)
        if len(values) < len(history.epochs):
            raise error("EarlyStopping", "monitor", "a metric recorded "
                        "in the history", repr(self.monitor),
                        hint="Pass x_val and t_val to fit() to monitor "
                        "validation metrics.")
        value = float(values[-1])
        verdict = self.update(value, epoch + 1)
        if verdict == "improved" and self.restore_best_weights:
            self._best_state = trainer.network.state_dict()
        return verdict == "stop"

    def update(self, value: float, epoch: int) -> str:
        """Count one evaluated epoch (1-based); the heart of the rule.

        Returns ``"improved"`` (new best, counter reset), ``"wait"`` (no
        improvement yet, counter below ``patience``) or ``"stop"`` (the
        counter reached ``patience``).
        """
        if self.improved(value):  # the first finite value always does
            self.best_ = value
            self.best_epoch_ = epoch
            self.wait_ = 0
            return "improved"
        self.wait_ += 1
        if self.wait_ >= self.patience:
            self.stopped_epoch_ = epoch
            return "stop"
        return "wait"

    def simulate(self, values) -> tuple[int | None, int | None]:
        """Where this rule would stop on a recorded curve, without training.

        ``values`` are the monitored metric after epochs 1, 2, ….
        Returns ``(stopped_epoch, best_epoch)``, 1-based; ``stopped_epoch``
        is None when the curve ends first. The callback itself is left
        untouched.
        """
        probe = EarlyStopping(self.monitor, self.mode, self.patience,
                              self.min_delta, restore_best_weights=False)
        for epoch, value in enumerate(values, 1):
            if probe.update(float(value), epoch) == "stop":
                break
        return probe.stopped_epoch_, probe.best_epoch_

    def on_train_end(self, trainer, history) -> None:
        restored = False
        if self.restore_best_weights and self._best_state is not None:
            trainer.network.load_state_dict(self._best_state)
            restored = True
        history.notes["early_stopping"] = {
            "monitor": self.metric,
            "best_epoch": self.best_epoch_,
            "best": self.best_,
            "stopped_epoch": self.stopped_epoch_,
            "restored": restored,
        }

    def __repr__(self):
        return (f"EarlyStopping(monitor={self.monitor!r}, mode={self.mode!r},"
                f" patience={self.patience}, min_delta={self.min_delta:g}, "
                f"restore_best_weights={self.restore_best_weights})")


def _check_has_state(network) -> None:
    """Fail before the first step if the best state could not be saved."""
    for method in ("state_dict", "load_state_dict"):
        if not callable(getattr(network, method, None)):
            raise error("EarlyStopping", "network", "a network with "
                        "state_dict() and load_state_dict() (such as "
                        "Sequential)", f"{type(network).__name__} without "
                        f"{method}()", kind=TypeError,
                        hint="Pass restore_best_weights=False to stop "
                        "without restoring.")


class WeightSnapshots(Callback):
    r"""Keep copies of some parameters at the end of chosen epochs.

    A diagnostic for regularization: compare weight histograms after a few
    and after many epochs, with and without a penalty.

    Parameters
    ----------
    epochs : sequence of int
        1-based epoch numbers to copy the weights after.
    keys : sequence of str, optional
        Parameter names; default every weight (name ending in ``"W"``).

    Attributes
    ----------
    snapshots : dict
        ``{epoch: {name: array copy}}``, filled during training.

    Raises
    ------
    ValueError
        If an epoch is not a positive int, or (when training begins) if a
        name in ``keys`` is not a parameter.

    Notes
    -----
    Keras: ``model.get_weights()`` inside a ``Callback.on_epoch_end``;
    PyTorch: ``copy.deepcopy(model.state_dict())`` in the training loop.
    See Chapter 5.
    """

    def __init__(self, epochs, keys=None):
        self.epochs = tuple(check_int("WeightSnapshots", "epochs", e, 1)
                            for e in epochs)
        self.keys = check_keys("WeightSnapshots", keys)
        self.snapshots: dict[int, dict[str, np.ndarray]] = {}

    def on_train_begin(self, trainer) -> None:
        select_keys("WeightSnapshots", trainer.network.params, self.keys)
        self.snapshots = {}

    def on_epoch_end(self, trainer, epoch: int, history) -> bool:
        if epoch + 1 in self.epochs:
            params = trainer.network.params
            self.snapshots[epoch + 1] = {
                k: params[k].copy()
                for k in select_keys("WeightSnapshots", params, self.keys)}
        return False

    def __repr__(self):
        return f"WeightSnapshots(epochs={list(self.epochs)})"
