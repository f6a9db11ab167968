"""Assignment 04-batchnorm without nbgrader (fast): the reference passes its
visible tests and hidden checks, every plausible wrong answer of
tests/mutants/04-batchnorm.py fails a visible test of its own cell (so
*Validate* catches what grading catches) and loses exactly its own cells in
the hidden checks, and the reference equals PyTorch, course_lib and a
numerical gradient. test_assignments.py grades the same variants with real
nbgrader."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.layers import BatchNorm, LayerNorm
from course_tools.checks import Reference, StudentError, load_checks

from .assignments import MARKERS, load_mutants, nbgrader_meta, variants

pytestmark = pytest.mark.ch4

ASSIGNMENT, NOTEBOOK = "04-batchnorm", "batchnorm.ipynb"
VARIANTS = variants(ASSIGNMENT, NOTEBOOK)
MUTANTS = {m.name: m for m in load_mutants(ASSIGNMENT)}
CHECKS = load_checks(ASSIGNMENT)


def _code(cell) -> str:
    src = cell["source"]
    src = src if isinstance(src, str) else "".join(src)
    return "\n".join(ln for ln in src.splitlines() if ln.strip() not in MARKERS)


def _is_test(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def run_visible(nb: dict) -> tuple[dict, dict[str, str]]:
    """Run the code cells in order as Validate does: the namespace, and
    grade_id -> failure text of every test cell that raised."""
    ns: dict = {"__name__": "__main__"}
    failed = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        gid = nbgrader_meta(cell).get("grade_id", "?")
        try:
            with contextlib.redirect_stdout(io.StringIO()), \
                    np.errstate(all="ignore"):
                exec(compile(_code(cell), gid, "exec"), ns)
        except Exception as exc:  # a student's error, reported per cell
            if _is_test(cell):
                failed[gid] = f"{type(exc).__name__}: {exc}"
    return ns, failed


class _Probe(Reference):
    """The variant's functions, in process; their errors arrive as
    StudentError, as they do from the sandbox."""

    def __getattr__(self, name):
        fn = super().__getattr__(name)

        def call(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # the answer's own error
                raise StudentError(type(exc).__name__, str(exc)) from None
        return call


def run_hidden(ns: dict, seed: int = 0) -> dict[str, str]:
    """grade_id -> failure reason of every hidden check that failed, with
    the variant's own functions in place of the sandbox."""
    answers = {k: v for k, v in ns.items() if callable(v)}
    ref = Reference(dict(_REFERENCE_NS))
    failed = {}
    for cell, checks in CHECKS.items():
        for chk in checks:
            try:
                chk.fn(_Probe(dict(answers)), ref.fresh(),
                       np.random.default_rng(seed))
            except Exception as exc:  # Fail, or the answer's own error
                failed[cell] = f"{type(exc).__name__}: {exc}"
    return failed


_REFERENCE_NS, _REFERENCE_FAILED = run_visible(VARIANTS["reference"])


def test_reference_passes_visible_tests():
    assert _REFERENCE_FAILED == {}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_passes_hidden_checks(seed):
    assert run_hidden(_REFERENCE_NS, seed) == {}


def test_blank_fails_every_visible_test():
    _, failed = run_visible(VARIANTS["blank"])
    assert set(failed) == set(CHECKS)


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_fails_its_visible_test(name):
    mutant = MUTANTS[name]
    _, failed = run_visible(VARIANTS[f"mutant-{name}"])
    for cell in mutant.loses:
        assert cell in failed, f"{name} passes the visible tests of {cell}"


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_loses_only_its_own_hidden_checks(name):
    mutant = MUTANTS[name]
    ns, visible = run_visible(VARIANTS[f"mutant-{name}"])
    for seed in (0, 1):
        failed = run_hidden(ns, seed)
        assert set(failed) == set(mutant.loses), failed
        if mutant.message:
            # what the graded cell shows: its visible failure and the
            # reasons of its hidden checks
            text = " ".join([*failed.values(), *(
                visible.get(c, "") for c in mutant.loses)]).lower()
            assert mutant.message.lower() in text, (
                f"{name}: the feedback does not name the mistake "
                f"({mutant.message!r}): {text}")


def test_visible_tests_cover_every_graded_cell():
    graded = {nbgrader_meta(c)["grade_id"]
              for c in VARIANTS["reference"]["cells"] if _is_test(c)}
    assert graded == set(CHECKS)
    assert graded == {c for m in MUTANTS.values() for c in m.loses}


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
    ns, _ = run_visible(VARIANTS[f"mutant-{helper}"])
    exec(_DIRECT, ns)
    assert set(run_hidden(ns)) == set(MUTANTS[helper].loses)
