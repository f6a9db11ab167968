"""Fully connected (dense) layer."""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_batch, shape_str
from .base import Layer

__all__ = ["Affine"]


class Affine(Layer):
    r"""Fully connected layer :math:`\mathrm{out} = xW + b`.

    Parameters
    ----------
    W : ndarray (D, M)
        Weights; stored as given, so ``layer.params["W"] is W``.
    b : ndarray (M,)
        Biases.

    Notes
    -----
    ``x`` of shape (N, D) or (N, ...) whose trailing axes flatten to D.
    Backward: :math:`dW = x^\top dout`, :math:`db = \sum_n dout_n`,
    :math:`dx = dout\, W^\top`. PyTorch's ``nn.Linear`` stores the transpose.
    See Chapter 1.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray):
        super().__init__()
        check_array("Affine", "W", W, ndim=2)
        check_array("Affine", "b", b, ndim=1)
        if b.shape[0] != W.shape[1]:
            raise ValueError(
                f"Affine: 'b' must have shape ({W.shape[1]},) to match W "
                f"{shape_str(W.shape)}; got {shape_str(b.shape)}.")
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}

    def forward(self, x, train=True):
        W, b = self.params["W"], self.params["b"]
        check_array("Affine.forward", "x", x, min_ndim=2)
        check_batch("Affine.forward", "x", x)
        x2 = x.reshape(x.shape[0], -1)
        if x2.shape[1] != W.shape[0]:
            hint = ("did you mean to reshape one sample to (1, "
                    f"{x.shape[0]})?" if x.ndim == 1 else None)
            raise ValueError(
                f"Affine.forward: x must have shape (N, {W.shape[0]}) to match "
                f"W {shape_str(W.shape)}; got {shape_str(x.shape)}."
                + (f" {hint}" if hint else ""))
        self._cache = (x2, x.shape)
        out = x2 @ W
        out += b  # in place: one pass fewer than x2 @ W + b
        return out

    def backward(self, dout):
        self.backward_params(dout)
        x2, x_shape = self._cache
        return (dout @ self.params["W"].T).reshape(x_shape)

    def backward_params(self, dout) -> None:
        """Fill ``grads`` only; skip dx, which nobody needs for a first layer.

        :class:`~course_lib.network.Sequential` calls this on its first
        layer during training, whose input is data (PyTorch likewise skips
        the gradient of an input that does not require one).
        """
        x2, _ = self._require_cache()
        self._check_dout(dout, (x2.shape[0], self.params["W"].shape[1]))
        self.grads["W"] = x2.T @ dout
        self.grads["b"] = dout.sum(axis=0)

    def __repr__(self):
        D, M = self.params["W"].shape
        return f"Affine(D={D}, M={M})"
