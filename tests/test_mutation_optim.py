"""Properties of course_lib.optim that plausible slips break: ``repr``
shows the hyperparameters under their constructor names (floats in ``%g``),
and every bad hyperparameter is refused naming the class and the argument."""

from __future__ import annotations

import inspect

import pytest

import course_lib.optim as O

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
