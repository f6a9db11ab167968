"""The textbook forms against their fast twins in ``course_lib.fast``.

The chapters run :class:`course_lib.optim.Adam` and
:class:`course_lib.layers.Conv2D`, written the way the book writes them;
the PyTorch comparisons time :class:`course_lib.fast.FastAdam` and
:class:`course_lib.fast.FastConv2D`, which compute the same numbers
(``tests/test_fast_paths.py``). Each case here times both on the same
arrays, so the table shows what the fast forms buy.
"""

from __future__ import annotations

import numpy as np

from course_lib.fast import FastAdam, FastConv2D
from course_lib.layers import Conv2D
from course_lib.network import mlp
from course_lib.optim import Adam

from .mlp import LR, SIZES


def adam_case(dtype):
    """One Adam update of the benchmark MLP's 119,910 parameters."""
    net = mlp(list(SIZES), rng=0, dtype=dtype)
    rng = np.random.default_rng(0)
    grads = {k: (1e-3 * rng.standard_normal(v.shape)).astype(dtype)
             for k, v in net.params.items()}

    def make(cls):
        params = {k: v.copy() for k, v in net.params.items()}
        opt = cls(LR)
        return lambda: opt.update(params, grads)

    title = f"Adam update, MLP parameters, {np.dtype(dtype).name}"
    return title, make(Adam), make(FastAdam)


def conv_case(x_shape, F, k, pad, dtype=np.float32):
    """Forward and backward of one convolution layer."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(dtype)
    W = (rng.standard_normal((F, x_shape[1], k, k))
         * np.sqrt(2 / (x_shape[1] * k * k))).astype(dtype)
    b = np.zeros(F, dtype=dtype)

    def make(cls):
        layer = cls(W, b, stride=1, pad=pad)
        dout = rng.standard_normal(layer.output_shape(x_shape)).astype(dtype)

        def step():
            layer.forward(x, train=True)
            layer.backward(dout)
        return step

    title = (f"Conv2D fwd+bwd {x_shape}, {F} filters {k}×{k}, pad {pad}, "
             f"{np.dtype(dtype).name}")
    return title, make(Conv2D), make(FastConv2D)


def all_cases():
    return [adam_case(np.float32), adam_case(np.float64),
            conv_case((100, 1, 28, 28), 30, 5, 0),
            conv_case((64, 16, 14, 14), 32, 3, 1)]
