"""Properties of course_lib.optim that plausible slips break: ``repr``
shows the hyperparameters under their constructor names (floats in ``%g``),
every bad hyperparameter or update is refused naming the class and the
argument (and changes nothing), the state round-trips, gradient noise
follows its formula step by step, and clipping caps the global norm."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import course_lib.optim as O
from course_lib.optim import clip_grad_norm

pytestmark = pytest.mark.ch2

OPTIMIZERS = [O.SGD, O.Momentum, O.Nesterov, O.AdaGrad, O.RMSProp,
              O.AdaDelta, O.Adam, O.AdamW]


def _expected_repr(cls, **given):
    parts = []
    for name, p in inspect.signature(cls).parameters.items():
        v = given.get(name, p.default)
        parts.append(f"{name}={v:g}")
    return f"{cls.__name__}({', '.join(parts)})"


@pytest.mark.parametrize("cls", OPTIMIZERS[1:], ids=lambda c: c.__name__)
def test_repr_shows_every_hyperparameter(cls):
    assert repr(cls()) == _expected_repr(cls)
    assert repr(cls(lr=0.5)) == _expected_repr(cls, lr=0.5)


def test_sgd_repr_shows_weight_decay_only_when_used():
    assert repr(O.SGD()) == "SGD(lr=0.01)"
    assert repr(O.SGD(0.1, weight_decay=0.001)) == \
        "SGD(lr=0.1, weight_decay=0.001)"


BAD = [(cls, "lr", -0.1) for cls in OPTIMIZERS] + [
    (O.SGD, "weight_decay", -0.1),
    (O.Momentum, "momentum", 1.0),
    (O.Nesterov, "momentum", -0.1),
    (O.AdaGrad, "eps", 0.0),
    (O.RMSProp, "rho", 1.0),
    (O.RMSProp, "eps", -1e-8),
    (O.AdaDelta, "rho", 1.5),
    (O.AdaDelta, "eps", 0.0),
    (O.Adam, "beta1", 1.0),
    (O.Adam, "beta2", -0.5),
    (O.Adam, "eps", 0.0),
    (O.AdamW, "beta1", 1.5),
    (O.AdamW, "beta2", 1.0),
    (O.AdamW, "eps", 0.0),
    (O.AdamW, "weight_decay", -0.01),
]


@pytest.mark.parametrize("cls,name,value", BAD,
                         ids=[f"{c.__name__}-{n}-{v}" for c, n, v in BAD])
def test_bad_hyperparameters_are_named(cls, name, value):
    with pytest.raises(ValueError) as info:
        cls(**{name: value})
    assert str(info.value).startswith(f"{cls.__name__}: '{name}' must be ")
    assert f"got {value!r}" in str(info.value) or f"got {value}" in \
        str(info.value)


# --- the shared update machinery -------------------------------------------

def test_valid_gradients_skip_the_full_check(monkeypatch):
    import course_lib.optim.base as base

    def refuse(*args):
        raise AssertionError("the full check ran for valid gradients")

    monkeypatch.setattr(base, "check_grads", refuse)
    p = {"W": np.ones((2, 3)), "b": np.ones(3, dtype=np.float32)}
    O.SGD(lr=0.5).update(p, {"W": np.ones((2, 3)), "b": np.ones(3, dtype=int)})
    assert p["W"][0, 0] == 0.5 and p["b"][0] == np.float32(0.5)


@pytest.mark.parametrize("params, grads, kind, message", [
    ({"W": np.ones(2)}, {"W": np.ones(3)}, ValueError, "shape"),
    ({"W": np.ones(2)}, {"V": np.ones(2)}, ValueError, "'W'"),
    ({"W": np.ones(2)}, {"W": np.ones(2), "V": np.ones(2)}, ValueError, "'V'"),
    ({"W": np.ones(2, dtype=int)}, {"W": np.ones(2)}, TypeError,
     "SGD.update: \"params['W']\" must be a floating-point ndarray (updated "
     "in place); got dtype int64."),
    ({"W": [1.0, 2.0]}, {"W": np.ones(2)}, TypeError,
     "SGD.update: \"params['W']\" must be a floating-point ndarray (updated "
     "in place); got list."),
    ({"W": np.ones(2)}, {"W": np.array(["a", "b"])}, TypeError,
     "SGD.update: \"grads['W']\" must be a numpy.ndarray of numbers; got "
     "dtype <U1. Convert it with np.asarray(...)."),
    ({"W": np.ones(2)}, {"W": (1.0, 2.0)}, TypeError,
     "SGD.update: \"grads['W']\" must be a numpy.ndarray of numbers; got "
     "tuple. Convert it with np.asarray(...)."),
    ([np.ones(2)], {"W": np.ones(2)}, TypeError,
     "SGD.update: 'params' must be a dict of name -> ndarray; got list."),
    ({"W": np.ones(2)}, None, TypeError,
     "SGD.update: 'grads' must be a dict of name -> ndarray; got NoneType."),
])
def test_bad_updates_change_nothing_and_say_why(params, grads, kind, message):
    opt = O.SGD(lr=0.5)
    before = {k: np.array(v, copy=True) for k, v in dict(
        params if isinstance(params, dict) else {}).items()}
    with pytest.raises(kind) as info:
        opt.update(params, grads)
    assert str(info.value).startswith("SGD.update: ")
    assert message in str(info.value)
    assert opt.t == 0 and opt.steps == {}
    for k, v in before.items():
        np.testing.assert_array_equal(params[k], v)


def test_a_dict_subclass_takes_the_full_check_and_still_updates():
    from collections import OrderedDict

    p = OrderedDict(W=np.ones(2))
    O.SGD(lr=0.25).update(p, OrderedDict(W=np.ones(2)))
    np.testing.assert_array_equal(p["W"], [0.75, 0.75])


def test_load_state_dict_names_what_is_missing():
    with pytest.raises(ValueError) as info:
        O.Adam().load_state_dict({"lr": 0.1, "t": 2})
    assert str(info.value) == (
        "Adam.load_state_dict: 'state' must be a dict with keys 'lr', 't', "
        "'state' (from state_dict()); got ['lr', 't'].")
    with pytest.raises(ValueError) as info:
        O.Adam().load_state_dict([("lr", 0.1)])
    assert str(info.value).endswith("; got list.")


def test_load_state_dict_restores_counts_as_ints_and_copies():
    saved = {"lr": 0.5, "t": 3.0, "steps": {"W": 2.0},
             "state": {"W": {"m": np.ones(2), "v": np.ones(2)}}}
    opt = O.Adam()
    opt.load_state_dict(saved)
    assert opt.lr == 0.5 and opt.t == 3 and type(opt.t) is int
    assert opt.steps == {"W": 2} and type(opt.steps["W"]) is int
    assert opt.state["W"]["m"] is not saved["state"]["W"]["m"]
    old = O.Adam()
    old.load_state_dict({k: v for k, v in saved.items() if k != "steps"})
    assert old.steps == {"W": 3}


def test_state_dict_is_a_deep_copy():
    opt = O.Momentum(lr=0.1)
    p = {"W": np.ones(2)}
    opt.update(p, {"W": np.ones(2)})
    saved = opt.state_dict()
    assert saved["lr"] == 0.1 and saved["t"] == 1 and saved["steps"] == {"W": 1}
    opt.update(p, {"W": np.ones(2)})
    np.testing.assert_allclose(saved["state"]["W"]["v"], [-0.1, -0.1])
    assert saved["steps"] == {"W": 1}


def test_repr_leaves_out_star_arguments_and_unstored_ones():
    class Mine(O.SGD):
        def __init__(self, lr=0.1, *more, seed=3, name="mine", beta=0.5,
                     **options):
            super().__init__(lr)
            self.name, self.beta = name, beta

        _hyper = O.Optimizer._hyper

    assert repr(Mine()) == "Mine(lr=0.1, name='mine', beta=0.5)"


# --- gradient noise ----------------------------------------------------------

def test_gradient_noise_first_steps_by_hand():
    noisy = O.GradientNoise(O.SGD(lr=1.0), eta=0.5, gamma=1.0, rng=4)
    assert noisy.t == 0
    p = {"W": np.zeros((2, 2)), "b": np.zeros(3)}
    g = {"W": np.full((2, 2), 2.0), "b": np.arange(3)}      # int gradients
    draws = np.random.default_rng(4)
    want = {}
    for t in (1, 2):
        std = np.sqrt(0.5 / (1 + t))                          # eta/(1+t)^gamma
        for k in ("W", "b"):
            want[k] = want.get(k, 0.0) - (g[k] + std * draws.standard_normal(
                g[k].shape))
        noisy.update(p, g)
        assert noisy.t == t
        for k in ("W", "b"):
            np.testing.assert_allclose(p[k], want[k], rtol=1e-12)
    assert p["b"].dtype == np.float64


def test_gradient_noise_keeps_float32_gradients_float32():
    seen = []

    class Spy(O.SGD):
        def update(self, params, grads):
            seen.append(grads)

    O.GradientNoise(Spy(), rng=0).update({"w": np.zeros(2, np.float32)},
                                         {"w": np.ones(2, np.float32)})
    assert seen[0]["w"].dtype == np.float32


def test_gradient_noise_defaults_and_repr():
    noisy = O.GradientNoise(O.SGD())
    assert noisy.variance(1) == pytest.approx(0.01 / 2 ** 0.55, rel=1e-15)
    assert noisy.variance(0) == 0.01
    assert repr(noisy) == "GradientNoise(SGD(lr=0.01), eta=0.01, gamma=0.55)"
    assert isinstance(noisy.rng, np.random.Generator)


def test_gradient_noise_state_round_trip_continues_the_decay():
    a = O.GradientNoise(O.Momentum(lr=0.1), eta=0.2, rng=0)
    p = {"w": np.zeros(2)}
    a.update(p, {"w": np.ones(2)})
    a.update(p, {"w": np.ones(2)})
    saved = a.state_dict()
    assert saved["t"] == 2 and saved["optimizer"]["t"] == 2
    b = O.GradientNoise(O.Momentum(lr=0.1), eta=0.2, rng=0)
    b.load_state_dict({"t": 2.0, "optimizer": saved["optimizer"]})
    assert b.t == 2 and type(b.t) is int and b.optimizer.t == 2
    np.testing.assert_array_equal(b.optimizer.state["w"]["v"],
                                  a.optimizer.state["w"]["v"])


@pytest.mark.parametrize("make, start", [
    (lambda: O.GradientNoise(O.SGD(), eta=-0.1), "GradientNoise: 'eta'"),
    (lambda: O.GradientNoise(O.SGD(), gamma=-0.1), "GradientNoise: 'gamma'"),
])
def test_gradient_noise_errors_name_the_argument(make, start):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value).startswith(start + " must be ")


def test_gradient_noise_needs_update_and_lr():
    class OnlyUpdate:
        def update(self, params, grads):
            pass

    class OnlyLr:
        lr = 0.1

    for bad in (OnlyUpdate(), OnlyLr()):
        with pytest.raises(TypeError, match=r"^GradientNoise: 'optimizer' "):
            O.GradientNoise(bad)
    O.GradientNoise(O.SGD(), eta=0.0, gamma=0.0)


# --- clipping ----------------------------------------------------------------

def test_clip_sums_float32_norms_in_float64():
    # four norms of 1e19: their squares overflow float32 (max 3.4e38)
    grads = {k: np.array([1e19], dtype=np.float32) for k in "abcd"}
    total = clip_grad_norm(grads, 1.0)
    assert total == pytest.approx(2e19, rel=1e-6)
    for g in grads.values():
        assert g.dtype == np.float32 and g[0] == pytest.approx(0.5, rel=1e-6)


def test_clip_leaves_nonfinite_gradients_alone():
    grads = {"a": np.array([np.inf, 1.0]), "b": np.array([3.0])}
    assert clip_grad_norm(grads, 1.0) == np.inf
    np.testing.assert_array_equal(grads["a"], [np.inf, 1.0])
    assert grads["b"][0] == 3.0


def test_clip_leaves_short_gradients_unscaled():
    grads = {"a": np.array([0.6]), "b": np.array([0.8])}
    assert clip_grad_norm(grads, 1.0 + 1e-6) == pytest.approx(1.0)
    np.testing.assert_array_equal(grads["a"], [0.6])
    grads = {"a": np.array([3.0]), "b": np.array([4.0])}
    assert clip_grad_norm(grads, 10.0) == 5.0 and grads["a"][0] == 3.0
