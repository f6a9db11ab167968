"""Properties of course_lib.trainer that plausible slips break: the history
records what the network reports on the right data, the progress switch
follows its documented rules, bad calls are refused with the library's
message template, and History reads like the dict it stands for."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

from course_lib.optim import SGD
from course_lib.trainer import Callback, History, Trainer, progress_enabled

pytestmark = pytest.mark.ch1


class ScoringNet:
    """Learns nothing; ``evaluate`` reports (mean of x, mean of t + 0.5),
    so each recorded number says which data set it was computed on."""

    def __init__(self):
        self.params = {"W": np.zeros(1)}
        self.evaluated = []

    def train_step(self, x, t):
        return float(x.sum()), {"W": np.zeros(1)}

    def evaluate(self, x, t):
        self.evaluated.append((x.copy(), t.copy()))
        return float(x.mean()), float(t.mean()) + 0.5


def _fit(**kwargs):
    x = np.arange(6.0).reshape(6, 1)          # mean 2.5
    t = np.array([0, 1, 0, 1, 1, 1])          # mean 4/6
    x_val = np.full((3, 1), 10.0)             # mean 10
    t_val = np.array([0, 0, 1])               # mean 1/3
    net = ScoringNet()
    trainer = Trainer(net, SGD(lr=0.25), batch_size=4, rng=0, progress=False)
    history = trainer.fit(x, t, epochs=2, x_val=x_val, t_val=t_val, **kwargs)
    return net, history


def test_history_records_training_and_validation_metrics_of_each_epoch():
    net, h = _fit()
    assert h.epochs == [1, 2]
    assert h.train_loss == [2.5, 2.5]
    assert h.train_acc == pytest.approx([4 / 6 + 0.5] * 2)
    assert h.val_loss == [10.0, 10.0]
    assert h.val_acc == pytest.approx([1 / 3 + 0.5] * 2)
    assert h.lr == [0.25, 0.25]
    # each epoch evaluates the whole training set, then the validation set
    x_seen = [x.ravel().tolist() for x, _ in net.evaluated]
    assert x_seen == [list(range(6)), [10.0] * 3] * 2
    assert [t.tolist() for _, t in net.evaluated][1] == [0, 0, 1]


def test_history_reads_like_a_dict():
    _, h = _fit()
    assert h["val_loss"] is h.val_loss
    d = h.as_dict()
    assert set(d) == {"epochs", "train_loss", "train_acc", "val_loss",
                      "val_acc", "lr", "batch_loss", "n_updates",
                      "stopped_epoch", "notes"}
    assert d["train_loss"] == h.train_loss and d["n_updates"] == 4


def test_default_callback_never_stops_training():
    assert Callback().on_epoch_end(None, 0, History()) is False
    net = ScoringNet()
    h = Trainer(net, SGD(), batch_size=2, callbacks=[Callback()],
                progress=False).fit(np.ones((4, 1)), np.zeros(4), epochs=3)
    assert h.epochs == [1, 2, 3] and h.stopped_epoch is None


def test_progress_argument_wins(monkeypatch):
    monkeypatch.setenv("COURSE_LIB_PROGRESS", "0")
    assert progress_enabled(True) is True
    assert progress_enabled(1) is True
    monkeypatch.setenv("COURSE_LIB_PROGRESS", "1")
    assert progress_enabled(False) is False


class _Stream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


@pytest.mark.parametrize("tty", [True, False])
def test_automatic_progress_follows_the_terminal(monkeypatch, tty):
    monkeypatch.delenv("COURSE_LIB_PROGRESS", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.setattr(sys, "stderr", _Stream(tty))
    assert progress_enabled() is tty
    assert progress_enabled(None) is tty


def test_automatic_progress_off_without_isatty(monkeypatch):
    monkeypatch.delenv("COURSE_LIB_PROGRESS", raising=False)
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.setattr(sys, "stderr", object())
    assert progress_enabled() is False


def test_automatic_progress_is_on_in_jupyter_unless_switched_off(monkeypatch):
    monkeypatch.setattr(sys, "stderr", _Stream(False))
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    monkeypatch.delenv("COURSE_LIB_PROGRESS", raising=False)
    assert progress_enabled() is True
    monkeypatch.setenv("COURSE_LIB_PROGRESS", "1")
    assert progress_enabled() is True
    monkeypatch.setenv("COURSE_LIB_PROGRESS", "0")
    assert progress_enabled() is False


def _trainer():
    return Trainer(ScoringNet(), SGD(), batch_size=2, progress=False)


def test_fit_refuses_a_list_for_either_array():
    with pytest.raises(TypeError, match=r"^Trainer\.fit: 'x, t' must be "):
        _trainer().fit(np.ones((2, 1)), [0, 1], epochs=1)
    with pytest.raises(TypeError, match=r"^Trainer\.fit: 'x, t' must be "):
        _trainer().fit([[1.0], [2.0]], np.zeros(2), epochs=1)


def test_fit_names_the_nonfinite_argument():
    with pytest.raises(ValueError, match=r"^Trainer\.fit: 'x' must be finite"):
        _trainer().fit(np.array([[1.0], [np.nan]]), np.zeros(2), epochs=1)


def test_fit_needs_epochs_or_max_updates():
    with pytest.raises(ValueError, match=r"^Trainer\.fit: 'epochs' must be "):
        _trainer().fit(np.ones((2, 1)), np.zeros(2))
    with pytest.raises(ValueError, match=r"^Trainer\.fit: 'epochs' must be "):
        _trainer().fit(np.ones((2, 1)), np.zeros(2), epochs=0)
    with pytest.raises(TypeError, match=r"^Trainer\.fit: 'epochs' must be "):
        _trainer().fit(np.ones((2, 1)), np.zeros(2), epochs=1.5)
    # max_updates alone is enough: 3 updates of batch 2 over 2 samples
    h = _trainer().fit(np.ones((2, 1)), np.zeros(2), max_updates=3)
    assert h.n_updates == 3 and h.epochs == [1, 2, 3]


class _Halving:
    """lr_at(i) = 1 / 2**i, recording every index it was asked for."""

    def __init__(self):
        self.asked = []

    def lr_at(self, i):
        self.asked.append(i)
        return 1.0 / 2 ** i


class _LrSeen(Callback):
    def __init__(self):
        self.lrs, self.trainers = [], []

    def after_update(self, trainer):
        self.trainers.append(trainer)
        self.lrs.append(trainer.optimizer.lr)


def _fit_scheduled(unit, epochs=3):
    seen = _LrSeen()
    schedule = _Halving()
    trainer = Trainer(ScoringNet(), SGD(lr=9.0), batch_size=2,
                      schedule=schedule, schedule_unit=unit, callbacks=[seen],
                      progress=False)
    h = trainer.fit(np.ones((4, 1)), np.zeros(4), epochs=epochs)
    return trainer, schedule, seen, h


def test_an_epoch_schedule_sets_the_rate_of_each_epoch():
    trainer, schedule, seen, h = _fit_scheduled("epoch")
    # 2 updates per epoch; epoch i uses lr_at(i)
    assert seen.lrs == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert h.lr == [1.0, 0.5, 0.25]
    assert schedule.asked == [0, 1, 2]
    assert all(t is trainer for t in seen.trainers)


def test_a_step_schedule_sets_the_rate_of_each_update():
    _, schedule, seen, h = _fit_scheduled("step")
    assert seen.lrs == [1.0 / 2 ** i for i in range(6)]
    # the history keeps the rate of each epoch's first update
    assert h.lr == [1.0, 0.25, 1.0 / 16]


class _Plateau(_Halving):
    def __init__(self):
        super().__init__()
        self.metrics = []

    def update(self, metric):
        self.metrics.append(metric)


def test_a_stateful_schedule_hears_the_validation_loss_else_the_train_loss():
    net = ScoringNet()
    plateau = _Plateau()
    x = np.arange(4.0).reshape(4, 1)                 # batch losses: sums
    Trainer(net, SGD(), batch_size=2, schedule=plateau, rng=0,
            progress=False).fit(x, np.zeros(4), epochs=2)
    # mean batch loss of the epoch: the two batch sums add up to 6
    assert plateau.metrics == [3.0, 3.0]
    plateau = _Plateau()
    Trainer(net, SGD(), batch_size=2, schedule=plateau, rng=0,
            progress=False).fit(x, np.zeros(4), epochs=2,
                                x_val=np.full((2, 1), 7.0),
                                t_val=np.zeros(2))
    assert plateau.metrics == [7.0, 7.0]


def test_eval_every_records_every_kth_epoch_and_the_last():
    h = Trainer(ScoringNet(), SGD(), batch_size=2, eval_every=2,
                progress=False).fit(np.ones((4, 1)), np.zeros(4), epochs=5)
    assert h.epochs == [2, 4, 5]
    assert h.n_updates == 10 and len(h.batch_loss) == 10


def test_max_updates_stops_mid_epoch():
    h = Trainer(ScoringNet(), SGD(), batch_size=2, progress=False).fit(
        np.ones((6, 1)), np.zeros(6), epochs=4, max_updates=4)
    # 3 updates per epoch: the 4th is the first of epoch 2, which ends there
    assert h.n_updates == 4 and h.epochs == [1, 2]


def test_batch_size_defaults_to_100():
    seen = _LrSeen()
    Trainer(ScoringNet(), SGD(), callbacks=[seen], progress=False).fit(
        np.ones((250, 1)), np.zeros(250), epochs=1)
    assert len(seen.lrs) == 3                       # 100 + 100 + 50


@pytest.mark.parametrize("kwargs,kind,start", [
    ({"batch_size": 0}, ValueError, "Trainer: 'batch_size'"),
    ({"batch_size": 2.0}, TypeError, "Trainer: 'batch_size'"),
    ({"eval_every": 0}, ValueError, "Trainer: 'eval_every'"),
    ({"schedule_unit": "batch"}, ValueError, "Trainer: 'schedule_unit'"),
    ({"on_nonfinite": "ignore"}, ValueError, "Trainer: 'on_nonfinite'"),
])
def test_constructor_errors_name_the_argument(kwargs, kind, start):
    with pytest.raises(kind) as info:
        Trainer(ScoringNet(), SGD(), **kwargs)
    assert str(info.value).startswith(start + " must be ")


def test_progress_bar_counts_every_update(monkeypatch, capsys):
    import tqdm.auto

    made = []

    class Bar:
        def __init__(self, **kwargs):
            self.kwargs, self.n, self.closed = kwargs, 0, False
            made.append(self)

        def update(self, k):
            self.n += k

        def set_postfix(self, **kwargs):
            self.postfix = kwargs

        def close(self):
            self.closed = True

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    Trainer(ScoringNet(), SGD(), batch_size=2, progress=True).fit(
        np.ones((6, 1)), np.zeros(6), epochs=2)
    (bar,) = made
    assert bar.kwargs == {"total": 6, "unit": "step", "leave": False}
    assert bar.n == 6 and bar.closed
    assert bar.postfix == {"loss": "1.0000"}


class _Stopper(Callback):
    """Stops after epoch index ``last``; records what each hook received."""

    def __init__(self, last):
        self.last, self.calls = last, []

    def on_epoch_end(self, trainer, epoch, history):
        self.calls.append(("epoch", trainer, epoch, history))
        return epoch == self.last

    def on_train_end(self, trainer, history):
        self.calls.append(("end", trainer, history))


def test_callbacks_get_the_trainer_the_epoch_and_the_history_and_can_stop():
    stopper = _Stopper(last=1)
    trainer = Trainer(ScoringNet(), SGD(), batch_size=2, callbacks=[stopper],
                      progress=False)
    h = trainer.fit(np.ones((4, 1)), np.zeros(4), epochs=5)
    assert h.stopped_epoch == 2 and h.epochs == [1, 2]
    assert trainer.stop_training is True
    assert [c[:3] for c in stopper.calls] == [
        ("epoch", trainer, 0), ("epoch", trainer, 1), ("end", trainer, h)]
    assert all(c[3] is h for c in stopper.calls[:2])


class _Diverging(ScoringNet):
    def train_step(self, x, t):
        self.steps = getattr(self, "steps", 0) + 1
        loss = np.inf if self.steps == 3 else 1.0
        return loss, {"W": np.zeros(1)}


def test_stop_on_nonfinite_records_the_epoch_it_stopped_in():
    h = Trainer(_Diverging(), SGD(), batch_size=2, on_nonfinite="stop",
                progress=False).fit(np.ones((4, 1)), np.zeros(4), epochs=5)
    # 2 updates per epoch: the 3rd update is the first of epoch 2
    assert h.stopped_epoch == 2 and h.epochs == [1, 2]
    assert h.n_updates == 2 and h.notes["nonfinite"]["step"] == 3


def test_a_new_trainer_is_not_stopping_and_fit_leaves_the_flag_false():
    trainer = _trainer()
    assert trainer.stop_training is False
    trainer.fit(np.ones((4, 1)), np.zeros(4), epochs=2)
    assert trainer.stop_training is False


def test_the_default_batch_is_exactly_100_samples():
    seen = _LrSeen()
    Trainer(ScoringNet(), SGD(), callbacks=[seen], progress=False).fit(
        np.ones((101, 1)), np.zeros(101), epochs=1)
    assert len(seen.lrs) == 2                       # 100 + 1


def test_augment_gets_each_training_batch_and_its_output_is_trained_on():
    calls = []

    def shift(xb, rng):
        calls.append((xb.shape, rng))
        return xb + 100.0

    net = ScoringNet()
    h = Trainer(net, SGD(), batch_size=2, augment=shift, rng=0,
                progress=False).fit(np.ones((4, 1)), np.zeros(4), epochs=1)
    assert [shape for shape, _ in calls] == [(2, 1), (2, 1)]
    assert all(isinstance(r, np.random.Generator) for _, r in calls)
    assert calls[0][1] is calls[1][1]              # one stream for the run
    assert h.batch_loss == [202.0, 202.0]          # sums of 101 + 101
    assert h.train_loss == [1.0]                   # evaluation is unaugmented


def test_max_updates_is_checked_and_one_update_is_allowed():
    with pytest.raises(ValueError,
                       match=r"^Trainer\.fit: 'max_updates' must be "):
        _trainer().fit(np.ones((2, 1)), np.zeros(2), max_updates=0)
    with pytest.raises(TypeError,
                       match=r"^Trainer\.fit: 'max_updates' must be "):
        _trainer().fit(np.ones((2, 1)), np.zeros(2), max_updates=1.0)
    h = _trainer().fit(np.ones((4, 1)), np.zeros(4), epochs=3, max_updates=1)
    assert h.n_updates == 1 and h.epochs == [1]


class _Bar:
    made: list = []

    def __init__(self, **kwargs):
        self.kwargs, self.n = kwargs, 0
        _Bar.made.append(self)

    def update(self, k):
        self.n += k

    def set_postfix(self, **kwargs):
        pass

    def close(self):
        pass


@pytest.mark.parametrize("epochs,max_updates,total", [
    (5, 4, 4),          # the updates end first
    (2, 100, 6),        # the epochs end first: 2 epochs of 3 updates
])
def test_progress_bar_total_is_whichever_limit_ends_first(
        monkeypatch, epochs, max_updates, total):
    import tqdm.auto

    _Bar.made = []
    monkeypatch.setattr(tqdm.auto, "tqdm", _Bar)
    h = Trainer(ScoringNet(), SGD(), batch_size=2, progress=True).fit(
        np.ones((6, 1)), np.zeros(6), epochs=epochs, max_updates=max_updates)
    (bar,) = _Bar.made
    assert bar.kwargs["total"] == total and bar.n == total == h.n_updates


class _Begins(Callback):
    def __init__(self):
        self.begun = []

    def on_train_begin(self, trainer):
        self.begun.append(trainer)


def test_on_train_begin_gets_the_trainer_once_per_fit():
    begins = _Begins()
    trainer = Trainer(ScoringNet(), SGD(), batch_size=2, callbacks=[begins],
                      progress=False)
    trainer.fit(np.ones((4, 1)), np.zeros(4), epochs=2)
    trainer.fit(np.ones((4, 1)), np.zeros(4), epochs=1)
    assert len(begins.begun) == 2
    assert all(t is trainer for t in begins.begun)


def test_eval_every_three_records_epochs_three_six_and_the_last():
    h = Trainer(ScoringNet(), SGD(), batch_size=2, eval_every=3,
                progress=False).fit(np.ones((4, 1)), np.zeros(4), epochs=7)
    assert h.epochs == [3, 6, 7]
