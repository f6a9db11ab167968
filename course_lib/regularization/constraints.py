r"""Weight constraints: project the weights back into an allowed set after each update.

:class:`MaxNorm`, :class:`UnitNorm`, :class:`NonNeg` and
:class:`MinMaxNorm` are :class:`~course_lib.trainer.Callback` objects: give
them to :class:`~course_lib.trainer.Trainer` and after each optimizer step
they replace :math:`W` by its projection :math:`\Pi(W)`, in place. By
default they act on the weights only (names ending in ``"W"``). See
Chapter 5.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_finite_number
from ..trainer import Callback
from ._keys import check_keys, select_keys

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm"]


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
        self.keys = check_keys(type(self).__name__, keys)
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

        \begin{gathered}
        W_{:, j} \leftarrow W_{:, j}\,
        \frac{\rho\,\mathrm{clip}(n_j, a, b) + (1 - \rho)\, n_j}{n_j}, \\
        n_j = \lVert W_{:, j}\rVert_2
        \end{gathered}

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
