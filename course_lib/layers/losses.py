"""Loss layers: they end a network and turn logits into one number."""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import (
    check_array,
    check_batch,
    check_labels,
    check_targets,
    error,
)
from .base import Layer

__all__ = ["MeanSquaredError", "SoftmaxWithLoss"]


def _check_scalar_dout(where: str, dout) -> None:
    """A loss is one number, so its upstream gradient is one number too."""
    if isinstance(dout, np.ndarray) and dout.ndim == 0:
        dout = dout.item()
    if isinstance(dout, bool) or not isinstance(dout, numbers.Real):
        got = (f"shape {dout.shape}" if isinstance(dout, np.ndarray)
               else repr(dout))
        raise error(where, "dout", "a real number (the gradient of the "
                    "scalar loss)", got)


class SoftmaxWithLoss(Layer):
    r"""Softmax followed by mean cross-entropy.

    .. math::

        \begin{gathered}
        y = \mathrm{softmax}(x), \qquad
        \frac{\partial L}{\partial x} = \frac{y - t}{N}, \\
        L = -\frac1N \sum_n \sum_k t_{nk} \log y_{nk}
        \end{gathered}

    ``forward(x, t)`` takes logits (N, K) and targets ``t``: int labels
    (N,) (then :math:`t_{nk} = [k = t_n]` and
    :math:`L = -\frac1N\sum_n \log y_{n, t_n}`), one-hot rows (N, K), or
    soft targets — rows of class probabilities, non-negative and summing
    to 1, as PyTorch accepts (label smoothing, distillation). It returns
    the loss as a float; ``backward(dout=1.0)`` returns dL/dx. Computed
    through log-softmax, so it stays finite for any finite logits.

    Raises
    ------
    ValueError
        Labels out of [0, K − 1] or not integral; a row of ``t`` that is
        negative or does not sum to 1 (the first such row is named); an
        empty batch; a ``dout`` that is not a number.

    Notes
    -----
    PyTorch: ``nn.CrossEntropyLoss``; Keras:
    ``categorical_crossentropy(from_logits=True)``. See Chapter 1.
    """

    def forward(self, x, t, train=True):
        where = "SoftmaxWithLoss.forward"
        check_array(where, "x", x, ndim=2)
        check_batch(where, "x", x)
        labels, probs = check_targets(where, t, x.shape[0], x.shape[1])
        # One exponential serves both outputs: with s = x - max_k x_k,
        # y = e^s / sum e^s and log y = s - log sum e^s. Equal to
        # softmax(x) and cross_entropy(x, t) of course_lib.functional.
        shifted = x - np.max(x, axis=-1, keepdims=True)
        e = np.exp(shifted)
        total = np.sum(e, axis=-1, keepdims=True)
        if labels is not None:       # only the label entries of log y
            rows = np.arange(x.shape[0])
            loss = -np.mean(shifted[rows, labels] - np.log(total[:, 0]))
        else:
            probs = probs.astype(x.dtype, copy=False)
            logp = shifted - np.log(total)
            loss = -np.sum(probs * logp) / x.shape[0]
        e /= total
        self._cache = (e, labels, probs)
        return float(loss)

    def backward(self, dout=1.0):
        y, labels, probs = self._require_cache()
        _check_scalar_dout("SoftmaxWithLoss.backward", dout)
        n = y.shape[0]
        if labels is not None:
            dx = y.copy()
            dx[np.arange(n), labels] -= 1    # y - onehot(t)
        else:
            dx = y - probs                   # y - t
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
        where = "MeanSquaredError.forward"
        check_array(where, "x", x, min_ndim=1)
        check_batch(where, "x", x)
        if isinstance(t, np.ndarray) and t.shape != x.shape and x.ndim == 2:
            labels = check_labels(where, t, x.shape[0], x.shape[1])
            t = np.zeros_like(x)
            t[np.arange(x.shape[0]), labels] = 1
        if not isinstance(t, np.ndarray) or t.shape != x.shape:
            raise ValueError(
                "MeanSquaredError.forward: 't' must have the shape of x "
                f"{x.shape} or be int labels; got "
                f"{getattr(t, 'shape', type(t).__name__)}.")
        diff = x - t.astype(x.dtype, copy=False)  # no silent upcast
        self._cache = diff
        return float(0.5 * np.sum(diff * diff) / x.shape[0])

    def backward(self, dout=1.0):
        diff = self._require_cache()
        _check_scalar_dout("MeanSquaredError.backward", dout)
        return diff * (np.asarray(dout, dtype=diff.dtype) / diff.shape[0])
