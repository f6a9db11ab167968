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

    def backward(self, dout=1.0, input_grad=True) -> np.ndarray | None:
        """Backpropagate from the loss; returns dL/dx for the network input.

        With ``input_grad=False`` a first layer that has
        ``backward_params`` (e.g. :class:`Affine`) fills its ``grads``
        without computing dx, and None is returned.
        """
        d = self.loss_layer.backward(dout)
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if i == 0 and not input_grad and hasattr(layer,
                                                      "backward_params"):
                layer.backward_params(d)
                return None
            d = layer.backward(d)
        return d

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict:
        """One training-mode forward and backward; returns ``grads``."""
        self.loss(x, t, train=True)
        self.backward(input_grad=False)
        return self.grads

    def train_step(self, x, t) -> tuple[float, dict]:
        """Forward and backward in training mode; returns (loss, grads)."""
        value = self.loss(x, t, train=True)
        self.backward(input_grad=False)
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


# ---------------------------------------------------------------------------
# Convolutional networks (Chapter 6)
# ---------------------------------------------------------------------------

__all__ += ["cnn", "fully_convolutional", "summary"]


def cnn(input_shape=(1, 8, 8), conv_filters=16, kernel_size=3, hidden=64,
        n_classes=10, rng=None, dtype=np.float64, pool=2, pad="same",
        init="he", loss=None, penalty=None) -> Sequential:
    """A small CNN: conv blocks, then dense layers.

    ``[Conv2D → ReLU → MaxPool2D] × k → Flatten → [Affine → ReLU] × m →
    Affine``, with k = ``len(conv_filters)`` and m = ``len(hidden)``.

    Parameters
    ----------
    input_shape : tuple (C, H, W)
        One sample, channels first; ``(1, 8, 8)`` for the digits.
    conv_filters : int or sequence of int
        Number of kernels F of each convolution block (one block per entry).
    kernel_size : int
        Kernels are ``kernel_size × kernel_size`` (and as deep as their
        input).
    hidden : int or sequence of int
        Widths of the dense hidden layers after flattening (``()`` for none).
    n_classes : int
        Width of the last dense layer (the logits).
    rng : Generator, int or None
        Draws the initial weights; biases start at zero.
    dtype : dtype, default float64
        float32 gives a float32 network end to end.
    pool : int or None, default 2
        Max-pooling window and stride after each convolution; ``None`` or
        1 skips pooling.
    pad : "same" or int, default "same"
        ``"same"`` pads ``(kernel_size - 1) // 2`` zeros, which keeps the
        size for odd kernels.
    init : str, default "he"
        An initializer name of :data:`INITIALIZERS`; conv fan-in is
        C·kh·kw.
    loss, penalty
        As in :class:`Sequential`.

    Returns
    -------
    Sequential
        Takes x of shape (N, C, H, W), works with :class:`Trainer`.

    Raises
    ------
    ValueError
        If a block would shrink the feature maps below one pixel.

    Notes
    -----
    ``cnn((1, 8, 8), 16, 3, 64)`` is conv(16 @ 3×3, pad 1) → ReLU → pool
    2×2 → 16×4×4 → dense 64 → ReLU → dense 10. In PyTorch:
    ``nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
    nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 64), nn.ReLU(),
    nn.Linear(64, 10))``. See Chapter 6.
    """
    from .layers import Conv2D, Flatten, MaxPool2D

    input_shape = tuple(check_int("cnn", f"input_shape[{i}]", s, low=1)
                        for i, s in enumerate(input_shape))
    if len(input_shape) != 3:
        raise error("cnn", "input_shape", "a (C, H, W) tuple",
                    repr(input_shape))
    filters = ([conv_filters] if isinstance(conv_filters, (int, np.integer))
               else list(conv_filters))
    filters = [check_int("cnn", f"conv_filters[{i}]", f, low=1)
               for i, f in enumerate(filters)]
    widths = ([hidden] if isinstance(hidden, (int, np.integer))
              else list(hidden))
    widths = [check_int("cnn", f"hidden[{i}]", h, low=1)
              for i, h in enumerate(widths)]
    k = check_int("cnn", "kernel_size", kernel_size, low=1)
    n_classes = check_int("cnn", "n_classes", n_classes, low=1)
    if pad == "same":
        pad = (k - 1) // 2
    pad = check_int("cnn", "pad", pad, low=0)
    pool = 1 if pool is None else check_int("cnn", "pool", pool, low=1)
    check_choice("cnn", "init", init, tuple(INITIALIZERS))
    (init_rng,) = as_rng(rng).spawn(1)
    layers: list[Layer] = []
    shape = (1,) + input_shape
    for F in filters:
        W = INITIALIZERS[init]((F, shape[1], k, k), rng=init_rng, dtype=dtype)
        conv = Conv2D(W, np.zeros(F, dtype=dtype), stride=1, pad=pad)
        shape = conv.output_shape(shape)
        layers += [conv, ReLU()]
        if pool > 1:
            pooling = MaxPool2D(pool, pool)
            shape = pooling.output_shape(shape)
            layers.append(pooling)
    layers.append(Flatten())
    n_in = int(np.prod(shape[1:]))
    for n_out in widths + [n_classes]:
        W = INITIALIZERS[init]((n_in, n_out), rng=init_rng, dtype=dtype)
        layers.append(Affine(W, np.zeros(n_out, dtype=dtype)))
        layers.append(ReLU())
        n_in = n_out
    layers.pop()  # no activation after the logits
    return Sequential(layers, loss=loss, penalty=penalty)


def summary(network, input_shape, dtype=np.float64) -> str:
    """A table of every layer's output shape and parameter count.

    Runs one inference-mode forward pass of ``zeros((1, *input_shape))``
    through ``network.layers`` (or a list of layers). Returns the table as
    a string (print it), ending with the total number of parameters. Like
    Keras's ``model.summary()``.
    """
    layers = getattr(network, "layers", network)
    x = np.zeros((1,) + tuple(input_shape), dtype=dtype)
    rows = [("#", "layer", "output shape", "params")]
    total = 0
    for i, layer in enumerate(layers):
        x = layer.forward(x, train=False)
        n = sum(int(p.size) for p in layer.params.values())
        total += n
        rows.append((str(i), repr(layer), str(tuple(x.shape[1:])), f"{n:,}"))
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    lines = ["  ".join(r[c].ljust(widths[c]) if c < 3 else
                       r[c].rjust(widths[c]) for c in range(4))
             for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.append(f"total parameters: {total:,}")
    return "\n".join(lines)


def fully_convolutional(network, input_shape) -> Sequential:
    """The same classifier with every dense layer turned into a convolution.

    The first :class:`Affine` after :class:`Flatten` becomes a convolution
    whose kernel covers the whole flattened volume; later ones become
    1 × 1 × D convolutions (:func:`course_lib.layers.conv.affine_to_conv2d`).
    On an input of ``input_shape`` the result equals the original logits,
    as maps of shape (N, K, 1, 1); on a larger input the network slides
    and returns (N, K, out_h, out_w), one prediction per window.

    Parameters
    ----------
    network : Sequential
        Built from Conv2D, MaxPool2D, element-wise activations, Dropout,
        one Flatten, and Affine layers (for example by :func:`cnn`).
    input_shape : tuple (C, H, W)
        The input size the network was trained on.

    Returns
    -------
    Sequential
        For inference (``predict``); it shares the convolution layers (and
        their weights) with ``network`` and copies the dense weights.

    Raises
    ------
    TypeError
        For a layer that is not position-wise (e.g. a 1-D BatchNorm).

    Notes
    -----
    See Chapter 6.
    """
    from .layers import Conv2D, Flatten, MaxPool2D
    from .layers.conv import affine_to_conv2d

    x = np.zeros((1,) + tuple(input_shape))
    layers: list[Layer] = []
    for i, layer in enumerate(network.layers):
        if isinstance(layer, Flatten):
            continue
        if isinstance(layer, Affine):
            layer = affine_to_conv2d(layer, x.shape[1:])
            x = x.astype(layer.params["W"].dtype)
        elif not (isinstance(layer, (Conv2D, MaxPool2D, ReLU, Sigmoid, Tanh))
                  or type(layer).__name__ == "Dropout"):
            raise error("fully_convolutional", f"network.layers[{i}]",
                        "a Conv2D, MaxPool2D, Flatten, Affine, Dropout or "
                        "element-wise activation", type(layer).__name__,
                        kind=TypeError)
        x = layer.forward(x, train=False)
        layers.append(layer)
    return Sequential(layers, loss=network.loss_layer)
