"""Fully connected (dense) layer."""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_batch, error, shape_str
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
        D = W.shape[0]
        check_array("Affine.forward", "x", x)
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != D:
            # one sample given without its batch axis: say how to add it
            hint = (f"One sample? Give it a batch axis: x[None] has shape "
                    f"(1, {D})." if x.shape == (D,) else None)
            raise error("Affine.forward", "x", f"of shape (N, {D}), or (N, ...)"
                        f" with {D} values per sample, to match W "
                        f"{shape_str(W.shape)}", f"shape {shape_str(x.shape)}",
                        hint=hint)
        check_batch("Affine.forward", "x", x)
        x2 = x.reshape(x.shape[0], -1)
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
