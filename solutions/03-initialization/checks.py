"""Hidden checks of assignment 03-initialization (run on the grading host).

The initializers draw random numbers, so their checks are statistical: the
tolerances are five standard errors of the sample mean and std. Generators
are made in the sandbox (``side.np.random.default_rng(seed)``); activation
functions are host functions the sandbox calls back. See
course_tools/checks.py and the instructors' guide.
"""

import numpy as np

from course_tools.checks import check, expect, expect_close

CONV_AND_DENSE = [(1, 1), (3, 700), (700, 3), (8, 1, 3, 3), (1, 8, 7, 7),
                  (32, 16, 1, 1), (16, 3, 5, 5), (784, 100)]


@check("test_fan_in", points=1)
def fan_in_matches(probe, ref, rng):
    shapes = CONV_AND_DENSE + [tuple(int(s) for s in rng.integers(1, 9, 4))
                               for _ in range(5)]
    for shape in shapes:
        got = probe.fan_in(shape)
        expect(isinstance(got, (int, np.integer))
               and not isinstance(got, bool),
               f"fan_in must return an int; got a {type(got).__name__}")
        expect(got == ref.fan_in(shape),
               f"fan_in{shape} is wrong. Dense (n_in, n_out): n_in. "
               "Convolution (F, C, kh, kw): C*kh*kw")


def _initializer(probe, ref, rng, name, std_of, hint):
    shapes = [(500, 80), (80, 500), (64, 32, 3, 3), (7, 4, 5, 5)]
    for shape in shapes:
        n = int(np.prod(shape))
        want = std_of(ref.fan_in(shape))
        seed = int(rng.integers(1 << 31))
        fn = getattr(probe, name)
        W = fn(shape, probe.np.random.default_rng(seed))
        expect(isinstance(W, np.ndarray), f"{name} must return a numpy "
               f"array; got a {type(W).__name__}")
        expect(W.shape == shape, f"{name}{shape} returned shape {W.shape}")
        expect(W.dtype == np.float64, f"{name} must return float64; got "
               f"{W.dtype}")
        expect(abs(W.mean()) < 5 * want / np.sqrt(n),
               f"{name}{shape}: the weights must have mean 0")
        expect(abs(W.std() - want) < 5 * want / np.sqrt(2 * n),
               f"{name}{shape}: the std of the weights is wrong ({hint})")
        again = fn(shape, probe.np.random.default_rng(seed))
        expect(isinstance(again, np.ndarray) and np.array_equal(W, again),
               f"{name}: the same seed must give the same weights: draw "
               "from the rng argument, not from np.random")
        other = fn(shape, probe.np.random.default_rng(seed + 1))
        expect(not np.array_equal(W, other),
               f"{name}: two different seeds gave the same weights")


@check("test_xavier_normal", points=2)
def xavier_normal_statistics(probe, ref, rng):
    _initializer(probe, ref, rng, "xavier_normal", lambda n: 1 / np.sqrt(n),
                 "it should be 1/sqrt(fan_in). Is it the fan-out, or the "
                 "variance 1/n used as a std?")


@check("test_he_normal", points=2)
def he_normal_statistics(probe, ref, rng):
    _initializer(probe, ref, rng, "he_normal", lambda n: np.sqrt(2 / n),
                 "the std should be sqrt(2/fan_in). Is the factor 2 missing "
                 "(that is Xavier), or the variance 2/n used as a std?")


@check("test_forward", points=2)
def forward_matches(probe, ref, rng):
    for h in (ref.sigmoid, ref.relu):
        x = rng.standard_normal((30, 7))
        sizes = [7, 5, 5, 5, 5]
        weights = [rng.normal(0, 0.8, (a, b))
                   for a, b in zip(sizes[:-1], sizes[1:])]
        got = probe.forward(x, weights, h)
        want = ref.forward(x, weights, h)
        expect(isinstance(got, list) and len(got) == len(want),
               f"4 weight matrices must give a list of 4 outputs; got "
               f"{len(got) if isinstance(got, list) else type(got).__name__}")
        for i, (g, w) in enumerate(zip(got, want)):
            expect_close(g, w, rtol=1e-10, atol=1e-12,
                         what=f"{h.__name__}: layer {i + 1}",
                         hint="each layer computes h(previous output @ W)")


@check("test_layer_stats", points=2)
def layer_stats_matches(probe, ref, rng):
    for n, d, L in [(50, 7, 3), (9, 40, 5), (1, 3, 2)]:
        acts = [ref.sigmoid(rng.normal(0, s, (n, d)))
                for s in np.linspace(0.5, 6, L)]
        for eps in (0.02, 0.1):
            got = probe.layer_stats(acts, eps=eps)
            want = ref.layer_stats(acts, eps=eps)
            expect(isinstance(got, tuple) and len(got) == 3,
                   "return (means, stds, saturated)")
            hints = {"means": "", "stds": "np.std with ddof=0",
                     "saturated": "count values near 0 and near 1 (both "
                                  "ends), as a fraction of all values"}
            for (name, hint), g, w in zip(hints.items(), got, want):
                expect(np.shape(g) == (L,),
                       f"{name} must have shape ({L},), one value per "
                       f"layer; got {np.shape(g)}: average over all values "
                       "of a layer, not over one axis")
                expect_close(np.asarray(g, dtype=float), w, rtol=1e-10,
                             atol=1e-12, what=f"{name} (eps={eps})",
                             hint=hint)
