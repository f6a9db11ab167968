"""Hidden checks of assignment 04-batchnorm (run on the grading host).

Each check calls the student's functions through ``probe`` (in the sandbox)
and the reference solution through ``ref`` (on the host) on the same random
inputs, dense (N, D) and images (N, C, H, W), and compares the results.
See course_tools/checks.py and the instructors' guide.
"""

import numpy as np

from course_tools.checks import Fail, StudentError, check, expect, \
    expect_close, expect_equal

AXES = {2: (0,), 4: (0, 2, 3)}


def _bshape(shape):
    return (1, shape[1]) if len(shape) == 2 else (1, shape[1], 1, 1)


def _inputs(rng, shape):
    C, b = shape[1], _bshape(shape)
    x = (rng.normal(size=shape) * rng.uniform(0.5, 3, C).reshape(b)
         + rng.normal(size=C).reshape(b) * 3)
    return x, rng.uniform(0.5, 2.0, C), rng.normal(size=C)


def _pair(got, what):
    expect(isinstance(got, tuple) and len(got) == 2,
           f"{what} must return a pair; got "
           f"{type(got).__name__ if not isinstance(got, tuple) else len(got)}")
    return got


@check("test_batchnorm_forward_train", points=3)
def forward_train_matches(probe, ref, rng):
    for shape in [(7, 5), (2, 3), (4, 3, 5, 2), (2, 4, 3, 3), (1, 2, 3, 4)]:
        x, gamma, beta = _inputs(rng, shape)
        xs, gs = probe.put(x), probe.put(gamma)
        got = _pair(probe.batchnorm_forward_train(xs, gs, beta, eps=1e-5),
                    "batchnorm_forward_train")
        out, (x_hat, inv_std) = ref.batchnorm_forward_train(x, gamma, beta,
                                                            eps=1e-5)
        expect_equal(probe.get(xs), x, what="x after the call",
                     hint="do not modify x in place")
        expect_equal(probe.get(gs), gamma, what="gamma after the call",
                     hint="do not modify gamma in place")
        mine = got[0]
        expect(isinstance(mine, np.ndarray) and mine.shape == out.shape,
               f"out must have the shape of x {shape}")
        axes, b = AXES[len(shape)], _bshape(shape)
        unbiased = gamma.reshape(b) * (x - x.mean(axis=axes, keepdims=True)) \
            / np.sqrt(x.var(axis=axes, keepdims=True, ddof=1) + 1e-5) \
            + beta.reshape(b)
        if np.allclose(mine, unbiased, rtol=1e-8, atol=1e-10):
            raise Fail("you divided by m - 1: training mode uses the biased "
                       "batch variance (divide by m)")
        if len(shape) == 4:
            per_pixel = gamma.reshape(b) * (x - x.mean(axis=0)) / np.sqrt(
                x.var(axis=0) + 1e-5) + beta.reshape(b)
            if np.allclose(mine, per_pixel, rtol=1e-8, atol=1e-10):
                raise Fail("images: you took statistics per pixel (axis 0 "
                           "only); take one mean and variance per channel "
                           "over axes (0, 2, 3)")
        expect_close(mine, out, rtol=1e-10, atol=1e-12,
                     what=f"out for x of shape {shape}",
                     hint="normalize each feature/channel, then "
                          "gamma * x_hat + beta")
        cache = _pair(got[1], "the cache")
        expect_close(cache[0], x_hat, rtol=1e-8, atol=1e-10,
                     what="cache[0] (x_hat)")
        expect(np.size(cache[1]) == shape[1],
               f"cache[1] must hold one 1/sqrt(var + eps) per channel, "
               f"shape {_bshape(shape)}; got shape {np.shape(cache[1])}")
        expect_close(np.ravel(cache[1]), np.ravel(inv_std), rtol=1e-10,
                     what="cache[1] (inv_std = 1/sqrt(var + eps))")
    x32 = rng.normal(size=(6, 4)).astype(np.float32)
    out32, _ = _pair(probe.batchnorm_forward_train(
        x32, np.ones(4, np.float32), np.zeros(4, np.float32)),
        "batchnorm_forward_train")
    expect(getattr(out32, "dtype", None) == np.float32,
           "float32 in must give float32 out")


@check("test_batchnorm_forward_inference", points=2)
def forward_inference_matches(probe, ref, rng):
    for shape in [(6, 4), (1, 5), (3, 2, 4, 5), (1, 3, 2, 2)]:
        C = shape[1]
        gamma, beta = rng.uniform(0.5, 2.0, C), rng.normal(size=C)
        mean, var = rng.normal(size=C) * 2, rng.uniform(0.2, 3.0, C)
        x = rng.normal(size=shape) * 2 + 1
        args = (gamma, beta, mean, var)
        got = probe.batchnorm_forward_inference(x, *args, eps=1e-5)
        want = ref.batchnorm_forward_inference(x, *args, eps=1e-5)
        expect_close(got, want, rtol=1e-10, atol=1e-12,
                     what=f"output for x of shape {shape}",
                     hint="use the running mean and variance (not the "
                          "batch's) and sqrt(running_var + eps)")
        if shape[0] > 1:
            alone = probe.batchnorm_forward_inference(x[1:2], *args)
            expect_close(alone, ref.batchnorm_forward_inference(x[1:2],
                                                                *args),
                         rtol=1e-10, atol=1e-12,
                         what="one sample processed alone",
                         hint="in inference mode each sample is processed on "
                              "its own: do not use batch statistics")
    f32 = np.float32
    out32 = probe.batchnorm_forward_inference(
        rng.normal(size=(3, 4)).astype(f32), np.ones(4, f32),
        np.zeros(4, f32), np.zeros(4, f32), np.ones(4, f32))
    expect(getattr(out32, "dtype", None) == f32,
           "float32 in must give float32 out")


@check("test_update_running_averages", points=2)
def running_averages_match(probe, ref, rng):
    for shape, momentum in [((8, 3), 0.9), ((5, 4), 0.7), ((3, 2, 4, 3), 0.9),
                            ((2, 3, 2, 2), 0.5)]:
        C = shape[1]
        mine = want = (np.zeros(C), np.ones(C))
        for step in range(4):
            x = rng.normal(size=shape) * rng.uniform(0.5, 3) \
                + rng.normal() * 2
            want = ref.update_running_averages(*want, x, momentum=momentum)
            try:
                got = _pair(probe.update_running_averages(
                    *mine, x, momentum=momentum), "update_running_averages")
            except StudentError as exc:
                if exc.ename not in ("ValueError", "IndexError"):
                    raise
                raise Fail(f"update_running_averages failed for x of shape "
                           f"{shape} ({exc}); the running estimates hold one "
                           "value per channel, shape (C,): for images "
                           "average over axes (0, 2, 3)") from None
            mine = tuple(np.asarray(v) for v in got)
            for name, g, w, hint in (
                    ("running mean", mine[0], want[0],
                     "new = momentum * old + (1 - momentum) * batch mean; "
                     "momentum weights the OLD value"),
                    ("running variance", mine[1], want[1],
                     "average the unbiased batch variance (divide by "
                     "m - 1)")):
                expect(g.shape == (C,),
                       f"x of shape {shape}: the {name} has one value per "
                       f"channel, shape ({C},); got {g.shape}; for images "
                       "average over axes (0, 2, 3)")
                expect_close(g, w, rtol=1e-10, atol=1e-12, dtype=False,
                             what=f"{name} after {step + 1} steps (x "
                                  f"{shape}, momentum {momentum})", hint=hint)
    f32 = np.float32
    m32, v32 = _pair(probe.update_running_averages(
        np.zeros(2, f32), np.ones(2, f32),
        rng.normal(size=(6, 2)).astype(f32)), "update_running_averages")
    expect(np.asarray(m32).dtype == f32 and np.asarray(v32).dtype == f32,
           "float32 buffers must stay float32")


@check("test_batchnorm_backward", points=3)
def backward_matches(probe, ref, rng):
    for shape in [(7, 5), (3, 2), (4, 3, 5, 2), (2, 4, 3, 3)]:
        C, axes = shape[1], AXES[len(shape)]
        x = rng.normal(size=shape) * 2 + 1
        gamma = rng.uniform(0.5, 2.0, C)
        dout = rng.normal(size=shape)
        mu = x.mean(axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(x.var(axis=axes, keepdims=True) + 1e-5)
        cache = ((x - mu) * inv_std, inv_std)
        sent = probe.put(dout)
        got = probe.batchnorm_backward(sent, cache, gamma)
        want = ref.batchnorm_backward(dout, cache, gamma)
        expect(isinstance(got, tuple) and len(got) == 3,
               "return a triple (dx, dgamma, dbeta)")
        expect_equal(probe.get(sent), dout, what="dout after the call",
                     hint="do not modify dout in place")
        dx, dgamma, dbeta = got
        expect(np.shape(dbeta) == (C,) and np.shape(dgamma) == (C,),
               f"dout of shape {shape}: dgamma and dbeta have shape ({C},); "
               f"got {np.shape(dgamma)} and {np.shape(dbeta)} (for images "
               "sum over axes (0, 2, 3))")
        expect_close(dbeta, want[2], rtol=1e-10, atol=1e-12, what="dbeta",
                     hint="sum of dout over the batch (and pixels)")
        expect_close(dgamma, want[1], rtol=1e-10, atol=1e-12, what="dgamma",
                     hint="dgamma = sum(dout * x_hat) over the batch (and "
                          "pixels)")
        expect(np.shape(dx) == shape,
               f"dx must have the shape of dout {shape}; got {np.shape(dx)}")
        expect(np.allclose(np.sum(dx, axis=axes), 0.0, atol=1e-9),
               "dx must sum to zero over each feature: the mean term is "
               "missing, or taken over the wrong axes")
        expect_close(dx, want[0], rtol=1e-9, atol=1e-11,
                     what=f"dx for shape {shape}",
                     hint="dx = gamma * inv_std * (dout - mean(dout) - x_hat "
                          "* mean(dout * x_hat)); is the x_hat term missing?")
    f32 = np.float32
    out = probe.batchnorm_backward(
        rng.normal(size=(5, 3)).astype(f32),
        (rng.normal(size=(5, 3)).astype(f32), np.ones((1, 3), f32)),
        np.ones(3, f32))
    expect(isinstance(out, tuple) and len(out) == 3 and all(
        getattr(v, "dtype", None) == f32 for v in out),
        "float32 in must give float32 out")
