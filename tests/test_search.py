"""Hyperparameter search: samplers, ledger resume, narrowing, grid search."""

from __future__ import annotations

import json
import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import course_lib as cl  # noqa: E402
from course_lib import figures  # noqa: E402
from course_lib.search import (  # noqa: E402
    Choice,
    Ledger,
    LogUniform,
    SearchSpace,
    Trial,
    Uniform,
    best_trials,
    grid_from_space,
    grid_search,
    narrow,
    random_search,
    search_rounds,
    trials_table,
)

pytestmark = pytest.mark.ch7

N = 20_000


def ks_statistic(samples, cdf):
    """Kolmogorov–Smirnov distance between the samples and a CDF."""
    s = np.sort(np.asarray(samples))
    n = s.size
    f = cdf(s)
    return max(np.max(np.arange(1, n + 1) / n - f),
               np.max(f - np.arange(n) / n))


def ks_limit(n, alpha=1e-3):
    """Asymptotic KS critical value: sqrt(-ln(alpha/2)/2) / sqrt(n)."""
    return math.sqrt(-math.log(alpha / 2) / 2) / math.sqrt(n)


# --------------------------------------------------------------- samplers

def test_log_uniform_log_of_samples_is_uniform():
    s = LogUniform(1e-6, 1e-2)
    v = s.sample(np.random.default_rng(0), size=N)
    assert v.min() >= 1e-6 and v.max() <= 1e-2
    u = np.log10(v)
    d = ks_statistic(u, lambda z: (z + 6) / 4)
    assert d < ks_limit(N), f"KS distance {d:.4f} of log10(v) from U(-6, -2)"
    # each decade gets a quarter of the draws (binomial tolerance, 5 sigma)
    counts = np.histogram(u, bins=[-6, -5, -4, -3, -2])[0] / N
    tol = 5 * math.sqrt(0.25 * 0.75 / N)
    np.testing.assert_allclose(counts, 0.25, atol=tol)


def test_uniform_is_uniform_and_not_log_uniform():
    s = Uniform(1e-6, 1e-2)
    v = s.sample(np.random.default_rng(1), size=N)
    assert v.min() >= 1e-6 and v.max() <= 1e-2
    d = ks_statistic(v, lambda z: (z - 1e-6) / (1e-2 - 1e-6))
    assert d < ks_limit(N)
    # the same test on the log scale rejects it: ~90 % in the last decade
    d_log = ks_statistic(np.log10(v), lambda z: (z + 6) / 4)
    assert d_log > 10 * ks_limit(N)
    share_last = np.mean(v >= 1e-3)
    assert abs(share_last - 0.9) < 5 * math.sqrt(0.09 / N)


def test_sample_returns_python_float_and_is_seeded():
    s = LogUniform(1e-3, 1.0)
    a = s.sample(np.random.default_rng(5))
    assert isinstance(a, float)
    assert a == s.sample(5)
    assert Choice(["sgd", "adam"]).sample(0) in ("sgd", "adam")
    draws = Choice(["a", "b", "c"]).sample(np.random.default_rng(0), N)
    for opt in "abc":
        share = draws.count(opt) / N
        assert abs(share - 1 / 3) < 5 * math.sqrt(2 / 9 / N)


@pytest.mark.parametrize("cls, low, high, name", [
    (LogUniform, 0.0, 1.0, "'low'"),
    (LogUniform, -1e-3, 1.0, "'low'"),
    (LogUniform, 1e-2, 1e-6, "'high'"),
    (LogUniform, 1e-3, 1e-3, "'high'"),
    (LogUniform, 1e-3, -1.0, "'high'"),
    (Uniform, 1.0, 1.0, "'high'"),
    (Uniform, 2.0, 1.0, "'high'"),
    (Uniform, float("nan"), 1.0, "'low'"),
    (Uniform, 0.0, float("inf"), "'high'"),
])
def test_bad_bounds(cls, low, high, name):
    with pytest.raises(ValueError, match=name):
        cls(low, high)


def test_log_uniform_message_explains_exponents():
    with pytest.raises(ValueError, match=r"> 0 .*got -6"):
        LogUniform(-6, -2)


def test_search_space_validation():
    with pytest.raises(ValueError, match="'samplers' must be a non-empty"):
        SearchSpace({})
    with pytest.raises(TypeError, match=r"samplers\['lr'\]"):
        SearchSpace({"lr": 0.01})
    with pytest.raises(TypeError, match="'samplers'"):
        SearchSpace([("lr", LogUniform(1e-3, 1))])
    with pytest.raises(ValueError, match="non-empty"):
        random_search(lambda c: 0.0, {}, 3, rng=0)
    space = SearchSpace({"lr": LogUniform(1e-4, 1e-1), "p": Uniform(0, 1)})
    assert space.names == ["lr", "p"] and len(space) == 2
    assert "LogUniform(0.0001, 0.1)" in repr(space)


# --------------------------------------------------------- random search

SPACE = {"lr": LogUniform(1e-6, 1e-2), "weight_decay": LogUniform(1e-8, 1e-4)}


def toy_objective(config):
    """A smooth score peaking at lr = 1e-3, weight decay = 1e-6, with curves."""
    a = math.log10(config["lr"]) + 3
    b = math.log10(config["weight_decay"]) + 6
    score = math.exp(-(a * a + 0.2 * b * b))
    curve = [score * (1 - 0.5 ** (e + 1)) for e in range(4)]
    return {"val_acc": score, "train_acc": min(1.0, score + 0.05),
            "curves": {"val_acc": curve,
                       "train_acc": [min(1.0, c + 0.05) for c in curve]}}


def test_random_search_draws_deterministic_configs():
    a = random_search(toy_objective, SPACE, 12, rng=3)
    b = random_search(toy_objective, SPACE, 12, rng=np.random.default_rng(3))
    c = random_search(toy_objective, SPACE, 12, rng=4)
    assert [t.config for t in a] == [t.config for t in b]
    assert [t.config for t in a] != [t.config for t in c]
    assert [t.index for t in a] == list(range(12))
    for t in a:
        assert SPACE["lr"].contains(t.config["lr"])
        assert t.metrics["val_acc"] == pytest.approx(
            toy_objective(t.config)["val_acc"])
        assert len(t.curves["val_acc"]) == 4


def test_ledger_resume_after_interruption(tmp_path):
    n, k = 10, 4
    full = random_search(toy_objective, SPACE, n, rng=7,
                         ledger=tmp_path / "full.jsonl")

    calls = []

    def flaky(config):
        if len(calls) == k:
            raise KeyboardInterrupt("power cut")
        calls.append(config)
        return toy_objective(config)

    path = tmp_path / "resumed.jsonl"
    with pytest.raises(KeyboardInterrupt):
        random_search(flaky, SPACE, n, rng=7, ledger=path)
    assert len(path.read_text().splitlines()) == k
    assert len(Ledger(path)) == k

    calls_after = []

    def counting(config):
        calls_after.append(config)
        return toy_objective(config)

    resumed = random_search(counting, SPACE, n, rng=7, ledger=path)
    assert len(calls_after) == n - k, "finished trials must not run again"
    assert len(resumed) == n
    assert [t.config for t in resumed] == [t.config for t in full]
    assert [t.metrics for t in resumed] == [t.metrics for t in full]
    assert [t.curves for t in resumed] == [t.curves for t in full]
    assert len(Ledger(path)) == n
    # a third run evaluates nothing
    again = random_search(counting, SPACE, n, rng=7, ledger=path)
    assert len(calls_after) == n - k and len(again) == n
    lines = [json.loads(ln) for ln in path.read_text().splitlines()]
    assert sorted(rec["index"] for rec in lines) == list(range(n))
    assert set(lines[0]) == {"search", "index", "config", "metrics",
                             "curves", "seconds"}


def test_ledger_rejects_another_search(tmp_path):
    path = tmp_path / "ledger.jsonl"
    random_search(toy_objective, SPACE, 3, rng=0, ledger=path)
    with pytest.raises(ValueError, match="another search"):
        random_search(toy_objective, SPACE, 3, rng=1, ledger=path)
    # a different search name in the same file is independent
    other = random_search(toy_objective, SPACE, 3, rng=1, ledger=path,
                          search="round-2")
    assert len(other) == 3 and len(Ledger(path)) == 6
    assert len(Ledger(path).trials("round-2")) == 3


def test_ledger_ignores_a_torn_last_line(tmp_path):
    path = tmp_path / "ledger.jsonl"
    random_search(toy_objective, SPACE, 3, rng=0, ledger=path)
    with open(path, "a") as fh:
        fh.write('{"search": "random", "index": 3, "conf')   # died mid-write
    calls = []

    def counting(config):
        calls.append(config)
        return toy_objective(config)

    trials = random_search(counting, SPACE, 5, rng=0, ledger=path)
    assert len(calls) == 2 and len(trials) == 5
    assert len(Ledger(path)) == 5
    assert "conf\n" not in path.read_text()          # torn write removed
    path.write_text(path.read_text().replace("\n", "\n{oops\n", 1))
    with pytest.raises(ValueError, match="line 2 .* corrupt"):
        Ledger(path).trials()


def test_nan_metrics_round_trip_and_rank_last(tmp_path):
    path = tmp_path / "ledger.jsonl"

    def objective(config):
        diverged = config["lr"] > 1e-3
        return {"val_acc": float("nan") if diverged else config["lr"],
                "curves": {"val_acc": [0.1, float("nan")]}}

    trials = random_search(objective, SPACE, 8, rng=2, ledger=path)
    text = path.read_text()
    assert "NaN" not in text and "null" in text       # strict JSON
    back = Ledger(path).trials()
    assert math.isnan(back[0].curves["val_acc"][1])
    ranked = best_trials(back)
    scores = [t.score("val_acc") for t in ranked]
    finite = [s for s in scores if not math.isnan(s)]
    assert finite == sorted(finite, reverse=True)
    assert all(math.isnan(s) for s in scores[len(finite):])
    assert len(trials) == 8


def test_objective_may_return_history_or_number():
    (x, t), (xv, tv) = cl.train_val_split(*cl.two_moons(60, rng=0), rng=0)

    class PlainSGD:
        def __init__(self, lr):
            self.lr = lr

        def update(self, params, grads):
            for key in params:
                params[key] -= self.lr * grads[key]

    def objective(config):
        net = cl.mlp([2, 8, 2], rng=0)
        return cl.Trainer(net, PlainSGD(config["lr"]), batch_size=16,
                          rng=0).fit(x, t, epochs=3, x_val=xv, t_val=tv)

    trials = random_search(objective, {"lr": LogUniform(1e-3, 1.0)}, 2,
                           rng=0)
    assert set(trials[0].curves) == {"train_loss", "train_acc", "val_loss",
                                     "val_acc"}
    assert trials[0].metrics["val_acc"] == trials[0].curves["val_acc"][-1]
    number = random_search(lambda c: c["lr"], {"lr": Uniform(0, 1)}, 3,
                           rng=0)
    assert number[0].metrics == {"score": number[0].config["lr"]}
    with pytest.raises(TypeError, match="return value"):
        random_search(lambda c: "good", {"lr": Uniform(0, 1)}, 1, rng=0)


# --------------------------------------------------------------- ranking

def make_trials(pairs, metric="val_acc"):
    return [Trial(index=i, config={"lr": lr, "weight_decay": wd},
                  metrics={metric: score})
            for i, (lr, wd, score) in enumerate(pairs)]


def test_best_trials_and_table():
    trials = make_trials([(1e-3, 1e-6, 0.5), (1e-2, 1e-7, 0.9),
                          (1e-4, 1e-5, 0.7), (1e-5, 1e-8, 0.9)])
    best = best_trials(trials, 3)
    assert [t.index for t in best] == [1, 3, 2]   # ties keep trial order
    assert [t.index for t in best_trials(trials, 1, mode="min")] == [0]
    table = trials_table(trials, k=2)
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["rank", "val_acc"]
    assert lines[2].startswith("Best-1") and "0.01" in lines[2]
    assert lines[3].startswith("Best-2") and len(lines) == 4
    with pytest.raises(ValueError, match="'mode'"):
        best_trials(trials, 2, mode="best")
    with pytest.raises(ValueError, match="'trials'"):
        best_trials([], 2)
    with pytest.raises(ValueError, match="'k'"):
        best_trials(trials, 0)


# -------------------------------------------------------------- narrowing

def test_narrow_in_log_space():
    space = SearchSpace(SPACE)
    trials = make_trials([(1e-4, 1e-7, 0.9), (1e-3, 1e-6, 0.8),
                          (1e-6, 1e-4, 0.1), (1e-2, 1e-8, 0.2)])
    new = narrow(space, trials, top_k=2, margin=0.25)
    assert isinstance(new["lr"], LogUniform)
    # best lr exponents -4 and -3 -> widened by 0.25 on each side
    assert new["lr"].low == pytest.approx(10 ** -4.25)
    assert new["lr"].high == pytest.approx(10 ** -2.75)
    assert new["weight_decay"].low == pytest.approx(10 ** -7.25)
    assert new["weight_decay"].high == pytest.approx(10 ** -5.75)
    # on a linear scale the lower bound would be clipped to 1e-6
    assert new["lr"].low > 1e-5


def test_narrow_linear_clip_and_single_value():
    space = SearchSpace({"p": Uniform(0.0, 1.0), "opt": Choice(["a", "b",
                                                                "c"])})
    trials = [Trial(0, {"p": 0.9, "opt": "b"}, {"val_acc": 0.9}),
              Trial(1, {"p": 1.0, "opt": "b"}, {"val_acc": 0.8}),
              Trial(2, {"p": 0.1, "opt": "a"}, {"val_acc": 0.1})]
    new = narrow(space, trials, top_k=2, margin=0.5)
    assert isinstance(new["p"], Uniform) and not new["p"].log
    assert new["p"].low == pytest.approx(0.85)
    assert new["p"].high == 1.0                      # clipped at the bound
    assert new["opt"].options == ["b"]
    wide = narrow(space, trials, top_k=2, margin=0.5, clip=False)
    assert wide["p"].high == pytest.approx(1.05)
    per_name = narrow(space, trials, top_k=2, margin=0.5, clip={"p": False})
    assert per_name["p"].high == pytest.approx(1.05)
    with pytest.raises(ValueError, match="'clip'"):
        narrow(space, trials, top_k=2, clip={"lr": False})
    single = narrow(space, trials, top_k=1, margin=0.1)
    assert single["p"].low == pytest.approx(0.8)     # 0.1 × original width
    with pytest.raises(ValueError, match="'top_k'"):
        narrow(space, trials, top_k=4)


def test_rounds_narrow_towards_the_optimum(tmp_path):
    rounds = search_rounds(toy_objective, SPACE, [40, 20], n_rounds=2,
                           top_k=5, rng=0, ledger=tmp_path / "r.jsonl")
    (s1, t1), (s2, t2) = rounds
    assert s1 == SearchSpace(SPACE)
    assert s1["lr"].low <= s2["lr"].low < s2["lr"].high <= s1["lr"].high
    assert s2["lr"].low < 1e-3 < s2["lr"].high
    assert best_trials(t2, 1)[0].score("val_acc") >= \
        best_trials(t1, 5)[-1].score("val_acc")
    again = search_rounds(toy_objective, SPACE, [40, 20], n_rounds=2,
                          top_k=5, rng=0, ledger=tmp_path / "r.jsonl")
    assert [t.config for t in again[1][1]] == [t.config for t in t2]
    assert len(Ledger(tmp_path / "r.jsonl")) == 60


# ------------------------------------------------------------ grid search

def test_grid_search_product_order_and_resume(tmp_path):
    grid = {"lr": [1e-4, 1e-3, 1e-2], "weight_decay": [1e-8, 1e-6]}
    trials = grid_search(toy_objective, grid)
    assert len(trials) == 6
    assert [t.config for t in trials[:2]] == [
        {"lr": 1e-4, "weight_decay": 1e-8}, {"lr": 1e-4, "weight_decay": 1e-6}]
    best = best_trials(trials, 1)[0]
    assert best.config == {"lr": 1e-3, "weight_decay": 1e-6}
    path = tmp_path / "grid.jsonl"
    calls = []

    def stop_after_two(config):
        if len(calls) == 2:
            raise RuntimeError("interrupted")
        calls.append(1)
        return toy_objective(config)

    with pytest.raises(RuntimeError):
        grid_search(stop_after_two, grid, ledger=path)
    resumed = grid_search(toy_objective, grid, ledger=path)
    assert [t.config for t in resumed] == [t.config for t in trials]
    assert len(Ledger(path)) == 6


def test_grid_search_bad_input():
    with pytest.raises(ValueError, match="'grid'"):
        grid_search(toy_objective, {})
    with pytest.raises(ValueError, match=r"grid\['lr'\]"):
        grid_search(toy_objective, {"lr": []})
    with pytest.raises(TypeError, match=r"grid\['lr'\]"):
        grid_search(toy_objective, {"lr": 0.1})
    with pytest.raises(TypeError, match="'objective'"):
        grid_search("train", {"lr": [0.1]})


def test_grid_from_space_is_log_spaced():
    grid = grid_from_space(SPACE, 3)
    np.testing.assert_allclose(grid["lr"], [1e-6, 1e-4, 1e-2])
    np.testing.assert_allclose(grid["weight_decay"], [1e-8, 1e-6, 1e-4])
    lin = grid_from_space({"p": Uniform(0, 1)}, 5)
    np.testing.assert_allclose(lin["p"], [0, 0.25, 0.5, 0.75, 1.0])
    centres = grid_from_space(SPACE, 4, ends=False)
    np.testing.assert_allclose(np.log10(centres["lr"]),
                               [-5.5, -4.5, -3.5, -2.5])
    assert Uniform(0, 1).grid(1) == [0.5]


def test_random_beats_grid_on_distinct_values():
    """Bergstra & Bengio's argument: 16 random trials try 16 distinct values
    of each hyperparameter, a 4 × 4 grid only 4."""
    rand = random_search(toy_objective, SPACE, 16, rng=0)
    grid = grid_search(toy_objective, grid_from_space(SPACE, 4))
    assert len(rand) == len(grid) == 16
    assert len({t.config["lr"] for t in rand}) == 16
    assert len({t.config["lr"] for t in grid}) == 4


# ---------------------------------------------------------------- figures

def test_plot_best_curves_and_scatter():
    trials = random_search(toy_objective, SPACE, 12, rng=0)
    axes = figures.plot_best_curves(trials, k=5, ncols=3)
    assert len(axes) == 6 and not axes[-1].axison
    styles = {ln.get_label(): ln.get_linestyle() for ln in axes[0].lines}
    assert styles == {"validation": "-", "train": "--"}
    best = best_trials(trials, 1)[0]
    assert axes[0].get_title().startswith("Best-1")
    np.testing.assert_allclose(axes[0].lines[1].get_ydata(),
                               best.curves["val_acc"])
    plt.close("all")
    box = narrow(SPACE, trials, 3)
    ax = figures.plot_search_scatter(trials, "lr", "weight_decay",
                                      box=box)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "lr" and len(ax.patches) == 1
    plt.close("all")
