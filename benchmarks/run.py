"""Run every benchmark, print the figures and write ``benchmarks/RESULTS.md``.

``make bench`` runs ``python -m benchmarks.run``. Options::

    --quick          fewer, shorter rounds (a smoke run; figures are noisier)
    --only KEYS      comma-separated subset of: mlp, layers, scaling, fast,
                     epoch (fast: the chapters' plain Adam and Conv2D
                     against course_lib.fast, at the first thread count)
    --threads LIST   comma-separated thread counts for NumPy's BLAS and
                     PyTorch alike (default: 1, then one per core); the
                     MLP and layer benchmarks run once per count, scaling
                     and the epoch at the first count. One thread first:
                     it is how the course runs (the Makefile pins one BLAS
                     thread per process) and the figure that other work
                     on a shared machine disturbs least
    --output PATH    where to write the Markdown (default
                     benchmarks/RESULTS.md); --no-write to skip
    --strict         exit with status 1 when a target is missed

Ratios are course_lib time / PyTorch time (below 1: course_lib is faster).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

import numpy as np

from . import _harness as H
from . import epoch as epoch_bench
from . import fast_forms as fast_bench
from . import layers as layer_bench
from . import mlp as mlp_bench

HERE = Path(__file__).resolve().parent
SCALING_BATCHES = (32, 128, 512, 2048)
GB = 1e9 / 2 ** 20  # 1 GB (10^9 bytes) in MiB
MEMORY_LIMIT_MB = 1.5 * GB
LAYER_TARGETS = {"conv1": ("3", 1.0), "conv2": ("3", 1.0),
                 "pool": ("4", 1.5), "bn1": ("5", 1.5), "bn2": ("5", 1.5)}
REASONS = {
    "conv": "Conv2D: course_lib copies the windows into im2col buffers and "
            "runs three batched BLAS products (forward, dW, dx) around "
            "them; PyTorch calls oneDNN's direct convolution kernels, which "
            "need no copies. On small images with many channels (16 → 32 "
            "on 14 × 14) the three products alone, at OpenBLAS's rate for "
            "these shapes, take about as long as PyTorch's whole call, and "
            "the copies of 14-pixel rows come on top.",
    "mlp": "MLP step: besides its products, a step runs the Adam update "
           "of 119,910 parameters and about forty small element-wise NumPy "
           "calls, each with its Python overhead; at batch 128 the products "
           "are small. The scaling table shows the fixed cost per step and "
           "the per-sample cost it amortizes to.",
    "threads": "With several threads: NumPy's element-wise operations run "
               "on one core, and OpenBLAS computes each small per-sample "
               "product of a batched matmul on one core as well, so "
               "course_lib's convolution, batch norm and MLP step hardly "
               "speed up (while the large reference product does, which "
               "lowers the step's share of it); PyTorch and oneDNN split "
               "convolution and normalization loops across threads. On a "
               "machine that other processes keep busy (see the load "
               "average) spinning worker threads add noise on top.",
    "pool": "MaxPool2D: NumPy makes one pass over the batch per window "
            "offset (and a mask per offset in backward); PyTorch runs one "
            "compiled loop over the windows.",
    "bn": "BatchNorm: about a dozen NumPy passes over the batch (sums, "
          "centring, scaling, and the backward terms); PyTorch runs "
          "compiled loops that do several of these steps per pass.",
}


class Report:
    """Collects Markdown sections and target verdicts; echoes to stdout."""

    def __init__(self):
        self.sections: list[str] = []
        self.targets: list[list[str]] = []
        self.reasons: dict[str, str] = {}  # why a target was missed

    def section(self, title: str, lines: list[str]) -> None:
        text = f"## {title}\n\n" + "\n".join(lines) + "\n"
        self.sections.append(text)
        print(text, flush=True)

    def target(self, what: str, threads, measured: str,
               met: bool | None, why: str = "") -> None:
        verdict = {True: "met", False: "**missed**", None: "not measured"}
        self.targets.append([what, str(threads), measured, verdict[met]])
        if met is False and why:
            key = why if threads == 1 else "threads"
            self.reasons.setdefault(key, REASONS.get(key, key))

    def reason_lines(self) -> list[str]:
        if not self.reasons:
            return []
        return (["", "Why the missed targets are missed:", ""]
                + [f"- {text}" for text in self.reasons.values()])

    @property
    def missed(self) -> int:
        return sum(row[-1] == "**missed**" for row in self.targets)


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def ratio_str(course: float, peer: float | None) -> str:
    return "—" if peer is None else f"{course / peer:.2f}×"


def threads_label(n: int) -> str:
    return f"{n} thread" + ("s" if n != 1 else "")


def timing_label(n: int) -> str:
    clock = "CPU time" if n == 1 else "wall time"
    return f"{threads_label(n)}, {clock}"


# ---------------------------------------------------------------------------
# Benchmarks
# ---------------------------------------------------------------------------

def bench_matmul(report, settings, n_threads) -> None:
    rates = {np.float32: H.matmul_rate(np.float32, settings),
             np.float64: H.matmul_rate(np.float64, settings)}
    report.section(f"Reference: NumPy's matrix multiply, "
                   f"{timing_label(n_threads)}",
                   table(["dtype", "product", "GFLOP/s"],
                         [[np.dtype(d).name, "(1024, 1024) @ (1024, 1024)",
                           f"{r:.1f}"] for d, r in rates.items()])
                   + ["", "The practical limit of this machine's BLAS. The "
                      "MLP tables time this product again in their own "
                      "interleaved rounds and compare with that rate."])


def _mlp_row(torch, batch, dtype, settings):
    """Time one MLP step against PyTorch, its bare products and the
    reference matrix multiply, all in the same interleaved rounds (so
    the GFLOP/s ratio is not skewed by load that came and went)."""
    course = mlp_bench.CourseStep(batch, dtype)
    reference, ref_flops = H.reference_matmul(dtype)
    contenders = {"course": course,
                  "matmul": mlp_bench.MatmulsOnly(batch, dtype),
                  "reference": reference}
    if torch is not None:
        contenders["peer"] = mlp_bench.TorchStep(torch, course)
    times = H.compare(contenders, settings)
    flops = mlp_bench.step_flops(mlp_bench.SIZES, batch)
    c = times["course"].median
    p = times["peer"].median if torch is not None else None
    ref_rate = H.gflops(ref_flops, times["reference"].median)
    return {"course": c, "peer": p, "matmul": times["matmul"].median,
            "flops": flops, "gflops": H.gflops(flops, c),
            "peer_gflops": None if p is None else H.gflops(flops, p),
            "ref_rate": ref_rate, "of_ref": H.gflops(flops, c) / ref_rate,
            "of_shapes": times["matmul"].median / c,
            "spread": max(times["course"].spread,
                          times["peer"].spread if p is not None else 0.0)}


def bench_mlp(report, torch, settings, n_threads) -> None:
    rows = []
    for n, dtype in (("1", np.float32), ("2", np.float64)):
        name = np.dtype(dtype).name
        r = _mlp_row(torch, 128, dtype, settings)
        agree = ("—" if torch is None else
                 f"{mlp_bench.first_losses_agree(torch, 128, dtype):.0e}")
        rows.append([n, f"MLP step {name}, batch 128",
                     fmt_time(r["course"]), fmt_time(r["peer"]),
                     ratio_str(r["course"], r["peer"]),
                     f"{r['gflops']:.1f}",
                     "—" if r["peer_gflops"] is None
                     else f"{r['peer_gflops']:.1f}",
                     f"{100 * r['of_ref']:.0f} % of "
                     f"{r['ref_rate']:.0f}",
                     f"{100 * r['of_shapes']:.0f} %",
                     f"{100 * r['spread']:.0f} %", agree])
        report.target(f"{n}. MLP step {name} ≤ 1.0× PyTorch", n_threads,
                      ratio_str(r["course"], r["peer"]),
                      None if r["peer"] is None
                      else r["course"] <= r["peer"], why="mlp")
        report.target(f"MLP step {name} (batch 128) ≥ 50 % of the "
                      "matmul rate", n_threads,
                      f"{100 * r['of_ref']:.0f} % ({r['gflops']:.0f} of "
                      f"{r['ref_rate']:.0f} GFLOP/s)", r["of_ref"] >= 0.5,
                      why="mlp")
    lines = table(["#", "benchmark", "course_lib", "PyTorch", "ratio",
                   "GFLOP/s", "PyTorch GFLOP/s", "% of matmul rate",
                   "% of same-shape matmuls", "noise (IQR)",
                   "loss diff (3 steps)"], rows)
    lines += ["", "Forward, backward and Adam update of "
              "784-100-100-100-100-100-10 (ReLU, softmax cross-entropy); "
              "PyTorch uses `torch.optim.Adam(fused=True)`, its fastest on "
              "the CPU. GFLOP/s counts the matrix products only (forward, "
              "dW, and dx except for the input layer, which neither library "
              "computes). *% of matmul rate*: against NumPy's (1024, 1024) "
              "product timed in the same rounds (GFLOP/s after 'of'); "
              "*% of same-shape matmuls*: the time NumPy needs for just this "
              "step's products, back to back, divided by the step's time "
              "(the limit for these shapes). *noise*: the larger "
              "interquartile range of the two sides' rounds, relative to "
              "the median. *loss diff*: largest relative difference of the "
              "two libraries' losses over the first three steps from the "
              "same weights."]
    report.section(f"MLP training step, {timing_label(n_threads)}", lines)


def bench_layers(report, torch, settings, n_threads) -> None:
    rows, notes = [], []
    for case in layer_bench.all_cases(torch):
        n, limit = LAYER_TARGETS[case.key]
        what = f"{n}. {case.title} ≤ {limit}× PyTorch"
        if case.course is None:
            rows.append([n, case.title, "—", "—", "—", "—", "—", "—"])
            notes.append(f"- {case.title}: {case.note}")
            report.target(what, n_threads, "skipped", None)
            continue
        contenders = {"course": case.course}
        if case.peer is not None:
            contenders["peer"] = case.peer
        times = H.compare(contenders, settings)
        c = times["course"].median
        p = times["peer"].median if case.peer is not None else None
        spread = max(t.spread for t in times.values())
        gf = "—" if case.flops is None else f"{H.gflops(case.flops, c):.1f}"
        pgf = ("—" if case.flops is None or p is None
               else f"{H.gflops(case.flops, p):.1f}")
        rows.append([n, case.title, fmt_time(c), fmt_time(p),
                     ratio_str(c, p), gf, pgf, f"{100 * spread:.0f} %"])
        if case.note:
            notes.append(f"- {case.title}: {case.note}")
        report.target(what, n_threads, ratio_str(c, p),
                      None if p is None else c <= limit * p,
                      why=case.key.rstrip("12"))
    lines = table(["#", "benchmark", "course_lib", "PyTorch", "ratio",
                   "GFLOP/s", "PyTorch GFLOP/s", "noise (IQR)"], rows)
    lines += ["", "float32. One call is `forward(x, train=True)` and "
              "`backward(dout)` (dx and the parameter gradients); PyTorch "
              "runs its functional op and `torch.autograd.grad` for the "
              "same tensors. Before timing, the outputs and gradients of "
              "both are compared (a note appears below if they differ). "
              "Convolution GFLOP/s counts forward, dW and dx (three "
              "products of 2·N·F·C·kh·kw·out_h·out_w flops)."]
    if notes:
        lines += [""] + notes
    report.section(f"Layers, {timing_label(n_threads)}", lines)


def bench_fast(report, settings, n_threads) -> None:
    rows = []
    for title, plain, fast in fast_bench.all_cases():
        times = H.compare({"plain": plain, "fast": fast}, settings)
        p, f = times["plain"].median, times["fast"].median
        spread = max(t.spread for t in times.values())
        rows.append([title, fmt_time(p), fmt_time(f), f"{p / f:.2f}×",
                     f"{100 * spread:.0f} %"])
    lines = table(["benchmark", "plain (the chapters)",
                   "fast (course_lib.fast)", "plain / fast", "noise (IQR)"],
                  rows)
    lines += ["", "The chapters use `course_lib.optim.Adam` and "
              "`course_lib.layers.Conv2D`, whose code is the update rule "
              "and the three gradients as the book writes them; the "
              "comparisons with PyTorch above time `FastAdam` (flat "
              "buffers, folded bias correction) and `FastConv2D` (the "
              "backward sums grouped as `backward_plan` chooses), which "
              "compute the same numbers (tests/test_fast_paths.py)."]
    report.section(f"Plain and fast forms, {timing_label(n_threads)}", lines)


def bench_scaling(report, torch, settings, n_threads) -> None:
    rows, pts = [], []
    for batch in SCALING_BATCHES:
        r = _mlp_row(torch, batch, np.float32, settings)
        pts.append((batch, r["course"]))
        rows.append([str(batch), f"{r['course'] / batch * 1e6:.2f}",
                     "—" if r["peer"] is None
                     else f"{r['peer'] / batch * 1e6:.2f}",
                     ratio_str(r["course"], r["peer"]),
                     f"{r['gflops']:.1f}",
                     f"{100 * r['of_ref']:.0f} % of {r['ref_rate']:.0f}",
                     f"{100 * r['of_shapes']:.0f} %"])
    b = np.array([p[0] for p in pts], dtype=float)
    t = np.array([p[1] for p in pts])
    slope, intercept = np.polyfit(b, t, 1)
    n_params = sum(p.size for p in
                   mlp_bench.CourseStep(1, np.float32).params.values())
    lines = table(["batch", "course_lib µs/sample", "PyTorch µs/sample",
                   "ratio", "GFLOP/s", "% of matmul rate",
                   "% of same-shape matmuls"], rows)
    lines += ["", f"float32 MLP step, {timing_label(n_threads)}. The "
              "arithmetic grows linearly with the batch; a straight-line "
              f"fit of course_lib's step time gives {intercept * 1e6:.0f} µs "
              "of fixed cost per step (Python, the Adam update of "
              f"{n_params:,} parameters, small-matrix BLAS overhead) plus "
              f"{slope * 1e6:.2f} µs per sample, so the time per sample "
              "falls towards that slope as the batch grows."]
    report.section("Scaling with the batch size", lines)


def bench_epoch(report, n_threads) -> None:
    course = epoch_bench.run("course", n_threads)
    traced = epoch_bench.run("course", n_threads, trace=True)
    peer = epoch_bench.run("torch", n_threads)
    rows = []
    for name, r in (("course_lib Trainer", course), ("PyTorch loop", peer)):
        if "error" in r or "skipped" in r:
            rows.append([name, r.get("skipped") or f"failed: {r['error']}",
                         "—", "—", "—", "—"])
            continue
        rows.append([name, fmt_time(r["seconds"]),
                     fmt_time(r["cpu_seconds"]), f"{r['peak_rss_mb']:.0f}",
                     f"{r['rss_before_fit_mb']:.0f}",
                     f"{r['train_loss']:.4f}"])
    lines = table(["run", "one epoch (wall)", "CPU time",
                   "peak RSS (MiB)", "peak RSS before training (MiB)",
                   "training loss"], rows)
    ok = "seconds" in course
    if ok and "fit_peak_mb" in traced:
        lines += ["", f"Dataset: {course['dataset_mb']:.0f} MiB. Peak of "
                  f"NumPy allocations during `Trainer.fit` over "
                  f"{traced['traced_epochs']} epochs (tracemalloc, separate "
                  f"run): {traced['fit_peak_mb']:.1f} MiB, so the trainer "
                  "copies neither the dataset nor a shuffled version of it."]
    if ok and "seconds" in peer:
        key = "cpu_seconds" if n_threads == 1 else "seconds"
        lines += ["", f"Time ratio course_lib / PyTorch "
                  f"({'CPU' if n_threads == 1 else 'wall'} time): "
                  f"{course[key] / peer[key]:.2f}×."]
    lines += ["", "60,000 × 784 float32 synthetic inputs, random labels, the "
              f"MLP above, Adam, batch 128, {threads_label(n_threads)}, one "
              "epoch including the evaluation of the training set at its "
              "end; each run in its own process. RSS (resident memory, its "
              "high-water mark) includes the interpreter, the imported "
              "libraries (PyTorch's are larger) and the dataset; the "
              "column before training is the mark once data, model and "
              "optimizer exist."]
    report.section("One epoch of training (MNIST-sized)", lines)
    if ok:
        report.target("6. epoch peak memory < 1.5 GB", n_threads,
                      f"{course['peak_rss_mb']:.0f} MiB",
                      course["peak_rss_mb"] < MEMORY_LIMIT_MB)
    else:
        report.target("6. epoch peak memory < 1.5 GB", n_threads,
                      f"failed: {course.get('error')}", False)
    if "fit_peak_mb" in traced:
        report.target("6. trainer does not copy the dataset", n_threads,
                      f"{traced['fit_peak_mb']:.1f} MiB allocated at peak "
                      f"during fit vs {traced['dataset_mb']:.0f} MiB data",
                      traced["fit_peak_mb"] < 0.5 * traced["dataset_mb"])


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

def header(torch, settings, thread_counts, load_start) -> str:
    import course_lib

    now = datetime.datetime.now(datetime.timezone.utc)
    peer = (f"PyTorch {torch.__version__}" if torch is not None else
            "PyTorch not installed: peer columns skipped "
            "(`pip install -r benchmarks/requirements.txt`)")
    counts = " and ".join(threads_label(n) for n in thread_counts)
    return "\n".join([
        "# Benchmark results",
        "",
        f"Written by `make bench` on {now:%Y-%m-%d %H:%M} UTC. Machine: "
        f"{H.cpu_model()}, {H.available_cores()} cores; load average "
        f"{load_start} at the start, {H.load_average()} at the end. NumPy "
        f"{np.__version__} (BLAS: {H.blas_description()}); {peer}; "
        f"course_lib {getattr(course_lib, '__version__', '')}, Python "
        f"{sys.version.split()[0]}.",
        "",
        f"Each figure is the median over {settings.rounds} interleaved "
        f"rounds (blocks of at least {settings.block * 1e3:.0f} ms after "
        f"{settings.warmup * 1e3:.0f} ms of warm-up), course_lib and "
        "PyTorch in the same process with the same number of threads "
        f"({counts}: NumPy's BLAS through threadpoolctl, PyTorch through "
        "`torch.set_num_threads`). Ratio = course_lib time / PyTorch time: "
        "below 1, course_lib is faster.",
        "",
        "With one thread the clock is the CPU time of the calling thread, "
        "which runs all of both libraries' work: on an idle machine it "
        "equals the wall time, and on a shared one it leaves out the time "
        "spent waiting for a core. With several threads the wall clock is "
        "used; there, other processes on the machine (see the load average) "
        "slow both sides unevenly, PyTorch's spinning worker threads most, "
        "so those figures only mean something on an idle machine.",
        "",
        "",
    ])


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="course_lib speed and memory against PyTorch.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer, shorter rounds (a smoke run)")
    parser.add_argument("--only", default="mlp,layers,scaling,fast,epoch",
                        help="comma-separated subset of mlp, layers, "
                        "scaling, fast, epoch")
    parser.add_argument("--threads", default=None,
                        help="comma-separated thread counts (default: 1, "
                        "then one per core)")
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"),
                        help="Markdown file to write")
    parser.add_argument("--no-write", action="store_true",
                        help="print only")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - {"mlp", "layers", "scaling", "fast", "epoch"}
    if unknown:
        parser.error(f"--only: unknown benchmark(s) {sorted(unknown)}; "
                     "choose from mlp, layers, scaling, fast, epoch")
    args.only = only
    if args.threads is None:
        cores = H.available_cores()
        args.threads = [1] + ([cores] if cores > 1 else [])
    else:
        try:
            args.threads = [int(s) for s in args.threads.split(",")]
        except ValueError:
            parser.error(f"--threads: expected integers like '2,1'; got "
                         f"{args.threads!r}")
        if not args.threads or min(args.threads) < 1:
            parser.error(f"--threads: expected counts >= 1; got "
                         f"{args.threads}")
    return args


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else list(argv))
    settings = (H.Settings(rounds=3, block=0.03, warmup=0.05) if args.quick
                else H.Settings())
    load_start = H.load_average()
    H.fix_threads(args.threads[0])
    torch = H.load_torch()
    report = Report()
    for i, n in enumerate(args.threads):
        H.fix_threads(n)
        timed = settings.for_threads(n)
        print(f"# {threads_label(n)}, {timed.clock_name}", flush=True)
        bench_matmul(report, timed, n)
        if "mlp" in args.only:
            bench_mlp(report, torch, timed, n)
        if "layers" in args.only:
            bench_layers(report, torch, timed, n)
        if i == 0 and "scaling" in args.only:
            bench_scaling(report, torch, timed, n)
        if i == 0 and "fast" in args.only:
            bench_fast(report, timed, n)
    if "epoch" in args.only:
        bench_epoch(report, args.threads[0])
    report.section("Targets", table(["target", "threads", "measured",
                                     "verdict"], report.targets)
                   + report.reason_lines())
    text = header(torch, settings, args.threads, load_start) + "\n".join(
        [report.sections[-1]] + report.sections[:-1])
    if not args.no_write:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    return 1 if args.strict and report.missed else 0


if __name__ == "__main__":
    sys.exit(main())
