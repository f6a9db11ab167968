"""Plausible wrong answers to assignment 06-convolution."""

from tests.assignments import Mutant

MUTANTS = [
    # ------------------------------------------------------ conv_output_size
    Mutant(name="output-size-off-by-one", cell="conv_output_size",
           edits=[("return span // stride + 1", "return span // stride")],
           # the later tasks are judged with the student's own sizes
           loses=("test_conv_output_size",), message="Is the +1 missing"),
    Mutant(name="output-size-pad-once", cell="conv_output_size",
           edits=[("span = size - k + 2 * pad", "span = size - k + pad")],
           loses=("test_conv_output_size",), message="pad on both sides"),
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
           # conv_forward and pooling are judged on the student's columns
           loses=("test_im2col",), message="window axes (kh, kw) moved before"),
    Mutant(name="im2col-channel-innermost", cell="im2col",
           edits=[("np.empty((N, C, kh, kw,", "np.empty((N, kh, kw, C,"),
                  ("col[:, :, u, v] =", "col[:, u, v] =")],
           loses=("test_im2col",),
           message="rows must be ordered (channel, kernel row, kernel column)"),
    Mutant(name="im2col-pads-channel-axis", cell="im2col",
           edits=[("((0, 0), (0, 0), (pad, pad), (pad, pad))",
                   "((0, 0), (pad, pad), (pad, pad), (0, 0))")],
           # conv_forward keeps its points on the unpadded cases
           loses=("test_im2col",)),
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
    # ---------------------------------------------------------------- col2im
    Mutant(name="col2im-overwrites", cell="col2im",
           edits=[("v:v + stride * out_w:stride] += col",
                   "v:v + stride * out_w:stride] = col")],
           loses=("test_col2im",), message="ADD overlapping windows"),
    # pad:-pad is the empty slice when pad = 0
    Mutant(name="col2im-crop-minus-pad", cell="col2im",
           edits=[("dxp[:, :, pad:pad + H, pad:pad + W]",
                   "dxp[:, :, pad:-pad, pad:-pad]")],
           # maxpool_backward runs col2im with pad = 0 only, where this one
           # returns nothing: no answer of maxpool_backward can be judged
           loses=("test_col2im", "test_maxpool_backward"),
           message="pad:pad + H"),
    # the window positions advance by one pixel whatever the stride
    Mutant(name="col2im-ignores-stride", cell="col2im",
           edits=[("dxp[:, :, u:u + stride * out_h:stride,\n"
                   "                v:v + stride * out_w:stride]",
                   "dxp[:, :, u:u + out_h, v:v + out_w]")],
           loses=("test_col2im",)),
    # --------------------------------------------------------- conv_backward
    # the affine layer's db = dout.sum(axis=0), carried over unchanged
    Mutant(name="conv-back-db-batch-only", cell="conv_backward",
           edits=[("db = delta.sum(axis=(0, 2))", "db = dout.sum(axis=0)")],
           loses=("test_conv_backward",), message="per filter"),
    Mutant(name="conv-back-dW-mean", cell="conv_backward",
           edits=[("col.transpose(0, 2, 1)).sum(axis=0)",
                   "col.transpose(0, 2, 1)).mean(axis=0)")],
           loses=("test_conv_backward",), message="SUM over samples"),
    # a reshape where a transpose belongs: right shape, scrambled values
    Mutant(name="conv-back-dcol-reshape", cell="conv_backward",
           edits=[("np.matmul(W.reshape(F, -1).T, delta)",
                   "np.matmul(W.reshape(-1, F), delta)")],
           loses=("test_conv_backward",), message="a transpose, not a reshape"),
    # ------------------------------------------------------ maxpool_backward
    # every tied maximum receives the whole upstream value
    Mutant(name="maxpool-back-all-ties", cell="maxpool_backward",
           edits=[("    winner = col.argmax(axis=1)                      "
                   "# first maximum on ties\n"
                   "    dcol = np.zeros_like(col)\n"
                   "    np.put_along_axis(dcol, winner[:, None], "
                   "dout.reshape(N * C, 1, -1),\n"
                   "                      axis=1)\n",
                   "    mask = col == col.max(axis=1, keepdims=True)\n"
                   "    dcol = mask * dout.reshape(N * C, 1, -1)\n")],
           loses=("test_maxpool_backward",), message="FIRST one"),
    Mutant(name="maxpool-back-last-tie", cell="maxpool_backward",
           edits=[("winner = col.argmax(axis=1)",
                   "winner = size * size - 1 - col[:, ::-1].argmax(axis=1)")],
           loses=("test_maxpool_backward",), message="FIRST one"),
    # zero padding: a padded 0 beats negative pixels and swallows the gradient
    Mutant(name="maxpool-back-zero-padding", cell="maxpool_backward",
           edits=[(",\n                constant_values=-np.inf)", ")")],
           loses=("test_maxpool_backward",), message="-inf"),
]
