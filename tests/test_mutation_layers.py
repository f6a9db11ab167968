"""What the simple layers promise, to the last digit and the last word.

Every bad argument is refused with the library's one message template,
``Where: 'name' must be <expected>; got <received>.``, so the messages are
checked in full: they name the method and the argument. The values are
small cases worked by hand: ReLU, Sigmoid and Tanh and their slopes, the
activity penalty and its gradient, Affine and Flatten, and the two losses.
"""

from __future__ import annotations

import numpy as np
import pytest

import course_lib.layers as L

pytestmark = pytest.mark.ch1


def _raises(kind, message, call, *args, **kwargs):
    """``call(*args, **kwargs)`` raises ``kind`` with exactly ``message``."""
    with pytest.raises(kind) as info:
        call(*args, **kwargs)
    assert str(info.value) == message


# ------------------------------------------------------------ the base class


def test_calling_a_layer_runs_a_training_forward_pass():
    layer = L.Dropout(0.5, rng=0)
    out = layer(np.ones((2, 4)))
    assert layer.mask is not None and set(out.ravel()) == {0.0, 2.0}
    assert np.array_equal(out, 2.0 * layer.mask)


def test_calling_a_layer_passes_train_false_through():
    layer = L.Dropout(0.5, rng=0)
    x = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(layer(x, train=False), x)
    assert layer.mask is None                  # no mask drawn at inference


def test_calling_a_layer_passes_x_through():
    out = L.ReLU()(np.array([[-1.0, 2.0]]))
    assert out.tolist() == [[0.0, 2.0]]


def test_base_layer_forward_and_backward_are_abstract():
    layer = L.Layer()
    with pytest.raises(NotImplementedError):
        layer.forward(np.ones((1, 1)))
    with pytest.raises(NotImplementedError):
        layer(np.ones((1, 1)))
    with pytest.raises(NotImplementedError):
        layer.backward(np.ones((1, 1)))
    assert repr(layer) == "Layer()"
    assert layer.params == layer.grads == layer.buffers == {}


def test_backward_before_forward_names_the_layer_and_the_cure():
    _raises(RuntimeError, "ReLU.backward: called before forward; run "
            "forward(x, train=True) on the same batch first.",
            L.ReLU().backward, np.ones((1, 2)))


def test_a_dout_of_the_wrong_shape_names_both_shapes():
    layer = L.Tanh()
    layer.forward(np.ones((2, 3)))
    _raises(ValueError, "Tanh.backward: 'dout' must have the shape of the "
            "forward output (2, 3); got shape (3, 2).",
            layer.backward, np.ones((3, 2)))


def test_a_dout_that_is_not_an_array_names_its_type():
    layer = L.Sigmoid()
    layer.forward(np.ones((1, 2)))
    _raises(ValueError, "Sigmoid.backward: 'dout' must have the shape of "
            "the forward output (1, 2); got list.",
            layer.backward, [[1.0, 1.0]])


# -------------------------------------------------- bad input, every message

NOT_AN_ARRAY = "must be a numpy.ndarray; got list."


@pytest.mark.parametrize("layer,where", [
    (L.ReLU(), "ReLU.forward"), (L.Sigmoid(), "Sigmoid.forward"),
    (L.Tanh(), "Tanh.forward"),
    (L.ActivityRegularization(), "ActivityRegularization.forward"),
    (L.Flatten(), "Flatten.forward"),
    (L.Affine(np.ones((2, 3)), np.zeros(3)), "Affine.forward"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_forward_of_a_list_names_the_method_and_x(layer, where):
    _raises(TypeError, f"{where}: 'x' {NOT_AN_ARRAY}", layer.forward,
            [[1.0, 2.0]])


@pytest.mark.parametrize("layer,where", [
    (L.ReLU(), "ReLU.forward"), (L.Sigmoid(), "Sigmoid.forward"),
    (L.Tanh(), "Tanh.forward"),
])
def test_activations_refuse_integer_arrays(layer, where):
    _raises(TypeError, f"{where}: 'x' must be a floating-point array; got "
            "dtype int64.", layer.forward, np.array([[1, 2]], dtype=np.int64))


@pytest.mark.parametrize("cls", [L.ReLU, L.Sigmoid, L.Tanh])
def test_activations_take_any_rank_and_keep_it(cls):
    for shape in [(), (3,), (2, 3, 4)]:
        assert cls().forward(np.zeros(shape)).shape == shape


def test_activity_regularization_refuses_negative_strengths():
    where = "ActivityRegularization"
    _raises(ValueError, f"{where}: 'l1' must be a finite number >= 0.0; got "
            "-1.", L.ActivityRegularization, l1=-1)
    _raises(ValueError, f"{where}: 'l2' must be a finite number >= 0.0; got "
            "-0.5.", L.ActivityRegularization, l2=-0.5)
    _raises(TypeError, f"{where}: 'l2' must be a real number; got 'x'.",
            L.ActivityRegularization, l2="x")


def test_activity_regularization_refuses_a_scalar_x():
    _raises(ValueError, "ActivityRegularization.forward: 'x' must be an "
            "array with at least 1 dimensions; got shape ().",
            L.ActivityRegularization().forward, np.array(1.0))


def test_affine_refuses_weights_and_biases_of_the_wrong_rank():
    _raises(ValueError, "Affine: 'W' must be a 2-D array; got shape (3).",
            L.Affine, np.ones(3), np.ones(3))
    _raises(ValueError, "Affine: 'b' must be a 1-D array; got shape (1, 3).",
            L.Affine, np.ones((2, 3)), np.ones((1, 3)))
    _raises(TypeError, "Affine: 'W' must be a numpy.ndarray; got list.",
            L.Affine, [[1.0]], np.ones(1))
    _raises(TypeError, "Affine: 'b' must be a floating-point array; got "
            "dtype int64.", L.Affine, np.ones((2, 3)),
            np.ones(3, dtype=np.int64))


def test_affine_names_the_bias_shape_it_needs():
    _raises(ValueError, "Affine: 'b' must have shape (3,) to match W (2, 3); "
            "got (2).", L.Affine, np.ones((2, 3)), np.ones(2))


def test_affine_forward_of_one_sample_without_batch_axis_says_so():
    layer = L.Affine(np.ones((3, 2)), np.zeros(2))
    _raises(ValueError, "Affine.forward: 'x' must be of shape (N, 3), or "
            "(N, ...) with 3 values per sample, to match W (3, 2); got shape "
            "(3). One sample? Give it a batch axis: x[None] has shape "
            "(1, 3).", layer.forward, np.ones(3))


@pytest.mark.parametrize("shape,got", [((2, 4), "(2, 4)"), ((4,), "(4)"),
                                       ((), "()"), ((2, 2, 2), "(2, 2, 2)")])
def test_affine_forward_of_the_wrong_width_names_w(shape, got):
    layer = L.Affine(np.ones((3, 2)), np.zeros(2))
    _raises(ValueError, "Affine.forward: 'x' must be of shape (N, 3), or "
            "(N, ...) with 3 values per sample, to match W (3, 2); got shape "
            f"{got}.", layer.forward, np.ones(shape))


def test_affine_forward_refuses_an_empty_batch():
    _raises(ValueError, "Affine.forward: 'x' must be a batch of at least one "
            "sample (N >= 1); got shape (0, 3).",
            L.Affine(np.ones((3, 2)), np.zeros(2)).forward, np.ones((0, 3)))


def test_flatten_refuses_a_scalar_and_an_empty_batch():
    _raises(ValueError, "Flatten.forward: 'x' must be an array with at least "
            "1 dimensions; got shape ().", L.Flatten().forward, np.array(1.0))
    _raises(ValueError, "Flatten.forward: 'x' must be a batch of at least "
            "one sample (N >= 1); got shape (0, 2).", L.Flatten().forward,
            np.ones((0, 2)))


# ----------------------------------------------------------- activations


def test_relu_values_and_slope_by_hand():
    relu = L.ReLU()
    x = np.array([[-2.0, -0.0, 0.0, 0.5, 3.0]])
    assert relu.forward(x).tolist() == [[0.0, 0.0, 0.0, 0.5, 3.0]]
    dout = np.array([[1.0, 2.0, 3.0, 4.0, 5.0]])
    assert relu.backward(dout).tolist() == [[0.0, 0.0, 0.0, 4.0, 5.0]]


def test_sigmoid_values_and_slope_by_hand():
    sig = L.Sigmoid()
    y = sig.forward(np.array([[0.0, np.log(3.0)]]))   # 1/2 and 3/4
    np.testing.assert_allclose(y, [[0.5, 0.75]], rtol=1e-15)
    # y (1 - y) = 1/4 and 3/16
    np.testing.assert_allclose(sig.backward(np.array([[2.0, 16.0]])),
                               [[0.5, 3.0]], rtol=1e-15)


def test_tanh_values_and_slope_by_hand():
    tanh = L.Tanh()
    y = tanh.forward(np.array([[0.0, np.log(3.0)]]))  # 0 and 4/5
    np.testing.assert_allclose(y, [[0.0, 0.8]], rtol=1e-15, atol=0)
    # 1 - y^2 = 1 and 9/25
    np.testing.assert_allclose(tanh.backward(np.array([[3.0, 25.0]])),
                               [[3.0, 9.0]], rtol=1e-14)


@pytest.mark.parametrize("cls", [L.ReLU, L.Sigmoid, L.Tanh])
def test_activations_keep_float32(cls):
    layer = cls()
    out = layer.forward(np.array([[-1.0, 2.0]], dtype=np.float32))
    assert out.dtype == np.float32
    assert layer.backward(np.ones((1, 2), np.float32)).dtype == np.float32


def test_activation_registry_maps_names_to_classes():
    assert L.ACTIVATIONS == {"relu": L.ReLU, "sigmoid": L.Sigmoid,
                             "tanh": L.Tanh}
    assert L.ReLU.output_range is None
    assert L.Sigmoid.output_range == (0.0, 1.0)
    assert L.Tanh.output_range == (-1.0, 1.0)


# --------------------------------------------------- activity regularization

A = np.array([[1.0, -2.0, 0.0], [0.5, 3.0, -1.5]])     # N = 2, D = 3


def test_activity_penalty_is_zero_before_any_forward():
    layer = L.ActivityRegularization(l1=0.5, l2=0.5)
    assert layer.penalty() == 0.0 and isinstance(layer.penalty(), float)


def test_activity_penalty_by_hand():
    # sum|a| = 8, sum a^2 = 1 + 4 + 0.25 + 9 + 2.25 = 16.5, N = 2
    layer = L.ActivityRegularization(l1=0.1, l2=0.01)
    out = layer.forward(A)
    assert np.array_equal(out, A) and out is not A
    value = layer.penalty()
    assert isinstance(value, float)
    assert value == pytest.approx((0.1 * 8 + 0.01 * 16.5) / 2, rel=1e-15)


def test_activity_penalty_terms_alone():
    l1 = L.ActivityRegularization(l1=1.0)
    l1.forward(A)
    assert l1.penalty() == 4.0                  # 8 / 2
    l2 = L.ActivityRegularization(l2=1.0)
    l2.forward(A)
    assert l2.penalty() == 8.25                 # 16.5 / 2


def test_activity_penalty_of_one_dimensional_x_divides_by_n():
    layer = L.ActivityRegularization(l1=1.0, l2=1.0)
    layer.forward(np.array([2.0, -1.0, 0.0, 1.0]))      # N = 4 samples
    assert layer.penalty() == (4.0 + 6.0) / 4
    grad = layer.backward(np.zeros(4))
    # (sign(a) + 2 a) / 4
    assert grad.tolist() == [1.25, -0.75, 0.0, 0.75]


def test_activity_penalty_of_an_empty_batch_is_zero():
    layer = L.ActivityRegularization(l1=1.0, l2=1.0)
    assert layer.forward(np.ones((0, 3))).shape == (0, 3)
    assert layer.penalty() == 0.0
    assert layer.backward(np.ones((0, 3))).shape == (0, 3)


def test_activity_gradient_by_hand():
    layer = L.ActivityRegularization(l1=0.2, l2=0.05)
    layer.forward(A)
    dout = np.full(A.shape, 10.0)
    # dout + (l1 sign(a) + 2 l2 a) / N, with N = 2
    want = 10.0 + (0.2 * np.sign(A) + 0.1 * A) / 2
    np.testing.assert_allclose(layer.backward(dout), want, rtol=1e-15)
    assert layer.backward(dout)[0, 2] == 10.0           # sign(0) = 0


def test_activity_gradient_keeps_float32():
    layer = L.ActivityRegularization(l1=0.1, l2=0.1)
    layer.forward(A.astype(np.float32))
    assert layer.backward(np.ones(A.shape, np.float32)).dtype == np.float32


def test_activity_repr_uses_g_format():
    assert repr(L.ActivityRegularization(l1=0.001, l2=1e-6)) == \
        "ActivityRegularization(l1=0.001, l2=1e-06)"


# ------------------------------------------------------------------ Affine


def test_affine_starts_with_zero_gradients_like_its_parameters():
    W = np.ones((3, 2), np.float32)
    b = np.ones(2, np.float32)
    layer = L.Affine(W, b)
    assert layer.params["W"] is W and layer.params["b"] is b
    for k in ("W", "b"):
        g = layer.grads[k]
        assert g.shape == layer.params[k].shape and g.dtype == np.float32
        assert not g.any()


def test_affine_forward_and_backward_by_hand():
    W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = np.array([0.5, -0.5])
    layer = L.Affine(W, b)
    x = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    assert layer.forward(x).tolist() == [[-3.5, -4.5], [5.5, 7.5]]
    dout = np.array([[1.0, 0.0], [0.0, 2.0]])
    dx = layer.backward(dout)
    assert dx.tolist() == [[1.0, 3.0, 5.0], [4.0, 8.0, 12.0]]
    assert layer.grads["W"].tolist() == [[1.0, 4.0], [0.0, 2.0], [-1.0, 0.0]]
    assert layer.grads["b"].tolist() == [1.0, 2.0]


def test_affine_flattens_trailing_axes_and_restores_them():
    layer = L.Affine(np.arange(6.0).reshape(6, 1), np.zeros(1))
    x = np.arange(12.0).reshape(2, 1, 2, 3)
    assert layer.forward(x).tolist() == [[55.0], [145.0]]
    assert layer.backward(np.ones((2, 1))).shape == (2, 1, 2, 3)


def test_affine_backward_params_fills_grads_only():
    layer = L.Affine(np.ones((2, 1)), np.zeros(1))
    layer.forward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert layer.backward_params(np.array([[1.0], [-1.0]])) is None
    assert layer.grads["W"].tolist() == [[-2.0], [-2.0]]
    assert layer.grads["b"].tolist() == [0.0]


# ----------------------------------------------------------------- Flatten


def test_flatten_keeps_integers_and_one_dimensional_batches():
    x = np.arange(6).reshape(3, 2)
    assert np.array_equal(L.Flatten().forward(x), x)
    assert L.Flatten().forward(np.arange(3.0)).shape == (3, 1)


def test_flatten_backward_restores_the_shape():
    layer = L.Flatten()
    x = np.arange(24.0).reshape(2, 3, 4)
    out = layer.forward(x)
    assert out.shape == (2, 12) and out[1, 0] == 12.0
    assert np.array_equal(layer.backward(out), x)


# ------------------------------------------------------------------ losses


def test_softmax_loss_refuses_bad_x():
    where = "SoftmaxWithLoss.forward"
    loss = L.SoftmaxWithLoss()
    _raises(ValueError, f"{where}: 'x' must be a 2-D array; got shape (3).",
            loss.forward, np.ones(3), np.array([0]))
    _raises(ValueError, f"{where}: 'x' must be a batch of at least one "
            "sample (N >= 1); got shape (0, 3).", loss.forward,
            np.ones((0, 3)), np.zeros(0, dtype=int))
    _raises(TypeError, f"{where}: 'x' {NOT_AN_ARRAY}", loss.forward,
            [[1.0]], np.array([0]))


@pytest.mark.parametrize("cls", [L.SoftmaxWithLoss, L.MeanSquaredError])
def test_loss_backward_refuses_a_dout_that_is_not_a_number(cls):
    where = f"{cls.__name__}.backward"
    loss = cls()
    loss.forward(np.zeros((2, 3)), np.array([0, 1]))
    expected = "a real number (the gradient of the scalar loss)"
    _raises(ValueError, f"{where}: 'dout' must be {expected}; got 'a'.",
            loss.backward, "a")
    _raises(ValueError, f"{where}: 'dout' must be {expected}; got shape "
            "(2,).", loss.backward, np.ones(2))
    _raises(ValueError, f"{where}: 'dout' must be {expected}; got True.",
            loss.backward, True)


@pytest.mark.parametrize("cls", [L.SoftmaxWithLoss, L.MeanSquaredError])
def test_loss_backward_takes_a_zero_dimensional_array(cls):
    loss = cls()
    loss.forward(np.array([[0.0, 0.0], [1.0, 3.0]]), np.array([0, 1]))
    one = loss.backward()
    np.testing.assert_array_equal(loss.backward(np.array(2.0)), 2.0 * one)
    np.testing.assert_array_equal(loss.backward(np.float64(2.0)), 2.0 * one)


def test_softmax_loss_by_hand():
    # row 0: logits 0, ln 3 -> y = (1/4, 3/4); row 1: equal logits -> 1/2
    x = np.array([[0.0, np.log(3.0)], [5.0, 5.0]])
    loss = L.SoftmaxWithLoss()
    value = loss.forward(x, np.array([1, 0]))
    assert isinstance(value, float)
    assert value == pytest.approx(-(np.log(0.75) + np.log(0.5)) / 2,
                                  rel=1e-15)
    np.testing.assert_allclose(loss.probabilities,
                               [[0.25, 0.75], [0.5, 0.5]], rtol=1e-15)
    # (y - t) / N
    np.testing.assert_allclose(loss.backward(),
                               [[0.125, -0.125], [-0.25, 0.25]], rtol=1e-15)


def test_softmax_loss_shifts_each_row_by_its_own_maximum():
    # a common shift would send the first row's exponentials to 0
    x = np.array([[0.0, np.log(3.0)], [1000.0, 1000.0]])
    loss = L.SoftmaxWithLoss()
    value = loss.forward(x, np.array([1, 0]))
    assert value == pytest.approx(-(np.log(0.75) + np.log(0.5)) / 2,
                                  rel=1e-13)
    np.testing.assert_allclose(loss.probabilities,
                               [[0.25, 0.75], [0.5, 0.5]], rtol=1e-13)
    soft = L.SoftmaxWithLoss()
    assert soft.forward(x, np.array([[0.0, 1.0], [1.0, 0.0]])) == \
        pytest.approx(value, rel=1e-13)


def test_softmax_loss_soft_targets_by_hand():
    x = np.array([[0.0, np.log(3.0)]])
    t = np.array([[0.5, 0.5]])
    loss = L.SoftmaxWithLoss()
    assert loss.forward(x, t) == pytest.approx(
        -(0.5 * np.log(0.25) + 0.5 * np.log(0.75)), rel=1e-15)
    np.testing.assert_allclose(loss.backward(3.0), [[-0.75, 0.75]],
                               rtol=1e-15)
    assert t.tolist() == [[0.5, 0.5]]


def test_softmax_loss_keeps_float32_for_soft_targets():
    loss = L.SoftmaxWithLoss()
    loss.forward(np.zeros((2, 2), np.float32), np.full((2, 2), 0.5))
    assert loss.backward().dtype == np.float32


def test_softmax_loss_float32_backward_never_widens_to_float64():
    # float32 end to end: (y - t) times the float32 number 1/N; a product
    # taken in float64 and rounded back differs in the last bit
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    t = np.array([0, 1, 2])
    loss = L.SoftmaxWithLoss()
    loss.forward(x, t)
    y = loss.probabilities
    assert y.dtype == np.float32
    want = y - np.eye(4, dtype=np.float32)[t]
    want *= np.float32(1.0) / np.float32(3)
    got = loss.backward()
    assert got.dtype == np.float32 and np.array_equal(got, want)


def test_mse_by_hand_with_real_targets():
    x = np.array([[1.0, 2.0], [0.0, -1.0]])
    t = np.array([[0.5, 0.5], [1.0, 1.0]])    # not one-hot: not labels
    mse = L.MeanSquaredError()
    # (0.25 + 2.25 + 1 + 4) / (2 * 2)
    value = mse.forward(x, t)
    assert isinstance(value, float) and value == 1.875
    assert mse.backward().tolist() == [[0.25, 0.75], [-0.5, -1.0]]
    assert mse.backward(2.0).tolist() == [[0.5, 1.5], [-1.0, -2.0]]
    assert t.tolist() == [[0.5, 0.5], [1.0, 1.0]]


def test_mse_one_hot_encodes_int_labels():
    x = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    mse = L.MeanSquaredError()
    # targets (1, 0, 0) and (0, 1, 0): diff rows (0, 0, 0) and (0, -1, 2)
    assert mse.forward(x, np.array([0, 1])) == 1.25
    assert mse.backward().tolist() == [[0.0, 0.0, 0.0], [0.0, -0.5, 1.0]]


def test_mse_of_one_dimensional_x():
    mse = L.MeanSquaredError()
    assert mse.forward(np.array([1.0, 3.0]), np.array([0.0, 1.0])) == 1.25
    assert mse.backward().tolist() == [0.5, 1.0]


def test_mse_keeps_float32_against_float64_targets():
    mse = L.MeanSquaredError()
    mse.forward(np.ones((2, 2), np.float32), np.zeros((2, 2)))
    assert mse.backward().dtype == np.float32


def test_mse_refuses_bad_x_and_t():
    where = "MeanSquaredError.forward"
    mse = L.MeanSquaredError()
    _raises(ValueError, f"{where}: 'x' must be an array with at least 1 "
            "dimensions; got shape ().", mse.forward, np.array(1.0),
            np.array(1.0))
    _raises(ValueError, f"{where}: 'x' must be a batch of at least one "
            "sample (N >= 1); got shape (0, 3).", mse.forward,
            np.ones((0, 3)), np.ones((0, 3)))
    _raises(TypeError, f"{where}: 'x' {NOT_AN_ARRAY}", mse.forward,
            [1.0], np.ones(1))
    _raises(ValueError, f"{where}: 't' must be labels in [0, 2]; got label "
            "5.", mse.forward, np.ones((2, 3)), np.array([0, 5]))
    _raises(ValueError, f"{where}: 't' must have the shape of x (2, 3) or be "
            "int labels; got list.", mse.forward, np.ones((2, 3)), [0, 1])
    _raises(ValueError, f"{where}: 't' must have the shape of x (3,) or be "
            "int labels; got (2,).", mse.forward, np.ones(3), np.ones(2))


def test_loss_reprs():
    assert repr(L.SoftmaxWithLoss()) == "SoftmaxWithLoss()"
    assert repr(L.MeanSquaredError()) == "MeanSquaredError()"
    assert repr(L.Flatten()) == "Flatten()"
    assert repr(L.Affine(np.ones((3, 2)), np.zeros(2))) == "Affine(D=3, M=2)"
