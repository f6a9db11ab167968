"""One epoch of full training on MNIST-sized synthetic data, in a subprocess.

60,000 × 784 float32 inputs (uniform in [0, 1)) with random labels, the
benchmark MLP, Adam (``FastAdam``), batch 128. ``course_lib`` trains with
:class:`course_lib.trainer.Trainer` (shuffled mini-batches, then the
end-of-epoch evaluation of the training set); the PyTorch peer runs the
same loop by hand. Each run is its own process, so its peak resident memory
(``VmHWM``) is its own. With ``--trace`` the run trains two epochs and
records, with tracemalloc, the peak of what NumPy allocates during ``fit``
beyond what was allocated before it: well under the dataset's size means
the trainer copies neither the dataset nor a shuffled version of it, in
any epoch.

Usage (prints one JSON object)::

    python -m benchmarks.epoch --impl course [--trace] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

N_TRAIN = 60_000
BATCH = 128
SEED = 0
TRACE_EPOCHS = 2


def _rss_mb() -> float:
    """High-water mark of this process's resident memory, in MiB.

    VmHWM belongs to the process's own address space, so it starts afresh
    at exec; ``ru_maxrss`` can carry over the parent's peak when the
    process was started with vfork, so it is only the fallback.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _data(dtype=np.float32):
    rng = np.random.default_rng(SEED)
    x = rng.random((N_TRAIN, 784), dtype=dtype)
    t = rng.integers(0, 10, N_TRAIN)
    return x, t


def _course(x, t, trace: bool) -> dict:
    from course_lib.fast import FastAdam
    from course_lib.network import mlp
    from course_lib.trainer import Trainer

    from .mlp import LR, SIZES

    net = mlp(list(SIZES), rng=SEED, dtype=x.dtype)
    trainer = Trainer(net, FastAdam(LR), batch_size=BATCH, rng=SEED,
                      progress=False)
    result = {"rss_before_fit_mb": _rss_mb()}
    if trace:
        import tracemalloc

        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    start, cpu = time.perf_counter(), time.process_time()
    history = trainer.fit(x, t, epochs=TRACE_EPOCHS if trace else 1)
    result["seconds"] = time.perf_counter() - start
    result["cpu_seconds"] = time.process_time() - cpu
    if trace:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["fit_peak_mb"] = (peak - before) / 2 ** 20
        result["traced_epochs"] = TRACE_EPOCHS
    result["train_loss"] = float(history.train_loss[0])
    return result


def _peer(x, t) -> dict:
    from ._harness import load_torch
    from .mlp import SIZES, torch_adam

    torch = load_torch()
    if torch is None:
        return {"skipped": "torch is not installed"}
    torch.manual_seed(SEED)
    nn = torch.nn
    layers = []
    for i, (d, m) in enumerate(zip(SIZES[:-1], SIZES[1:],
                                   strict=True)):
        layers.append(nn.Linear(d, m))
        if i < len(SIZES) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = torch_adam(torch, model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    X, T = torch.from_numpy(x), torch.from_numpy(t)
    gen = torch.Generator().manual_seed(SEED)
    rss_before_fit = _rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    order = torch.randperm(N_TRAIN, generator=gen)
    for i in range(0, N_TRAIN, BATCH):
        idx = order[i:i + BATCH]
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), T[idx])
        loss.backward()
        opt.step()
    # the evaluation of the training set that Trainer does at epoch end
    total, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, N_TRAIN, 2048):
            logits = model(X[i:i + 2048])
            total += loss_fn(logits, T[i:i + 2048]).item() * logits.shape[0]
            correct += int((logits.argmax(1) == T[i:i + 2048]).sum())
    return {"seconds": time.perf_counter() - start,
            "cpu_seconds": time.process_time() - cpu,
            "train_loss": total / N_TRAIN,
            "rss_before_fit_mb": rss_before_fit}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=("course", "torch"),
                        default="course")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    from ._harness import fix_threads

    fix_threads(args.threads)
    rss_start = _rss_mb()
    x, t = _data()
    result = {"impl": args.impl, "dataset_mb": x.nbytes / 2 ** 20,
              "rss_before_data_mb": rss_start}
    if args.impl == "course":
        result.update(_course(x, t, args.trace))
    else:
        result.update(_peer(x, t))
    result["peak_rss_mb"] = _rss_mb()
    print(json.dumps(result))


def run(impl: str, threads: int, trace: bool = False) -> dict:
    """Run one epoch in a fresh interpreter; return its JSON result."""
    cmd = [sys.executable, "-m", "benchmarks.epoch", "--impl", impl,
           "--threads", str(threads)] + (["--trace"] if trace else [])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return {"error": lines[-1] if lines
                else f"exit status {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
