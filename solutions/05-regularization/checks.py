"""Hidden checks of assignment 05-regularization (run on the grading host).

Dropout is random: its checks use generators made in the sandbox
(``probe.np.random.default_rng(seed)``) and tolerances of five standard
errors. See course_tools/checks.py and the instructors' guide.
"""

import numpy as np

from course_tools.checks import Fail, StudentError, check, expect, \
    expect_close, expect_equal


@check("test_l2_penalty", points=2)
def l2_penalty_matches(probe, ref, rng):
    for dtype in (np.float64, np.float32):
        params = {"0.W": rng.normal(size=(7, 5)), "0.b": rng.normal(size=5),
                  "1.gamma": rng.normal(size=5),
                  "3.W": rng.normal(size=(5, 3)), "3.b": rng.normal(size=3),
                  "W": rng.normal(size=(2, 2))}
        params = {k: v.astype(dtype) for k, v in params.items()}
        for lam in (0.0, 0.01, 0.7):
            sent = probe.put(params)
            got = probe.l2_penalty(sent, lam)
            penalty, grads = ref.l2_penalty(params, lam)
            expect(isinstance(got, tuple) and len(got) == 2,
                   "return a pair (penalty, grads)")
            expect(isinstance(got[0], (float, np.floating)),
                   f"the penalty must be a number; got a "
                   f"{type(got[0]).__name__}")
            expect_close(float(got[0]), float(penalty), rtol=1e-5,
                         what=f"penalty for lam={lam}",
                         hint="sum 0.5 * lam * W**2 over the weights only "
                              "(names ending in 'W'); is the factor 1/2 "
                              "missing, or a bias or gamma included?")
            expect(isinstance(got[1], dict) and set(got[1]) == set(params),
                   "return a gradient for every parameter: grads must have "
                   "the keys of params")
            for k, p in params.items():
                expect_close(got[1][k], grads[k], rtol=1e-5, atol=1e-7,
                             what=f"grads[{k!r}] for lam={lam}",
                             hint="lam * W for the weights, zeros for every "
                                  "bias and other parameter")
            after = probe.get(sent)
            for k in params:
                expect_equal(after[k], params[k], what=f"params[{k!r}]",
                             hint="l2_penalty must not modify params")
    try:
        probe.l2_penalty(params, -0.1)
    except StudentError as exc:
        expect(exc.ename == "ValueError", "a negative lam must raise "
               f"ValueError; got {exc.ename}")
    else:
        raise Fail("a negative lam must raise ValueError")


def _layer(side, ratio, seed):
    return side.Dropout(ratio, side.np.random.default_rng(seed))


@check("test_dropout_forward", points=2)
def dropout_forward_statistics(probe, ref, rng):
    n = 100_000
    for ratio in (0.2, 0.5, 0.8):
        layer = _layer(probe, ratio, int(rng.integers(1 << 31)))
        x = rng.uniform(1.0, 2.0, size=(n, 1))
        sent = probe.put(x)
        out = layer.forward(sent)
        expect(isinstance(out, np.ndarray) and out.shape == x.shape,
               "forward must return an array of the shape of x")
        expect_equal(probe.get(sent), x, what="x after forward",
                     hint="forward must not modify x")
        kept = out != 0
        frac = kept.mean()
        expect(abs(frac - (1 - ratio)) < 5 * np.sqrt(ratio * (1 - ratio) / n),
               f"ratio={ratio} is the probability of DROPPING a unit; "
               f"{frac:.1%} of the units were kept")
        expect_close(out[kept], x[kept] / (1 - ratio), rtol=1e-12,
                     what="kept units",
                     hint="scale them by 1/(1 - ratio) in training "
                          "(inverted dropout)")
        mask = probe.get(layer.mask)
        expect(isinstance(mask, np.ndarray) and mask.shape == x.shape
               and np.array_equal(mask.astype(bool), kept),
               "self.mask must be the mask used in the forward pass "
               "(True = kept)")
        small = rng.normal(size=(5, 7))
        expect_close(layer.forward(small, train=False), small, rtol=0,
                     atol=0, what="forward at inference",
                     hint="inverted dropout is the identity at inference; "
                          "do not scale by (1 - ratio) there")
    seed = int(rng.integers(1 << 31))
    a, b = _layer(probe, 0.5, seed), _layer(probe, 0.5, seed)
    ones = np.ones((20, 30))
    first = a.forward(ones)
    expect(not np.array_equal(first, a.forward(ones)),
           "draw a new mask on every training forward pass")
    expect(np.array_equal(first, b.forward(ones)),
           "two layers with generators seeded alike must draw the same "
           "masks: use self.rng, not np.random")
    x32 = np.ones((3, 4), dtype=np.float32)
    for train in (True, False):
        out = _layer(probe, 0.3, 0).forward(x32, train=train)
        expect(getattr(out, "dtype", None) == np.float32, "keep float32")
    expect_close(_layer(probe, 0.0, 0).forward(ones), ones, rtol=0,
                 what="ratio 0", hint="ratio 0 keeps every unit")


@check("test_dropout_backward", points=2)
def dropout_backward_matches(probe, ref, rng):
    for ratio, shape in [(0.1, (6, 9)), (0.5, (4, 3, 5)), (0.7, (10, 20))]:
        seed = int(rng.integers(1 << 31))
        layer = _layer(probe, ratio, seed)
        x = rng.uniform(0.5, 2.0, size=shape)
        out = layer.forward(x)
        expect_close(_layer(probe, ratio, seed).forward(x), out, rtol=0,
                     atol=0, what="a layer seeded alike",
                     hint="the gradient is that of the network with the "
                          "mask drawn from self.rng: two layers with "
                          "generators seeded alike must drop the same units")
        dout = rng.normal(size=shape)
        sent = probe.put(dout)
        dx = layer.backward(sent)
        expect_equal(probe.get(sent), dout, what="dout after backward",
                     hint="backward must not modify dout")
        expect(isinstance(out, np.ndarray) and out.shape == shape,
               "forward must return an array of the shape of x")
        expect_close(dx, dout * (out != 0) / (1 - ratio), rtol=1e-12,
                     what=f"dx (ratio {ratio})",
                     hint="dx = dout * mask / (1 - ratio) with the SAME mask "
                          "as the forward pass; is the 1/(1 - ratio) factor "
                          "missing in backward?")
        expect_close(layer.backward(dout), dx, rtol=0, atol=0,
                     what="a second backward",
                     hint="do not draw a new mask in backward: use the same "
                          "mask as forward")
    layer = _layer(probe, 0.4, 5)
    layer.forward(np.ones((3, 4), dtype=np.float32))
    got = layer.backward(np.ones((3, 4), dtype=np.float32))
    expect(getattr(got, "dtype", None) == np.float32,
           "keep float32 in backward")


@check("test_max_norm", points=2)
def max_norm_matches(probe, ref, rng):
    for shape, c in [((50, 7), 1.5), ((7, 50), 2.0), ((3, 3), 0.5),
                     ((100, 1), 3.0)]:
        W = rng.normal(size=shape) * rng.uniform(0.1, 1.0, size=shape[1])
        sent = probe.put(W)
        got = probe.max_norm(sent, c)
        expect_equal(probe.get(sent), W, what="W after max_norm",
                     hint="do not modify W; return a copy")
        expect(isinstance(got, np.ndarray) and got.shape == shape,
               f"max_norm must return an array of shape {shape}")
        expect(np.all(np.linalg.norm(got, axis=0) <= c * (1 + 1e-9)),
               f"every column must have norm <= {c}: take the norms per "
               "column (axis 0), not per row")
        expect_close(got, ref.max_norm(W, c), rtol=1e-12, atol=1e-15,
                     what=f"max_norm of W {shape}",
                     hint="long columns are scaled to norm max_value; "
                          "columns with norm <= max_value stay exactly as "
                          "they are")
    W32 = (rng.normal(size=(6, 4)) * 3).astype(np.float32)
    expect(getattr(probe.max_norm(W32, 1.0), "dtype", None) == np.float32,
           "keep float32")
    Z = np.zeros((4, 3))
    expect_close(probe.max_norm(Z, 1.0), Z, rtol=0, atol=0,
                 what="max_norm of zeros", hint="a zero column stays zero")


def _history(side, losses, patience, min_delta):
    monitor = side.EarlyStoppingMonitor(patience=patience,
                                        min_delta=min_delta)
    steps = []
    for epoch, v in enumerate(losses, 1):
        params = {"W": np.full((2, 2), float(epoch)),
                  "b": np.array([float(-epoch)])}
        stop = monitor.update(float(v), epoch, params)
        steps.append((stop, side.get(monitor.best_epoch)))
        if stop is True:
            break
    return (steps, side.get(monitor.stopped_epoch),
            side.get(monitor.best_params))


@check("test_early_stopping", points=3)
def early_stopping_matches(probe, ref, rng):
    for trial in range(20):
        patience = int(rng.integers(1, 6))
        min_delta = float(rng.choice([0.0, 0.0, 0.05, 0.2]))
        n = int(rng.integers(5, 30))
        losses = np.round(2.0 / np.arange(1, n + 1)
                          + rng.normal(0, 0.15, n) + 0.05 * np.arange(n), 2)
        if trial % 4 == 0:
            losses[3:6] = losses[2]  # exact ties do not improve
        got = _history(probe, losses, patience, min_delta)
        want = _history(ref, losses, patience, min_delta)
        case = (f"losses {losses[:len(want[0])].tolist()}, patience {patience}, "
                f"min_delta {min_delta}")
        for epoch, (g, w) in enumerate(zip(got[0], want[0]), 1):
            expect(g[0] in (True, False), "update must return True or False")
            expect(g[0] == w[0],
                   f"{case}: update at epoch {epoch} returned the wrong "
                   "answer. Improvement means val_loss < best - min_delta "
                   "(a tie is no improvement); stop when wait reaches "
                   "patience (not patience + 1, no off by one)")
            expect(g[1] == w[1], f"{case}: best_epoch is wrong after epoch "
                   f"{epoch}; improvement means val_loss < best - min_delta "
                   "(a tie is no improvement)")
        expect(len(got[0]) == len(want[0]), f"{case}: update must return "
               "True when training should stop")
        expect(got[1] == want[1], f"{case}: stopped_epoch is wrong")
        best = got[2]
        expect(isinstance(best, dict) and set(best) == {"W", "b"},
               "best_params must have the keys of params")
        for k in ("W", "b"):
            expect_close(best[k], want[2][k], rtol=0, dtype=False,
                         what=f"best_params[{k!r}]",
                         hint="the parameters of the best epoch, copied at "
                              "that epoch (a copy, not a reference)")
    # the optimizer updates the weights in place after the best epoch
    W = probe.put(np.array([1.0]))
    monitor = probe.EarlyStoppingMonitor(patience=2)
    monitor.update(1.0, 1, probe.put({"W": W}))
    probe.np.add(W, 10.0, out=W)
    monitor.update(2.0, 2, probe.put({"W": W}))
    kept = probe.get(monitor.best_params)
    expect(isinstance(kept, dict) and isinstance(kept.get("W"), np.ndarray)
           and kept["W"].tolist() == [1.0],
           "best_params must hold a copy of the weights of the best epoch; "
           "they changed when the optimizer updated the array in place")
    monitor = probe.EarlyStoppingMonitor(patience=2)
    expect(monitor.update(1.0, 1) is False
           and probe.get(monitor.best_params) is None,
           "with params=None store nothing")
