"""Hidden checks of assignment 07-hyperparameters (run on the grading host).

Objectives given to the search are host functions that the sandbox calls
back, so the host sees every configuration tried. The search samples with
the visible test's ``_reference_sampler`` (in the sandbox) so that a
mistake in Task 2 does not count twice. See course_tools/checks.py and the
instructors' guide.
"""

import math

import numpy as np

from course_tools.checks import Fail, Probe, check, expect, expect_close, \
    expect_equal, raised


def _split(side, x, t, frac, seed):
    return side.train_val_split(x, t, frac, rng=seed)


@check("test_train_val_split", points=3)
def train_val_split_matches(probe, ref, rng):
    # a file sorted by label: 100 samples, 10 per class
    t = np.repeat(np.arange(10), 10)
    x = rng.normal(size=(100, 1, 2, 3)) + t[:, None, None, None]
    xs, ts = probe.put(x), probe.put(t)
    out = probe.train_val_split(xs, ts, 0.2, rng=5)
    expect(isinstance(out, tuple) and len(out) == 2 and all(
        isinstance(p, tuple) and len(p) == 2 for p in out),
        "return (x_train, t_train), (x_val, t_val)")
    (x_tr, t_tr), (x_va, t_va) = out
    expect(np.array_equal(probe.get(xs), x)
           and np.array_equal(probe.get(ts), t),
           "train_val_split modified its inputs: index copies, do not "
           "shuffle x or t in place")
    expect(all(isinstance(a, np.ndarray) for a in (x_tr, t_tr, x_va, t_va)),
           "return NumPy arrays")
    expect(x_tr.shape == (80, 1, 2, 3) and x_va.shape == (20, 1, 2, 3)
           and t_tr.shape == (80,) and t_va.shape == (20,),
           "100 samples with val_fraction 0.2 must give 80 training and 20 "
           "validation samples, along axis 0")
    expect(len(np.unique(t_va)) >= 5,
           "the validation set of a label-sorted file holds only a few "
           "classes: shuffle first, then hold out")
    for xx, tt in ((x_tr, t_tr), (x_va, t_va)):
        expect(np.all(np.abs(xx.mean(axis=(1, 2, 3)) - tt) < 2.5),
               "labels must stay with their samples: use one permutation "
               "for both x and t")
    both = np.concatenate([x_tr.reshape(80, -1), x_va.reshape(20, -1)])
    expect(np.array_equal(np.sort(both[:, 0]), np.sort(x.reshape(100, -1)
                                                       [:, 0])),
           "every sample must land in exactly one of the two sets")
    for seed, frac, n in ((3, 0.2, 100), (11, 0.25, 10), (0, 0.5, 7),
                          (8, 0.1, 33), (int(rng.integers(1000)), 0.3, 20)):
        tt, xx = np.arange(n), np.arange(2.0 * n).reshape(n, 2)
        got = _split(probe, xx, tt, frac, seed)
        want = _split(ref, xx, tt, frac, seed)
        expect(len(got[1][1]) == len(want[1][1]),
               f"N = {n}, val_fraction = {frac}: expected "
               f"int(round({frac} * {n})) validation samples; got "
               f"{len(got[1][1])}")
        expect(np.array_equal(got[1][1], want[1][1])
               and np.array_equal(got[0][1], want[0][1]),
               "draw order = rng.permutation(N) once; the first n_val "
               "indices are validation, the rest training")
    a = probe.train_val_split(x, t, 0.2, rng=probe.np.random.default_rng(9))
    b = probe.train_val_split(x, t, 0.2, rng=9)
    c = probe.train_val_split(x, t, 0.2, rng=10)
    expect(np.array_equal(a[1][1], b[1][1]),
           "the same seed (or a generator made from it) must give the same "
           "split")
    expect(not np.array_equal(a[1][1], c[1][1]),
           "different seeds must give different splits")
    for bad in (0.0, 1.0, 1.5, -0.2):
        expect(raised(probe, probe.train_val_split, x, t, bad)
               == "ValueError", f"val_fraction = {bad} must raise "
               "ValueError")


@check("test_log_uniform", points=3)
def log_uniform_distribution(probe, ref, rng):
    n = 40_000
    for low, high in ((1e-6, 1e-2), (1e-8, 1e-4), (0.5, 50.0)):
        v = probe.log_uniform(low, high, size=n, rng=int(rng.integers(1000)))
        expect(isinstance(v, np.ndarray) and v.shape == (n,),
               f"size={n} must give an array of shape ({n},)")
        expect(v.min() >= low and v.max() <= high,
               f"log_uniform({low}, {high}): values must lie in [low, high]"
               " (mixed natural and base-10 logs?)")
        u = np.sort((np.log10(v) - math.log10(low))
                    / (math.log10(high) - math.log10(low)))
        ks = np.max(np.abs(u - (np.arange(1, n + 1) - 0.5) / n))
        expect(ks < 1.95 / math.sqrt(n) + 0.5 / n,
               f"log_uniform({low}, {high}): log10 of the draws is not "
               "uniform, every decade must get the same share (a uniform "
               "draw puts 90 % in the last decade)")
    got = probe.log_uniform(1e-5, 1e-1, size=(3, 4), rng=7)
    expect_close(got, ref.log_uniform(1e-5, 1e-1, size=(3, 4), rng=7),
                 rtol=1e-10, what="log_uniform(1e-5, 1e-1, size=(3, 4), "
                 "rng=7)", hint="use u = rng.uniform(log10(low), "
                 "log10(high), size) and return 10 ** u")
    one = probe.log_uniform(1e-3, 1e-1,
                            rng=probe.np.random.default_rng(8))
    expect(np.ndim(one) == 0 and 1e-3 <= float(one) <= 1e-1,
           "size=None must return one number in [low, high]")
    a = probe.log_uniform(1e-4, 1.0, size=5, rng=3)
    b = probe.log_uniform(1e-4, 1.0, size=5, rng=3)
    c = probe.log_uniform(1e-4, 1.0, size=5, rng=4)
    expect(np.array_equal(a, b) and not np.array_equal(a, c),
           "draw from the generator made from rng: same seed, same values")
    for low, high in ((0.0, 1.0), (-1e-3, 1.0), (1e-2, 1e-6), (1e-3, 1e-3),
                      (1e-3, -1.0)):
        expect(raised(probe, probe.log_uniform, low, high, size=3)
               == "ValueError",
               f"log_uniform({low}, {high}) must raise ValueError")


def _reference_sampler(low, high, size=None, rng=None):
    rng = np.random.default_rng(rng)
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size)


def two_dim(config):
    a = np.log10(config["lr"]) + 3
    b = np.log10(config["weight_decay"]) + 6
    return {"train_acc": 1.0,
            "val_acc": float(np.exp(-(a * a + 0.3 * b * b))),
            "test_acc": float(np.exp(-((a + 2) ** 2
                                       + 0.3 * (b - 1.5) ** 2)))}


SPACE = {"lr": (1e-6, 1e-2), "weight_decay": (1e-8, 1e-4)}


def _search(side, objective, space, n, k, seed):
    sampler = side.lookup("_reference_sampler") if isinstance(side, Probe) \
        else _reference_sampler
    calls = []

    def spy(config):
        calls.append(dict(config))
        return objective(config)
    return side.random_search_round(spy, space, n, k, rng=seed,
                                    sampler=sampler), calls


@check("test_random_search_round", points=4)
def random_search_round_matches(probe, ref, rng):
    for seed, n, k in ((1, 40, 5), (2, 25, 3), (3, 12, 1), (4, 20, 20),
                       (int(rng.integers(1000)), 30, 4)):
        out, calls = _search(probe, two_dim, SPACE, n, k, seed)
        expect(isinstance(out, tuple) and len(out) == 2,
               "return a tuple (best_config, narrowed)")
        best, narrowed = out
        expect(len(calls) == n, f"{n} trials must call the objective {n} "
               f"times; got {len(calls)}")
        for c in calls:
            expect(isinstance(c, dict) and list(c) == list(SPACE),
                   "each config needs the names of space, in order")
            for name, (low, high) in SPACE.items():
                expect(low <= c[name] <= high,
                       f"{name} = {c[name]} lies outside {(low, high)}")
        val = np.array([two_dim(c)["val_acc"] for c in calls])
        test = np.array([two_dim(c)["test_acc"] for c in calls])
        order = np.argsort(-val, kind="stable")
        want_best = calls[int(order[0])]
        if best != want_best and best == calls[int(np.argmax(test))]:
            raise Fail("you chose the config with the best TEST accuracy: "
                       "never tune on the test set; rank by val_acc")
        expect(best == want_best, "the best config must be the trial with "
               "the highest val_acc (sorted the wrong way round?)")
        top = [calls[int(i)] for i in order[:k]]
        want = {name: (min(c[name] for c in top), max(c[name] for c in top))
                for name in SPACE}
        expect(isinstance(narrowed, dict) and set(narrowed) == set(SPACE),
               "narrowed must have one range per hyperparameter")
        for name in SPACE:
            got = tuple(float(v) for v in narrowed[name])
            expect_close(np.array(got), np.array(want[name]), rtol=1e-12,
                         what=f"narrowed[{name!r}]",
                         hint=f"(min, max) of {name} over the top_k = {k} "
                              "trials by val_acc (not over all trials, not "
                              "by test accuracy)")
    # sample through the sampler, from one generator
    _, calls = _search(probe, lambda c: {
        "val_acc": -abs(np.log10(c["lr"]) + 4), "test_acc": 0.0},
        {"lr": (1e-6, 1e-2)}, 400, 5, 11)
    _, ref_calls = _search(ref, lambda c: {
        "val_acc": -abs(np.log10(c["lr"]) + 4), "test_acc": 0.0},
        {"lr": (1e-6, 1e-2)}, 400, 5, 11)
    lr = np.array([c["lr"] for c in calls])
    expect(abs(np.mean(lr < 1e-3) - 0.75) < 5 * np.sqrt(0.75 * 0.25 / 400),
           "the learning rates are not log-uniform: draw each value with "
           "sampler(low, high, rng=rng)")
    expect_close(lr, np.array([c["lr"] for c in ref_calls]), rtol=1e-10,
                 what="the learning rates drawn",
                 hint="make one generator with np.random.default_rng(rng) "
                      "and draw the values trial by trial, name by name, "
                      "with sampler(low, high, rng=rng)")
    r1, _ = _search(probe, two_dim, SPACE, 15, 3, 5)
    r2, _ = _search(probe, two_dim, SPACE, 15, 3, 5)
    r3, _ = _search(probe, two_dim, SPACE, 15, 3, 6)
    expect_equal(r1, r2, what="two searches with the same seed")
    expect(r1[0] != r3[0], "different seeds must draw different configs")
    for bad in (0, 16):
        got = raised(probe, _search, probe, two_dim, SPACE, 15, bad, 0)
        expect(got == "ValueError", f"top_k = {bad} with 15 trials must "
               "raise ValueError")
