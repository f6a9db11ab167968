"""Assignment 01-foundations beyond what tests/test_assignments_fast.py checks
for every assignment: the visible failure a plausible wrong answer of
tests/mutants/01-foundations.py meets names its mistake, and the reference
matches the definitions, central differences and a reproducible training
run."""

from __future__ import annotations

import numpy as np
import pytest

from course_tools.checks import reference
from course_tools.course import SOLUTIONS

from .assignments import load_mutants, run_visible, variants

ASSIGNMENT, NOTEBOOK = "01-foundations", "foundations.ipynb"
VARIANTS = variants(ASSIGNMENT, NOTEBOOK)
MUTANTS = {m.name: m for m in load_mutants(ASSIGNMENT) if m.message}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_visible_failure_names_the_mistake(name):
    mutant = MUTANTS[name]
    _, failed = run_visible(VARIANTS[f"mutant-{name}"])
    text = "\n".join(failed[c] for c in set(failed) & set(mutant.loses))
    assert mutant.message.lower() in text.lower(), (name, failed)


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
