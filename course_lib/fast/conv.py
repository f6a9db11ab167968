r"""Conv2D's backward pass with its products arranged for speed.

:class:`course_lib.layers.Conv2D` computes the three gradients the way
Chapter 6 writes them: :math:`\sum_n \delta_n \mathrm{col}_n^\top` for dW
and :math:`\mathrm{col2im}(W^\top\delta)` for dx. The same sums can be
grouped differently, and which grouping is fastest depends on the shapes:

- **dW orientation.** BLAS's small-matrix kernels are fastest on plain (not
  transposed) operands, so when δ has fewer rows than col (F < C·kh·kw)
  it pays to copy δᵀ and compute the transpose
  :math:`(\sum_n \mathrm{col}_n \delta_n^\top)^\top` instead.
- **dx as a convolution.** With stride 1, dx is the convolution of the
  padded δ with the flipped kernels. im2col of δ copies F·kh·kw rows,
  while col2im adds C·kh·kw rows into short windows, and a copy costs
  about a third of an add: the convolution wins when F < 3C.

:func:`backward_plan` makes that choice explicitly, and
:class:`FastConv2D` follows it. Both paths of each choice are tested equal
to the plain layer (``tests/test_fast_paths.py``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..im2col import im2col
from ..layers.conv import Conv2D

__all__ = ["BackwardPlan", "FastConv2D", "backward_plan"]


class BackwardPlan(NamedTuple):
    """Which grouping of the sums the backward pass uses."""

    dW_transposed: bool   # dW as (sum_n col_n delta_n^T)^T
    dx_by_convolution: bool   # dx as a convolution of delta, flipped W


def backward_plan(w_shape, stride, pad) -> BackwardPlan:
    """The faster grouping for kernels ``w_shape`` (F, C, kh, kw).

    ``stride`` and ``pad`` are (height, width) pairs.
    """
    F, C, kh, kw = w_shape
    ph, pw = pad
    return BackwardPlan(
        dW_transposed=F < C * kh * kw,
        dx_by_convolution=(tuple(stride) == (1, 1) and ph < kh and pw < kw
                           and F < 3 * C))


class FastConv2D(Conv2D):
    r"""Conv2D whose backward pass follows :func:`backward_plan`.

    Same constructor, forward and results as
    :class:`~course_lib.layers.Conv2D` (gradients equal to rounding).
    """

    def _plan(self) -> BackwardPlan:
        return backward_plan(self.params["W"].shape, self._stride, self._pad)

    def _weight_grad(self, delta, col):
        if not self._plan().dW_transposed:
            return super()._weight_grad(delta, col)
        # (sum_n col_n delta_n^T)^T: plain operands for BLAS
        delta_t = np.ascontiguousarray(delta.transpose(0, 2, 1))
        dW = np.matmul(col, delta_t).sum(axis=0).T
        return dW.reshape(self.params["W"].shape)

    def _input_grad(self, delta, x_shape):
        if not self._plan().dx_by_convolution:
            return super()._input_grad(delta, x_shape)
        F = self.params["W"].shape[0]
        return self._dx_by_convolution(
            delta.reshape((x_shape[0], F) + self.output_shape(x_shape)[2:]),
            x_shape)

    def _dx_by_convolution(self, dout, x_shape):
        r"""dx as a stride-1 convolution of dout with the flipped kernels.

        .. math::

            dx[n, c, y, x] = \sum_{f,u,v} W[f, c, k_h - 1 - u, k_w - 1 - v]
            \; \delta_\mathrm{pad}[n, f, y + u, x + v]

        with δ padded by :math:`k - 1 - P` on each side: the same sums
        as col2im(Wᵀδ), grouped differently, without col2im's adds.
        """
        W = self.params["W"]
        F, C, kh, kw = W.shape
        ph, pw = self._pad
        flipped = np.ascontiguousarray(
            W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)).reshape(C, -1)
        cols = im2col(dout, kh, kw, 1, (kh - 1 - ph, kw - 1 - pw))
        return np.matmul(flipped, cols).reshape(x_shape)

    def __repr__(self):
        return "Fast" + super().__repr__()
