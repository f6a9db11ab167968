"""Normalization layers in one place: batch, layer and group normalization.

The code lives in :mod:`course_lib.layers.batchnorm` (normalizing over the
batch) and :mod:`course_lib.layers.layernorm` (normalizing each sample on
its own); this module gathers their public names. See Chapter 4.
"""

from .batchnorm import BatchNorm, batchnorm_backward_staged, channel_statistics
from .layernorm import GroupNorm, LayerNorm

__all__ = [
    "BatchNorm",
    "GroupNorm",
    "LayerNorm",
    "batchnorm_backward_staged",
    "channel_statistics",
]
