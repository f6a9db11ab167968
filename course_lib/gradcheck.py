r"""Numerical gradients by central differences, to check every backward pass.

Checks run in float64 only: with float32 the rounding error of
:math:`f(x \pm h)` swamps the difference for any useful ``h``, so float32
input is rejected rather than answered with a meaningless number.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_array, check_finite_number, error

__all__ = ["check_layer", "check_network", "numerical_gradient",
           "relative_error"]


def _require_float64(where: str, name: str, x) -> None:
    check_array(where, name, x)
    if x.dtype != np.float64:
        raise error(where, name, "a float64 array (numerical gradients need "
                    "float64: in lower precision rounding swamps the "
                    "difference quotient)", f"dtype {x.dtype}",
                    hint="Check in float64 with x.astype(np.float64).",
                    kind=TypeError)


def numerical_gradient(f, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    r"""Central differences :math:`\frac{f(x + h e_i) - f(x - h e_i)}{2h}` for every i.

    ``f`` maps the float64 array ``x`` to a scalar; ``x`` is perturbed one
    element at a time in place and restored exactly, so it is unchanged on
    return (the caller's layers may alias it). The result has the shape of
    ``x``.

    Raises
    ------
    TypeError
        If ``x`` is not a float64 ndarray.
    ValueError
        If ``h`` is not a finite number > 0, or ``x`` is not contiguous.
    """
    _require_float64("numerical_gradient", "x", x)
    h = check_finite_number("numerical_gradient", "h", h, low=0.0,
                            low_open=True)
    grad = np.zeros_like(x, dtype=np.float64)
    flat = x.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("numerical_gradient: 'x' must be contiguous so it "
                         "can be perturbed in place; got a non-contiguous "
                         "view (pass a copy).")
    g = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = float(f(x))
        flat[i] = old - h
        f_minus = float(f(x))
        flat[i] = old
        g[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b) -> float:
    r"""Max :math:`|a - b|` over max :math:`(|a| + |b|)`; 0 when both are zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: 'a' and 'b' must have the same "
                         f"shape; got {a.shape} and {b.shape}.")
    denom = np.max(np.abs(a) + np.abs(b)) if a.size else 0.0
    if denom == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / denom)


def check_layer(layer, x: np.ndarray, rng=None, h: float = 1e-5,
                train: bool = True) -> dict:
    r"""Compare a layer's backward with numerical gradients.

    Uses the scalar :math:`L = \sum \mathrm{out} \odot G` for a random
    upstream gradient :math:`G`, so that a wrong transpose or a softmax bug
    cannot hide behind an all-ones gradient. Returns ``{"x": err, name: err}``
    with the relative error of the input gradient and of every parameter.
    ``train`` is passed to every forward call. A layer that draws noise in
    training mode (dropout) must be checked with its noise frozen.

    Raises
    ------
    TypeError
        If ``x`` or a parameter of ``layer`` is not float64.
    """
    _require_float64("check_layer", "x", x)
    for name, p in layer.params.items():
        _require_float64("check_layer", f"layer.params[{name!r}]", p)
    rng = np.random.default_rng(rng)
    out = layer.forward(x, train=train)
    dout = rng.standard_normal(out.shape)

    def loss(_):
        return float(np.sum(layer.forward(x, train=train) * dout))

    layer.forward(x, train=train)
    dx = layer.backward(dout)
    analytic = {"x": dx, **{k: g.copy() for k, g in layer.grads.items()}}
    errors = {"x": relative_error(dx, numerical_gradient(loss, x, h))}
    for name, p in layer.params.items():
        errors[name] = relative_error(analytic[name],
                                      numerical_gradient(loss, p, h))
    return errors


def check_network(net, x: np.ndarray, t: np.ndarray,
                  h: float = 1e-5) -> dict:
    r"""Compare a network's ``gradient(x, t)`` with numerical gradients.

    For every parameter :math:`W`, the relative error between the
    backpropagated :math:`\partial L/\partial W` and the central
    difference of :math:`L = ` ``net.loss(x, t)`` (training mode, as
    ``gradient`` runs), penalties included. Returns ``{name: err}``. A
    network that draws noise in training mode (dropout) must be checked
    with its noise frozen.

    Raises
    ------
    TypeError
        If a parameter of ``net`` is not float64.
    """
    for name, p in net.params.items():
        _require_float64("check_network", f"net.params[{name!r}]", p)
    analytic = {k: g.copy() for k, g in net.gradient(x, t).items()}

    def loss(_):
        return net.loss(x, t)

    return {name: relative_error(analytic[name],
                                 numerical_gradient(loss, p, h))
            for name, p in net.params.items()}
