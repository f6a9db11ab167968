"""Layers: each has ``params``, ``grads``, ``forward(x, train)``, ``backward(dout)``."""

from .activations import ReLU, Sigmoid, Tanh
from .affine import Affine
from .base import Layer
from .conv import Conv2D, MaxPool2D
from .dropout import AlphaDropout, Dropout, GaussianDropout
from .losses import MeanSquaredError, SoftmaxWithLoss
from .normalization import BatchNorm
from .reshape import Flatten

__all__ = [
    "Affine",
    "AlphaDropout",
    "BatchNorm",
    "Dropout",
    "GaussianDropout",
    "Flatten",
    "Layer",
    "MeanSquaredError",
    "ReLU",
    "Sigmoid",
    "SoftmaxWithLoss",
    "Tanh",
]
