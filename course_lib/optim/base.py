r"""The optimizer base class: a validated ``lr``, per-key state, step counts.

Subclasses write only ``_step(key, p, g)``: the update rule of one array,
as Chapter 2 writes it. Everything else (validation, lazy state, counters,
``state_dict``) lives here, once.
"""

from __future__ import annotations

import copy
import inspect

import numpy as np

from .._validation import check_finite_number, check_same_keys_and_shapes, error

__all__ = ["Optimizer", "check_grads", "positive_eps"]


def check_grads(where: str, params: dict, grads: dict) -> None:
    """Validate ``params`` and ``grads`` for an in-place update.

    The same rule for every optimizer: the keys and shapes match, every
    parameter is a floating-point ndarray (it is updated in place) and
    every gradient is a numeric ndarray (a list is rejected, not guessed).

    Raises
    ------
    ValueError
        For missing or extra keys, or a gradient whose shape differs from
        its parameter's (the message names the key and both shapes).
    TypeError
        For a parameter that is not a floating-point ndarray, or a gradient
        that is not a numeric ndarray (e.g. a list).
    """
    if not isinstance(params, dict) or not isinstance(grads, dict):
        name, bad = (("params", params) if not isinstance(params, dict)
                     else ("grads", grads))
        raise error(where, name, "a dict of name -> ndarray",
                    type(bad).__name__, kind=TypeError)
    check_same_keys_and_shapes(where, params, grads)
    for k, p in params.items():
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            got = (f"dtype {p.dtype}" if isinstance(p, np.ndarray)
                   else type(p).__name__)
            raise error(where, f"params[{k!r}]", "a floating-point ndarray "
                        "(updated in place)", got, kind=TypeError)
        g = grads[k]
        if not isinstance(g, np.ndarray) or g.dtype.kind not in "fiu":
            got = (f"dtype {g.dtype}" if isinstance(g, np.ndarray)
                   else type(g).__name__)
            raise error(where, f"grads[{k!r}]", "a numpy.ndarray of numbers",
                        got, hint="Convert it with np.asarray(...).",
                        kind=TypeError)


def _quick_ok(params: dict, grads: dict) -> bool:
    # One cheap pass for the common, valid case; check_grads (and its
    # messages) runs only when something is off.
    if type(params) is not dict or type(grads) is not dict or (
            params.keys() != grads.keys()):
        return False
    for k, p in params.items():
        g = grads[k]
        if (type(p) is not np.ndarray or p.dtype.kind != "f"
                or type(g) is not np.ndarray or g.dtype.kind not in "fiu"
                or g.shape != p.shape):
            return False
    return True


class Optimizer:
    r"""Base class: a validated ``lr``, per-key state and step counters.

    Subclasses implement ``_step(key, p, g)``, which updates one array
    ``p`` in place from its gradient ``g``; :meth:`_buffers` gives the
    key's state (zeros on its first update) and ``self.steps[key]`` the
    number of updates of that key, this one included (1 on its first).

    Attributes
    ----------
    lr : float
        Learning rate; the setter raises ``ValueError`` unless it is a
        finite number > 0 (``TypeError`` for a non-number).
    t : int
        Number of updates done so far.
    steps : dict
        ``key -> number of updates of that key``. Equal to ``t`` for every
        key, unless a key joined later: it then counts from 1, as PyTorch
        counts ``state["step"]`` per parameter.
    state : dict
        ``key -> {buffer name -> ndarray}``, same shape and dtype as the
        parameter.
    """

    def __init__(self, lr):
        self.lr = lr
        self.state: dict[str, dict[str, np.ndarray]] = {}
        self.steps: dict[str, int] = {}
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
            If a parameter is not a floating-point ndarray or a gradient is
            not a numeric ndarray (a list, say); nothing is updated.
        """
        if not _quick_ok(params, grads):
            check_grads(f"{type(self).__name__}.update", params, grads)
        self.t += 1
        for key in params:
            self.steps[key] = self.steps.get(key, 0) + 1
        self._apply(params, grads)

    def _apply(self, params: dict, grads: dict) -> None:
        """One step of every array (a fast subclass may batch them)."""
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
        """A deep copy ``{"lr", "t", "steps", "state"}`` (arrays copied)."""
        return {"lr": self.lr, "t": self.t, "steps": dict(self.steps),
                "state": copy.deepcopy(self.state)}

    def load_state_dict(self, state: dict) -> None:
        """Restore from :meth:`state_dict` output (copied, not aliased).

        A dict without ``"steps"`` (saved before per-key counts existed)
        gives every key of its state the count ``t``.
        """
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
        steps = state.get("steps")
        self.steps = ({k: self.t for k in self.state} if steps is None
                      else {k: int(n) for k, n in steps.items()})

    def _hyper(self) -> str:
        """``name=value`` of each constructor argument, in signature order
        (they are stored under their own names)."""
        parts = []
        for name, arg in inspect.signature(type(self)).parameters.items():
            if arg.kind in (arg.VAR_POSITIONAL, arg.VAR_KEYWORD) or not \
                    hasattr(self, name):
                continue
            value = getattr(self, name)
            parts.append(f"{name}={value:g}" if isinstance(value, float)
                         else f"{name}={value!r}")
        return ", ".join(parts)

    def __repr__(self):
        return f"{type(self).__name__}({self._hyper()})"


def positive_eps(where: str, eps) -> float:
    """``eps`` must be a finite number > 0 (it guards a division)."""
    return check_finite_number(where, "eps", eps, low=0.0, low_open=True)
