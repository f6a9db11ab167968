"""course_lib: every technique of *Training Neural Networks, from Scratch* in NumPy.

Modules: ``layers``, ``functional``, ``init``, ``network``, ``trainer``,
``data``, ``gradcheck``, ``plotting``, and one module per later concept
(``optim``, ``schedules``, ``regularization``, ``search``, ...).
"""

from . import data, functional, gradcheck, init, layers, network, plotting
from . import optim
from . import augmentation, regularization
from . import preprocessing, search
from . import diagnostics, widgets
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
    "data",
    "functional",
    "gradcheck",
    "init",
    "layers",
    "load_digits",
    "load_mnist",
    "mlp",
    "network",
    "numerical_gradient",
    "plotting",
    "relative_error",
    "train_val_split",
    "two_moons",
]
