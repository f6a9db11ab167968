r"""Gradient clipping by the global norm. See Chapter 2."""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_finite_number, error

__all__ = ["clip_grad_norm"]


def clip_grad_norm(grads: dict, max_norm) -> float:
    r"""Scale all gradients together so that their global norm is <= ``max_norm``.

    .. math::

        \begin{gathered}
        \lVert g \rVert = \sqrt{\textstyle\sum_k \lVert g_k \rVert_2^2}, \\
        g_k \leftarrow g_k \cdot \frac{\text{max\_norm}}{\lVert g\rVert
        + 10^{-6}} \\
        \text{if this factor is} < 1
        \end{gathered}

    One factor for every array, so the direction of the whole gradient is
    kept and only its length is capped: a single huge step (an exploding
    gradient) becomes a step of length ``max_norm``.

    Parameters
    ----------
    grads : dict
        ``name -> floating-point ndarray``, scaled **in place** (call it
        between the backward pass and ``optimizer.update``).
    max_norm : float
        The largest allowed global norm, a finite number > 0.

    Returns
    -------
    float
        The global norm :math:`\lVert g \rVert` **before** clipping.

    Raises
    ------
    TypeError
        If ``grads`` is not a dict of floating-point ndarrays.
    ValueError
        If ``max_norm`` is not a finite number > 0.

    Notes
    -----
    Equals ``torch.nn.utils.clip_grad_norm_(parameters, max_norm)``
    (L2 norm, the same :math:`10^{-6}` in the factor, which is why a norm
    just below ``max_norm + 1e-6`` is scaled by a hair). A non-finite norm
    leaves the gradients unchanged (PyTorch would multiply them by NaN or
    0 unless ``error_if_nonfinite=True``). Keras: the optimizer argument
    ``global_clipnorm``. See Chapter 2.

    Examples
    --------
    >>> import numpy as np
    >>> g = {"W": np.array([3.0, 0.0]), "b": np.array([4.0])}
    >>> clip_grad_norm(g, 1.0)
    5.0
    >>> np.round(g["W"], 6), np.round(g["b"], 6)
    (array([0.6, 0. ]), array([0.8]))
    """
    max_norm = check_finite_number("clip_grad_norm", "max_norm", max_norm,
                                   low=0.0, low_open=True)
    if not isinstance(grads, dict):
        raise error("clip_grad_norm", "grads", "a dict of name -> ndarray",
                    type(grads).__name__, kind=TypeError)
    for k, g in grads.items():
        if not isinstance(g, np.ndarray) or g.dtype.kind != "f":
            got = (f"dtype {g.dtype}" if isinstance(g, np.ndarray)
                   else type(g).__name__)
            raise error("clip_grad_norm", f"grads[{k!r}]",
                        "a floating-point ndarray (scaled in place)", got,
                        kind=TypeError)
    norms = [np.linalg.norm(g.ravel()) for g in grads.values()]
    total = float(np.linalg.norm(np.asarray(norms, dtype=np.float64)))
    factor = max_norm / (total + 1e-6)
    if math.isfinite(total) and factor < 1.0:
        for g in grads.values():
            g *= factor
    return total
