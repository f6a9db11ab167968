"""The layer protocol every building block of a network follows."""

from __future__ import annotations

import numpy as np

from .._validation import shape_str

__all__ = ["Layer"]


class Layer:
    """Base class: ``params``/``grads`` dicts, ``forward`` and ``backward``.

    Subclasses keep ``forward(x, train=True)`` and ``backward(dout)`` side by
    side, cache what ``backward`` needs, never modify ``x`` or ``dout`` and
    overwrite ``grads`` on every backward pass.

    Attributes
    ----------
    params, grads : dict of ndarray
        Learned parameters and their gradients, with the same keys.
    buffers : dict of ndarray
        State that is saved with the parameters but not learned by
        gradient descent (BatchNorm's running estimates); no optimizer
        touches it. Empty for most layers.
    """

    def __init__(self):
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self._cache = None

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        return self.forward(x, train=train)

    def _require_cache(self):
        if self._cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward: called before forward; run "
                "forward(x, train=True) on the same batch first.")
        return self._cache

    def _check_dout(self, dout, expected_shape) -> None:
        if not isinstance(dout, np.ndarray) or dout.shape != tuple(
                expected_shape):
            got = (f"shape {shape_str(dout.shape)}"
                   if isinstance(dout, np.ndarray) else type(dout).__name__)
            raise ValueError(
                f"{type(self).__name__}.backward: 'dout' must have the shape "
                f"of the forward output {shape_str(expected_shape)}; got {got}.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
