"""Pure array math shared by layers, losses and the book: no state, no classes."""

from __future__ import annotations

import numpy as np

from ._validation import (
    check_array,
    check_batch,
    check_int,
    check_labels,
    check_targets,
)

__all__ = [
    "cross_entropy",
    "log_softmax",
    "one_hot",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


def sigmoid(x: np.ndarray) -> np.ndarray:
    r"""Logistic function :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    Written as :math:`\tfrac12(1 + \tanh(x/2))`, which never overflows.
    """
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def relu(x: np.ndarray) -> np.ndarray:
    r"""Rectified linear unit :math:`\max(0, x)`."""
    return np.maximum(x, 0)


def tanh(x: np.ndarray) -> np.ndarray:
    r"""Hyperbolic tangent :math:`(e^x - e^{-x}) / (e^x + e^{-x})`."""
    return np.tanh(x)


def log_softmax(x: np.ndarray) -> np.ndarray:
    r"""Row-wise :math:`\log \mathrm{softmax}(x)_k = x_k - m - \log\sum_j e^{x_j - m}`.

    Subtracting the row maximum :math:`m` keeps every exponent :math:`\le 0`.
    """
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def softmax(x: np.ndarray) -> np.ndarray:
    r"""Row-wise :math:`y_k = e^{x_k} / \sum_j e^{x_j}`, stable for any finite x."""
    shifted = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def one_hot(t: np.ndarray, n_classes: int, dtype=np.float64) -> np.ndarray:
    r"""Int labels (N,) to one-hot rows (N, K): :math:`T_{nk} = [t_n = k]`.

    Raises ``ValueError`` for labels outside [0, K − 1] (−1 does not wrap
    to the last class) or non-integral values, ``TypeError`` for a
    non-numeric ``t``. PyTorch: ``nn.functional.one_hot(t, K)``.
    """
    n_classes = check_int("one_hot", "n_classes", n_classes, low=1)
    check_array("one_hot", "t", t, ndim=1, dtype_kind=None)
    labels = check_labels("one_hot", t, t.shape[0], n_classes)
    out = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    out[np.arange(labels.shape[0]), labels] = 1
    return out


def cross_entropy(logits: np.ndarray, t: np.ndarray) -> float:
    r"""Mean cross-entropy from logits :math:`x` (N, K).

    .. math::

        \begin{gathered}
        L = -\frac1N\sum_n \log y_{n, t_n} \quad\text{(int labels)}, \\
        L = -\frac1N\sum_n\sum_k t_{nk}\log y_{nk} \\
        \text{(probability rows)}
        \end{gathered}

    with :math:`y = \mathrm{softmax}(x)`. ``t`` holds int labels (N,) in
    [0, K − 1] or rows of class probabilities (N, K), as PyTorch's
    ``nn.functional.cross_entropy``. Uses :func:`log_softmax`, so it stays
    finite even when a probability would round to zero.

    Raises
    ------
    ValueError
        For labels out of range or not integral, rows that are not
        probabilities, an empty batch or shapes that do not match.
    """
    where = "cross_entropy"
    check_array(where, "logits", logits, ndim=2)
    check_batch(where, "logits", logits)
    labels, probs = check_targets(where, t, *logits.shape)
    logp = log_softmax(logits)
    n = logits.shape[0]
    if labels is not None:
        return float(-np.mean(logp[np.arange(n), labels]))
    return float(-np.sum(probs * logp) / n)
