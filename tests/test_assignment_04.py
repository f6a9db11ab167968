"""Assignment 04-batchnorm beyond what tests/test_assignments_fast.py checks
for every assignment: the hidden checks give the reference full marks and
each plausible wrong answer of tests/mutants/04-batchnorm.py loses exactly
its own cells under other seeds as well, image tasks written without the
(wrong) helpers keep their points, and the reference equals PyTorch,
course_lib and a numerical gradient, in float32 too."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.layers import BatchNorm, LayerNorm

from .assignments import (
    autograded_points,
    hidden_in_process,
    load_mutants,
    run_visible,
    variants,
)

pytestmark = pytest.mark.ch4

ASSIGNMENT, NOTEBOOK = "04-batchnorm", "batchnorm.ipynb"
VARIANTS = variants(ASSIGNMENT, NOTEBOOK)
MUTANTS = {m.name: m for m in load_mutants(ASSIGNMENT)}
FULL = autograded_points(VARIANTS["blank"])
_REFERENCE_NS, _ = run_visible(VARIANTS["reference"])


def losing(nb: dict, namespace: dict, seed: int) -> set[str]:
    """The test cells whose hidden checks do not all pass."""
    scores, _ = hidden_in_process(ASSIGNMENT, NOTEBOOK, nb, namespace, seed)
    return {cell for cell, got in scores.items() if got < FULL[cell]}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_earns_every_hidden_point_under_other_seeds(seed):
    assert losing(VARIANTS["reference"], _REFERENCE_NS, seed) == set()


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_loses_exactly_its_cells_under_other_seeds(name):
    nb = VARIANTS[f"mutant-{name}"]
    namespace, _ = run_visible(nb)
    for seed in (0, 1):
        assert losing(nb, namespace, seed) == set(MUTANTS[name].loses), seed


# ------------------------------------------- the reference against others

def _ref(name):
    return _REFERENCE_NS[name]


@pytest.mark.parametrize("shape", [(5, 7), (1, 4), (8, 3)])
@pytest.mark.parametrize("eps", [1e-5, 0.3])
def test_layernorm_equals_torch_and_course_lib(shape, eps):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    x = rng.normal(size=shape) * 3 + 1
    gamma, beta = rng.uniform(0.5, 2, shape[1]), rng.normal(size=shape[1])
    out, cache = _ref("layernorm_forward")(x, gamma, beta, eps=eps)
    want = torch.nn.functional.layer_norm(
        torch.tensor(x), (shape[1],), torch.tensor(gamma), torch.tensor(beta),
        eps=eps).numpy()
    assert np.allclose(out, want, rtol=1e-10, atol=1e-12)
    layer = LayerNorm(gamma.copy(), beta.copy(), eps=eps)
    assert np.allclose(out, layer.forward(x), rtol=1e-12, atol=1e-14)
    dout = rng.normal(size=shape)
    dx, dgamma, dbeta = _ref("layernorm_backward")(dout, cache, gamma)
    assert np.allclose(dx, layer.backward(dout), rtol=1e-9, atol=1e-12)
    assert np.allclose(dgamma, layer.grads["gamma"])
    assert np.allclose(dbeta, layer.grads["beta"])


def test_layernorm_backward_matches_numerical_gradient():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(4, 6)) * 2
    gamma, beta = rng.uniform(0.5, 2, 6), rng.normal(size=6)
    dout = rng.normal(size=x.shape)
    fwd = _ref("layernorm_forward")
    dx, dgamma, _ = _ref("layernorm_backward")(dout, fwd(x, gamma, beta)[1],
                                               gamma)
    assert relative_error(dx, numerical_gradient(
        lambda v: np.sum(fwd(v, gamma, beta)[0] * dout), x)) < 1e-8
    assert relative_error(dgamma, numerical_gradient(
        lambda g: np.sum(fwd(x, g, beta)[0] * dout), gamma)) < 1e-8


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 1, 2, 2), (1, 4, 3, 1)])
def test_spatial_batchnorm_equals_torch_and_course_lib(shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(13)
    C = shape[1]
    x = rng.normal(size=shape) * 2 + 1
    gamma, beta = rng.uniform(0.5, 2, C), rng.normal(size=C)
    out, cache = _ref("spatial_batchnorm_forward")(x, gamma, beta)
    want = torch.nn.functional.batch_norm(
        torch.tensor(x), None, None, torch.tensor(gamma), torch.tensor(beta),
        training=True, eps=1e-5).numpy()
    assert np.allclose(out, want, rtol=1e-10, atol=1e-12)
    layer = BatchNorm(gamma.copy(), beta.copy())
    assert np.allclose(out, layer.forward(x, train=True), rtol=1e-12,
                       atol=1e-14)
    dout = rng.normal(size=shape)
    dx, dgamma, dbeta = _ref("spatial_batchnorm_backward")(dout, cache, gamma)
    assert np.allclose(dx, layer.backward(dout), rtol=1e-9, atol=1e-12)
    assert np.allclose(dgamma, layer.grads["gamma"])
    assert np.allclose(dbeta, layer.grads["beta"])
    fwd = _ref("spatial_batchnorm_forward")
    assert relative_error(dx, numerical_gradient(
        lambda v: np.sum(fwd(v, gamma, beta)[0] * dout), x)) < 1e-7


@pytest.mark.parametrize("name,args", [
    ("spatial_batchnorm_forward", lambda r: (r.normal(size=(2, 3, 2, 2)),
                                             np.ones(3), np.zeros(3))),
    ("layernorm_forward", lambda r: (r.normal(size=(3, 4)), np.ones(4),
                                     np.zeros(4))),
])
def test_reference_keeps_float32(name, args):
    a = [v.astype(np.float32) for v in args(np.random.default_rng(0))]
    out, cache = _ref(name)(*a)
    assert out.dtype == np.float32
    assert all(c.dtype == np.float32 for c in cache)


_DIRECT = '''
def spatial_batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    C = x.shape[1]
    out = gamma.reshape(1, C, 1, 1) * x_hat + beta.reshape(1, C, 1, 1)
    rows = x_hat.transpose(0, 2, 3, 1).reshape(-1, C)
    return out, (rows, 1.0 / np.sqrt(var.reshape(1, C) + eps))


def spatial_batchnorm_backward(dout, cache, gamma):
    N, C, H, W = dout.shape
    x_hat = cache[0].reshape(N, H, W, C).transpose(0, 3, 1, 2)
    inv_std = cache[1].reshape(1, C, 1, 1)
    g = gamma.reshape(1, C, 1, 1)
    axes = (0, 2, 3)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * x_hat).sum(axis=axes)
    dx = g * inv_std * (dout - dout.mean(axis=axes, keepdims=True)
                        - x_hat * (dout * x_hat).mean(axis=axes,
                                                      keepdims=True))
    return dx, dgamma, dbeta
'''


@pytest.mark.parametrize("helper", ["train-no-scale-and-shift",
                                    "backward-missing-xhat-term"])
def test_image_tasks_written_without_the_helpers_keep_their_points(helper):
    """A correct image answer that does not call the (wrong) helper of
    Task 1 or 4 still earns its points: the hidden checks accept the
    reference's answer as well as the one the student's helper implies."""
    nb = VARIANTS[f"mutant-{helper}"]
    namespace, _ = run_visible(nb)
    exec(_DIRECT, namespace)
    assert losing(nb, namespace, 0) == set(MUTANTS[helper].loses)
