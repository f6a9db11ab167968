"""The trainer: shuffling as a property, refusing bad data, stopping on NaN."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.network import mlp
from course_lib.optim import SGD
from course_lib.trainer import Callback, Trainer

pytestmark = pytest.mark.ch1


# ------------------------------------------------------------ recording
class RecordingNet:
    """A network that learns nothing and remembers which samples it saw.

    Sample ``i`` of the data is ``x[i] = [i, -i]`` with label ``t[i] = i``,
    so every mini-batch tells which samples it holds, in which order.
    """

    def __init__(self):
        self.W = np.zeros(1)
        self.params = {"0.W": self.W}
        self.batches = []

    def train_step(self, x, t):
        ids = x[:, 0].astype(int)
        np.testing.assert_array_equal(x[:, 1], -ids)   # rows stay whole
        np.testing.assert_array_equal(t, ids)          # labels travel along
        self.batches.append(ids)
        return 0.0, {"0.W": np.zeros(1)}

    def evaluate(self, x, t):
        return 0.0, 1.0


class EpochOrders(Callback):
    """Groups the batches the network saw by epoch: one order per epoch."""

    def __init__(self, net):
        self.net = net
        self.orders = []
        self.batch_sizes = []

    def on_train_begin(self, trainer):
        self.net.batches = []
        self.orders, self.batch_sizes = [], []

    def on_epoch_end(self, trainer, epoch, history):
        batches, self.net.batches = self.net.batches, []
        self.orders.append(np.concatenate(batches))
        self.batch_sizes.append([len(b) for b in batches])
        return False


def _data(n):
    ids = np.arange(n)
    return np.stack([ids, -ids], axis=1).astype(float), ids


def epoch_orders(n=23, batch_size=5, epochs=6, rng=0, **kwargs):
    """The sample order of every epoch, and the batch sizes."""
    net = RecordingNet()
    rec = EpochOrders(net)
    x, t = _data(n)
    Trainer(net, SGD(0.1), batch_size=batch_size, callbacks=[rec], rng=rng,
            progress=False, **kwargs).fit(x, t, epochs=epochs)
    return rec.orders, rec.batch_sizes


# ------------------------------------------------------------ shuffling
@pytest.mark.parametrize("n,batch_size", [(23, 5), (20, 4), (7, 1), (9, 50)])
def test_every_epoch_visits_every_sample_exactly_once(n, batch_size):
    orders, sizes = epoch_orders(n, batch_size)
    assert len(orders) == 6
    for e, order in enumerate(orders):
        assert sorted(order.tolist()) == list(range(n)), f"epoch {e + 1}"
    b = min(batch_size, n)
    expected = [b] * (n // b) + ([n % b] if n % b else [])
    assert all(s == expected for s in sizes)


def test_consecutive_epochs_use_different_orders():
    orders, _ = epoch_orders(n=23)
    for e in range(1, len(orders)):
        assert not np.array_equal(orders[e - 1], orders[e]), (
            f"epochs {e} and {e + 1} visit the samples in the same order")
    # and the order is shuffled, not the stored one
    assert all(not np.array_equal(o, np.arange(23)) for o in orders)


def test_orders_are_not_one_permutation_rotated_or_reversed():
    orders, _ = epoch_orders(n=30, epochs=4)
    first = orders[0].tolist()
    for order in orders[1:]:
        o = order.tolist()
        rotations = [first[k:] + first[:k] for k in range(len(first))]
        assert o not in rotations and o[::-1] != first


def test_same_seed_same_orders_different_seed_different_orders():
    a, _ = epoch_orders(rng=7)
    b, _ = epoch_orders(rng=7)
    c, _ = epoch_orders(rng=8)
    for e in range(len(a)):
        np.testing.assert_array_equal(a[e], b[e])
    assert all(not np.array_equal(a[e], c[e]) for e in range(len(a)))
    g1, _ = epoch_orders(rng=np.random.default_rng(7))
    assert all(np.array_equal(a[e], g1[e]) for e in range(len(a)))


def test_augmentation_does_not_change_the_batch_order():
    def jitter(xb, rng):
        rng.standard_normal(xb.shape)          # draws, but returns xb as is
        return xb

    plain, _ = epoch_orders(rng=3)
    augmented, _ = epoch_orders(rng=3, augment=jitter)
    for e in range(len(plain)):
        np.testing.assert_array_equal(plain[e], augmented[e])


def test_orders_are_spread_like_random_permutations():
    # over many epochs each sample lands in each position about equally often
    n, epochs = 6, 1800
    orders, _ = epoch_orders(n=n, batch_size=4, epochs=epochs, rng=11)
    counts = np.zeros((n, n))
    for order in orders:
        counts[order, np.arange(n)] += 1
    expected = epochs / n
    # binomial standard deviation; 5 sigma over 36 cells is a loose bound
    sd = np.sqrt(epochs * (1 / n) * (1 - 1 / n))
    assert np.abs(counts - expected).max() < 5 * sd


def test_real_network_is_reproducible_given_rng():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 5))
    t = rng.integers(0, 3, 40)
    params = []
    for seed in (1, 1, 2):
        net = mlp([5, 7, 3], rng=0)
        Trainer(net, SGD(0.3), batch_size=8, rng=seed,
                progress=False).fit(x, t, epochs=3)
        params.append(net.params["0.W"].copy())
    np.testing.assert_array_equal(params[0], params[1])
    assert not np.array_equal(params[0], params[2]), (
        "another shuffling seed must give other batches, so other weights")


# ---------------------------------------------------------- bad input
def _trainer():
    return Trainer(mlp([2, 4, 3], rng=0), SGD(0.1), batch_size=4,
                   progress=False)


def test_nan_or_inf_in_the_data_is_refused_with_its_index():
    x, t = _data(10)
    x[6, 1] = np.nan
    x[8, 0] = np.inf
    with pytest.raises(ValueError, match=r"'x' must be finite.*nan at "
                       r"x\[6, 1\].*2 of 10 samples"):
        _trainer().fit(x, t, epochs=1)
    x, t = _data(10)
    x[3, 0] = -np.inf
    with pytest.raises(ValueError, match=r"'x'.*-inf at x\[3, 0\]"):
        _trainer().fit(x, t, epochs=1)
    x, t = _data(10)
    one_hot = np.eye(3)[t % 3]
    one_hot[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"'t'.*nan at t\[2, 1\]"):
        _trainer().fit(x, one_hot, epochs=1)
    x_val, t_val = _data(5)
    x_val[4, 0] = np.nan
    with pytest.raises(ValueError, match=r"'x_val'.*x_val\[4, 0\]"):
        _trainer().fit(x, t % 3, epochs=1, x_val=x_val, t_val=t_val % 3)


def test_bad_data_is_refused_before_any_update():
    net = mlp([2, 4, 3], rng=0)
    before = net.params["0.W"].copy()
    x, t = _data(10)
    x[9, 0] = np.nan
    with pytest.raises(ValueError):
        Trainer(net, SGD(0.1), progress=False).fit(x, t % 3, epochs=1)
    np.testing.assert_array_equal(net.params["0.W"], before)


def test_empty_data_is_a_clear_error():
    with pytest.raises(ValueError, match=r"'x' must be an array with at "
                       r"least one sample.*got shape \(0, 2\)"):
        _trainer().fit(np.zeros((0, 2)), np.zeros(0, dtype=int), epochs=1)
    x, t = _data(6)
    with pytest.raises(ValueError, match=r"'x_val'.*at least one sample.*"
                       r"\(0, 2\)"):
        _trainer().fit(x, t % 3, epochs=1, x_val=np.zeros((0, 2)),
                       t_val=np.zeros(0, dtype=int))


def test_length_mismatch_names_both_arrays():
    with pytest.raises(ValueError, match=r"'t' must be one label per sample "
                       r"of x \(5, 2\); got shape \(4\)"):
        _trainer().fit(np.zeros((5, 2)), np.zeros(4, dtype=int), epochs=1)
    x, t = _data(6)
    with pytest.raises(ValueError, match=r"'t_val'.*x_val \(3, 2\)"):
        _trainer().fit(x, t % 3, epochs=1, x_val=np.zeros((3, 2)),
                       t_val=np.zeros(2, dtype=int))


# ------------------------------------------------------ non-finite loss
class NaNAt(RecordingNet):
    """Each update moves W by +1; the loss is NaN from update ``k`` on."""

    def __init__(self, k):
        super().__init__()
        self.k = k
        self.calls = 0

    def train_step(self, x, t):
        self.calls += 1
        loss = np.nan if self.calls >= self.k else 1.0
        return loss, {"0.W": -np.ones(1)}


def test_nonfinite_loss_raises_naming_epoch_step_and_rate():
    # 10 samples in batches of 4: 3 batches per epoch; update 8 is the
    # second batch of epoch 3
    x, t = _data(10)
    net = NaNAt(8)
    trainer = Trainer(net, SGD(0.25), batch_size=4, rng=0, progress=False)
    with pytest.raises(FloatingPointError,
                       match=r"Trainer.fit: 'training loss' must be finite;"
                       r" got nan at epoch 3, step 8 \(batch 2 of 3 in the "
                       r"epoch\), learning rate 0.25"):
        trainer.fit(x, t, epochs=5)
    assert net.W[0] == 7 * 0.25, "the bad step's update is not applied"
    assert trainer.history.epochs == [1, 2]


def test_nonfinite_loss_stop_mode_keeps_the_history():
    x, t = _data(10)
    net = NaNAt(8)
    hist = Trainer(net, SGD(0.25), batch_size=4, rng=0, progress=False,
                   on_nonfinite="stop").fit(x, t, epochs=5)
    assert hist.stopped_epoch == 3
    assert hist.epochs == [1, 2, 3]
    assert hist.n_updates == 7 and len(hist.batch_loss) == 7
    assert hist.notes["nonfinite"] == {"epoch": 3, "step": 8, "batch": 2,
                                       "batches": 3, "lr": 0.25,
                                       "loss": pytest.approx(np.nan,
                                                             nan_ok=True)}
    assert net.W[0] == 7 * 0.25


def test_nonfinite_loss_continue_mode_trains_on():
    x, t = _data(10)
    hist = Trainer(NaNAt(8), SGD(0.25), batch_size=4, rng=0, progress=False,
                   on_nonfinite="continue").fit(x, t, epochs=5)
    assert hist.stopped_epoch is None and hist.n_updates == 15
    assert np.isnan(hist.batch_loss[7:]).all()


def test_a_diverging_network_raises():
    rng = np.random.default_rng(0)
    x = 100 * rng.standard_normal((50, 2))
    t = rng.integers(0, 2, 50)
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError,
                                                  match="learning rate 1e"
                                                  r"\+06"):
        Trainer(mlp([2, 30, 2], rng=0), SGD(1e6), batch_size=10, rng=0,
                progress=False).fit(x, t, epochs=50)


def test_on_nonfinite_must_be_a_known_mode():
    with pytest.raises(ValueError, match="'on_nonfinite'.*'ignore'"):
        Trainer(RecordingNet(), SGD(0.1), on_nonfinite="ignore")
