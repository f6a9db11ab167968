r"""Per-sample normalization: layer normalization and group normalization.

Batch normalization (:mod:`course_lib.layers.batchnorm`) takes its mean
and variance over the batch, so it needs batches of a reasonable size and
behaves differently in training and inference. :class:`LayerNorm` and
:class:`GroupNorm` take them over the features of *one sample* instead:
every sample is normalized on its own, the batch size does not matter, and
training and inference compute the same function (no running estimates).

Both reduce to one computation, done by :func:`_standardize_rows` and
undone by :func:`_standardize_rows_backward`: standardize every row of a
matrix, one row per sample (LayerNorm) or per (sample, group) (GroupNorm).
See Chapter 4.
"""

from __future__ import annotations

import numpy as np

from .._validation import (
    check_array,
    check_batch,
    check_finite_number,
    check_int,
    error,
    shape_str,
)
from .base import Layer

__all__ = ["GroupNorm", "LayerNorm"]


def _check_scale_shift(where: str, gamma, beta) -> None:
    check_array(where, "gamma", gamma, ndim=1)
    check_array(where, "beta", beta, ndim=1)
    if beta.shape != gamma.shape:
        raise error(where, "beta", f"of shape ({gamma.shape[0]},) to "
                    "match gamma", f"shape ({beta.shape[0]},)")


def _standardize_rows(rows: np.ndarray, eps: float):
    r"""Standardize each row of (R, m): :math:`(x - \mu)/\sqrt{\sigma^2 + \epsilon}`.

    Mean and biased variance are taken over the m values of the row.
    Returns ``(x_hat, inv_std)`` with ``inv_std`` of shape (R, 1).
    """
    inv_m = 1.0 / rows.shape[1]       # a Python float keeps float32 float32
    mu = rows.sum(axis=1, keepdims=True)
    mu *= inv_m
    x_hat = rows - mu
    var = np.sum(x_hat * x_hat, axis=1, keepdims=True)
    var *= inv_m                      # biased variance, as PyTorch
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat *= inv_std
    return x_hat, inv_std


def _standardize_rows_backward(dx_hat: np.ndarray, x_hat: np.ndarray,
                               inv_std: np.ndarray) -> np.ndarray:
    r"""Backward of :func:`_standardize_rows`, row by row.

    .. math::

        \frac{\partial L}{\partial x_i} = \frac{1}{\sigma}\Big(
        \frac{\partial L}{\partial\hat x_i}
        - \overline{\frac{\partial L}{\partial\hat x}}
        - \hat x_i\,\overline{\frac{\partial L}{\partial\hat x}\,\hat x}\Big)

    where the bars are means over the row: the same formula as BatchNorm's
    backward pass, with rows in place of features.
    """
    inv_m = 1.0 / x_hat.shape[1]
    mean_d = dx_hat.sum(axis=1, keepdims=True)
    mean_d *= inv_m                                    # mean(dL/dx^)
    mean_dx = np.sum(dx_hat * x_hat, axis=1, keepdims=True)
    mean_dx *= inv_m                                   # mean(dL/dx^ * x^)
    dx = x_hat * mean_dx
    np.subtract(dx_hat, dx, out=dx)
    dx -= mean_d
    dx *= inv_std
    return dx


class _PerSampleNorm(Layer):
    """What LayerNorm and GroupNorm share: γ and β per feature or channel
    (axis 1 of x), ``eps``, the input check, and forward and backward
    passes over the rows that a subclass's ``_rows(x)`` makes of x.
    """

    #: x's layout in error messages; its rank is the number of its axes
    _layout: tuple[str, ...] = ("N", "D")

    def __init__(self, gamma: np.ndarray, beta: np.ndarray, eps):
        super().__init__()
        name = type(self).__name__
        _check_scale_shift(name, gamma, beta)
        self.eps = check_finite_number(name, "eps", eps, low=0.0,
                                       low_open=True)
        self.params = {"gamma": gamma, "beta": beta}
        self.grads = {"gamma": np.zeros_like(gamma),
                      "beta": np.zeros_like(beta)}

    def _check_input(self, x) -> None:
        where = f"{type(self).__name__}.forward"
        n = self.params["gamma"].shape[0]
        check_array(where, "x", x)
        if x.ndim != len(self._layout) or x.shape[1] != n:
            layout = ", ".join((self._layout[0], str(n)) + self._layout[2:])
            raise error(where, "x", f"of shape ({layout}) to match gamma "
                        f"({n},)", f"shape {shape_str(x.shape)}")
        check_batch(where, "x", x)

    def _rows(self, x: np.ndarray) -> np.ndarray:
        """x as a matrix with one row per normalized group of values."""
        raise NotImplementedError

    def forward(self, x, train=True):
        """Standardize each row of ``_rows(x)``, then scale and shift
        (the same in any mode)."""
        self._check_input(x)
        x_hat, inv_std = _standardize_rows(self._rows(x), self.eps)
        x_hat = x_hat.reshape(x.shape)
        self._cache = (x_hat, inv_std)
        return self._scale_shift(x_hat)

    def backward(self, dout):
        """Fill ``grads`` and return dL/dx."""
        x_hat, inv_std = self._require_cache()
        self._check_dout(dout, x_hat.shape)
        # dL/dx^ = dout * gamma, then back through the standardization,
        # row by row
        dx_hat = self._scale_shift_backward(dout, x_hat)
        rows = inv_std.shape[0]
        dx = _standardize_rows_backward(dx_hat.reshape(rows, -1),
                                        x_hat.reshape(rows, -1), inv_std)
        return dx.reshape(x_hat.shape)

    def _per_axis1(self, v: np.ndarray) -> np.ndarray:
        # (n,) -> shape that broadcasts along axis 1 of x
        return v.reshape((1, -1) + (1,) * (len(self._layout) - 2))

    def _scale_shift(self, x_hat: np.ndarray) -> np.ndarray:
        """out = gamma * x_hat + beta."""
        out = x_hat * self._per_axis1(self.params["gamma"])
        out += self._per_axis1(self.params["beta"])
        return out

    def _scale_shift_backward(self, dout: np.ndarray,
                              x_hat: np.ndarray) -> np.ndarray:
        """Fill ``grads`` (sums over every axis but 1); return dL/dx_hat."""
        axes = (0,) + tuple(range(2, dout.ndim))
        self.grads["beta"] = dout.sum(axis=axes)               # sum(dout)
        self.grads["gamma"] = np.sum(dout * x_hat, axis=axes)  # sum(dout x^)
        return dout * self._per_axis1(self.params["gamma"])    # dout * gamma


class LayerNorm(_PerSampleNorm):
    r"""Layer normalization (Ba, Kiros & Hinton, 2016) over the features.

    For every sample :math:`n`, over its :math:`D` features:

    .. math::

        \begin{aligned}
        \mu_n &= \frac1D\sum_{d} x_{nd}, \\
        \sigma_n^2 &= \frac1D\sum_{d} (x_{nd} - \mu_n)^2, \\
        y_{nd} &= \gamma_d\,\frac{x_{nd} - \mu_n}{\sqrt{\sigma_n^2
        + \epsilon}} + \beta_d
        \end{aligned}

    Parameters
    ----------
    gamma : ndarray (D,)
        Scale per feature (start at ones); stored as given, so
        ``layer.params["gamma"] is gamma``.
    beta : ndarray (D,)
        Shift per feature (start at zeros).
    eps : float > 0, default 1e-5
        Added to the variance before the square root.

    Raises
    ------
    ValueError
        ``gamma``/``beta`` not of one shape (D,), ``eps <= 0``; in
        ``forward``, an ``x`` that is not (N, D) or an empty batch.
    RuntimeError
        ``backward`` before ``forward``.

    Notes
    -----
    Statistics are per sample, so ``train`` changes nothing and a batch
    of one is fine. Backward, with :math:`\delta = \partial L/\partial y`
    and sums over the batch: :math:`\partial L/\partial\beta =
    \sum_n\delta_n`, :math:`\partial L/\partial\gamma = \sum_n
    \delta_n\hat x_n`, and :math:`\partial L/\partial x` is BatchNorm's
    formula taken along each row with :math:`\partial L/\partial\hat x =
    \delta\gamma`. Equals ``torch.nn.functional.layer_norm(x, (D,),
    gamma, beta, eps)`` (``nn.LayerNorm(D)``) and Keras's
    ``LayerNormalization(epsilon=eps)``. See Chapter 4.

    Examples
    --------
    >>> import numpy as np
    >>> ln = LayerNorm(np.ones(3), np.zeros(3), eps=1e-12)
    >>> ln.forward(np.array([[1.0, 2.0, 3.0]])).round(4)
    array([[-1.2247,  0.    ,  1.2247]])
    """

    def __init__(self, gamma: np.ndarray, beta: np.ndarray, eps=1e-5):
        super().__init__(gamma, beta, eps)

    def _rows(self, x):
        return x                               # one row per sample

    def __repr__(self):
        D = self.params["gamma"].shape[0]
        return f"LayerNorm(D={D}, eps={self.eps:g})"


class GroupNorm(_PerSampleNorm):
    r"""Group normalization (Wu & He, 2018) of images, per sample and group.

    The :math:`C` channels are split into ``groups`` groups of
    :math:`C/G` consecutive channels. For every sample :math:`n` and group
    :math:`g`, over the :math:`m = (C/G)\,H W` values of its channels and
    pixels:

    .. math::

        \begin{aligned}
        \mu_{ng} &= \frac1m\sum_{i\in g} x_{ni}, \\
        \sigma_{ng}^2 &= \frac1m\sum_{i\in g}(x_{ni} - \mu_{ng})^2, \\
        y_{nchw} &= \gamma_c\,\frac{x_{nchw} - \mu_{ng}}{\sqrt{\sigma_{ng}^2
        + \epsilon}} + \beta_c
        \end{aligned}

    with :math:`g` the group of channel :math:`c`; γ and β are per channel.

    Parameters
    ----------
    gamma : ndarray (C,)
        Scale per channel (start at ones); stored as given.
    beta : ndarray (C,)
        Shift per channel (start at zeros).
    groups : int
        Number of groups G; it must divide C. ``groups=1`` normalizes each
        image as a whole (LayerNorm over C, H, W); ``groups=C`` each
        channel of each image on its own (instance normalization).
    eps : float > 0, default 1e-5

    Raises
    ------
    ValueError
        ``gamma``/``beta`` not of one shape (C,), ``groups`` not dividing
        C, ``eps <= 0``; in ``forward``, an ``x`` that is not (N, C, H, W)
        or an empty batch.
    TypeError
        ``groups`` not an int.
    RuntimeError
        ``backward`` before ``forward``.

    Notes
    -----
    Like :class:`LayerNorm` it does not depend on the batch, so it suits
    the small batches where BatchNorm's statistics are noisy. Backward:
    reshape to one row per (sample, group) and apply LayerNorm's backward
    with :math:`\partial L/\partial\hat x = \delta\gamma_c`. Equals
    ``torch.nn.functional.group_norm(x, groups, gamma, beta, eps)``
    (``nn.GroupNorm(groups, C)``) and Keras's
    ``GroupNormalization(groups)``. See Chapter 4.
    """

    _layout = ("N", "C", "H", "W")

    def __init__(self, gamma: np.ndarray, beta: np.ndarray, groups: int,
                 eps=1e-5):
        super().__init__(gamma, beta, eps)
        C = gamma.shape[0]
        self.groups = check_int("GroupNorm", "groups", groups, low=1)
        if C % self.groups:
            raise error("GroupNorm", "groups", f"a divisor of the {C} "
                        "channels of gamma", repr(groups))

    def _rows(self, x):
        return x.reshape(x.shape[0] * self.groups, -1)  # a row per (n, group)

    def __repr__(self):
        C = self.params["gamma"].shape[0]
        return f"GroupNorm(C={C}, groups={self.groups}, eps={self.eps:g})"
