"""Penalties, constraints, early stopping and weight snapshots (Chapter 5)."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.layers import Affine, ReLU
from course_lib.network import Sequential, mlp
from course_lib.optim import SGD
from course_lib.regularization import (
    L1,
    L1L2,
    L2,
    EarlyStopping,
    LInf,
    MaxNorm,
    MinMaxNorm,
    NonNeg,
    UnitNorm,
    WeightSnapshots,
)
from course_lib.trainer import Trainer

pytestmark = pytest.mark.ch5


def _params(dtype=np.float64):
    rng = np.random.default_rng(0)
    return {"0.W": rng.standard_normal((4, 3)).astype(dtype),
            "0.b": rng.standard_normal(3).astype(dtype),
            "2.W": rng.standard_normal((3, 2)).astype(dtype),
            "2.b": rng.standard_normal(2).astype(dtype)}


# ------------------------------------------------------------- penalties
def test_l2_closed_form_weights_only():
    p = _params()
    lam = 0.3
    want = 0.5 * lam * (np.sum(p["0.W"] ** 2) + np.sum(p["2.W"] ** 2))
    assert L2(lam).loss(p) == pytest.approx(want, rel=1e-14)
    g = L2(lam).grad(p)
    assert sorted(g) == ["0.W", "2.W"], "biases are not decayed by default"
    np.testing.assert_allclose(g["0.W"], lam * p["0.W"], rtol=1e-15)


def test_l2_include_biases_and_explicit_keys():
    p = _params()
    g = L2(0.1, include_biases=True).grad(p)
    assert sorted(g) == sorted(p)
    np.testing.assert_allclose(g["0.b"], 0.1 * p["0.b"], rtol=1e-15)
    only = L2(0.1, keys=["2.W"])
    assert list(only.grad(p)) == ["2.W"]
    assert only.loss(p) == pytest.approx(0.05 * np.sum(p["2.W"] ** 2))


def test_l1_linf_elastic_closed_form():
    p = {"0.W": np.array([[1.0, -2.0], [0.0, 3.0]]), "0.b": np.ones(2)}
    assert L1(0.5).loss(p) == pytest.approx(0.5 * 6.0)
    np.testing.assert_array_equal(L1(0.5).grad(p)["0.W"],
                                  0.5 * np.array([[1, -1], [0, 1]]))
    assert LInf(2.0).loss(p) == pytest.approx(6.0)
    np.testing.assert_array_equal(LInf(2.0).grad(p)["0.W"],
                                  [[0, 0], [0, 2.0]])
    el = L1L2(l1=0.1, l2=0.2)
    assert el.loss(p) == pytest.approx(0.1 * 6 + 0.5 * 0.2 * 14)
    np.testing.assert_allclose(el.grad(p)["0.W"],
                               0.1 * np.sign(p["0.W"]) + 0.2 * p["0.W"])


@pytest.mark.parametrize("cls", [L2, L1, LInf])
def test_penalty_keeps_float32(cls):
    g = cls(0.1).grad(_params(np.float32))
    assert all(v.dtype == np.float32 for v in g.values())


@pytest.mark.parametrize("lam", [-0.1, float("nan"), float("inf")])
@pytest.mark.parametrize("cls", [L2, L1, LInf])
def test_bad_lambda_raises(cls, lam):
    with pytest.raises(ValueError, match="'lam'"):
        cls(lam)


def test_bad_l1l2_raises():
    with pytest.raises(ValueError, match="'l2'"):
        L1L2(l1=0.1, l2=-1.0)


def test_unknown_key_raises():
    with pytest.raises(ValueError, match="'keys'.*'9.W'"):
        L2(0.1, keys=["9.W"]).loss(_params())
    with pytest.raises(ValueError, match="ending in 'W'"):
        L2(0.1).grad({"0.gamma": np.ones(3)})


def _tiny_net(penalty):
    rng = np.random.default_rng(3)
    layers = [Affine(rng.standard_normal((5, 4)), rng.standard_normal(4)),
              ReLU(),
              Affine(rng.standard_normal((4, 3)), rng.standard_normal(3))]
    return Sequential(layers, penalty=penalty)


@pytest.mark.parametrize("penalty", [L2(0.3), L1(0.2), L1L2(0.1, 0.4),
                                     L2(0.5, include_biases=True)],
                         ids=["l2", "l1", "l1l2", "l2-biases"])
def test_network_gradient_check_with_penalty(penalty):
    net = _tiny_net(penalty)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 5))
    t = rng.integers(0, 3, size=6)
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    for k, p in net.params.items():
        num = numerical_gradient(lambda _: net.loss(x, t), p)
        assert relative_error(grads[k], num) < 1e-7, k


def test_penalty_adds_lambda_w_to_weights_only():
    rng = np.random.default_rng(5)
    x, t = rng.standard_normal((6, 5)), rng.integers(0, 3, size=6)
    plain = {k: v.copy() for k, v in _tiny_net(None).gradient(x, t).items()}
    net = _tiny_net(L2(0.7))
    decayed = net.gradient(x, t)
    for k, p in net.params.items():
        extra = 0.7 * p if k.endswith("W") else np.zeros_like(p)
        np.testing.assert_allclose(decayed[k] - plain[k], extra,
                                   rtol=1e-12, atol=1e-14)
    assert net.loss(x, t) == pytest.approx(
        _tiny_net(None).loss(x, t) + L2(0.7).loss(net.params))


# ----------------------------------------------------------- constraints
def test_maxnorm_caps_column_norms_and_keeps_short_ones():
    W = np.array([[3.0, 0.1, 0.0], [4.0, 0.2, 0.0]])   # column norms 5, .22, 0
    p = {"0.W": W, "0.b": np.full(3, 10.0)}
    MaxNorm(2.0).apply(p)
    assert p["0.W"] is W, "projected in place"
    np.testing.assert_allclose(W[:, 0], [1.2, 1.6], rtol=1e-15)
    np.testing.assert_array_equal(W[:, 1:], [[0.1, 0.0], [0.2, 0.0]])
    np.testing.assert_array_equal(p["0.b"], 10.0)   # biases untouched


def test_maxnorm_axis_is_input_axis_and_conv_per_kernel():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((50, 3)) * 3
    out = MaxNorm(1.5).project(W)
    assert np.all(np.linalg.norm(out, axis=0) <= 1.5 + 1e-12)
    # per column (unit), not per row
    np.testing.assert_allclose(np.linalg.norm(out, axis=0), 1.5)
    K = rng.standard_normal((4, 2, 3, 3)) * 3
    outk = MaxNorm(1.0).project(K)
    np.testing.assert_allclose(
        np.sqrt((outk ** 2).sum(axis=(1, 2, 3))), 1.0)
    rows = MaxNorm(1.0, axis=1).project(100 * W)    # one norm per row
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0)


def test_unit_nonneg_minmax():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((6, 4))
    W[:, 3] = 0.0
    u = UnitNorm().project(W)
    np.testing.assert_allclose(np.linalg.norm(u[:, :3], axis=0), 1.0)
    np.testing.assert_array_equal(u[:, 3], 0.0)
    assert NonNeg().project(W).min() == 0.0
    W[:, 0] *= 0.01
    W[:, 1] *= 100
    m = MinMaxNorm(0.5, 2.0).project(W)
    norms = np.linalg.norm(m[:, :3], axis=0)
    assert np.all((norms >= 0.5 - 1e-12) & (norms <= 2.0 + 1e-12))
    half = MinMaxNorm(0.5, 2.0, rate=0.5).project(W)
    n0 = np.linalg.norm(W[:, 1])
    assert np.linalg.norm(half[:, 1]) == pytest.approx(0.5 * 2.0 + 0.5 * n0)


@pytest.mark.parametrize("cls", [MaxNorm, UnitNorm, MinMaxNorm])
def test_constraint_keeps_float32(cls):
    W = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    assert cls().project(W).dtype == np.float32


def test_constraint_bad_arguments():
    with pytest.raises(ValueError, match="'max_value'"):
        MaxNorm(0.0)
    with pytest.raises(ValueError, match="'max_value'"):
        MinMaxNorm(2.0, 1.0)
    with pytest.raises(ValueError, match="'rate'"):
        MinMaxNorm(0.0, 1.0, rate=0.0)


def _digits_like(n=60, d=6, k=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    t = np.argmax(x[:, :k] + 0.3 * rng.standard_normal((n, k)), axis=1)
    return x, t


@pytest.mark.parametrize("constraint,check", [
    (MaxNorm(0.5), lambda W: np.linalg.norm(W, axis=0).max() <= 0.5 + 1e-12),
    (UnitNorm(), lambda W: np.allclose(np.linalg.norm(W, axis=0), 1.0)),
    (NonNeg(), lambda W: W.min() >= 0.0),
    (MinMaxNorm(0.2, 0.6), lambda W: np.all(
        (np.linalg.norm(W, axis=0) >= 0.2 - 1e-12)
        & (np.linalg.norm(W, axis=0) <= 0.6 + 1e-12))),
], ids=["maxnorm", "unitnorm", "nonneg", "minmax"])
def test_constraints_hold_after_every_update(constraint, check):
    x, t = _digits_like()
    net = mlp([6, 8, 3], rng=0)

    class Probe(WeightSnapshots):
        def after_update(self, trainer):
            for k, W in trainer.network.params.items():
                if k.endswith("W"):
                    assert check(W), k

    Trainer(net, SGD(0.5), batch_size=10, rng=0,
            callbacks=[constraint, Probe([1])]).fit(x, t, epochs=3)
    assert net.layers[0].params["W"] is net.params["0.W"]


def test_constraint_unknown_parameter_raises_at_fit():
    x, t = _digits_like()
    net = mlp([6, 8, 3], rng=0)
    with pytest.raises(ValueError, match="'keys'.*'5.W'"):
        Trainer(net, SGD(0.1), callbacks=[MaxNorm(2.0, keys=["5.W"])]).fit(
            x, t, epochs=1)


# -------------------------------------------------------- early stopping
class _Scripted:
    """A fake network: one update per epoch moves ``W`` by +1, so that W
    equals the number of finished epochs; ``evaluate`` returns a scripted
    metric for the current epoch (loss and accuracy alike)."""

    def __init__(self, script):
        self.script = list(script)
        self.W = np.zeros(1)
        self.params = {"0.W": self.W}

    def train_step(self, x, t):
        return 0.0, {"0.W": -np.ones(1)}

    def evaluate(self, x, t):
        v = self.script[int(round(self.W[0])) - 1]
        return v, v

    def state_dict(self):
        return {"0.W": self.W.copy()}

    def load_state_dict(self, state):
        self.W[...] = state["0.W"]


def _fit_scripted(script, epochs=None, **kw):
    net = _Scripted(script)
    es = EarlyStopping(**kw)
    x = np.zeros((4, 1))
    t = np.zeros(4, dtype=int)
    hist = Trainer(net, SGD(1.0), batch_size=4, rng=0, callbacks=[es]).fit(
        x, t, epochs=epochs or len(script), x_val=x, t_val=t)
    return net, es, hist


def test_early_stopping_patience_counts_exactly():
    script = [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 3.3, 2.0, 1.0]
    net, es, hist = _fit_scripted(script, patience=3)
    # best after epoch 3; epochs 4, 5, 6 do not improve -> stop after 6
    assert hist.stopped_epoch == 6
    assert es.best_epoch_ == 3 and es.best_ == 3.0
    assert len(hist.epochs) == 6
    assert net.W[0] == 3.0, "the weights of epoch 3 must be restored"
    notes = hist.notes["early_stopping"]
    assert notes == {"monitor": "val_loss", "best_epoch": 3, "best": 3.0,
                     "stopped_epoch": 6, "restored": True}
    _, _, hist1 = _fit_scripted(script, patience=1)
    assert hist1.stopped_epoch == 4
    _, _, hist4 = _fit_scripted(script, patience=4)
    assert hist4.stopped_epoch == 7
    _, _, hist5 = _fit_scripted(script, patience=5)   # epoch 8 improves
    assert hist5.stopped_epoch is None and len(hist5.epochs) == 9


def test_early_stopping_simulate_matches_training():
    script = [5.0, 4.0, 3.0, 3.5, 3.2, 3.1, 3.3, 2.0, 1.0]
    for patience in (1, 2, 3, 4, 5):
        _, es, hist = _fit_scripted(script, patience=patience)
        rule = EarlyStopping(patience=patience)
        assert rule.simulate(script) == (hist.stopped_epoch, es.best_epoch_)
        assert rule.best_epoch_ is None, "simulate leaves the callback alone"
    assert EarlyStopping("val_acc", patience=2).simulate(
        [0.1, 0.5, 0.4, 0.45, 0.9]) == (4, 2)


def test_early_stopping_min_delta_and_max_mode():
    script = [1.0, 0.95, 0.93, 0.5]
    _, es, hist = _fit_scripted(script, patience=2, min_delta=0.1)
    assert hist.stopped_epoch == 3 and es.best_epoch_ == 1
    acc = [0.5, 0.7, 0.6, 0.65, 0.9]
    net, es, hist = _fit_scripted(acc, monitor="val_acc", patience=2)
    assert es.direction == "max"
    assert hist.stopped_epoch == 4 and es.best_epoch_ == 2
    assert net.W[0] == 2.0


def test_early_stopping_restores_at_end_without_stopping():
    net, es, hist = _fit_scripted([3.0, 1.0, 2.0], patience=5)
    assert hist.stopped_epoch is None and es.stopped_epoch_ is None
    assert net.W[0] == 2.0
    net, _, _ = _fit_scripted([3.0, 1.0, 2.0], patience=5,
                              restore_best_weights=False)
    assert net.W[0] == 3.0


def test_early_stopping_real_network_keeps_best_epoch():
    x, t = _digits_like(n=80, seed=1)
    xv, tv = _digits_like(n=40, seed=2)
    net = mlp([6, 30, 30, 3], rng=0)
    es = EarlyStopping("val_loss", patience=3)
    hist = Trainer(net, SGD(0.5), batch_size=10, rng=0, callbacks=[es]).fit(
        x, t, epochs=200, x_val=xv, t_val=tv)
    best = es.best_epoch_
    assert hist.val_loss[best - 1] == min(hist.val_loss)
    assert hist.stopped_epoch == best + 3
    assert net.evaluate(xv, tv)[0] == pytest.approx(hist.val_loss[best - 1],
                                                    rel=1e-12)


def test_early_stopping_restores_batchnorm_buffers_through_state_dict():
    x, t = _digits_like(n=80, seed=1)
    xv, tv = _digits_like(n=40, seed=2)
    net = mlp([6, 30, 30, 3], batchnorm=True, rng=0)
    snapshots = {}

    class KeepStates(WeightSnapshots):
        def on_epoch_end(self, trainer, epoch, history):
            snapshots[epoch + 1] = trainer.network.state_dict()
            return False

    es = EarlyStopping("val_loss", patience=2)
    hist = Trainer(net, SGD(0.5), batch_size=10, rng=0,
                   callbacks=[es, KeepStates([1])]).fit(
        x, t, epochs=200, x_val=xv, t_val=tv)
    best, last = es.best_epoch_, hist.epochs[-1]
    assert last == best + 2
    buffers = [k for k in snapshots[best] if k.endswith("running_mean")]
    assert buffers, "a BatchNorm network's state holds its running means"
    restored = net.state_dict()
    assert sorted(restored) == sorted(snapshots[best])
    for k, v in snapshots[best].items():
        np.testing.assert_array_equal(restored[k], v, err_msg=k)
    # the last epoch's buffers differed, so they were really written back
    assert any(not np.array_equal(snapshots[last][k], snapshots[best][k])
               for k in buffers)
    assert net.evaluate(xv, tv)[0] == pytest.approx(hist.val_loss[best - 1],
                                                    rel=1e-12)


def test_early_stopping_needs_state_dict_to_restore():
    class NoState(_Scripted):
        state_dict = None

    x = np.zeros((4, 1))
    t = np.zeros(4, dtype=int)
    with pytest.raises(TypeError, match="EarlyStopping.*state_dict"):
        Trainer(NoState([1.0, 2.0]), SGD(1.0), batch_size=4,
                callbacks=[EarlyStopping()]).fit(x, t, epochs=2, x_val=x,
                                                 t_val=t)
    net = NoState([1.0, 2.0])
    Trainer(net, SGD(1.0), batch_size=4,
            callbacks=[EarlyStopping(restore_best_weights=False)]).fit(
        x, t, epochs=2, x_val=x, t_val=t)
    assert net.W[0] == 2.0


def test_early_stopping_bad_input():
    with pytest.raises(ValueError, match="'patience'"):
        EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="'monitor'"):
        EarlyStopping(monitor="val_los")
    with pytest.raises(ValueError, match="'mode'"):
        EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="'min_delta'"):
        EarlyStopping(min_delta=-1.0)
    x, t = _digits_like()
    with pytest.raises(ValueError, match="x_val"):
        Trainer(mlp([6, 4, 3], rng=0), SGD(0.1),
                callbacks=[EarlyStopping("val_loss")]).fit(x, t, epochs=2)


def test_weight_snapshots():
    x, t = _digits_like()
    net = mlp([6, 8, 3], rng=0)
    snap = WeightSnapshots([1, 3])
    Trainer(net, SGD(0.1), batch_size=60, rng=0, callbacks=[snap]).fit(
        x, t, epochs=3)
    assert sorted(snap.snapshots) == [1, 3]
    np.testing.assert_array_equal(snap.snapshots[3]["2.W"], net.params["2.W"])
    assert not np.array_equal(snap.snapshots[1]["0.W"], net.params["0.W"])
