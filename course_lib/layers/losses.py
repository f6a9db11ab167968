"""Loss layers: they end a network and turn logits into one number."""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_labels
from .base import Layer

__all__ = ["MeanSquaredError", "SoftmaxWithLoss"]


class SoftmaxWithLoss(Layer):
    r"""Softmax followed by mean cross-entropy.

    .. math::
        y = \mathrm{softmax}(x), \qquad
        L = -\frac1N \sum_n \log y_{n, t_n}, \qquad
        \frac{\partial L}{\partial x} = \frac{y - \mathrm{onehot}(t)}{N}

    ``forward(x, t)`` takes logits (N, K) and int labels (N,) or one-hot
    labels (N, K) and returns the loss as a float; ``backward(dout=1.0)``
    returns dL/dx. Computed through log-softmax, so it stays finite for any
    finite logits. PyTorch: ``nn.CrossEntropyLoss``; Keras:
    ``categorical_crossentropy(from_logits=True)``. See Chapter 1.
    """

    def forward(self, x, t, train=True):
        check_array("SoftmaxWithLoss.forward", "x", x, ndim=2)
        labels = check_labels("SoftmaxWithLoss.forward", t, x.shape[0],
                              x.shape[1])
        # One exponential serves both outputs: with s = x - max_k x_k,
        # y = e^s / sum e^s and log y_t = s_t - log sum e^s (only the label
        # entries of log y are needed). Equal to softmax(x) and
        # cross_entropy(x, t) of course_lib.functional.
        rows = np.arange(x.shape[0])
        shifted = x - np.max(x, axis=-1, keepdims=True)
        e = np.exp(shifted)
        total = np.sum(e, axis=-1, keepdims=True)
        logp_t = shifted[rows, labels] - np.log(total[:, 0])
        e /= total
        self._cache = (e, labels)
        return float(-np.mean(logp_t))

    def backward(self, dout=1.0):
        y, labels = self._require_cache()
        n = y.shape[0]
        dx = y.copy()
        dx[np.arange(n), labels] -= 1
        dx *= np.asarray(dout, dtype=y.dtype) / n
        return dx

    @property
    def probabilities(self) -> np.ndarray:
        """Softmax output of the last forward pass."""
        return self._require_cache()[0]


class MeanSquaredError(Layer):
    r"""Half mean squared error :math:`L = \frac{1}{2N}\sum_n \lVert x_n - t_n\rVert^2`.

    ``t`` has the shape of ``x`` (targets), or int labels (N,) that are
    one-hot encoded. Gradient :math:`(x - t)/N`. See Chapter 1.
    """

    def forward(self, x, t, train=True):
        check_array("MeanSquaredError.forward", "x", x, min_ndim=1)
        if isinstance(t, np.ndarray) and t.shape != x.shape and x.ndim == 2:
            labels = check_labels("MeanSquaredError.forward", t, x.shape[0],
                                  x.shape[1])
            t = np.zeros_like(x)
            t[np.arange(x.shape[0]), labels] = 1
        if not isinstance(t, np.ndarray) or t.shape != x.shape:
            raise ValueError(
                "MeanSquaredError.forward: 't' must have the shape of x "
                f"{x.shape} or be int labels; got "
                f"{getattr(t, 'shape', type(t).__name__)}.")
        diff = x - t
        self._cache = diff
        return float(0.5 * np.sum(diff * diff) / x.shape[0])

    def backward(self, dout=1.0):
        diff = self._require_cache()
        return diff * (np.asarray(dout, dtype=diff.dtype) / diff.shape[0])
