"""Element-wise activation layers."""

from __future__ import annotations

import numpy as np

from .._validation import check_array
from ..functional import sigmoid
from .base import Layer

__all__ = ["ACTIVATIONS", "ReLU", "Sigmoid", "Tanh"]


class ReLU(Layer):
    r"""Rectified linear unit :math:`\max(0, x)`; derivative 1 where x > 0.

    The derivative at exactly 0 is taken as 0, as in PyTorch. See Chapter 1.
    """

    #: (lower, upper) asymptotes of the output; None when unbounded above.
    output_range: tuple[float, float] | None = None

    def forward(self, x, train=True):
        check_array("ReLU.forward", "x", x)
        self._cache = x > 0
        # the int 0 keeps x's dtype; np.maximum is several times faster
        # than np.where(x > 0, x, 0) (no branch per element)
        return np.maximum(x, 0)

    def backward(self, dout):
        mask = self._require_cache()
        self._check_dout(dout, mask.shape)
        # dL/dx = dout * 1[x > 0]: a float times a bool keeps dout's dtype
        return np.multiply(dout, mask)


class Sigmoid(Layer):
    r"""Logistic sigmoid :math:`y = 1/(1 + e^{-x})`; :math:`dy/dx = y(1 - y)`.

    See Chapter 1.
    """

    output_range = (0.0, 1.0)

    def forward(self, x, train=True):
        check_array("Sigmoid.forward", "x", x)
        out = sigmoid(x)
        self._cache = out
        return out

    def backward(self, dout):
        out = self._require_cache()
        self._check_dout(dout, out.shape)
        return dout * out * (1 - out)


class Tanh(Layer):
    r"""Hyperbolic tangent :math:`y = \tanh x`; :math:`dy/dx = 1 - y^2`.

    See Chapter 1.
    """

    output_range = (-1.0, 1.0)

    def forward(self, x, train=True):
        check_array("Tanh.forward", "x", x)
        out = np.tanh(x)
        self._cache = out
        return out

    def backward(self, dout):
        out = self._require_cache()
        self._check_dout(dout, out.shape)
        return dout * (1 - out * out)


#: The one registry of activation layers by name, used by
#: :func:`course_lib.network.mlp` and :mod:`course_lib.diagnostics`.
ACTIVATIONS: dict[str, type[ReLU | Sigmoid | Tanh]] = {
    "relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}
