"""Convolution and max pooling layers on (N, C, H, W) batches, via im2col."""

from __future__ import annotations

import numpy as np

from .._validation import check_array, error, shape_str
from ..im2col import _output_hw, _pad, _pair, col2im, im2col
from .affine import Affine
from .base import Layer

__all__ = ["Conv2D", "MaxPool2D", "affine_to_conv2d"]


class Conv2D(Layer):
    r"""2-D convolution layer (cross-correlation, as every framework computes).

    .. math::

        \begin{aligned}
        &\mathrm{out}[n, f, i, j] \\
        &\quad {}= b_f + \sum_{c=0}^{C-1}\sum_{u=0}^{k_h-1}
        \sum_{v=0}^{k_w-1} W[f, c, u, v] \\
        &\qquad {}\cdot x_\mathrm{pad}[n, c, iS + u, jS + v]
        \end{aligned}

    with :math:`\mathrm{out\_h} = (H - k_h + 2P)/S + 1` (and the same for
    the width).

    Parameters
    ----------
    W : ndarray (F, C, kh, kw)
        F kernels, each as deep as the input (C channels); stored as given,
        so ``layer.params["W"] is W``.
    b : ndarray (F,)
        One bias per kernel (per output feature map).
    stride : int or (int, int), default 1
        Step S of the window.
    pad : int or (int, int), default 0
        Zeros added on each side of the height and width.

    Raises
    ------
    ValueError
        If W is not 4-D, b does not have F entries, or (in ``forward``) x
        is not 4-D, its channel count differs from W's, or the kernel is
        larger than the padded input.

    Notes
    -----
    Input x (N, C, H, W), output (N, F, out_h, out_w), dtype of x and W
    (float32 stays float32). Forward: ``col = im2col(x)`` of shape
    (N, C·kh·kw, out_h·out_w), then one batched matrix product
    ``W.reshape(F, -1) @ col``. Backward:

    .. math::

        \begin{aligned}
        \frac{\partial L}{\partial b_f} &= \sum_{n,i,j} \delta[n,f,i,j], \\
        \frac{\partial L}{\partial W} &= \sum_n \delta_n\, \mathrm{col}_n^\top, \\
        \frac{\partial L}{\partial x} &= \mathrm{col2im}(W^\top \delta)
        \end{aligned}

    :class:`course_lib.fast.FastConv2D` computes the same gradients with
    products arranged for speed (dx as a convolution of δ with the flipped
    kernels, for instance); they agree to rounding.

    Like PyTorch, output sizes are floored when S does not divide
    :math:`H - k_h + 2P`. Equals ``torch.nn.functional.conv2d(x, W, b,
    stride, padding=pad)`` and ``torch.nn.Conv2d`` (same weight layout);
    Keras's ``Conv2D(filters, kernel_size, strides)`` stores kernels as
    (kh, kw, C, F) and works channels-last. See Chapter 6.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, stride=1, pad=0):
        super().__init__()
        check_array("Conv2D", "W", W, ndim=4)
        check_array("Conv2D", "b", b, ndim=1)
        if b.shape[0] != W.shape[0]:
            raise error("Conv2D", "b", f"of shape ({W.shape[0]},) to match W "
                        f"{shape_str(W.shape)} (one bias per kernel)",
                        f"shape {shape_str(b.shape)}")
        self.stride = stride
        self.pad = pad
        self._stride = _pair("Conv2D", "stride", stride, 1)
        self._pad = _pair("Conv2D", "pad", pad, 0)
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}

    def output_shape(self, x_shape) -> tuple[int, int, int, int]:
        """(N, F, out_h, out_w) for an input of shape ``x_shape``."""
        W = self.params["W"]
        kh, kw = W.shape[2:]
        out_h, out_w = _output_hw("Conv2D", tuple(x_shape), kh, kw,
                                  self._stride, self._pad, W.shape)
        return (x_shape[0], W.shape[0], out_h, out_w)

    def forward(self, x, train=True):
        W, b = self.params["W"], self.params["b"]
        check_array("Conv2D.forward", "x", x, ndim=4)
        F, C, kh, kw = W.shape
        if x.shape[1] != C:
            hint = ("Is it channels-last (N, H, W, C)? Use "
                    "x.transpose(0, 3, 1, 2)." if x.shape[3] == C else None)
            raise error("Conv2D.forward", "x", f"of shape (N, {C}, H, W): "
                        f"{C} channels to match W {shape_str(W.shape)} "
                        "(F, C, kh, kw)", f"shape {shape_str(x.shape)}",
                        hint=hint)
        out_h, out_w = _output_hw("Conv2D.forward", x.shape, kh, kw,
                                  self._stride, self._pad, W.shape)
        col = im2col(x, kh, kw, self._stride, self._pad)
        # (F, C·kh·kw) @ (N, C·kh·kw, L) -> (N, F, L), already NCHW order
        out = np.matmul(W.reshape(F, -1), col)
        out += b.reshape(F, 1).astype(out.dtype, copy=False)
        self._cache = (x.shape, col)
        return out.reshape(x.shape[0], F, out_h, out_w)

    def backward(self, dout):
        x_shape, col = self._require_cache()
        F = self.params["W"].shape[0]
        n, L = x_shape[0], col.shape[2]
        self._check_dout(dout, (n, F) + self.output_shape(x_shape)[2:])
        delta = dout.reshape(n, F, L)
        # 1. dL/db_f = sum over samples and positions of delta
        self.grads["b"] = delta.sum(axis=(0, 2))
        # 2. dL/dW = sum_n delta_n col_n^T
        self.grads["W"] = self._weight_grad(delta, col)
        # 3. dL/dx
        return self._input_grad(delta, x_shape)

    def _weight_grad(self, delta, col):
        """Stage 2: dL/dW = sum_n delta_n col_n^T, in the shape of W."""
        dW = np.matmul(delta, col.transpose(0, 2, 1)).sum(axis=0)
        return dW.reshape(self.params["W"].shape)

    def _input_grad(self, delta, x_shape):
        """Stage 3: dL/dcol = W^T delta, then col2im adds every column back
        onto the window it was copied from."""
        W = self.params["W"]
        F, _, kh, kw = W.shape
        dcol = np.matmul(W.reshape(F, -1).T, delta)
        return col2im(dcol, x_shape, kh, kw, self._stride, self._pad)

    def __repr__(self):
        F, C, kh, kw = self.params["W"].shape
        return (f"Conv2D(F={F}, C={C}, kh={kh}, kw={kw}, "
                f"stride={self.stride}, pad={self.pad})")


class MaxPool2D(Layer):
    r"""Max pooling: the largest value of each window, channel by channel.

    .. math::

        \begin{aligned}
        &\mathrm{out}[n, c, i, j] = \max_{0 \le u < k_h,\; 0 \le v < k_w} \\
        &\qquad x_\mathrm{pad}[n, c, iS + u, jS + v]
        \end{aligned}

    Parameters
    ----------
    size : int or (int, int), default 2
        Window size :math:`k_h \times k_w`.
    stride : int or (int, int), default 2
    pad : int or (int, int), default 0
        Padding with :math:`-\infty` (a padded cell never wins); at most
        half the window, as in PyTorch.

    Raises
    ------
    ValueError
        If x is not 4-D, the window is larger than the padded input, or the
        padding exceeds half the window.

    Notes
    -----
    No parameters. Backward sends each upstream gradient to the position
    of its window's maximum (the first one in row-major order when there
    are ties, as PyTorch does) and zero elsewhere; overlapping windows add.
    The Python loop runs over the kh·kw window offsets only.
    Output sizes are floored like PyTorch's. Equals
    ``torch.nn.MaxPool2d(kernel_size=size, stride=stride, padding=pad)``
    and Keras's ``MaxPooling2D(pool_size, strides)``. See Chapter 6.
    """

    def __init__(self, size=2, stride=2, pad=0):
        super().__init__()
        self.size = size
        self.stride = stride
        self.pad = pad
        self._size = _pair("MaxPool2D", "size", size, 1)
        self._stride = _pair("MaxPool2D", "stride", stride, 1)
        self._pad = _pair("MaxPool2D", "pad", pad, 0)
        (kh, kw), (ph, pw) = self._size, self._pad
        if ph > kh // 2 or pw > kw // 2:
            raise error("MaxPool2D", "pad", f"at most half the window "
                        f"{self._size[0]}×{self._size[1]} (a window of "
                        "padding alone has no maximum)", repr(pad))

    def output_shape(self, x_shape) -> tuple[int, int, int, int]:
        """(N, C, out_h, out_w) for an input of shape ``x_shape``."""
        kh, kw = self._size
        out_h, out_w = _output_hw("MaxPool2D", tuple(x_shape), kh, kw,
                                  self._stride, self._pad)
        return (x_shape[0], x_shape[1], out_h, out_w)

    def _windows(self, out_h, out_w):
        """Slices of the padded input seen at each kernel offset (u, v)."""
        (kh, kw), (sh, sw) = self._size, self._stride
        for u in range(kh):
            for v in range(kw):
                yield (u * kw + v, slice(u, u + sh * out_h, sh),
                       slice(v, v + sw * out_w, sw))

    def forward(self, x, train=True):
        check_array("MaxPool2D.forward", "x", x, ndim=4)
        kh, kw = self._size
        out_h, out_w = _output_hw("MaxPool2D.forward", x.shape, kh, kw,
                                  self._stride, self._pad)
        xp = _pad(x, *self._pad, value=-np.inf)
        # A running maximum over the kh·kw offsets of the window; each step
        # works on a whole (N, C, out_h, out_w) slab, so no loop runs over
        # pixels. "arg" remembers the offset of the maximum: offsets come in
        # increasing order, so arg = max(arg, idx·[x > out]) keeps the first
        # maximum (row-major) on ties, as PyTorch does.
        arg_dtype = np.int8 if kh * kw <= 127 else np.int32
        out = arg = None
        for idx, rows, cols in self._windows(out_h, out_w):
            if out is None:
                out = np.array(xp[:, :, rows, cols], order="C")  # a copy
                arg = np.zeros(out.shape, dtype=arg_dtype)
                continue
            view = np.ascontiguousarray(xp[:, :, rows, cols])
            better = np.greater(view, out)
            np.maximum(out, view, out=out)
            np.maximum(arg, better.astype(arg_dtype) * arg_dtype(idx),
                       out=arg)
        self._cache = (x.shape, arg)
        return out

    def backward(self, dout):
        x_shape, arg = self._require_cache()
        self._check_dout(dout, arg.shape)
        ph, pw = self._pad
        n, c, height, width = x_shape
        dxp = np.zeros((n, c, height + 2 * ph, width + 2 * pw),
                       dtype=dout.dtype)
        disjoint = (self._stride[0] >= self._size[0]
                    and self._stride[1] >= self._size[1])
        # each upstream value goes to its window's arg-max; overlaps add
        for idx, rows, cols in self._windows(*arg.shape[2:]):
            if disjoint:
                np.multiply(dout, arg == idx, out=dxp[:, :, rows, cols])
            else:
                dxp[:, :, rows, cols] += dout * (arg == idx)
        if ph == 0 and pw == 0:
            return dxp
        return dxp[:, :, ph:ph + height, pw:pw + width]

    def __repr__(self):
        return (f"MaxPool2D(size={self.size}, stride={self.stride}, "
                f"pad={self.pad})")


def affine_to_conv2d(layer: Affine, input_shape) -> Conv2D:
    r"""The convolution that computes what a dense layer computes.

    A dense layer reading a flattened (C, h, w) volume is a convolution with
    M kernels of size C × h × w and no padding: on an input of exactly
    (C, h, w) it returns a 1 × 1 map of M channels with the same numbers.
    On a larger input the kernel slides, giving one M-vector per position —
    the step from a classifier to a fully convolutional network. With
    h = w = 1 this is the 1 × 1 × D convolution.

    Parameters
    ----------
    layer : Affine
        Weights W (C·h·w, M) and b (M,).
    input_shape : tuple (C, h, w)
        Shape of one sample before flattening.

    Returns
    -------
    Conv2D
        With weights ``W.T.reshape(M, C, h, w)`` (a copy) and a copy of b.

    Raises
    ------
    ValueError
        If C·h·w differs from the number of rows of W.

    Notes
    -----
    See Chapter 6.
    """
    if not isinstance(layer, Affine):
        raise error("affine_to_conv2d", "layer", "an Affine layer",
                    type(layer).__name__, kind=TypeError)
    input_shape = tuple(int(s) for s in input_shape)
    W, b = layer.params["W"], layer.params["b"]
    if len(input_shape) != 3 or int(np.prod(input_shape)) != W.shape[0]:
        raise error("affine_to_conv2d", "input_shape", f"a (C, h, w) with "
                    f"C·h·w = {W.shape[0]} to match W {shape_str(W.shape)}",
                    repr(input_shape))
    kernel = np.ascontiguousarray(W.T).reshape((W.shape[1],) + input_shape)
    return Conv2D(kernel, b.copy())
