r"""Gradient-descent optimizers and gradient clipping. See Chapter 2.

Every optimizer has a learning rate ``lr`` (a validated property that a
schedule may change between updates) and ``update(params, grads)``, which
changes the arrays of ``params`` **in place** (``p -= step``; the dict is
never rebound, so every layer that shares an array sees the new values)
and keeps its state per key, created lazily on the first update. The step
counter ``t`` counts updates: the first update uses ``t = 1``; ``steps``
counts them per key.

Each class's ``_step`` is its update rule as Chapter 2 writes it, one
array at a time. :mod:`course_lib.fast` holds faster forms of the same
rules (tested equal), for the benchmarks.

With a constant learning rate each trajectory equals the ``torch.optim``
class named in its docstring, given the same hyperparameters:

============  ==============================================
course_lib    PyTorch
============  ==============================================
SGD           ``SGD(lr, weight_decay=weight_decay)``
Momentum      ``SGD(lr, momentum)``
Nesterov      ``SGD(lr, momentum, nesterov=True)``
AdaGrad       ``Adagrad(lr, eps=eps)``
RMSProp       ``RMSprop(lr, alpha=rho, eps=eps)``
AdaDelta      ``Adadelta(lr, rho, eps)``
Adam          ``Adam(lr, betas=(beta1, beta2), eps=eps)``
AdamW         ``AdamW(lr, betas=(beta1, beta2), eps=eps, weight_decay)``
============  ==============================================

:func:`clip_grad_norm` equals ``torch.nn.utils.clip_grad_norm_``.
"""

from __future__ import annotations

from .adam import Adam, AdamW
from .adaptive import AdaDelta, AdaGrad, RMSProp
from .base import Optimizer
from .clip import clip_grad_norm
from .noise import GradientNoise
from .sgd import SGD, Momentum, Nesterov

__all__ = ["AdaDelta", "AdaGrad", "Adam", "AdamW", "GradientNoise",
           "Momentum", "Nesterov", "Optimizer", "RMSProp", "SGD",
           "clip_grad_norm"]
