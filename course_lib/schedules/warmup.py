r"""Linear warm-up in front of another schedule. See Chapter 2."""

from __future__ import annotations

from .._validation import check_finite_number, check_int, error
from .base import Schedule

__all__ = ["LinearWarmup"]


class LinearWarmup(Schedule):
    r"""Ramp the rate up linearly for a few epochs, then follow ``schedule``.

    .. math::
        \eta_i = \begin{cases}
        \eta_0 \Bigl(f + (1 - f)\,\dfrac{i}{w}\Bigr) & i < w \\[4pt]
        \text{schedule.lr\_at}(i - w) & i \ge w
        \end{cases}

    with :math:`\eta_0` = ``schedule.lr_at(0)``, :math:`w` the warm-up
    length and :math:`f` the start factor. Large rates (and Adam's
    unreliable early :math:`\hat v`) can throw freshly initialized weights
    far off; starting at a fraction of the rate and raising it over
    :math:`w` epochs avoids that. The wrapped schedule starts its own
    count at epoch :math:`w`.

    Parameters
    ----------
    schedule : Schedule
        A schedule with ``lr_at`` that does not depend on the error (not
        :class:`ReduceOnPlateau` or :class:`BoldDriver`).
    warmup_steps : int
        :math:`w \ge 1` epochs (or updates) of warm-up.
    start_factor : float, default 1/3
        :math:`f \in (0, 1]`, the fraction of :math:`\eta_0` used at
        :math:`i = 0` (PyTorch's default for ``LinearLR``).

    Raises
    ------
    TypeError
        If ``schedule`` has no ``lr_at`` or is a stateful schedule, or
        ``warmup_steps`` is not an integer.
    ValueError
        For ``warmup_steps`` < 1 or ``start_factor`` outside (0, 1].

    Notes
    -----
    Equals PyTorch's ``SequentialLR(opt, [LinearLR(opt, start_factor,
    end_factor=1.0, total_iters=w), peer], milestones=[w])``, where
    ``peer`` is the PyTorch equivalent of ``schedule`` and ``opt`` starts
    at ``schedule.lr_at(0)``. Keras: ``CosineDecay(..., warmup_steps=w,
    warmup_target=...)`` for the cosine case. See Chapter 2.

    Examples
    --------
    >>> from course_lib.schedules import CosineAnnealing
    >>> s = LinearWarmup(CosineAnnealing(0.1, T_max=4), warmup_steps=2,
    ...                  start_factor=0.5)
    >>> [round(s.lr_at(i), 5) for i in range(7)]
    [0.05, 0.075, 0.1, 0.08536, 0.05, 0.01464, 0.0]
    """

    def __init__(self, schedule, warmup_steps, start_factor=1.0 / 3):
        if not callable(getattr(schedule, "lr_at", None)) or hasattr(
                schedule, "update"):
            got = (f"the stateful {type(schedule).__name__}"
                   if hasattr(schedule, "update") else type(schedule).__name__)
            raise error("LinearWarmup", "schedule", "a schedule with lr_at(i) "
                        "that does not depend on the error", got,
                        kind=TypeError)
        self.schedule = schedule
        self.warmup_steps = check_int("LinearWarmup", "warmup_steps",
                                      warmup_steps, low=1)
        self.start_factor = check_finite_number(
            "LinearWarmup", "start_factor", start_factor, 0.0, 1.0,
            low_open=True)

    @property
    def lr(self) -> float:
        """The rate reached at the end of the warm-up, ``schedule.lr_at(0)``."""
        return self.schedule.lr_at(0)

    def _lr(self, i):
        w, f = self.warmup_steps, self.start_factor
        if i < w:
            return self.lr * (f + (1 - f) * i / w)
        return self.schedule.lr_at(i - w)

    def _args(self):
        return {"schedule": self.schedule, "warmup_steps": self.warmup_steps,
                "start_factor": self.start_factor}
