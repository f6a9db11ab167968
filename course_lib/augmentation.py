r"""Data augmentation: random label-preserving changes to training images.

Each transform is a small callable object ``transform(x, rng) -> x`` that
works on a batch of images, either as images ``(N, C, H, W)`` or flattened
``(N, H·W)`` / ``(N, C·H·W)`` together with ``image_shape``. It returns a
new array of the same shape and dtype (the input is never modified) and
draws its randomness from the ``rng`` it is called with, so the trainer's
augmentation stream makes every run reproducible. :class:`Augment` chains
transforms and is exactly the ``augment`` hook of
:class:`~course_lib.trainer.Trainer`::

    aug = Augment(RandomShift(1, image_shape=(8, 8)), GaussianNoise(0.05))
    Trainer(net, opt, augment=aug, rng=0).fit(x, t, epochs=20)

Only use a transform that keeps the label true: flipping a handwritten
"2" left to right does not give a "2", and flipping an arrow reverses the
direction it points to. See Chapter 5.
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_rng,
    check_array,
    check_finite_number,
    check_int,
    error,
    shape_str,
)

__all__ = ["Augment", "GaussianNoise", "RandomBrightness", "RandomFlip",
           "RandomShift", "RandomStroke", "RandomWarp", "arrows", "as_images"]


def _check_image_shape(where, image_shape):
    if image_shape is None:
        return None
    shape = tuple(image_shape) if np.iterable(image_shape) else None
    if shape is None or len(shape) not in (2, 3):
        raise error(where, "image_shape", "(H, W) or (C, H, W)",
                    repr(image_shape))
    return tuple(check_int(where, f"image_shape[{i}]", s, low=1)
                 for i, s in enumerate(shape))


def as_images(where: str, x: np.ndarray, image_shape=None) -> np.ndarray:
    """View a batch as ``(N, C, H, W)`` images.

    ``x`` of rank 4 is returned as is; rank 3 ``(N, H, W)`` gains a channel
    axis; rank 2 ``(N, D)`` is reshaped with ``image_shape`` ((H, W) or
    (C, H, W)), whose size must equal D.

    Raises
    ------
    ValueError
        If a flat batch comes without ``image_shape``, or sizes differ.
    """
    check_array(where, "x", x, ndim=(2, 3, 4))
    if x.ndim == 4:
        return x
    if x.ndim == 3:
        return x[:, None]
    if image_shape is None:
        raise error(where, "image_shape", "given for a flat batch (N, D)",
                    "None", hint=f"For 8x8 digits, pass image_shape=(8, 8) "
                    f"(x has shape {shape_str(x.shape)}).")
    shape = image_shape if len(image_shape) == 3 else (1, *image_shape)
    if int(np.prod(shape)) != x.shape[1]:
        raise error(where, "image_shape", f"a shape of {x.shape[1]} pixels "
                    f"to match x {shape_str(x.shape)}",
                    shape_str(image_shape))
    return x.reshape(x.shape[0], *shape)


class _Transform:
    """Shared plumbing: validate, view as images, restore the shape."""

    def __call__(self, x, rng=None):
        where = f"{type(self).__name__}"
        check_array(where, "x", x, ndim=(2, 3, 4))
        rng = as_rng(rng)
        out = self._apply(x, rng)
        return out.astype(x.dtype, copy=False)

    def _apply(self, x, rng):
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class RandomShift(_Transform):
    r"""Move each image by a random whole number of pixels, filling with zeros.

    For each sample, :math:`d_y, d_x` are drawn uniformly from
    :math:`\{-s, \dots, s\}` and

    .. math::
        y[c, i, j] = x[c, i - d_y, j - d_x]

    (``fill`` where :math:`(i - d_y, j - d_x)` falls outside the image).

    Parameters
    ----------
    max_shift : int >= 0, default 1
        :math:`s`, the largest shift along each axis.
    image_shape : (H, W) or (C, H, W), optional
        Needed for flat batches (N, D).
    fill : float, default 0.0
        Value of the pixels shifted in (0 = background for the digits).

    Notes
    -----
    Keras: ``layers.RandomTranslation(height_factor, width_factor,
    fill_mode="constant")``; torchvision:
    ``transforms.RandomAffine(0, translate=(a, b))``. See Chapter 5.
    """

    def __init__(self, max_shift=1, image_shape=None, fill=0.0):
        self.max_shift = check_int("RandomShift", "max_shift", max_shift, 0)
        self.image_shape = _check_image_shape("RandomShift", image_shape)
        self.fill = check_finite_number("RandomShift", "fill", fill)

    def _apply(self, x, rng):
        img = as_images("RandomShift", x, self.image_shape)
        n, c, h, w = img.shape
        s = self.max_shift
        dy = rng.integers(-s, s + 1, size=n)
        dx = rng.integers(-s, s + 1, size=n)
        if s == 0:
            return x.copy()
        padded = np.pad(img, ((0, 0), (0, 0), (s, s), (s, s)),
                        constant_values=self.fill)
        # y[i] = x[i - dy] = padded[i - dy + s]
        rows = (s - dy)[:, None] + np.arange(h)          # (N, H)
        cols = (s - dx)[:, None] + np.arange(w)          # (N, W)
        out = padded[np.arange(n)[:, None, None, None],
                     np.arange(c)[None, :, None, None],
                     rows[:, None, :, None], cols[:, None, None, :]]
        return out.reshape(x.shape)


class RandomWarp(_Transform):
    r"""Turn, zoom and move each image by a random amount (bilinear, blank
    outside).

    Per sample, :math:`\theta \sim U(-a, a)` degrees,
    :math:`z \sim U(1 - m, 1 + m)` and :math:`d_y, d_x \sim U(-s, s)` pixels.
    Output pixel :math:`(i, j)`, with :math:`i, j` measured from the image's
    centre :math:`c`, reads the input at row :math:`v` and column :math:`u`,

    .. math::
        \begin{aligned}
        v &= (i\cos\theta + j\sin\theta)/z + c_y - d_y,\\
        u &= (j\cos\theta - i\sin\theta)/z + c_x - d_x,
        \end{aligned}

    interpolated bilinearly between the four nearest pixels, which count as
    ``fill`` outside the image.

    Parameters
    ----------
    degrees : float >= 0, default 10.0
        :math:`a`, the largest turn.
    zoom : float in [0, 1), default 0.08
        :math:`m`, the largest relative zoom in or out.
    shift : float >= 0, default 1.0
        :math:`s`, the largest move along each axis, in pixels (fractions
        allowed).
    image_shape : (H, W) or (C, H, W), optional
        Needed for flat batches (N, D).
    fill : float, default 0.0
        Value outside the image.

    Notes
    -----
    torchvision: ``transforms.RandomAffine(degrees, translate, scale)``
    (bilinear); Keras: ``RandomRotation`` + ``RandomZoom`` +
    ``RandomTranslation``. Chapter 8 trains its reference with it.
    """

    def __init__(self, degrees=10.0, zoom=0.08, shift=1.0, image_shape=None,
                 fill=0.0):
        self.degrees = check_finite_number("RandomWarp", "degrees", degrees,
                                           low=0.0)
        self.zoom = check_finite_number("RandomWarp", "zoom", zoom, 0.0, 0.99)
        self.shift = check_finite_number("RandomWarp", "shift", shift,
                                         low=0.0)
        self.image_shape = _check_image_shape("RandomWarp", image_shape)
        self.fill = check_finite_number("RandomWarp", "fill", fill)

    def _apply(self, x, rng):
        img = as_images("RandomWarp", x, self.image_shape)
        n, c, h, w = img.shape
        theta = np.deg2rad(rng.uniform(-self.degrees, self.degrees,
                                       (n, 1, 1)))
        z = rng.uniform(1 - self.zoom, 1 + self.zoom, (n, 1, 1))
        dy, dx = rng.uniform(-self.shift, self.shift, (2, n, 1, 1))
        cy, cx = (h - 1) / 2, (w - 1) / 2
        i, j = np.mgrid[0:h, 0:w]
        i, j = i - cy, j - cx
        y = (np.cos(theta) * i + np.sin(theta) * j) / z + cy - dy
        u = (np.cos(theta) * j - np.sin(theta) * i) / z + cx - dx
        y0, u0 = np.floor(y).astype(int), np.floor(u).astype(int)
        fy, fu = (y - y0)[:, None], (u - u0)[:, None]    # (N, 1, H, W)
        # one ring of fill around the image; reads further out land on it
        padded = np.pad(img, ((0, 0), (0, 0), (1, 1), (1, 1)),
                        constant_values=self.fill)
        rows = np.arange(n)[:, None, None, None]
        chans = np.arange(c)[None, :, None, None]

        def at(r, q):
            return padded[rows, chans, np.clip(r + 1, 0, h + 1)[:, None],
                          np.clip(q + 1, 0, w + 1)[:, None]]

        out = ((1 - fy) * ((1 - fu) * at(y0, u0) + fu * at(y0, u0 + 1))
               + fy * ((1 - fu) * at(y0 + 1, u0) + fu * at(y0 + 1, u0 + 1)))
        return out.reshape(x.shape)


class RandomStroke(_Transform):
    r"""Make each image's strokes lighter or heavier.

    .. math::
        y_n = x_n^{\,\gamma_n}, \qquad \log\gamma_n \sim U(-g, g)

    one :math:`\gamma_n` per sample: :math:`\gamma < 1` thickens faint
    strokes, :math:`\gamma > 1` thins them; 0 and 1 stay where they are.

    Parameters
    ----------
    max_log_gamma : float >= 0, default 0.3
        :math:`g`.

    Raises
    ------
    ValueError
        If ``x`` holds negative values (pixels must be >= 0).

    Notes
    -----
    torchvision: ``transforms.functional.adjust_gamma`` with a random gamma.
    """

    def __init__(self, max_log_gamma=0.3):
        self.max_log_gamma = check_finite_number(
            "RandomStroke", "max_log_gamma", max_log_gamma, low=0.0)

    def _apply(self, x, rng):
        if np.any(x < 0):
            raise error("RandomStroke", "x", "pixels >= 0 (apply it before "
                        "adding noise)", f"a minimum of {float(x.min()):g}")
        g = self.max_log_gamma
        gamma = np.exp(rng.uniform(-g, g, (x.shape[0],) + (1,) * (x.ndim - 1)))
        return x ** gamma


class RandomFlip(_Transform):
    r"""Mirror each image with probability ``p``.

    ``horizontal`` flips left–right (:math:`y[c, i, j] = x[c, i, W-1-j]`),
    ``vertical`` flips up–down; each is decided independently per sample.

    Parameters
    ----------
    horizontal : bool, default True
    vertical : bool, default False
    p : float in [0, 1], default 0.5
        Probability of each flip.
    image_shape : (H, W) or (C, H, W), optional
        Needed for flat batches (N, D).

    Notes
    -----
    Keras: ``layers.RandomFlip("horizontal")``; torchvision:
    ``transforms.RandomHorizontalFlip(p)``. A flip is only an augmentation
    when the label is mirror-symmetric (a cat is a cat; an arrow pointing
    left is not an arrow pointing right). See Chapter 5.
    """

    def __init__(self, horizontal=True, vertical=False, p=0.5,
                 image_shape=None):
        self.horizontal = bool(horizontal)
        self.vertical = bool(vertical)
        self.p = check_finite_number("RandomFlip", "p", p, 0.0, 1.0)
        self.image_shape = _check_image_shape("RandomFlip", image_shape)

    def _apply(self, x, rng):
        img = as_images("RandomFlip", x, self.image_shape)
        n = img.shape[0]
        flip_h = rng.random(n) < self.p
        flip_v = rng.random(n) < self.p
        out = img
        if self.horizontal:
            out = np.where(flip_h[:, None, None, None], out[..., ::-1], out)
        if self.vertical:
            out = np.where(flip_v[:, None, None, None], out[..., ::-1, :],
                           out)
        return np.array(out, copy=True).reshape(x.shape)


class GaussianNoise(_Transform):
    r"""Add independent Gaussian noise to every pixel.

    .. math::
        y = x + \sigma\,\varepsilon, \qquad \varepsilon \sim \mathcal N(0, 1)

    optionally clipped into ``clip = (low, high)``.

    Parameters
    ----------
    std : float >= 0
        :math:`\sigma`.
    clip : (float, float) or None, default None
        Range to clip the result to, e.g. ``(0.0, 1.0)`` for pixels.

    Notes
    -----
    Keras: ``layers.GaussianNoise(stddev)`` (as a layer, training only);
    torchvision has no built-in (``x + std * torch.randn_like(x)``).
    See Chapter 5.
    """

    def __init__(self, std, clip=None):
        self.std = check_finite_number("GaussianNoise", "std", std, low=0.0)
        self.clip = _check_clip("GaussianNoise", clip)

    def _apply(self, x, rng):
        out = x + self.std * rng.standard_normal(x.shape)
        return out if self.clip is None else np.clip(out, *self.clip)


class RandomBrightness(_Transform):
    r"""Add a random offset to each whole image.

    .. math::
        y_n = x_n + \delta_n, \qquad \delta_n \sim U(-\Delta, \Delta)

    one :math:`\delta_n` per sample, optionally clipped into ``clip``.

    Parameters
    ----------
    max_delta : float >= 0
        :math:`\Delta`.
    clip : (float, float) or None, default None
        Range to clip the result to.

    Notes
    -----
    Keras: ``layers.RandomBrightness(factor)``; torchvision:
    ``transforms.ColorJitter(brightness=...)`` (multiplicative). See
    Chapter 5.
    """

    def __init__(self, max_delta, clip=None):
        self.max_delta = check_finite_number("RandomBrightness", "max_delta",
                                             max_delta, low=0.0)
        self.clip = _check_clip("RandomBrightness", clip)

    def _apply(self, x, rng):
        delta = rng.uniform(-self.max_delta, self.max_delta,
                            size=(x.shape[0],) + (1,) * (x.ndim - 1))
        out = x + delta
        return out if self.clip is None else np.clip(out, *self.clip)


def _check_clip(where, clip):
    if clip is None:
        return None
    if not np.iterable(clip) or len(tuple(clip)) != 2:
        raise error(where, "clip", "None or a pair (low, high)", repr(clip))
    low, high = (check_finite_number(where, "clip", v) for v in clip)
    if not low < high:
        raise error(where, "clip", "a pair with low < high", repr(clip))
    return (low, high)


class Augment:
    r"""Apply several transforms in order: ``Augment(t1, t2, ...)(x, rng)``.

    Parameters
    ----------
    *transforms : callables ``f(x, rng) -> x``
        Applied left to right, all drawing from the same ``rng``.

    Raises
    ------
    TypeError
        If a transform is not callable.

    Notes
    -----
    Same role as ``torchvision.transforms.Compose`` or a
    ``keras.Sequential`` of preprocessing layers; here the result plugs
    into ``Trainer(..., augment=Augment(...))``, which calls it on every
    training batch with its own child generator (test data is never
    augmented). See Chapter 5.

    Examples
    --------
    >>> import numpy as np
    >>> aug = Augment(RandomShift(1, image_shape=(8, 8)), GaussianNoise(0.1))
    >>> aug(np.zeros((5, 64)), rng=0).shape
    (5, 64)
    """

    def __init__(self, *transforms):
        for i, f in enumerate(transforms):
            if not callable(f):
                raise error("Augment", f"transforms[{i}]", "a callable "
                            "f(x, rng) -> x", type(f).__name__,
                            kind=TypeError)
        self.transforms = tuple(transforms)

    def __call__(self, x, rng=None):
        check_array("Augment", "x", x, ndim=(2, 3, 4))
        rng = as_rng(rng)
        for f in self.transforms:
            x = f(x, rng)
        return x

    def __repr__(self):
        inner = ", ".join(repr(f) for f in self.transforms)
        return f"Augment({inner})"


def arrows(n=200, size=8, noise=0.05, rng=None, dtype=np.float64):
    r"""A toy data set whose label a horizontal flip destroys.

    Images of horizontal arrows, ``size × size`` pixels, drawn at a random
    height and length, plus Gaussian pixel noise (clipped to [0, 1]).
    Label 0 means the arrow points left, 1 that it points right; half of
    the samples have each label.

    Parameters
    ----------
    n : int >= 2
        Number of images.
    size : int >= 7
        Height and width.
    noise : float >= 0
        Standard deviation of the pixel noise.
    rng : Generator, int or None

    Returns
    -------
    x : ndarray (n, 1, size, size)
    t : ndarray (n,) of int

    Notes
    -----
    Used in Chapter 5 to show that ``RandomFlip`` turns a "right" arrow
    into a "left" one while keeping its label "right": an augmentation
    must leave the label true.
    """
    n = check_int("arrows", "n", n, 2)
    size = check_int("arrows", "size", size, 7)
    noise = check_finite_number("arrows", "noise", noise, low=0.0)
    rng = as_rng(rng)
    x = np.zeros((n, 1, size, size))
    t = np.arange(n) % 2
    rows = rng.integers(2, size - 2, size=n)
    starts = rng.integers(0, 2, size=n)
    tips = rng.integers(size - 2, size, size=n)
    for i in range(n):
        r, c0, c1 = rows[i], starts[i], tips[i]
        img = x[i, 0]
        img[r, c0:c1 + 1] = 1.0                       # shaft
        for k in (1, 2):                              # head, pointing right
            img[max(r - k, 0), c1 - k] = 1.0
            img[min(r + k, size - 1), c1 - k] = 1.0
    left = t == 0
    x[left] = x[left][..., ::-1]                      # mirror: points left
    x = np.clip(x + noise * rng.standard_normal(x.shape), 0.0, 1.0)
    order = rng.permutation(n)
    return x[order].astype(dtype), t[order]
