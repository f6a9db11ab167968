"""Networks: a stack of layers ending in a loss layer."""

from __future__ import annotations

import numpy as np

from . import init as _init
from ._validation import as_rng, check_choice, check_int, error
from .layers import Affine, Layer, ReLU, Sigmoid, SoftmaxWithLoss, Tanh

__all__ = ["Sequential", "mlp", "ACTIVATIONS", "INITIALIZERS"]

ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}

INITIALIZERS = {
    "he": _init.he_normal,
    "xavier": _init.xavier_normal,
    "glorot": _init.glorot_normal,
    "he_uniform": _init.he_uniform,
    "xavier_uniform": _init.xavier_uniform,
    "glorot_uniform": _init.glorot_uniform,
}


class Sequential:
    r"""Layers applied in order, then a loss layer.

    Parameters
    ----------
    layers : list of Layer
        Map inputs to logits.
    loss : Layer, optional
        The loss layer, ``SoftmaxWithLoss()`` by default.
    penalty : object, optional
        A regularizer with ``loss(params) -> float`` and
        ``grad(params) -> dict`` (for example weight decay); its value is
        added to the data loss and its gradient to ``grads``.

    Notes
    -----
    ``params["0.W"]`` is the very array of layer 0's ``params["W"]``, so an
    optimizer updating in place updates the layers. ``grads`` is refreshed
    by :meth:`gradient`.
    """

    def __init__(self, layers, loss=None, penalty=None):
        layers = list(layers)
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise error("Sequential", f"layers[{i}]", "a Layer",
                            type(layer).__name__, kind=TypeError)
        self.layers = layers
        self.loss_layer = SoftmaxWithLoss() if loss is None else loss
        self.penalty = penalty

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers)
                for k, v in layer.params.items()}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        grads = {f"{i}.{k}": v for i, layer in enumerate(self.layers)
                 for k, v in layer.grads.items()}
        if self.penalty is not None:
            for k, g in self.penalty.grad(self.params).items():
                grads[k] = grads[k] + g
        return grads

    def forward(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, train=train)
        return x

    def predict(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """Logits for ``x`` (inference mode unless ``train=True``)."""
        return self.forward(x, train=train)

    def loss(self, x: np.ndarray, t: np.ndarray, train: bool = True) -> float:
        """Data loss (plus the penalty, if any) on the batch ``(x, t)``."""
        value = self.loss_layer.forward(self.forward(x, train=train), t)
        if self.penalty is not None:
            value += self.penalty.loss(self.params)
        return value

    def backward(self, dout=1.0) -> np.ndarray:
        d = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            d = layer.backward(d)
        return d

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict:
        """One training-mode forward and backward; returns ``grads``."""
        self.loss(x, t, train=True)
        self.backward()
        return self.grads

    def train_step(self, x, t) -> tuple[float, dict]:
        """Forward and backward in training mode; returns (loss, grads)."""
        value = self.loss(x, t, train=True)
        self.backward()
        return value, self.grads

    def accuracy(self, x: np.ndarray, t: np.ndarray,
                 batch_size: int = 2048) -> float:
        """Fraction of samples whose arg-max logit equals the label."""
        t = np.argmax(t, axis=1) if t.ndim == 2 else t
        correct = 0
        for i in range(0, x.shape[0], batch_size):
            logits = self.predict(x[i:i + batch_size])
            correct += int(np.sum(np.argmax(logits, axis=1)
                                  == t[i:i + batch_size]))
        return correct / max(x.shape[0], 1)

    def evaluate(self, x, t, batch_size: int = 2048) -> tuple[float, float]:
        """Mean data loss and accuracy in inference mode, batched."""
        labels = np.argmax(t, axis=1) if t.ndim == 2 else t
        total, correct = 0.0, 0
        for i in range(0, x.shape[0], batch_size):
            xb, tb = x[i:i + batch_size], labels[i:i + batch_size]
            logits = self.predict(xb)
            total += self.loss_layer.forward(logits, tb) * xb.shape[0]
            correct += int(np.sum(np.argmax(logits, axis=1) == tb))
        n = max(x.shape[0], 1)
        return total / n, correct / n

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n  {inner}\n], loss={self.loss_layer!r})"


def mlp(sizes, activation="relu", init="he", rng=None, dtype=np.float64,
        weight_std=None, loss=None, penalty=None, batchnorm=False,
        dropout=0.0, bn_momentum=0.9) -> Sequential:
    """Build ``Affine → (BatchNorm) → activation → (Dropout) → … → Affine``.

    ``sizes = [784, 100, 10]`` gives one hidden layer of 100 units.
    ``init`` names an initializer (``"he"``, ``"xavier"``, ``"glorot"``, …);
    ``weight_std`` (a number) overrides it with ``normal(std=weight_std)``.
    Biases start at zero. ``batchnorm=True`` puts a :class:`BatchNorm`
    (γ = 1, β = 0) between each hidden affine layer and its activation;
    ``dropout > 0`` adds an inverted :class:`Dropout` after each hidden
    activation, with masks drawn from a child of ``rng``.
    """
    sizes = [check_int("mlp", f"sizes[{i}]", s, low=1)
             for i, s in enumerate(sizes)]
    if len(sizes) < 2:
        raise error("mlp", "sizes", "at least [n_in, n_out]", sizes)
    check_choice("mlp", "activation", activation, tuple(ACTIVATIONS))
    if weight_std is None:
        check_choice("mlp", "init", init, tuple(INITIALIZERS))
    rng = as_rng(rng)
    init_rng, dropout_rng = rng.spawn(2)
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if weight_std is None:
            W = INITIALIZERS[init]((n_in, n_out), rng=init_rng, dtype=dtype)
        else:
            W = _init.normal((n_in, n_out), weight_std, rng=init_rng,
                             dtype=dtype)
        layers.append(Affine(W, np.zeros(n_out, dtype=dtype)))
        if i < len(sizes) - 2:
            if batchnorm:
                from .layers.normalization import BatchNorm

                layers.append(BatchNorm(np.ones(n_out, dtype=dtype),
                                        np.zeros(n_out, dtype=dtype),
                                        momentum=bn_momentum))
            layers.append(ACTIVATIONS[activation]())
            if dropout:
                from .layers.dropout import Dropout

                layers.append(Dropout(dropout, rng=dropout_rng.spawn(1)[0]))
    return Sequential(layers, loss=loss, penalty=penalty)
