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
