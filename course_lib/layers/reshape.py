"""Shape-only layers."""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_batch
from .base import Layer

__all__ = ["Flatten"]


class Flatten(Layer):
    r"""(N, ...) → (N, D) in forward and back to (N, ...) in backward.

    :math:`D` is the product of the trailing axes of ``x``; the backward
    pass only reshapes ``dout`` (N, D) back to the input's shape.
    PyTorch: ``nn.Flatten()``. See Chapter 6.
    """

    def forward(self, x, train=True):
        check_array("Flatten.forward", "x", x, min_ndim=1, dtype_kind=None)
        check_batch("Flatten.forward", "x", x)
        self._cache = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout):
        shape = self._require_cache()
        self._check_dout(dout, (shape[0], int(np.prod(shape[1:]))))
        return dout.reshape(shape)
