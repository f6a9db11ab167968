r"""Mini-batch training loop with history, schedules, callbacks and a progress bar.

One epoch visits every sample exactly once, in a new random order:

.. math::

    \begin{aligned}
    \pi_e &= \text{permutation}(N), \\
    B_{e,i} &= \{\pi_e(ib), \dots, \\
    &\qquad \pi_e(\min((i+1)b, N) - 1)\},
    \end{aligned}

and each mini-batch :math:`B_{e,i}` makes one update
:math:`\theta \leftarrow \text{update}(\theta, \nabla_\theta L_{B_{e,i}})`.
See Chapter 1.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field

import numpy as np

from ._validation import as_rng, check_choice, check_int, error, shape_str

__all__ = ["Callback", "History", "Trainer", "progress_enabled"]


def progress_enabled(progress=None) -> bool:
    """Whether to draw a progress bar.

    ``progress=None`` means automatic: on in an interactive terminal or a
    live Jupyter session, off when ``COURSE_LIB_PROGRESS=0`` (the book build
    and the tests set it) or when output is not interactive.
    """
    if progress is not None:
        return bool(progress)
    if os.environ.get("COURSE_LIB_PROGRESS", "") == "0":
        return False
    if "ipykernel" in sys.modules:
        return True
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


@dataclass
class History:
    """What happened during :meth:`Trainer.fit`.

    Per-epoch lists ``train_loss``, ``train_acc``, ``val_loss``,
    ``val_acc`` and ``lr`` (the rate used during the epoch, index 0 = first
    epoch), ``epochs`` (1-based epoch numbers the metrics belong to), and
    per-update ``batch_loss``. ``stopped_epoch`` is set when a callback ended
    training early, or when a non-finite loss ended it with
    ``on_nonfinite="stop"`` (then ``notes["nonfinite"]`` says where).
    """

    epochs: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)
    n_updates: int = 0
    stopped_epoch: int | None = None
    notes: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return getattr(self, key)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class Callback:
    """Hooks into :meth:`Trainer.fit`; override what you need.

    ``on_epoch_end`` returns True to stop training.
    """

    def on_train_begin(self, trainer: "Trainer") -> None:
        pass

    def after_update(self, trainer: "Trainer") -> None:
        pass

    def on_epoch_end(self, trainer: "Trainer", epoch: int,
                     history: History) -> bool:
        return False

    def on_train_end(self, trainer: "Trainer", history: History) -> None:
        pass


class Trainer:
    r"""Runs epochs of shuffled mini-batches through a network and an optimizer.

    Parameters
    ----------
    network : Sequential
        Anything with ``params``, ``train_step(x, t)`` and ``evaluate(x, t)``.
    optimizer : optimizer
        Has ``lr`` and ``update(params, grads)``.
    batch_size : int
        Mini-batch size b; ``b = N`` is batch gradient descent, ``b = 1``
        stochastic gradient descent.
    schedule : object, optional
        ``lr_at(i)`` gives the rate for epoch (or step) ``i`` (0-based);
        stateful schedules also have ``update(metric)``, called after each
        epoch with the validation loss (training loss without validation
        data).
    schedule_unit : {"epoch", "step"}
        Whether ``i`` counts epochs or updates.
    callbacks : sequence of Callback
    augment : callable, optional
        ``augment(x_batch, rng) -> x_batch`` applied to each training batch.
    eval_every : int
        Record metrics every this many epochs (and after the last one).
    rng : Generator, int or None
        Drives shuffling and augmentation (separate child streams).
    progress : bool or None
        Progress bar; None decides automatically (see
        :func:`progress_enabled`).
    on_nonfinite : {"raise", "stop", "continue"}, default "raise"
        What to do when a mini-batch loss is NaN or infinite (the run has
        diverged). ``"raise"``: raise ``FloatingPointError`` naming the
        epoch, the step and the learning rate; ``"stop"``: end training
        there, record that epoch's metrics and
        ``history.notes["nonfinite"]``; in both cases the update of that
        step is not applied. ``"continue"``: keep training (the loss stays
        NaN), for experiments that show what divergence looks like.

    Raises
    ------
    ValueError
        From :meth:`fit`, for data that cannot be trained on: NaN or inf in
        ``x`` or ``t`` (the message names the first bad index), no samples,
        or ``x`` and ``t`` of different lengths.
    FloatingPointError
        From :meth:`fit`, when the loss becomes non-finite and
        ``on_nonfinite="raise"``; ``trainer.history`` keeps what was
        recorded up to then.

    Notes
    -----
    Shuffling draws a fresh permutation every epoch, without replacement,
    from a child stream of ``rng`` (augmentation draws from another), so
    the same ``rng`` gives the same batches and adding augmentation does
    not change their order. PyTorch: ``DataLoader(ds, batch_size=b,
    shuffle=True, generator=g)``; Keras: ``model.fit(x, t, batch_size=b,
    shuffle=True)``, which also keeps training through NaN unless a
    ``TerminateOnNaN`` callback is given.
    """

    def __init__(self, network, optimizer, batch_size=100, schedule=None,
                 schedule_unit="epoch", callbacks=(), augment=None,
                 eval_every=1, rng=None, progress=None,
                 on_nonfinite="raise"):
        self.network = network
        self.optimizer = optimizer
        self.batch_size = check_int("Trainer", "batch_size", batch_size, 1)
        self.schedule = schedule
        self.schedule_unit = check_choice("Trainer", "schedule_unit",
                                          schedule_unit, ("epoch", "step"))
        self.callbacks = list(callbacks)
        self.augment = augment
        self.eval_every = check_int("Trainer", "eval_every", eval_every, 1)
        self.rng = rng
        self.progress = progress
        self.on_nonfinite = check_choice("Trainer", "on_nonfinite",
                                         on_nonfinite,
                                         ("raise", "stop", "continue"))
        self.stop_training = False

    @staticmethod
    def _check_data(x, t, name_x, name_t):
        """Arrays, at least one sample, one label per sample, all finite."""
        if not isinstance(x, np.ndarray) or not isinstance(t, np.ndarray):
            raise error("Trainer.fit", f"{name_x}, {name_t}", "numpy arrays",
                        f"{type(x).__name__}, {type(t).__name__}",
                        kind=TypeError)
        for name, a in ((name_x, x), (name_t, t)):
            if a.ndim == 0:
                raise error("Trainer.fit", name, "an array with one row per "
                            "sample", "a 0-d array")
        if x.shape[0] == 0:
            raise error("Trainer.fit", name_x, "an array with at least one "
                        "sample (N >= 1)", f"shape {shape_str(x.shape)}",
                        hint="Is a filter or a split leaving no data?")
        if x.shape[0] != t.shape[0]:
            raise error("Trainer.fit", name_t, f"one label per sample of "
                        f"{name_x} {shape_str(x.shape)}",
                        f"shape {shape_str(t.shape)}")
        for name, a in ((name_x, x), (name_t, t)):
            _check_finite("Trainer.fit", name, a)

    def fit(self, x, t, epochs=None, x_val=None, t_val=None,
            max_updates=None) -> History:
        """Train for ``epochs`` epochs or ``max_updates`` updates.

        Whichever ends first; the data are checked once, before the first
        step (see Raises in the class docstring).
        """
        self._check_data(x, t, "x", "t")
        if (x_val is None) != (t_val is None):
            raise error("Trainer.fit", "x_val, t_val", "both given or both "
                        "None", "only one of them")
        if x_val is not None:
            self._check_data(x_val, t_val, "x_val", "t_val")
        if epochs is None and max_updates is None:
            raise error("Trainer.fit", "epochs", "a positive int (or give "
                        "max_updates)", None)
        if epochs is not None:
            epochs = check_int("Trainer.fit", "epochs", epochs, 1)
        if max_updates is not None:
            max_updates = check_int("Trainer.fit", "max_updates",
                                    max_updates, 1)
        n = x.shape[0]
        b = min(self.batch_size, n)
        per_epoch = -(-n // b)
        if epochs is None:
            epochs = -(-max_updates // per_epoch)
        total = epochs * per_epoch if max_updates is None else min(
            max_updates, epochs * per_epoch)

        shuffle_rng, augment_rng = as_rng(self.rng).spawn(2)
        history = History()
        self.history = history
        self.stop_training = False
        params = self.network.params
        for cb in self.callbacks:
            cb.on_train_begin(self)

        bar = None
        if progress_enabled(self.progress):
            from tqdm.auto import tqdm
            bar = tqdm(total=total, unit="step", leave=False)
        step = 0
        diverged = False
        try:
            for epoch in range(epochs):
                if self.schedule is not None and self.schedule_unit == "epoch":
                    self.optimizer.lr = self.schedule.lr_at(epoch)
                elif self.schedule is not None:
                    # per step: record the rate of the epoch's first update
                    self.optimizer.lr = self.schedule.lr_at(step)
                epoch_lr = self.optimizer.lr
                order = shuffle_rng.permutation(n)
                for start in range(0, n, b):
                    if max_updates is not None and step >= max_updates:
                        break
                    idx = order[start:start + b]
                    xb, tb = x[idx], t[idx]
                    if self.augment is not None:
                        xb = self.augment(xb, augment_rng)
                    if (self.schedule is not None
                            and self.schedule_unit == "step"):
                        self.optimizer.lr = self.schedule.lr_at(step)
                    loss, grads = self.network.train_step(xb, tb)
                    if (self.on_nonfinite != "continue"
                            and not math.isfinite(loss)):
                        where = {"epoch": epoch + 1, "step": step + 1,
                                 "batch": start // b + 1,
                                 "batches": per_epoch,
                                 "lr": self.optimizer.lr, "loss": float(loss)}
                        if self.on_nonfinite == "raise":
                            raise _diverged(where)
                        history.notes["nonfinite"] = where
                        diverged = True
                        break
                    self.optimizer.update(params, grads)
                    for cb in self.callbacks:
                        cb.after_update(self)
                    history.batch_loss.append(loss)
                    step += 1
                    if bar is not None:
                        bar.update(1)
                history.n_updates = step
                last = (epoch == epochs - 1
                        or (max_updates is not None and step >= max_updates))
                if (epoch + 1) % self.eval_every == 0 or last or diverged:
                    self._record(history, epoch, epoch_lr, x, t, x_val, t_val)
                    if bar is not None:
                        bar.set_postfix(loss=f"{history.train_loss[-1]:.4f}")
                if diverged:
                    history.stopped_epoch = epoch + 1
                    break
                if self.schedule is not None and hasattr(self.schedule,
                                                         "update"):
                    metric = (self.network.evaluate(x_val, t_val)[0]
                              if x_val is not None
                              else float(np.mean(history.batch_loss[-per_epoch:])))
                    self.schedule.update(metric)
                for cb in self.callbacks:
                    if cb.on_epoch_end(self, epoch, history):
                        self.stop_training = True
                if self.stop_training:
                    history.stopped_epoch = epoch + 1
                    break
                if last:
                    break
        finally:
            if bar is not None:
                bar.close()
        for cb in self.callbacks:
            cb.on_train_end(self, history)
        return history

    def _record(self, history, epoch, lr, x, t, x_val, t_val):
        loss, acc = self.network.evaluate(x, t)
        history.epochs.append(epoch + 1)
        history.lr.append(lr)
        history.train_loss.append(loss)
        history.train_acc.append(acc)
        if x_val is not None:
            v_loss, v_acc = self.network.evaluate(x_val, t_val)
            history.val_loss.append(v_loss)
            history.val_acc.append(v_acc)


def _check_finite(where: str, name: str, a: np.ndarray) -> None:
    """Raise ValueError naming the first NaN or inf of ``a``, if any."""
    if a.dtype.kind not in "fc":
        return                      # integers and booleans are always finite
    bad = ~np.isfinite(a)
    if bad.any():
        idx = np.unravel_index(int(np.argmax(bad)), a.shape)
        pos = ", ".join(str(int(i)) for i in idx)
        raise error(where, name, "finite (no NaN or inf)",
                    f"{a[idx]} at {name}[{pos}]",
                    hint=f"{int(bad.any(axis=tuple(range(1, a.ndim))).sum())}"
                    f" of {a.shape[0]} samples hold NaN or inf, the first "
                    f"is sample {int(idx[0])}; clean or drop them before "
                    "training.")


def _diverged(where: dict) -> Exception:
    """The error for a non-finite training loss, naming where it happened."""
    return error("Trainer.fit", "training loss", "finite",
                 f"{where['loss']} at epoch {where['epoch']}, step "
                 f"{where['step']} (batch {where['batch']} of "
                 f"{where['batches']} in the epoch), learning rate "
                 f"{where['lr']:g}",
                 hint="That step's update was not applied. Lower the "
                 "learning rate or scale the inputs; "
                 "Trainer(..., on_nonfinite='stop') ends training there "
                 "instead and keeps the history.",
                 kind=FloatingPointError)
