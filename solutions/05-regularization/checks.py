"""Hidden checks of assignment 05-regularization (run on the grading host).

Dropout is random: its checks use generators made in the sandbox
(``probe.np.random.default_rng(seed)``) and tolerances of five standard
errors. See course_tools/checks.py and the instructors' guide.
"""

import numpy as np

from course_tools.checks import (
    Fail,
    StudentError,
    check,
    expect,
    expect_close,
    expect_equal,
)


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
            for k in params:
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
        for epoch, (g, w) in enumerate(zip(got[0], want[0], strict=False), 1):
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


# ------------------------------------------------------- the training loop
#
# train_with_early_stopping is judged on behaviour: a tiny problem drawn from
# rng, the student's loop and the reference's run with generators seeded
# alike, their histories and final weights compared. The loop calls the
# student's own EarlyStoppingMonitor (Task 4). When the two runs differ, the
# host replays the task's loop with the given TinyNet and SGD and the
# student's monitor (kept in the sandbox and fed the parameters in place
# after each epoch, as the loop does) and accepts what that gives, so a
# mistake in Task 4 alone does not cost Task 5's points.

LOOP = ("each epoch: order = rng.permutation(N) (nothing else drawn from "
        "rng), consecutive slices of batch_size, net.gradient and "
        "optimizer.update(net.params, grads) for each; then record "
        "net.loss(x_train, t_train) and net.loss(x_val, t_val) and give the "
        "validation loss, the epoch and net.params to your "
        "EarlyStoppingMonitor(patience); stop when update returns True")
RESTORE = ("when training ends, stopped or not, copy the monitor's "
           "best_params back into the arrays of net.params in place: "
           "net.params[key][...] = best[key]")
NET_KEYS = ("W1", "b1", "W2", "b2")
HISTORY_KEYS = ("train_loss", "val_loss", "best_epoch", "stopped_epoch")


def _loop_problem(rng):
    """A tiny noisy classification problem, its first weights, and the
    loop's settings."""
    N, D, H, K = int(rng.integers(10, 17)), 2, 12, int(rng.integers(2, 4))
    A = rng.normal(size=(D, K))

    def data(n):
        x = rng.normal(size=(n, D))
        return x, np.argmax(x @ A + rng.normal(size=(n, K)), axis=1)

    x, t = data(N)
    x_val, t_val = data(8)
    params = {"W1": rng.normal(size=(D, H)) / np.sqrt(D), "b1": np.zeros(H),
              "W2": rng.normal(size=(H, K)) / np.sqrt(H), "b2": np.zeros(K)}
    return {"x": x, "t": t, "x_val": x_val, "t_val": t_val,
            "params": params, "lr": 0.5,
            "batch_size": int(rng.integers(3, 6)),
            "patience": int(rng.integers(2, 5)),
            "seed": int(rng.integers(2 ** 31))}


def _run_loop(side, p, epochs):
    """train_with_early_stopping of ``side`` on the problem ``p``: the
    history, the arrays the network was built with after training, and
    net.params after training."""
    arrays = {k: side.put(v.copy()) for k, v in p["params"].items()}
    net = side.TinyNet(side.put(dict(arrays)))
    history = side.train_with_early_stopping(
        net, side.SGD(p["lr"]), p["x"], p["t"], p["x_val"], p["t_val"],
        epochs=epochs, batch_size=p["batch_size"], patience=p["patience"],
        rng=side.np.random.default_rng(p["seed"]))
    return (history, {k: side.get(a) for k, a in arrays.items()},
            side.get(net.params))


def _replay(side, ref, p, epochs):
    """The task's loop run by the host with ``side``'s monitor: the
    outcome in the form of _run_loop, and the weights of the last epoch."""
    net = ref.TinyNet({k: v.copy() for k, v in p["params"].items()})
    optimizer = ref.SGD(p["lr"])
    gen = np.random.default_rng(p["seed"])
    live = {k: side.put(v.copy()) for k, v in net.params.items()}
    shared = side.put(dict(live))
    monitor = side.EarlyStoppingMonitor(p["patience"])
    history = {"train_loss": [], "val_loss": []}
    n, b = len(p["x"]), p["batch_size"]
    for epoch in range(1, epochs + 1):
        order = gen.permutation(n)
        for start in range(0, n, b):
            batch = order[start:start + b]
            optimizer.update(net.params,
                             net.gradient(p["x"][batch], p["t"][batch]))
        history["train_loss"].append(net.loss(p["x"], p["t"]))
        val_loss = net.loss(p["x_val"], p["t_val"])
        history["val_loss"].append(val_loss)
        for k in NET_KEYS:
            side.np.copyto(live[k], net.params[k])
        if monitor.update(val_loss, epoch, shared):
            break
    last = {k: v.copy() for k, v in net.params.items()}
    best = side.get(monitor.best_params)
    if best is not None:
        for k in NET_KEYS:
            net.params[k][...] = best[k]
    history["best_epoch"] = side.get(monitor.best_epoch)
    history["stopped_epoch"] = side.get(monitor.stopped_epoch)
    params = {k: v.copy() for k, v in net.params.items()}
    return (history, params, params), last


def _numbers(values) -> bool:
    return (isinstance(values, (list, tuple, np.ndarray))
            and np.ndim(values) == 1 and all(
                isinstance(v, (int, float, np.number))
                and not isinstance(v, bool) for v in values))


def _same_weights(got, want) -> bool:
    return isinstance(got, dict) and all(
        isinstance(got.get(k), np.ndarray) and got[k].shape == want[k].shape
        and np.allclose(got[k], want[k], rtol=1e-9, atol=1e-12)
        for k in NET_KEYS)


def _loop_differs(got, want, last) -> str | None:
    """Why the outcome ``got`` of a run is not ``want`` (None if it is);
    ``last`` are the weights of the last epoch run."""
    history, held, in_net = got
    w_history, w_params, _ = want
    if not (isinstance(history, dict) and set(HISTORY_KEYS) <= set(history)):
        return ("train_with_early_stopping must return a dict with the keys "
                f"{', '.join(HISTORY_KEYS)}")
    for key in ("train_loss", "val_loss"):
        if not _numbers(history[key]):
            return f"history[{key!r}] must be a list of numbers, one per epoch"
    g = np.asarray(history["val_loss"], dtype=float)
    w = np.asarray(w_history["val_loss"], dtype=float)
    m = min(len(g), len(w))
    close = np.isclose(g[:m], w[:m], rtol=1e-9, atol=1e-12)
    if not close.all():
        i = int(np.argmin(close))
        where = ("from the first epoch on" if i == 0 else
                 f"from epoch {i + 1} on, after {i} that agree: draw a new "
                 "permutation at the start of EVERY epoch")
        return (f"history['val_loss'] differs from the reference's {where} "
                f"({LOOP})")
    if len(g) != len(w):
        return (f"the loop ran {len(g)} epochs, "
                f"{'more' if len(g) > len(w) else 'fewer'} than it should: "
                "give the validation loss of each epoch to the monitor and "
                "stop right after the epoch where update returns True")
    t = np.asarray(history["train_loss"], dtype=float)
    if t.shape != w.shape or not np.allclose(
            t, w_history["train_loss"], rtol=1e-9, atol=1e-12):
        return ("history['train_loss'] differs from the reference's: record "
                "the loss of the whole training set, net.loss(x_train, "
                "t_train), after each epoch")
    for key in ("best_epoch", "stopped_epoch"):
        if history[key] != w_history[key] or (
                (history[key] is None) != (w_history[key] is None)):
            return (f"history[{key!r}] is wrong: return the monitor's "
                    f"{key} (stopped_epoch is None when the epochs ran out)")
    if not _same_weights(held, w_params):
        if _same_weights(in_net, w_params):
            return ("net.params holds the best weights, but in new arrays: "
                    "restore in place, net.params[key][...] = best[key]; do "
                    "not rebind net.params[key]")
        if _same_weights(held, last):
            return ("the network ends with the weights of the last epoch, "
                    f"not of the best epoch: {RESTORE}")
        return f"the weights after training are wrong: {RESTORE}"
    return None


def _judge_loop(probe, ref, rng, run_out):
    for _ in range(50):  # a problem on which the reference stops early
        p = _loop_problem(rng)
        want, _ = _replay(ref, ref, p, 40)
        if want[0]["stopped_epoch"] is not None and \
                want[0]["best_epoch"] >= 2:
            break
    # running out of epochs one epoch before the stop: best < last epoch
    epochs = want[0]["stopped_epoch"] - 1 if run_out else 40
    want = _run_loop(ref, p, epochs)
    _, last = _replay(ref, ref, p, epochs)
    try:
        got = _run_loop(probe, p, epochs)
    except StudentError as exc:
        try:
            _replay(probe, ref, p, epochs)
        except StudentError as inner:
            raise Fail(f"train_with_early_stopping raised {exc}; it is "
                       f"judged with your EarlyStoppingMonitor, whose update "
                       f"raised {inner}: fix Task 4 first") from None
        raise Fail(f"train_with_early_stopping raised {exc} ({LOOP})") \
            from None
    reason = _loop_differs(got, want, last)
    if reason is None:
        return
    try:  # judged with the student's own monitor of Task 4
        own, own_last = _replay(probe, ref, p, epochs)
    except (StudentError, Fail, KeyError, TypeError, ValueError, IndexError):
        own = None
    if own is not None and _loop_differs(got, own, own_last) is None:
        return
    raise Fail(reason)


@check("test_train_early_stopping", points=2)
def loop_stops_early(probe, ref, rng):
    _judge_loop(probe, ref, rng, run_out=False)


@check("test_train_early_stopping", points=1)
def loop_runs_out_of_epochs(probe, ref, rng):
    _judge_loop(probe, ref, rng, run_out=True)
