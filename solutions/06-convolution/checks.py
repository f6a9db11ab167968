"""Hidden checks of assignment 06-convolution (run on the grading host).

See course_tools/checks.py and the instructors' guide.
"""

import numpy as np

from course_tools.checks import Fail, check, expect, expect_close, raised


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
        got = probe.conv_output_size(size, k, s, p)
        expect(isinstance(got, (int, np.integer)) and not isinstance(
            got, bool), f"return an int, not a {type(got).__name__}")
        expect(got == ref.conv_output_size(size, k, s, p),
               f"{call} is wrong. Is the +1 missing, or the padding counted "
               "only once (pad on both sides: 2P)?")


@check("test_im2col", points=3)
def im2col_matches(probe, ref, rng):
    cases = [((1, 1, 3, 3), 2, 2, 1, 0), ((2, 3, 5, 5), 3, 3, 1, 1),
             ((2, 3, 7, 6), 3, 3, 1, 0), ((3, 2, 7, 7), 3, 3, 2, 1),
             ((2, 4, 6, 8), 2, 4, 2, 0), ((1, 3, 5, 5), 5, 5, 1, 2),
             ((2, 2, 4, 6), 1, 1, 1, 0), ((2, 3, 9, 10), 3, 1, 3, 0)]
    for shape, kh, kw, s, p in cases:
        x = rng.normal(size=shape)
        got = probe.im2col(x, kh, kw, s, p)
        want = ref.im2col(x, kh, kw, s, p)
        what = f"im2col(x {shape}, {kh}, {kw}, stride={s}, pad={p})"
        expect(isinstance(got, np.ndarray), "im2col must return an ndarray")
        expect(got.shape == want.shape,
               f"{what} must have shape {want.shape}; got {got.shape}. Pad "
               "only the height and width axes, never the channel axis.")
        expect_close(got, want, rtol=0, atol=0, what=what,
                     hint="rows must be ordered (channel, kernel row, kernel "
                          "column) and columns (output row, output column): "
                          "are the window axes (kh, kw) moved before the "
                          "position axes (out_h, out_w)?")
    x32 = rng.normal(size=(2, 3, 6, 6)).astype(np.float32)
    expect(getattr(probe.im2col(x32, 3, 3, 1, 1), "dtype", None)
           == np.float32, "im2col should keep float32")


@check("test_conv_forward", points=3)
def conv_forward_matches(probe, ref, rng):
    cases = [((1, 1, 4, 4), (1, 1, 2, 2), 1, 0),
             ((2, 3, 7, 7), (4, 3, 3, 3), 1, 1),
             ((3, 2, 9, 7), (5, 2, 3, 1), 2, 0),
             ((2, 1, 8, 8), (6, 1, 5, 5), 1, 2),
             ((2, 4, 5, 5), (3, 4, 1, 1), 1, 0)]
    for xs, ws, s, p in cases:
        x, W, b = rng.normal(size=xs), rng.normal(size=ws), \
            rng.normal(size=ws[0])
        got = probe.conv_forward(x, W, b, s, p)
        want = ref.conv_forward(x, W, b, s, p)
        what = f"conv_forward(x {xs}, W {ws}, stride={s}, pad={p})"
        expect(isinstance(got, np.ndarray), "conv_forward must return an "
               "ndarray")
        expect(got.shape == want.shape,
               f"{what} must have shape {want.shape} (N, F, out_h, out_w); "
               f"got {got.shape}")
        flipped = ref.conv_forward(x, W[:, :, ::-1, ::-1].copy(), b, s, p)
        if np.allclose(got, flipped) and not np.allclose(want, flipped):
            raise Fail("you flipped the kernel (true convolution): compute "
                       "cross-correlation, as frameworks do")
        if np.allclose(got, ref.conv_forward(x, W, np.zeros_like(b), s, p)):
            raise Fail(f"{what}: the bias b is missing")
        expect_close(got, want, rtol=1e-10, atol=1e-10, what=what,
                     hint="is the output reshaped as (N, F, out_h, out_w)?")
    x32 = rng.normal(size=(2, 3, 6, 6)).astype(np.float32)
    W32 = rng.normal(size=(2, 3, 3, 3)).astype(np.float32)
    out = probe.conv_forward(x32, W32, np.zeros(2, np.float32), 1, 1)
    expect(getattr(out, "dtype", None) == np.float32,
           "float32 in must give float32 out")


@check("test_maxpool_forward", points=2)
def maxpool_matches(probe, ref, rng):
    for xs, size, stride in [((1, 1, 4, 4), 2, 2), ((2, 3, 6, 6), 2, 2),
                             ((3, 2, 7, 7), 3, 2), ((2, 4, 5, 6), 2, 1),
                             ((1, 2, 9, 9), 3, 3)]:
        x = rng.normal(size=xs)
        got = probe.maxpool_forward(x, size, stride)
        want = ref.maxpool_forward(x, size, stride)
        what = f"maxpool_forward(x {xs}, {size}, {stride})"
        expect(isinstance(got, np.ndarray) and got.shape == want.shape,
               f"{what} must return an array of shape {want.shape} "
               "(N, C, out_h, out_w)")
        expect_close(got, want, rtol=0, atol=0, what=what,
                     hint="take the max (not a mean) within each channel of "
                          "each window: pooling never mixes channels")
    x32 = rng.normal(size=(2, 3, 4, 4)).astype(np.float32)
    expect(getattr(probe.maxpool_forward(x32), "dtype", None) == np.float32,
           "keep float32")
