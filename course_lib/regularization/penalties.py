r"""Weight penalties: loss terms :math:`\lambda\,\Omega(W)` added to the data loss.

:class:`L2` (weight decay), :class:`L1` (lasso), :class:`L1L2` (elastic
net) and :class:`LInf` (largest weight). Pass one as
``Sequential(..., penalty=...)`` and it acts on every gradient step. By
default a penalty acts on the weights only (names ending in ``"W"``); see
:func:`select_keys`. See Chapter 5.
"""

from __future__ import annotations

import numpy as np

from .._validation import check_finite_number
from ._keys import check_keys, select_keys

__all__ = ["L1", "L1L2", "L2", "LInf", "Penalty", "select_keys"]


def _sum_abs(W):
    return np.sum(np.abs(W))                # ||W||_1


def _half_sum_squares(W):
    return 0.5 * np.sum(W * W)              # ||W||_2^2 / 2


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
        self.keys = check_keys(where, keys)

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

        \begin{aligned}
        L &= L_\text{data} + \frac{\lambda}{2} \sum_W \sum_{ij} W_{ij}^2, \\
        \frac{\partial L}{\partial W} &= \frac{\partial L_\text{data}}
        {\partial W} + \lambda W .
        \end{aligned}

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
        return _half_sum_squares(W)

    def _grad(self, W):
        return W.copy()


class L1(Penalty):
    r"""Lasso penalty :math:`\lambda \sum_W \lVert W\rVert_1`.

    .. math::

        \begin{aligned}
        L &= L_\text{data} + \lambda \sum_W \sum_{ij} |W_{ij}|, \\
        \frac{\partial L}{\partial W} &= \frac{\partial L_\text{data}}
        {\partial W} + \lambda\, \mathrm{sign}(W)
        \end{aligned}

    (the subgradient 0 is used at :math:`W_{ij} = 0`, as ``torch.sign``).
    Every weight is pushed toward zero by the same amount per step, so
    small weights reach exactly zero: L1 gives *sparse* weights.

    Parameters and errors are those of :class:`L2`.

    Notes
    -----
    Keras: ``regularizers.l1(lam)`` (same scale). PyTorch: add
    ``lam * w.abs().sum()`` to the loss. See Chapter 5.
    """

    def _value(self, W):
        return _sum_abs(W)

    def _grad(self, W):
        return np.sign(W)


class LInf(Penalty):
    r"""Max-norm penalty :math:`\lambda \sum_W \lVert W\rVert_\infty`.

    .. math::

        \begin{gathered}
        \Omega(W) = \max_{ij} |W_{ij}|, \\
        \frac{\partial\Omega}{\partial W_{ij}} =
        \mathrm{sign}(W_{ij})\ \text{at the largest } |W_{ij}|, \\
        0 \text{ elsewhere}
        \end{gathered}

    (one entry per array; the first one on ties). Only the single largest
    weight of each array is pulled in, so this penalty acts slowly; the
    :class:`MaxNorm` *constraint* is the common way to bound weights.

    Parameters and errors are those of :class:`L2`.

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
        return self.l1 * _sum_abs(W) + self.l2 * _half_sum_squares(W)

    def _grad(self, W):
        dt = W.dtype.type
        return dt(self.l1) * np.sign(W) + dt(self.l2) * W

    def __repr__(self):
        return f"L1L2(l1={self.l1:g}, l2={self.l2:g})"
