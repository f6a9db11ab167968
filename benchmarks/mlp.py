"""The MLP training step: forward, backward and an Adam update.

``course_lib`` uses :class:`course_lib.fast.FastAdam`, the textbook Adam's
update computed on flat buffers (tested equal to it), as the peer uses
PyTorch's fused Adam.

784-100-100-100-100-100-10 with ReLU and softmax cross-entropy, as built by
``course_lib.network.mlp``; the PyTorch peer is the same ``nn.Sequential``
of ``nn.Linear``/``nn.ReLU`` with ``nn.CrossEntropyLoss`` and
``torch.optim.Adam`` (default hyperparameters, ``fused=True``: PyTorch's
fastest Adam on the CPU), starting from the very same weights.
"""

from __future__ import annotations

import numpy as np

from course_lib.fast import FastAdam
from course_lib.network import mlp

SIZES = (784, 100, 100, 100, 100, 100, 10)
LR = 1e-3


def step_flops(sizes, batch: int) -> int:
    """Multiply-adds ×2 of the matrix products one training step needs.

    Forward ``x W`` and backward ``x^T dout`` (dW) for every layer, and
    ``dout W^T`` (dx) for every layer but the first, whose input is data:
    neither library computes that gradient. Element-wise work is not
    counted.
    """
    macs = [d * m for d, m in zip(sizes[:-1], sizes[1:], strict=True)]
    return 2 * batch * (3 * sum(macs) - macs[0])


def make_batch(batch: int, dtype, seed: int = 0, n_in: int = SIZES[0],
               n_out: int = SIZES[-1]):
    rng = np.random.default_rng(seed)
    x = rng.random((batch, n_in), dtype=np.float64).astype(dtype)
    t = rng.integers(0, n_out, batch)
    return x, t


class CourseStep:
    """One ``course_lib`` training step, as :class:`Trainer` runs it."""

    def __init__(self, batch: int, dtype, sizes=SIZES, seed: int = 0):
        self.net = mlp(list(sizes), rng=seed, dtype=dtype)
        self.opt = FastAdam(LR)   # the plain Adam's rule on flat buffers
        self.params = self.net.params
        self.x, self.t = make_batch(batch, dtype, seed, sizes[0], sizes[-1])

    def __call__(self) -> float:
        loss, grads = self.net.train_step(self.x, self.t)
        self.opt.update(self.params, grads)
        return loss


def torch_adam(torch, parameters):
    """``torch.optim.Adam(lr=LR)``, fused into one kernel where supported."""
    parameters = list(parameters)
    try:
        return torch.optim.Adam(parameters, lr=LR, fused=True)
    except (RuntimeError, TypeError, ValueError):  # older or exotic builds
        return torch.optim.Adam(parameters, lr=LR)


class TorchStep:
    """The PyTorch step on the same data, from the same initial weights."""

    def __init__(self, torch, course: CourseStep):
        nn = torch.nn
        layers = []
        affine = [layer for layer in course.net.layers
                  if "W" in layer.params]
        for i, layer in enumerate(affine):
            W, b = layer.params["W"], layer.params["b"]
            lin = nn.Linear(W.shape[0], W.shape[1],
                            dtype=torch.from_numpy(W).dtype)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(W.T.copy()))
                lin.bias.copy_(torch.from_numpy(b))
            layers.append(lin)
            if i < len(affine) - 1:
                layers.append(nn.ReLU())
        self.model = nn.Sequential(*layers)
        self.opt = torch_adam(torch, self.model.parameters())
        self.loss_fn = nn.CrossEntropyLoss()
        self.x = torch.from_numpy(course.x)
        self.t = torch.from_numpy(course.t)

    def __call__(self) -> float:
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.x), self.t)
        loss.backward()
        self.opt.step()
        return loss.item()


def first_losses_agree(torch, batch: int, dtype, steps: int = 3) -> float:
    """Largest relative difference of the losses of the first few steps.

    A guard that both sides compute the same thing (same weights, data,
    loss and optimizer); it should be at rounding level.
    """
    course = CourseStep(batch, dtype)
    peer = TorchStep(torch, course)
    worst = 0.0
    for _ in range(steps):
        a, b = course(), peer()
        worst = max(worst, abs(a - b) / max(abs(b), 1e-12))
    return worst


class MatmulsOnly:
    """Just the step's matrix products, back to back, in NumPy.

    The practical limit for this network and batch size: what the step
    would cost if everything else were free.
    """

    def __init__(self, batch: int, dtype, sizes=SIZES, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.ops = []
        pairs = zip(sizes[:-1], sizes[1:], strict=True)
        for i, (d, m) in enumerate(pairs):
            x = rng.standard_normal((batch, d)).astype(dtype)
            W = rng.standard_normal((d, m)).astype(dtype)
            dout = rng.standard_normal((batch, m)).astype(dtype)
            self.ops.append((x, W, dout, i > 0))

    def __call__(self) -> None:
        for x, W, dout, need_dx in self.ops:
            x @ W
            x.T @ dout
            if need_dx:
                dout @ W.T
