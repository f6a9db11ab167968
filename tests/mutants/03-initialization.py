"""Plausible wrong answers to assignment 03-initialization."""

from tests.assignments import Mutant

# the initializers use fan_in on convolution shapes too
FAN_IN_USERS = ("test_fan_in", "test_xavier_normal", "test_he_normal")

MUTANTS = [
    # ---------------------------------------------------------------- fan_in
    # C * kh * kw computed as F * kh * kw
    Mutant(name="fan-in-counts-kernels", cell="fan_in",
           edits=[("np.prod(shape[1:])", "shape[0] * np.prod(shape[2:])")],
           loses=FAN_IN_USERS, message="counting the F = 16 kernels"),
    Mutant(name="fan-in-ignores-kernel-size", cell="fan_in",
           edits=[("int(np.prod(shape[1:]))", "int(shape[1])")],
           loses=FAN_IN_USERS, message="leaving out the kernel size"),
    # --------------------------------------------------------- xavier_normal
    Mutant(name="xavier-uses-fan-out", cell="xavier_normal",
           source='''def xavier_normal(shape, rng):
    if len(shape) == 2:
        n = shape[1]
    else:
        n = shape[0] * int(np.prod(shape[2:]))
    return rng.standard_normal(shape) / np.sqrt(n)''',
           loses=("test_xavier_normal",), message="fan-out"),
    # divides by n instead of sqrt(n)
    Mutant(name="xavier-variance-as-std", cell="xavier_normal",
           edits=[("np.sqrt(fan_in(shape))", "fan_in(shape)")],
           loses=("test_xavier_normal",),
           message="variance 1/n used as a std"),
    Mutant(name="xavier-global-random-state", cell="xavier_normal",
           edits=[("rng.standard_normal(shape)", "np.random.randn(*shape)")],
           loses=("test_xavier_normal",),
           message="same seed must give the same weights"),
    # ------------------------------------------------------------- he_normal
    Mutant(name="he-with-xavier-std", cell="he_normal",
           edits=[("* np.sqrt(2.0 / fan_in(shape))",
                   "/ np.sqrt(fan_in(shape))")],
           loses=("test_he_normal",), message="factor 2 missing"),
    Mutant(name="he-variance-as-std", cell="he_normal",
           edits=[("np.sqrt(2.0 / fan_in(shape))", "(2.0 / fan_in(shape))")],
           loses=("test_he_normal",), message="variance 2/n used as a std"),
    # U(-a, a) has std a / sqrt(3), not a
    Mutant(name="he-uniform-instead-of-normal-wrong-scale", cell="he_normal",
           source='''def he_normal(shape, rng):
    limit = np.sqrt(2.0 / fan_in(shape))
    return rng.uniform(-limit, limit, shape)''',
           loses=("test_he_normal",), message="std should be sqrt(2/"),
    # --------------------------------------------------------------- forward
    Mutant(name="forward-every-layer-from-x", cell="forward",
           source='''def forward(x, weights, h):
    return [h(x @ W) for W in weights]''',
           loses=("test_forward",), message="start from layer 1's output"),
    Mutant(name="forward-activation-before-product", cell="forward",
           edits=[("h(z @ W)", "h(z) @ W")],
           loses=("test_forward",), message="apply h after the product"),
    # ----------------------------------------------------------- layer_stats
    # per unit (axis 0) instead of over the whole layer
    Mutant(name="stats-over-the-wrong-axis", cell="layer_stats",
           edits=[("np.mean(z)", "np.mean(z, axis=0)"),
                  ("np.std(z)", "np.std(z, axis=0)"),
                  ("(z > 1 - eps))", "(z > 1 - eps), axis=0)")],
           loses=("test_layer_stats",), message="wrong axis"),
    Mutant(name="stats-saturation-one-end", cell="layer_stats",
           edits=[("np.mean((z < eps) | (z > 1 - eps))",
                   "np.mean(z > 1 - eps)")],
           loses=("test_layer_stats",), message="both ends"),
    Mutant(name="stats-sample-std", cell="layer_stats",
           edits=[("np.std(z)", "np.std(z, ddof=1)")],
           loses=("test_layer_stats",), message="ddof=0"),
]
