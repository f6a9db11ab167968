r"""Faster forms of rules that :mod:`course_lib` writes plainly.

The library's classes read like the chapters. Where the benchmarks need
more speed, the faster form lives here, as a subclass with the same
arguments and results (tested equal in ``tests/test_fast_paths.py``);
choose it explicitly, as one picks PyTorch's ``foreach``/``fused``
optimizers:

- :class:`FastAdam` for :class:`course_lib.optim.Adam`: flat buffers,
  folded bias correction, no allocation per update;
- :class:`FastConv2D` for :class:`course_lib.layers.Conv2D`: the grouping
  of the backward sums chosen by :func:`backward_plan`.

Nothing in :mod:`course_lib` imports this package.
"""

from __future__ import annotations

from .adam import FastAdam
from .conv import BackwardPlan, FastConv2D, backward_plan

__all__ = ["BackwardPlan", "FastAdam", "FastConv2D", "backward_plan"]
