"""Networks: a stack of layers ending in a loss layer."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import init as _init
from ._validation import (
    as_rng,
    check_array,
    check_batch,
    check_choice,
    check_int,
    check_labels,
    error,
    shape_str,
)
from .init import INITIALIZERS
from .layers import (
    ACTIVATIONS,
    ActivityRegularization,
    Affine,
    BatchNorm,
    Conv2D,
    Dropout,
    Flatten,
    Layer,
    MaxPool2D,
    ReLU,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)
from .layers.conv import affine_to_conv2d

# ACTIVATIONS and INITIALIZERS live in course_lib.layers and course_lib.init;
# they are re-exported here because mlp and cnn take their names.
__all__ = ["ACTIVATIONS", "INITIALIZERS", "Sequential", "mlp"]


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
    optimizer updating in place updates the layers; ``buffers`` does the
    same for the layers' buffers (``"1.running_mean"``). ``grads`` is
    refreshed by :meth:`gradient`. :meth:`state_dict` and
    :meth:`load_state_dict` save and restore both, like PyTorch's methods
    of the same names.
    """

    def __init__(self, layers, loss=None, penalty=None):
        layers = list(layers)
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise error("Sequential", f"layers[{i}]", "a Layer",
                            type(layer).__name__, kind=TypeError)
        if loss is not None and not isinstance(loss, Layer):
            raise error("Sequential", "loss", "a loss Layer or None",
                        type(loss).__name__, kind=TypeError)
        self.layers = layers
        self.loss_layer = SoftmaxWithLoss() if loss is None else loss
        self.penalty = penalty

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers)
                for k, v in layer.params.items()}

    @property
    def buffers(self) -> dict[str, np.ndarray]:
        """The layers' buffers (not learned), named like ``params``."""
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers)
                for k, v in layer.buffers.items()}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        grads = {f"{i}.{k}": v for i, layer in enumerate(self.layers)
                 for k, v in layer.grads.items()}
        if self.penalty is not None:
            for k, g in self.penalty.grad(self.params).items():
                grads[k] = grads[k] + g
        return grads

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer, e.g. ``{"0.W": ...,
        "1.running_mean": ...}``; later training does not change them."""
        return {k: v.copy() for k, v in {**self.params,
                                         **self.buffers}.items()}

    def load_state_dict(self, state) -> None:
        """Copy ``state`` (from :meth:`state_dict`) into the network in place.

        The keys must be exactly those of :meth:`state_dict` and every
        shape must match; nothing is copied unless all do. The values are
        written into the existing arrays (never rebound), so an optimizer
        or a view holding them keeps working.

        Raises
        ------
        TypeError
            If ``state`` is not a mapping or a value cannot be cast to the
            array's dtype.
        ValueError
            For missing or unexpected keys, or a shape that differs.
        """
        where = "Sequential.load_state_dict"
        if not isinstance(state, Mapping):
            raise error(where, "state", "a dict from state_dict()",
                        type(state).__name__, kind=TypeError)
        targets = {**self.params, **self.buffers}
        missing = sorted(set(targets) - set(state))
        extra = sorted(set(state) - set(targets))
        if missing or extra:
            got = "; ".join(part for part in (
                f"missing {missing}" if missing else "",
                f"unexpected {extra}" if extra else "") if part)
            raise error(where, "state", "a dict with the keys of "
                        "state_dict()", got)
        values = {}
        for k, dst in targets.items():
            v = np.asarray(state[k])
            if v.shape != dst.shape:
                raise ValueError(
                    f"{where}: state[{k!r}] must have the shape of the "
                    f"network's {k!r}, {shape_str(dst.shape)}; got shape "
                    f"{shape_str(v.shape)}.")
            if not np.can_cast(v.dtype, dst.dtype, casting="same_kind"):
                raise TypeError(
                    f"{where}: state[{k!r}] must be castable to the "
                    f"network's {dst.dtype}; got dtype {v.dtype}.")
            values[k] = v
        for k, dst in targets.items():
            np.copyto(dst, values[k], casting="same_kind")

    def forward(self, x: np.ndarray, train: bool = True) -> np.ndarray:
        """The layers' output for ``x``; ``train`` as in every layer."""
        check_array("Sequential.forward", "x", x, min_ndim=1)
        check_batch("Sequential.forward", "x", x)
        for layer in self.layers:
            x = layer.forward(x, train=train)
        return x

    def predict(self, x: np.ndarray, train: bool = False) -> np.ndarray:
        """Logits for ``x`` (inference mode unless ``train=True``)."""
        return self.forward(x, train=train)

    def loss(self, x: np.ndarray, t: np.ndarray, train: bool = True) -> float:
        """Data loss on the batch ``(x, t)``, plus the weight penalty and
        the activity penalties of this forward pass, if any."""
        value = self.loss_layer.forward(self.forward(x, train=train), t)
        if self.penalty is not None:
            value += self.penalty.loss(self.params)
        for layer in self.layers:
            if isinstance(layer, ActivityRegularization):
                value += layer.penalty()    # its backward adds the gradient
        return value

    def backward(self, dout=1.0, input_grad=True) -> np.ndarray | None:
        """Backpropagate from the loss; returns dL/dx for the network input.

        With ``input_grad=False`` a first :class:`Affine` layer fills its
        ``grads`` without computing dx (nobody needs the gradient of the
        data), and None is returned.
        """
        d = self.loss_layer.backward(dout)
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if i == 0 and not input_grad and isinstance(layer, Affine):
                layer.backward_params(d)
                return None
            d = layer.backward(d)
        return d

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict:
        """One training-mode forward and backward; returns ``grads``."""
        return self.train_step(x, t)[1]

    def train_step(self, x, t) -> tuple[float, dict]:
        """Forward and backward in training mode; returns (loss, grads)."""
        value = self.loss(x, t, train=True)
        self.backward(input_grad=False)
        return value, self.grads

    def accuracy(self, x: np.ndarray, t: np.ndarray,
                 batch_size: int = 2048) -> float:
        """Fraction of samples whose arg-max logit equals the label.

        ``t`` holds int labels (N,) or one-hot rows (N, K); the labels are
        checked as in :meth:`evaluate`, which this reads.
        """
        return self._evaluate("Sequential.accuracy", x, t, batch_size)[1]

    def evaluate(self, x, t, batch_size: int = 2048) -> tuple[float, float]:
        """Mean data loss and accuracy in inference mode, batched.

        Raises
        ------
        ValueError
            For an empty batch, ``t`` without one label (or row) per sample
            of ``x``, or labels outside [0, K − 1] for K logits.
        """
        return self._evaluate("Sequential.evaluate", x, t, batch_size)

    def _evaluate(self, where, x, t, batch_size) -> tuple[float, float]:
        check_array(where, "x", x, min_ndim=1)
        check_batch(where, "x", x)
        batch_size = check_int(where, "batch_size", batch_size, low=1)
        if not isinstance(t, np.ndarray):
            raise error(where, "t", "a numpy.ndarray of labels",
                        type(t).__name__, kind=TypeError)
        if t.ndim not in (1, 2) or t.shape[0] != x.shape[0]:
            raise error(where, "t", f"one label per sample of x: shape "
                        f"({x.shape[0]},) or ({x.shape[0]}, K)",
                        f"shape {shape_str(t.shape)}")
        n = x.shape[0]
        total, correct = 0.0, 0
        for i in range(0, n, batch_size):
            xb, tb = x[i:i + batch_size], t[i:i + batch_size]
            logits = self.predict(xb)
            check_array(where, "logits", logits, ndim=2)
            labels = check_labels(where, tb, *logits.shape)
            total += self.loss_layer.forward(logits, tb) * xb.shape[0]
            correct += int(np.sum(np.argmax(logits, axis=1) == labels))
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
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if weight_std is None:
            W = INITIALIZERS[init]((n_in, n_out), rng=init_rng, dtype=dtype)
        else:
            W = _init.normal((n_in, n_out), weight_std, rng=init_rng,
                             dtype=dtype)
        layers.append(Affine(W, np.zeros(n_out, dtype=dtype)))
        if i < len(sizes) - 2:
            if batchnorm:
                layers.append(BatchNorm(np.ones(n_out, dtype=dtype),
                                        np.zeros(n_out, dtype=dtype),
                                        momentum=bn_momentum))
            layers.append(ACTIVATIONS[activation]())
            if dropout:
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
    for n_out in [*widths, int(n_classes)]:
        W = INITIALIZERS[init]((n_in, n_out), rng=init_rng, dtype=dtype)
        layers.append(Affine(W, np.zeros(n_out, dtype=dtype)))
        layers.append(ReLU())
        n_in = int(n_out)
    layers.pop()  # no activation after the logits
    return Sequential(layers, loss=loss, penalty=penalty)


def summary(network, input_shape, dtype=np.float64) -> str:
    """A table of every layer's output shape and parameter count.

    Runs one inference-mode forward pass of ``zeros((1, *input_shape))``
    through ``network.layers`` (or a list of layers). Returns the table as
    a string (print it), ending with the total number of parameters. Like
    Keras's ``model.summary()``.
    """
    layers = network.layers if isinstance(network, Sequential) else network
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
    x = np.zeros((1,) + tuple(input_shape))
    layers: list[Layer] = []
    for i, layer in enumerate(network.layers):
        if isinstance(layer, Flatten):
            continue
        if isinstance(layer, Affine):
            layer = affine_to_conv2d(layer, x.shape[1:])
            x = x.astype(layer.params["W"].dtype)
        elif not isinstance(layer, (Conv2D, MaxPool2D, ReLU, Sigmoid, Tanh,
                                    Dropout)):
            raise error("fully_convolutional", f"network.layers[{i}]",
                        "a Conv2D, MaxPool2D, Flatten, Affine, Dropout or "
                        "element-wise activation", type(layer).__name__,
                        kind=TypeError)
        x = layer.forward(x, train=False)
        layers.append(layer)
    return Sequential(layers, loss=network.loss_layer)
