r"""Convolution as signal processing: 1-D signals, single images, Sobel edges.

These functions are the "classical" side of Chapter 6: a linear
time-invariant system is fully described by its impulse response, and its
output is the convolution of the input with that response. The same sum in
two dimensions filters an image. Layers for batches of multi-channel images
live in :mod:`course_lib.layers.conv`.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import (
    check_array,
    check_choice,
    check_finite_number,
    error,
    shape_str,
)

__all__ = [
    "SOBEL_X",
    "SOBEL_Y",
    "convolve1d",
    "convolve2d",
    "correlate2d",
    "first_order_lowpass",
    "sample_photo",
    "sobel",
    "to_grayscale",
]

MODES = ("full", "same", "valid")

#: Sobel kernel for horizontal changes (used with cross-correlation it is
#: positive where brightness grows to the right).
SOBEL_X = np.array([[-1.0, 0.0, 1.0],
                    [-2.0, 0.0, 2.0],
                    [-1.0, 0.0, 1.0]])
#: Sobel kernel for vertical changes (positive where brightness grows
#: downwards), the transpose of :data:`SOBEL_X`.
SOBEL_Y = SOBEL_X.T.copy()


def _numeric(where, name, a, ndim):
    check_array(where, name, a, ndim=ndim, dtype_kind="fiu")
    if a.size == 0:
        raise error(where, name, "a non-empty array",
                    f"shape {shape_str(a.shape)}")
    return a


def convolve1d(x, h, mode="full") -> np.ndarray:
    r"""Discrete convolution of two 1-D signals.

    .. math::

        y[n] = (x * h)[n] = \sum_{k} x[k]\, h[n - k]

    Parameters
    ----------
    x, h : ndarray (M,) and (K,)
        Input signal and impulse response (the two play symmetric roles:
        convolution commutes, :math:`x * h = h * x`).
    mode : {"full", "same", "valid"}, default "full"
        ``"full"``: every n where the two overlap, length M + K − 1;
        ``"same"``: the centre of "full", length max(M, K);
        ``"valid"``: only complete overlaps, length max(M, K) − min(M, K) + 1.

    Returns
    -------
    ndarray
        dtype ``np.result_type(x, h)``.

    Raises
    ------
    ValueError
        If an input is empty or not 1-D, or ``mode`` is unknown.

    Notes
    -----
    Equals ``numpy.convolve(x, h, mode)`` (including which samples "same"
    keeps). Vectorized: the flipped shorter signal is slid over the
    zero-padded longer one as a strided view. A 1-D convolution layer in
    PyTorch (``conv1d``) computes a cross-correlation instead: the kernel
    is not flipped. See Chapter 6.
    """
    where = "convolve1d"
    _numeric(where, "x", x, 1)
    _numeric(where, "h", h, 1)
    check_choice(where, "mode", mode, MODES)
    a, v = (x, h) if x.size >= h.size else (h, x)  # commutativity
    k = v.size
    padded = np.zeros(a.size + 2 * (k - 1), dtype=np.result_type(a, v))
    padded[k - 1:k - 1 + a.size] = a
    full = sliding_window_view(padded, k) @ v[::-1]
    if mode == "full":
        return full
    if mode == "same":
        start = (k - 1) // 2
        return full[start:start + a.size]
    return full[k - 1:a.size]


def _correlate2d(image, kernel, mode, where):
    _numeric(where, "image", image, 2)
    _numeric(where, "kernel", kernel, 2)
    check_choice(where, "mode", mode, MODES)
    kh, kw = kernel.shape
    if mode == "valid":
        if kh > image.shape[0] or kw > image.shape[1]:
            raise error(where, "kernel", f"at most the image size "
                        f"{shape_str(image.shape)} in mode 'valid' (output "
                        "size W − k + 1)", f"shape {shape_str(kernel.shape)}")
        top = left = 0
        bottom = right = 0
    elif mode == "full":
        top, left = kh - 1, kw - 1
        bottom, right = kh - 1, kw - 1
    else:  # "same": output as large as the image, centred like SciPy
        top, left = (kh - 1) // 2, (kw - 1) // 2
        bottom, right = kh - 1 - top, kw - 1 - left
    dtype = np.result_type(image, kernel)
    padded = np.zeros((image.shape[0] + top + bottom,
                       image.shape[1] + left + right), dtype=dtype)
    padded[top:top + image.shape[0], left:left + image.shape[1]] = image
    windows = sliding_window_view(padded, (kh, kw))  # (out_h, out_w, kh, kw)
    return np.tensordot(windows, kernel.astype(dtype, copy=False),
                        axes=([2, 3], [0, 1]))


def correlate2d(image, kernel, mode="valid") -> np.ndarray:
    r"""2-D cross-correlation of one image with one kernel (no flip).

    .. math::

        O(i, j) = \sum_{u=0}^{k_h-1}\sum_{v=0}^{k_w-1} K(u, v)\, I(i + u, j + v)

    Parameters
    ----------
    image : ndarray (H, W)
    kernel : ndarray (kh, kw)
    mode : {"valid", "same", "full"}, default "valid"
        ``"valid"``: only positions where the kernel lies inside the image,
        output (H − kh + 1, W − kw + 1); ``"same"``: zero padding so the
        output is (H, W); ``"full"``: every partial overlap,
        (H + kh − 1, W + kw − 1).

    Returns
    -------
    ndarray
        dtype ``np.result_type(image, kernel)`` (float32 stays float32).

    Raises
    ------
    ValueError
        If an input is not 2-D, or in mode "valid" the kernel is larger
        than the image.

    Notes
    -----
    This is what every deep-learning framework calls "convolution"
    (``torch.nn.functional.conv2d``, Keras ``Conv2D``). Equals
    ``scipy.signal.correlate2d(image, kernel, mode)``. See Chapter 6.
    """
    return _correlate2d(image, kernel, mode, "correlate2d")


def convolve2d(image, kernel, mode="valid") -> np.ndarray:
    r"""2-D convolution of one image with one kernel (the kernel is flipped).

    .. math::

        O(i, j) = \sum_{u}\sum_{v} K(u, v)\, I(i - u, j - v)

    It is the cross-correlation with the kernel rotated by 180°:
    ``convolve2d(I, K) == correlate2d(I, K[::-1, ::-1])``.

    Parameters
    ----------
    image : ndarray (H, W)
    kernel : ndarray (kh, kw)
    mode : {"valid", "same", "full"}, default "valid"
        As in :func:`correlate2d`.

    Returns
    -------
    ndarray
        dtype ``np.result_type(image, kernel)``.

    Raises
    ------
    ValueError
        As :func:`correlate2d`.

    Notes
    -----
    Equals ``scipy.signal.convolve2d(image, kernel, mode)``. Convolution
    commutes and is what an LSI (linear shift-invariant) system computes;
    for a learned kernel the flip does not matter, which is why frameworks
    skip it. See Chapter 6.
    """
    where = "convolve2d"
    _numeric(where, "kernel", kernel, 2)
    flipped = kernel[::-1, ::-1]
    if mode != "same":
        return _correlate2d(image, flipped, mode, where)
    # "same" is the centre of "full" starting at ((kh - 1)//2, (kw - 1)//2),
    # as numpy.convolve and SciPy do; for an even kernel this differs by one
    # sample from correlating with the flipped kernel in mode "same".
    kh, kw = kernel.shape
    full = _correlate2d(image, flipped, "full", where)
    top, left = (kh - 1) // 2, (kw - 1) // 2
    return full[top:top + image.shape[0], left:left + image.shape[1]]


def sobel(image, mode="same"):
    r"""Sobel edge maps: horizontal and vertical gradients and their size.

    .. math::

        \begin{gathered}
        G_x = K_x \star I,\quad G_y = K_y \star I, \\
        |G| = \sqrt{G_x^2 + G_y^2}
        \end{gathered}

    with :math:`K_x` = :data:`SOBEL_X` and :math:`K_y` = :data:`SOBEL_Y`
    and :math:`\star` the cross-correlation.

    Parameters
    ----------
    image : ndarray (H, W)
        A grayscale image (see :func:`to_grayscale`).
    mode : {"same", "valid", "full"}, default "same"

    Returns
    -------
    gx, gy, magnitude : ndarrays of the same shape

    Notes
    -----
    OpenCV's ``cv2.Sobel`` and ``scipy.ndimage.sobel`` compute the same
    maps up to the treatment of the border. See Chapter 6.
    """
    dtype = np.result_type(image, np.float32)
    gx = correlate2d(image, SOBEL_X.astype(dtype), mode)
    gy = correlate2d(image, SOBEL_Y.astype(dtype), mode)
    return gx, gy, np.hypot(gx, gy)


def to_grayscale(rgb) -> np.ndarray:
    r"""Luminance of an RGB image, :math:`Y = 0.299R + 0.587G + 0.114B`.

    Parameters
    ----------
    rgb : ndarray (H, W, 3)
        Channels-last, as images are stored on disk.

    Returns
    -------
    ndarray (H, W), floating point (float32 stays float32).
    """
    check_array("to_grayscale", "rgb", rgb, ndim=3, dtype_kind="fiu")
    if rgb.shape[2] != 3:
        raise error("to_grayscale", "rgb", "of shape (H, W, 3)",
                    f"shape {shape_str(rgb.shape)}")
    dtype = np.result_type(rgb, np.float32)
    weights = np.array([0.299, 0.587, 0.114], dtype=dtype)
    return rgb.astype(dtype, copy=False) @ weights


def sample_photo(dtype=np.float64) -> np.ndarray:
    """The portrait of Grace Hopper that ships with matplotlib (no download).

    Returns
    -------
    ndarray (600, 512, 3)
        RGB, channels-last, values in [0, 1].
    """
    import matplotlib.cbook as cbook
    import matplotlib.pyplot as plt

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    return (plt.imread(path) / 255.0).astype(dtype)


def first_order_lowpass(x, a=0.8) -> np.ndarray:
    r"""A physical-style LTI system: :math:`y[n] = a\,y[n-1] + (1 - a)\,x[n]`.

    An RC circuit or an exponential moving average. It is linear and time
    invariant, so it is fully described by its impulse response
    :math:`h[n] = (1 - a)\,a^n` for :math:`n \ge 0`, and
    ``first_order_lowpass(x)`` equals ``convolve1d(x, h)[:len(x)]`` up to
    the truncation of h. Written as a recursion on purpose: it is the
    "black box" whose impulse response the chapter measures.

    Parameters
    ----------
    x : ndarray (M,)
    a : float in [0, 1), default 0.8
        Memory of the system (larger = smoother, slower).

    Returns
    -------
    ndarray (M,), floating point.
    """
    _numeric("first_order_lowpass", "x", x, 1)
    a = check_finite_number("first_order_lowpass", "a", a, 0.0, 1.0,
                            high_open=True)
    y = np.zeros(x.shape, dtype=np.result_type(x, np.float32))
    prev = 0.0
    for n, value in enumerate(x):
        prev = a * prev + (1.0 - a) * value
        y[n] = prev
    return y
