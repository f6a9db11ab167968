"""Hidden checks of assignment 02-optimizers (run on the grading host).

Each check runs the same scenario on the student's code (``probe``, in the
sandbox) and on the reference solution (``ref``, on the host) and compares
the trajectories. See course_tools/checks.py and the instructors' guide.
"""

import numpy as np

from course_tools.checks import Fail, check, expect, expect_close

SHAPES = {"W1": (4, 3), "b1": (3,), "W2": (3, 2, 2)}


def _run(side, cls, kwargs, p0, grads):
    """Update copies of ``p0`` with each gradient dict of ``grads``; the
    arrays passed in, the dict after the steps, and the gradients after."""
    opt = getattr(side, cls)(**kwargs)
    arrays = {k: side.put(v) for k, v in p0.items()}
    params = side.put(dict(arrays))
    after = []
    for g in grads:
        sent = side.put(g)
        opt.update(params, sent)
        after.append(side.get(sent))
    return ({k: side.get(a) for k, a in arrays.items()}, side.get(params),
            after)


def _path(side, cls, kwargs, p0, grads):
    """Positions of a one-key parameter after each step."""
    opt = getattr(side, cls)(**kwargs)
    w = side.put(np.array(p0, dtype=float))
    params = side.put({"w": w})
    out = []
    for g in grads:
        opt.update(params, {"w": np.array(g, dtype=float)})
        out.append(side.get(w))
    return np.array(out)


def _compare(probe, ref, rng, cls, kwargs):
    """The student's optimizer against the reference: several keys, six
    steps, float64 and float32, in place, gradients left alone."""
    for dtype in (np.float64, np.float32):
        p0 = {k: rng.normal(size=s).astype(dtype) for k, s in SHAPES.items()}
        grads = [{k: rng.normal(size=s).astype(dtype)
                  for k, s in SHAPES.items()} for _ in range(6)]
        mine, dict_mine, g_after = _run(probe, cls, kwargs, p0, grads)
        want, _, _ = _run(ref, cls, kwargs, p0, grads)
        for g, g0 in zip(g_after, grads, strict=True):
            for k in SHAPES:
                expect(isinstance(g.get(k), np.ndarray)
                       and np.array_equal(g[k], g0[k]),
                       f"{cls}.update modified grads[{k!r}]: leave grads "
                       "alone")
        tol = 1e-10 if dtype == np.float64 else 1e-4
        name = np.dtype(dtype).name
        for k in SHAPES:
            got = dict_mine.get(k) if isinstance(dict_mine, dict) else None
            if isinstance(got, np.ndarray) and got.dtype == dtype \
                    and got.shape == want[k].shape \
                    and np.allclose(got, want[k], rtol=tol, atol=tol) \
                    and not np.allclose(mine[k], want[k], rtol=tol, atol=tol):
                raise Fail(f"{cls}.update replaced params[{k!r}] by a new "
                           "array: update it in place (params[key] += ... "
                           "or -= ...)")
            expect_close(mine[k], want[k], rtol=tol, atol=tol,
                         what=f"{cls}: params[{k!r}] after 6 steps ({name})",
                         hint="the dtype of params must not change"
                         if mine[k].dtype != want[k].dtype else "")


def _visible_path(probe, ref, cls, kwargs, p0, grads, hint):
    with np.errstate(all="ignore"):
        got = _path(probe, cls, kwargs, p0, grads)
        want = _path(ref, cls, kwargs, p0, grads)
    expect_close(got, want, rtol=1e-9, atol=1e-12, dtype=False,
                 what=f"{cls}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"
                      f" path from {p0}", hint=hint)


@check("test_momentum", points=2)
def momentum_matches(probe, ref, rng):
    _compare(probe, ref, rng, "Momentum", {"lr": 0.05, "momentum": 0.8})
    _visible_path(probe, ref, "Momentum", {"lr": 0.1, "momentum": 0.9},
                  [0.0], [[1.0]] * 3,
                  "v = momentum*v - lr*g, remembered between calls")
    _visible_path(probe, ref, "Momentum", {"lr": 0.1, "momentum": 0.0},
                  [1.0], [[2.0], [2.0]],
                  "with momentum = 0 the update must be plain gradient "
                  "descent")


@check("test_nesterov", points=2)
def nesterov_matches(probe, ref, rng):
    _visible_path(probe, ref, "Nesterov", {"lr": 0.1, "momentum": 0.9},
                  [0.0], [[1.0]] * 2,
                  "Nesterov moves by momentum*v - lr*g with the new v")
    _compare(probe, ref, rng, "Nesterov", {"lr": 0.03, "momentum": 0.7})


@check("test_adagrad", points=2)
def adagrad_matches(probe, ref, rng):
    _visible_path(probe, ref, "AdaGrad", {"lr": 1.0, "eps": 1e-3}, [0.0],
                  [[1e-3]], "eps goes outside the square root: "
                  "g / (sqrt(h) + eps)")
    _visible_path(probe, ref, "AdaGrad", {"lr": 0.1}, [1.0], [[2.0], [2.0]],
                  "h must accumulate (h += g * g), so the steps shrink")
    _compare(probe, ref, rng, "AdaGrad", {"lr": 0.2, "eps": 1e-7})


@check("test_rmsprop", points=2)
def rmsprop_matches(probe, ref, rng):
    _visible_path(probe, ref, "RMSProp", {"lr": 1.0, "rho": 0.9, "eps": 1e-3},
                  [0.0], [[1e-3]], "eps was added inside the square root: "
                  "use sqrt(h) + eps")
    _visible_path(probe, ref, "RMSProp", {"lr": 0.01, "rho": 0.9}, [0.0],
                  [[1.0], [1.0]], "h = rho*h + (1 - rho)*g*g")
    _compare(probe, ref, rng, "RMSProp", {"lr": 0.01, "rho": 0.8,
                                          "eps": 1e-7})


@check("test_adam", points=3)
def adam_matches(probe, ref, rng):
    with np.errstate(all="ignore"):
        first = _path(probe, "Adam", {"lr": 0.1}, [1.0, 1.0],
                      [[0.5, -3.0]] * 3)
    expect(np.all(np.isfinite(first)),
           "Adam's step is not finite: the bias correction divides by "
           "1 - beta**t, which is 0 if t = 0 on the first update; count t "
           "from 1")
    _visible_path(probe, ref, "Adam", {"lr": 1.0, "eps": 1e-3}, [0.0],
                  [[1e-3]], "eps goes outside the square root, "
                  "sqrt(v_hat) + eps")
    _visible_path(probe, ref, "Adam", {"lr": 0.1}, [1.0, 1.0],
                  [[0.5, -3.0]] * 3, "is the bias correction missing (or t "
                  "counted wrongly)?")
    _visible_path(probe, ref, "Adam", {"lr": 0.1, "eps": 0.0}, [0.0],
                  [[1.0], [-1.0]], "bias correction with the current t, "
                  "1 - beta**t")
    with np.errstate(all="ignore"):
        _compare(probe, ref, rng, "Adam", {"lr": 0.01, "beta1": 0.8,
                                           "beta2": 0.99, "eps": 1e-8})


def _schedule(probe, ref, rng, name, cases, hint):
    for args in cases:
        got = getattr(probe, name)(*args)
        want = getattr(ref, name)(*args)
        expect(isinstance(got, float), f"{name} should return a Python float; "
               f"got a {type(got).__name__}")
        expect_close(got, want, rtol=1e-12, what=f"{name}{args}", hint=hint)


@check("test_step_decay", points=1)
def step_decay_matches(probe, ref, rng):
    cases = [(0.1, 0.5, 10, e) for e in (0, 9, 10, 25)]
    for lr0, factor, interval in [(0.3, 0.1, 3), (1.0, 0.9, 1),
                                  (0.05, 0.5, 7)]:
        cases += [(lr0, factor, interval, int(e))
                  for e in rng.choice(40, size=8, replace=False)]
    _schedule(probe, ref, rng, "step_decay", cases,
              "the rate stays constant within an interval: "
              "lr0 * factor**(epoch // interval)")


@check("test_time_based_decay", points=1)
def time_based_decay_matches(probe, ref, rng):
    cases = [(0.2, 0.001, 0), (1.0, 0.01, 100)]
    for lr0, decay in [(0.1, 1e-2), (1.0, 1e-3), (0.5, 1e-6), (0.3, 0.0)]:
        cases += [(lr0, decay, int(t)) for t in
                  (0, 1, *rng.integers(2, 1000, size=3))]
    _schedule(probe, ref, rng, "time_based_decay", cases,
              "lr0 / (1 + decay * t), not a power of (1 + decay)")
