r"""Gradient-descent optimizers. See Chapter 2.

Every optimizer has a learning rate ``lr`` (a validated property that a
schedule may change between updates) and ``update(params, grads)``, which
changes the arrays of ``params`` **in place** (``p -= step``; the dict is
never rebound, so every layer that shares an array sees the new values)
and keeps its state per key, created lazily on the first update. The step
counter ``t`` counts updates: the first update uses ``t = 1``.

With a constant learning rate each trajectory equals the ``torch.optim``
class named in its docstring, given the same hyperparameters:

============  ==============================================
course_lib    PyTorch
============  ==============================================
SGD           ``SGD(lr)``
Momentum      ``SGD(lr, momentum)``
Nesterov      ``SGD(lr, momentum, nesterov=True)``
AdaGrad       ``Adagrad(lr, eps=eps)``
RMSProp       ``RMSprop(lr, alpha=rho, eps=eps)``
AdaDelta      ``Adadelta(lr, rho, eps)``
Adam          ``Adam(lr, betas=(beta1, beta2), eps=eps)``
============  ==============================================
"""

from __future__ import annotations

import copy
import math

import numpy as np

from ._validation import (
    as_rng,
    check_finite_number,
    check_probability,
    check_same_keys_and_shapes,
    error,
)

__all__ = ["AdaDelta", "AdaGrad", "Adam", "GradientNoise", "Momentum",
           "Nesterov", "Optimizer", "RMSProp", "SGD"]


def _check_float_params(where: str, params: dict) -> None:
    for k, p in params.items():
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            got = (f"dtype {p.dtype}" if isinstance(p, np.ndarray)
                   else type(p).__name__)
            raise error(where, f"params[{k!r}]", "a floating-point ndarray "
                        "(updated in place)", got, kind=TypeError)


def _quick_ok(params: dict, grads: dict) -> bool:
    # One cheap pass for the common, valid case; the detailed checks (and
    # their messages) run only when something is off.
    if params.keys() != grads.keys():
        return False
    for k, p in params.items():
        if (type(p) is not np.ndarray or p.dtype.kind != "f"
                or np.shape(grads[k]) != p.shape):
            return False
    return True


class Optimizer:
    r"""Base class: a validated ``lr``, per-key state and a step counter.

    Subclasses implement ``_step(key, p, g)``, which updates one array
    ``p`` in place from its gradient ``g`` using ``self.t`` (1 on the
    first update) and buffers from :meth:`_buffers`.

    Attributes
    ----------
    lr : float
        Learning rate; the setter raises ``ValueError`` unless it is a
        finite number > 0 (``TypeError`` for a non-number).
    t : int
        Number of updates done so far.
    state : dict
        ``key -> {buffer name -> ndarray}``, same shape and dtype as the
        parameter.
    """

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
        """Change every array of ``params`` in place by one step.

        Raises
        ------
        ValueError
            If ``grads`` lacks a key of ``params``, has an extra one, or a
            gradient's shape differs from its parameter's (the message
            names the key and both shapes).
        TypeError
            If a parameter is not a floating-point ndarray.
        """
        if not _quick_ok(params, grads):
            where = f"{type(self).__name__}.update"
            check_same_keys_and_shapes(where, params, grads)
            _check_float_params(where, params)
        self.t += 1
        self._apply(params, grads)

    def _apply(self, params: dict, grads: dict) -> None:
        """One step of every array; subclasses may batch the arrays."""
        for key, p in params.items():
            self._step(key, p, grads[key])

    def _buffers(self, key, p, *names) -> dict:
        st = self.state.get(key)
        if st is None:
            st = self.state[key] = {n: np.zeros_like(p) for n in names}
        return st

    def _step(self, key, p, g):
        raise NotImplementedError

    def state_dict(self) -> dict:
        """A deep copy ``{"lr", "t", "state"}`` (arrays copied)."""
        return {"lr": self.lr, "t": self.t, "state": copy.deepcopy(self.state)}

    def load_state_dict(self, state: dict) -> None:
        """Restore from :meth:`state_dict` output (copied, not aliased)."""
        where = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, dict) or not {"lr", "t", "state"} <= set(
                state):
            raise error(where, "state", "a dict with keys 'lr', 't', "
                        "'state' (from state_dict())",
                        sorted(state) if isinstance(state, dict)
                        else type(state).__name__)
        self.lr = state["lr"]
        self.t = int(state["t"])
        self.state = copy.deepcopy(state["state"])

    def _hyper(self) -> str:
        return f"lr={self.lr:g}"

    def __repr__(self):
        return f"{type(self).__name__}({self._hyper()})"


class SGD(Optimizer):
    r"""Plain (mini-batch) gradient descent.

    .. math::
        W \leftarrow W - \eta\, \frac{\partial L}{\partial W}

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta` (> 0).

    Raises
    ------
    ValueError
        For a learning rate that is not a finite number > 0.

    Notes
    -----
    PyTorch ``torch.optim.SGD(params, lr)``; Keras
    ``optimizers.SGD(learning_rate)``. See Chapter 2.

    Examples
    --------
    >>> W = np.array([1.0, -2.0])
    >>> SGD(lr=0.5).update({"W": W}, {"W": np.array([2.0, 2.0])})
    >>> W
    array([ 0., -3.])
    """

    def __init__(self, lr=0.01):
        super().__init__(lr)

    def _step(self, key, p, g):
        p -= self.lr * g


class Momentum(Optimizer):
    r"""Gradient descent with momentum (the heavy ball).

    .. math::
        v \leftarrow \alpha v - \eta\, g, \qquad W \leftarrow W + v

    with :math:`g = \partial L/\partial W` and :math:`v = 0` before the first
    update.

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta` (> 0).
    momentum : float, default 0.9
        :math:`\alpha \in [0, 1)`, the fraction of the previous step kept;
        0 gives plain SGD.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, or ``momentum`` outside [0, 1).

    Notes
    -----
    PyTorch ``torch.optim.SGD(lr, momentum)`` keeps a buffer
    :math:`b \leftarrow \alpha b + g` and steps :math:`W \leftarrow W - \eta b`.
    For a constant :math:`\eta`, :math:`v = -\eta b` and the trajectories are
    identical; when a schedule changes :math:`\eta`, PyTorch rescales the
    whole buffer at once while :math:`v` remembers the old rates. Keras
    ``SGD(learning_rate, momentum)`` uses the velocity form above. See
    Chapter 2.
    """

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = check_probability(type(self).__name__, "momentum",
                                          momentum)

    def _step(self, key, p, g):
        v = self._buffers(key, p, "v")["v"]
        v *= self.momentum
        v -= self.lr * g
        p += v

    def _hyper(self):
        return f"lr={self.lr:g}, momentum={self.momentum:g}"


class Nesterov(Momentum):
    r"""Nesterov momentum: the step is corrected by a look-ahead gradient.

    .. math::
        v \leftarrow \alpha v - \eta\, g, \qquad
        W \leftarrow W + \alpha v - \eta\, g

    This is Nesterov's accelerated gradient rewritten in the variable
    :math:`W` that sits one momentum step ahead, so the gradient is taken
    at the point where the parameters are stored (no second evaluation).

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta` (> 0).
    momentum : float, default 0.9
        :math:`\alpha \in [0, 1)`.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, or ``momentum`` outside [0, 1).

    Notes
    -----
    Equal, for a constant ``lr``, to ``torch.optim.SGD(lr, momentum,
    nesterov=True)``, which steps :math:`W \leftarrow W - \eta(g + \alpha b)`
    with :math:`b \leftarrow \alpha b + g`. Keras: ``SGD(learning_rate,
    momentum, nesterov=True)``. See Chapter 2.
    """

    def _step(self, key, p, g):
        v = self._buffers(key, p, "v")["v"]
        v *= self.momentum
        v -= self.lr * g
        p += self.momentum * v - self.lr * g


class AdaGrad(Optimizer):
    r"""AdaGrad: a per-weight rate that shrinks with the accumulated squares.

    .. math::
        h \leftarrow h + g \odot g, \qquad
        W \leftarrow W - \eta\, \frac{g}{\sqrt{h} + \epsilon}

    Parameters
    ----------
    lr : float, default 0.01
        Learning rate :math:`\eta` (> 0).
    eps : float, default 1e-7
        :math:`\epsilon \ge 0`, added **outside** the square root.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, or negative ``eps``.

    Notes
    -----
    :math:`h` only grows, so every step shrinks, like
    :math:`\eta/\sqrt{t}` for a steady gradient: AdaGrad can stall before
    it arrives. PyTorch ``torch.optim.Adagrad(lr, eps=eps)`` (its default
    eps is 1e-10); Keras ``Adagrad`` also puts eps outside the root but
    starts :math:`h` at 0.1. See Chapter 2.
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
    r"""RMSProp: divide by a running root-mean-square of recent gradients.

    .. math::
        h \leftarrow \rho h + (1-\rho)\, g \odot g, \qquad
        W \leftarrow W - \eta\, \frac{g}{\sqrt{h} + \epsilon}

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate :math:`\eta` (> 0).
    rho : float, default 0.9
        :math:`\rho \in [0, 1)`, the decay of the running average.
    eps : float, default 1e-7
        :math:`\epsilon \ge 0`, added **outside** the square root.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, ``rho`` outside [0, 1) or negative
        ``eps``.

    Notes
    -----
    PyTorch ``torch.optim.RMSprop(lr, alpha=rho, eps=eps)`` (default
    alpha 0.99, eps 1e-8). Keras ``RMSprop(learning_rate, rho, epsilon)``
    adds epsilon *inside* the root, :math:`\sqrt{h + \epsilon}`: with
    :math:`\epsilon` far below :math:`h` the two agree. See Chapter 2.
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
    r"""AdaDelta: running averages of squared gradients and squared steps.

    .. math::
        h &\leftarrow \rho h + (1-\rho)\, g^2, \\
        \Delta &= \frac{\sqrt{s + \epsilon}}{\sqrt{h + \epsilon}}\, g, \\
        s &\leftarrow \rho s + (1-\rho)\, \Delta^2, \\
        W &\leftarrow W - \eta\, \Delta

    The ratio of the two root-mean-squares gives :math:`\Delta` the units
    of :math:`W`, so :math:`\eta = 1` (Zeiler's rule) needs no tuning.

    Parameters
    ----------
    lr : float, default 1.0
        A multiplier :math:`\eta` (> 0) on the step; 1 is the original
        method.
    rho : float, default 0.95
        :math:`\rho \in [0, 1)` of both running averages.
    eps : float, default 1e-6
        :math:`\epsilon \ge 0`, **inside** both square roots; it also sets
        the size of the first steps, :math:`\approx \sqrt{\epsilon}`.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, ``rho`` outside [0, 1) or negative
        ``eps``.

    Notes
    -----
    PyTorch ``torch.optim.Adadelta(lr, rho, eps)`` (defaults 1.0, 0.9,
    1e-6); Keras ``Adadelta(learning_rate, rho, epsilon)`` (Keras's default
    rate is 0.001, which makes it very slow). See Chapter 2.
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
    r"""Adam: momentum on the gradient, RMSProp on its square, bias-corrected.

    .. math::
        m &\leftarrow \beta_1 m + (1-\beta_1)\, g, \qquad
        v \leftarrow \beta_2 v + (1-\beta_2)\, g^2, \\
        W &\leftarrow W - \frac{\eta}{1-\beta_1^t}\,
        \frac{m}{\sqrt{v}/\sqrt{1-\beta_2^t} + \epsilon}

    with :math:`t = 1` on the first update. Without :math:`\epsilon` this is
    :math:`W \leftarrow W - \eta\, \hat m / \sqrt{\hat v}` with
    :math:`\hat m = m/(1-\beta_1^t)`, :math:`\hat v = v/(1-\beta_2^t)`.

    Parameters
    ----------
    lr : float, default 0.001
        Learning rate :math:`\eta` (> 0).
    beta1, beta2 : float, default 0.9 and 0.999
        Decays in [0, 1) of the first and second moment estimates.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added outside the root, after the bias
        correction of :math:`v`.

    Raises
    ------
    ValueError
        For ``lr`` not finite and > 0, a beta outside [0, 1) or negative
        ``eps``.

    Notes
    -----
    The placement of eps is PyTorch's: ``torch.optim.Adam(lr,
    betas=(beta1, beta2), eps=eps)``. Keras ``Adam(learning_rate, beta_1,
    beta_2, epsilon)`` adds epsilon to :math:`\sqrt{v}` before the
    correction (as the paper's efficient form); the difference only matters
    when :math:`\sqrt{\hat v}` is comparable to eps. See Chapter 2.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = check_probability("Adam", "beta1", beta1)
        self.beta2 = check_probability("Adam", "beta2", beta2)
        self.eps = check_finite_number("Adam", "eps", eps, low=0.0)
        # Every operation writes into m, v or a scratch array, so an update
        # allocates nothing; the scalars are Python floats, so float32
        # stays float32.
        self._scratch: dict[str, tuple] = {}
        self._layout = None

    def _apply(self, params, grads):
        # The bias corrections depend on t only: work them out once per
        # update. Denominator sqrt(v)/sqrt(bc2) + eps and step
        # (lr/bc1)·m/denom are folded into m / (sqrt(v)·a + e) with
        # a = bc1/(lr·sqrt(bc2)) and e = eps·bc1/lr (one pass fewer).
        bc1 = 1 - self.beta1 ** self.t
        sqrt_bc2 = math.sqrt(1 - self.beta2 ** self.t)
        self._coef = (bc1 / (self.lr * sqrt_bc2), self.eps * bc1 / self.lr)
        flat = self._flat_layout(params)
        if flat is None:
            super()._apply(params, grads)
            return
        # All arrays at once: the moments live in flat buffers (state
        # holds views of them), so most of the arithmetic is a dozen NumPy
        # calls per update instead of a dozen per parameter array.
        m, v, g_scaled, g_squared, views = flat
        for key, (scaled, squared) in views.items():
            g = grads[key]
            np.multiply(g, 1 - self.beta1, out=scaled)
            np.multiply(g, g, out=squared)
        self._moments_and_step(m, v, g_scaled, g_squared)
        for key, p in params.items():
            p -= views[key][0]

    def _moments_and_step(self, m, v, g_scaled, g_squared):
        """m, v <- moments; g_scaled <- the step (lr/bc1)·m/denom.

        Takes (1 - beta1)·g and g² (both overwritten), all in place.
        """
        m *= self.beta1
        m += g_scaled
        g_squared *= 1 - self.beta2
        v *= self.beta2
        v += g_squared
        a, e = self._coef
        step = np.sqrt(v, out=g_scaled)
        step *= a
        step += e
        np.divide(m, step, out=step)

    def _flat_layout(self, params):
        """Flat buffers for m, v and two scratch arrays, with per-key views.

        Built once and reused while the keys, shapes and dtype stay the
        same and ``state`` still holds its views (``load_state_dict``
        replaces them: the moments are then copied into new buffers).
        Returns None when the parameters do not share one dtype.
        """
        layout = self._layout
        if layout is not None and layout[0] == [
                (k, p.shape, p.dtype) for k, p in params.items()] and all(
                self.state.get(k) is st and st["m"] is m and st["v"] is v
                for k, (st, m, v) in layout[1].items()):
            return layout[2]
        dtypes = {p.dtype for p in params.values()}
        if len(dtypes) != 1:
            self._layout = None
            return None
        dtype = dtypes.pop()
        total = sum(p.size for p in params.values())
        m, v, g_scaled, g_squared = (np.zeros(total, dtype=dtype)
                                     for _ in range(4))
        views, owned, start = {}, {}, 0
        for key, p in params.items():
            sl = slice(start, start + p.size)
            start += p.size
            st = {"m": m[sl].reshape(p.shape), "v": v[sl].reshape(p.shape)}
            old = self.state.get(key)
            if old is not None and np.shape(old["m"]) == p.shape:
                st["m"][...] = old["m"]  # moments from earlier updates
                st["v"][...] = old["v"]
            self.state[key] = st
            owned[key] = (st, st["m"], st["v"])
            views[key] = (g_scaled[sl].reshape(p.shape),
                          g_squared[sl].reshape(p.shape))
        flat = (m, v, g_scaled, g_squared, views)
        self._layout = ([(k, p.shape, p.dtype) for k, p in params.items()],
                        owned, flat)
        return flat

    def __getstate__(self):
        # A copy or a pickle keeps ``state``; its flat buffers are rebuilt
        # from it on the next update (copied views would not alias them).
        attrs = self.__dict__.copy()
        attrs["_layout"] = None
        attrs["_scratch"] = {}
        return attrs

    def _step(self, key, p, g):
        # one array at a time (parameters of mixed dtypes)
        st = self._buffers(key, p, "m", "v")
        scratch = self._scratch.get(key)
        if scratch is None or scratch[0].shape != p.shape or (
                scratch[0].dtype != p.dtype):
            scratch = self._scratch[key] = (np.empty_like(p),
                                            np.empty_like(p))
        scaled, squared = scratch
        np.multiply(g, 1 - self.beta1, out=scaled)
        np.multiply(g, g, out=squared)
        self._moments_and_step(st["m"], st["v"], scaled, squared)
        p -= scaled

    def _hyper(self):
        return (f"lr={self.lr:g}, beta1={self.beta1:g}, "
                f"beta2={self.beta2:g}, eps={self.eps:g}")


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
        check_same_keys_and_shapes("GradientNoise.update", params, grads)
        self.t += 1
        std = math.sqrt(self.variance(self.t))
        noisy = {}
        for k, g in grads.items():
            g = np.asarray(g)
            noise = self.rng.standard_normal(g.shape)
            noise *= std
            noisy[k] = g + noise.astype(g.dtype, copy=False)
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
