"""Assignment 05-regularization: the reference training loop with early
stopping agrees with course_lib's Trainer and EarlyStopping, and the hidden
checks of that loop judge it with the student's own monitor of Task 4 — a
mistake there costs Task 4 only, and never excuses a mistake of the loop.

Runs in process, without nbgrader (tests/test_assignments_fast.py runs the
mutants of tests/mutants/05-regularization.py the same way)."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

import course_lib as cl
from course_lib.optim import SGD
from course_lib.regularization import EarlyStopping
from course_tools.checks import reference
from course_tools.course import EXERCISES, SOLUTIONS

from .assignments import (
    fill,
    hidden_in_process,
    load_mutants,
    run_visible,
    solution_sources,
)

ASSIGNMENT, NOTEBOOK = "05-regularization", "regularization.ipynb"
LOOP_CELL, LOOP_TEST = "train_early_stopping", "test_train_early_stopping"
MONITOR_TEST = "test_early_stopping"
ANSWERS = solution_sources(SOLUTIONS / ASSIGNMENT / NOTEBOOK)
MUTANTS = {m.name: m for m in load_mutants(ASSIGNMENT)}


@pytest.fixture(scope="module")
def ref():
    return reference(SOLUTIONS / ASSIGNMENT / NOTEBOOK)


def _problem(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(60, 4))
    t = (x[:, 0] + 0.5 * rng.normal(size=60) > 0).astype(int)
    x_val = rng.normal(size=(30, 4))
    t_val = (x_val[:, 0] + 0.5 * rng.normal(size=30) > 0).astype(int)
    return x, t, x_val, t_val


@pytest.mark.parametrize(("epochs", "stops"), [(300, True), (32, False)])
def test_reference_loop_agrees_with_the_trainer(ref, epochs, stops):
    x, t, x_val, t_val = _problem(4)  # best epoch 29, stops after 34
    sizes, seed = [4, 50, 50, 2], 11

    lib_net = cl.mlp(sizes, rng=seed)
    stopper = EarlyStopping("val_loss", patience=5)
    h = cl.Trainer(lib_net, SGD(lr=0.1), batch_size=16, callbacks=[stopper],
                   rng=seed).fit(x, t, epochs=epochs, x_val=x_val,
                                 t_val=t_val)

    net = cl.mlp(sizes, rng=seed)
    # the Trainer shuffles with the first of two children of its generator
    shuffle = np.random.default_rng(seed).spawn(2)[0]
    got = ref.train_with_early_stopping(
        net, SGD(lr=0.1), x, t, x_val, t_val, epochs=epochs, batch_size=16,
        patience=5, rng=shuffle)

    assert (got["stopped_epoch"] is not None) == stops
    assert got["stopped_epoch"] == h.stopped_epoch
    assert got["best_epoch"] == h.notes["early_stopping"]["best_epoch"]
    assert got["best_epoch"] < len(got["val_loss"])  # restoring matters
    np.testing.assert_allclose(got["val_loss"], h.val_loss, rtol=1e-10)
    np.testing.assert_allclose(got["train_loss"], h.train_loss, rtol=1e-10)
    for key, value in lib_net.params.items():
        np.testing.assert_allclose(net.params[key], value, rtol=1e-12)


def _graded(answers: dict[str, str]):
    """(visible failures, hidden points, hidden reasons) of the release
    filled with ``answers`` (the reference answer elsewhere)."""
    release = json.loads((EXERCISES / ASSIGNMENT / NOTEBOOK).read_text())
    nb = fill(release, {**ANSWERS, **answers})
    namespace, visible = run_visible(nb)
    scores, reasons = hidden_in_process(ASSIGNMENT, NOTEBOOK, nb, namespace)
    return visible, scores, reasons


def _mutant(name: str) -> str:
    m = MUTANTS[name]
    return m.resolve(ANSWERS[m.cell])


@pytest.mark.parametrize("monitor", ["early-stopping-patience-off-by-one",
                                     "early-stopping-keeps-references",
                                     "early-stopping-ties-improve"])
def test_a_wrong_monitor_costs_task_4_only(monitor):
    _, scores, reasons = _graded({"early_stopping": _mutant(monitor)})
    assert scores[MONITOR_TEST] < 3
    assert scores[LOOP_TEST] == 3, reasons[LOOP_TEST]


# A loop with its own stopping rule, correct, beside a wrong monitor
INLINE_LOOP = '''
def train_with_early_stopping(net, optimizer, x_train, t_train, x_val, t_val,
                              *, epochs, batch_size, patience, rng):
    history = {"train_loss": [], "val_loss": [], "stopped_epoch": None}
    best, best_epoch, best_params, wait = np.inf, None, None, 0
    n = len(x_train)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            b = order[start:start + batch_size]
            optimizer.update(net.params, net.gradient(x_train[b], t_train[b]))
        history["train_loss"].append(net.loss(x_train, t_train))
        val = net.loss(x_val, t_val)
        history["val_loss"].append(val)
        if val < best:
            best, best_epoch, wait = val, epoch, 0
            best_params = {k: v.copy() for k, v in net.params.items()}
        else:
            wait += 1
            if wait >= patience:
                history["stopped_epoch"] = epoch
                break
    for k, v in best_params.items():
        net.params[k][...] = v
    history["best_epoch"] = best_epoch
    return history
'''


def test_a_loop_of_its_own_earns_its_points_beside_a_wrong_monitor():
    visible, scores, reasons = _graded({
        LOOP_CELL: INLINE_LOOP,
        "early_stopping": _mutant("early-stopping-patience-off-by-one")})
    assert scores[LOOP_TEST] == 3, reasons[LOOP_TEST]
    assert LOOP_TEST not in visible, visible
    assert scores[MONITOR_TEST] < 3


@pytest.mark.parametrize("loop", ["loop-keeps-last-weights",
                                  "loop-one-permutation",
                                  "loop-restore-rebinds",
                                  "loop-monitors-training-loss"])
def test_a_wrong_monitor_does_not_excuse_a_wrong_loop(loop):
    _, scores, reasons = _graded({
        LOOP_CELL: _mutant(loop),
        "early_stopping": _mutant("early-stopping-patience-off-by-one")})
    assert scores[LOOP_TEST] == 0, reasons[LOOP_TEST]


def test_a_monitor_keeping_references_makes_restoring_invisible():
    """Its best_params are the live arrays, so the reference loop with it
    ends with the last weights, as a loop that never restores does: judged
    with the student's own monitor, the two cannot be told apart. Such a
    pair loses Task 4's points only (a limit of judging on behaviour)."""
    monitor = _mutant("early-stopping-keeps-references")
    _, with_restore, _ = _graded({"early_stopping": monitor})
    _, without, _ = _graded({"early_stopping": monitor,
                             LOOP_CELL: _mutant("loop-keeps-last-weights")})
    assert with_restore == without
    assert without[MONITOR_TEST] < 3 and without[LOOP_TEST] == 3


def test_a_monitor_that_raises_is_named_in_the_loop_feedback():
    broken = ANSWERS["early_stopping"].replace(
        "        if val_loss < self.best - self.min_delta:",
        "        if val_loss < self.best - self.min_delta + None:")
    assert broken != ANSWERS["early_stopping"]
    _, scores, reasons = _graded({"early_stopping": broken})
    assert scores[LOOP_TEST] == 0 and scores[MONITOR_TEST] == 0
    assert "fix Task 4 first" in reasons[LOOP_TEST], reasons[LOOP_TEST]


def _checks_module():
    path = SOLUTIONS / ASSIGNMENT / "checks.py"
    spec = importlib.util.spec_from_file_location("checks_05", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_hidden_problems_stop_early_after_a_best_epoch_past_the_first(ref):
    checks = _checks_module()
    found = []
    for seed in range(30):
        problem = checks._loop_problem(np.random.default_rng(seed))
        (history, _, _), last = checks._replay(ref, ref, problem, 40)
        found.append(history["stopped_epoch"] is not None
                     and history["best_epoch"] >= 2)
    # the checks draw problems until one does; most do at the first draw
    assert sum(found) >= 12, found
