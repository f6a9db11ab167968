r"""Regularization: weight penalties, weight constraints and early stopping.

Three ways to keep a network from memorizing its training set:

- **penalties** (:class:`L2`, :class:`L1`, :class:`L1L2`, :class:`LInf`)
  add a term :math:`\lambda\,\Omega(W)` to the loss; pass one as
  ``Sequential(..., penalty=...)`` and it acts on every gradient step;
- **constraints** (:class:`MaxNorm`, :class:`UnitNorm`, :class:`NonNeg`,
  :class:`MinMaxNorm`) project the weights back into an allowed set after
  each update; pass them to :class:`~course_lib.trainer.Trainer` as
  callbacks;
- **early stopping** (:class:`EarlyStopping`) watches a validation metric
  and ends training when it stops improving, keeping the best weights.

By default penalties and constraints act on the *weights only*: the
parameters whose name ends in ``"W"`` (``"0.W"``, ``"3.W"``, …), never
biases or BatchNorm's γ and β, as in most texts and in Keras's
``kernel_regularizer``. See Chapter 5.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_choice, check_finite_number, check_int, error
from .trainer import Callback

__all__ = [
    "Constraint",
    "EarlyStopping",
    "L1",
    "L1L2",
    "L2",
    "LInf",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "Penalty",
    "UnitNorm",
    "WeightSnapshots",
    "select_keys",
]


def _is_weight(key: str) -> bool:
    return key.rsplit(".", 1)[-1] == "W"


def _is_bias(key: str) -> bool:
    return key.rsplit(".", 1)[-1] == "b"


def select_keys(where: str, params: dict, keys=None,
                include_biases=False) -> list[str]:
    """The parameter names a penalty or constraint acts on.

    ``keys=None`` selects every name ending in ``"W"`` (plus those ending
    in ``"b"`` with ``include_biases=True``); otherwise ``keys`` lists exact
    names, each of which must exist in ``params``.

    Raises
    ------
    ValueError
        If a name in ``keys`` is not a parameter (the message lists the
        available names), or if nothing is selected.
    """
    if keys is None:
        chosen = [k for k in params
                  if _is_weight(k) or (include_biases and _is_bias(k))]
        if not chosen:
            raise error(where, "params", "a dict with at least one weight "
                        "(a name ending in 'W')", sorted(params),
                        hint="Pass keys=[...] to name parameters "
                        "explicitly.")
        return chosen
    missing = [k for k in keys if k not in params]
    if missing:
        raise error(where, "keys", f"names of parameters of the network "
                    f"({', '.join(sorted(params))})",
                    ", ".join(repr(k) for k in missing))
    return list(keys)


def _check_keys(where: str, keys):
    if keys is None:
        return None
    if isinstance(keys, str):
        keys = [keys]
    keys = list(keys)
    for k in keys:
        if not isinstance(k, str):
            raise error(where, "keys", "a sequence of parameter names",
                        repr(k), kind=TypeError)
    return tuple(keys)


# ---------------------------------------------------------------------------
# Penalties
# ---------------------------------------------------------------------------

class Penalty:
    r"""Base class of a loss term :math:`\lambda \sum_W \Omega(W)`.

    Subclasses define ``_value(W)`` (:math:`\Omega`) and ``_grad(W)``
    (:math:`\partial\Omega/\partial W`). :meth:`loss` and :meth:`grad` are
    what :class:`~course_lib.network.Sequential` calls.

    Parameters
    ----------
    lam : float >= 0
        Strength :math:`\lambda`; 0 switches the penalty off.
    include_biases : bool, default False
        Also penalize parameters named ``"...b"``.
    keys : sequence of str, optional
        Exact parameter names to penalize (overrides the default choice).
    """

    def __init__(self, lam, include_biases=False, keys=None):
        where = type(self).__name__
        self.lam = check_finite_number(where, "lam", lam, low=0.0)
        self.include_biases = bool(include_biases)
        self.keys = _check_keys(where, keys)

    def selected(self, params: dict) -> list[str]:
        """Names of the parameters this penalty acts on."""
        return select_keys(type(self).__name__, params, self.keys,
                           self.include_biases)

    def loss(self, params: dict) -> float:
        r""":math:`\lambda \sum_W \Omega(W)` over the selected parameters."""
        return float(self.lam * sum(float(self._value(params[k]))
                                    for k in self.selected(params)))

    def grad(self, params: dict) -> dict:
        r"""``{name: λ ∂Ω/∂W}`` for the selected names only (same dtype)."""
        return {k: (self._grad(params[k]) * params[k].dtype.type(self.lam))
                for k in self.selected(params)}

    def _value(self, W):
        raise NotImplementedError

    def _grad(self, W):
        raise NotImplementedError

    def __repr__(self):
        extra = ", include_biases=True" if self.include_biases else ""
        if self.keys is not None:
            extra += f", keys={list(self.keys)}"
        return f"{type(self).__name__}(lam={self.lam:g}{extra})"


class L2(Penalty):
    r"""Weight decay: :math:`\tfrac12 \lambda \sum_W \lVert W\rVert_2^2`.

    .. math::
        L = L_\text{data} + \frac{\lambda}{2} \sum_W \sum_{ij} W_{ij}^2,
        \qquad
        \frac{\partial L}{\partial W} = \frac{\partial L_\text{data}}
        {\partial W} + \lambda W .

    The factor ½ makes the gradient exactly :math:`\lambda W`, so a plain
    SGD step becomes :math:`W \leftarrow (1 - \eta\lambda) W - \eta\,
    \partial L_\text{data}/\partial W`: the weights *decay* toward zero.

    Parameters
    ----------
    lam : float >= 0
        Strength λ.
    include_biases : bool, default False
        Weights only by default (names ending in ``"W"``).
    keys : sequence of str, optional
        Exact parameter names instead.

    Raises
    ------
    ValueError
        If ``lam`` is negative or not finite.

    Notes
    -----
    PyTorch: ``SGD(..., weight_decay=lam)`` adds the same λW to the
    gradient (of all parameters given to it, biases included). Keras:
    ``kernel_regularizer=regularizers.l2(l)`` adds :math:`l\sum W^2`
    **without** the ½, so Keras's ``l2(l)`` equals our ``L2(2 * l)``.
    See Chapter 5.

    Examples
    --------
    >>> import numpy as np
    >>> params = {"0.W": np.array([[1.0, -2.0]]), "0.b": np.array([5.0])}
    >>> L2(0.1).loss(params)      # 0.5 * 0.1 * (1 + 4); the bias is skipped
    0.25
    >>> L2(0.1).grad(params)
    {'0.W': array([[ 0.1, -0.2]])}
    """

    def _value(self, W):
        return 0.5 * np.sum(W * W)

    def _grad(self, W):
        return W.copy()


class L1(Penalty):
    r"""Lasso penalty :math:`\lambda \sum_W \lVert W\rVert_1`.

    .. math::
        L = L_\text{data} + \lambda \sum_W \sum_{ij} |W_{ij}|, \qquad
        \frac{\partial L}{\partial W} = \frac{\partial L_\text{data}}
        {\partial W} + \lambda\, \mathrm{sign}(W)

    (the subgradient 0 is used at :math:`W_{ij} = 0`, as ``torch.sign``).
    Every weight is pushed toward zero by the same amount per step, so
    small weights reach exactly zero: L1 gives *sparse* weights.

    Parameters
    ----------
    lam, include_biases, keys
        As in :class:`L2`.

    Raises
    ------
    ValueError
        If ``lam`` is negative or not finite.

    Notes
    -----
    Keras: ``regularizers.l1(lam)`` (same scale). PyTorch: add
    ``lam * w.abs().sum()`` to the loss. See Chapter 5.
    """

    def _value(self, W):
        return np.sum(np.abs(W))

    def _grad(self, W):
        return np.sign(W)


class LInf(Penalty):
    r"""Max-norm penalty :math:`\lambda \sum_W \lVert W\rVert_\infty`.

    .. math::
        \Omega(W) = \max_{ij} |W_{ij}|, \qquad
        \frac{\partial\Omega}{\partial W_{ij}} =
        \mathrm{sign}(W_{ij})\ \text{at the largest } |W_{ij}|,\ 0
        \text{ elsewhere}

    (one entry per array; the first one on ties). Only the single largest
    weight of each array is pulled in, so this penalty acts slowly; the
    :class:`MaxNorm` *constraint* is the common way to bound weights.

    Parameters
    ----------
    lam, include_biases, keys
        As in :class:`L2`.

    Raises
    ------
    ValueError
        If ``lam`` is negative or not finite.

    Notes
    -----
    Neither PyTorch nor Keras ships it as a regularizer. See Chapter 5.
    """

    def _value(self, W):
        return np.max(np.abs(W)) if W.size else 0.0

    def _grad(self, W):
        g = np.zeros_like(W)
        if W.size:
            i = np.argmax(np.abs(W))
            g.flat[i] = np.sign(W.flat[i])
        return g


class L1L2(Penalty):
    r"""Elastic net :math:`\sum_W \big(l_1 \lVert W\rVert_1 + \tfrac12 l_2
    \lVert W\rVert_2^2\big)`.

    Gradient :math:`l_1\,\mathrm{sign}(W) + l_2 W`.

    Parameters
    ----------
    l1, l2 : float >= 0
        Strengths of the L1 and L2 parts.
    include_biases, keys
        As in :class:`L2`.

    Raises
    ------
    ValueError
        If ``l1`` or ``l2`` is negative or not finite.

    Notes
    -----
    Keras's ``regularizers.l1_l2(l1, l2)`` has no ½ on the L2 part, so it
    equals our ``L1L2(l1, 2 * l2)``. See Chapter 5.
    """

    def __init__(self, l1=0.0, l2=0.0, include_biases=False, keys=None):
        super().__init__(1.0, include_biases, keys)
        self.l1 = check_finite_number("L1L2", "l1", l1, low=0.0)
        self.l2 = check_finite_number("L1L2", "l2", l2, low=0.0)

    def _value(self, W):
        return self.l1 * np.sum(np.abs(W)) + 0.5 * self.l2 * np.sum(W * W)

    def _grad(self, W):
        dt = W.dtype.type
        return dt(self.l1) * np.sign(W) + dt(self.l2) * W

    def __repr__(self):
        return f"L1L2(l1={self.l1:g}, l2={self.l2:g})"


# ---------------------------------------------------------------------------
# Constraints
# ---------------------------------------------------------------------------

def _unit_axes(W: np.ndarray, axis):
    """The axes a "per unit" norm runs over (see :class:`Constraint`)."""
    if axis is not None:
        return axis
    if W.ndim == 4:       # conv (F, C, kh, kw): one norm per kernel
        return (1, 2, 3)
    if W.ndim == 2:       # dense (D, M): one norm per output unit (column)
        return 0
    return None           # anything else: the whole array


class Constraint(Callback):
    r"""Base class: project the selected weights after every update.

    A constraint is a :class:`~course_lib.trainer.Callback`; give it to the
    trainer, ``Trainer(..., callbacks=[MaxNorm(2.0)])``, and after each
    optimizer step it replaces :math:`W` by its projection
    :math:`\Pi(W)` **in place** (so the layers keep sharing the array).

    Norms are taken *per unit*. For a dense weight :math:`W` of shape
    (D, M) — our layout, ``out = x @ W`` — column :math:`j` holds the D
    weights coming into output unit :math:`j`, so the norm runs over the
    input axis ``axis=0``: :math:`\lVert W_{:, j}\rVert_2`. For a
    convolution weight (F, C, kh, kw) each kernel is one unit (axes
    (1, 2, 3)).

    Parameters
    ----------
    keys : sequence of str, optional
        Exact parameter names; default every name ending in ``"W"``.
    include_biases : bool, default False
        Also constrain names ending in ``"b"`` (as whole vectors).
    axis : int or tuple of int, optional
        Axes of each norm; ``None`` means per unit as described above.

    Raises
    ------
    ValueError
        From :meth:`apply` (first called when training begins) if ``keys``
        names a parameter the network does not have.

    Notes
    -----
    Keras's dense kernel has our (D, M) layout, so Keras's default
    ``axis=0`` is the same per-unit norm; PyTorch's ``nn.Linear.weight``
    is (M, D), so there the per-unit norm runs over ``dim=1`` (e.g.
    ``torch.renorm(w, 2, 0, c)``). See Chapter 5.
    """

    def __init__(self, keys=None, include_biases=False, axis=None):
        self.keys = _check_keys(type(self).__name__, keys)
        self.include_biases = bool(include_biases)
        self.axis = axis

    def project(self, W: np.ndarray) -> np.ndarray:
        """The projection of one array (a new array; ``W`` is unchanged)."""
        raise NotImplementedError

    def apply(self, params: dict) -> None:
        """Project every selected array of ``params`` in place."""
        for k in select_keys(type(self).__name__, params, self.keys,
                             self.include_biases):
            W = params[k]
            W[...] = self.project(W)

    def _norms(self, W):
        axes = _unit_axes(W, self.axis)
        return np.sqrt(np.sum(W * W, axis=axes, keepdims=True))

    def on_train_begin(self, trainer) -> None:
        # fail before the first step if a name is wrong
        select_keys(type(self).__name__, trainer.network.params, self.keys,
                    self.include_biases)

    def after_update(self, trainer) -> None:
        self.apply(trainer.network.params)

    def _hyper(self) -> str:
        return ""

    def __repr__(self):
        parts = [p for p in (self._hyper(),
                             f"axis={self.axis}" if self.axis is not None
                             else "",
                             f"keys={list(self.keys)}" if self.keys else "")
                 if p]
        return f"{type(self).__name__}({', '.join(parts)})"


class MaxNorm(Constraint):
    r"""Cap the norm of each unit's incoming weights at ``max_value``.

    .. math::
        W_{:, j} \leftarrow W_{:, j} \cdot
        \min\!\Big(1, \frac{c}{\lVert W_{:, j}\rVert_2}\Big)

    Units whose norm is at most :math:`c` are left exactly as they are;
    longer ones are shrunk onto the sphere of radius :math:`c`. Unlike a
    penalty, the constraint does nothing until a weight vector grows too
    large, which is why it pairs well with the high learning rates dropout
    likes (Srivastava et al., 2014).

    Parameters
    ----------
    max_value : float > 0, default 2.0
        The radius :math:`c`.
    keys, include_biases, axis
        See :class:`Constraint` (default: per unit, weights only).

    Raises
    ------
    ValueError
        If ``max_value`` is not a finite positive number.

    Notes
    -----
    Keras: ``kernel_constraint=constraints.MaxNorm(max_value, axis=0)``
    (Keras divides by ``norm + 1e-7``, shrinking every unit very slightly;
    we leave units inside the ball untouched). PyTorch:
    ``w.data = torch.renorm(w.data, 2, 0, max_value)`` on an ``nn.Linear``
    weight after ``optimizer.step()``. See Chapter 5.
    """

    def __init__(self, max_value=2.0, keys=None, include_biases=False,
                 axis=None):
        super().__init__(keys, include_biases, axis)
        self.max_value = check_finite_number("MaxNorm", "max_value",
                                             max_value, low=0.0,
                                             low_open=True)

    def project(self, W):
        norms = self._norms(W)
        scale = np.minimum(1.0, self.max_value / np.maximum(norms, 1e-300))
        return (W * scale).astype(W.dtype, copy=False)

    def _hyper(self):
        return f"max_value={self.max_value:g}"


class UnitNorm(Constraint):
    r"""Scale each unit's incoming weights to norm 1.

    .. math::
        W_{:, j} \leftarrow W_{:, j} / \lVert W_{:, j}\rVert_2

    (a unit whose weights are all zero stays zero).

    Parameters
    ----------
    keys, include_biases, axis
        See :class:`Constraint`.

    Notes
    -----
    Keras: ``constraints.UnitNorm(axis=0)``. PyTorch:
    ``torch.nn.functional.normalize(w, dim=1)`` for an ``nn.Linear``
    weight. See Chapter 5.
    """

    def project(self, W):
        norms = self._norms(W)
        safe = np.where(norms > 0, norms, 1.0)
        return (W / safe).astype(W.dtype, copy=False)


class NonNeg(Constraint):
    r"""Clip every weight at zero from below: :math:`W \leftarrow \max(W, 0)`.

    Parameters
    ----------
    keys, include_biases
        See :class:`Constraint`.

    Notes
    -----
    Keras: ``constraints.NonNeg()``. PyTorch: ``w.data.clamp_(min=0)``.
    See Chapter 5.
    """

    def __init__(self, keys=None, include_biases=False):
        super().__init__(keys, include_biases, None)

    def project(self, W):
        return np.maximum(W, 0).astype(W.dtype, copy=False)


class MinMaxNorm(Constraint):
    r"""Keep each unit's weight norm between ``min_value`` and ``max_value``.

    .. math::
        W_{:, j} \leftarrow W_{:, j}\,
        \frac{\rho\,\mathrm{clip}(n_j, a, b) + (1 - \rho)\, n_j}{n_j},
        \qquad n_j = \lVert W_{:, j}\rVert_2

    With ``rate`` :math:`\rho = 1` the norm is clipped into
    :math:`[a, b]` at once; smaller rates move it there gradually, one
    update at a time. Zero vectors stay zero.

    Parameters
    ----------
    min_value : float >= 0, default 0.0
    max_value : float >= min_value, default 1.0
    rate : float in (0, 1], default 1.0
    keys, include_biases, axis
        See :class:`Constraint`.

    Raises
    ------
    ValueError
        If the bounds are negative, ``min_value > max_value`` or ``rate``
        is outside (0, 1].

    Notes
    -----
    Keras: ``constraints.MinMaxNorm(min_value, max_value, rate, axis=0)``.
    See Chapter 5.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, keys=None,
                 include_biases=False, axis=None):
        super().__init__(keys, include_biases, axis)
        self.min_value = check_finite_number("MinMaxNorm", "min_value",
                                             min_value, low=0.0)
        self.max_value = check_finite_number("MinMaxNorm", "max_value",
                                             max_value, low=self.min_value)
        self.rate = check_finite_number("MinMaxNorm", "rate", rate, 0.0, 1.0,
                                        low_open=True)

    def project(self, W):
        norms = self._norms(W)
        desired = (self.rate * np.clip(norms, self.min_value, self.max_value)
                   + (1.0 - self.rate) * norms)
        scale = np.where(norms > 0, desired / np.where(norms > 0, norms, 1.0),
                         1.0)
        return (W * scale).astype(W.dtype, copy=False)

    def _hyper(self):
        return (f"min_value={self.min_value:g}, max_value={self.max_value:g}"
                + (f", rate={self.rate:g}" if self.rate != 1.0 else ""))


# ---------------------------------------------------------------------------
# Early stopping
# ---------------------------------------------------------------------------

_ALIASES = {"loss": "train_loss", "acc": "train_acc", "accuracy": "train_acc",
            "val_accuracy": "val_acc"}
_METRICS = ("train_loss", "train_acc", "val_loss", "val_acc")


class EarlyStopping(Callback):
    r"""Stop training when a monitored metric has stopped improving.

    After every evaluated epoch the callback compares the metric with the
    best value so far. An epoch *improves* when

    .. math::
        m_\text{now} < m_\text{best} - \delta \quad (\text{mode "min"}),
        \qquad m_\text{now} > m_\text{best} + \delta \quad (\text{mode "max"}),

    with :math:`\delta` = ``min_delta``. Every other epoch increases a
    counter; training stops at the end of the epoch where the counter
    reaches ``patience``. So with the best epoch :math:`e^*` and no later
    improvement, training stops after epoch :math:`e^* + \text{patience}`.

    Parameters
    ----------
    monitor : str, default "val_loss"
        ``"val_loss"``, ``"val_acc"``, ``"train_loss"`` or ``"train_acc"``
        (``"loss"``, ``"acc"``, ``"accuracy"``, ``"val_accuracy"`` are
        accepted aliases).
    mode : {"auto", "min", "max"}, default "auto"
        ``"auto"`` maximizes accuracies and minimizes losses.
    patience : int >= 1, default 5
        Evaluated epochs without improvement before stopping.
    min_delta : float >= 0, default 0.0
        Smallest change that counts as an improvement.
    restore_best_weights : bool, default True
        When training ends (stopped early or not), copy the weights of the
        best epoch back into the network, in place. BatchNorm running
        estimates (attributes ``running_mean``, ``running_var`` of the
        layers) are saved and restored with them.

    Attributes
    ----------
    best_ : float
        Best value of the metric seen.
    best_epoch_ : int
        1-based epoch where it was reached.
    stopped_epoch_ : int or None
        1-based epoch after which training was stopped (None if it ran to
        the end).
    wait_ : int
        Evaluated epochs since the last improvement.

    Raises
    ------
    ValueError
        For an unknown ``monitor`` or ``mode``, ``patience < 1``, a negative
        ``min_delta``; when training, if the monitored metric was never
        recorded (e.g. ``"val_loss"`` without ``x_val, t_val``).

    Notes
    -----
    The result is written into the :class:`~course_lib.trainer.History`:
    ``history.stopped_epoch`` (set by the trainer) and
    ``history.notes["early_stopping"]``, a dict with ``monitor``,
    ``best_epoch``, ``best``, ``stopped_epoch`` and ``restored``.
    With ``eval_every > 1`` only evaluated epochs count toward patience.

    Keras: ``callbacks.EarlyStopping(monitor, min_delta, patience, mode,
    restore_best_weights)`` — same counting; Keras restores the best weights
    only when it actually stopped early and defaults to
    ``restore_best_weights=False``. PyTorch has no built-in; write the loop
    by hand or use PyTorch Lightning's ``EarlyStopping``. See Chapter 5.
    """

    def __init__(self, monitor="val_loss", mode="auto", patience=5,
                 min_delta=0.0, restore_best_weights=True):
        if not isinstance(monitor, str):
            raise error("EarlyStopping", "monitor", "a metric name",
                        repr(monitor), kind=TypeError)
        check_choice("EarlyStopping", "monitor", _ALIASES.get(monitor,
                                                              monitor),
                     _METRICS)
        self.monitor = monitor
        self.mode = check_choice("EarlyStopping", "mode", mode,
                                 ("auto", "min", "max"))
        self.patience = check_int("EarlyStopping", "patience", patience, 1)
        self.min_delta = check_finite_number("EarlyStopping", "min_delta",
                                             min_delta, low=0.0)
        if not isinstance(restore_best_weights, (bool, np.bool_)):
            raise error("EarlyStopping", "restore_best_weights",
                        "True or False", repr(restore_best_weights),
                        kind=TypeError)
        self.restore_best_weights = bool(restore_best_weights)
        self._reset()

    @property
    def metric(self) -> str:
        """The History attribute watched (aliases resolved)."""
        return _ALIASES.get(self.monitor, self.monitor)

    @property
    def direction(self) -> str:
        """``"min"`` or ``"max"`` (``"auto"`` resolved)."""
        if self.mode != "auto":
            return self.mode
        return "max" if self.metric.endswith("acc") else "min"

    def _reset(self):
        self.best_ = np.inf if self.direction == "min" else -np.inf
        self.best_epoch_ = None
        self.stopped_epoch_ = None
        self.wait_ = 0
        self._best_state = None
        self._n_seen = 0

    def improved(self, value: float) -> bool:
        """Whether ``value`` beats the best so far by more than ``min_delta``."""
        if self.direction == "min":
            return value < self.best_ - self.min_delta
        return value > self.best_ + self.min_delta

    def on_train_begin(self, trainer) -> None:
        self._reset()

    def on_epoch_end(self, trainer, epoch: int, history) -> bool:
        if not history.epochs or history.epochs[-1] != epoch + 1:
            return False  # not an evaluated epoch (eval_every > 1)
        values = getattr(history, self.metric)
        if len(values) < len(history.epochs):
            raise error("EarlyStopping", "monitor", "a metric recorded "
                        "in the history", repr(self.monitor),
                        hint="Pass x_val and t_val to fit() to monitor "
                        "validation metrics.")
        value = float(values[-1])
        verdict = self.update(value, epoch + 1)
        if verdict == "improved" and self.restore_best_weights:
            self._best_state = _snapshot(trainer.network)
        return verdict == "stop"

    def update(self, value: float, epoch: int) -> str:
        """Count one evaluated epoch (1-based); the heart of the rule.

        Returns ``"improved"`` (new best, counter reset), ``"wait"`` (no
        improvement yet, counter below ``patience``) or ``"stop"`` (the
        counter reached ``patience``).
        """
        if self.improved(value):  # the first finite value always does
            self.best_ = value
            self.best_epoch_ = epoch
            self.wait_ = 0
            return "improved"
        self.wait_ += 1
        if self.wait_ >= self.patience:
            self.stopped_epoch_ = epoch
            return "stop"
        return "wait"

    def simulate(self, values) -> tuple[int | None, int | None]:
        """Where this rule would stop on a recorded curve, without training.

        ``values`` are the monitored metric after epochs 1, 2, ….
        Returns ``(stopped_epoch, best_epoch)``, 1-based; ``stopped_epoch``
        is None when the curve ends first. The callback itself is left
        untouched.
        """
        probe = EarlyStopping(self.monitor, self.mode, self.patience,
                              self.min_delta, restore_best_weights=False)
        for epoch, value in enumerate(values, 1):
            if probe.update(float(value), epoch) == "stop":
                break
        return probe.stopped_epoch_, probe.best_epoch_

    def on_train_end(self, trainer, history) -> None:
        restored = False
        if self.restore_best_weights and self._best_state is not None:
            _restore(trainer.network, self._best_state)
            restored = True
        history.notes["early_stopping"] = {
            "monitor": self.metric,
            "best_epoch": self.best_epoch_,
            "best": self.best_,
            "stopped_epoch": self.stopped_epoch_,
            "restored": restored,
        }

    def __repr__(self):
        return (f"EarlyStopping(monitor={self.monitor!r}, mode={self.mode!r},"
                f" patience={self.patience}, min_delta={self.min_delta:g}, "
                f"restore_best_weights={self.restore_best_weights})")


_BUFFERS = ("running_mean", "running_var")


def _snapshot(network) -> dict:
    """Copies of every parameter and BatchNorm buffer of ``network``."""
    state = {k: v.copy() for k, v in network.params.items()}
    for i, layer in enumerate(getattr(network, "layers", ())):
        for name in _BUFFERS:
            buf = getattr(layer, name, None)
            if isinstance(buf, np.ndarray):
                state[f"{i}.{name}"] = buf.copy()
    return state


def _restore(network, state: dict) -> None:
    """Write a :func:`_snapshot` back, in place (aliases stay valid)."""
    params = network.params
    for k, v in state.items():
        if k in params:
            params[k][...] = v
            continue
        i, name = k.split(".", 1)
        buf = getattr(network.layers[int(i)], name)
        buf[...] = v


class WeightSnapshots(Callback):
    r"""Keep copies of some parameters at the end of chosen epochs.

    A diagnostic for regularization: compare weight histograms after a few
    and after many epochs, with and without a penalty.

    Parameters
    ----------
    epochs : sequence of int
        1-based epoch numbers to copy the weights after.
    keys : sequence of str, optional
        Parameter names; default every weight (name ending in ``"W"``).

    Attributes
    ----------
    snapshots : dict
        ``{epoch: {name: array copy}}``, filled during training.

    Raises
    ------
    ValueError
        If an epoch is not a positive int, or (when training begins) if a
        name in ``keys`` is not a parameter.

    Notes
    -----
    Keras: ``model.get_weights()`` inside a ``Callback.on_epoch_end``;
    PyTorch: ``copy.deepcopy(model.state_dict())`` in the training loop.
    See Chapter 5.
    """

    def __init__(self, epochs, keys=None):
        self.epochs = tuple(check_int("WeightSnapshots", "epochs", e, 1)
                            for e in epochs)
        self.keys = _check_keys("WeightSnapshots", keys)
        self.snapshots: dict[int, dict[str, np.ndarray]] = {}

    def on_train_begin(self, trainer) -> None:
        select_keys("WeightSnapshots", trainer.network.params, self.keys)
        self.snapshots = {}

    def on_epoch_end(self, trainer, epoch: int, history) -> bool:
        if epoch + 1 in self.epochs:
            params = trainer.network.params
            self.snapshots[epoch + 1] = {
                k: params[k].copy()
                for k in select_keys("WeightSnapshots", params, self.keys)}
        return False

    def __repr__(self):
        return f"WeightSnapshots(epochs={list(self.epochs)})"
