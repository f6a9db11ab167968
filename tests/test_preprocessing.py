"""Input scalers: closed-form values, train-only statistics, edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.preprocessing import (
    SCALERS,
    MaxScaler,
    MeanNormalizer,
    MinMaxScaler,
    StandardScaler,
    make_scaler,
)

pytestmark = pytest.mark.ch7

ALL = list(SCALERS.values())

X_TRAIN = np.array([[0.0, 2.0, -4.0],
                    [5.0, 4.0, 0.0],
                    [10.0, 6.0, 8.0],
                    [5.0, 8.0, 4.0]])


def test_closed_form_values():
    x = X_TRAIN
    np.testing.assert_allclose(MaxScaler().fit_transform(x),
                               x / np.array([10.0, 8.0, 8.0]))
    lo, hi = x.min(0), x.max(0)
    np.testing.assert_allclose(MinMaxScaler().fit_transform(x),
                               (x - lo) / (hi - lo))
    np.testing.assert_allclose(MeanNormalizer().fit_transform(x),
                               (x - x.mean(0)) / (hi - lo))
    np.testing.assert_allclose(StandardScaler().fit_transform(x),
                               (x - x.mean(0)) / x.std(0))


def test_ranges_on_training_data():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 5.0, (200, 4))
    z = MinMaxScaler().fit_transform(x)
    np.testing.assert_allclose(z.min(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.max(0), 1.0)
    z = StandardScaler().fit_transform(x)
    np.testing.assert_allclose(z.mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.std(0), 1.0)
    z = MeanNormalizer().fit_transform(x)
    np.testing.assert_allclose(z.mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(z.max(0) - z.min(0), 1.0)
    z = MaxScaler().fit_transform(x)
    np.testing.assert_allclose(np.abs(z).max(0), 1.0)


@pytest.mark.parametrize("cls", ALL)
def test_fitted_on_train_only(cls):
    """The test split is mapped with the training statistics, not its own."""
    rng = np.random.default_rng(1)
    x_train = rng.normal(0.0, 1.0, (100, 3))
    x_test = rng.normal(5.0, 3.0, (40, 3))
    scaler = cls().fit(x_train)
    state = {k: np.copy(v) for k, v in vars(scaler).items()
             if k.endswith("_")}
    z_test = scaler.transform(x_test)
    # transforming other data never refits
    for k, v in state.items():
        np.testing.assert_array_equal(getattr(scaler, k), v, err_msg=k)
    expected = (x_test - scaler.offset_) / scaler.scale_
    np.testing.assert_allclose(z_test, expected)
    assert not np.allclose(z_test, cls().fit_transform(x_test))
    # the statistics are the training data's
    fresh = cls().fit(x_train)
    np.testing.assert_array_equal(fresh.scale_, scaler.scale_)


@pytest.mark.parametrize("cls", ALL)
def test_transform_before_fit_raises(cls):
    with pytest.raises(RuntimeError, match="not fitted"):
        cls().transform(X_TRAIN)
    with pytest.raises(RuntimeError, match="fit"):
        cls().inverse_transform(X_TRAIN)


@pytest.mark.parametrize("cls", ALL)
def test_learned_state_ends_in_underscore(cls):
    scaler = cls()
    assert not [k for k in vars(scaler) if k.endswith("_")]
    assert scaler.axis == 0 and repr(scaler) == f"{cls.__name__}(axis=0)"
    scaler.fit(X_TRAIN)
    learned = {k for k in vars(scaler) if k.endswith("_")}
    assert {"offset_", "scale_", "n_features_"} <= learned
    assert scaler.n_features_ == 3


@pytest.mark.parametrize("cls", ALL)
def test_zero_range_feature(cls):
    x = np.array([[0.0, 1.0], [0.0, 3.0], [0.0, 2.0]])   # column 0 constant
    z = cls().fit_transform(x)
    assert np.all(np.isfinite(z))
    np.testing.assert_array_equal(z[:, 0], 0.0)
    const = np.full((4, 2), 7.0)
    z = cls().fit_transform(const)
    assert np.all(np.isfinite(z))


@pytest.mark.parametrize("cls", ALL)
def test_inverse_round_trip_and_inputs_unchanged(cls):
    x = X_TRAIN.copy()
    scaler = cls()
    z = scaler.fit_transform(x)
    np.testing.assert_array_equal(x, X_TRAIN)
    np.testing.assert_allclose(scaler.inverse_transform(z), X_TRAIN)


@pytest.mark.parametrize("cls", ALL)
def test_dtype(cls):
    x32 = X_TRAIN.astype(np.float32)
    z = cls().fit_transform(x32)
    assert z.dtype == np.float32
    assert cls().fit(x32).inverse_transform(z).dtype == np.float32
    pixels = np.array([[0, 255], [128, 64]], dtype=np.uint8)
    z = cls().fit_transform(pixels)
    assert z.dtype == np.float64


def test_axis_none_uses_one_statistic():
    pixels = np.array([[0, 51, 255], [0, 102, 0]], dtype=np.uint8)
    z = MaxScaler(axis=None).fit_transform(pixels)
    np.testing.assert_allclose(z, pixels / 255.0)
    images = np.arange(24.0).reshape(2, 3, 4)   # any rank with axis=None
    z = StandardScaler(axis=None).fit_transform(images)
    assert z.shape == images.shape
    np.testing.assert_allclose([z.mean(), z.std()], [0.0, 1.0], atol=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="'axis'"):
        StandardScaler(axis=1)
    with pytest.raises(ValueError, match="'x' must be a 2-D array"):
        StandardScaler().fit(np.zeros((2, 3, 4)))
    with pytest.raises(TypeError, match="'x' must be a numpy.ndarray"):
        StandardScaler().fit([[1.0, 2.0]])
    with pytest.raises(ValueError, match="finite"):
        StandardScaler().fit(np.array([[np.nan, 1.0]]))
    scaler = MinMaxScaler().fit(X_TRAIN)
    with pytest.raises(ValueError, match="'x' must be an array with 3 features"):
        scaler.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="'name'"):
        make_scaler("zscore")
    assert isinstance(make_scaler("standard"), StandardScaler)
