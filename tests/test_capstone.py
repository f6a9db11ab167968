"""Assignment 8, the capstone: the held-out images, the own-parts rule and
the accuracy points, checked on the host without a sandbox."""

from __future__ import annotations

import importlib.util
import json
import time
import zlib

import numpy as np
import pytest

from course_tools.checks import Fail, reference
from course_tools.course import SOLUTIONS
from course_tools.execute import declared_seconds

from .assignments import solution_sources

pytestmark = [pytest.mark.grading]

NOTEBOOK = SOLUTIONS / "08-capstone" / "capstone.ipynb"
TIME_LIMIT = declared_seconds(NOTEBOOK)["model"]
SECRET_SEEDS = range(5)


def _checks():
    spec = importlib.util.spec_from_file_location(
        "capstone_checks", SOLUTIONS / "08-capstone" / "checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checks = _checks()


class HostSide:
    """The reference namespace seen as a student's notebook whose answer
    cells are ``sources`` (what ``probe.submitted()`` returns)."""

    def __init__(self, namespace, sources):
        self._ns, self._sources = namespace, sources

    def submitted(self):
        return dict(self._sources)

    @property
    def memo(self):
        return self.__dict__.setdefault("_memo", {})

    def __getattr__(self, name):
        return self._ns[name]

    def get(self, value):
        return value

    def put(self, value):
        return value


@pytest.fixture(scope="module")
def trained():
    """The reference notebook, run once with one BLAS thread, as in the
    grading sandbox: (namespace, seconds)."""
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    with threadpool_limits(1):
        ref = reference(NOTEBOOK)
    return ref, time.perf_counter() - start


def test_held_out_images_are_not_in_what_the_loader_gives():
    from course_lib.data import load_digits

    (x_train, _), (x_test, _) = load_digits(flatten=False)
    x, t = checks.held_out(np.random.default_rng(123))
    assert x.shape == (checks.COPIES * len(x_test), 1, 8, 8)
    assert t.shape == (len(x),)
    flat = x.reshape(len(x), -1)
    for known in (x_train, x_test):
        k = known.reshape(len(known), -1)
        # the smallest distance from each held-out image to any given one,
        # a block of images at a time
        for block in np.array_split(flat, -(-len(flat) // 2000)):
            d = ((block ** 2).sum(1)[:, None] + (k ** 2).sum(1)[None]
                 - 2 * block @ k.T)
            assert d.min() > 1e-6, "a held-out image equals a stored digit"


def test_held_out_depends_on_the_secret_seed():
    a, _ = checks.held_out(np.random.default_rng(1))
    b, _ = checks.held_out(np.random.default_rng(2))
    again, _ = checks.held_out(np.random.default_rng(1))
    assert not np.allclose(a, b)
    assert np.array_equal(a, again)


def test_reference_reaches_the_top_threshold_in_time(trained):
    ref, seconds = trained
    # the whole notebook, training included, within the training cell's limit
    assert seconds < TIME_LIMIT, f"the reference took {seconds:.1f} s"
    # the three bars' checks share one stream, so one draw per secret
    accs = [checks.accuracy_of(ref.predict, np.random.default_rng(
        [seed, zlib.crc32(b"accuracy")])) for seed in SECRET_SEEDS]
    assert min(accs) >= checks.THRESHOLDS[-1], \
        f"reference accuracy {min(accs):.4f} over the seeds {accs}"
    # the held-out set is large enough that the draw barely matters
    assert max(accs) - min(accs) < 0.006, accs


def test_the_three_bars_judge_one_draw_labelled_once(trained):
    ref, _ = trained
    calls = []

    def counted(images):
        calls.append(len(images))
        return ref.predict(images)

    probe = HostSide({**ref._ns, "predict": counted},
                     solution_sources(NOTEBOOK))
    names = {fn.__check__.stream for fn in (
        checks.accuracy_90, checks.accuracy_95, checks.accuracy_97)}
    assert names == {"accuracy"}
    for fn in (checks.accuracy_90, checks.accuracy_95, checks.accuracy_97):
        fn(probe, ref, np.random.default_rng([7, zlib.crc32(b"accuracy")]))
    assert sum(calls) == checks.COPIES * 359 and max(calls) == checks.BATCH
    # another draw is labelled afresh
    checks.accuracy_90(probe, ref, np.random.default_rng(8))
    assert sum(calls) == 2 * checks.COPIES * 359


def test_the_thresholds_are_those_of_the_course_plan():
    assert checks.THRESHOLDS == (0.90, 0.95, 0.97)


def test_the_perturbation_is_the_identity_at_zero_and_bounded(monkeypatch):
    from course_lib.data import load_digits

    _, (x, _) = load_digits(flatten=False)
    for name in ("MAX_SHIFT", "MAX_DEGREES", "MAX_SCALE", "MAX_STROKE",
                 "MAX_GAIN", "NOISE_STD"):
        monkeypatch.setattr(checks, name, 0.0)
    same = checks.perturb(x, np.random.default_rng(0))
    np.testing.assert_allclose(same, x, atol=1e-12)
    monkeypatch.undo()
    moved = checks.perturb(x, np.random.default_rng(0))
    # legible: most ink stays, the images change
    ink = moved.clip(0, None).sum(axis=(1, 2, 3)) / x.sum(axis=(1, 2, 3))
    assert 0.7 < np.median(ink) < 1.3, np.median(ink)
    assert np.abs(moved - x).mean() > 0.05


def test_one_class_for_every_image_scores_nothing(trained):
    ref, _ = trained
    sources = solution_sources(NOTEBOOK)

    def one_class(images):
        return np.full(len(images), 3)

    probe = HostSide({**ref._ns, "predict": one_class}, sources)
    for fn in (checks.accuracy_90, checks.accuracy_95, checks.accuracy_97):
        with pytest.raises(Fail, match="below"):
            fn(probe, ref, np.random.default_rng(0))


def test_scores_are_not_accepted_as_labels(trained):
    ref, _ = trained
    probe = HostSide({**ref._ns, "predict": lambda x: np.zeros((len(x), 10))},
                     solution_sources(NOTEBOOK))
    with pytest.raises(Fail, match="labels"):
        checks.accuracy_90(probe, ref, np.random.default_rng(0))


COURSE_LIB_NETWORK = {
    "affine": "from course_lib.layers import Affine",
    "relu": "import course_lib\nReLU = course_lib.layers.ReLU",
    "batchnorm": "import course_lib.layers as L\nBatchNorm = L.BatchNorm",
    "optimizer": ("from course_lib.optim import Adam\n"
                  "OPTIMIZER = ('Adam', {'lr': 0.005})\n"
                  "def make_optimizer():\n    return Adam(lr=0.005)"),
    "model": ("from course_lib.network import Sequential\n"
              "net = Sequential([])\n"
              "def predict(images):\n    return net.predict(images)"),
}


def test_course_lib_parts_score_zero_for_what_they_replace(trained):
    ref, _ = trained
    sources = {**solution_sources(NOTEBOOK), **COURSE_LIB_NETWORK}
    found = checks.borrowed_parts(sources)
    assert {g for g, why in found.items() if why} == set(COURSE_LIB_NETWORK)
    # a part's check fails before comparing anything, the others pass
    probe = HostSide(ref._ns, sources)
    rng = np.random.default_rng(0)
    with pytest.raises(Fail, match="own code"):
        checks.affine_matches(probe, ref, rng)
    with pytest.raises(Fail, match="own code"):
        checks.accuracy_90(probe, ref, rng)
    checks.relu_matches(HostSide(ref._ns, solution_sources(NOTEBOOK)), ref,
                        rng)
    checks.conv_matches(probe, ref, rng)


@pytest.mark.parametrize("source,replaced", [
    ("import torch\nConv2D = torch.nn.Conv2d", True),
    ("import tensorflow as tf", True),
    ("from sklearn.neural_network import MLPClassifier", True),
    ("import jax.numpy as jnp", True),
    ("import importlib\nm = importlib.import_module('course_lib.layers')",
     True),
    ("exec(open('layers.py').read())", True),
    ("from course_lib.data import load_digits, train_val_split", False),
    ("from course_lib import load_digits", False),
    ("import numpy as np\nclass Conv2D:\n    pass", False),
])
def test_forbidden_imports_are_found(source, replaced):
    found = checks.borrowed_parts({"conv": source})["conv"]
    assert bool(found) is replaced, found


def test_an_import_in_another_cell_taints_the_part_that_uses_it():
    sources = {"relu": "import torch\nclass ReLU:\n    pass",
               "conv": "Conv2D = torch.nn.Conv2d",
               "affine": "class Affine:\n    pass"}
    found = checks.borrowed_parts(sources)
    assert found["relu"] and found["conv"] and not found["affine"]
    shadow = {"affine": "class Affine:\n    pass",
              "relu": "from course_lib.layers import Affine\nclass ReLU: ..."}
    assert checks.borrowed_parts(shadow)["affine"], \
        "an import that replaces the student's Affine later is found"


def test_the_reference_parts_pass_their_checks(trained):
    ref, _ = trained
    probe = HostSide(ref._ns, solution_sources(NOTEBOOK))
    rng = np.random.default_rng(5)
    for fn in (checks.affine_matches, checks.relu_matches,
               checks.softmax_loss_matches, checks.batchnorm_matches,
               checks.conv_matches, checks.maxpool_matches):
        fn(probe, ref, rng)


def test_a_borrowed_alias_follows_its_name_but_not_local_variables():
    sources = {"batchnorm": "import course_lib.layers as L\n"
                            "BatchNorm = L.BatchNorm",
               "optimizer": ("class Adam:\n"
                             "    def update(self, params, grads):\n"
                             "        for key, p in params.items():\n"
                             "            p -= grads[key]\n"
                             "OPTIMIZER = ('SGD', {'lr': 0.1})"),
               "model": ("layers = [BatchNorm(1, 0)]\n"
                         "params = {k: v for k, v in enumerate(layers)}\n"
                         "def predict(images):\n    return images")}
    found = checks.borrowed_parts(sources)
    assert found["batchnorm"] and found["model"]
    assert not found["optimizer"], found["optimizer"]


def test_the_notebook_states_the_held_out_set_as_the_checks_draw_it():
    from course_lib.data import load_digits

    _, (x_test, _) = load_digits(flatten=False)
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    intro = " ".join("".join(nb["cells"][0]["source"]).split())
    assert (f"{checks.COPIES * len(x_test):,} digits" in intro
            and f"{checks.COPIES} random copies of each of {len(x_test)} digits"
            in intro and f"batches of {checks.BATCH:,}" in intro), intro
