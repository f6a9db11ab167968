"""Single layers, forward + backward: Conv2D, MaxPool2D and BatchNorm.

Each case builds a ``course_lib`` layer and its PyTorch functional peer on
the same float32 arrays. A call runs ``forward(x, train=True)`` then
``backward(dout)``, which returns dx and fills the parameter gradients; the
peer computes the same outputs and gradients with ``torch.autograd.grad``
(no accumulation into ``.grad``). The convolution is
:class:`course_lib.fast.FastConv2D`, whose backward pass groups the sums
of the textbook ``Conv2D`` for speed (same results).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_lib.fast import FastConv2D
from course_lib.layers import MaxPool2D
from course_lib.layers.normalization import BatchNorm


@dataclass
class Case:
    """One layer benchmark; ``course``/``peer`` are zero-argument callables."""

    key: str
    title: str
    course: object = None
    peer: object = None
    flops: float | None = None
    note: str = ""


def _rng():
    return np.random.default_rng(0)


def conv_case(torch, x_shape, F, k, pad, key, dtype=np.float32) -> Case:
    n, c, h, w = x_shape
    title = (f"Conv2D fwd+bwd {x_shape}, {F} filters {k}×{k}, stride 1, "
             f"pad {pad}")
    case = Case(key, title)
    rng = _rng()
    x = rng.standard_normal(x_shape).astype(dtype)
    W = (rng.standard_normal((F, c, k, k)) * np.sqrt(2 / (c * k * k))).astype(
        dtype)
    b = np.zeros(F, dtype=dtype)
    layer = FastConv2D(W, b, stride=1, pad=pad)
    out_h, out_w = h - k + 2 * pad + 1, w - k + 2 * pad + 1
    dout = rng.standard_normal((n, F, out_h, out_w)).astype(dtype)
    # forward, then dW and dx: three products of the same size
    case.flops = 3 * 2 * n * F * c * k * k * out_h * out_w

    case.course = _forward_backward(layer, x, dout)
    if torch is not None:
        tx = torch.from_numpy(x).requires_grad_()
        tW = torch.from_numpy(W.copy()).requires_grad_()
        tb = torch.from_numpy(b.copy()).requires_grad_()
        tdout = torch.from_numpy(dout)
        conv2d = torch.nn.functional.conv2d

        def peer():
            out = conv2d(tx, tW, tb, stride=1, padding=pad)
            torch.autograd.grad(out, (tx, tW, tb), tdout)

        case.peer = peer
        _check_conv(torch, layer, x, dout, tx, tW, tb, pad, case)
    return case


def _check_conv(torch, layer, x, dout, tx, tW, tb, pad, case):
    out = layer.forward(x)
    dx = layer.backward(dout)
    t_out = torch.nn.functional.conv2d(tx, tW, tb, stride=1, padding=pad)
    g = torch.autograd.grad(t_out, (tx, tW), torch.from_numpy(dout))
    err = max(_rel(out, t_out.detach().numpy()), _rel(dx, g[0].numpy()),
              _rel(layer.grads["W"], g[1].numpy()))
    if err > 1e-4:
        case.note = f"results differ from PyTorch (relative error {err:.1e})"


def _forward_backward(layer, x, dout):
    """One training-mode forward and backward pass of ``layer``: the timed step."""
    def step():
        layer.forward(x, train=True)
        layer.backward(dout)
    return step


def _rel(a, b) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-30))


def maxpool_case(torch, x_shape=(100, 30, 24, 24), dtype=np.float32) -> Case:
    case = Case("pool", f"MaxPool2D 2×2 fwd+bwd {x_shape}")
    rng = _rng()
    x = rng.standard_normal(x_shape).astype(dtype)
    n, c, h, w = x_shape
    dout = rng.standard_normal((n, c, h // 2, w // 2)).astype(dtype)
    layer = MaxPool2D(2, 2)

    case.course = _forward_backward(layer, x, dout)
    if torch is not None:
        tx = torch.from_numpy(x).requires_grad_()
        tdout = torch.from_numpy(dout)
        max_pool2d = torch.nn.functional.max_pool2d

        def peer():
            out = max_pool2d(tx, 2, 2)
            torch.autograd.grad(out, (tx,), tdout)

        case.peer = peer
        out = layer.forward(x)
        dx = layer.backward(dout)
        t_out = max_pool2d(tx, 2, 2)
        (t_dx,) = torch.autograd.grad(t_out, (tx,), tdout)
        err = max(_rel(out, t_out.detach().numpy()), _rel(dx, t_dx.numpy()))
        if err > 1e-6:
            case.note = f"results differ from PyTorch (relative error {err:.1e})"
    return case


def batchnorm_case(torch, x_shape, key, dtype=np.float32) -> Case:
    case = Case(key, f"BatchNorm fwd+bwd {x_shape}")
    rng = _rng()
    x = rng.standard_normal(x_shape).astype(dtype)
    dout = rng.standard_normal(x_shape).astype(dtype)
    C = x_shape[1]
    gamma = (1 + 0.1 * rng.standard_normal(C)).astype(dtype)
    beta = (0.1 * rng.standard_normal(C)).astype(dtype)
    layer = BatchNorm(gamma, beta, momentum=0.9, eps=1e-5)

    case.course = _forward_backward(layer, x, dout)
    if torch is not None:
        tx = torch.from_numpy(x).requires_grad_()
        tg = torch.from_numpy(gamma.copy()).requires_grad_()
        tb = torch.from_numpy(beta.copy()).requires_grad_()
        tdout = torch.from_numpy(dout)
        running_mean = torch.zeros(C, dtype=tx.dtype)
        running_var = torch.ones(C, dtype=tx.dtype)
        batch_norm = torch.nn.functional.batch_norm

        def forward():
            return batch_norm(tx, running_mean, running_var, tg, tb,
                              training=True, momentum=0.1, eps=1e-5)

        def peer():
            torch.autograd.grad(forward(), (tx, tg, tb), tdout)

        case.peer = peer
        out = layer.forward(x)
        dx = layer.backward(dout)
        g = torch.autograd.grad(forward(), (tx, tg), tdout)
        err = max(_rel(out, forward().detach().numpy()),
                  _rel(dx, g[0].numpy()),
                  _rel(layer.grads["gamma"], g[1].numpy()))
        if err > 1e-4:
            case.note = f"results differ from PyTorch (relative error {err:.1e})"
    return case


def all_cases(torch) -> list[Case]:
    return [
        conv_case(torch, (100, 1, 28, 28), 30, 5, 0, "conv1"),
        conv_case(torch, (64, 16, 14, 14), 32, 3, 1, "conv2"),
        maxpool_case(torch),
        batchnorm_case(torch, (128, 100), "bn1"),
        batchnorm_case(torch, (64, 32, 14, 14), "bn2"),
    ]
