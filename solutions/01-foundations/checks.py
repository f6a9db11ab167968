"""Hidden checks of assignment 01-foundations (run on the grading host).

Each check calls the student's code through ``probe`` (in the sandbox) and
the reference solution through ``ref`` (on the host), and compares the two.
See course_tools/checks.py and the instructors' guide.
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

STABLE = "subtract the row maximum first"


@check("test_softmax", points=2)
def softmax_rows(probe, ref, rng):
    x = rng.normal(scale=3.0, size=(7, 5))
    expect_close(probe.softmax(x), ref.softmax(x), rtol=1e-12,
                 what="softmax(x) for x of shape (7, 5)",
                 hint="normalize each row (axis=1), not each column")
    big = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    expect_close(probe.softmax(big), ref.softmax(big), atol=1e-12,
                 what="softmax of logits of +-1e4",
                 hint=f"softmax overflowed: {STABLE}")
    y32 = probe.softmax(x.astype(np.float32))
    expect(isinstance(y32, np.ndarray) and y32.dtype == np.float32,
           "softmax of float32 logits should keep float32")


@check("test_cross_entropy", points=1)
def cross_entropy_mean(probe, ref, rng):
    x = rng.normal(scale=2.0, size=(9, 4))
    t = rng.integers(0, 4, size=9)
    got, want = probe.cross_entropy(x, t), ref.cross_entropy(x, t)
    expect(np.ndim(got) == 0 and not isinstance(got, (str, bool)),
           "cross_entropy must return one number")
    expect(not np.isclose(got, want * 9),
           "cross_entropy returned the sum over the batch: take the mean "
           "over the N samples")
    expect_close(got, want, rtol=1e-10, what="cross_entropy(x, t)")
    far = (np.array([[1e4, -1e4]]), np.array([1]))
    got = probe.cross_entropy(*far)
    expect(np.ndim(got) == 0 and np.isfinite(got),
           "cross_entropy is not finite for logits (1e4, -1e4): compute "
           "log-probabilities directly instead of log(softmax(x))")
    expect_close(got, ref.cross_entropy(*far), rtol=1e-12,
                 what="cross_entropy for logits (1e4, -1e4)",
                 hint="compute log-probabilities directly")


def _sigmoid_run(side, x, dout):
    s = side.Sigmoid()
    y = side.get(s.forward(x))
    return y, side.get(s.backward(dout))


@check("test_sigmoid", points=1)
def sigmoid_forward_backward(probe, ref, rng):
    x = rng.normal(scale=4.0, size=(6, 3))
    dout = rng.normal(size=(6, 3))
    got, want = _sigmoid_run(probe, x, dout), _sigmoid_run(ref, x, dout)
    expect_close(got[0], want[0], rtol=1e-9, what="Sigmoid.forward(x)")
    expect_close(got[1], want[1], rtol=1e-9, what="Sigmoid.backward(dout)",
                 hint="dout * y * (1 - y)")
    far = np.array([[-1000.0, 1000.0]])
    expect_close(probe.Sigmoid().forward(far), ref.Sigmoid().forward(far),
                 atol=1e-300, what="Sigmoid.forward of -1000 and 1000")


def _relu_run(side, x, dout):
    xs, douts = side.put(x), side.put(dout)
    r = side.ReLU()
    y = r.forward(xs)
    dx = r.backward(douts)
    return side.get(y), side.get(dx), side.get(xs), side.get(douts)


@check("test_relu", points=2)
def relu_forward_backward(probe, ref, rng):
    x = rng.normal(size=(5, 4))
    x[0, 0] = 0.0
    dout = rng.normal(size=(5, 4))
    got, want = _relu_run(probe, x, dout), _relu_run(ref, x, dout)
    expect_close(got[0], want[0], what="ReLU.forward(x)")
    expect_close(got[1], want[1], what="ReLU.backward(dout)",
                 hint="pass dout where the INPUT x was > 0")
    expect_equal(got[2], x, what="x after forward and backward",
                 hint="ReLU must not modify its inputs in place")
    expect_equal(got[3], dout, what="dout after backward",
                 hint="ReLU must not modify its inputs in place")


def _affine_run(side, W, b, x, dout):
    layer = side.Affine(W, b)
    out = side.get(layer.forward(x))
    dx = side.get(layer.backward(dout))
    return out, dx, side.get(layer.dW), side.get(layer.db)


@check("test_affine", points=2)
def affine_forward_backward(probe, ref, rng):
    N, D, M = 4, 6, 3
    x, W = rng.normal(size=(N, D)), rng.normal(size=(D, M))
    b, dout = rng.normal(size=M), rng.normal(size=(N, M))
    got = _affine_run(probe, W, b, x, dout)
    want = _affine_run(ref, W, b, x, dout)
    expect_close(got[0], want[0], rtol=1e-12, what="Affine.forward(x)")
    for name, g, w in zip(("dx", "dW", "db"), got[1:], want[1:], strict=True):
        expect_close(g, w, rtol=1e-10, what=name,
                     hint="a transposed product?" if name != "db" else "")


def _gradient(side, x):
    xs = side.put(x)
    g = side.numerical_gradient(lambda v: float(np.sum(v ** 3)), xs,
                                h=1e-4)
    return g, side.get(xs)


@check("test_numerical_gradient", points=1)
def numerical_gradient_central(probe, ref, rng):
    x = rng.normal(size=(3, 4))
    got, x_after = _gradient(probe, x)
    expect_equal(x_after, x, what="x after numerical_gradient",
                 hint="restore every element after perturbing it")
    want, _ = _gradient(ref, x)
    expect_close(got, want, rtol=1e-6, atol=1e-7, dtype=False,
                 what="numerical_gradient of sum(x**3)",
                 hint="not accurate enough: use central differences "
                      "(f(x+h) - f(x-h)) / 2h, not a one-sided difference")


# ------------------------------------------------------ SoftmaxWithLoss

def _explained(hint, fn, *args):
    """``fn(*args)``; an error raised by student code fails with ``hint``
    next to it, so the feedback names the mistake, not only NumPy's words."""
    try:
        return fn(*args)
    except StudentError as exc:
        raise Fail(f"your code raised {exc} ({hint})") from None


def _one_hot(t, K):
    return np.eye(K)[t]


def _swl_run(side, x, t, dout):
    layer = side.SoftmaxWithLoss()
    loss = side.get(layer.forward(x, t))
    return loss, side.get(layer.backward(dout))


def _swl_from_softmax(probe, x, t, dout):
    """Loss and gradient the layer must give if it builds on the student's
    own softmax (None when that softmax fails or is the reference's)."""
    try:
        y = probe.softmax(x)
    except StudentError:
        return None
    if not (isinstance(y, np.ndarray) and y.shape == x.shape):
        return None
    T = t if t.ndim == 2 else _one_hot(t, x.shape[1])
    with np.errstate(all="ignore"):
        loss = -np.sum(T * np.log(y)) / x.shape[0]
    return loss, dout * (y - T) / x.shape[0]


def _expect_swl(probe, ref, x, t, dout, what, hint_loss, hint_dx):
    got = _explained(hint_loss, _swl_run, probe, x, t, dout)
    want = _swl_run(ref, x, t, dout)
    try:
        expect_close(got[0], want[0], rtol=1e-9,
                     what=f"SoftmaxWithLoss.forward {what}", hint=hint_loss)
        expect_close(got[1], want[1], rtol=1e-9, atol=1e-15,
                     what=f"SoftmaxWithLoss.backward({dout}) {what}",
                     hint=hint_dx)
    except Fail:
        # built on the student's own softmax, which has its own task
        own = _swl_from_softmax(probe, x, t, dout)
        if own is None or not (
                np.ndim(got[0]) == 0 and np.isclose(got[0], own[0],
                                                    rtol=1e-9)
                and isinstance(got[1], np.ndarray)
                and got[1].shape == own[1].shape
                and np.allclose(got[1], own[1], rtol=1e-9, atol=1e-15)):
            raise


@check("test_softmax_with_loss", points=0.5)
def softmax_with_loss_labels(probe, ref, rng):
    N, K = 7, 4
    x = rng.normal(scale=3.0, size=(N, K))
    t = rng.integers(0, K, size=N)
    dout = float(rng.uniform(0.5, 2.0))
    _expect_swl(probe, ref, x, t, dout, "for int labels t (N,)",
                "the mean over the N samples of -log y at the true class",
                "dout * (y - T) / N: one-hot T from the labels, divided by "
                "the batch size N")


@check("test_softmax_with_loss", points=0.5)
def softmax_with_loss_one_hot(probe, ref, rng):
    N, K = 6, 5
    x = rng.normal(scale=2.0, size=(N, K))
    t = _one_hot(rng.integers(0, K, size=N), K)
    _expect_swl(probe, ref, x, t, 1.0, "for one-hot targets t (N, K)",
                "one-hot targets hold the class as a row of 0s and a 1: "
                "-sum(T * log y) / N, do not index with t",
                "for one-hot t, T is t itself: (y - t) / N")


@check("test_softmax_with_loss", points=0.5)
def softmax_with_loss_large_logits(probe, ref, rng):
    x = rng.normal(size=(5, 3)) * 600.0
    t = rng.integers(0, 3, size=5)
    hint = ("compute the log-probabilities directly (shifted logits minus "
            "the log-sum-exp), not log(softmax(x) + eps)")
    got = _explained(hint, _swl_run, probe, x, t, 1.0)
    want = _swl_run(ref, x, t, 1.0)
    expect(np.ndim(got[0]) == 0 and np.isfinite(got[0]),
           "SoftmaxWithLoss.forward is not finite for logits of several "
           f"hundred ({hint})")
    expect_close(got[0], want[0], rtol=1e-9,
                 what="SoftmaxWithLoss.forward for logits of several "
                      "hundred", hint=hint)
    expect_close(got[1], want[1], rtol=1e-9, atol=1e-15,
                 what="SoftmaxWithLoss.backward for logits of several "
                      "hundred", hint="subtract the row maximum in softmax")


# --------------------------------------------------------- TwoLayerNet

def _net_params(rng, D=4, H=5, K=3):
    return (rng.normal(size=(D, H)), rng.normal(size=H),
            rng.normal(size=(H, K)), rng.normal(size=K))


def _composed(probe, params, x, t):
    """What backprop through the student's OWN layers gives, or None."""
    W1, b1, W2, b2 = params
    try:
        first, relu = probe.Affine(W1, b1), probe.ReLU()
        second, last = probe.Affine(W2, b2), probe.SoftmaxWithLoss()
        last.forward(second.forward(relu.forward(first.forward(x))), t)
        first.backward(relu.backward(second.backward(last.backward(1.0))))
        return {"W1": probe.get(first.dW), "b1": probe.get(first.db),
                "W2": probe.get(second.dW), "b2": probe.get(second.db)}
    except (StudentError, Fail):
        return None


def _same_grads(got, want):
    return isinstance(got, dict) and isinstance(want, dict) and all(
        isinstance(got.get(k), np.ndarray) and got[k].shape == w.shape
        and np.allclose(got[k], w, rtol=1e-9, atol=1e-12)
        for k, w in want.items())


NET_KEYS = ["W1", "W2", "b1", "b2"]
BACKPROP = ("one forward pass (self.loss), then last_layer.backward(1.0) "
            "and every layer's backward in reverse order, ReLU included")


def _informative(grads: dict) -> bool:
    """Every gradient numeric, finite and not identically zero."""
    try:
        arrays = [np.asarray(g, dtype=float) for g in grads.values()]
    except (TypeError, ValueError):
        return False
    return all(np.all(np.isfinite(a)) and np.any(a != 0) for a in arrays)


def _expect_grads(probe, ref, params, got, x, t, what):
    expect(isinstance(got, dict) and sorted(got) == NET_KEYS,
           f"{what}: return a dict with the keys W1, b1, W2, b2")
    want = ref.TwoLayerNet(*[p.copy() for p in params]).gradient(x, t)
    if _same_grads(got, want):
        return
    # judged against the student's own layers, which have their own tasks,
    # as long as those layers carry a signal: gradients that are all zero
    # (or not finite) through them show nothing about backpropagation
    own = _composed(probe, params, x, t)
    if own is not None and _informative(own) and _same_grads(got, own):
        return
    for key in NET_KEYS:
        expect(isinstance(got[key], np.ndarray)
               and got[key].shape == want[key].shape,
               f"{what}: the gradient {key} must have the shape of its "
               f"parameter, {want[key].shape}")
    for key in NET_KEYS:
        expect_close(got[key], want[key], rtol=1e-9, atol=1e-12,
                     what=f"{what}: the gradient {key}", hint=BACKPROP)


@check("test_two_layer_gradient", points=1)
def two_layer_gradient(probe, ref, rng):
    params = _net_params(rng)
    x, t = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    net = probe.TwoLayerNet(*params)
    got = _explained(BACKPROP, net.gradient, x, t)
    _expect_grads(probe, ref, params, got, x, t,
                  "TwoLayerNet.gradient(x, t) on a new network")


@check("test_two_layer_gradient", points=0.5)
def two_layer_gradient_second_batch(probe, ref, rng):
    params = _net_params(rng, D=3, H=6, K=4)
    net = probe.TwoLayerNet(*params)
    x0, t0 = rng.normal(size=(5, 3)), rng.integers(0, 4, size=5)
    _explained("TwoLayerNet.loss uses your layers' forward passes",
               net.loss, x0, t0)
    x, t = rng.normal(size=(8, 3)), rng.integers(0, 4, size=8)
    got = _explained(BACKPROP, net.gradient, x, t)
    _expect_grads(probe, ref, params, got, x, t,
                  "TwoLayerNet.gradient(x, t) after a forward pass on "
                  "another batch (the gradient must be of THIS batch: run "
                  "the forward pass first)")


# ---------------------------------------------------------------- train
#
# train() is judged relative to the student's own TwoLayerNet: the host
# replays the loop of the task (each epoch's order from a generator with the
# same seed) on the student's network and compares the two loss curves. When
# gradient() raises, the network's numerical_gradient stands in for it, so a
# mistake in Task 8 alone does not cost Task 9's points.

def _train_setup(rng, N, D=3, K=3):
    x = rng.normal(size=(N, D))
    t = rng.integers(0, K, size=N)
    return x, t, _net_params(rng, D=D, H=4, K=K)


def _numeric_stand_in(probe, params, x, t):
    """Whether the student's gradient() must be replaced by the network's
    numerical_gradient (Fail when the network cannot train at all)."""
    net = probe.TwoLayerNet(*[p.copy() for p in params])
    try:
        net.loss(x[:2], t[:2])
    except StudentError as exc:
        raise Fail(f"train is judged with your TwoLayerNet, whose loss "
                   f"raised {exc}: fix the layers of Tasks 4, 5 and 7 "
                   f"first") from None
    try:
        grads = net.gradient(x[:2], t[:2])
        if isinstance(grads, dict) and all(
                np.shape(grads.get(k)) == p.shape
                for k, p in zip(("W1", "b1", "W2", "b2"), params,
                                strict=True)):
            return False
    except StudentError:
        pass
    try:
        net.numerical_gradient(x[:2], t[:2])
    except StudentError as exc:
        raise Fail(f"train is judged with your TwoLayerNet, whose gradient "
                   f"and numerical_gradient both raise ({exc}): fix Task 8 "
                   f"or Task 6 first") from None
    return True


def _student_net(probe, params, numeric):
    net = probe.TwoLayerNet(*[p.copy() for p in params])
    if numeric:
        probe.set(net, "gradient", net.numerical_gradient)
    return net


def _replay(probe, params, numeric, x, t, epochs, batch_size, lr, seed):
    """The task's loop, run by the host on the student's network (rebuilt
    from host-held parameters at each step). Returns the loss curve, the
    parameters after every step, and the batches."""
    gen = np.random.default_rng(seed)
    params = [p.copy() for p in params]
    losses, history, batches = [], [], []
    for _ in range(epochs):
        order = gen.permutation(x.shape[0])
        for start in range(0, x.shape[0], batch_size):
            batch = order[start:start + batch_size]
            net = _student_net(probe, params, numeric)
            losses.append(float(net.loss(x[batch], t[batch])))
            grads = net.gradient(x[batch], t[batch])
            params = [p - lr * np.asarray(grads[k], dtype=float)
                      for p, k in zip(params, ("W1", "b1", "W2", "b2"),
                                      strict=True)]
            history.append(params)
            batches.append(batch)
    return losses, history, batches


TRAIN_LOOP = ("each epoch: order = rng.permutation(N) from the rng argument "
              "(nothing else drawn from it), cut into consecutive slices of "
              "batch_size so every sample is visited once; for each slice "
              "record net.loss(xb, tb), then update the parameters")


def _judge_train(probe, rng, N, epochs, batch_size, lr, final):
    x, t, params = _train_setup(rng, N)
    seed = int(rng.integers(2 ** 31))
    numeric = _numeric_stand_in(probe, params, x, t)
    net = _student_net(probe, params, numeric)
    generator = probe.np.random.default_rng(seed)
    got = _explained(TRAIN_LOOP, probe.train, net, x, t, epochs, batch_size,
                     lr, generator)
    want, history, batches = _replay(probe, params, numeric, x, t, epochs,
                                     batch_size, lr, seed)
    expect(np.all(np.isfinite(want)) and np.ptp(want) > 0,
           "train is judged with your TwoLayerNet, whose loss does not "
           "change from batch to batch: fix the layers of Tasks 4, 5, 7 "
           "and 8 first")
    per_epoch = -(-N // batch_size)
    expect(isinstance(got, (list, tuple, np.ndarray)) and np.ndim(got) == 1
           and all(isinstance(v, (int, float, np.number)) for v in got),
           "train must return the list of the mini-batch losses (numbers)")
    expect(len(got) != epochs * (N // batch_size) or N % batch_size == 0,
           f"train returned {len(got)} losses for {epochs} epochs of {N} "
           f"samples in batches of {batch_size}: keep the smaller last "
           "batch of each epoch (range(0, N, batch_size))")
    expect(len(got) != epochs,
           "train returned one loss per epoch: record the loss of every "
           "mini-batch")
    expect(len(got) == len(want),
           f"train returned {len(got)} losses for {epochs} epochs of {N} "
           f"samples in batches of {batch_size}: one per mini-batch "
           f"({TRAIN_LOOP})")
    got = np.asarray(got, dtype=float)
    close = np.isclose(got, want, rtol=1e-9, atol=1e-12)
    if not close.all():
        i = int(np.argmin(close))
        after = _student_net(probe, history[i], numeric).loss(
            x[batches[i]], t[batches[i]])
        expect(not np.isclose(got[i], after, rtol=1e-9),
               "record net.loss(xb, tb) BEFORE the update of that batch")
        expect(i == 0 or i % per_epoch != 0,
               "the loss curve goes wrong at the start of an epoch: draw "
               "a new permutation at the start of EVERY epoch")
        expect_close(got, np.asarray(want), rtol=1e-9, atol=1e-12,
                     dtype=False, what="the loss curve returned by train",
                     hint=TRAIN_LOOP)
    if final:
        after = probe.get(net.params)
        for key, value in zip(("W1", "b1", "W2", "b2"), history[-1],
                              strict=True):
            expect_close(after[key], value, rtol=1e-9, atol=1e-12,
                         what=f"net.params[{key!r}] after train",
                         hint="update every parameter in place after each "
                              "mini-batch: net.params[key] -= lr * "
                              "grads[key]")


@check("test_train", points=0.5)
def train_loss_curve(probe, ref, rng):
    _judge_train(probe, rng, N=10, epochs=3, batch_size=4, lr=0.3,
                 final=False)


@check("test_train", points=0.5)
def train_updates_parameters(probe, ref, rng):
    _judge_train(probe, rng, N=9, epochs=2, batch_size=3, lr=0.5,
                 final=True)
