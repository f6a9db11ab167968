r"""Gradient noise: a wrapper that perturbs gradients before a step. See Chapter 2."""

from __future__ import annotations

import math

import numpy as np

from .._validation import as_rng, check_finite_number, error
from .base import check_grads

__all__ = ["GradientNoise"]


class GradientNoise:
    r"""Add decaying Gaussian noise to every gradient, then let an optimizer step.

    .. math::
        \tilde g = g + \mathcal N\!\left(0, \sigma_t^2\right), \qquad
        \sigma_t^2 = \frac{\eta_\text{noise}}{(1 + t)^{\gamma}}

    with :math:`t = 1` on the first update (Neelakantan et al., 2015,
    "Adding gradient noise improves learning for very deep networks").
    Each element gets its own independent draw; the variance, not the
    standard deviation, decays as :math:`(1+t)^{-\gamma}`.

    Parameters
    ----------
    optimizer : optimizer
        Anything with ``lr`` and ``update(params, grads)``; it receives the
        noisy gradients.
    eta : float, default 0.01
        :math:`\eta_\text{noise} \ge 0`, the variance scale (the paper
        tries 0.01, 0.3 and 1.0). Not a learning rate.
    gamma : float, default 0.55
        :math:`\gamma \ge 0`, the decay exponent of the variance.
    rng : Generator, int or None
        Source of the noise.

    Raises
    ------
    ValueError
        For negative or non-finite ``eta`` or ``gamma``, and (from
        :meth:`update`) for mismatched keys or shapes.
    TypeError
        If ``optimizer`` lacks ``update`` or ``lr``.

    Notes
    -----
    ``lr`` reads and sets the wrapped optimizer's learning rate, so a
    schedule and :class:`~course_lib.trainer.Trainer` work unchanged. The
    caller's ``grads`` are not modified. No framework ships this as an
    optimizer; in PyTorch one adds ``torch.randn_like(p.grad) * sigma`` to
    each ``p.grad`` before ``optimizer.step()``. See Chapter 2.
    """

    def __init__(self, optimizer, eta=0.01, gamma=0.55, rng=None):
        if not (hasattr(optimizer, "update") and hasattr(optimizer, "lr")):
            raise error("GradientNoise", "optimizer", "an optimizer with "
                        "'lr' and 'update(params, grads)'",
                        type(optimizer).__name__, kind=TypeError)
        self.optimizer = optimizer
        self.eta = check_finite_number("GradientNoise", "eta", eta, low=0.0)
        self.gamma = check_finite_number("GradientNoise", "gamma", gamma,
                                         low=0.0)
        self.rng = as_rng(rng)
        self.t = 0

    @property
    def lr(self) -> float:
        return self.optimizer.lr

    @lr.setter
    def lr(self, value):
        self.optimizer.lr = value

    def variance(self, t: int) -> float:
        r"""The noise variance :math:`\eta/(1+t)^\gamma` of update ``t``."""
        return self.eta / (1 + t) ** self.gamma

    def update(self, params: dict, grads: dict) -> None:
        """Perturb a copy of ``grads`` and pass it to the wrapped optimizer."""
        check_grads("GradientNoise.update", params, grads)
        self.t += 1
        std = math.sqrt(self.variance(self.t))
        noisy = {}
        for k, g in grads.items():
            noise = self.rng.standard_normal(g.shape)
            noise *= std
            dtype = g.dtype if g.dtype.kind == "f" else np.float64
            noisy[k] = g + noise.astype(dtype, copy=False)
        self.optimizer.update(params, noisy)

    def state_dict(self) -> dict:
        """The wrapped optimizer's state plus this wrapper's counter."""
        return {"t": self.t, "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        self.t = int(state["t"])
        self.optimizer.load_state_dict(state["optimizer"])

    def __repr__(self):
        return (f"GradientNoise({self.optimizer!r}, eta={self.eta:g}, "
                f"gamma={self.gamma:g})")
