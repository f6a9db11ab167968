"""Plausible wrong answers to assignment 06-convolution."""

from tests.assignments import Mutant

ALL_TESTS = ("test_conv_output_size", "test_im2col", "test_conv_forward",
             "test_maxpool_forward")

MUTANTS = [
    # ------------------------------------------------------ conv_output_size
    Mutant(
        name="output-size-off-by-one",
        cell="conv_output_size",
        source='''def conv_output_size(size, k, stride=1, pad=0):
    span = size - k + 2 * pad
    if span < 0 or span % stride != 0:
        raise ValueError("the window does not tile the input")
    return span // stride''',
        # every later task sizes its output with this function
        loses=ALL_TESTS,
        message="Is the +1 missing",
    ),
    Mutant(
        name="output-size-pad-once",
        cell="conv_output_size",
        source='''def conv_output_size(size, k, stride=1, pad=0):
    span = size - k + pad
    if span < 0 or span % stride != 0:
        raise ValueError("the window does not tile the input")
    return span // stride + 1''',
        # max pooling has no padding, so its test keeps full marks
        loses=("test_conv_output_size", "test_im2col", "test_conv_forward"),
        message="pad on both sides",
    ),
    Mutant(
        name="output-size-floors-silently",
        cell="conv_output_size",
        source='''def conv_output_size(size, k, stride=1, pad=0):
    return (size - k + 2 * pad) // stride + 1''',
        loses=("test_conv_output_size",),
        message="raise ValueError",
    ),
    # ---------------------------------------------------------------- im2col
    Mutant(
        name="im2col-positions-before-window",
        cell="im2col",
        source='''def im2col(x, kh, kw, stride=1, pad=0):
    N, C, H, W = x.shape
    out_h = conv_output_size(H, kh, stride, pad)
    out_w = conv_output_size(W, kw, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))
    win = win[:, :, ::stride, ::stride][:, :, :out_h, :out_w]
    # forgot to move the window axes (kh, kw) before (out_h, out_w)
    return win.reshape(N, C * kh * kw, out_h * out_w)''',
        loses=("test_im2col", "test_conv_forward", "test_maxpool_forward"),
        message="window axes (kh, kw) moved before",
    ),
    Mutant(
        name="im2col-channel-innermost",
        cell="im2col",
        source='''def im2col(x, kh, kw, stride=1, pad=0):
    N, C, H, W = x.shape
    out_h = conv_output_size(H, kh, stride, pad)
    out_w = conv_output_size(W, kw, stride, pad)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    col = np.empty((N, kh, kw, C, out_h, out_w), dtype=x.dtype)
    for u in range(kh):
        for v in range(kw):
            col[:, u, v] = xp[:, :, u:u + stride * out_h:stride,
                              v:v + stride * out_w:stride]
    return col.reshape(N, C * kh * kw, out_h * out_w)''',
        # pooling works on one channel at a time, where the order is moot
        loses=("test_im2col", "test_conv_forward"),
        message="rows must be ordered (channel, kernel row, kernel column)",
    ),
    Mutant(
        name="im2col-pads-channel-axis",
        cell="im2col",
        source='''def im2col(x, kh, kw, stride=1, pad=0):
    N, C, H, W = x.shape
    out_h = conv_output_size(H, kh, stride, pad)
    out_w = conv_output_size(W, kw, stride, pad)
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    col = np.empty((N, C, kh, kw, out_h, out_w), dtype=x.dtype)
    for u in range(kh):
        for v in range(kw):
            col[:, :, u, v] = xp[:, :, u:u + stride * out_h:stride,
                                 v:v + stride * out_w:stride]
    return col.reshape(N, C * kh * kw, out_h * out_w)''',
        # max pooling calls im2col without padding
        loses=("test_im2col", "test_conv_forward"),
    ),
    # ---------------------------------------------------------- conv_forward
    Mutant(
        name="conv-kernel-flipped",
        cell="conv_forward",
        source='''def conv_forward(x, W, b, stride=1, pad=0):
    N, C, H, width = x.shape
    F, _, kh, kw = W.shape
    out_h = conv_output_size(H, kh, stride, pad)
    out_w = conv_output_size(width, kw, stride, pad)
    col = im2col(x, kh, kw, stride, pad)
    flipped = W[:, :, ::-1, ::-1]       # true convolution
    out = np.matmul(flipped.reshape(F, -1), col) + b.reshape(F, 1)
    return out.reshape(N, F, out_h, out_w)''',
        loses=("test_conv_forward",),
        message="flipped the kernel",
    ),
    Mutant(
        name="conv-no-bias",
        cell="conv_forward",
        source='''def conv_forward(x, W, b, stride=1, pad=0):
    N, C, H, width = x.shape
    F, _, kh, kw = W.shape
    out_h = conv_output_size(H, kh, stride, pad)
    out_w = conv_output_size(width, kw, stride, pad)
    col = im2col(x, kh, kw, stride, pad)
    return np.matmul(W.reshape(F, -1), col).reshape(N, F, out_h, out_w)''',
        loses=("test_conv_forward",),
    ),
    Mutant(
        name="conv-output-channels-last",
        cell="conv_forward",
        source='''def conv_forward(x, W, b, stride=1, pad=0):
    N, C, H, width = x.shape
    F, _, kh, kw = W.shape
    out_h = conv_output_size(H, kh, stride, pad)
    out_w = conv_output_size(width, kw, stride, pad)
    col = im2col(x, kh, kw, stride, pad)
    out = np.matmul(W.reshape(F, -1), col) + b.reshape(F, 1)
    # reshaped as (N, out_h, out_w, F) and then moved F forward: scrambled
    return out.reshape(N, out_h, out_w, F).transpose(0, 3, 1, 2)''',
        loses=("test_conv_forward",),
        message="(N, F, out_h, out_w)",
    ),
    # ------------------------------------------------------- maxpool_forward
    Mutant(
        name="maxpool-average",
        cell="maxpool_forward",
        source='''def maxpool_forward(x, size=2, stride=2):
    N, C, H, W = x.shape
    out_h = conv_output_size(H, size, stride)
    out_w = conv_output_size(W, size, stride)
    col = im2col(x.reshape(N * C, 1, H, W), size, size, stride)
    return col.mean(axis=1).reshape(N, C, out_h, out_w)''',
        loses=("test_maxpool_forward",),
        message="a mean instead of a max",
    ),
    Mutant(
        name="maxpool-mixes-channels",
        cell="maxpool_forward",
        source='''def maxpool_forward(x, size=2, stride=2):
    N, C, H, W = x.shape
    out_h = conv_output_size(H, size, stride)
    out_w = conv_output_size(W, size, stride)
    col = im2col(x, size, size, stride)       # rows are (c, u, v)
    col = col.reshape(N, size * size, C, out_h * out_w)
    return col.max(axis=1).reshape(N, C, out_h, out_w)''',
        loses=("test_maxpool_forward",),
        message="never mixes",
    ),
]
