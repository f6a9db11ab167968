"""Sequential, the trainer and the datasets."""

from __future__ import annotations

import numpy as np
import pytest

import course_lib as cl
from course_lib.data import read_idx, write_idx
from course_lib.gradcheck import numerical_gradient, relative_error

pytestmark = pytest.mark.ch1


class PlainSGD:
    def __init__(self, lr):
        self.lr = lr

    def update(self, params, grads):
        for k in params:
            params[k] -= self.lr * grads[k]


def test_network_gradient_matches_numerical():
    rng = np.random.default_rng(0)
    net = cl.mlp([5, 4, 3], activation="tanh", rng=1)
    x = rng.standard_normal((6, 5))
    t = rng.integers(0, 3, 6)
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    for name, p in net.params.items():
        num = numerical_gradient(lambda _: net.loss(x, t), p)
        assert relative_error(grads[name], num) < 1e-7, name


def test_params_alias_layer_arrays():
    net = cl.mlp([3, 2, 2], rng=0)
    assert net.params["0.W"] is net.layers[0].params["W"]
    assert set(net.params) == {"0.W", "0.b", "2.W", "2.b"}


def test_trainer_learns_digits_and_is_reproducible():
    (x, t), (xs, ts) = cl.load_digits()
    runs = []
    for _ in range(2):
        net = cl.mlp([64, 50, 10], rng=3)
        hist = cl.Trainer(net, PlainSGD(0.1), batch_size=32, rng=4).fit(
            x, t, epochs=3, x_val=xs, t_val=ts)
        runs.append(hist)
    assert runs[0].val_acc == runs[1].val_acc
    assert runs[0].batch_loss == runs[1].batch_loss
    assert runs[0].val_acc[-1] > 0.85
    assert runs[0].n_updates == 3 * int(np.ceil(x.shape[0] / 32))
    assert runs[0].epochs == [1, 2, 3]


def test_trainer_max_updates():
    x, t = cl.two_moons(100, rng=0)
    net = cl.mlp([2, 8, 2], rng=0)
    hist = cl.Trainer(net, PlainSGD(0.1), batch_size=10, rng=0).fit(
        x, t, max_updates=25)
    assert hist.n_updates == 25
    assert len(hist.batch_loss) == 25


def test_trainer_rejects_mismatched_labels():
    trainer = cl.Trainer(cl.mlp([2, 2], rng=0), PlainSGD(0.1))
    with pytest.raises(ValueError, match="'t' must be one label per sample"):
        trainer.fit(np.zeros((4, 2)), np.zeros(3, dtype=int), epochs=1)


def test_digits_split_is_fixed_and_scaled():
    (a, ta), (b, tb) = cl.load_digits()
    (a2, _), _ = cl.load_digits()
    assert np.array_equal(a, a2)
    assert a.shape == (1438, 64) and b.shape == (359, 64)
    assert a.min() >= 0 and a.max() <= 1
    assert set(np.unique(tb)) == set(range(10))
    (c, _), _ = cl.load_digits(rng=1)
    assert not np.array_equal(a, c)


def test_two_moons_shapes_and_balance():
    x, t = cl.two_moons(300, noise=0.1, rng=0)
    assert x.shape == (300, 2) and np.bincount(t).tolist() == [150, 150]
    x2, _ = cl.two_moons(300, noise=0.1, rng=0)
    assert np.array_equal(x, x2)


def test_train_val_split_shuffles_and_sizes():
    x = np.arange(100.0).reshape(50, 2)
    t = np.arange(50)
    (xt, tt), (xv, tv) = cl.train_val_split(x, t, 0.2, rng=0)
    assert xv.shape == (10, 2) and xt.shape == (40, 2)
    assert sorted(np.concatenate([tt, tv]).tolist()) == list(range(50))
    assert not np.array_equal(tv, np.arange(40, 50))
    with pytest.raises(ValueError, match="'val_fraction'"):
        cl.train_val_split(x, t, 1.5)


def _write_fake_mnist(root, n_train=5, n_test=3):
    rng = np.random.default_rng(0)
    folder = root / "mnist"
    folder.mkdir(parents=True)
    arrays = {
        "train_images": rng.integers(0, 256, (n_train, 28, 28), np.uint8),
        "train_labels": rng.integers(0, 10, n_train).astype(np.uint8),
        "test_images": rng.integers(0, 256, (n_test, 28, 28), np.uint8),
        "test_labels": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    files = {}
    for key, (name, _) in cl.data.MNIST_FILES.items():
        write_idx(folder / name, arrays[key])
        files[key] = (name, cl.data._md5(folder / name))
    return arrays, files


def test_load_mnist_reads_idx_files_and_verifies_checksums(tmp_path):
    arrays, files = _write_fake_mnist(tmp_path)
    (x, t), (xs, ts) = cl.load_mnist(cache_dir=tmp_path, files=files)
    assert x.shape == (5, 784) and xs.shape == (3, 784)
    assert np.allclose(x * 255, arrays["train_images"].reshape(5, -1))
    assert np.array_equal(t, arrays["train_labels"])
    bad = dict(files, train_labels=(files["train_labels"][0], "0" * 32))
    with pytest.raises(ValueError, match="MD5"):
        cl.load_mnist(cache_dir=tmp_path, files=bad)


def test_load_mnist_missing_names_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "mnist")):
        cl.load_mnist(cache_dir=tmp_path)


def test_idx_round_trip_and_truncation(tmp_path):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a.idx", a)
    assert np.array_equal(read_idx(tmp_path / "a.idx"), a)
    raw = (tmp_path / "a.idx").read_bytes()
    (tmp_path / "b.idx").write_bytes(raw[:-3])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "b.idx")


# ------------------------------------------------------- state dict

def _bn_net(rng=0):
    return cl.mlp([4, 5, 3], batchnorm=True, rng=rng)


def test_state_dict_holds_copies_of_params_and_buffers():
    net = _bn_net()
    state = net.state_dict()
    assert set(state) == {"0.W", "0.b", "1.gamma", "1.beta",
                          "1.running_mean", "1.running_var", "3.W", "3.b"}
    assert set(net.buffers) == {"1.running_mean", "1.running_var"}
    assert net.buffers["1.running_var"] is net.layers[1].running_var
    for k, v in state.items():
        assert not np.shares_memory(v, {**net.params, **net.buffers}[k]), k
    x = np.random.default_rng(1).standard_normal((8, 4))
    net.gradient(x, np.arange(8) % 3)
    net.params["0.W"] -= 1.0
    # training moved the network, not the saved state
    assert not np.array_equal(state["1.running_mean"],
                              net.layers[1].running_mean)
    assert not np.array_equal(state["0.W"], net.params["0.W"])


def test_load_state_dict_restores_in_place():
    net = _bn_net()
    state = net.state_dict()
    arrays = {**net.params, **net.buffers}
    x = np.random.default_rng(2).standard_normal((8, 4))
    before = net.predict(x)
    for _ in range(3):
        grads = net.gradient(x, np.arange(8) % 3)
        PlainSGD(0.5).update(net.params, grads)
    assert not np.allclose(net.predict(x), before)
    net.load_state_dict(state)
    np.testing.assert_array_equal(net.predict(x), before)
    for k, a in {**net.params, **net.buffers}.items():
        assert a is arrays[k], f"{k} was rebound"
        np.testing.assert_array_equal(a, state[k])
    # the loaded values are copies: changing the dict changes nothing
    state["0.W"][:] = 0
    assert net.params["0.W"].any()


@pytest.mark.parametrize("edit, kind, match", [
    (lambda s: s.pop("1.running_var"), ValueError,
     r"'state' must be a dict with the keys of state_dict\(\); got missing "
     r"\['1.running_var'\]"),
    (lambda s: s.update({"9.W": np.zeros(2)}), ValueError,
     r"got unexpected \['9.W'\]"),
    (lambda s: s.update({"3.W": np.zeros((3, 5))}), ValueError,
     r"state\['3.W'\] must have the shape of the network's '3.W', \(5, 3\);"
     r" got shape \(3, 5\)\."),
    (lambda s: s.update({"0.b": np.zeros(5, complex)}), TypeError,
     r"state\['0.b'\] must be castable to the network's float64; got dtype "
     r"complex128\."),
])
def test_load_state_dict_checks_keys_shapes_and_changes_nothing(edit, kind,
                                                               match):
    net = _bn_net()
    state = {k: v + 1.0 for k, v in net.state_dict().items()}
    edit(state)
    saved = net.state_dict()
    with pytest.raises(kind, match=r"Sequential.load_state_dict: .*" + match):
        net.load_state_dict(state)
    for k, v in net.state_dict().items():       # all or nothing
        np.testing.assert_array_equal(v, saved[k])
    with pytest.raises(TypeError, match="'state'"):
        net.load_state_dict([("0.W", np.zeros((4, 5)))])


# ------------------------------------------------ Sequential behaviour

def test_forward_defaults_to_training_mode_like_the_layers():
    net = cl.mlp([6, 50, 3], dropout=0.5, rng=0)
    x = np.random.default_rng(0).standard_normal((4, 6))
    assert not np.array_equal(net.forward(x), net.forward(x))   # dropout on
    np.testing.assert_array_equal(net.forward(x, train=False), net.predict(x))


def test_accuracy_is_the_accuracy_of_evaluate():
    net = cl.mlp([5, 4, 3], rng=1)
    rng = np.random.default_rng(3)
    x, t = rng.standard_normal((30, 5)), rng.integers(0, 3, 30)
    want = np.mean(np.argmax(net.predict(x), axis=1) == t)
    assert net.accuracy(x, t, batch_size=7) == want
    loss, acc = net.evaluate(x, t, batch_size=7)
    assert acc == want
    assert loss == pytest.approx(net.loss(x, t, train=False), rel=1e-12)
    assert net.accuracy(x, np.eye(3)[t]) == want


@pytest.mark.parametrize("t, match", [
    (np.array([0, 1, 3, 0]), r"'t' must be labels in \[0, 2\]; got label 3"),
    (np.array([0, -1, 1, 0]), r"got label -1"),
    (np.array([0, 1, 2]), r"'t' must be one label per sample of x: shape "
     r"\(4,\) or \(4, K\); got shape \(3\)"),
    (np.zeros((4, 5)), r"one-hot labels of shape \(4, 3\); got shape "
     r"\(4, 5\)"),
    (np.array([0.0, 0.5, 1.0, 2.0]), r"integer class labels; got label 0.5"),
])
def test_accuracy_and_evaluate_validate_labels(t, match):
    net = cl.mlp([2, 4, 3], rng=0)
    x = np.zeros((4, 2))
    with pytest.raises(ValueError, match="Sequential.accuracy: .*" + match):
        net.accuracy(x, t)
    with pytest.raises(ValueError, match="Sequential.evaluate: .*" + match):
        net.evaluate(x, t)


def test_empty_batch_raises_clearly():
    net = cl.mlp([2, 4, 3], rng=0)
    empty, labels = np.zeros((0, 2)), np.zeros(0, int)
    for call in (lambda: net.predict(empty), lambda: net.loss(empty, labels),
                 lambda: net.accuracy(empty, labels),
                 lambda: net.gradient(empty, labels)):
        with pytest.raises(ValueError, match=r"'x' must be a batch of at "
                           r"least one sample \(N >= 1\); got shape "
                           r"\(0, 2\)"):
            call()


def test_first_affine_skips_the_input_gradient_only_for_affine():
    net = cl.mlp([3, 4, 2], rng=0)
    x, t = np.ones((2, 3)), np.array([0, 1])
    net.loss(x, t)
    assert net.backward(input_grad=False) is None
    net.loss(x, t)
    assert net.backward().shape == (2, 3)
    flat = cl.Sequential([cl.Flatten(), *net.layers])
    flat.loss(x.reshape(2, 3, 1), t)
    assert flat.backward(input_grad=False).shape == (2, 3, 1)


def test_one_registry_of_activations_and_initializers():
    from course_lib import diagnostics, init, layers, network

    assert network.ACTIVATIONS is layers.ACTIVATIONS
    assert network.INITIALIZERS is init.INITIALIZERS
    assert diagnostics.INIT_NAMES is init.INITIALIZERS
    assert set(diagnostics.ACTIVATION_RANGES) == set(layers.ACTIVATIONS)
    net = cl.mlp([3, 4, 2], activation="tanh", rng=0)
    assert isinstance(net.layers[1], layers.ACTIVATIONS["tanh"])
    with pytest.raises(ValueError, match=r"mlp: 'activation' must be one of "
                       r"'relu', 'sigmoid', 'tanh'; got 'elu'"):
        cl.mlp([3, 4, 2], activation="elu")
