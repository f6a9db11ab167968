"""Plausible wrong answers to assignment 06-convolution."""

from tests.assignments import Mutant

ALL_TESTS = ("test_conv_output_size", "test_im2col", "test_conv_forward",
             "test_maxpool_forward")

MUTANTS = [
    # ------------------------------------------------------ conv_output_size
    Mutant(name="output-size-off-by-one", cell="conv_output_size",
           edits=[("return span // stride + 1", "return span // stride")],
           # every later task sizes its output with this function
           loses=ALL_TESTS, message="Is the +1 missing"),
    Mutant(name="output-size-pad-once", cell="conv_output_size",
           edits=[("span = size - k + 2 * pad", "span = size - k + pad")],
           # max pooling has no padding, so its test keeps full marks
           loses=("test_conv_output_size", "test_im2col",
                  "test_conv_forward"),
           message="pad on both sides"),
    # no check that the windows tile the input: // floors a fraction
    Mutant(name="output-size-floors-silently", cell="conv_output_size",
           edits=[("    if span % stride != 0:\n"
                   '        raise ValueError(f"(W - k + 2P)/S + 1 = '
                   '({size} - {k} + 2*{pad})/"\n'
                   '                         f"{stride} + 1 is not an '
                   'integer")\n', "")],
           loses=("test_conv_output_size",), message="raise ValueError"),
    # ---------------------------------------------------------------- im2col
    Mutant(name="im2col-positions-before-window", cell="im2col",
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
           message="window axes (kh, kw) moved before"),
    Mutant(name="im2col-channel-innermost", cell="im2col",
           edits=[("np.empty((N, C, kh, kw,", "np.empty((N, kh, kw, C,"),
                  ("col[:, :, u, v] =", "col[:, u, v] =")],
           # pooling works on one channel at a time, where the order is moot
           loses=("test_im2col", "test_conv_forward"),
           message="rows must be ordered (channel, kernel row, kernel column)"),
    Mutant(name="im2col-pads-channel-axis", cell="im2col",
           edits=[("((0, 0), (0, 0), (pad, pad), (pad, pad))",
                   "((0, 0), (pad, pad), (pad, pad), (0, 0))")],
           # max pooling calls im2col without padding
           loses=("test_im2col", "test_conv_forward")),
    # ---------------------------------------------------------- conv_forward
    # a true convolution: the kernel flipped in both spatial axes
    Mutant(name="conv-kernel-flipped", cell="conv_forward",
           edits=[("np.matmul(W.reshape(F, -1)",
                   "np.matmul(W[:, :, ::-1, ::-1].reshape(F, -1)")],
           loses=("test_conv_forward",), message="flipped the kernel"),
    Mutant(name="conv-no-bias", cell="conv_forward",
           edits=[(" + b.reshape(F, 1)", "")],
           loses=("test_conv_forward",)),
    # reshaped as (N, out_h, out_w, F) and then moved F forward: scrambled
    Mutant(name="conv-output-channels-last", cell="conv_forward",
           edits=[("out.reshape(N, F, out_h, out_w)",
                   "out.reshape(N, out_h, out_w, F).transpose(0, 3, 1, 2)")],
           loses=("test_conv_forward",), message="(N, F, out_h, out_w)"),
    # ------------------------------------------------------- maxpool_forward
    Mutant(name="maxpool-average", cell="maxpool_forward",
           edits=[("col.max(axis=1)", "col.mean(axis=1)")],
           loses=("test_maxpool_forward",), message="a mean instead of a max"),
    # the max runs over the channels of a position instead of its window
    Mutant(name="maxpool-mixes-channels", cell="maxpool_forward",
           edits=[("col = im2col(x.reshape(N * C, 1, H, W), size, size, stride)",
                   "col = im2col(x, size, size, stride)  # rows are (c, u, v)\n"
                   "    col = col.reshape(N, size * size, C, out_h * out_w)")],
           loses=("test_maxpool_forward",), message="never mixes"),
]
