"""Hidden checks of assignment 06-convolution (run on the grading host).

See course_tools/checks.py and the instructors' guide.

Each graded function is judged on its own. Where a function calls an
earlier one, its answer is accepted when it equals the reference solution's
OR what the reference formula gives when applied to the student's own
helpers: the sizes returned by the student's ``conv_output_size``, the
columns returned by the student's ``im2col``, the image returned by the
student's ``col2im``. So a wrong helper costs the helper's points only, and
the feedback of the later function points at the helper.
"""

import numpy as np

from course_tools.checks import Fail, StudentError, check, expect, \
    expect_close, raised

TOL = dict(rtol=1e-10, atol=1e-10)
HELPERS = ("(your earlier functions were taken into account: this function "
           "is judged with the sizes, columns and images they return)")


# ---------------------------------------------------------------- helpers

def _call(fn, *args, what, hint):
    """Call student code; turn an exception into a readable failure."""
    try:
        return fn(*args)
    except StudentError as exc:
        raise Fail(f"{what} raised {exc.ename}: {exc.evalue[:200]} "
                   f"({hint})") from None


def _try(fn, *args):
    """Student code's result, or None when it raises."""
    try:
        return fn(*args)
    except StudentError:
        return None


def _size(probe, size, k, s, p):
    got = _try(probe.conv_output_size, size, k, s, p)
    if isinstance(got, (int, np.integer)) and not isinstance(got, bool) \
            and got >= 0:
        return int(got)
    return None


def _sizes(probe, H, W, kh, kw, s, p):
    """The student's (out_h, out_w), or None when conv_output_size fails."""
    oh, ow = _size(probe, H, kh, s, p), _size(probe, W, kw, s, p)
    return None if oh is None or ow is None else (oh, ow)


def _true_sizes(H, W, kh, kw, s, p):
    return (H - kh + 2 * p) // s + 1, (W - kw + 2 * p) // s + 1


def _fits(shape, kh, kw, s, p, sizes):
    """Windows at sizes[0] x sizes[1] positions stay inside the padding."""
    H, W = shape[2:]
    return ((sizes[0] - 1) * s + kh <= H + 2 * p
            and (sizes[1] - 1) * s + kw <= W + 2 * p)


def _windows(x, kh, kw, s, p, sizes):
    """im2col by its definition, at the given number of positions."""
    N, C = x.shape[:2]
    oh, ow = sizes
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    col = np.empty((N, C, kh, kw, oh, ow), dtype=x.dtype)
    for u in range(kh):
        for v in range(kw):
            col[:, :, u, v] = xp[:, :, u:u + s * oh:s, v:v + s * ow:s][
                :, :, :oh, :ow]
    return col.reshape(N, C * kh * kw, oh * ow)


def _scatter(dcol, x_shape, kh, kw, s, p, sizes, add=True):
    """col2im by its definition (``add=False``: the overwriting mistake)."""
    N, C, H, W = x_shape
    oh, ow = sizes
    col = dcol.reshape(N, C, kh, kw, oh, ow)
    dxp = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=dcol.dtype)
    for i in range(oh):
        for j in range(ow):
            win = (slice(None), slice(None), slice(i * s, i * s + kh),
                   slice(j * s, j * s + kw))
            if add:
                dxp[win] += col[..., i, j]
            else:
                dxp[win] = col[..., i, j]
    return dxp[:, :, p:p + H, p:p + W]


def _tol(got):
    """Tolerances for the dtype of ``got`` (float32 keeps ~7 digits)."""
    if getattr(got, "dtype", None) == np.float32:
        return dict(rtol=1e-4, atol=1e-5)
    return TOL


def _overwrites(dcol, x_shape, kh, kw, s, p, sizes):
    """The overwriting col2im, looping over kernel offsets (u, v)."""
    N, C, H, W = x_shape
    oh, ow = sizes
    col = dcol.reshape(N, C, kh, kw, oh, ow)
    dxp = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=dcol.dtype)
    for u in range(kh):
        for v in range(kw):
            dxp[:, :, u:u + s * oh:s, v:v + s * ow:s] = col[:, :, u, v]
    return dxp[:, :, p:p + H, p:p + W]


def _matches(got, want):
    if not isinstance(got, np.ndarray) or want is None:
        return False
    want = np.asarray(want)
    return got.shape == want.shape and bool(np.allclose(got, want,
                                                        **_tol(got)))


def _judge(got, candidates, *, what, hint):
    """Pass when ``got`` equals one candidate (the reference first)."""
    candidates = [c for c in candidates if c is not None]
    if any(_matches(got, c) for c in candidates):
        return
    same = [c for c in candidates if isinstance(got, np.ndarray)
            and got.shape == np.shape(c)]
    expect_close(got, (same or candidates)[0], what=what, hint=hint,
                 **_tol(got), dtype=False)


def _enough(judged, total, what, helper):
    expect(judged >= max(2, total // 2),
           f"{what} could not be checked: your {helper} fails on most inputs "
           f"({judged} of {total} cases usable); make its test pass first")


# ------------------------------------------------------ conv_output_size

@check("test_conv_output_size", points=2)
def output_size_matches(probe, ref, rng):
    cases = [(7, 3, 1, 0), (28, 5, 1, 2), (7, 3, 2, 1), (5, 3, 1, 0),
             (8, 3, 2, 0)]
    grid = [(size, k, s, p) for size in (1, 4, 7, 8, 28, 32, 227)
            for k in (1, 2, 3, 5, 11) for s in (1, 2, 3, 4) for p in (0, 1, 2)]
    cases += [grid[i] for i in rng.choice(len(grid), size=120, replace=False)]
    for size, k, s, p in cases:
        call = f"conv_output_size({size}, {k}, stride={s}, pad={p})"
        if raised(ref, ref.conv_output_size, size, k, s, p) == "ValueError":
            got = raised(probe, probe.conv_output_size, size, k, s, p)
            expect(got == "ValueError",
                   f"{call} must raise ValueError (the window does not fit "
                   "or does not tile)"
                   + (f"; it raised {got}" if got else ""))
            continue
        got = _call(probe.conv_output_size, size, k, s, p, what=call,
                    hint="this design is valid: return the number of "
                         "positions")
        expect(isinstance(got, (int, np.integer)) and not isinstance(
            got, bool), f"return an int, not a {type(got).__name__}")
        expect(got == ref.conv_output_size(size, k, s, p),
               f"{call} is wrong. Is the +1 missing, or the padding counted "
               "only once (pad on both sides: 2P)?")


# ---------------------------------------------------------------- im2col

IM2COL_HINT = ("rows must be ordered (channel, kernel row, kernel column) "
               "and columns (output row, output column): are the window axes "
               "(kh, kw) moved before the position axes (out_h, out_w)? Pad "
               "only the height and width axes, never the channel axis")


@check("test_im2col", points=3)
def im2col_matches(probe, ref, rng):
    cases = [((1, 1, 3, 3), 2, 2, 1, 0), ((2, 3, 5, 5), 3, 3, 1, 1),
             ((2, 3, 7, 6), 3, 3, 1, 0), ((3, 2, 7, 7), 3, 3, 2, 1),
             ((2, 4, 6, 8), 2, 4, 2, 0), ((1, 3, 5, 5), 5, 5, 1, 2),
             ((2, 2, 4, 6), 1, 1, 1, 0), ((2, 3, 9, 10), 3, 1, 3, 0)]
    judged = 0
    for shape, kh, kw, s, p in cases:
        x = rng.normal(size=shape)
        what = f"im2col(x {shape}, {kh}, {kw}, stride={s}, pad={p})"
        true = _true_sizes(*shape[2:], kh, kw, s, p)
        sizes = _sizes(probe, *shape[2:], kh, kw, s, p)
        if sizes != true:  # the student's conv_output_size is wrong here
            got = _try(probe.im2col, x, kh, kw, s, p)
            if got is None or sizes is None or not _fits(shape, kh, kw, s,
                                                         p, sizes):
                continue
            relative = _windows(x, kh, kw, s, p, sizes)
        else:
            got = _call(probe.im2col, x, kh, kw, s, p, what=what,
                        hint=IM2COL_HINT)
            relative = None
        expect(isinstance(got, np.ndarray), f"{what} must return an ndarray")
        _judge(got, [ref.im2col(x, kh, kw, s, p), relative], what=what,
               hint=IM2COL_HINT)
        judged += 1
    _enough(judged, len(cases), "im2col", "conv_output_size")
    x32 = rng.normal(size=(2, 3, 6, 6)).astype(np.float32)
    got = _try(probe.im2col, x32, 3, 3, 1, 1)
    expect(got is None or getattr(got, "dtype", None) == np.float32,
           "im2col should keep float32: allocate with dtype=x.dtype")


# ---------------------------------------------------------- conv_forward

CONV_HINT = ("out[n] = W.reshape(F, -1) @ col[n] + b[:, None], reshaped as "
             "(N, F, out_h, out_w)")


def _conv_from(col, W, b, sizes):
    N = col.shape[0]
    F = W.shape[0]
    return (np.matmul(W.reshape(F, -1), col) + b.reshape(F, 1)).reshape(
        N, F, *sizes)


def _student_col(probe, x, kh, kw, s, p):
    """The student's im2col(x) and sizes when they are usable, else None."""
    sizes = _sizes(probe, *x.shape[2:], kh, kw, s, p)
    col = _try(probe.im2col, x, kh, kw, s, p)
    if sizes is None or not isinstance(col, np.ndarray) or col.shape != (
            x.shape[0], x.shape[1] * kh * kw, sizes[0] * sizes[1]):
        return None, sizes
    return col, sizes


@check("test_conv_forward", points=3)
def conv_forward_matches(probe, ref, rng):
    cases = [((1, 1, 4, 4), (1, 1, 2, 2), 1, 0),
             ((2, 3, 7, 7), (4, 3, 3, 3), 1, 1),
             ((3, 2, 9, 7), (5, 2, 3, 1), 2, 0),
             ((2, 1, 8, 8), (6, 1, 5, 5), 1, 2),
             ((2, 4, 5, 5), (3, 4, 1, 1), 1, 0),
             ((2, 3, 6, 8), (2, 3, 2, 2), 2, 0)]
    judged = 0
    for xs, ws, s, p in cases:
        x, W, b = rng.normal(size=xs), rng.normal(size=ws), \
            rng.normal(size=ws[0])
        kh, kw = ws[2:]
        what = f"conv_forward(x {xs}, W {ws}, stride={s}, pad={p})"
        col, sizes = _student_col(probe, x, kh, kw, s, p)
        true = _true_sizes(*xs[2:], kh, kw, s, p)
        helpers_ok = col is not None and sizes == true
        got = (_call(probe.conv_forward, x, W, b, s, p, what=what,
                     hint=CONV_HINT) if helpers_ok
               else _try(probe.conv_forward, x, W, b, s, p))
        if got is None:
            continue  # the student's im2col cannot serve this case
        expect(isinstance(got, np.ndarray), "conv_forward must return an "
               "ndarray")

        def answers(W_, b_, x=x, s=s, p=p, col=col, sizes=sizes):
            out = [ref.conv_forward(x, W_, b_, s, p)]
            if col is not None:
                out.append(_conv_from(col, W_, b_, sizes))
            return out

        right = answers(W, b)
        if not any(_matches(got, c) for c in right):
            if any(_matches(got, c) for c in answers(
                    W[:, :, ::-1, ::-1].copy(), b)):
                raise Fail("you flipped the kernel (true convolution): "
                           "compute cross-correlation, as frameworks do")
            if any(_matches(got, c) for c in answers(W, np.zeros_like(b))):
                raise Fail(f"{what}: the bias b is missing")
            if not any(isinstance(got, np.ndarray) and got.shape == c.shape
                       for c in right):
                raise Fail(f"{what} must have shape {right[-1].shape} (N, F, "
                           f"out_h, out_w); got {got.shape}")
        _judge(got, right, what=what, hint=CONV_HINT)
        judged += 1
    _enough(judged, len(cases), "conv_forward", "im2col")
    x32 = rng.normal(size=(2, 3, 6, 6)).astype(np.float32)
    W32 = rng.normal(size=(2, 3, 3, 3)).astype(np.float32)
    col, _ = _student_col(probe, x32, 3, 3, 1, 1)
    if col is None or col.dtype == np.float32:
        out = _try(probe.conv_forward, x32, W32, np.zeros(2, np.float32), 1,
                   1)
        expect(out is None or getattr(out, "dtype", None) == np.float32,
               "float32 in must give float32 out")


# ------------------------------------------------------- maxpool_forward

POOL_HINT = ("take the max (not a mean) within each channel of each window: "
             "pooling never mixes channels")


@check("test_maxpool_forward", points=2)
def maxpool_matches(probe, ref, rng):
    cases = [((1, 1, 4, 4), 2, 2), ((2, 3, 6, 6), 2, 2),
             ((3, 2, 7, 7), 3, 2), ((2, 4, 5, 6), 2, 1),
             ((1, 2, 9, 9), 3, 3)]
    judged = 0
    for xs, size, stride in cases:
        x = rng.normal(size=xs)
        N, C, H, W = xs
        what = f"maxpool_forward(x {xs}, {size}, {stride})"
        one = x.reshape(N * C, 1, H, W)
        col, sizes = _student_col(probe, one, size, size, stride, 0)
        helpers_ok = col is not None and sizes == _true_sizes(
            H, W, size, size, stride, 0)
        got = (_call(probe.maxpool_forward, x, size, stride, what=what,
                     hint=POOL_HINT) if helpers_ok
               else _try(probe.maxpool_forward, x, size, stride))
        if got is None:
            continue
        want = ref.maxpool_forward(x, size, stride)
        relative = (None if col is None
                    else col.max(axis=1).reshape(N, C, *sizes))
        expect(isinstance(got, np.ndarray) and any(
            got.shape == np.shape(c) for c in (want, relative)
            if c is not None),
            f"{what} must return an array of shape {want.shape} "
            "(N, C, out_h, out_w)")
        _judge(got, [want, relative], what=what, hint=POOL_HINT)
        judged += 1
    _enough(judged, len(cases), "maxpool_forward", "im2col")
    x32 = rng.normal(size=(2, 3, 4, 4)).astype(np.float32)
    got = _try(probe.maxpool_forward, x32)
    expect(got is None or getattr(got, "dtype", None) == np.float32,
           "keep float32")


# ---------------------------------------------------------------- col2im

COL2IM_HINT = ("entry ((c, u, v), (i, j)) of dcol is ADDED to pixel "
               "(c, iS + u, jS + v) of a zero padded image, and the padding "
               "is cut away with pad:pad + H")


@check("test_col2im", points=2)
def col2im_matches(probe, ref, rng):
    cases = [((2, 3, 5, 5), 3, 3, 1, 0), ((2, 2, 7, 5), 3, 3, 2, 1),
             ((1, 3, 6, 6), 2, 2, 2, 0), ((3, 2, 6, 7), 2, 3, 1, 1),
             ((2, 4, 8, 8), 5, 5, 1, 2), ((2, 1, 9, 9), 3, 3, 3, 0),
             ((1, 2, 7, 7), 3, 3, 2, 0)]
    judged = 0
    for k, (shape, kh, kw, s, p) in enumerate(cases):
        true = _true_sizes(*shape[2:], kh, kw, s, p)
        sizes = _sizes(probe, *shape[2:], kh, kw, s, p)
        usable = sizes is not None and _fits(shape, kh, kw, s, p, sizes)
        use = sizes if usable else true
        dtype = np.float32 if k == len(cases) - 1 else np.float64
        dcol = rng.normal(size=(shape[0], shape[1] * kh * kw,
                                use[0] * use[1])).astype(dtype)
        what = (f"col2im(dcol {dcol.shape}, x_shape {shape}, {kh}, {kw}, "
                f"stride={s}, pad={p})")
        if sizes == true:
            got = _call(probe.col2im, dcol, shape, kh, kw, s, p, what=what,
                        hint=COL2IM_HINT)
            want = ref.col2im(dcol, shape, kh, kw, s, p)
        else:
            # the student's conv_output_size is wrong or fails here
            got = _try(probe.col2im, dcol, shape, kh, kw, s, p)
            if got is None:
                continue
            want = _scatter(dcol, shape, kh, kw, s, p, use)
        expect(isinstance(got, np.ndarray) and got.shape == tuple(shape),
               f"{what} must return an array of x_shape {shape}; got "
               f"{getattr(got, 'shape', type(got).__name__)} (cut the padding "
               "with pad:pad + H; pad:-pad is empty when pad = 0)")
        if not _matches(got, want) and (_matches(
                got, _scatter(dcol, shape, kh, kw, s, p, use, add=False))
                or _matches(got, _overwrites(dcol, shape, kh, kw, s, p,
                                             use))):
            raise Fail(f"{what}: col2im must ADD overlapping windows: a pixel "
                       "covered by several windows receives the sum of their "
                       "gradients (+=, not =)")
        expect_close(got, want, what=what, hint=COL2IM_HINT, **_tol(got))
        judged += 1
    _enough(judged, len(cases), "col2im", "conv_output_size")


# --------------------------------------------------------- conv_backward

BACKWARD_CASES = [((2, 3, 7, 5), (4, 3, 3, 3), 2, 1),
                  ((3, 2, 6, 6), (5, 2, 2, 2), 2, 0),
                  ((2, 1, 5, 5), (3, 1, 3, 3), 1, 1),
                  ((1, 4, 6, 7), (2, 4, 1, 3), 1, 0),
                  ((2, 3, 8, 8), (6, 3, 5, 5), 1, 2),
                  ((2, 2, 7, 7), (3, 2, 3, 3), 2, 0),
                  ((3, 3, 5, 6), (2, 3, 2, 3), 1, 0)]


def _backward_cases(probe, ref, rng, part):
    """Yield (got, candidates, what) for part 0 (dx), 1 (dW) or 2 (db)."""
    for k, (xs, ws, s, p) in enumerate(BACKWARD_CASES + [
            ((2, 2, 6, 6), (3, 2, 3, 3), 1, 1)]):
        dtype = np.float32 if k == len(BACKWARD_CASES) else np.float64
        x = rng.normal(size=xs).astype(dtype)
        W = rng.normal(size=ws).astype(dtype)
        F, C, kh, kw = ws
        true = _true_sizes(*xs[2:], kh, kw, s, p)
        sizes = _sizes(probe, *xs[2:], kh, kw, s, p)
        if sizes is None:
            continue
        dout = rng.normal(size=(xs[0], F, *sizes)).astype(dtype)
        what = (f"conv_backward(dout {dout.shape}, x {xs}, W {ws}, "
                f"stride={s}, pad={p})")
        # what the reference formulas give with the student's helpers
        delta = dout.reshape(xs[0], F, -1)
        col, _ = _student_col(probe, x, kh, kw, s, p)
        if col is not None and col.shape[2] != delta.shape[2]:
            col = None
        dcol = np.matmul(W.reshape(F, -1).T, delta)
        dx_rel = _try(probe.col2im, dcol, xs, kh, kw, s, p)
        if not (isinstance(dx_rel, np.ndarray) and dx_rel.shape == xs):
            dx_rel = None
        relative = [dx_rel, None if col is None else np.matmul(
            delta, col.transpose(0, 2, 1)).sum(axis=0).reshape(ws),
            delta.sum(axis=(0, 2))][part]
        if sizes == true and col is not None and dx_rel is not None:
            got = _call(probe.conv_backward, dout, x, W, s, p, what=what,
                        hint="return the tuple (dx, dW, db)")
        else:  # the student's helpers fail here: judge what can be judged
            got = _try(probe.conv_backward, dout, x, W, s, p)
            if got is None:
                continue
        want = ref.conv_backward(dout, x, W, s, p) if sizes == true else None
        expect(isinstance(got, tuple) and len(got) == 3,
               f"{what} must return the tuple (dx, dW, db); got "
               f"{type(got).__name__}")
        if relative is None and not _matches(
                got[part], None if want is None else want[part]):
            continue  # depends on a helper that fails here: not judged
        yield got[part], [None if want is None else want[part], relative], \
            what, dtype


def _backward_check(probe, ref, rng, part, name, shape_of, hint):
    judged = 0
    for got, candidates, what, dtype in _backward_cases(probe, ref, rng,
                                                        part):
        what = f"{name} of {what}"
        shapes = {np.shape(c) for c in candidates if c is not None}
        expect(isinstance(got, np.ndarray) and got.shape in shapes,
               f"{what} has shape {getattr(got, 'shape', None)}; it must have "
               f"{shape_of} ({hint})")
        if dtype == np.float32:
            expect(got.dtype == np.float32,
                   f"{what}: float32 in must give float32 out")
        _judge(got, [None if c is None else np.asarray(c, np.float64)
                     for c in candidates],
               what=what, hint=hint + " " + HELPERS)
        judged += 1
    _enough(judged, len(BACKWARD_CASES) + 1, f"{name} of conv_backward",
            "conv_output_size, im2col or col2im")


@check("test_conv_backward", points=1)
def conv_backward_db(probe, ref, rng):
    _backward_check(probe, ref, rng, 2, "db", "shape (F,)",
                    "the bias is per filter, shape (F,): sum dout over the "
                    "batch AND the spatial axes")


@check("test_conv_backward", points=1)
def conv_backward_dW(probe, ref, rng):
    _backward_check(probe, ref, rng, 1, "dW", "the shape of W",
                    "the kernels are shared by every sample and position: "
                    "dW_flat = sum over n of delta_n col_n^T, a SUM over the "
                    "batch, reshaped to W.shape")


@check("test_conv_backward", points=1)
def conv_backward_dx(probe, ref, rng):
    _backward_check(probe, ref, rng, 0, "dx", "the shape of x",
                    "dcol = W.reshape(F, -1).T @ delta (a transpose, not a "
                    "reshape to (C*kh*kw, F)), then col2im adds the columns "
                    "back")


# ------------------------------------------------------ maxpool_backward

MAXPOOL_BACK_HINT = ("each dout value goes to ONE pixel, the maximum of its "
                     "window; on ties the FIRST maximum in row-major order "
                     "(np.argmax); overlapping windows add; padding is -inf "
                     "and never wins")


def _pool_relative(probe, x, dout, size, stride, pad):
    """The recipe of the task, with the student's im2col and col2im."""
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)),
                constant_values=-np.inf)
    shape = (N * C, 1, H + 2 * pad, W + 2 * pad)
    col = _try(probe.im2col, xp.reshape(shape), size, size, stride, 0)
    if not isinstance(col, np.ndarray) or col.ndim != 3 or \
            col.shape[:2] != (N * C, size * size) or \
            col.shape[2] != dout[0, 0].size:
        return None
    winner = col.argmax(axis=1)
    dcol = np.zeros_like(col)
    np.put_along_axis(dcol, winner[:, None], dout.reshape(N * C, 1, -1),
                      axis=1)
    dxp = _try(probe.col2im, dcol, shape, size, size, stride, 0)
    if not isinstance(dxp, np.ndarray) or dxp.size != np.prod(shape):
        return None
    return dxp.reshape(N, C, H + 2 * pad, W + 2 * pad)[
        :, :, pad:pad + H, pad:pad + W]


@check("test_maxpool_backward", points=2)
def maxpool_backward_matches(probe, ref, rng):
    def ties(shape):  # many tied maxima
        return rng.integers(0, 3, size=shape).astype(float)

    def normal(shape):
        return rng.normal(size=shape)

    def negative(shape):  # a zero-padded cell would win every window
        return -rng.uniform(1.0, 2.0, size=shape)

    cases = [(normal, (2, 3, 6, 6), 2, 2, 0), (normal, (2, 2, 7, 7), 3, 2, 1),
             (normal, (1, 3, 5, 6), 2, 1, 0), (normal, (2, 2, 9, 9), 3, 3, 0),
             (ties, (2, 3, 6, 6), 2, 1, 0), (ties, (2, 2, 4, 4), 2, 2, 0),
             (ties, (1, 2, 7, 7), 3, 2, 1), (negative, (2, 2, 4, 4), 2, 2, 1),
             (negative, (1, 3, 5, 5), 3, 2, 1)]
    judged = 0
    for k, (draw, xs, size, stride, pad) in enumerate(cases):
        x = draw(xs)
        if k == 1:
            x = x.astype(np.float32)
        H, W = xs[2:]
        true = _true_sizes(H + 2 * pad, W + 2 * pad, size, size, stride, 0)
        sizes = _sizes(probe, H + 2 * pad, W + 2 * pad, size, size, stride,
                       0)
        if sizes is None:
            continue
        dout = rng.normal(size=(*xs[:2], *sizes)).astype(x.dtype)
        what = (f"maxpool_backward(dout {dout.shape}, x {xs}, size={size}, "
                f"stride={stride}, pad={pad})")
        relative = _pool_relative(probe, x, dout, size, stride, pad)
        if sizes == true and relative is not None:
            got = _call(probe.maxpool_backward, dout, x, size, stride, pad,
                        what=what, hint=MAXPOOL_BACK_HINT)
            want = ref.maxpool_backward(dout, x, size, stride, pad)
        else:
            got = _try(probe.maxpool_backward, dout, x, size, stride, pad)
            want = None
            if got is None or (relative is None and sizes != true):
                continue
            if sizes == true:
                want = ref.maxpool_backward(dout, x, size, stride, pad)
        expect(isinstance(got, np.ndarray) and got.shape == xs,
               f"{what} must return an array of the shape of x, {xs}; got "
               f"{getattr(got, 'shape', type(got).__name__)}")
        if x.dtype == np.float32:
            expect(got.dtype == np.float32, f"{what}: keep float32")
        _judge(got, [want, relative], what=what,
               hint=MAXPOOL_BACK_HINT + " " + HELPERS)
        judged += 1
    _enough(judged, len(cases), "maxpool_backward",
            "conv_output_size, im2col or col2im")
