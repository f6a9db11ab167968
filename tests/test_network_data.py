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
