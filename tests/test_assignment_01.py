"""Assignment 01-foundations without nbgrader: the visible tests pass on the
reference, fail on the blank release, and catch every plausible wrong
answer of tests/mutants/01-foundations.py, so "Success" from validate means
the hidden checks will not find a mistake of the same kind.

The notebooks are plain NumPy, so their cells run in this process (fast);
tests/test_assignments.py grades the same variants with real nbgrader."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest

from course_tools.checks import reference
from course_tools.course import SOLUTIONS

from .assignments import load_mutants, nbgrader_meta, variants

ASSIGNMENT, NOTEBOOK = "01-foundations", "foundations.ipynb"
VARIANTS = variants(ASSIGNMENT, NOTEBOOK)
MUTANTS = {m.name: m for m in load_mutants(ASSIGNMENT)}
TEST_CELLS = [nbgrader_meta(c)["grade_id"] for c in VARIANTS["blank"]["cells"]
              if nbgrader_meta(c).get("grade")
              and not nbgrader_meta(c).get("solution")]


def visible_failures(nb: dict) -> dict[str, str]:
    """grade_id -> error text of every test cell that raised, running the
    notebook's code cells in order in one namespace."""
    namespace: dict = {"__name__": "__notebook__"}
    failed = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        gid = nbgrader_meta(cell).get("grade_id", "?")
        source = "".join(cell["source"])
        try:
            with contextlib.redirect_stdout(io.StringIO()), \
                    np.errstate(all="ignore"):
                exec(compile(source, gid, "exec"), namespace)
        except Exception as exc:  # a failing cell, as in the notebook
            failed[gid] = f"{type(exc).__name__}: {exc}"
    return failed


def test_reference_passes_every_visible_test():
    assert visible_failures(VARIANTS["reference"]) == {}


def test_blank_release_fails_every_visible_test():
    failed = visible_failures(VARIANTS["blank"])
    assert set(failed) >= set(TEST_CELLS), sorted(set(TEST_CELLS) -
                                                  set(failed))


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_visible_tests_catch_the_mutant(name):
    mutant = MUTANTS[name]
    failed = visible_failures(VARIANTS[f"mutant-{name}"])
    caught = set(failed) & set(mutant.loses)
    assert caught, (f"{name}: no visible test of {mutant.loses} fails, so "
                    f"validate says Success (failing: {sorted(failed)})")
    if mutant.message:
        text = "\n".join(failed[c] for c in caught)
        assert mutant.message.lower() in text.lower(), (name, text)


# ------------------------------------------------ the reference's answers

@pytest.fixture(scope="module")
def ref():
    return reference(SOLUTIONS / ASSIGNMENT / NOTEBOOK)


def test_softmax_with_loss_matches_the_definition(ref):
    rng = np.random.default_rng(0)
    x, t = rng.normal(scale=3.0, size=(5, 4)), np.array([0, 3, 1, 1, 2])
    layer = ref.SoftmaxWithLoss()
    loss = layer.forward(x, t)
    y = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    assert isinstance(loss, float)
    assert np.isclose(loss, -np.mean(np.log(y[np.arange(5), t])))
    T = np.eye(4)[t]
    np.testing.assert_allclose(layer.backward(3.0), 3.0 * (y - T) / 5)
    assert np.isclose(ref.SoftmaxWithLoss().forward(x, T), loss)
    far = ref.SoftmaxWithLoss().forward(np.array([[1e5, -1e5, 0.0]]),
                                        np.array([1]))
    assert np.isclose(far, 2e5)


def test_reference_gradient_matches_central_differences(ref):
    rng = np.random.default_rng(1)
    params = [rng.normal(size=s) for s in ((3, 6), (6,), (6, 2), (2,))]
    net = ref.TwoLayerNet(*params)
    x, t = rng.normal(size=(7, 3)), rng.integers(0, 2, size=7)
    grads = net.gradient(x, t)
    numeric = net.numerical_gradient(x, t)
    for key in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(grads[key], numeric[key], rtol=1e-5,
                                   atol=1e-8)


def test_reference_train_is_reproducible_and_learns(ref):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40, 2))
    t = (x[:, 0] * x[:, 1] > 0).astype(int)
    params = [rng.normal(scale=0.5, size=s)
              for s in ((2, 16), (16,), (16, 2), (2,))]

    def run():
        net = ref.TwoLayerNet(*[p.copy() for p in params])
        return ref.train(net, x, t, 60, 8, 0.2, np.random.default_rng(5))

    first, second = run(), run()
    assert first == second
    assert len(first) == 60 * 5
    assert np.mean(first[-5:]) < 0.5 * np.mean(first[:5])
