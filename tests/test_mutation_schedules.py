"""Properties of course_lib.schedules that plausible slips break: ``repr``
shows every constructor argument under its own name (floats in ``%g``), as
the style guide asks, and errors name the class and the argument."""

from __future__ import annotations

import inspect

import pytest

import course_lib.schedules as S

pytestmark = pytest.mark.ch2

BASE = S.Constant(0.1)
# (class, required arguments); every other argument keeps its default
SCHEDULES = [
    (S.Constant, {"lr": 0.1}),
    (S.StepwiseDecay, {"lr": 0.1}),
    (S.ExponentialDecay, {"lr": 0.1}),
    (S.DelayedExponentialDecay, {"lr": 0.1}),
    (S.IntervalDecay, {"lr": 0.1}),
    (S.TimeBasedDecay, {"lr": 0.1}),
    (S.CosineAnnealing, {"lr": 0.1, "T_max": 10}),
    (S.LinearWarmup, {"schedule": BASE, "warmup_steps": 5}),
    (S.ReduceOnPlateau, {"lr": 0.1}),
    (S.BoldDriver, {"lr": 0.1}),
]


def _expected_repr(cls, given):
    """``Name(arg=value, ...)`` from the signature: given values, else the
    defaults; floats as ``%g``, anything else as its repr."""
    parts = []
    for name, p in inspect.signature(cls).parameters.items():
        v = given.get(name, p.default)
        parts.append(f"{name}={v:g}" if isinstance(v, float)
                     else f"{name}={v!r}")
    return f"{cls.__name__}({', '.join(parts)})"


@pytest.mark.parametrize("cls,given", SCHEDULES,
                         ids=[c.__name__ for c, _ in SCHEDULES[:-1]]
                         + ["BoldDriver"])
def test_repr_shows_every_constructor_argument(cls, given):
    assert repr(cls(**given)) == _expected_repr(cls, given)


def test_repr_rounds_floats_and_nests_schedules():
    w = S.LinearWarmup(S.StepwiseDecay(0.30000000000000004, 0.5), 3)
    assert repr(w) == ("LinearWarmup(schedule=StepwiseDecay(lr=0.3, "
                       "factor=0.5), warmup_steps=3, start_factor=0.333333)")


def test_delayed_decay_waits_ten_epochs_by_default():
    s = S.DelayedExponentialDecay(1.0, factor=0.5)
    assert [s.lr_at(i) for i in (0, 10)] == [1.0, 1.0]
    assert s.lr_at(11) == pytest.approx(0.5)


@pytest.mark.parametrize("make,kind,start", [
    (lambda: S.DelayedExponentialDecay(-1.0), ValueError,
     "DelayedExponentialDecay: 'lr'"),
    (lambda: S.DelayedExponentialDecay(0.1, factor=1.5), ValueError,
     "DelayedExponentialDecay: 'factor'"),
    (lambda: S.DelayedExponentialDecay(0.1, delay=-1), ValueError,
     "DelayedExponentialDecay: 'delay'"),
    (lambda: S.DelayedExponentialDecay(0.1, delay=2.5), TypeError,
     "DelayedExponentialDecay: 'delay'"),
    (lambda: S.StepwiseDecay(0.1, factor=0.0), ValueError,
     "StepwiseDecay: 'factor'"),
    (lambda: S.ExponentialDecay(0.1, decay_rate=1.5), ValueError,
     "ExponentialDecay: 'decay_rate'"),
    (lambda: S.ExponentialDecay(0.1, decay_steps=0), ValueError,
     "ExponentialDecay: 'decay_steps'"),
    (lambda: S.TimeBasedDecay(0.1, decay=-0.1), ValueError,
     "TimeBasedDecay: 'decay'"),
    # factor lies in the open interval (0, 1)
    (lambda: S.ReduceOnPlateau(0.1, factor=0.0), ValueError,
     "ReduceOnPlateau: 'factor'"),
    (lambda: S.ReduceOnPlateau(0.1, factor=1.0), ValueError,
     "ReduceOnPlateau: 'factor'"),
    (lambda: S.ReduceOnPlateau(0.1, factor=-0.5), ValueError,
     "ReduceOnPlateau: 'factor'"),
    (lambda: S.ReduceOnPlateau(0.1, patience=0), ValueError,
     "ReduceOnPlateau: 'patience'"),
    (lambda: S.ReduceOnPlateau(0.1, min_delta=-0.01), ValueError,
     "ReduceOnPlateau: 'min_delta'"),
    (lambda: S.ReduceOnPlateau(0.1, min_lr=-0.01), ValueError,
     "ReduceOnPlateau: 'min_lr'"),
])
def test_constructor_errors_name_the_class_and_the_argument(make, kind, start):
    with pytest.raises(kind) as info:
        make()
    assert str(info.value).startswith(start + " must be ")


def test_a_delay_of_zero_decays_from_the_first_epoch():
    s = S.DelayedExponentialDecay(1.0, factor=0.5, delay=0)
    assert s.lr_at(0) == 1.0 and s.lr_at(1) == pytest.approx(0.5)


def test_documented_defaults_of_the_decays():
    # ExponentialDecay: lr · 0.9^(i / 1); TimeBasedDecay: lr / (1 + 0.01 i)
    assert S.ExponentialDecay(1.0).lr_at(3) == pytest.approx(0.9 ** 3)
    assert S.TimeBasedDecay(1.0).lr_at(10) == pytest.approx(1 / 1.1)


def test_plateau_waits_three_epochs_by_default_and_counts_afresh():
    s = S.ReduceOnPlateau(1.0)
    lrs = [s.update(m) for m in [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0]]
    # best 5 after the first epoch; 3 equal epochs (not improvements) halve
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_plateau_improvement_must_beat_best_by_more_than_min_delta():
    s = S.ReduceOnPlateau(1.0, patience=1, min_delta=0.5)
    assert s.update(2.0) == 1.0          # first epoch: best = 2
    assert s.update(1.5) == 0.5          # 1.5 is not < 2 - 0.5: a bad epoch
    assert s.update(0.9) == 0.5          # 0.9 < 1.5: improvement


def test_plateau_reset_forgets_the_count():
    s = S.ReduceOnPlateau(1.0, patience=2)
    s.update(1.0)
    s.update(1.0)                         # one bad epoch
    s.reset()
    assert s.lr_at(0) == 1.0 and s.history_ == []
    s.update(1.0)
    assert s.update(1.0) == 1.0           # the old bad epoch is forgotten


@pytest.mark.parametrize("schedule", [S.StepwiseDecay(0.1),
                                      S.ReduceOnPlateau(0.1)],
                         ids=["StepwiseDecay", "ReduceOnPlateau"])
def test_lr_at_refuses_a_negative_index_naming_it(schedule):
    name = type(schedule).__name__
    with pytest.raises(ValueError, match=rf"^{name}\.lr_at: 'i' must be "):
        schedule.lr_at(-1)
    assert schedule.lr_at(0) == 0.1


def test_values_of_zero_epochs_is_empty_and_negative_is_refused():
    s = S.StepwiseDecay(0.1)
    v = s.values(0)
    assert v.shape == (0,) and v.dtype == float
    with pytest.raises(ValueError, match=r"^StepwiseDecay\.values: 'n' must be "):
        s.values(-1)


def test_update_refuses_a_nonfinite_metric_naming_it():
    with pytest.raises(ValueError,
                       match=r"^ReduceOnPlateau\.update: 'metric' must be "):
        S.ReduceOnPlateau(0.1).update(float("nan"))


def test_rate_and_factor_errors_name_the_schedule():
    with pytest.raises(ValueError, match=r"^StepwiseDecay: 'lr' must be "):
        S.StepwiseDecay(0.0)
    with pytest.raises(ValueError, match=r"^IntervalDecay: 'factor' must be "):
        S.IntervalDecay(0.1, factor=2.0)


# Each constructor's documented ranges, probed just outside (and, where the
# boundary is open or closed, exactly at) the edge.
RANGE_ERRORS = [
    (lambda: S.BoldDriver(0.1, increase=0.99), "BoldDriver: 'increase'"),
    (lambda: S.BoldDriver(0.1, decrease=0.0), "BoldDriver: 'decrease'"),
    (lambda: S.BoldDriver(0.1, decrease=1.0), "BoldDriver: 'decrease'"),
    (lambda: S.BoldDriver(0.1, tolerance=-0.01), "BoldDriver: 'tolerance'"),
    (lambda: S.BoldDriver(0.1, min_lr=-0.01), "BoldDriver: 'min_lr'"),
    (lambda: S.BoldDriver(0.1, min_lr=0.5, max_lr=0.4),
     "BoldDriver: 'max_lr'"),
    (lambda: S.BoldDriver(0.1, max_lr=float("nan")), "BoldDriver: 'max_lr'"),
    (lambda: S.BoldDriver(0.1, max_lr="1"), "BoldDriver: 'max_lr'"),
    (lambda: S.BoldDriver(-0.1), "BoldDriver: 'lr'"),
    (lambda: S.CosineAnnealing(-0.1, 10), "CosineAnnealing: 'lr'"),
    (lambda: S.CosineAnnealing(0.1, 0), "CosineAnnealing: 'T_max'"),
    (lambda: S.CosineAnnealing(0.1, 10, min_lr=-0.01),
     "CosineAnnealing: 'min_lr'"),
    (lambda: S.CosineAnnealing(0.1, 10, min_lr=0.2),
     "CosineAnnealing: 'min_lr'"),
    (lambda: S.LinearWarmup(BASE, 0), "LinearWarmup: 'warmup_steps'"),
    (lambda: S.LinearWarmup(BASE, 5, start_factor=0.0),
     "LinearWarmup: 'start_factor'"),
    (lambda: S.LinearWarmup(BASE, 5, start_factor=1.5),
     "LinearWarmup: 'start_factor'"),
    (lambda: S.IntervalDecay(-0.1), "IntervalDecay: 'lr'"),
    (lambda: S.IntervalDecay(0.1, interval=0), "IntervalDecay: 'interval'"),
    (lambda: S.ExponentialDecay(0.0), "ExponentialDecay: 'lr'"),
    (lambda: S.TimeBasedDecay(0.0), "TimeBasedDecay: 'lr'"),
    (lambda: S.Constant(float("inf")), "Constant: 'lr'"),
    (lambda: S.ReduceOnPlateau(0.0), "ReduceOnPlateau: 'lr'"),
]


@pytest.mark.parametrize("make,start", RANGE_ERRORS,
                         ids=[f"{i}-{s}" for i, (_, s) in
                              enumerate(RANGE_ERRORS)])
def test_constructor_ranges_are_enforced_and_named(make, start):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(start + " must be ")


def test_range_edges_that_are_allowed():
    assert S.BoldDriver(0.1, increase=1.0, min_lr=0.1, max_lr=0.1).max_lr \
        == 0.1
    assert S.CosineAnnealing(0.1, 1, min_lr=0.1).lr_at(1) == 0.1
    assert S.LinearWarmup(BASE, 1, start_factor=1.0).lr_at(0) == 0.1
    assert S.IntervalDecay(0.1, factor=1.0, interval=1).lr_at(5) == 0.1


def test_warmup_refuses_a_stateful_or_a_non_schedule():
    with pytest.raises(TypeError, match=r"^LinearWarmup: 'schedule' must be "):
        S.LinearWarmup(S.ReduceOnPlateau(0.1), 3)
    with pytest.raises(TypeError, match=r"^LinearWarmup: 'schedule' must be "):
        S.LinearWarmup(0.1, 3)


def test_warmup_error_says_the_schedule_is_stateful_or_names_its_type():
    with pytest.raises(TypeError) as info:
        S.LinearWarmup(S.BoldDriver(0.1), 3)
    assert str(info.value).endswith("; got the stateful BoldDriver.")
    with pytest.raises(TypeError) as info:
        S.LinearWarmup("cosine", 3)
    assert str(info.value).endswith("; got str.")


def test_warmup_first_and_last_steps_by_hand():
    s = S.LinearWarmup(S.StepwiseDecay(0.4, factor=0.5), 4, start_factor=0.25)
    # i = 0: 0.4 · 0.25; i = 3: 0.4 · (0.25 + 0.75 · 3/4); then the decay
    assert s.lr_at(0) == pytest.approx(0.1, rel=1e-15)
    assert s.lr_at(3) == pytest.approx(0.325, rel=1e-15)
    assert [s.lr_at(i) for i in (4, 5, 6)] == pytest.approx([0.4, 0.2, 0.1])
    assert s.lr == 0.4


def test_cosine_at_zero_half_and_end_and_after():
    s = S.CosineAnnealing(0.3, T_max=6, min_lr=0.1)
    assert s.lr_at(0) == 0.3
    assert s.lr_at(3) == pytest.approx(0.2, rel=1e-15)
    assert s.lr_at(6) == pytest.approx(0.1, rel=1e-15)
    # past T_max the cosine climbs again, symmetric about T_max
    assert s.lr_at(9) == pytest.approx(0.2, rel=1e-15)
    assert s.lr_at(12) == pytest.approx(0.3, rel=1e-15)


def test_bold_driver_keeps_the_rate_exactly_at_the_tolerance():
    s = S.BoldDriver(1.0, increase=2.0, decrease=0.5, tolerance=0.25)
    s.update(4.0)
    assert s.update(5.0) == 1.0        # 5 = 4 · 1.25: still tolerated
    assert s.update(5.0) == 1.0        # equal: neither rule
    assert s.update(6.26) == 0.5       # 6.26 > 5 · 1.25: brake
    assert s.update(6.0) == 1.0        # fell: speed up


def test_bold_driver_first_update_only_records_and_min_lr_is_a_floor():
    s = S.BoldDriver(1.0, decrease=0.1, min_lr=0.5)
    assert s.update(100.0) == 1.0 and s.history_ == [100.0]
    assert s.update(200.0) == 0.5      # 0.1 is below the floor
    s.reset()
    assert s.prev_ is None and s.lr_at(7) == 1.0 and s.history_ == []


def test_plateau_reduces_on_exactly_the_patience_th_bad_epoch():
    s = S.ReduceOnPlateau(1.0, factor=0.25, patience=4)
    lrs = [s.update(m) for m in [2.0, 2.0, 3.0, 2.0, 2.5, 1.0]]
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.25, 0.25]
    assert s.best_ == 1.0 and s.wait_ == 0
