r"""Batch normalization: per-feature (or per-channel) standardization of a batch.

(:mod:`course_lib.layers.normalization` gathers this module and the
per-sample normalizations of :mod:`course_lib.layers.layernorm`.)

The layer :class:`BatchNorm` does the work in a network. Two pure functions
sit beside it for the book and the tests: :func:`channel_statistics` (the
mean and variance per feature or channel of any batch) and
:func:`batchnorm_backward_staged`, the backward pass taken one node of the
computational graph at a time, which must agree with the compact formula
of :meth:`BatchNorm.backward`. See Chapter 4.
"""

from __future__ import annotations

import numpy as np

from .._validation import (
    check_array,
    check_batch,
    check_finite_number,
    error,
    shape_str,
)
from .base import Layer

__all__ = ["BatchNorm", "batchnorm_backward_staged", "channel_statistics"]


def _axes(x: np.ndarray) -> tuple[int, ...]:
    """Axes that statistics are taken over: the batch, and H, W for images."""
    return (0,) if x.ndim == 2 else (0, 2, 3)


def _per_channel(v: np.ndarray, ndim: int) -> np.ndarray:
    """View a (D,) vector so it broadcasts against (N, D) or (N, C, H, W)."""
    return v if ndim == 2 else v.reshape(1, -1, 1, 1)


def channel_statistics(x: np.ndarray, unbiased: bool = False):
    r"""Mean and variance of every feature (N, D) or channel (N, C, H, W).

    .. math::

        \begin{aligned}
        \mu_c &= \frac1m \sum_i x_{ic}, \\
        \sigma_c^2 &= \frac1{m - u} \sum_i (x_{ic} - \mu_c)^2
        \end{aligned}

    where :math:`i` runs over the :math:`m = N` samples, or the
    :math:`m = N H W` pixels of all images, and :math:`u = 1` for the
    unbiased estimate, 0 for the biased one that BatchNorm normalizes with.

    Parameters
    ----------
    x : ndarray (N, D) or (N, C, H, W)
    unbiased : bool, default False
        Divide by :math:`m - 1` instead of :math:`m`.

    Returns
    -------
    mean, var : ndarray (D,) or (C,)
        In the dtype of ``x``.

    Raises
    ------
    ValueError
        If x is not 2-D or 4-D, or ``unbiased`` with a single value per
        channel.

    Notes
    -----
    For images this equals the statistics of
    ``x.transpose(0, 2, 3, 1).reshape(-1, C)``: every pixel of every image
    is one sample of its channel. See Chapter 4.
    """
    check_array("channel_statistics", "x", x, ndim=(2, 4))
    axes = _axes(x)
    m = x.size // x.shape[1]
    if unbiased and m < 2:
        raise error("channel_statistics", "x", "at least 2 values per "
                    "channel for the unbiased variance",
                    f"shape {shape_str(x.shape)}")
    mean = x.mean(axis=axes)
    var = x.var(axis=axes, ddof=1 if unbiased else 0)
    return mean, var


class BatchNorm(Layer):
    r"""Batch normalization (Ioffe & Szegedy, 2015).

    In training mode, with the :math:`m` values of one feature in the
    mini-batch (:math:`m = N`, or :math:`m = NHW` per channel of images):

    .. math::

        \begin{aligned}
        \mu_B &= \frac1m\sum_{i=1}^m x_i, \\
        \sigma_B^2 &= \frac1m\sum_{i=1}^m (x_i - \mu_B)^2, \\
        \hat x_i &= \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \\
        y_i &= \gamma\hat x_i + \beta
        \end{aligned}

    and the running estimates used at inference are updated as

    .. math::

        \begin{aligned}
        \hat\mu &\leftarrow \rho\,\hat\mu + (1 - \rho)\,\mu_B, \\
        \hat\sigma^2 &\leftarrow \rho\,\hat\sigma^2
        + (1 - \rho)\,\frac{m}{m - 1}\,\sigma_B^2
        \end{aligned}

    with :math:`\rho` = ``momentum``. In inference mode
    :math:`y = \gamma (x - \hat\mu)/\sqrt{\hat\sigma^2 + \epsilon} + \beta`,
    a fixed affine map of each feature.

    Parameters
    ----------
    gamma : ndarray (D,)
        Scale, one per feature or channel (start at ones); stored as given,
        so ``layer.params["gamma"] is gamma``.
    beta : ndarray (D,)
        Shift (start at zeros).
    momentum : float in [0, 1), default 0.9
        Weight of the *old* running value. PyTorch's ``momentum=0.1`` is our
        0.9; Keras's ``momentum=0.99`` means what ours means.
    eps : float > 0, default 1e-5
        Added to the variance before the square root.

    Attributes
    ----------
    buffers : dict
        ``{"running_mean": ..., "running_var": ...}``: state saved with the
        parameters (:meth:`~course_lib.network.Sequential.state_dict`) but
        not learned; no optimizer touches it.
    running_mean : ndarray (D,)
        ``buffers["running_mean"]``; starts at zeros.
    running_var : ndarray (D,)
        ``buffers["running_var"]``; starts at ones and accumulates the
        unbiased batch variance. Both are updated in place, and assigning
        to either copies the values into the existing array.

    Raises
    ------
    ValueError
        In ``forward``: x not 2-D or 4-D, a feature/channel count that is
        not D, or a training batch with one value per channel (mean and
        variance of one number say nothing).
    RuntimeError
        ``backward`` before ``forward``.

    Notes
    -----
    Input (N, D) is normalized per feature; input (N, C, H, W) per channel,
    over the batch and all pixels (not per pixel), as
    ``torch.nn.BatchNorm1d(D)`` / ``BatchNorm2d(C)`` and Keras's
    ``BatchNormalization()``. Training mode normalizes with the biased
    variance; the running variance collects the unbiased one, as PyTorch
    does (Keras collects the biased one).

    Backward, compact form (per feature, sums over the :math:`m` values):

    .. math::

        \begin{aligned}
        \frac{\partial L}{\partial \beta} &= \sum_i \delta_i,\qquad
        \frac{\partial L}{\partial \gamma} = \sum_i \delta_i \hat x_i, \\
        \frac{\partial L}{\partial x_i} &= \frac{\gamma}{\sqrt{\sigma_B^2
        + \epsilon}} \Big(\delta_i - \frac1m\frac{\partial L}{\partial\beta} \\
        &\qquad {}- \hat x_i \frac1m\frac{\partial L}{\partial\gamma}\Big)
        \end{aligned}

    with :math:`\delta = \partial L/\partial y`. After an inference-mode
    forward the statistics are constants and
    :math:`\partial L/\partial x_i = \gamma\delta_i/\sqrt{\hat\sigma^2
    + \epsilon}`. :func:`batchnorm_backward_staged` derives the same
    numbers node by node. See Chapter 4.

    Examples
    --------
    >>> import numpy as np
    >>> bn = BatchNorm(np.ones(2), np.zeros(2))
    >>> bn.forward(np.array([[1.0, 10.0], [3.0, 30.0]])).round(3)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> bn.running_mean, bn.running_var
    (array([0.2, 2. ]), array([ 1.1, 20.9]))
    """

    def __init__(self, gamma: np.ndarray, beta: np.ndarray, momentum=0.9,
                 eps=1e-5):
        super().__init__()
        check_array("BatchNorm", "gamma", gamma, ndim=1)
        check_array("BatchNorm", "beta", beta, ndim=1)
        if beta.shape != gamma.shape:
            raise error("BatchNorm", "beta", f"of shape ({gamma.shape[0]},)"
                        f" to match gamma", f"shape {beta.shape}")
        self.momentum = check_finite_number("BatchNorm", "momentum", momentum,
                                            0.0, 1.0, high_open=True)
        self.eps = check_finite_number("BatchNorm", "eps", eps, low=0.0,
                                       low_open=True)
        self.params = {"gamma": gamma, "beta": beta}
        self.grads = {"gamma": np.zeros_like(gamma),
                      "beta": np.zeros_like(beta)}
        self.buffers = {"running_mean": np.zeros_like(gamma),
                        "running_var": np.ones_like(gamma)}

    def _set_buffer(self, name: str, value) -> None:
        buf = self.buffers[name]
        value = np.asarray(value)
        if value.shape != buf.shape:
            raise error("BatchNorm", name, f"of shape {shape_str(buf.shape)}",
                        f"shape {shape_str(value.shape)}")
        buf[...] = value        # in place: views of the buffer stay valid

    @property
    def running_mean(self) -> np.ndarray:
        return self.buffers["running_mean"]

    @running_mean.setter
    def running_mean(self, value) -> None:
        self._set_buffer("running_mean", value)

    @property
    def running_var(self) -> np.ndarray:
        return self.buffers["running_var"]

    @running_var.setter
    def running_var(self, value) -> None:
        self._set_buffer("running_var", value)

    def _check_input(self, x) -> None:
        check_array("BatchNorm.forward", "x", x, ndim=(2, 4))
        check_batch("BatchNorm.forward", "x", x)
        D = self.params["gamma"].shape[0]
        if x.shape[1] != D:
            want = f"(N, {D})" if x.ndim == 2 else f"(N, {D}, H, W)"
            raise error("BatchNorm.forward", "x", f"of shape {want} to match "
                        f"gamma ({D},)", f"shape {shape_str(x.shape)}")

    def forward(self, x, train=True):
        """Normalize with batch statistics (``train=True``, updating the
        running estimates) or with the running estimates."""
        self._check_input(x)
        gamma = _per_channel(self.params["gamma"], x.ndim)
        beta = _per_channel(self.params["beta"], x.ndim)
        if not train:
            mean = _per_channel(self.running_mean, x.ndim)
            inv_std = 1.0 / np.sqrt(_per_channel(self.running_var, x.ndim)
                                    + self.eps)
            x_hat = (x - mean) * inv_std
            self._cache = (x_hat, inv_std, False)
            return gamma * x_hat + beta

        axes = _axes(x)
        m = x.size // x.shape[1]
        if m < 2:
            raise error("BatchNorm.forward", "x", "a training batch with at "
                        "least 2 values per feature (one value normalizes to "
                        "0, so the output would be beta whatever the input)",
                        f"shape {shape_str(x.shape)}",
                        hint="Use train=False to predict a single sample.")
        # sums times 1/m (a Python float, so float32 stays float32) and
        # in-place steps: this layer runs thousands of times per chapter
        inv_m = 1.0 / m
        mu = x.sum(axis=axes, keepdims=True)
        mu *= inv_m
        x_hat = x - mu                                     # x - mu_B
        var = np.sum(x_hat * x_hat, axis=axes, keepdims=True)
        var *= inv_m                                       # biased variance
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat *= inv_std                                   # (x - mu)/sigma
        # Buffers are updated in place (views of them stay valid); the
        # running variance collects the unbiased m/(m-1)·var, as PyTorch.
        rho = self.momentum
        running_mean, running_var = self.running_mean, self.running_var
        running_mean *= rho
        running_mean += (1 - rho) * mu.reshape(-1)
        running_var *= rho
        running_var += ((1 - rho) * m / (m - 1)) * var.reshape(-1)
        self._cache = (x_hat, inv_std, True)
        out = x_hat * gamma
        out += beta
        return out

    def backward(self, dout):
        """Fill ``grads`` and return dL/dx, in the compact form above."""
        x_hat, inv_std, train = self._require_cache()
        self._check_dout(dout, x_hat.shape)
        axes = _axes(x_hat)
        gamma = _per_channel(self.params["gamma"], x_hat.ndim)
        dbeta = dout.sum(axis=axes)                 # dL/dbeta = sum(dout)
        dgamma = np.sum(dout * x_hat, axis=axes)    # dL/dgamma = sum(dout x^)
        self.grads["beta"] = dbeta
        self.grads["gamma"] = dgamma
        if not train:                               # statistics are constants
            return dout * (gamma * inv_std)
        inv_m = 1.0 / (x_hat.size // x_hat.shape[1])
        # dL/dx = gamma/sigma * (dout - mean(dout) - x^ * mean(dout * x^)),
        # where mean(dout) = dbeta/m and mean(dout * x^) = dgamma/m
        dx = x_hat * _per_channel(dgamma * inv_m, x_hat.ndim)
        np.subtract(dout, dx, out=dx)
        dx -= _per_channel(dbeta * inv_m, x_hat.ndim)
        dx *= gamma * inv_std
        return dx

    def __repr__(self):
        D = self.params["gamma"].shape[0]
        return f"BatchNorm(D={D}, momentum={self.momentum:g}, eps={self.eps:g})"


def batchnorm_backward_staged(dout: np.ndarray, x: np.ndarray,
                              gamma: np.ndarray, eps: float = 1e-5):
    r"""Training-mode backward pass of batch norm, one graph node at a time.

    Recomputes the forward pass as nine elementary nodes (Chapter 4's
    figure), then walks them backwards, applying the chain rule to each:

    1. :math:`\mu = \frac1m\sum_i x_i`; back: :math:`dx \mathrel{+}= d\mu/m`.
    2. :math:`x_c = x - \mu`; back: :math:`dx \mathrel{+}= dx_c`,
       :math:`d\mu = -\sum_i dx_{c,i}`.
    3. :math:`s = x_c^2`; back: :math:`dx_c \mathrel{+}= 2x_c\,ds`.
    4. :math:`\sigma^2 = \frac1m\sum_i s_i`; back: :math:`ds = d\sigma^2/m`.
    5. :math:`\sigma = \sqrt{\sigma^2 + \epsilon}`; back:
       :math:`d\sigma^2 = d\sigma/(2\sigma)`.
    6. :math:`r = 1/\sigma`; back: :math:`d\sigma = -dr/\sigma^2`.
    7. :math:`\hat x = x_c\,r`; back: :math:`dr = \sum_i d\hat x_i\,x_{c,i}`,
       :math:`dx_c = d\hat x\,r`.
    8. :math:`z = \gamma\hat x`; back: :math:`d\gamma = \sum_i dz_i\,\hat x_i`,
       :math:`d\hat x = dz\,\gamma`.
    9. :math:`y = z + \beta`; back: :math:`d\beta = \sum_i dy_i`,
       :math:`dz = dy`.

    Node 2 feeds :math:`x_c` to nodes 3 and 7, so :math:`dx_c` collects two
    terms; nodes 1 and 2 both read :math:`x`, so :math:`dx` collects two too.

    Parameters
    ----------
    dout : ndarray, shape of x
        Upstream gradient :math:`\partial L/\partial y`.
    x : ndarray (N, D) or (N, C, H, W)
        The input of the training-mode forward pass.
    gamma : ndarray (D,) or (C,)
    eps : float, default 1e-5

    Returns
    -------
    dx, dgamma, dbeta : ndarray
        Equal (to rounding) to :meth:`BatchNorm.backward` after
        ``BatchNorm(gamma, beta, eps=eps).forward(x)``; β does not enter
        any gradient.

    Raises
    ------
    ValueError
        For shapes that do not match, or one value per channel.

    Notes
    -----
    Slower than the compact form (it keeps every intermediate array) but
    each line is a single chain-rule step. See Chapter 4.
    """
    where = "batchnorm_backward_staged"
    check_array(where, "x", x, ndim=(2, 4))
    check_array(where, "gamma", gamma, ndim=1)
    if gamma.shape[0] != x.shape[1]:
        raise error(where, "gamma", f"of shape ({x.shape[1]},) to match x "
                    f"{shape_str(x.shape)}", f"shape {shape_str(gamma.shape)}")
    if not isinstance(dout, np.ndarray) or dout.shape != x.shape:
        got = (f"shape {shape_str(dout.shape)}" if isinstance(dout, np.ndarray)
               else type(dout).__name__)
        raise error(where, "dout", f"of the shape of x {shape_str(x.shape)}",
                    got)
    if x.ndim == 4:     # every pixel is one sample of its channel
        C = x.shape[1]

        def to_rows(a):
            return a.transpose(0, 2, 3, 1).reshape(-1, C)

        dx, dgamma, dbeta = batchnorm_backward_staged(
            to_rows(dout), to_rows(x), gamma, eps)
        n, _, h, w = x.shape
        return (dx.reshape(n, h, w, C).transpose(0, 3, 1, 2), dgamma, dbeta)
    m = x.shape[0]
    if m < 2:
        raise error(where, "x", "a batch of at least 2 samples",
                    f"shape {shape_str(x.shape)}")

    # forward, node by node
    mu = x.sum(axis=0) / m                  # 1
    xc = x - mu                             # 2
    s = xc ** 2                             # 3
    var = s.sum(axis=0) / m                 # 4
    sigma = np.sqrt(var + eps)              # 5
    r = 1.0 / sigma                         # 6
    x_hat = xc * r                          # 7
    # z = gamma * x_hat                     # 8
    # y = z + beta                          # 9

    # backward, node 9 down to node 1
    dbeta = dout.sum(axis=0)                # 9: y = z + beta
    dz = dout
    dgamma = np.sum(dz * x_hat, axis=0)     # 8: z = gamma * x_hat
    dx_hat = dz * gamma
    dr = np.sum(dx_hat * xc, axis=0)        # 7: x_hat = xc * r
    dxc = dx_hat * r
    dsigma = -dr / sigma ** 2               # 6: r = 1 / sigma
    dvar = dsigma / (2.0 * sigma)           # 5: sigma = sqrt(var + eps)
    ds = np.ones_like(s) * dvar / m         # 4: var = sum(s) / m
    dxc = dxc + 2.0 * xc * ds               # 3: s = xc**2 (second path to xc)
    dx = dxc.copy()                         # 2: xc = x - mu
    dmu = -dxc.sum(axis=0)
    dx += np.ones_like(x) * dmu / m         # 1: mu = sum(x) / m
    return dx, dgamma, dbeta
