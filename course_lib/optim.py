"""Gradient-descent optimizers. See Chapter 2.

Every optimizer has a learning rate ``lr`` (settable between steps) and
``update(params, grads)``, which changes the arrays of ``params`` in place
and keeps its state per key. With a constant learning rate each trajectory
equals the ``torch.optim`` class named in its docstring.
"""

from __future__ import annotations

import copy

import numpy as np

from ._validation import as_rng, check_finite_number, check_probability, \
    check_same_keys_and_shapes

__all__ = ["AdaDelta", "AdaGrad", "Adam", "GradientNoise", "Momentum",
           "Nesterov", "Optimizer", "RMSProp", "SGD"]


class Optimizer:
    """Base class: validated ``lr``, per-key state, a step counter ``t``."""

    def __init__(self, lr):
        self.lr = lr
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.t = 0

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = check_finite_number(type(self).__name__, "lr", value,
                                       low=0.0, low_open=True)

    def update(self, params: dict, grads: dict) -> None:
        check_same_keys_and_shapes(f"{type(self).__name__}.update", params,
                                   grads)
        self.t += 1
        for key, p in params.items():
            self._step(key, p, grads[key])

    def _buffers(self, key, p, *names):
        st = self.state.get(key)
        if st is None:
            st = self.state[key] = {n: np.zeros_like(p) for n in names}
        return st

    def _step(self, key, p, g):
        raise NotImplementedError

    def state_dict(self) -> dict:
        return {"lr": self.lr, "t": self.t, "state": copy.deepcopy(self.state)}

    def load_state_dict(self, state: dict) -> None:
        self.lr = state["lr"]
        self.t = int(state["t"])
        self.state = copy.deepcopy(state["state"])

    def _hyper(self) -> str:
        return f"lr={self.lr:g}"

    def __repr__(self):
        return f"{type(self).__name__}({self._hyper()})"


class SGD(Optimizer):
    r"""Plain gradient descent :math:`W \leftarrow W - \eta\,\nabla L`.

    PyTorch: ``torch.optim.SGD(lr)``; Keras: ``SGD(learning_rate)``.
    """

    def __init__(self, lr=0.01):
        super().__init__(lr)

    def _step(self, key, p, g):
        p -= self.lr * g


class Momentum(Optimizer):
    r"""Momentum :math:`v \leftarrow \alpha v - \eta\nabla L,\; W \leftarrow W + v`.

    Equal, for a constant ``lr``, to ``torch.optim.SGD(lr, momentum)``
    (which keeps :math:`b \leftarrow \mu b + g` and steps :math:`-\eta b`,
    so :math:`v = -\eta b`). Keras: ``SGD(learning_rate, momentum)``.
    """

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = check_probability("Momentum", "momentum", momentum)

    def _step(self, key, p, g):
        v = self._buffers(key, p, "v")["v"]
        v *= self.momentum
        v -= self.lr * g
        p += v

    def _hyper(self):
        return f"lr={self.lr:g}, momentum={self.momentum:g}"


class Nesterov(Momentum):
    r"""Nesterov momentum: the gradient is taken at the look-ahead point.

    .. math::
        v \leftarrow \alpha v - \eta\nabla L,\qquad
        W \leftarrow W + \alpha v - \eta\nabla L

    the form of ``torch.optim.SGD(lr, momentum, nesterov=True)`` (equal for
    a constant ``lr``). Keras: ``SGD(momentum=..., nesterov=True)``.
    """

    def _step(self, key, p, g):
        v = self._buffers(key, p, "v")["v"]
        v *= self.momentum
        v -= self.lr * g
        p += self.momentum * v - self.lr * g


class AdaGrad(Optimizer):
    r"""AdaGrad :math:`h \leftarrow h + g\odot g,\; W \leftarrow W - \eta\, g/(\sqrt h + \epsilon)`.

    ``eps`` sits outside the square root, as in ``torch.optim.Adagrad(lr,
    eps=eps)``. Keras puts it outside too but starts ``h`` at 0.1.
    """

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr)
        self.eps = check_finite_number("AdaGrad", "eps", eps, low=0.0)

    def _step(self, key, p, g):
        h = self._buffers(key, p, "h")["h"]
        h += g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)

    def _hyper(self):
        return f"lr={self.lr:g}, eps={self.eps:g}"


class RMSProp(Optimizer):
    r"""RMSProp :math:`h \leftarrow \rho h + (1-\rho) g\odot g,\; W \leftarrow W - \eta\, g/(\sqrt h + \epsilon)`.

    ``torch.optim.RMSprop(lr, alpha=rho, eps=eps)``: eps outside the root.
    Keras ``RMSprop(rho=...)`` adds eps inside.
    """

    def __init__(self, lr=0.001, rho=0.9, eps=1e-7):
        super().__init__(lr)
        self.rho = check_probability("RMSProp", "rho", rho)
        self.eps = check_finite_number("RMSProp", "eps", eps, low=0.0)

    def _step(self, key, p, g):
        h = self._buffers(key, p, "h")["h"]
        h *= self.rho
        h += (1 - self.rho) * g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)

    def _hyper(self):
        return f"lr={self.lr:g}, rho={self.rho:g}, eps={self.eps:g}"


class AdaDelta(Optimizer):
    r"""AdaDelta: running averages of :math:`g^2` and of the steps :math:`\Delta^2`.

    .. math::
        h &\leftarrow \rho h + (1-\rho) g^2,\qquad
        \Delta = \frac{\sqrt{s + \epsilon}}{\sqrt{h + \epsilon}}\, g,\\
        s &\leftarrow \rho s + (1-\rho)\Delta^2,\qquad W \leftarrow W - \eta\Delta

    ``torch.optim.Adadelta(lr, rho, eps)`` (eps inside both roots).
    """

    def __init__(self, lr=1.0, rho=0.95, eps=1e-6):
        super().__init__(lr)
        self.rho = check_probability("AdaDelta", "rho", rho)
        self.eps = check_finite_number("AdaDelta", "eps", eps, low=0.0)

    def _step(self, key, p, g):
        st = self._buffers(key, p, "h", "s")
        h, s = st["h"], st["s"]
        h *= self.rho
        h += (1 - self.rho) * g * g
        delta = np.sqrt(s + self.eps) / np.sqrt(h + self.eps) * g
        s *= self.rho
        s += (1 - self.rho) * delta * delta
        p -= self.lr * delta

    def _hyper(self):
        return f"lr={self.lr:g}, rho={self.rho:g}, eps={self.eps:g}"


class Adam(Optimizer):
    r"""Adam with bias correction.

    .. math::
        m &\leftarrow \beta_1 m + (1-\beta_1) g,\qquad
        v \leftarrow \beta_2 v + (1-\beta_2) g^2,\\
        W &\leftarrow W - \eta\,\frac{m/(1-\beta_1^t)}{\sqrt{v/(1-\beta_2^t)} + \epsilon}

    with :math:`t = 1` on the first update; ``torch.optim.Adam(lr,
    betas=(beta1, beta2), eps=eps)``.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = check_probability("Adam", "beta1", beta1)
        self.beta2 = check_probability("Adam", "beta2", beta2)
        self.eps = check_finite_number("Adam", "eps", eps, low=0.0)

    def _step(self, key, p, g):
        st = self._buffers(key, p, "m", "v")
        m, v = st["m"], st["v"]
        m *= self.beta1
        m += (1 - self.beta1) * g
        v *= self.beta2
        v += (1 - self.beta2) * g * g
        bc1 = 1 - self.beta1 ** self.t
        bc2 = 1 - self.beta2 ** self.t
        p -= (self.lr / bc1) * m / (np.sqrt(v) / np.sqrt(bc2) + self.eps)

    def _hyper(self):
        return (f"lr={self.lr:g}, beta1={self.beta1:g}, "
                f"beta2={self.beta2:g}, eps={self.eps:g}")


class GradientNoise:
    r"""Add Gaussian noise to every gradient before the wrapped optimizer steps.

    :math:`g \leftarrow g + \mathcal N(0, \sigma_t^2)`,
    :math:`\sigma_t^2 = \eta_\mathrm{noise} / (1 + t)^\gamma`
    (Neelakantan et al., 2015), with t = 1 on the first update.
    """

    def __init__(self, optimizer, eta=0.01, gamma=0.55, rng=None):
        self.optimizer = optimizer
        self.eta = check_finite_number("GradientNoise", "eta", eta, low=0.0)
        self.gamma = check_finite_number("GradientNoise", "gamma", gamma,
                                         low=0.0)
        self.rng = as_rng(rng)
        self.t = 0

    @property
    def lr(self):
        return self.optimizer.lr

    @lr.setter
    def lr(self, value):
        self.optimizer.lr = value

    def variance(self, t: int) -> float:
        return self.eta / (1 + t) ** self.gamma

    def update(self, params, grads):
        check_same_keys_and_shapes("GradientNoise.update", params, grads)
        self.t += 1
        std = np.sqrt(self.variance(self.t))
        noisy = {k: g + (std * self.rng.standard_normal(g.shape)).astype(
            g.dtype) for k, g in grads.items()}
        self.optimizer.update(params, noisy)

    def __repr__(self):
        return (f"GradientNoise({self.optimizer!r}, eta={self.eta:g}, "
                f"gamma={self.gamma:g})")
