"""Thread pinning, interleaved timing and NumPy's matmul reference rate.

Needs threadpoolctl (a dependency of scikit-learn, so installed with the
course; listed in ``benchmarks/requirements.txt`` as well).

Every comparison runs ``course_lib`` and its PyTorch peer in the same
process, with the same number of threads, in interleaved rounds: each round
times one block of calls of every contender (in a rotating order), so a
burst of load from another process hits both sides alike. The figure kept
is the median over rounds of the time per call.

The clock: with one thread, all the work of both libraries runs in the
calling thread, and its CPU time (``time.thread_time``) equals the wall
time on an idle machine while ignoring the time the process waits for a
core that other processes hold. With several threads the work is spread
over worker threads, so the wall clock (``time.perf_counter``) is used,
and a busy machine slows both sides, unevenly.
"""

from __future__ import annotations

import math
import os
import platform
import sys
import time
from dataclasses import dataclass, field

import numpy as np

_limiter = None  # keeps the threadpoolctl limit alive for the whole run
_threads = None


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _blas_info() -> list[dict]:
    import threadpoolctl

    return [i for i in threadpoolctl.threadpool_info()
            if i.get("user_api") == "blas"]


def fix_threads(n: int | None = None) -> int:
    """Pin NumPy's BLAS (and PyTorch, if loaded) to ``n`` threads.

    The default is one thread per core. threadpoolctl changes the limit at
    run time, so one process can measure several thread counts, whatever
    ``OPENBLAS_NUM_THREADS`` said at start-up.
    """
    global _limiter, _threads
    import threadpoolctl

    n = available_cores() if n is None else int(n)
    if _limiter is not None:
        _limiter.restore_original_limits()
    _limiter = threadpoolctl.threadpool_limits(limits=n, user_api="blas")
    _threads = n
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(n)
    return n


def threads() -> int:
    if _threads is None:
        return fix_threads()
    return _threads


def load_torch():
    """``torch`` pinned to :func:`threads` threads, or None if not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(threads())
    return torch


def load_average() -> str:
    """The 1-minute load average (other processes compete for the cores)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "?"


def blas_description() -> str:
    info = _blas_info()
    if not info:
        return "no BLAS found by threadpoolctl"
    i = info[0]
    return f"{i.get('internal_api', '?')} {i.get('version', '?')}"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

@dataclass
class Settings:
    """How long to measure: ``rounds`` blocks of at least ``block`` seconds."""

    rounds: int = 9
    block: float = 0.08
    warmup: float = 0.15
    clock: object = time.perf_counter

    def for_threads(self, n: int) -> "Settings":
        """The same settings with the clock suited to ``n`` threads."""
        clock = time.thread_time if n == 1 else time.perf_counter
        return Settings(self.rounds, self.block, self.warmup, clock)

    @property
    def clock_name(self) -> str:
        return ("CPU time of the thread" if self.clock is time.thread_time
                else "wall time")


@dataclass
class Timing:
    """Seconds per call of each round; ``median`` is the figure reported."""

    per_round: list = field(default_factory=list)

    @property
    def median(self) -> float:
        return float(np.median(self.per_round))

    @property
    def spread(self) -> float:
        """Interquartile range relative to the median (noise indicator)."""
        q1, q3 = np.percentile(self.per_round, [25, 75])
        return float((q3 - q1) / self.median)


def _block(fn, loops: int, clock) -> float:
    start = clock()
    for _ in range(loops):
        fn()
    return (clock() - start) / loops


def _warm_and_calibrate(fn, settings: Settings) -> int:
    """Run ``fn`` for the warm-up time; return loops per timed block."""
    clock = settings.clock
    start = clock()
    calls = 0
    while True:
        fn()
        calls += 1
        elapsed = clock() - start
        if elapsed >= settings.warmup and calls >= 3:
            break
    return max(1, math.ceil(settings.block / (elapsed / calls)))


def compare(contenders: dict, settings: Settings) -> dict[str, Timing]:
    """Time every callable of ``contenders`` (name -> fn) in interleaved rounds."""
    names = list(contenders)
    loops = {k: _warm_and_calibrate(contenders[k], settings) for k in names}
    out = {k: Timing() for k in names}
    for r in range(settings.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for k in order:
            out[k].per_round.append(_block(contenders[k], loops[k],
                                           settings.clock))
    return out


# ---------------------------------------------------------------------------
# The practical limit: NumPy's own matrix multiply
# ---------------------------------------------------------------------------

REFERENCE_N = 1024


def reference_matmul(dtype, n: int = REFERENCE_N):
    """A callable running NumPy's ``(n, n) @ (n, n)``, and its flop count."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    c = np.empty_like(a)
    return (lambda: np.matmul(a, b, out=c)), 2 * n ** 3


def matmul_rate(dtype, settings: Settings, n: int = REFERENCE_N) -> float:
    """GFLOP/s of NumPy's ``(n, n) @ (n, n)`` in ``dtype`` (2n³ flops)."""
    fn, flops = reference_matmul(dtype, n)
    t = compare({"mm": fn}, settings)["mm"]
    return flops / t.median / 1e9


def gflops(flops: float, seconds: float) -> float:
    return flops / seconds / 1e9
