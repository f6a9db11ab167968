"""Pure array math shared by layers, losses and the book: no state, no classes."""

from __future__ import annotations

import numpy as np

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
    """Int labels (N,) to one-hot rows (N, n_classes)."""
    out = np.zeros((t.shape[0], n_classes), dtype=dtype)
    out[np.arange(t.shape[0]), t] = 1
    return out


def cross_entropy(logits: np.ndarray, t: np.ndarray) -> float:
    r"""Mean cross-entropy :math:`-\frac1N\sum_n \log y_{n, t_n}` from logits.

    ``t`` holds int labels (N,). Uses :func:`log_softmax`, so it stays finite
    even when a probability would round to zero.
    """
    logp = log_softmax(logits)
    n = logits.shape[0]
    return float(-np.mean(logp[np.arange(n), t]))
