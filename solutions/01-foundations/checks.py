"""Hidden checks of assignment 01-foundations (run on the grading host).

Each check calls the student's code through ``probe`` (in the sandbox) and
the reference solution through ``ref`` (on the host), and compares the two.
See course_tools/checks.py and the instructors' guide.
"""

import numpy as np

from course_tools.checks import check, expect, expect_close, expect_equal

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


@check("test_cross_entropy", points=2)
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


@check("test_sigmoid", points=2)
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


@check("test_affine", points=3)
def affine_forward_backward(probe, ref, rng):
    N, D, M = 4, 6, 3
    x, W = rng.normal(size=(N, D)), rng.normal(size=(D, M))
    b, dout = rng.normal(size=M), rng.normal(size=(N, M))
    got = _affine_run(probe, W, b, x, dout)
    want = _affine_run(ref, W, b, x, dout)
    expect_close(got[0], want[0], rtol=1e-12, what="Affine.forward(x)")
    for name, g, w in zip(("dx", "dW", "db"), got[1:], want[1:]):
        expect_close(g, w, rtol=1e-10, what=name,
                     hint="a transposed product?" if name != "db" else "")


def _gradient(side, x):
    xs = side.put(x)
    g = side.numerical_gradient(lambda v: float(np.sum(v ** 3)), xs,
                                h=1e-4)
    return g, side.get(xs)


@check("test_numerical_gradient", points=2)
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
