"""The data that crosses the sandbox boundary: a strict JSON encoding.

Both sides use this module: the host (:mod:`course_tools.sandbox`) and the
runner inside the sandbox, which loads it from its own copy. It depends on
the standard library and NumPy only. Values are encoded as JSON-compatible
trees; nothing is ever pickled:

============================  ==========================================
value                         encoding
============================  ==========================================
``None``, ``bool``, ``str``   themselves
``int`` (64-bit range)        itself
``float``                     ``{"$f": repr}`` (``nan`` and ``inf`` too)
NumPy array                   ``{"$a": [dtype, shape, base64 bytes]}``
NumPy scalar                  ``{"$s": [dtype, base64 bytes]}``
``list`` / ``tuple``          ``[...]`` / ``{"$t": [...]}``
``dict`` with ``str`` keys    ``{"$d": [[key, value], ...]}``
an object left in the box     ``{"$r": [id, type name]}`` (replies only)
a host function               ``{"$c": id}`` (requests only)
============================  ==========================================

:func:`decode` validates as it goes (depth, number of nodes, bytes of
array data, known dtypes, shape matching the data) and raises
:class:`WireError` with a reason for anything else.
"""

from __future__ import annotations

import base64
import json

import numpy as np

MAX_DEPTH = 12
MAX_NODES = 100_000
MAX_ARRAY_BYTES = 64 << 20
MAX_STRING = 1 << 20
DTYPES = frozenset({"bool", "int8", "int16", "int32", "int64", "uint8",
                    "uint16", "uint32", "uint64", "float16", "float32",
                    "float64", "complex64", "complex128"})
INT_RANGE = (-(1 << 63), (1 << 64) - 1)


class WireError(ValueError):
    """A value that cannot be sent, or a message that breaks the schema."""


class Ref:
    """An object that stays inside the sandbox, named by its id."""

    __slots__ = ("id", "type")

    def __init__(self, id_, type_name):
        self.id, self.type = id_, type_name

    def __repr__(self):
        return f"<{self.type} in the sandbox>"


class Callback:
    """A host function that the sandbox may call back (by id)."""

    __slots__ = ("id",)

    def __init__(self, id_):
        self.id = id_


def _bytes_of(arr):
    return base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode(
        "ascii")


def encode(value, refer=None, callback=None, _depth=0, _count=None):
    """A JSON-compatible tree for ``value``.

    ``refer(obj) -> id`` is called for objects that are not data (the
    runner keeps them and replies with a reference); without it they raise
    WireError. ``callback(fn) -> id`` does the same for host functions.
    """
    count = [0] if _count is None else _count
    count[0] += 1
    if _depth > MAX_DEPTH or count[0] > MAX_NODES:
        raise WireError("value too deeply nested or too large to send")
    d = _depth + 1
    # exact types: subclasses of the data types are not data
    kind = type(value)
    if value is None or kind is bool or kind is str:
        if kind is str and len(value) > MAX_STRING:
            raise WireError(f"string of {len(value)} characters is too long")
        return value
    if kind is int:
        if not INT_RANGE[0] <= value <= INT_RANGE[1]:
            raise WireError("integer out of the 64-bit range")
        return value
    if kind is float:
        return {"$f": repr(value)}
    if kind is np.ndarray:
        if value.dtype.name not in DTYPES:
            raise WireError(f"arrays of dtype {value.dtype} cannot be sent")
        if value.nbytes > MAX_ARRAY_BYTES:
            raise WireError(f"array of {value.nbytes} bytes is too large")
        return {"$a": [value.dtype.name, list(value.shape), _bytes_of(value)]}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy" \
            and value.dtype.name in DTYPES:
        return {"$s": [value.dtype.name, _bytes_of(np.asarray(value))]}
    if kind is list:
        return [encode(v, refer, callback, d, count) for v in value]
    if kind is tuple:
        return {"$t": [encode(v, refer, callback, d, count) for v in value]}
    if kind is dict and all(type(k) is str for k in value):
        return {"$d": [[k, encode(v, refer, callback, d, count)]
                       for k, v in value.items()]}
    if isinstance(value, Ref):
        return {"$r": [value.id, value.type]}
    if callback is not None and callable(value):
        return {"$c": callback(value)}
    if refer is not None:
        return {"$r": [refer(value), _type_name(value)]}
    raise WireError(f"a {_type_name(value)} is not data (expected arrays, "
                    "numbers, strings, lists, tuples or dicts of them)")


def _type_name(value):
    try:
        name = type(value).__name__
    except Exception:
        name = "object"
    return str(name)[:60] if isinstance(name, str) else "object"


def _check_count(count):
    count[0] += 1
    if count[0] > MAX_NODES:
        raise WireError(f"more than {MAX_NODES} values in one message")


def decode(tree, resolve=None, call=None, _depth=0, _count=None):
    """The value ``tree`` encodes; WireError for anything off-schema.

    ``resolve(id, type)`` turns a reference into an object (default: a
    :class:`Ref`); ``call(id)`` turns a callback id into a function (default:
    callbacks are refused).
    """
    count = [0] if _count is None else _count
    _check_count(count)
    if _depth > MAX_DEPTH + 1:
        raise WireError("message nested too deeply")
    d = _depth + 1
    kind = type(tree)
    if tree is None or kind is bool:
        return tree
    if kind is str:
        if len(tree) > MAX_STRING:
            raise WireError("string too long")
        return tree
    if kind is int:
        if not INT_RANGE[0] <= tree <= INT_RANGE[1]:
            raise WireError("integer out of the 64-bit range")
        return tree
    if kind is list:
        return [decode(v, resolve, call, d, count) for v in tree]
    if kind is not dict or len(tree) != 1:
        raise WireError(f"unexpected {kind.__name__} in a message")
    (tag, body), = tree.items()
    if tag == "$f":
        if type(body) is not str or len(body) > 40:
            raise WireError("malformed float")
        try:
            return float(body)
        except ValueError:
            raise WireError("malformed float") from None
    if tag in ("$a", "$s"):
        return _decode_array(tag, body)
    if tag == "$t":
        if type(body) is not list:
            raise WireError("malformed tuple")
        return tuple(decode(v, resolve, call, d, count) for v in body)
    if tag == "$d":
        if type(body) is not list:
            raise WireError("malformed dict")
        out = {}
        for item in body:
            if type(item) is not list or len(item) != 2 \
                    or type(item[0]) is not str:
                raise WireError("malformed dict entry")
            out[item[0]] = decode(item[1], resolve, call, d, count)
        return out
    if tag == "$r":
        if type(body) is not list or len(body) != 2 \
                or type(body[0]) is not int or type(body[1]) is not str:
            raise WireError("malformed reference")
        return (resolve or Ref)(body[0], body[1][:60])
    if tag == "$c":
        if call is None or type(body) is not int:
            raise WireError("unexpected callback")
        return call(body)
    raise WireError(f"unknown tag {tag[:20]!r} in a message")


def _decode_array(tag, body):
    if tag == "$a":
        if type(body) is not list or len(body) != 3:
            raise WireError("malformed array")
        dtype, shape, data = body
        if type(shape) is not list or len(shape) > 32 or not all(
                type(n) is int and 0 <= n for n in shape):
            raise WireError("malformed array shape")
    else:
        if type(body) is not list or len(body) != 2:
            raise WireError("malformed scalar")
        dtype, data = body
        shape = []
    if type(dtype) is not str or dtype not in DTYPES:
        raise WireError(f"dtype {str(dtype)[:20]!r} is not accepted")
    if type(data) is not str or len(data) > MAX_ARRAY_BYTES * 4 // 3 + 4:
        raise WireError("malformed array data")
    try:
        raw = base64.b64decode(data.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise WireError("array data is not base64") from None
    size = 1
    for n in shape:
        size *= n
    if size * np.dtype(dtype).itemsize != len(raw):
        raise WireError(f"array data of {len(raw)} bytes does not match "
                        f"shape {tuple(shape)} and dtype {dtype}")
    arr = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    return arr[()] if tag == "$s" else arr


def dumps(message) -> str:
    """One protocol line (no NaN literals: floats are tagged)."""
    return json.dumps(message, allow_nan=False, separators=(",", ":"))


def loads(line, max_bytes):
    """Parse one protocol line into a dict; WireError when it is not one."""
    if len(line) > max_bytes:
        raise WireError(f"message of {len(line)} bytes exceeds the limit "
                        f"of {max_bytes}")
    try:
        message = json.loads(line, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError,
            ValueError) as exc:
        raise WireError(f"unreadable message ({type(exc).__name__})") \
            from None
    if type(message) is not dict:
        raise WireError("a message must be a JSON object")
    return message


def _no_constant(name):
    raise ValueError(f"bare {name} in a message")
