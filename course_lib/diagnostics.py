r"""Activation statistics: how a signal changes as it flows through layers.

:func:`forward_activations` pushes a batch through a stack of
``Affine → activation`` layers (no biases, as in the classic experiment of
1,000 Gaussian inputs through 5 layers of 100 units) and keeps every layer's
output; :func:`activation_stats` summarizes each layer by its mean, standard
deviation, fraction of saturated units and fraction of zeros;
:func:`backward_gradients` sends a gradient back through the same layers.
Two training callbacks watch the weights: :class:`WeightRecorder` keeps
copies of chosen weights, :class:`UpdateRatio` the relative size of every
update. See Chapters 1, 3 and 7.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import init as _init
from ._validation import (
    as_rng,
    check_array,
    check_choice,
    check_finite_number,
    check_int,
    error,
    shape_str,
)
from .layers import ACTIVATIONS, Affine, BatchNorm, Layer
from .regularization._keys import check_keys, select_keys
from .trainer import Callback

__all__ = [
    "ACTIVATION_RANGES",
    "Activations",
    "UpdateRatio",
    "WeightRecorder",
    "activation_stats",
    "backward_gradients",
    "format_stats",
    "forward_activations",
    "init_std",
]

#: The asymptotes (lower, upper) of each bounded activation of
#: :data:`course_lib.layers.ACTIVATIONS`; ReLU has none (None).
ACTIVATION_RANGES = {name: cls.output_range
                     for name, cls in ACTIVATIONS.items()}

#: Initializer names accepted by :func:`forward_activations`: the registry
#: :data:`course_lib.init.INITIALIZERS` itself.
INIT_NAMES = _init.INITIALIZERS


class Activations(list):
    """The outputs of every layer (a list of (N, width) arrays), plus context.

    Attributes
    ----------
    activation : str
        ``"sigmoid"``, ``"tanh"`` or ``"relu"``.
    init : str
        A readable description of the initialization (``"std=0.01"``,
        ``"xavier"``, ...).
    weights : list of ndarray
        The weight matrix of each layer.
    preactivations : list of ndarray
        Each layer's input to its activation function, :math:`a = xW`.
    layers : list of Layer
        The ``Affine`` and activation layers, in order (their caches hold the
        last forward pass, so :func:`backward_gradients` can run).
    """

    def __init__(self, outputs, activation, init, weights, preactivations,
                 layers):
        super().__init__(outputs)
        self.activation = activation
        self.init = init
        self.weights = weights
        self.preactivations = preactivations
        self.layers = layers

    def __repr__(self):
        shapes = ", ".join(shape_str(a.shape) for a in self)
        return (f"Activations({len(self)} layers {shapes}, "
                f"activation={self.activation!r}, init={self.init!r})")


def init_std(init, fan_in: int, fan_out: int | None = None) -> float:
    r"""The standard deviation an initialization gives a weight.

    ``init`` is a number (the std itself) or a name of
    :data:`course_lib.init.INITIALIZERS` (``"xavier"``, ``"glorot"``,
    ``"he"`` and their uniform variants, which have the same std), whose
    std is :func:`course_lib.init.std_for`. ``fan_out`` defaults to
    ``fan_in`` (square layers).
    """
    fan_in = check_int("init_std", "fan_in", fan_in, low=1)
    fan_out = fan_in if fan_out is None else check_int(
        "init_std", "fan_out", fan_out, low=1)
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        return check_finite_number("init_std", "init", init, low=0.0)
    check_choice("init_std", "init", init, tuple(INIT_NAMES))
    return _init.std_for(init, fan_in, fan_out)


def _weights(init, shape, rng, dtype):
    if callable(init):
        W = init(shape, rng=rng, dtype=dtype)
        if not isinstance(W, np.ndarray) or W.shape != shape:
            raise error("forward_activations", "init(shape, rng, dtype)",
                        f"an array of shape {shape_str(shape)}",
                        type(W).__name__ if not isinstance(W, np.ndarray)
                        else f"shape {shape_str(W.shape)}", kind=TypeError)
        return W.astype(dtype, copy=False)
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        return _init.normal(shape, init, rng=rng, dtype=dtype)
    return INIT_NAMES[init](shape, rng=rng, dtype=dtype)


def forward_activations(x, n_layers=5, width=100, activation="sigmoid",
                        init="xavier", rng=None,
                        batchnorm=False) -> Activations:
    r"""Push ``x`` through ``n_layers`` layers and keep every layer's output.

    Layer :math:`l` computes

    .. math::

        \begin{aligned}
        a^{(l)} &= z^{(l-1)} W^{(l)}, \\
        z^{(l)} &= h(a^{(l)}), \qquad z^{(0)} = x,
        \end{aligned}

    with no bias, :math:`h` the activation and every :math:`W^{(l)}` drawn
    by the same initialization.

    Parameters
    ----------
    x : ndarray (N, D)
        The input batch (e.g. ``rng.standard_normal((1000, 100))``); its
        dtype is kept.
    n_layers : int, default 5
        Number of ``Affine → activation`` layers.
    width : int, default 100
        Units per layer; the first weight is (D, width), the others
        (width, width).
    activation : {"sigmoid", "tanh", "relu"}
    init : float, str or callable, default "xavier"
        A number is the std of Gaussian weights :math:`\mathcal N(0,
        \mathrm{std}^2)`; a name is one of ``"xavier"``
        (:math:`1/\sqrt{n_\mathrm{in}}`), ``"glorot"``, ``"he"``
        (:math:`\sqrt{2/n_\mathrm{in}}`) or their ``"_uniform"`` variants;
        a callable is called as ``init(shape, rng=rng, dtype=dtype)``.
    rng : Generator, int or None
        Draws the weights, layer by layer.
    batchnorm : bool, default False
        Insert a :class:`~course_lib.layers.BatchNorm` (γ = 1, β = 0,
        training mode) before each activation (Chapter 4).

    Returns
    -------
    Activations
        A list of ``n_layers`` arrays of shape (N, width), with the
        weights, pre-activations and layers as attributes.

    Raises
    ------
    TypeError
        If ``x`` is not a floating-point ndarray.
    ValueError
        If ``x`` is not 2-D, ``n_layers``/``width`` is not a positive int,
        or ``activation``/``init`` is not one of the names above, or a std
        is negative.

    Notes
    -----
    In PyTorch: ``nn.Sequential(*[nn.Linear(n, n, bias=False), nn.Sigmoid()]
    * 5)`` after ``nn.init.normal_(w, std=...)``, with forward hooks that
    store each output. See Chapter 3.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> acts = forward_activations(rng.standard_normal((1000, 100)),
    ...                            activation="relu", init=0.01, rng=rng)
    >>> [f"{a.mean():.1e}" for a in acts][:2]
    ['4.0e-02', '2.8e-03']
    """
    where = "forward_activations"
    check_array(where, "x", x, ndim=2)
    n_layers = check_int(where, "n_layers", n_layers, low=1)
    width = check_int(where, "width", width, low=1)
    check_choice(where, "activation", activation, tuple(ACTIVATIONS))
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        std = check_finite_number(where, "init", init, low=0.0)
        label = f"std={std:g}"
    elif callable(init):
        label = getattr(init, "__name__", "custom")
    else:
        check_choice(where, "init", init, tuple(INIT_NAMES))
        label = init
    rng = as_rng(rng)
    outputs, weights, pre = [], [], []
    layers: list[Layer] = []
    z = x
    for _ in range(n_layers):
        W = _weights(init, (z.shape[1], width), rng, x.dtype)
        affine = Affine(W, np.zeros(width, dtype=x.dtype))
        a = affine.forward(z)
        layers.append(affine)
        if batchnorm:
            bn = BatchNorm(np.ones(width, dtype=x.dtype),
                           np.zeros(width, dtype=x.dtype))
            a = bn.forward(a, train=True)
            layers.append(bn)
        act = ACTIVATIONS[activation]()
        z = act.forward(a)
        layers.append(act)
        weights.append(W)
        pre.append(a)
        outputs.append(z)
    return Activations(outputs, activation, label, weights, pre, layers)


def backward_gradients(acts: Activations, dout=None, rng=None) -> list:
    r"""Send a gradient back through the layers of :func:`forward_activations`.

    Returns :math:`\partial L/\partial W^{(l)}` for every layer,
    first layer first, where the upstream gradient at the last output is
    ``dout`` (default: standard normal, drawn from ``rng``) — as if a loss
    sat on top. Their sizes show whether gradients vanish on the way down.

    Parameters
    ----------
    acts : Activations
        The result of :func:`forward_activations` (its layers hold the
        forward caches).
    dout : ndarray (N, width), optional
    rng : Generator, int or None

    Returns
    -------
    list of ndarray
        ``dW`` of each layer, shaped like its weight.

    Raises
    ------
    TypeError
        If ``acts`` did not come from :func:`forward_activations`.
    ValueError
        If ``dout`` does not have the shape of the last output.

    Notes
    -----
    See Chapter 3.
    """
    where = "backward_gradients"
    if not isinstance(acts, Activations):
        raise error(where, "acts", "the result of forward_activations",
                    type(acts).__name__, kind=TypeError)
    last = acts[-1]
    if dout is None:
        dout = as_rng(rng).standard_normal(last.shape).astype(last.dtype)
    check_array(where, "dout", dout, ndim=2)
    if dout.shape != last.shape:
        raise error(where, "dout", f"shape {shape_str(last.shape)} (the last "
                    "layer's output)", f"shape {shape_str(dout.shape)}")
    grads = []
    d = dout
    for layer in reversed(acts.layers):
        d = layer.backward(d)
        if isinstance(layer, Affine):
            grads.append(layer.grads["W"])
    return grads[::-1]


def activation_stats(acts, activation=None, eps=0.02) -> dict:
    r"""Per-layer mean, std, fraction saturated and fraction of zeros.

    For the outputs :math:`z^{(l)}` of layer :math:`l` (all samples and
    units together):

    .. math::

        \begin{gathered}
        \mu_l = \operatorname{mean}(z^{(l)}), \quad
        \sigma_l = \operatorname{std}(z^{(l)}), \\
        s_l = \frac{\#\{\text{within } \varepsilon (u - v)
        \text{ of } u \text{ or } v\}}{N\cdot M},
        \end{gathered}

    where :math:`(v, u)` are the asymptotes of the activation: (0, 1) for
    the sigmoid, (−1, 1) for tanh. With the default
    :math:`\varepsilon = 0.02` a saturated sigmoid unit has
    :math:`|a| > 3.9` and passes back less than 8 % of the largest
    possible local gradient (:math:`\sigma'(a) < 0.0196` against 0.25; for
    tanh :math:`1 - z^2 < 0.078` against 1).

    Parameters
    ----------
    acts : sequence of ndarray
        One array per layer (an :class:`Activations` or any list of arrays
        with the samples on the first axis).
    activation : {"sigmoid", "tanh", "relu"}, optional
        Which asymptotes define saturation; taken from ``acts.activation``
        when ``acts`` is an :class:`Activations`.
    eps : float, default 0.02
        Saturation threshold as a fraction of the output range, in (0, 0.5).

    Returns
    -------
    dict of ndarray, each of shape (n_layers,)
        ``"layer"`` (1-based), ``"mean"``, ``"std"``,
        ``"saturated"`` (fraction of outputs near an asymptote; always 0 for
        ReLU, which has none), ``"zero"`` (fraction of outputs exactly 0:
        for ReLU the units that pass no gradient for that sample), and
        ``"dead_units"`` (fraction of units that are 0 for *every* sample
        of the batch: dead ReLUs), and ``"input_share"``, the share of the
        layer's variance that changes with the input,
        :math:`\overline{\operatorname{Var}_n z_{nj}} /
        \operatorname{Var}(z)` (the rest are fixed per-unit offsets; NaN
        when the variance is 0).

    Raises
    ------
    TypeError
        If an element of ``acts`` is not a floating-point ndarray.
    ValueError
        If ``acts`` is empty, ``activation`` is unknown or missing, or
        ``eps`` is outside (0, 0.5).

    Notes
    -----
    In PyTorch, collect outputs with ``register_forward_hook`` and call
    ``.mean()``/``.std()``; Keras users read them from a sub-model.
    The std is the population std (``ddof=0``), like ``numpy.std``.
    See Chapter 3.
    """
    where = "activation_stats"
    if activation is None:
        activation = getattr(acts, "activation", None)
    if activation is None:
        raise error(where, "activation", "one of 'sigmoid', 'tanh', 'relu' "
                    "(needed to define saturation)", None, kind=TypeError)
    check_choice(where, "activation", activation, tuple(ACTIVATION_RANGES))
    eps = check_finite_number(where, "eps", eps, 0.0, 0.5, low_open=True,
                              high_open=True)
    acts = list(acts)
    if not acts:
        raise error(where, "acts", "a non-empty list of arrays", "[]")
    for i, a in enumerate(acts):
        check_array(where, f"acts[{i}]", a, min_ndim=1)
    bounds = ACTIVATION_RANGES[activation]
    out: dict[str, np.ndarray] = {k: np.empty(len(acts)) for k in
           ("mean", "std", "saturated", "zero", "dead_units",
            "input_share")}
    out["layer"] = np.arange(1, len(acts) + 1)
    for i, a in enumerate(acts):
        a64 = a.astype(np.float64, copy=False)
        out["mean"][i] = a64.mean()
        out["std"][i] = a64.std()
        if bounds is None:
            out["saturated"][i] = 0.0
        else:
            lo, hi = bounds
            margin = eps * (hi - lo)
            out["saturated"][i] = np.mean((a64 <= lo + margin)
                                          | (a64 >= hi - margin))
        zero = a == 0
        out["zero"][i] = zero.mean()
        units = zero.reshape(zero.shape[0], -1)
        out["dead_units"][i] = np.all(units, axis=0).mean()
        flat = a64.reshape(a64.shape[0], -1)
        total = flat.var()
        out["input_share"][i] = (flat.var(axis=0).mean() / total
                                 if total > 0 else np.nan)
    return out


def format_stats(stats: dict, reference=None, reference_name="seed",
                 columns=("mean", "std", "saturated", "zero")) -> str:
    """The statistics of :func:`activation_stats` as an aligned text table.

    ``reference`` (optional) is a sequence of per-layer means printed in
    an extra column ``reference_name`` beside ours.
    """
    header = ["layer"] + list(columns)
    if reference is not None:
        reference = list(reference)
        header.insert(2 if "mean" in columns else 1, reference_name)
    rows = [header]
    for i, layer in enumerate(stats["layer"]):
        row = [str(int(layer))]
        for c in columns:
            v = stats[c][i]
            row.append(f"{v:.3g}" if c in ("mean", "std") else
                       "—" if np.isnan(v) else f"{v:.1%}")
        if reference is not None:
            ref = reference[i] if i < len(reference) else float("nan")
            row.insert(header.index(reference_name), f"{ref:.3g}")
        rows.append(row)
    widths = [max(len(r[c]) for r in rows) for c in range(len(header))]
    return "\n".join("  ".join(r[c].rjust(widths[c])
                               for c in range(len(header))) for r in rows)


class WeightRecorder(Callback):
    r"""A :class:`~course_lib.trainer.Trainer` callback that records weights.

    After every ``every``-th update it stores a copy of
    ``network.params[key][index]`` (the whole array when ``index`` is
    None), so you can watch chosen weights move during training — for
    example the incoming weights of two hidden units, to see whether they
    stay identical (the symmetry problem).

    Parameters
    ----------
    key : str
        A parameter name of the network, e.g. ``"0.W"``.
    index : index expression, optional
        Applied to the array, e.g. ``np.s_[:, :2]`` for units 0 and 1.
    every : int, default 1

    Attributes
    ----------
    values : list of ndarray
        The recorded copies; the first is taken before training.
    steps : list of int
        The update count of each copy (0 = before training).

    Notes
    -----
    In PyTorch, append ``w.detach().clone()`` after ``optimizer.step()``;
    in Keras, read ``layer.get_weights()`` in a ``Callback.on_batch_end``.
    See Chapter 3.
    """

    def __init__(self, key, index=None, every=1):
        self.key = key
        self.index = index
        self.every = check_int("WeightRecorder", "every", every, low=1)
        self.values, self.steps = [], []
        self._step = 0

    def _record(self, trainer):
        params = trainer.network.params
        if self.key not in params:
            raise error("WeightRecorder", "key", "one of "
                        f"{sorted(params)}", repr(self.key))
        w = params[self.key]
        self.values.append(np.array(w if self.index is None
                                    else w[self.index], copy=True))
        self.steps.append(self._step)

    def on_train_begin(self, trainer):
        self.values, self.steps, self._step = [], [], 0
        self._record(trainer)

    def after_update(self, trainer):
        self._step += 1
        if self._step % self.every == 0:
            self._record(trainer)

    def __repr__(self):
        return (f"WeightRecorder(key={self.key!r}, index={self.index!r}, "
                f"every={self.every})")


class UpdateRatio(Callback):
    r"""Training callback: the relative size of every weight update, per layer.

    For use in :class:`~course_lib.trainer.Trainer`'s ``callbacks``.

    After update :math:`t`, for every watched weight array :math:`W`:

    .. math::

        r_t = \frac{\lVert W_t - W_{t-1}\rVert_F}{\lVert W_{t-1}\rVert_F}

    (Frobenius norms). A common rule of thumb expects :math:`r` near
    :math:`10^{-3}`: far above, each step rewrites much of the layer and
    the learning rate should come down; far below, the layer hardly moves.

    Parameters
    ----------
    keys : sequence of str, optional
        Parameter names to watch; by default every weight (the names
        ending in ``"W"``, as the penalties choose them).

    Attributes
    ----------
    ratios : dict
        ``key -> list of float``, one :math:`r_t` per update.
    per_epoch : dict
        ``key -> list of float``, the median :math:`r_t` of each epoch
        (nan for an epoch without updates).

    Raises
    ------
    TypeError
        If ``keys`` holds something that is not a str.
    ValueError
        When training starts, if a name in ``keys`` is not a parameter of
        the network (or, without ``keys``, the network has no weight).

    Notes
    -----
    A weight array that is zero before an update gives :math:`r = \infty`
    if the update moves it, 0 if not. In PyTorch, keep
    ``w.detach().clone()`` before ``optimizer.step()`` and compare
    ``(w - old).norm() / old.norm()`` after it. See Chapters 1 and 7.
    """

    def __init__(self, keys=None) -> None:
        self.keys = check_keys("UpdateRatio", keys)
        self.ratios: dict[str, list[float]] = {}
        self.per_epoch: dict[str, list[float]] = {}

    def on_train_begin(self, trainer):
        params = trainer.network.params
        self._old = {k: params[k].copy() for k in select_keys(
            "UpdateRatio", params, self.keys)}
        self.ratios = {k: [] for k in self._old}
        self.per_epoch = {k: [] for k in self._old}
        self._epoch_start = 0

    def after_update(self, trainer):
        for k, old in self._old.items():
            new = trainer.network.params[k]
            size = np.linalg.norm(old)
            step = np.linalg.norm(new - old)       # ||W_t - W_{t-1}||
            if size == 0:
                ratio = math.inf if step else 0.0
            else:
                ratio = float(step / size)
            self.ratios[k].append(ratio)
            old[...] = new

    def on_epoch_end(self, trainer, epoch, history):
        for k, values in self.ratios.items():
            epoch_values = values[self._epoch_start:]
            self.per_epoch[k].append(float(np.median(epoch_values))
                                     if epoch_values else math.nan)
        self._epoch_start = len(next(iter(self.ratios.values()), []))
        return False

    def __repr__(self):
        keys = "" if self.keys is None else f"keys={list(self.keys)}"
        return f"UpdateRatio({keys})"
