"""Hidden checks of assignment 08-capstone (run on the grading host).

Every part is compared with the reference on fresh inputs, as in
assignments 1-7. Two things are new:

- Own parts only. The submitted source of the answer cells is parsed here
  (AST): a cell that imports a ``course_lib`` layer, optimizer, network or
  trainer, or any framework (torch, tensorflow, keras, jax, sklearn), or
  uses a name such an import bound elsewhere, scores zero for the part it
  replaces. The source comes from the host (``probe.submitted()``); where
  the grader does not offer it yet, from the notebook's input history,
  which only a deliberate forgery could change.
- Accuracy on digits the student never had: copies of the test split of
  ``load_digits``, which the sandbox cannot read (the grader masks
  scikit-learn's digits there and gives the loader the training split
  alone), each moved by a fraction of a pixel, turned, rescaled, with its
  strokes made lighter or heavier and Gaussian noise added, all drawn from
  the check's secret-seeded ``rng``. Only the images are sent; the labels
  stay here.
"""

import ast

import numpy as np

from course_tools.checks import Fail, StudentError, check, expect, expect_close

# The held-out perturbation: each bound is the largest change drawn.
MAX_SHIFT = 1.0       # pixels, along each axis, sub-pixel
MAX_DEGREES = 10.0    # rotation about the centre
MAX_SCALE = 0.08      # zoom in or out by up to 8 %
MAX_STROKE = 0.3      # pixel ** exp(u), u in [-0.3, 0.3]: lighter or heavier
MAX_GAIN = 0.1        # contrast times 0.9 ... 1.1
NOISE_STD = 0.05
# Perturbed copies of each of the test split's 359 digits. One draw's
# accuracy spreads around the network's true accuracy by at most about
# 0.01 / sqrt(COPIES) (measured over 30 draws): with 50 copies, 0.14 % — the
# reference (98.0 %) sits 7 such spreads above the top bar, a network with a
# broken col2im (96.4 %) 4 below it.
COPIES = 50
BATCH = 1000          # images per call of predict
THRESHOLDS = (0.90, 0.95, 0.97)
# grade id of each answer cell -> the names it must define
PARTS = {"affine": ("Affine",), "relu": ("ReLU",),
         "softmax_loss": ("SoftmaxWithLoss",),
         "optimizer": ("OPTIMIZER", "make_optimizer"), "init": ("he_normal",),
         "batchnorm": ("BatchNorm",), "dropout": ("Dropout",),
         "conv": ("Conv2D",), "maxpool": ("MaxPool2D",),
         "train_loop": ("train",), "model": ("predict", "curves")}
FRAMEWORKS = ("torch", "tensorflow", "keras", "jax", "flax", "sklearn",
              "mxnet", "chainer", "theano")
COURSE_LIB_ALLOWED = ("data",)  # the loader and train_val_split
ALLOWED_FROM_COURSE_LIB = ("data", "load_digits", "train_val_split")


# ------------------------------------------------------------ own parts

def _module_forbidden(module: str) -> bool:
    top, _, rest = module.partition(".")
    if top in FRAMEWORKS:
        return True
    if top == "course_lib":
        return bool(rest) and rest.split(".")[0] not in COURSE_LIB_ALLOWED
    return False


def _dynamic_import(node) -> bool:
    """__import__(...), importlib.import_module(...), exec and eval: code
    the parser cannot see."""
    if not isinstance(node, ast.Call):
        return False
    f = node.func
    name = f.id if isinstance(f, ast.Name) else (
        f.attr if isinstance(f, ast.Attribute) else "")
    return name in ("__import__", "import_module", "exec", "eval")


def imports_in(source: str) -> tuple[set, set, list]:
    """(forbidden names bound, course_lib root aliases, findings) of one
    cell's source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set(), []
    bound, roots, found = set(), set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                name = a.asname or a.name.split(".")[0]
                if _module_forbidden(a.name) or (
                        a.name.split(".")[0] in FRAMEWORKS):
                    bound.add(name)
                    found.append(f"import {a.name}")
                elif a.name == "course_lib" or a.name.startswith(
                        "course_lib."):
                    roots.add(name)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            for a in node.names:
                full = f"{module}.{a.name}"
                bad = _module_forbidden(module) or (
                    module == "course_lib"
                    and a.name not in ALLOWED_FROM_COURSE_LIB)
                if bad:
                    bound.add(a.asname or a.name)
                    found.append(f"from {module} import {a.name}")
                elif full == "course_lib.data" or module == "course_lib":
                    pass
        elif _dynamic_import(node):
            found.append(f"{ast.unparse(node.func)}(...) (code that cannot "
                         "be read)")
    return bound, roots, found


def _loads(tree) -> set:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _root_misuse(tree, roots: set) -> list:
    """course_lib.layers.X and the like, through an ``import course_lib``."""
    out = []
    for n in ast.walk(tree):
        if (isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                and n.value.id in roots
                and n.attr not in ALLOWED_FROM_COURSE_LIB):
            out.append(f"{n.value.id}.{n.attr}")
    return out


def _alias_of(value, bound: set, roots: set) -> bool:
    """``value`` is a name or attribute chain that starts at a borrowed
    name, or reaches past ``course_lib.data`` (``course_lib.layers.X``)."""
    chain = []
    while isinstance(value, ast.Attribute):
        chain.append(value.attr)
        value = value.value
    if not isinstance(value, ast.Name):
        return False
    return value.id in bound or (
        value.id in roots and bool(chain)
        and chain[-1] not in ALLOWED_FROM_COURSE_LIB)


def borrowed_parts(sources: dict) -> dict:
    """grade id -> what makes that part not the student's own (empty when
    it is), from the source of every answer cell."""
    per_cell = {gid: imports_in(src) for gid, src in sources.items()}
    bound = set().union(*(b for b, _, _ in per_cell.values())) \
        if per_cell else set()
    roots = set().union(*(r for _, r, _ in per_cell.values())) \
        if per_cell else set()
    for _ in range(3):  # X = torch.nn.Conv2d; Y = X: borrowed as well
        for src in sources.values():
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            for n in tree.body:  # top-level aliases only: X = a.b.C
                if isinstance(n, ast.Assign) and _alias_of(n.value, bound,
                                                           roots):
                    bound |= {t.id for t in n.targets
                              if isinstance(t, ast.Name)}
    verdict = {}
    for gid, names in PARTS.items():
        src = sources.get(gid, "")
        try:
            tree = ast.parse(src)
        except SyntaxError:
            verdict[gid] = []
            continue
        found = list(per_cell.get(gid, (set(), set(), []))[2])
        defined = {n.name for n in ast.walk(tree)
                   if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        used = sorted((_loads(tree) & bound) - defined)
        found += [f"uses {u}, imported from a library" for u in used]
        found += [f"uses {m}" for m in _root_misuse(tree, roots)]
        shadow = sorted(set(names) & set().union(
            *(b for g, (b, _, _) in per_cell.items() if g != gid)))
        found += [f"{s} is replaced by an import" for s in shadow]
        verdict[gid] = found
    return verdict


def _history_sources(probe) -> dict:
    """Fallback: the answer cells found in the notebook's input history,
    each attributed to the part whose names it defines."""
    history = probe.get(probe.lookup("_ih"))
    if not isinstance(history, list):
        return {}
    out = {gid: "" for gid in PARTS}
    other = []
    for src in history:
        if not isinstance(src, str):
            continue
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        top = set()
        for n in tree.body:
            if isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                top.add(n.name)
            elif isinstance(n, ast.Assign):
                top |= {t.id for t in n.targets if isinstance(t, ast.Name)}
        owners = [g for g, names in PARTS.items() if set(names) & top]
        for g in owners:
            out[g] += "\n" + src
        if not owners:
            other.append(src)
    out["_other"] = "\n".join(other)
    return out


def submitted_sources(side) -> dict:
    """grade id -> source of each answer cell, as handed in."""
    own = getattr(type(side), "submitted", None)
    if own is not None:
        return dict(side.submitted())
    if hasattr(side, "_ns"):          # the reference, on the host
        return {gid: "" for gid in PARTS}
    return _history_sources(side)


def require_own(probe, gid: str) -> None:
    """Fail unless the part ``gid`` is the student's own code."""
    found = borrowed_parts(submitted_sources(probe)).get(gid, [])
    if found:
        raise Fail(f"{gid}: this part must be your own code; the cell "
                   f"{'; '.join(sorted(set(found))[:3])}. It scores zero.")


# ------------------------------------------------------------ the parts

def _layer_run(side, make, x, dout, train=True):
    layer = make(side)
    xs, ds = side.put(x), side.put(dout)
    out = side.get(layer.forward(xs, train))
    dx = side.get(layer.backward(ds))
    grads = side.get(layer.grads)
    return out, dx, grads, side.get(xs), side.get(ds)


def _compare_layer(probe, ref, name, make, x, dout, train=True, rtol=1e-9):
    got = _layer_run(probe, make, x, dout, train)
    want = _layer_run(ref, make, x, dout, train)
    expect_close(got[0], want[0], rtol=rtol, atol=1e-12,
                 what=f"{name}.forward(x) for x of shape {x.shape}")
    expect_close(got[1], want[1], rtol=rtol, atol=1e-12,
                 what=f"{name}.backward(dout), the gradient dx")
    expect(isinstance(got[2], dict) and set(got[2]) == set(want[2]),
           f"{name}.grads must have the keys {sorted(want[2])}")
    for k in want[2]:
        expect_close(got[2][k], want[2][k], rtol=rtol, atol=1e-12,
                     what=f"{name}.grads[{k!r}]")
    expect(np.array_equal(got[3], x) and np.array_equal(got[4], dout),
           f"{name} must not modify x or dout in place")


@check("test_affine", points=2)
def affine_matches(probe, ref, rng):
    require_own(probe, "affine")
    for shape, M in (((4, 6), 3), ((3, 2, 3, 3), 5)):
        D = int(np.prod(shape[1:]))
        W, b = rng.normal(size=(D, M)), rng.normal(size=M)
        x, dout = rng.normal(size=shape), rng.normal(size=(shape[0], M))
        _compare_layer(probe, ref, "Affine", lambda s: s.Affine(W, b), x,
                       dout)


@check("test_relu", points=1)
def relu_matches(probe, ref, rng):
    require_own(probe, "relu")
    x = rng.normal(size=(5, 3, 2, 2))
    x[0, 0, 0, :] = 0.0
    _compare_layer(probe, ref, "ReLU", lambda s: s.ReLU(), x,
                   rng.normal(size=x.shape), rtol=0)


@check("test_softmax_loss", points=2)
def softmax_loss_matches(probe, ref, rng):
    require_own(probe, "softmax_loss")
    for scale in (2.0, 1e3):
        x = rng.normal(scale=scale, size=(7, 5))
        t = rng.integers(0, 5, size=7)
        dout = float(rng.uniform(0.5, 2.0))
        vals = []
        for side in (probe, ref):
            layer = side.SoftmaxWithLoss()
            loss = layer.forward(x, t)
            vals.append((loss, side.get(layer.backward(dout))))
        expect(np.ndim(vals[0][0]) == 0 and np.isfinite(vals[0][0]),
               f"the loss must be one finite number for logits of scale "
               f"{scale:g} (subtract the row maximum)")
        expect_close(vals[0][0], vals[1][0], rtol=1e-9,
                     what="SoftmaxWithLoss.forward(x, t)",
                     hint="the mean over the batch")
        expect_close(vals[0][1], vals[1][1], rtol=1e-9, atol=1e-15,
                     what="SoftmaxWithLoss.backward(dout)",
                     hint="dout * (p - onehot(t)) / N")


OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")


@check("test_optimizer", points=2)
def optimizer_trajectory(probe, ref, rng):
    require_own(probe, "optimizer")
    from course_lib import optim

    spec = probe.get(probe.OPTIMIZER)
    expect(isinstance(spec, (tuple, list)) and len(spec) == 2
           and spec[0] in OPTIMIZERS and isinstance(spec[1], dict),
           f"OPTIMIZER must be (name, hyperparameters) with a name among "
           f"{OPTIMIZERS}")
    try:
        host = getattr(optim, spec[0])(**spec[1])
    except (TypeError, ValueError) as exc:
        raise Fail(f"OPTIMIZER's hyperparameters do not fit {spec[0]}: "
                   f"{exc}") from None
    start = {"a.W": rng.normal(size=(4, 3)), "b": rng.normal(size=3)}
    # "b" gets tiny gradients, where eps decides the step of adaptive rules
    scale = {"a.W": 1.0, "b": 1e-5}
    grads = [{k: scale[k] * rng.normal(size=v.shape)
              for k, v in start.items()} for _ in range(6)]
    want = {k: v.copy() for k, v in start.items()}
    opt = probe.make_optimizer()
    arrays = {k: probe.put(v) for k, v in start.items()}
    params = probe.put(dict(arrays))
    for g in grads:
        host.update(want, {k: v.copy() for k, v in g.items()})
        opt.update(params, g)
    got = {k: probe.get(a) for k, a in arrays.items()}
    expect(not all(np.array_equal(got[k], start[k]) for k in start),
           f"{spec[0]}.update did not change the arrays given to it: update "
           "them in place (p -= ...), never params[key] = ...")
    for k in want:
        expect_close(got[k], want[k], rtol=1e-7, atol=1e-10,
                     what=f"{spec[0]}: parameters {k!r} after 6 updates",
                     hint="update in place (p -= ...), state per key, step "
                          "count from 1")


@check("test_init", points=1)
def he_normal_statistics(probe, ref, rng):
    require_own(probe, "init")
    for shape in ((300, 200), (32, 16, 3, 3), (8, 3, 5, 5)):
        fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))
        std = np.sqrt(2.0 / fan_in)
        n = int(np.prod(shape))
        seed = int(rng.integers(1 << 31))
        W = probe.he_normal(shape, probe.np.random.default_rng(seed))
        expect(isinstance(W, np.ndarray) and W.shape == shape,
               f"he_normal{shape} must return an array of that shape")
        expect(abs(W.mean()) < 5 * std / np.sqrt(n),
               f"he_normal{shape}: the mean must be 0")
        expect(abs(W.std() - std) < 5 * std / np.sqrt(2 * n),
               f"he_normal{shape}: the std must be sqrt(2 / fan_in), with "
               "fan_in = C*kh*kw for (F, C, kh, kw)")
        again = probe.he_normal(shape, probe.np.random.default_rng(seed))
        expect(np.array_equal(W, again), "he_normal must draw from rng only")


@check("test_batchnorm", points=3)
def batchnorm_matches(probe, ref, rng):
    require_own(probe, "batchnorm")
    for shape in ((6, 4), (3, 2, 4, 5)):
        C = shape[1]
        gamma, beta = rng.normal(size=C), rng.normal(size=C)
        x = rng.normal(2.0, 3.0, size=shape)
        _compare_layer(probe, ref, "BatchNorm",
                       lambda s: s.BatchNorm(gamma, beta), x,
                       rng.normal(size=shape), rtol=1e-7)
        runs = []
        for side in (probe, ref):
            bn = side.BatchNorm(gamma, beta, 0.8)
            for _ in range(3):
                bn.forward(rng_x := x + 1.0, True)
            runs.append((side.get(bn.running_mean), side.get(bn.running_var),
                         side.get(bn.forward(rng_x[:2], False))))
        for got, want, what in zip(runs[0], runs[1], (
                "running_mean", "running_var", "the inference output")):
            expect_close(got, want, rtol=1e-9, atol=1e-12,
                         what=f"BatchNorm {what} after 3 training batches",
                         hint="running = momentum*running + (1 - momentum)"
                              "*batch, with the unbiased variance")


@check("test_dropout", points=2)
def dropout_behaves(probe, ref, rng):
    require_own(probe, "dropout")
    ratio = float(rng.uniform(0.2, 0.6))
    x = rng.uniform(0.5, 1.5, size=(400, 60))
    seed = int(rng.integers(1 << 31))
    layer = probe.Dropout(ratio, seed)
    y = layer.forward(x, True)
    expect(isinstance(y, np.ndarray) and y.shape == x.shape,
           "Dropout.forward must keep the shape")
    kept = y != 0
    expect_close(y[kept], x[kept] / (1 - ratio), rtol=1e-12,
                 what="kept units", hint="divide them by 1 - ratio")
    n = x.size
    expect(abs((~kept).mean() - ratio) < 5 * np.sqrt(ratio * (1 - ratio) / n),
           "the fraction of dropped units must be about ratio (the "
           "probability of dropping)")
    dout = rng.normal(size=x.shape)
    expect_close(layer.backward(dout), dout * kept / (1 - ratio),
                 rtol=1e-12, what="Dropout.backward(dout)",
                 hint="the same mask and scale as forward")
    expect_close(probe.Dropout(ratio, seed).forward(x, False), x, rtol=0,
                 what="Dropout.forward(x, train=False)",
                 hint="inference returns the input unchanged")
    again = probe.Dropout(ratio, seed).forward(x, True)
    expect(np.array_equal(again, y), "the same rng seed must give the same "
           "mask: draw from np.random.default_rng(rng)")


@check("test_conv", points=3)
def conv_matches(probe, ref, rng):
    require_own(probe, "conv")
    for xs, ws, s, p in (((2, 3, 6, 6), (4, 3, 3, 3), 1, 1),
                         ((2, 2, 7, 7), (3, 2, 3, 3), 2, 0),
                         ((1, 1, 8, 8), (5, 1, 2, 2), 2, 1)):
        x, W, b = rng.normal(size=xs), rng.normal(size=ws), \
            rng.normal(size=ws[0])
        out = ref.Conv2D(W, b, s, p).forward(x)
        _compare_layer(probe, ref, f"Conv2D(stride={s}, pad={p})",
                       lambda side: side.Conv2D(W, b, s, p), x,
                       rng.normal(size=out.shape))


@check("test_maxpool", points=2)
def maxpool_matches(probe, ref, rng):
    require_own(probe, "maxpool")
    for xs, size, stride in (((2, 3, 6, 6), 2, 2), ((2, 2, 7, 7), 3, 2),
                             ((1, 2, 5, 5), 2, 1)):
        # rounded values give ties: the first maximum takes the gradient
        x = np.round(rng.normal(size=xs), 1)
        out = ref.MaxPool2D(size, stride).forward(x)
        _compare_layer(probe, ref, f"MaxPool2D({size}, {stride})",
                       lambda side: side.MaxPool2D(size, stride), x,
                       rng.normal(size=out.shape), rtol=1e-12)


@check("test_train_loop", points=2)
def loop_batches(probe, ref, rng):
    require_own(probe, "train_loop")
    batch, epochs = int(rng.integers(4, 9)), 3
    # a last batch smaller than the others
    N = batch * int(rng.integers(3, 6)) + int(rng.integers(1, batch))
    x = np.arange(N, dtype=float)[:, None] * np.ones((1, 2))
    t = np.arange(N)
    seen, epoch_ends = [], []
    losses = rng.uniform(0.1, 2.0, size=1000)

    def step(xb, tb):
        seen.append(np.asarray(tb))
        return float(losses[len(seen) - 1])

    def on_epoch(epoch, mean):
        epoch_ends.append((epoch, mean, len(seen)))

    hist = probe.train(step, x, t, epochs, batch,
                       probe.np.random.default_rng(int(rng.integers(1 << 31))),
                       on_epoch)
    per = -(-N // batch)
    expect(len(seen) == per * epochs,
           f"{epochs} epochs of {N} samples in batches of {batch} take "
           f"{per * epochs} steps; got {len(seen)}")
    orders = []
    for e in range(epochs):
        part = seen[e * per:(e + 1) * per]
        expect([len(b) for b in part[:-1]] == [batch] * (per - 1),
               "batches must have batch_size samples (only the last may be "
               "smaller)")
        order = np.concatenate(part)
        expect(sorted(order.tolist()) == list(range(N)),
               "every sample must be used exactly once per epoch (draw a "
               "permutation, not with replacement; keep the last batch)")
        orders.append(order)
    expect(not np.array_equal(orders[0], orders[1])
           and not np.array_equal(orders[0], np.arange(N)),
           "draw a fresh random order every epoch")
    want = [float(sum(losses[e * per + i] * len(seen[e * per + i])
                      for i in range(per)) / N) for e in range(epochs)]
    expect(isinstance(hist, (list, tuple, np.ndarray)) and len(hist) == epochs,
           "train must return one mean loss per epoch")
    expect_close(np.asarray(hist, dtype=float), np.array(want), rtol=1e-9,
                 dtype=False, what="the per-epoch losses",
                 hint="the mean over samples: weight each batch's loss by "
                      "its size")
    expect([(e, n) for e, _, n in epoch_ends]
           == [(e, per * (e + 1)) for e in range(epochs)],
           "on_epoch(epoch, mean_loss) is called once after each epoch")


# ------------------------------------------------------------ accuracy

def perturb(x, rng):
    """Copies of images ``x`` (n, 1, 8, 8) under a random affine warp
    (bilinear, blank outside the image), stroke and contrast change and
    Gaussian noise, one draw per image from ``rng``."""
    from course_lib.augmentation import RandomStroke, RandomWarp

    out = RandomWarp(MAX_DEGREES, MAX_SCALE, MAX_SHIFT)(x, rng)
    out = RandomStroke(MAX_STROKE)(out, rng)
    gain = rng.uniform(1 - MAX_GAIN, 1 + MAX_GAIN, (len(x), 1, 1, 1))
    return gain * out + rng.normal(0.0, NOISE_STD, out.shape)


def held_out(rng, copies=COPIES):
    """(images (n, 1, 8, 8), labels): ``copies`` perturbed copies of the
    digits' test split (:func:`perturb`)."""
    from course_lib.data import load_digits

    _, (x, t) = load_digits(flatten=False)
    if not len(x):
        raise RuntimeError("held_out: the digits' test split is empty here "
                           "(COURSE_LIB_DIGITS_TRAIN is set); the held-out "
                           "set is built on the grading host")
    x = np.concatenate([x] * copies)
    return perturb(x, rng), np.concatenate([t] * copies)


def _labels(predict, images):
    """``predict(images)``, checked to be one integer label per image."""
    labels = predict(images)
    n = len(images)
    if not isinstance(labels, np.ndarray) or labels.shape != (n,):
        raise Fail(f"predict(images) for {n} images must return an array of "
                   f"{n} labels; got "
                   f"{getattr(labels, 'shape', type(labels).__name__)}")
    if labels.dtype.kind not in "iu":
        if labels.dtype.kind != "f" or not np.all(labels == np.round(labels)):
            raise Fail("predict must return integer labels 0-9 (argmax of "
                       "the logits), not scores")
    return labels


def accuracy_of(predict, rng) -> float:
    """Fraction of held-out images that ``predict`` labels correctly, sent
    ``BATCH`` at a time (a network's memory grows with the batch)."""
    x, t = held_out(rng)
    labels = [_labels(predict, x[i:i + BATCH]) for i in range(0, len(x), BATCH)]
    return float(np.mean(np.concatenate(labels) == t))


def _accuracy(probe, rng):
    """The held-out accuracy of the notebook's ``predict``, measured once per
    draw: the three bars judge the same images."""
    key = ("held-out accuracy", repr(rng.bit_generator.state))
    if key not in probe.memo:
        try:
            probe.memo[key] = accuracy_of(probe.predict, rng)
        except StudentError as exc:
            if exc.ename == "NameError" and "predict" in exc.evalue:
                raise Fail("predict is not defined: the network's cell did "
                           "not run to its end") from None
            raise
    return probe.memo[key]


def _accuracy_points(probe, rng, level):
    require_own(probe, "model")
    acc = _accuracy(probe, rng)
    need = THRESHOLDS[level]
    if acc < need:
        raise Fail(f"held-out accuracy {acc:.1%} is below {need:.0%}")


@check("test_accuracy", points=2, stream="accuracy")
def accuracy_90(probe, ref, rng):
    _accuracy_points(probe, rng, 0)


@check("test_accuracy", points=2, stream="accuracy")
def accuracy_95(probe, ref, rng):
    _accuracy_points(probe, rng, 1)


@check("test_accuracy", points=2, stream="accuracy")
def accuracy_97(probe, ref, rng):
    _accuracy_points(probe, rng, 2)
