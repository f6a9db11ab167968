"""Hidden checks of assignment 04-batchnorm (run on the grading host).

Each check calls the student's functions through ``probe`` (in the sandbox)
and the reference solution through ``ref`` (on the host) on the same random
inputs and compares the results. The image tasks (5, 6) are built on the
student's own Tasks 1 and 4: an answer that is right given the student's
own helper earns its points even when that helper is wrong (the helper
loses its own). See course_tools/checks.py and the instructors' guide.
"""

import numpy as np

from course_lib.gradcheck import numerical_gradient
from course_tools.checks import (
    Fail,
    StudentError,
    check,
    expect,
    expect_close,
    expect_equal,
)

F32 = np.float32


def _inputs(rng, shape, axis):
    """x with a different mean and spread along ``axis``; gamma, beta."""
    b = [1] * len(shape)
    b[axis] = shape[axis]
    x = (rng.normal(size=shape) * rng.uniform(0.5, 3, shape[axis]).reshape(b)
         + rng.normal(size=shape[axis]).reshape(b) * 3)
    D = shape[-1] if len(shape) == 2 else shape[1]
    return x, rng.uniform(0.5, 2.0, D), rng.normal(size=D)


def _call(fn, hint, *args, **kwargs):
    """``fn(*args, **kwargs)``; an error of the student's code fails the
    check with ``hint``, which names the likely misconception."""
    try:
        return fn(*args, **kwargs)
    except StudentError as exc:
        raise Fail(f"your code raised {exc} ({hint})") from None


SPATIAL_HINT = ("rows = x.transpose(0, 2, 3, 1).reshape(-1, C) is an "
                "(N*H*W, C) matrix for Task 1, with gamma and beta of shape "
                "(C,) unchanged; undo both steps on the output")
LN_HINT = ("the row statistics keep their axis, shape (N, 1) "
           "(keepdims=True), so that they broadcast along each row of x "
           "(N, D); gamma and beta (D,) broadcast along the columns")


def _pair(got, what):
    expect(isinstance(got, tuple) and len(got) == 2,
           f"{what} must return a pair (out, cache); got "
           f"{type(got).__name__ if not isinstance(got, tuple) else len(got)}"
           + ("" if not isinstance(got, tuple) else " values"))
    return got


def _triple(got, what):
    expect(isinstance(got, tuple) and len(got) == 3,
           f"{what} must return a triple (dx, dgamma, dbeta)")
    return got


def _close(a, b, rtol=1e-9, atol=1e-11):
    try:
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype.kind == "f" and bool(
            np.allclose(a, b, rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def _rows(x):
    """(N, C, H, W) -> (N*H*W, C), one row per pixel."""
    return x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])


def _images(rows, shape):
    N, C, H, W = shape
    return rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)


def _f32(got, what):
    expect(isinstance(got, tuple) and all(
        getattr(v, "dtype", None) == F32 for v in got),
        f"{what}: float32 in must give float32 out (allocate with the dtype "
        "of x, and keep constants as Python numbers)")


# ----------------------------------------------------------------- Task 1
@check("test_batchnorm_forward_train", points=2)
def forward_train_matches(probe, ref, rng):
    for shape in [(7, 5), (2, 3), (16, 4), (3, 1)]:
        x, gamma, beta = _inputs(rng, shape, 1)
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
        unbiased = gamma * (x - x.mean(axis=0)) / np.sqrt(
            x.var(axis=0, ddof=1) + 1e-5) + beta
        if _close(mine, unbiased):
            raise Fail("you divided by m - 1: training mode uses the biased "
                       "batch variance (divide by m)")
        if _close(mine, x_hat):
            raise Fail("out equals x_hat: scale and shift it, "
                       "gamma * x_hat + beta")
        expect_close(mine, out, rtol=1e-10, atol=1e-12,
                     what=f"out for x of shape {shape}",
                     hint="normalize each feature (column, axis 0), then "
                          "gamma * x_hat + beta")
        cache = _pair(got[1], "the cache")
        expect_close(cache[0], x_hat, rtol=1e-8, atol=1e-10,
                     what="cache[0] (x_hat)")
        expect(np.shape(cache[1]) == (1, shape[1]),
               f"cache[1] must hold one 1/sqrt(var + eps) per feature, "
               f"shape (1, {shape[1]}); got shape {np.shape(cache[1])}")
        expect_close(cache[1], inv_std, rtol=1e-10,
                     what="cache[1] (inv_std = 1/sqrt(var + eps))")
    x32 = rng.normal(size=(6, 4)).astype(F32)
    out32, cache32 = _pair(probe.batchnorm_forward_train(
        x32, np.ones(4, F32), np.zeros(4, F32)), "batchnorm_forward_train")
    _f32((out32,) + tuple(cache32), "batchnorm_forward_train")


# ----------------------------------------------------------------- Task 2
@check("test_batchnorm_forward_inference", points=1)
def forward_inference_matches(probe, ref, rng):
    for shape in [(6, 4), (1, 5), (3, 7)]:
        D = shape[1]
        gamma, beta = rng.uniform(0.5, 2.0, D), rng.normal(size=D)
        mean, var = rng.normal(size=D) * 2, rng.uniform(0.2, 3.0, D)
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
    out32 = probe.batchnorm_forward_inference(
        rng.normal(size=(3, 4)).astype(F32), np.ones(4, F32),
        np.zeros(4, F32), np.zeros(4, F32), np.ones(4, F32))
    _f32((out32,), "batchnorm_forward_inference")


# ----------------------------------------------------------------- Task 3
@check("test_update_running_averages", points=1)
def running_averages_match(probe, ref, rng):
    for shape, momentum in [((8, 3), 0.9), ((5, 4), 0.7), ((3, 2), 0.5)]:
        D = shape[1]
        mine = want = (np.zeros(D), np.ones(D))
        for step in range(4):
            x = rng.normal(size=shape) * rng.uniform(0.5, 3) \
                + rng.normal() * 2
            want = ref.update_running_averages(*want, x, momentum=momentum)
            got = _pair(probe.update_running_averages(
                *mine, x, momentum=momentum), "update_running_averages")
            mine = tuple(np.asarray(v) for v in got)
            for name, g, w, hint in (
                    ("running mean", mine[0], want[0],
                     "new = momentum * old + (1 - momentum) * batch mean; "
                     "momentum weights the OLD value"),
                    ("running variance", mine[1], want[1],
                     "average the unbiased batch variance (divide by "
                     "m - 1)")):
                expect(g.shape == (D,),
                       f"x of shape {shape}: the {name} has one value per "
                       f"feature, shape ({D},); got {g.shape}")
                expect_close(g, w, rtol=1e-10, atol=1e-12, dtype=False,
                             what=f"{name} after {step + 1} steps (x "
                                  f"{shape}, momentum {momentum})", hint=hint)
    got = _pair(probe.update_running_averages(
        np.zeros(2, F32), np.ones(2, F32),
        rng.normal(size=(6, 2)).astype(F32)), "update_running_averages")
    expect(all(np.asarray(v).dtype == F32 for v in got),
           "float32 buffers must stay float32")


# ----------------------------------------------------------------- Task 4
def _bn_cache(x, eps=1e-5):
    mu = x.mean(axis=0, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=0, keepdims=True) + eps)
    return (x - mu) * inv_std, inv_std


@check("test_batchnorm_backward", points=2)
def backward_matches(probe, ref, rng):
    for shape in [(7, 5), (3, 2), (12, 4)]:
        D = shape[1]
        x = rng.normal(size=shape) * 2 + 1
        gamma = rng.uniform(0.5, 2.0, D)
        dout = rng.normal(size=shape)
        cache = _bn_cache(x)
        sent = probe.put(dout)
        got = _triple(probe.batchnorm_backward(sent, cache, gamma),
                      "batchnorm_backward")
        want = ref.batchnorm_backward(dout, cache, gamma)
        expect_equal(probe.get(sent), dout, what="dout after the call",
                     hint="do not modify dout in place")
        dx, dgamma, dbeta = got
        expect(np.shape(dbeta) == (D,) and np.shape(dgamma) == (D,),
               f"dout of shape {shape}: dgamma and dbeta have shape ({D},); "
               f"got {np.shape(dgamma)} and {np.shape(dbeta)}")
        expect_close(dbeta, want[2], rtol=1e-10, atol=1e-12, what="dbeta",
                     hint="sum of dout over the batch")
        expect_close(dgamma, want[1], rtol=1e-10, atol=1e-12, what="dgamma",
                     hint="dgamma = sum(dout * x_hat) over the batch")
        expect(np.shape(dx) == shape,
               f"dx must have the shape of dout {shape}; got {np.shape(dx)}")
        expect(np.allclose(np.sum(dx, axis=0), 0.0, atol=1e-9),
               "dx must sum to zero over each feature: the mean term is "
               "missing")
        expect_close(dx, want[0], rtol=1e-9, atol=1e-11,
                     what=f"dx for shape {shape}",
                     hint="dx = gamma * inv_std * (dout - mean(dout) - x_hat "
                          "* mean(dout * x_hat)); is the x_hat term missing?")
    out = _triple(probe.batchnorm_backward(
        rng.normal(size=(5, 3)).astype(F32),
        (rng.normal(size=(5, 3)).astype(F32), np.ones((1, 3), F32)),
        np.ones(3, F32)), "batchnorm_backward")
    _f32(out, "batchnorm_backward")


# ----------------------------------------------------------------- Task 5
IMAGES = [(2, 3, 4, 5), (3, 2, 3, 3), (1, 4, 2, 3), (4, 1, 1, 2)]


def _own_call(fn, *args):
    """What the student's helper returns, or None when it raises."""
    try:
        return fn(*args)
    except StudentError:
        return None


@check("test_spatial_batchnorm_forward", points=2)
def spatial_forward_matches(probe, ref, rng):
    for shape in IMAGES:
        N, C, H, W = shape
        x, gamma, beta = _inputs(rng, shape, 1)
        xs = probe.put(x)
        got = _pair(_call(probe.spatial_batchnorm_forward, SPATIAL_HINT, xs,
                          gamma, beta, eps=1e-5),
                    "spatial_batchnorm_forward")
        expect_equal(probe.get(xs), x, what="x after the call",
                     hint="do not modify x in place")
        out, cache = got
        expect(isinstance(out, np.ndarray) and out.shape == shape,
               f"out must have the shape of x {shape}; got "
               f"{np.shape(out)}: reshape (N*H*W, C) -> (N, H, W, C), then "
               "transpose (0, 3, 1, 2)")
        want = ref.spatial_batchnorm_forward(x, gamma, beta, eps=1e-5)
        # the answer your own batchnorm_forward_train implies
        own = _own_call(probe.batchnorm_forward_train, _rows(x), gamma, beta,
                        1e-5)
        candidates = [(want[0], want[1])]
        if (isinstance(own, tuple) and len(own) == 2
                and np.shape(own[0]) == (N * H * W, C)):
            candidates.append((_images(np.asarray(own[0]), shape), own[1]))
        if any(_close(out, o) for o, _ in candidates):
            ok = [c for o, c in candidates if _close(out, o)]
            cache_ok = any(
                isinstance(cache, tuple) and isinstance(c, tuple)
                and len(cache) == len(c) == 2
                and all(_close(a, b) for a, b in zip(cache, c, strict=True))
                for c in ok)
            expect(cache_ok,
                   f"x of shape {shape}: the cache must be what "
                   "batchnorm_forward_train returned for the (N*H*W, C) "
                   "matrix x.transpose(0, 2, 3, 1).reshape(-1, C), unchanged")
            continue
        axes = (0, 2, 3)
        b = (1, C, 1, 1)
        stats_ok = _close(out.mean(axis=axes), beta, 1e-7, 1e-9) and _close(
            out.std(axis=axes), gamma * np.sqrt(
                x.var(axis=axes) / (x.var(axis=axes) + 1e-5)), 1e-6, 1e-9)
        per_pixel = gamma.reshape(b) * (x - x.mean(axis=0)) / np.sqrt(
            x.var(axis=0) + 1e-5) + beta.reshape(b)
        if H * W > 1 and _close(out, per_pixel):
            raise Fail(f"x of shape {shape}: you took statistics per pixel "
                       "(axis 0 only); take one mean and variance per "
                       "channel over the batch AND the spatial axes "
                       "(0, 2, 3)")
        if stats_ok:
            raise Fail(f"x of shape {shape}: each channel has the right "
                       "mean and spread but the values are in the wrong "
                       "places: undo both steps, reshape to (N, H, W, C) "
                       "and transpose (0, 3, 1, 2)")
        expect_close(out, want[0], rtol=1e-10, atol=1e-12,
                     what=f"out for x of shape {shape}",
                     hint="per channel over the batch AND the spatial axes: "
                          "transpose x to (N, H, W, C) before reshaping to "
                          "(N*H*W, C) (x.reshape(-1, C) mixes the channels), "
                          "and undo both steps on the output: reshape "
                          "(N, H, W, C), then transpose (0, 3, 1, 2)")
    out32 = _pair(probe.spatial_batchnorm_forward(
        rng.normal(size=(2, 3, 2, 2)).astype(F32), np.ones(3, F32),
        np.zeros(3, F32)), "spatial_batchnorm_forward")
    _f32(out32[:1], "spatial_batchnorm_forward")


# ----------------------------------------------------------------- Task 6
@check("test_spatial_batchnorm_backward", points=2)
def spatial_backward_matches(probe, ref, rng):
    for shape in IMAGES:
        N, C, H, W = shape
        x = rng.normal(size=shape) * 2 + 1
        gamma = rng.uniform(0.5, 2.0, C)
        dout = rng.normal(size=shape)
        cache = _bn_cache(_rows(x))
        sent = probe.put(dout)
        got = _triple(_call(probe.spatial_batchnorm_backward,
                            "reshape dout exactly as x was in Task 5, pass "
                            "the cache unchanged to batchnorm_backward, and "
                            "bring dx back with reshape (N, H, W, C) and "
                            "transpose (0, 3, 1, 2)", sent, cache, gamma),
                      "spatial_batchnorm_backward")
        expect_equal(probe.get(sent), dout, what="dout after the call",
                     hint="do not modify dout in place")
        dx, dgamma, dbeta = got
        want = ref.spatial_batchnorm_backward(dout, cache, gamma)
        # the answer your own batchnorm_backward implies
        own = _own_call(probe.batchnorm_backward, _rows(dout), cache, gamma)
        candidates = [want]
        if (isinstance(own, tuple) and len(own) == 3
                and np.shape(own[0]) == (N * H * W, C)):
            candidates.append((_images(np.asarray(own[0]), shape), own[1],
                               own[2]))
        if any(all(_close(g, w) for g, w in zip(got, c, strict=True))
               for c in candidates):
            continue
        expect(np.shape(dbeta) == (C,) and np.shape(dgamma) == (C,),
               f"dout of shape {shape}: dgamma and dbeta have one value per "
               f"channel, shape ({C},); got {np.shape(dgamma)} and "
               f"{np.shape(dbeta)}: sum over the batch AND the spatial axes "
               "(0, 2, 3)")
        expect_close(dbeta, want[2], rtol=1e-10, atol=1e-12, what="dbeta",
                     hint="sum of dout over the batch AND the spatial axes "
                          "(0, 2, 3): reshape dout exactly as x was, "
                          "transpose (0, 2, 3, 1), then reshape (-1, C)")
        expect_close(dgamma, want[1], rtol=1e-10, atol=1e-12,
                     what="dgamma",
                     hint="sum of dout * x_hat over the batch AND the "
                          "spatial axes; reshape dout exactly as x was")
        expect(np.shape(dx) == shape,
               f"dx must have the shape of dout {shape}; got {np.shape(dx)}")
        if not np.allclose(np.sum(dx, axis=(0, 2, 3)), 0.0, atol=1e-9):
            raise Fail(f"dout of shape {shape}: dx must sum to zero over "
                       "each channel: the means inside the bracket are over "
                       "the batch AND the spatial axes (m = N*H*W), not over "
                       "axis 0 only; and dx goes back to (N, C, H, W) with "
                       "reshape (N, H, W, C), then transpose (0, 3, 1, 2)")
        expect_close(dx, want[0], rtol=1e-9, atol=1e-11,
                     what=f"dx for dout of shape {shape}",
                     hint="reshape dout as x was, call batchnorm_backward, "
                          "then bring dx back with reshape (N, H, W, C) and "
                          "transpose (0, 3, 1, 2)")
    # against central differences too, for one image batch
    shape = (2, 3, 3, 2)
    x, gamma, _ = _inputs(rng, shape, 1)
    dout = rng.normal(size=shape)
    cache = _bn_cache(_rows(x))
    num = numerical_gradient(lambda v: float(np.sum(
        ref.spatial_batchnorm_forward(v, gamma, np.zeros(3))[0] * dout)), x)
    dx = _triple(probe.spatial_batchnorm_backward(dout, cache, gamma),
                 "spatial_batchnorm_backward")[0]
    own = _own_call(probe.batchnorm_backward, _rows(dout), cache, gamma)
    if not (isinstance(own, tuple) and len(own) == 3 and np.shape(
            own[0]) == (12, 3) and _close(dx, _images(own[0], shape))):
        expect_close(dx, num, rtol=1e-6, atol=1e-8,
                     what="dx against a numerical gradient",
                     hint="every sum of Task 4 runs over the N*H*W values "
                          "of a channel")
    out32 = _triple(probe.spatial_batchnorm_backward(
        rng.normal(size=(2, 3, 2, 2)).astype(F32),
        tuple(c.astype(F32) for c in _bn_cache(_rows(
            rng.normal(size=(2, 3, 2, 2))))), np.ones(3, F32)),
        "spatial_batchnorm_backward")
    _f32(out32, "spatial_batchnorm_backward")


# ----------------------------------------------------------------- Task 7
@check("test_layernorm_forward", points=2)
def layernorm_forward_matches(probe, ref, rng):
    for shape, eps in [((5, 7), 1e-5), ((3, 2), 1e-5), ((1, 6), 1e-5),
                       ((4, 16), 0.5), ((6, 3), 1e-3)]:
        x, gamma, beta = _inputs(rng, shape, 0)
        xs = probe.put(x)
        got = _pair(_call(probe.layernorm_forward, LN_HINT, xs, gamma, beta,
                          eps=eps), "layernorm_forward")
        expect_equal(probe.get(xs), x, what="x after the call",
                     hint="do not modify x in place")
        out, (x_hat, inv_std) = ref.layernorm_forward(x, gamma, beta,
                                                      eps=eps)
        mine = got[0]
        expect(isinstance(mine, np.ndarray) and mine.shape == shape,
               f"out must have the shape of x {shape}; got {np.shape(mine)}")
        if shape[0] > 1:
            over_batch = gamma * (x - x.mean(axis=0)) / np.sqrt(
                x.var(axis=0) + eps) + beta
            if _close(mine, over_batch):
                raise Fail("you normalized each feature over the batch "
                           "(axis 0), which is batch normalization; layer "
                           "normalization normalizes each ROW (sample) over "
                           "its D features (axis 1)")
        unbiased = gamma * (x - x.mean(axis=1, keepdims=True)) / np.sqrt(
            x.var(axis=1, ddof=1, keepdims=True) + eps) + beta
        if _close(mine, unbiased):
            raise Fail("you divided by D - 1: use the biased variance of "
                       "each row (divide by D)")
        expect_close(mine, out, rtol=1e-10, atol=1e-12,
                     what=f"out for x of shape {shape}, eps={eps:g}",
                     hint="x_hat = (x - row mean) / sqrt(row var + eps), with "
                          "eps INSIDE the square root; then "
                          "gamma * x_hat + beta")
        cache = _pair(got[1], "the cache")
        expect_close(cache[0], x_hat, rtol=1e-8, atol=1e-10,
                     what="cache[0] (x_hat)")
        expect(np.shape(cache[1]) == (shape[0], 1),
               f"cache[1] must hold one 1/sqrt(var + eps) per row, shape "
               f"({shape[0]}, 1); got shape {np.shape(cache[1])}")
        expect_close(cache[1], inv_std, rtol=1e-10,
                     what="cache[1] (inv_std = 1/sqrt(var + eps))")
    got = _pair(probe.layernorm_forward(
        rng.normal(size=(4, 5)).astype(F32), np.ones(5, F32),
        np.zeros(5, F32)), "layernorm_forward")
    _f32((got[0],) + tuple(got[1]), "layernorm_forward")


# ----------------------------------------------------------------- Task 8
def _ln_cache(x, eps=1e-5):
    inv_std = 1.0 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    return (x - x.mean(axis=1, keepdims=True)) * inv_std, inv_std


@check("test_layernorm_backward", points=2)
def layernorm_backward_matches(probe, ref, rng):
    for shape in [(5, 7), (3, 4), (1, 6), (6, 3)]:
        N, D = shape
        x, gamma, beta = _inputs(rng, shape, 0)
        dout = rng.normal(size=shape)
        cache = _ln_cache(x)
        sent = probe.put(dout)
        got = _triple(_call(probe.layernorm_backward,
                            LN_HINT + "; dgamma and dbeta sum over axis 0",
                            sent, cache, gamma), "layernorm_backward")
        expect_equal(probe.get(sent), dout, what="dout after the call",
                     hint="do not modify dout in place")
        dx, dgamma, dbeta = got
        want = ref.layernorm_backward(dout, cache, gamma)
        expect(np.shape(dbeta) == (D,) and np.shape(dgamma) == (D,),
               f"dout of shape {shape}: gamma and beta are per feature, so "
               f"dgamma and dbeta have shape ({D},), summed over the batch "
               f"(axis 0); got {np.shape(dgamma)} and {np.shape(dbeta)}")
        expect_close(dbeta, want[2], rtol=1e-10, atol=1e-12, what="dbeta",
                     hint="sum of dout over the batch (axis 0)")
        expect_close(dgamma, want[1], rtol=1e-10, atol=1e-12, what="dgamma",
                     hint="sum of dout * x_hat over the batch (axis 0)")
        expect(np.shape(dx) == shape,
               f"dx must have the shape of dout {shape}; got {np.shape(dx)}")
        x_hat, inv_std = cache
        outside = gamma * inv_std * (
            dout - dout.mean(axis=1, keepdims=True)
            - x_hat * (dout * x_hat).mean(axis=1, keepdims=True))
        if _close(dx, outside):
            raise Fail("gamma differs along the normalized axis, so it "
                       "cannot be pulled out of the bracket: multiply dout "
                       "by gamma FIRST (g = dout * gamma), then take the row "
                       "means of g and g * x_hat")
        expect(np.allclose(np.sum(dx, axis=1), 0.0, atol=1e-9),
               "dx must sum to zero over each row: subtract the row mean "
               "of g = dout * gamma (axis 1)")
        expect_close(dx, want[0], rtol=1e-9, atol=1e-11,
                     what=f"dx for shape {shape}",
                     hint="dx = inv_std * (g - mean(g) - x_hat * mean(g * "
                          "x_hat)), row means over axis 1, g = dout * gamma; "
                          "is the x_hat term missing?")
    # against central differences too
    x, gamma, beta = _inputs(rng, (4, 5), 0)
    dout = rng.normal(size=(4, 5))
    num = numerical_gradient(lambda v: float(np.sum(
        ref.layernorm_forward(v, gamma, beta)[0] * dout)), x)
    dx = _triple(probe.layernorm_backward(dout, _ln_cache(x), gamma),
                 "layernorm_backward")[0]
    expect_close(dx, num, rtol=1e-6, atol=1e-8,
                 what="dx against a numerical gradient",
                 hint="g = dout * gamma, then the row means (axis 1)")
    out32 = _triple(probe.layernorm_backward(
        rng.normal(size=(3, 4)).astype(F32),
        tuple(c.astype(F32) for c in _ln_cache(rng.normal(size=(3, 4)))),
        np.ones(4, F32)), "layernorm_backward")
    _f32(out32, "layernorm_backward")
