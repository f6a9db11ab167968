"""Learning-rate schedules: formulas, state, validation, the trainer."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import course_lib as cl
from course_lib.optim import SGD, Momentum
from course_lib.schedules import (
    BoldDriver,
    Constant,
    CosineAnnealing,
    DelayedExponentialDecay,
    ExponentialDecay,
    IntervalDecay,
    LinearWarmup,
    ReduceOnPlateau,
    StepwiseDecay,
    TimeBasedDecay,
)

pytestmark = pytest.mark.ch2

I = range(0, 40, 3)


def test_constant():
    assert [Constant(0.3).lr_at(i) for i in I] == [0.3] * len(I)


def test_stepwise_decay_multiplies_every_step():
    s = StepwiseDecay(0.1, factor=0.99)
    assert s.lr_at(0) == 0.1
    assert s.lr_at(1) == pytest.approx(0.099)
    assert s.lr_at(2) == pytest.approx(0.09801)
    for i in I:
        assert s.lr_at(i) == pytest.approx(0.1 * 0.99 ** i)


def test_exponential_decay():
    s = ExponentialDecay(2.0, decay_rate=0.5, decay_steps=4)
    for i in I:
        assert s.lr_at(i) == pytest.approx(2.0 * 0.5 ** (i / 4))
    assert s.lr_at(8) == pytest.approx(0.5)


def test_delayed_exponential_decay():
    s = DelayedExponentialDecay(0.2, factor=0.8, delay=5)
    for i in I:
        want = 0.2 if i < 5 else 0.2 * 0.8 ** (i - 5)
        assert s.lr_at(i) == pytest.approx(want)
    assert s.lr_at(5) == 0.2 and s.lr_at(6) == pytest.approx(0.16)


def test_interval_decay_is_a_staircase():
    s = IntervalDecay(0.1, factor=0.5, interval=4)
    got = [s.lr_at(i) for i in range(10)]
    assert got == pytest.approx([0.1] * 4 + [0.05] * 4 + [0.025] * 2)


def test_time_based_decay_keras_formula():
    s = TimeBasedDecay(1.0, decay=1e-2)
    for i in I:
        assert s.lr_at(i) == pytest.approx(1.0 / (1.0 + 1e-2 * i))
    assert s.lr_at(100) == pytest.approx(0.5)
    assert TimeBasedDecay(1.0, decay=1e-3).lr_at(100) == pytest.approx(
        1 / 1.1)
    assert TimeBasedDecay(0.4, decay=0.0).lr_at(1000) == 0.4


def test_values_is_lr_at_over_a_range():
    s = ExponentialDecay(1.0, 0.9)
    np.testing.assert_allclose(s.values(5), [s.lr_at(i) for i in range(5)])
    with pytest.raises(TypeError, match="stateful"):
        BoldDriver(0.1).values(3)


def test_reduce_on_plateau():
    s = ReduceOnPlateau(0.1, factor=0.5, patience=2)
    seq = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85]
    got = [s.update(e) for e in seq]
    # two epochs without beating 0.9 -> halve; two more -> halve again
    assert got == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025,
                                 0.025, 0.0125])
    assert s.lr_at(123) == pytest.approx(0.0125)
    s.reset()
    assert s.lr_at(0) == 0.1 and s.best_ == math.inf


def test_reduce_on_plateau_min_delta_and_floor():
    s = ReduceOnPlateau(1.0, factor=0.1, patience=1, min_delta=0.1,
                        min_lr=0.05)
    assert s.update(1.0) == 1.0          # first value is an improvement
    assert s.update(0.95) == pytest.approx(0.1)   # < 0.1 better: no
    assert s.update(0.5) == pytest.approx(0.1)    # improvement
    assert s.update(0.5) == pytest.approx(0.05)   # floor, not 0.01


def test_bold_driver_rule():
    s = BoldDriver(0.1, increase=1.05, decrease=0.5)
    got = [s.update(e) for e in [1.0, 0.9, 0.8, 0.85, 0.85, 0.7]]
    want = [0.1, 0.105, 0.11025, 0.055125, 0.055125, 0.05788125]
    assert got == pytest.approx(want)


def test_bold_driver_tolerance_and_bounds():
    s = BoldDriver(0.1, increase=1.5, decrease=0.5, tolerance=0.1,
                   max_lr=0.2)
    s.update(1.0)
    assert s.update(1.05) == pytest.approx(0.1)   # within 10 %: keep
    assert s.update(1.2) == pytest.approx(0.05)   # rose more: halve
    for e in (1.0, 0.9, 0.8, 0.7):
        s.update(e)
    assert s.lr_at(0) == pytest.approx(0.2)       # capped at max_lr


@pytest.mark.parametrize("make, name", [
    (lambda: Constant(0.0), "lr"),
    (lambda: Constant(float("nan")), "lr"),
    (lambda: StepwiseDecay(0.1, factor=1.5), "factor"),
    (lambda: StepwiseDecay(0.1, factor=0.0), "factor"),
    (lambda: ExponentialDecay(0.1, decay_rate=-0.5), "decay_rate"),
    (lambda: ExponentialDecay(0.1, decay_steps=0), "decay_steps"),
    (lambda: DelayedExponentialDecay(0.1, delay=-1), "delay"),
    (lambda: IntervalDecay(0.1, interval=0), "interval"),
    (lambda: IntervalDecay(-0.1), "lr"),
    (lambda: TimeBasedDecay(0.1, decay=-1e-3), "decay"),
    (lambda: ReduceOnPlateau(0.1, factor=1.0), "factor"),
    (lambda: ReduceOnPlateau(0.1, patience=0), "patience"),
    (lambda: BoldDriver(0.1, increase=0.9), "increase"),
    (lambda: BoldDriver(0.1, decrease=1.0), "decrease"),
    (lambda: BoldDriver(0.1, min_lr=0.5, max_lr=0.1), "max_lr"),
    (lambda: CosineAnnealing(0.0, 10), "lr"),
    (lambda: CosineAnnealing(0.1, 0), "T_max"),
    (lambda: CosineAnnealing(0.1, 10, min_lr=-0.01), "min_lr"),
    (lambda: CosineAnnealing(0.1, 10, min_lr=0.2), "min_lr"),
    (lambda: LinearWarmup(Constant(0.1), 0), "warmup_steps"),
    (lambda: LinearWarmup(Constant(0.1), 3, start_factor=0.0), "start_factor"),
    (lambda: LinearWarmup(Constant(0.1), 3, start_factor=1.5), "start_factor"),
])
def test_bad_arguments_are_named(make, name):
    with pytest.raises(ValueError, match=f"'{name}'"):
        make()


def test_lr_at_index_and_metric_validation():
    with pytest.raises(ValueError, match="'i'"):
        StepwiseDecay(0.1).lr_at(-1)
    with pytest.raises(TypeError, match="'i'"):
        IntervalDecay(0.1).lr_at(1.5)
    with pytest.raises(ValueError, match="'metric'"):
        BoldDriver(0.1).update(float("nan"))
    with pytest.raises(TypeError):
        IntervalDecay(0.1, intervall=3)


def test_repr():
    assert repr(IntervalDecay(0.1, 0.5, 4)) == (
        "IntervalDecay(lr=0.1, factor=0.5, interval=4)")
    assert repr(TimeBasedDecay(1.0, 0.001)).startswith("TimeBasedDecay(")


# --- with the trainer -------------------------------------------------------

def _data():
    return cl.two_moons(64, noise=0.1, rng=0)


def test_trainer_uses_the_epoch_schedule():
    x, t = _data()
    s = IntervalDecay(0.2, factor=0.5, interval=2)
    hist = cl.Trainer(cl.mlp([2, 6, 2], rng=0), SGD(lr=1.0), batch_size=16,
                      schedule=s, rng=0, progress=False).fit(x, t, epochs=5)
    assert hist.lr == pytest.approx([s.lr_at(i) for i in range(5)])


def test_trainer_uses_the_step_schedule():
    x, t = _data()
    s = StepwiseDecay(0.1, factor=0.9)
    opt = Momentum(lr=1.0)
    hist = cl.Trainer(cl.mlp([2, 6, 2], rng=0), opt, batch_size=16,
                      schedule=s, schedule_unit="step", rng=0,
                      progress=False).fit(x, t, epochs=3)
    assert hist.n_updates == 12
    assert opt.lr == pytest.approx(0.1 * 0.9 ** 11)
    assert hist.lr == pytest.approx([s.lr_at(4 * e) for e in range(3)])


@pytest.mark.parametrize("make", [
    lambda: ReduceOnPlateau(0.5, factor=0.5, patience=1),
    lambda: BoldDriver(0.5)])
def test_trainer_feeds_stateful_schedules(make):
    x, t = _data()
    s = make()
    hist = cl.Trainer(cl.mlp([2, 6, 2], rng=0), SGD(lr=1.0), batch_size=16,
                      schedule=s, rng=0, progress=False).fit(
        x, t, epochs=6, x_val=x, t_val=t)
    assert len(s.history_) == 6
    assert s.history_ == pytest.approx(hist.val_loss)
    assert hist.lr[0] == 0.5
    assert hist.lr[1:] != [0.5] * 5   # the rate moved with the error


# --- cosine annealing and warm-up -------------------------------------------

def test_cosine_annealing_by_hand():
    s = CosineAnnealing(0.1, T_max=4, min_lr=0.02)
    # half-way the rate is the mean of the two ends; T_max reaches the floor
    assert s.lr_at(0) == 0.1
    assert s.lr_at(2) == pytest.approx(0.06, rel=1e-12)
    assert s.lr_at(4) == pytest.approx(0.02, rel=1e-12)
    assert s.lr_at(1) == pytest.approx(0.02 + 0.04 * (1 + math.sqrt(0.5)))
    assert np.all(np.diff(s.values(5)) < 0)


def test_linear_warmup_by_hand():
    s = LinearWarmup(Constant(0.3), warmup_steps=3, start_factor=0.1)
    np.testing.assert_allclose(s.values(6), [0.03, 0.12, 0.21, 0.3, 0.3, 0.3],
                               rtol=1e-12)
    # the wrapped schedule starts its own count at the end of the warm-up
    s = LinearWarmup(IntervalDecay(0.4, factor=0.5, interval=2), 2,
                     start_factor=0.5)
    np.testing.assert_allclose(s.values(7),
                               [0.2, 0.3, 0.4, 0.4, 0.2, 0.2, 0.1])


def test_linear_warmup_rejects_a_stateful_or_foreign_schedule():
    with pytest.raises(TypeError, match="LinearWarmup: 'schedule' must be a "
                       "schedule.*ReduceOnPlateau"):
        LinearWarmup(ReduceOnPlateau(0.1), 3)
    with pytest.raises(TypeError, match="'schedule'.*got float"):
        LinearWarmup(0.1, 3)
    with pytest.raises(TypeError, match="'warmup_steps'"):
        LinearWarmup(Constant(0.1), 2.5)


def _torch_lrs(torch, lr, make, n):
    """The rate PyTorch uses during epochs 0..n-1 (scheduler stepped after)."""
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    sched = make(opt)
    out = []
    with warnings.catch_warnings():
        # SequentialLR calls step(0) on the next scheduler at a milestone,
        # which PyTorch reports as deprecated; the rates are what we test
        warnings.simplefilter("ignore")
        for _ in range(n):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    return np.array(out)


@pytest.mark.parametrize("lr, T_max, min_lr", [(0.1, 10, 0.0),
                                               (0.5, 7, 0.01),
                                               (1e-3, 50, 1e-5)])
def test_cosine_annealing_equals_torch(lr, T_max, min_lr):
    torch = pytest.importorskip("torch")
    sched = torch.optim.lr_scheduler
    n = 2 * T_max + 3        # past T_max both follow the cosine back up
    theirs = _torch_lrs(torch, lr, lambda o: sched.CosineAnnealingLR(
        o, T_max=T_max, eta_min=min_lr), n)
    ours = CosineAnnealing(lr, T_max, min_lr).values(n)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12 * lr)


@pytest.mark.parametrize("start_factor, warmup", [(1 / 3, 5), (0.01, 3),
                                                  (1.0, 2)])
def test_linear_warmup_then_cosine_equals_torch_sequential_lr(start_factor,
                                                              warmup):
    torch = pytest.importorskip("torch")
    sched = torch.optim.lr_scheduler
    lr, T_max, min_lr = 0.2, 12, 1e-3

    def make(opt):
        return sched.SequentialLR(opt, [
            sched.LinearLR(opt, start_factor=start_factor, end_factor=1.0,
                           total_iters=warmup),
            sched.CosineAnnealingLR(opt, T_max=T_max, eta_min=min_lr)],
            milestones=[warmup])

    n = warmup + T_max + 1
    theirs = _torch_lrs(torch, lr, make, n)
    ours = LinearWarmup(CosineAnnealing(lr, T_max, min_lr), warmup,
                        start_factor=start_factor).values(n)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12 * lr)


def test_linear_warmup_then_step_decay_equals_torch():
    torch = pytest.importorskip("torch")
    sched = torch.optim.lr_scheduler

    def make(opt):
        return sched.SequentialLR(opt, [
            sched.LinearLR(opt, start_factor=0.25, total_iters=4),
            sched.StepLR(opt, step_size=3, gamma=0.5)], milestones=[4])

    theirs = _torch_lrs(torch, 0.8, make, 16)
    ours = LinearWarmup(IntervalDecay(0.8, factor=0.5, interval=3), 4,
                        start_factor=0.25).values(16)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)


def test_trainer_runs_a_warmup_cosine_schedule():
    x, t = cl.two_moons(40, noise=0.1, rng=0)
    net = cl.mlp([2, 6, 2], rng=0)
    opt = Momentum(lr=0.1)
    schedule = LinearWarmup(CosineAnnealing(0.1, T_max=4), 2,
                            start_factor=0.5)
    hist = cl.Trainer(net, opt, batch_size=10, schedule=schedule, rng=0,
                      progress=False).fit(x, t, epochs=6)
    np.testing.assert_allclose(hist.lr, schedule.values(6))
