r"""Output sizes, im2col/col2im and the naive loop references of convolution.

A 2-D convolution layer slides a ``kh × kw`` window over a padded input and
takes a dot product at every position. ``im2col`` copies every window into
one column of a matrix, so that the whole layer becomes a single matrix
product; ``col2im`` is its adjoint and sends column gradients back to the
pixels they came from (adding where windows overlap). The loop versions at
the bottom are the definitions written out plainly: slow, but obviously
right, and the reference every fast path is tested against. See Chapter 6.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import check_array, error, shape_str

__all__ = [
    "col2im",
    "conv2d_naive",
    "conv_output_size",
    "im2col",
    "maxpool2d_naive",
    "receptive_field",
]


def _pair(where: str, name: str, value, low: int) -> tuple[int, int]:
    """An int or a pair of ints (height, width), each at least ``low``."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        items = tuple(value)
    else:
        items = (value, value)
    for v in items:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise error(where, name, "an int or a pair of ints (height, "
                        "width)", repr(value), kind=TypeError)
        if v < low:
            raise error(where, name, f"an int >= {low} (or a pair of them)",
                        repr(value))
    return int(items[0]), int(items[1])


def _out_size(where: str, axis: str, size: int, k: int, stride: int,
              pad: int, floor: bool, context: str = "") -> int:
    """(size − k + 2·pad)/stride + 1 with messages that show the numbers."""
    span = size - k + 2 * pad
    if span < 0:
        raise ValueError(
            f"{where}: the kernel {axis} k={k} must be at most the padded "
            f"input {axis} W + 2P = {size} + 2·{pad} = {size + 2 * pad}; "
            f"got an output {axis} (W − k + 2P)/S + 1 = ({size} − {k} + "
            f"2·{pad})/{stride} + 1 < 1{context}. Use a smaller kernel or "
            "more padding.")
    if span % stride and not floor:
        raise ValueError(
            f"{where}: the output {axis} (W − k + 2P)/S + 1 must be an "
            f"integer; got ({size} − {k} + 2·{pad})/{stride} + 1 = "
            f"{span / stride + 1:g} for W={size}, k={k}, P={pad}, "
            f"S={stride}{context}. Choose the padding or the stride so that S "
            f"divides W − k + 2P = {span} (PyTorch would silently drop the "
            "last partial window).")
    return span // stride + 1


def conv_output_size(size, k, stride=1, pad=0, floor=False) -> int:
    r"""Output length of a convolution or pooling window along one axis.

    .. math::

        O = \frac{W - k + 2P}{S} + 1

    Parameters
    ----------
    size : int
        Input length :math:`W` (height or width), at least 1.
    k : int
        Kernel (window) length, at least 1.
    stride : int, default 1
        Step :math:`S` between window positions, at least 1.
    pad : int, default 0
        Zeros :math:`P` added on each side, at least 0.
    floor : bool, default False
        If True, round down as PyTorch and Keras do (a last window that
        would run past the padded input is dropped). If False, a
        non-integer :math:`O` is an error: the design does not tile.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If the kernel is longer than the padded input, or (with
        ``floor=False``) if :math:`S` does not divide :math:`W - k + 2P`.
    TypeError
        If an argument is not an int.

    Notes
    -----
    PyTorch's ``Conv2d`` and ``MaxPool2d`` use the floored formula (see
    their "Shape" sections); Keras's ``padding="valid"`` equals ``P = 0``
    and ``padding="same"`` picks :math:`P` so that :math:`O = \lceil W/S
    \rceil`. See Chapter 6.

    Examples
    --------
    >>> conv_output_size(7, 3, stride=2, pad=1)
    4
    >>> conv_output_size(28, 5, pad=2)
    28
    """
    where = "conv_output_size"
    size = _pair(where, "size", size, 1)[0]
    k = _pair(where, "k", k, 1)[0]
    stride = _pair(where, "stride", stride, 1)[0]
    pad = _pair(where, "pad", pad, 0)[0]
    return _out_size(where, "length", size, k, stride, pad, bool(floor))


def _output_hw(where, x_shape, kh, kw, stride, pad, w_shape=None):
    """(out_h, out_w) of a 4-D input, floored like PyTorch."""
    context = f" (x of shape {shape_str(x_shape)}"
    context += (f", W of shape {shape_str(w_shape)})" if w_shape is not None
                else f", a {kh}×{kw} window)")
    out_h = _out_size(where, "height", x_shape[2], kh, stride[0], pad[0],
                      True, context)
    out_w = _out_size(where, "width", x_shape[3], kw, stride[1], pad[1],
                      True, context)
    return out_h, out_w


def _pad(x, ph, pw, value=0.0):
    """Pad the two spatial axes of (N, C, H, W) only (never N or C)."""
    if ph == 0 and pw == 0:
        return x
    n, c, height, width = x.shape
    xp = np.full((n, c, height + 2 * ph, width + 2 * pw), value,
                 dtype=x.dtype)
    xp[:, :, ph:ph + height, pw:pw + width] = x
    return xp


def im2col(x, kh, kw, stride=1, pad=0, pad_value=0.0) -> np.ndarray:
    r"""Every ``kh × kw`` window of a batch of images as one column.

    .. math::

        \begin{aligned}
        &\mathrm{col}[n,\; (c, u, v),\; (i, j)] \\
        &\quad {}= x_\mathrm{pad}[n,\; c,\; iS + u,\; jS + v]
        \end{aligned}

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    kh, kw : int
        Window height and width.
    stride : int or (int, int), default 1
    pad : int or (int, int), default 0
        Added to both sides of the height and width axes (never to N or C).
    pad_value : float, default 0.0
        Value of the padding (max pooling pads with ``-inf``).

    Returns
    -------
    col : ndarray (N, C·kh·kw, out_h·out_w)
        Row index ``(c·kh + u)·kw + v`` (channel, then kernel row, then
        kernel column: the order of ``W.reshape(F, -1)``); column index
        ``i·out_w + j`` (output row, then output column). The dtype is
        ``x.dtype``. When no copy is needed (1 × 1 windows, stride 1, no
        padding) the result is a view of ``x``: treat it as read-only.

    Raises
    ------
    ValueError
        If ``x`` is not 4-D or the window is larger than the padded input.

    Notes
    -----
    Output sizes are floored like PyTorch's (see :func:`conv_output_size`).
    A convolution is then ``W.reshape(F, -1) @ col``, which is what
    ``torch.nn.functional.unfold`` followed by a matmul computes (``unfold``
    returns the same layout). No Python loop runs over pixels or samples:
    the windows are a strided view (``sliding_window_view``) copied once.
    See Chapter 6.
    """
    where = "im2col"
    check_array(where, "x", x, ndim=4)
    kh = _pair(where, "kh", kh, 1)[0]
    kw = _pair(where, "kw", kw, 1)[0]
    stride = _pair(where, "stride", stride, 1)
    pad = _pair(where, "pad", pad, 0)
    n, c = x.shape[:2]
    out_h, out_w = _output_hw(where, x.shape, kh, kw, stride, pad)
    xp = _pad(x, pad[0], pad[1], pad_value)
    windows = sliding_window_view(xp, (int(kh), int(kw)), axis=(2, 3))  # type: ignore[call-overload]
    windows = windows[:, :, ::stride[0], ::stride[1]][:, :, :out_h, :out_w]
    # (N, C, out_h, out_w, kh, kw) -> (N, C, kh, kw, out_h, out_w): one copy
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(
        n, c * kh * kw, out_h * out_w)


def col2im(col, x_shape, kh, kw, stride=1, pad=0) -> np.ndarray:
    r"""Adjoint of :func:`im2col`: add every column back onto its window.

    .. math::

        \begin{aligned}
        &dx_\mathrm{pad}[n, c, iS + u, jS + v] \\
        &\quad {}\mathrel{+}= \mathrm{col}[n, (c, u, v), (i, j)]
        \end{aligned}

    Parameters
    ----------
    col : ndarray (N, C·kh·kw, out_h·out_w)
        Same layout as :func:`im2col` returns.
    x_shape : tuple (N, C, H, W)
        Shape of the original input.
    kh, kw, stride, pad
        As given to :func:`im2col`.

    Returns
    -------
    ndarray (N, C, H, W)
        Pixels covered by several windows receive the sum of their
        contributions; the padding is cut away. dtype of ``col``.

    Raises
    ------
    ValueError
        If ``col`` does not have the shape im2col would give for ``x_shape``.

    Notes
    -----
    PyTorch: ``torch.nn.functional.fold``. The Python loop runs over the
    ``kh·kw`` kernel offsets only, each step a vectorized strided add.
    See Chapter 6.
    """
    where = "col2im"
    check_array(where, "col", col, ndim=3)
    x_shape = tuple(int(s) for s in x_shape)
    if len(x_shape) != 4:
        raise error(where, "x_shape", "a 4-tuple (N, C, H, W)",
                    repr(x_shape))
    kh = _pair(where, "kh", kh, 1)[0]
    kw = _pair(where, "kw", kw, 1)[0]
    sh, sw = _pair(where, "stride", stride, 1)
    ph, pw = _pair(where, "pad", pad, 0)
    n, c, height, width = x_shape
    out_h, out_w = _output_hw(where, x_shape, kh, kw, (sh, sw), (ph, pw))
    expected = (n, c * kh * kw, out_h * out_w)
    if col.shape != expected:
        raise error(where, "col", f"of shape {shape_str(expected)} for "
                    f"x_shape {shape_str(x_shape)} and a {kh}×{kw} window",
                    f"shape {shape_str(col.shape)}")
    col6 = col.reshape(n, c, kh, kw, out_h, out_w)
    xp = np.zeros((n, c, height + 2 * ph, width + 2 * pw), dtype=col.dtype)
    for u in range(kh):
        rows = slice(u, u + sh * out_h, sh)
        for v in range(kw):
            xp[:, :, rows, v:v + sw * out_w:sw] += col6[:, :, u, v]
    if ph == 0 and pw == 0:
        return xp
    return xp[:, :, ph:ph + height, pw:pw + width]


def receptive_field(kernels, strides) -> list[tuple[int, int]]:
    r"""Receptive field and jump of each layer in a stack of windows.

    .. math::

        \begin{gathered}
        r_l = r_{l-1} + (k_l - 1)\,j_{l-1}, \\
        j_l = j_{l-1} S_l, \qquad r_0 = j_0 = 1
        \end{gathered}

    Parameters
    ----------
    kernels, strides : sequences of int
        Window size and stride of each convolution or pooling layer, in
        order.

    Returns
    -------
    list of (r, j)
        How many input pixels (along one axis) one unit of layer l sees,
        and how far apart (in input pixels) neighbouring units are.

    Notes
    -----
    The field grows with depth: this is why later layers can respond to
    larger, more abstract patterns. See Chapter 6.
    """
    kernels, strides = list(kernels), list(strides)
    if len(kernels) != len(strides):
        raise error("receptive_field", "strides", f"one stride per kernel "
                    f"({len(kernels)})", f"{len(strides)} strides")
    r, j, out = 1, 1, []
    for i, (k, s) in enumerate(zip(kernels, strides, strict=True)):
        k = _pair("receptive_field", f"kernels[{i}]", k, 1)[0]
        s = _pair("receptive_field", f"strides[{i}]", s, 1)[0]
        r, j = r + (k - 1) * j, j * s
        out.append((r, j))
    return out


# ---------------------------------------------------------------------------
# Naive references: the definitions, one output value at a time.
# ---------------------------------------------------------------------------

def conv2d_naive(x, W, b, stride=1, pad=0) -> np.ndarray:
    r"""Convolution layer (cross-correlation) by four nested loops.

    .. math::

        \begin{aligned}
        &\mathrm{out}[n, f, i, j] \\
        &\quad {}= b_f + \sum_{c}\sum_{u}\sum_{v} W[f, c, u, v] \\
        &\qquad {}\cdot x_\mathrm{pad}[n, c, iS + u, jS + v]
        \end{aligned}

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    W : ndarray (F, C, kh, kw)
    b : ndarray (F,)
    stride, pad : int or (int, int)

    Returns
    -------
    ndarray (N, F, out_h, out_w)

    Notes
    -----
    For teaching and testing only: it loops over every sample, filter and
    output pixel in Python. :class:`course_lib.layers.Conv2D` computes the
    same numbers with :func:`im2col` and one matrix product. See Chapter 6.
    """
    where = "conv2d_naive"
    check_array(where, "x", x, ndim=4)
    check_array(where, "W", W, ndim=4)
    check_array(where, "b", b, ndim=1)
    if W.shape[1] != x.shape[1] or b.shape[0] != W.shape[0]:
        raise error(where, "x, W, b", "shapes (N, C, H, W), (F, C, kh, kw), "
                    "(F,) with matching C and F",
                    f"{shape_str(x.shape)}, {shape_str(W.shape)}, "
                    f"{shape_str(b.shape)}")
    sh, sw = _pair(where, "stride", stride, 1)
    ph, pw = _pair(where, "pad", pad, 0)
    F, _, kh, kw = W.shape
    out_h, out_w = _output_hw(where, x.shape, kh, kw, (sh, sw), (ph, pw),
                              W.shape)
    xp = _pad(x, ph, pw)
    out = np.zeros((x.shape[0], F, out_h, out_w),
                   dtype=np.result_type(x, W, b))
    for n in range(x.shape[0]):
        for f in range(F):
            for i in range(out_h):
                for j in range(out_w):
                    patch = xp[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[n, f, i, j] = np.sum(patch * W[f]) + b[f]
    return out


def maxpool2d_naive(x, size=2, stride=2, pad=0) -> np.ndarray:
    r"""Max pooling by four nested loops.

    .. math::

        \begin{aligned}
        &\mathrm{out}[n, c, i, j] = \max_{0 \le u < k_h,\, 0 \le v < k_w} \\
        &\qquad x_\mathrm{pad}[n, c, iS + u, jS + v]
        \end{aligned}

    Padding is ``-inf`` (a padded cell never wins). For teaching and
    testing; :class:`course_lib.layers.MaxPool2D` is the fast version.
    See Chapter 6.
    """
    where = "maxpool2d_naive"
    check_array(where, "x", x, ndim=4)
    kh, kw = _pair(where, "size", size, 1)
    sh, sw = _pair(where, "stride", stride, 1)
    ph, pw = _pair(where, "pad", pad, 0)
    out_h, out_w = _output_hw(where, x.shape, kh, kw, (sh, sw), (ph, pw))
    xp = _pad(x, ph, pw, -np.inf)
    out = np.zeros(x.shape[:2] + (out_h, out_w), dtype=x.dtype)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(out_h):
                for j in range(out_w):
                    window = xp[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[n, c, i, j] = window.max()
    return out
