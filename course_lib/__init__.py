"""course_lib: every technique of *Training Neural Networks, from Scratch* in NumPy.

Modules: ``layers``, ``functional``, ``init``, ``network``, ``trainer``,
``data``, ``gradcheck``, and one module per later concept (``optim``,
``schedules``, ``regularization``, ``search``, ...). ``import course_lib``
loads this NumPy core only; the figures and interactive views live in
:mod:`course_lib.figures`, which the chapters import explicitly (it needs
matplotlib).
"""

from . import (
    augmentation,
    data,
    diagnostics,
    functional,
    gradcheck,
    init,
    layers,
    network,
    optim,
    preprocessing,
    regularization,
    search,
)
from .data import load_digits, load_mnist, train_val_split, two_moons
from .gradcheck import numerical_gradient, relative_error
from .layers import (
    Affine,
    Flatten,
    ReLU,
    Sigmoid,
    SoftmaxWithLoss,
    Tanh,
)
from .network import Sequential, mlp
from .trainer import Callback, History, Trainer

__version__ = "0.1.0"

__all__ = [
    "Affine",
    "Callback",
    "Flatten",
    "History",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SoftmaxWithLoss",
    "Tanh",
    "Trainer",
    "augmentation",
    "data",
    "diagnostics",
    "functional",
    "gradcheck",
    "init",
    "layers",
    "load_digits",
    "load_mnist",
    "mlp",
    "network",
    "numerical_gradient",
    "optim",
    "preprocessing",
    "regularization",
    "relative_error",
    "search",
    "train_val_split",
    "two_moons",
]
