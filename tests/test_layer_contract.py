"""The layer contract, checked once for every layer of course_lib.layers.

Each case builds a layer and an input of distinct sizes (N != D != M, so a
wrong transpose fails). Every case is checked for: output shape, params and
grads with the same keys and shapes, float32 in -> float32 out (and float64),
inputs left unmodified, backward before forward raising, a wrong dout shape
raising, and a numerical gradient check of x and every parameter in float64
with a random upstream gradient. Noise layers are checked with their noise
frozen (a copy of the layer, taken before the first draw, for every
evaluation). The loss layers follow the same battery adapted to their
``forward(x, t) -> float`` signature.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

import course_lib.layers as L
from course_lib.gradcheck import check_layer, numerical_gradient, relative_error


@dataclass
class Case:
    name: str
    make: Callable          # (dtype, rng) -> layer
    in_shape: tuple
    out_shape: tuple
    train: bool = True
    noisy: bool = False     # draws random noise in this mode
    repr_: str = ""


def _w(rng, shape, dtype, loc=0.0, scale=1.0):
    return rng.normal(loc, scale, shape).astype(dtype)


CASES = [
    Case("Affine", lambda d, r: L.Affine(_w(r, (7, 3), d), _w(r, (3,), d)),
         (4, 7), (4, 3), repr_="Affine(D=7, M=3)"),
    Case("Affine-4d", lambda d, r: L.Affine(_w(r, (6, 3), d),
                                            _w(r, (3,), d)),
         (4, 1, 2, 3), (4, 3), repr_="Affine(D=6, M=3)"),
    Case("ReLU", lambda d, r: L.ReLU(), (4, 7), (4, 7), repr_="ReLU()"),
    # With zero strengths its backward is the identity's; the gradient of
    # its penalty is checked through the network loss in
    # tests/test_activity_regularization.py.
    Case("ActivityRegularization", lambda d, r: L.ActivityRegularization(),
         (4, 7), (4, 7), repr_="ActivityRegularization(l1=0, l2=0)"),
    Case("Sigmoid", lambda d, r: L.Sigmoid(), (4, 7), (4, 7),
         repr_="Sigmoid()"),
    Case("Tanh", lambda d, r: L.Tanh(), (4, 7), (4, 7), repr_="Tanh()"),
    Case("Flatten", lambda d, r: L.Flatten(), (4, 2, 3), (4, 6),
         repr_="Flatten()"),
    Case("Conv2D", lambda d, r: L.Conv2D(_w(r, (3, 2, 3, 3), d),
                                         _w(r, (3,), d), stride=1, pad=1),
         (2, 2, 5, 4), (2, 3, 5, 4),
         repr_="Conv2D(F=3, C=2, kh=3, kw=3, stride=1, pad=1)"),
    Case("Conv2D-strided", lambda d, r: L.Conv2D(_w(r, (3, 2, 3, 2), d),
                                                 _w(r, (3,), d), stride=2,
                                                 pad=1),
         (2, 2, 5, 6), (2, 3, 3, 4),
         repr_="Conv2D(F=3, C=2, kh=3, kw=2, stride=2, pad=1)"),
    Case("MaxPool2D", lambda d, r: L.MaxPool2D(2, 2), (2, 3, 4, 6),
         (2, 3, 2, 3), repr_="MaxPool2D(size=2, stride=2, pad=0)"),
    Case("Dropout-train", lambda d, r: L.Dropout(0.3, rng=r), (5, 6),
         (5, 6), noisy=True, repr_="Dropout(ratio=0.3, inverted=True)"),
    Case("Dropout-infer", lambda d, r: L.Dropout(0.3, rng=r), (5, 6),
         (5, 6), train=False, repr_="Dropout(ratio=0.3, inverted=True)"),
    Case("Dropout-direct-train", lambda d, r: L.Dropout(0.3, False, rng=r),
         (5, 6), (5, 6), noisy=True,
         repr_="Dropout(ratio=0.3, inverted=False)"),
    Case("Dropout-direct-infer", lambda d, r: L.Dropout(0.3, False, rng=r),
         (5, 6), (5, 6), train=False,
         repr_="Dropout(ratio=0.3, inverted=False)"),
    Case("GaussianDropout-train", lambda d, r: L.GaussianDropout(0.3, rng=r),
         (5, 6), (5, 6), noisy=True, repr_="GaussianDropout(rate=0.3)"),
    Case("GaussianDropout-infer", lambda d, r: L.GaussianDropout(0.3, rng=r),
         (5, 6), (5, 6), train=False, repr_="GaussianDropout(rate=0.3)"),
    Case("AlphaDropout-train", lambda d, r: L.AlphaDropout(0.3, rng=r),
         (5, 6), (5, 6), noisy=True, repr_="AlphaDropout(rate=0.3)"),
    Case("AlphaDropout-infer", lambda d, r: L.AlphaDropout(0.3, rng=r),
         (5, 6), (5, 6), train=False, repr_="AlphaDropout(rate=0.3)"),
    Case("BatchNorm-2d", lambda d, r: L.BatchNorm(_w(r, (4,), d, 1, 0.5),
                                                  _w(r, (4,), d)),
         (6, 4), (6, 4), repr_="BatchNorm(D=4, momentum=0.9, eps=1e-05)"),
    Case("BatchNorm-4d", lambda d, r: L.BatchNorm(_w(r, (4,), d, 1, 0.5),
                                                  _w(r, (4,), d),
                                                  momentum=0.8),
         (3, 4, 2, 3), (3, 4, 2, 3),
         repr_="BatchNorm(D=4, momentum=0.8, eps=1e-05)"),
    Case("BatchNorm-2d-infer", lambda d, r: L.BatchNorm(
        _w(r, (4,), d, 1, 0.5), _w(r, (4,), d)), (6, 4), (6, 4),
        train=False, repr_="BatchNorm(D=4, momentum=0.9, eps=1e-05)"),
    Case("BatchNorm-4d-infer", lambda d, r: L.BatchNorm(
        _w(r, (4,), d, 1, 0.5), _w(r, (4,), d)), (3, 4, 2, 3), (3, 4, 2, 3),
        train=False, repr_="BatchNorm(D=4, momentum=0.9, eps=1e-05)"),
    Case("LayerNorm", lambda d, r: L.LayerNorm(_w(r, (6,), d, 1, 0.5),
                                               _w(r, (6,), d)),
         (5, 6), (5, 6), repr_="LayerNorm(D=6, eps=1e-05)"),
    Case("GroupNorm", lambda d, r: L.GroupNorm(_w(r, (6,), d, 1, 0.5),
                                               _w(r, (6,), d), groups=3),
         (3, 6, 2, 3), (3, 6, 2, 3),
         repr_="GroupNorm(C=6, groups=3, eps=1e-05)"),
    Case("GroupNorm-infer", lambda d, r: L.GroupNorm(
        _w(r, (6,), d, 1, 0.5), _w(r, (6,), d), groups=2, eps=1e-3),
        (2, 6, 3, 2), (2, 6, 3, 2), train=False,
        repr_="GroupNorm(C=6, groups=2, eps=0.001)"),
]
IDS = [c.name for c in CASES]


def make(case, dtype=np.float64, seed=0):
    """The layer of ``case`` and an input for it, both in ``dtype``."""
    rng = np.random.default_rng(seed)
    layer = case.make(dtype, rng)
    # off-centre and of varied scale, so a missing centring shows up
    x = rng.normal(0.5, 2.0, case.in_shape)
    if isinstance(layer, L.ReLU):       # keep away from the kink at 0
        x += np.sign(x) * 0.1
    return layer, x.astype(dtype)


def test_every_layer_class_has_a_case():
    exported = [getattr(L, name) for name in L.__all__]
    layer_classes = {c for c in exported if isinstance(c, type)
                     and issubclass(c, L.Layer) and c is not L.Layer}
    losses = {L.SoftmaxWithLoss, L.MeanSquaredError}
    covered = {type(make(c)[0]) for c in CASES}
    assert layer_classes - losses - covered == set()
    assert {type(c.make(np.float64, None)) for c in LOSS_CASES} == losses


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_shapes_keys_and_repr(case):
    layer, x = make(case)
    assert set(layer.params) == set(layer.grads)
    out = layer.forward(x, train=case.train)
    assert out.shape == case.out_shape
    dx = layer.backward(np.ones_like(out))
    assert dx.shape == x.shape
    for k, p in layer.params.items():
        assert layer.grads[k].shape == p.shape, k
    assert repr(layer) == case.repr_


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_dtype_in_equals_dtype_out(case, dtype):
    layer, x = make(case, dtype)
    out = layer.forward(x, train=case.train)
    assert out.dtype == dtype
    dout = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    assert layer.backward(dout).dtype == dtype
    for k, g in layer.grads.items():
        assert g.dtype == dtype, k
    for k, b in layer.buffers.items():
        assert b.dtype == dtype, k


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_inputs_are_not_modified(case):
    layer, x = make(case)
    x0 = x.copy()
    out = layer.forward(x, train=case.train)
    dout = np.random.default_rng(2).standard_normal(out.shape)
    dout0 = dout.copy()
    layer.backward(dout)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dout, dout0)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_backward_before_forward_raises(case):
    layer, _ = make(case)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones(case.out_shape))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_wrong_dout_shape_raises(case):
    layer, x = make(case)
    out = layer.forward(x, train=case.train)
    bad = out.shape[:-1] + (out.shape[-1] + 1,)
    with pytest.raises(ValueError, match="'dout'"):
        layer.backward(np.ones(bad))
    with pytest.raises(ValueError, match="'dout'"):
        layer.backward(np.ones(out.shape[1:]))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_check(case):
    layer, x = make(case, seed=3)
    if not case.noisy:
        errors = check_layer(layer, x, rng=4, train=case.train)
    else:                   # the same noise in every evaluation
        template = copy.deepcopy(layer)
        dout = np.random.default_rng(4).standard_normal(case.out_shape)

        def loss(z):
            fresh = copy.deepcopy(template)
            return float(np.sum(fresh.forward(z, train=True) * dout))

        layer.forward(x, train=True)
        errors = {"x": relative_error(layer.backward(dout),
                                      numerical_gradient(loss, x))}
    assert set(errors) == {"x", *layer.params}
    for key, err in errors.items():
        assert err < 1e-7, f"{case.name}: gradient of {key} off by {err:.1e}"


# ------------------------------------------------------------------ losses

@dataclass
class LossCase:
    name: str
    make: Callable          # (dtype, rng) -> loss layer
    target: Callable        # (rng, N, K) -> t


def _soft(rng, n, k):
    p = rng.uniform(0.1, 1.0, (n, k))
    return p / p.sum(axis=1, keepdims=True)


LOSS_CASES = [
    LossCase("softmax-labels", lambda d, r: L.SoftmaxWithLoss(),
             lambda r, n, k: r.integers(0, k, n)),
    LossCase("softmax-soft", lambda d, r: L.SoftmaxWithLoss(), _soft),
    LossCase("mse-targets", lambda d, r: L.MeanSquaredError(),
             lambda r, n, k: r.standard_normal((n, k))),
    LossCase("mse-labels", lambda d, r: L.MeanSquaredError(),
             lambda r, n, k: r.integers(0, k, n)),
]
LOSS_IDS = [c.name for c in LOSS_CASES]
N, K = 5, 4


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", LOSS_CASES, ids=LOSS_IDS)
def test_loss_contract(case, dtype):
    rng = np.random.default_rng(5)
    layer = case.make(dtype, rng)
    x = rng.normal(0.5, 2.0, (N, K)).astype(dtype)
    t = case.target(rng, N, K)
    x0, t0 = x.copy(), t.copy()
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward()
    value = layer.forward(x, t)
    assert isinstance(value, float) and np.isfinite(value)
    dx = layer.backward()
    assert dx.shape == x.shape and dx.dtype == dtype
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(t, t0)
    with pytest.raises(ValueError, match="'dout'"):
        layer.backward(np.ones(3))
    with pytest.raises(ValueError, match=r"'x'.*at least one sample.*"
                       r"\(0, 4\)"):
        layer.forward(np.zeros((0, K), dtype), t[:0])


@pytest.mark.parametrize("case", LOSS_CASES, ids=LOSS_IDS)
def test_loss_gradient_check(case):
    rng = np.random.default_rng(6)
    layer = case.make(np.float64, rng)
    x = rng.normal(0.5, 2.0, (N, K))
    t = case.target(rng, N, K)
    layer.forward(x, t)
    dx = layer.backward(0.7)            # the upstream gradient scales dx
    num = numerical_gradient(lambda z: 0.7 * case.make(np.float64, rng)
                             .forward(z, t), x)
    assert relative_error(dx, num) < 1e-7
