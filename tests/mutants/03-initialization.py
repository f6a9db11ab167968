"""Plausible wrong answers to assignment 03-initialization."""

from tests.assignments import Mutant

MUTANTS = [
    # ---------------------------------------------------------------- fan_in
    Mutant(
        name="fan-in-counts-kernels",
        cell="fan_in",
        source='''def fan_in(shape):
    if len(shape) == 2:
        return int(shape[0])
    return int(shape[0] * np.prod(shape[2:]))''',
        # the initializers use fan_in on convolution shapes too
        loses=("test_fan_in", "test_xavier_normal", "test_he_normal"),
        message="counting the F = 16 kernels",
    ),
    Mutant(
        name="fan-in-ignores-kernel-size",
        cell="fan_in",
        source='''def fan_in(shape):
    return int(shape[0]) if len(shape) == 2 else int(shape[1])''',
        loses=("test_fan_in", "test_xavier_normal", "test_he_normal"),
        message="leaving out the kernel size",
    ),
    # --------------------------------------------------------- xavier_normal
    Mutant(
        name="xavier-uses-fan-out",
        cell="xavier_normal",
        source='''def xavier_normal(shape, rng):
    if len(shape) == 2:
        n = shape[1]
    else:
        n = shape[0] * int(np.prod(shape[2:]))
    return rng.standard_normal(shape) / np.sqrt(n)''',
        loses=("test_xavier_normal",),
        message="fan-out",
    ),
    Mutant(
        name="xavier-variance-as-std",
        cell="xavier_normal",
        source='''def xavier_normal(shape, rng):
    return rng.standard_normal(shape) * (1.0 / fan_in(shape))''',
        loses=("test_xavier_normal",),
        message="variance 1/n used as a std",
    ),
    Mutant(
        name="xavier-global-random-state",
        cell="xavier_normal",
        source='''def xavier_normal(shape, rng):
    return np.random.randn(*shape) / np.sqrt(fan_in(shape))''',
        loses=("test_xavier_normal",),
        message="same seed must give the same weights",
    ),
    # ------------------------------------------------------------- he_normal
    Mutant(
        name="he-with-xavier-std",
        cell="he_normal",
        source='''def he_normal(shape, rng):
    return rng.standard_normal(shape) / np.sqrt(fan_in(shape))''',
        loses=("test_he_normal",),
        message="factor 2 missing",
    ),
    Mutant(
        name="he-variance-as-std",
        cell="he_normal",
        source='''def he_normal(shape, rng):
    return rng.standard_normal(shape) * (2.0 / fan_in(shape))''',
        loses=("test_he_normal",),
        message="variance 2/n used as a std",
    ),
    Mutant(
        name="he-uniform-instead-of-normal-wrong-scale",
        cell="he_normal",
        source='''def he_normal(shape, rng):
    limit = np.sqrt(2.0 / fan_in(shape))
    return rng.uniform(-limit, limit, shape)''',
        loses=("test_he_normal",),
        message="std should be sqrt(2/",
    ),
    # --------------------------------------------------------------- forward
    Mutant(
        name="forward-every-layer-from-x",
        cell="forward",
        source='''def forward(x, weights, h):
    return [h(x @ W) for W in weights]''',
        loses=("test_forward",),
        message="start from layer 1's output",
    ),
    Mutant(
        name="forward-activation-before-product",
        cell="forward",
        source='''def forward(x, weights, h):
    outputs = []
    z = x
    for W in weights:
        z = h(z) @ W
        outputs.append(z)
    return outputs''',
        loses=("test_forward",),
        message="apply h after the product",
    ),
    # ----------------------------------------------------------- layer_stats
    Mutant(
        name="stats-over-the-wrong-axis",
        cell="layer_stats",
        source='''def layer_stats(acts, eps=0.02):
    means = np.array([np.mean(z, axis=0) for z in acts])
    stds = np.array([np.std(z, axis=0) for z in acts])
    saturated = np.array([np.mean((z < eps) | (z > 1 - eps), axis=0)
                          for z in acts])
    return means, stds, saturated''',
        loses=("test_layer_stats",),
        message="wrong axis",
    ),
    Mutant(
        name="stats-saturation-one-end",
        cell="layer_stats",
        source='''def layer_stats(acts, eps=0.02):
    means = np.array([np.mean(z) for z in acts])
    stds = np.array([np.std(z) for z in acts])
    saturated = np.array([np.mean(z > 1 - eps) for z in acts])
    return means, stds, saturated''',
        loses=("test_layer_stats",),
        message="both ends",
    ),
    Mutant(
        name="stats-sample-std",
        cell="layer_stats",
        source='''def layer_stats(acts, eps=0.02):
    means = np.array([np.mean(z) for z in acts])
    stds = np.array([np.std(z, ddof=1) for z in acts])
    saturated = np.array([np.mean((z < eps) | (z > 1 - eps)) for z in acts])
    return means, stds, saturated''',
        loses=("test_layer_stats",),
        message="ddof=0",
    ),
]
