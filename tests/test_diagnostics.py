"""Activation statistics: forward_activations, activation_stats,
backward_gradients, WeightRecorder and UpdateRatio."""

from __future__ import annotations

import math

import numpy as np
import pytest

import course_lib as cl
from course_lib.diagnostics import (
    Activations,
    UpdateRatio,
    WeightRecorder,
    activation_stats,
    backward_gradients,
    format_stats,
    forward_activations,
    init_std,
)
from course_lib.gradcheck import numerical_gradient, relative_error

pytestmark = pytest.mark.ch3


def gaussian(n=1000, d=100, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(dtype), rng


def test_shapes_weights_and_first_layer_by_hand():
    x, rng = gaussian(50, 7)
    acts = forward_activations(x, n_layers=3, width=4, activation="tanh",
                               init=0.5, rng=rng)
    assert isinstance(acts, Activations) and len(acts) == 3
    assert [a.shape for a in acts] == [(50, 4)] * 3
    assert [w.shape for w in acts.weights] == [(7, 4), (4, 4), (4, 4)]
    np.testing.assert_allclose(acts.preactivations[0], x @ acts.weights[0])
    np.testing.assert_allclose(acts[0], np.tanh(x @ acts.weights[0]))
    np.testing.assert_allclose(acts[2], np.tanh(acts[1] @ acts.weights[2]))
    assert acts.activation == "tanh" and acts.init == "std=0.5"
    assert "tanh" in repr(acts)


def test_input_is_not_modified_and_dtype_is_kept():
    x, rng = gaussian(20, 10, dtype=np.float32)
    before = x.copy()
    acts = forward_activations(x, 2, 6, "relu", "he", rng=rng)
    np.testing.assert_array_equal(x, before)
    assert all(a.dtype == np.float32 for a in acts)
    assert all(w.dtype == np.float32 for w in acts.weights)


def test_reproducible_and_deeper_runs_extend_shallower_ones():
    x, _ = gaussian(30, 10)
    a = forward_activations(x, 3, 10, "sigmoid", "xavier", rng=5)
    b = forward_activations(x, 5, 10, "sigmoid", "xavier", rng=5)
    assert len(a) == 3 and len(b) == 5
    for u, v in zip(a, b[:3], strict=True):
        np.testing.assert_array_equal(u, v)


def test_init_as_name_number_and_callable():
    x, _ = gaussian(10, 400)
    he = forward_activations(x, 1, 300, "relu", "he", rng=0).weights[0]
    assert he.std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    glorot = forward_activations(x, 1, 300, "relu", "glorot",
                                 rng=0).weights[0]
    assert glorot.std() == pytest.approx(math.sqrt(2 / 700), rel=0.02)

    def uniform_005(shape, rng, dtype):
        return cl.init.uniform(shape, -0.05, 0.05, rng=rng, dtype=dtype)

    acts = forward_activations(x, 1, 300, "relu", uniform_005, rng=0)
    assert np.abs(acts.weights[0]).max() < 0.05
    assert acts.init == "uniform_005"
    assert init_std("xavier", 100) == pytest.approx(0.1)
    assert init_std("he_uniform", 50) == pytest.approx(0.2)
    assert init_std("glorot", 100, 300) == pytest.approx(math.sqrt(2 / 400))
    assert init_std(0.3, 10) == 0.3
    for name in cl.init.INITIALIZERS:
        assert init_std(name, 30, 70) == cl.init.std_for(name, 30, 70)


def test_relu_std_001_means_follow_theory():
    # layer 1: E[max(0, a)] = std(a)/sqrt(2 pi), std(a) = 0.01 * sqrt(100);
    # each further layer scales by 0.01 * sqrt(100 / 2)
    x, rng = gaussian()
    means = activation_stats(forward_activations(x, 5, 100, "relu", 0.01,
                                                 rng=rng))["mean"]
    expected = 0.1 / math.sqrt(2 * math.pi) * (0.01 * math.sqrt(50)) ** \
        np.arange(5)
    assert means[0] == pytest.approx(expected[0], rel=0.03)
    np.testing.assert_allclose(means, expected, rtol=0.5)
    ratios = means[1:] / means[:-1]
    assert np.all((ratios > 0.05) & (ratios < 0.1))


def test_he_keeps_relu_spread_and_xavier_shrinks_it():
    x, _ = gaussian()
    he = activation_stats(forward_activations(x, 5, 100, "relu", "he",
                                              rng=1))["std"]
    xavier = activation_stats(forward_activations(x, 5, 100, "relu",
                                                  "xavier", rng=1))["std"]
    assert he.max() / he.min() < 1.4
    assert xavier[-1] / xavier[0] < 0.5


def test_sigmoid_saturation_and_collapse():
    x, _ = gaussian()
    big = activation_stats(forward_activations(x, 5, 100, "sigmoid", 1.0,
                                               rng=2))
    small = activation_stats(forward_activations(x, 5, 100, "sigmoid", 0.01,
                                                 rng=2))
    assert np.all(big["saturated"] > 0.4)
    assert np.all(small["saturated"] == 0)
    assert np.all(small["std"][1:] < 0.02)


def test_activation_stats_closed_form():
    sig = [np.array([[0.01, 0.5], [0.99, 0.985]])]
    s = activation_stats(sig, "sigmoid")
    assert s["saturated"][0] == pytest.approx(0.75)
    assert s["mean"][0] == pytest.approx(np.mean(sig[0]))
    assert s["std"][0] == pytest.approx(np.std(sig[0]))
    assert s["layer"].tolist() == [1]
    # tanh: within 0.02 * 2 = 0.04 of +-1
    th = [np.array([[-0.97, 0.0, 0.95], [0.2, 0.961, -0.5]])]
    assert activation_stats(th, "tanh")["saturated"][0] == pytest.approx(
        2 / 6)
    assert activation_stats(th, "tanh", eps=0.1)["saturated"][0] == \
        pytest.approx(3 / 6)
    # ReLU: zeros per element, dead units per column
    r = [np.array([[0.0, 1.0, 0.0], [0.0, 2.0, 3.0]])]
    s = activation_stats(r, "relu")
    assert s["zero"][0] == pytest.approx(0.5)
    assert s["dead_units"][0] == pytest.approx(1 / 3)
    assert s["saturated"][0] == 0


def test_input_share_separates_offsets_from_signal():
    rng = np.random.default_rng(0)
    offsets = np.repeat(rng.standard_normal((1, 50)), 200, axis=0)
    signal = rng.standard_normal((200, 50))
    s = activation_stats([offsets, signal, offsets + 0.0 * signal],
                         "tanh")["input_share"]
    assert s[0] == pytest.approx(0.0, abs=1e-12)
    assert s[1] == pytest.approx(1.0, abs=0.05)
    assert np.isnan(activation_stats([np.ones((3, 2))], "relu")[
        "input_share"][0])


def test_stats_are_per_layer_not_per_unit_or_sample():
    a = [np.arange(12.0).reshape(3, 4) / 12, np.full((3, 4), 0.25)]
    s = activation_stats(a, "sigmoid")
    assert s["mean"].shape == (2,)
    assert s["mean"][0] == pytest.approx(np.arange(12).mean() / 12)
    assert s["std"][1] == 0


def test_activation_taken_from_activations_object():
    x, _ = gaussian(10, 5)
    acts = forward_activations(x, 2, 5, "tanh", 1.0, rng=0)
    assert activation_stats(acts)["saturated"].shape == (2,)
    with pytest.raises(TypeError, match="'activation'"):
        activation_stats([np.ones((2, 2))])


def test_format_stats_prints_reference_column():
    x, _ = gaussian(100, 20)
    stats = activation_stats(forward_activations(x, 3, 20, "relu", 0.01,
                                                 rng=0))
    text = format_stats(stats, reference=[0.0396, 0.0029, 0.000197])
    lines = text.splitlines()
    assert len(lines) == 4 and "seed" in lines[0]
    assert "0.0396" in lines[1] and "%" in lines[1]


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_backward_gradients_match_numerical(activation):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3))
    acts = forward_activations(x, 3, 5, activation, 0.7, rng=rng)
    dout = rng.standard_normal((4, 5))
    grads = [g.copy() for g in backward_gradients(acts, dout)]
    assert [g.shape for g in grads] == [w.shape for w in acts.weights]

    def loss(_):
        z = x
        for layer in acts.layers:
            z = layer.forward(z)
        return float(np.sum(z * dout))

    for W, g in zip(acts.weights, grads, strict=True):
        assert relative_error(g, numerical_gradient(loss, W)) < 1e-7


def test_backward_gradients_vanish_with_small_sigmoid_weights():
    x, rng = gaussian(500, 100)
    acts = forward_activations(x, 5, 100, "sigmoid", 0.01, rng=rng)
    sizes = [g.std() for g in backward_gradients(acts, rng=0)]
    assert sizes[-1] / sizes[0] > 1e4


def test_bad_input_raises_naming_the_argument():
    x, _ = gaussian(5, 4)
    with pytest.raises(ValueError, match="'x'"):
        forward_activations(x[0], 2, 3)
    with pytest.raises(TypeError, match="'x'"):
        forward_activations(x.tolist(), 2, 3)
    with pytest.raises(ValueError, match="'activation'"):
        forward_activations(x, 2, 3, "softmax")
    with pytest.raises(ValueError, match="'init'"):
        forward_activations(x, 2, 3, "relu", "kaiming")
    with pytest.raises(ValueError, match="'init'"):
        forward_activations(x, 2, 3, "relu", -0.1)
    with pytest.raises(ValueError, match="'n_layers'"):
        forward_activations(x, 0, 3)
    with pytest.raises(ValueError, match="'width'"):
        forward_activations(x, 2, 0)
    with pytest.raises(ValueError, match="'eps'"):
        activation_stats([x], "tanh", eps=0.5)
    with pytest.raises(ValueError, match="'acts'"):
        activation_stats([], "tanh")
    with pytest.raises(TypeError, match=r"acts\[0\]"):
        activation_stats([[1.0, 2.0]], "tanh")
    acts = forward_activations(x, 2, 3, "tanh", 1.0, rng=0)
    with pytest.raises(ValueError, match="'dout'"):
        backward_gradients(acts, np.ones((5, 4)))
    with pytest.raises(TypeError, match="'acts'"):
        backward_gradients(list(acts))


def test_batchnorm_option_standardizes_preactivations():
    x, rng = gaussian(200, 30)
    acts = forward_activations(x, 3, 30, "tanh", 5.0, rng=rng,
                               batchnorm=True)
    for a in acts.preactivations:
        np.testing.assert_allclose(a.mean(axis=0), 0, atol=1e-7)
        np.testing.assert_allclose(a.std(axis=0), 1, atol=1e-3)


def test_weight_recorder_sees_identical_units_under_constant_init():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 6))
    t = rng.integers(0, 3, 64)
    net = cl.Sequential([cl.Affine(cl.init.constant((6, 4), 0.1),
                                   cl.init.zeros(4)), cl.Sigmoid(),
                         cl.Affine(cl.init.constant((4, 3), 0.1),
                                   cl.init.zeros(3))])
    rec = WeightRecorder("0.W", np.s_[:, :2], every=2)
    cl.Trainer(net, cl.optim.SGD(lr=0.5), batch_size=16, rng=0,
               callbacks=[rec]).fit(x, t, epochs=3)
    assert rec.steps == [0, 2, 4, 6, 8, 10, 12]
    values = np.array(rec.values)
    assert values.shape == (7, 6, 2)
    assert not np.allclose(values[0], values[-1])        # it trained
    np.testing.assert_array_equal(values[..., 0], values[..., 1])
    bad = WeightRecorder("9.W")
    with pytest.raises(ValueError, match="'key'"):
        cl.Trainer(net, cl.optim.SGD(), batch_size=16, callbacks=[bad]).fit(
            x, t, epochs=1)


def test_activation_ranges_come_from_the_activation_layers():
    from course_lib.diagnostics import ACTIVATION_RANGES

    assert ACTIVATION_RANGES == {"relu": None, "sigmoid": (0.0, 1.0),
                                 "tanh": (-1.0, 1.0)}
    # the asymptotes are those of the layers' outputs
    x = np.array([[-40.0, 40.0]])
    for name, bounds in ACTIVATION_RANGES.items():
        if bounds is not None:
            out = cl.layers.ACTIVATIONS[name]().forward(x)
            np.testing.assert_allclose(out[0], bounds, atol=1e-15)


def _one_layer(W):
    return cl.Sequential([cl.Affine(W, np.zeros(W.shape[1]))])


def test_update_ratio_of_one_sgd_step_by_hand():
    # logits (1, -1) for label 0: dL/dlogits = softmax - onehot
    # = (-s, s) with s = sigmoid(-2) = 1 / (1 + e^2), so dW = x^T (-s, s)
    # and ||dW|| / ||W|| = sqrt(2) s / sqrt(2) = s; W - lr dW moves away
    W = np.array([[1.0, -1.0]])
    ratio = UpdateRatio()
    cl.Trainer(_one_layer(W), cl.optim.SGD(lr=0.5), batch_size=1, rng=0,
               callbacks=[ratio]).fit(np.array([[1.0]]), np.array([0]),
                                      epochs=1)
    want = 0.5 / (1.0 + math.e ** 2)
    assert list(ratio.ratios) == ["0.W"]            # weights only, no bias
    assert ratio.ratios["0.W"] == [pytest.approx(want, rel=1e-12)]
    assert ratio.per_epoch["0.W"] == [pytest.approx(want, rel=1e-12)]
    np.testing.assert_allclose(W, [[1.0 + want, -1.0 - want]], rtol=1e-12)


def test_update_ratio_per_epoch_is_the_median_of_its_updates():
    rng = np.random.default_rng(3)
    x, t = rng.standard_normal((12, 5)), rng.integers(0, 3, 12)
    net = cl.mlp([5, 4, 3], rng=1)
    ratio = UpdateRatio(keys=["2.W", "0.b"])
    cl.Trainer(net, cl.optim.SGD(lr=0.3), batch_size=4, rng=0,
               callbacks=[ratio]).fit(x, t, epochs=3)
    assert sorted(ratio.ratios) == ["0.b", "2.W"]
    for values, medians in ((ratio.ratios[k], ratio.per_epoch[k])
                            for k in ratio.ratios):
        assert len(values) == 9 and len(medians) == 3
        assert all(v > 0 for v in values)
        for e in range(3):
            assert medians[e] == float(np.median(values[3 * e:3 * e + 3]))
        assert len(set(medians)) == 3


def test_update_ratio_of_zero_weights_is_infinite_or_zero():
    ratio = UpdateRatio(keys=["0.W"])
    cl.Trainer(_one_layer(np.zeros((1, 2))), cl.optim.SGD(lr=0.5),
               batch_size=1, rng=0, callbacks=[ratio]).fit(
        np.array([[1.0]]), np.array([0]), epochs=1)
    assert ratio.ratios["0.W"] == [math.inf]
    still = UpdateRatio(keys=["0.W"])
    cl.Trainer(_one_layer(np.zeros((1, 2))), cl.optim.SGD(lr=0.5),
               batch_size=1, rng=0, callbacks=[still]).fit(
        np.array([[0.0]]), np.array([0]), epochs=1)      # x = 0: dW = 0
    assert still.ratios["0.W"] == [0.0]


def test_update_ratio_rejects_bad_keys():
    with pytest.raises(TypeError, match=r"UpdateRatio: 'keys' .*got 3"):
        UpdateRatio(keys=["0.W", 3])
    net = _one_layer(np.ones((2, 3)))
    x, t = np.ones((4, 2)), np.zeros(4, dtype=int)
    for keys, name in ((["9.W"], "'keys'"), (None, None)):
        ratio = UpdateRatio(keys=keys)
        if keys is None:
            net = cl.Sequential([cl.ReLU()])    # no weight to watch
            x = np.ones((4, 3))
            name = "'params'"
        with pytest.raises(ValueError, match=name):
            cl.Trainer(net, cl.optim.SGD(), batch_size=2,
                       callbacks=[ratio]).fit(x, t, epochs=1)
    assert repr(UpdateRatio(["0.W"])) == "UpdateRatio(keys=['0.W'])"
