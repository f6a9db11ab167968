"""Layers: each has ``params``, ``grads``, ``forward(x, train)``, ``backward(dout)``."""

from .activations import ACTIVATIONS, ReLU, Sigmoid, Tanh
from .activity import ActivityRegularization
from .affine import Affine
from .base import Layer
from .conv import Conv2D, MaxPool2D
from .dropout import AlphaDropout, Dropout, GaussianDropout
from .losses import MeanSquaredError, SoftmaxWithLoss
from .normalization import BatchNorm, GroupNorm, LayerNorm
from .reshape import Flatten

__all__ = [
    "ACTIVATIONS",
    "ActivityRegularization",
    "Affine",
    "AlphaDropout",
    "BatchNorm",
    "Conv2D",
    "Dropout",
    "Flatten",
    "GaussianDropout",
    "GroupNorm",
    "Layer",
    "LayerNorm",
    "MaxPool2D",
    "MeanSquaredError",
    "ReLU",
    "Sigmoid",
    "SoftmaxWithLoss",
    "Tanh",
]
