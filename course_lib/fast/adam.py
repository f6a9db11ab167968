r"""Adam on flat buffers: the same update as :class:`course_lib.optim.Adam`, faster.

The plain :class:`~course_lib.optim.Adam` runs its half-dozen NumPy
operations once per parameter array; for a network of many small arrays
the Python overhead of those calls dominates. :class:`FastAdam` keeps the
moments of all arrays in one flat buffer each (``state`` holds views of
them), folds the bias corrections into two scalars and writes every
intermediate into preallocated scratch buffers, so an update is about a
dozen NumPy calls in all and allocates nothing.
"""

from __future__ import annotations

import math

import numpy as np

from ..optim import Adam

__all__ = ["FastAdam"]


class FastAdam(Adam):
    r"""Adam computed on flat buffers; same arguments, state and results.

    .. math::

        \begin{gathered}
        W \leftarrow W - \frac{m}{a\sqrt{v} + e}, \\
        a = \frac{1-\beta_1^t}{\eta\sqrt{1-\beta_2^t}}, \quad
        e = \frac{\epsilon\,(1-\beta_1^t)}{\eta}
        \end{gathered}

    which is :class:`~course_lib.optim.Adam`'s
    :math:`\eta\,\hat m/(\sqrt{\hat v} + \epsilon)` multiplied out (equal to
    rounding; see ``tests/test_fast_paths.py``).

    Notes
    -----
    The flat path needs every array to share one dtype and one step count
    (no key joined later); otherwise the update falls back to the plain
    per-array rule. The buffers are rebuilt when the keys or shapes change
    or ``state`` was replaced (``load_state_dict``, or an array set by
    hand), copying the moments over. ``torch.optim.Adam(foreach=True)``
    batches its arrays for the same reason.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr, beta1, beta2, eps)
        self._layout = None

    def _apply(self, params, grads):
        counts = {self.steps[k] for k in params}
        flat = self._flat_layout(params) if len(counts) == 1 else None
        if flat is None:
            super()._apply(params, grads)   # the plain rule, per array
            return
        (t,) = counts
        bc1 = 1 - self.beta1 ** t
        a = bc1 / (self.lr * math.sqrt(1 - self.beta2 ** t))
        e = self.eps * bc1 / self.lr
        m, v, scaled, squared, views = flat
        for key, (scaled_k, squared_k) in views.items():
            g = grads[key]
            np.multiply(g, 1 - self.beta1, out=scaled_k)
            np.multiply(g, g, out=squared_k)
        m *= self.beta1
        m += scaled                     # m = β1 m + (1 − β1) g
        squared *= 1 - self.beta2
        v *= self.beta2
        v += squared                    # v = β2 v + (1 − β2) g²
        step = np.sqrt(v, out=scaled)
        step *= a
        step += e
        np.divide(m, step, out=step)    # m / (a √v + e)
        for key, p in params.items():
            p -= views[key][0]

    def _flat_layout(self, params):
        """Flat buffers for m, v and two scratch arrays, with per-key views.

        Built once and reused while the keys, shapes and dtype stay the
        same and ``state`` still holds its views. Returns None when the
        parameters do not share one dtype.
        """
        signature = [(k, p.shape, p.dtype) for k, p in params.items()]
        layout = self._layout
        if layout is not None and layout[0] == signature and all(
                self.state.get(k) is st and st["m"] is m and st["v"] is v
                for k, (st, m, v) in layout[1].items()):
            return layout[2]
        dtypes = {p.dtype for p in params.values()}
        if len(dtypes) != 1:
            self._layout = None
            return None
        dtype = dtypes.pop()
        total = sum(p.size for p in params.values())
        m, v, scaled, squared = (np.zeros(total, dtype=dtype)
                                 for _ in range(4))
        views, owned, start = {}, {}, 0
        for key, p in params.items():
            sl = slice(start, start + p.size)
            start += p.size
            st = {"m": m[sl].reshape(p.shape), "v": v[sl].reshape(p.shape)}
            old = self.state.get(key)
            if old is not None and np.shape(old["m"]) == p.shape:
                st["m"][...] = old["m"]  # moments from earlier updates
                st["v"][...] = old["v"]
            self.state[key] = st
            owned[key] = (st, st["m"], st["v"])
            views[key] = (scaled[sl].reshape(p.shape),
                          squared[sl].reshape(p.shape))
        flat = (m, v, scaled, squared, views)
        self._layout = (signature, owned, flat)
        return flat

    def __getstate__(self):
        # A copy or a pickle keeps ``state``; its flat buffers are rebuilt
        # from it on the next update (copied views would not alias them).
        attrs = self.__dict__.copy()
        attrs["_layout"] = None
        return attrs
