"""Shape-only layers."""

from __future__ import annotations

from .._validation import check_array
from .base import Layer

__all__ = ["Flatten"]


class Flatten(Layer):
    """(N, ...) → (N, D) in forward and back to (N, ...) in backward."""

    def forward(self, x, train=True):
        check_array("Flatten.forward", "x", x, min_ndim=1, dtype_kind=None)
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        shape = self._require_cache()
        return dout.reshape(shape)
