"""Which parameters a penalty, constraint or snapshot acts on.

By default the *weights only*: the parameters whose name ends in ``"W"``
(``"0.W"``, ``"3.W"``, …), never biases or BatchNorm's γ and β, as in most
texts and in Keras's ``kernel_regularizer``. See Chapter 5.
"""

from __future__ import annotations

from .._validation import error

__all__ = ["select_keys"]


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


def check_keys(where: str, keys):
    """Normalize an optional ``keys`` argument to a tuple of names (or None)."""
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
