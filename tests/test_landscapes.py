"""Toy landscapes: exact gradients, trace_path, and their figures."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import figures
from course_lib.gradcheck import numerical_gradient, relative_error
from course_lib.landscapes import (
    ElongatedBowl,
    GaussianValley,
    PlateauCurve,
    Saddle,
    SplitPointError,
    trace_path,
)
from course_lib.optim import SGD, GradientNoise, Momentum
from course_lib.schedules import StepwiseDecay

pytestmark = pytest.mark.ch2

SURFACES = [ElongatedBowl(), Saddle()]
CURVES = [GaussianValley(), GaussianValley(depth=2.0, width=0.5),
          PlateauCurve(), SplitPointError(rng=0, n=15)]


@pytest.mark.parametrize("fn", SURFACES, ids=repr)
def test_surface_gradient_matches_numerical(fn):
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = rng.uniform(-3, 3, 2)
        num = numerical_gradient(lambda q: fn(q), p)
        assert relative_error(fn.gradient(p), num) < 1e-7


@pytest.mark.parametrize("fn", CURVES, ids=repr)
def test_curve_gradient_matches_numerical(fn):
    rng = np.random.default_rng(1)
    x = rng.uniform(*fn.xlim, 7)
    # the curve acts element-wise, so d(sum E)/dx_i = E'(x_i)
    num = numerical_gradient(lambda z: np.sum(fn(z)), x)
    assert relative_error(fn.gradient(x), num) < 1e-7


def test_values_at_known_points():
    bowl = ElongatedBowl()
    assert bowl([-7.0, 2.0]) == pytest.approx(49 / 20 + 4)
    np.testing.assert_allclose(bowl.gradient([-7.0, 2.0]), [-0.7, 4.0])
    assert Saddle()([1.0, 2.0]) == -3.0
    valley = GaussianValley()
    assert valley(0.0) == 0.0 and valley.gradient(0.0) == 0.0
    assert valley.curvature == pytest.approx(25.0)
    assert PlateauCurve()(1.0) == pytest.approx(0.0, abs=1e-6)


def test_vectorized_grid_evaluation():
    X, Y, Z = ElongatedBowl().grid(11)
    assert X.shape == Y.shape == Z.shape == (11, 11)
    np.testing.assert_allclose(Z, X ** 2 / 20 + Y ** 2)
    g = Saddle().gradient(np.stack([X, Y], axis=-1))
    assert g.shape == (11, 11, 2)


def test_saddle_hessian_eigenvalues():
    fn = Saddle()
    p = np.array([0.3, -0.2])
    H = np.stack([numerical_gradient(lambda q, i=i: fn.gradient(q)[i], p)
                  for i in range(2)])
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(H)), [-2.0, 2.0],
                               atol=1e-6)


def test_plateau_is_flat_and_valley_at_one():
    fn = PlateauCurve()
    xs = np.linspace(-0.4, 0.0, 50)
    assert np.max(np.abs(fn.gradient(xs))) < 0.02
    assert np.ptp(fn(xs)) < 0.005
    grid = np.linspace(*fn.xlim, 4001)
    assert grid[np.argmin(fn(grid))] == pytest.approx(1.0, abs=1e-3)


def test_split_point_error_counts_and_smooths():
    x = np.array([-2.0, -1.0, -0.5, 0.5, 1.5])
    t = np.array([0, 0, 1, 1, 1])
    fn = SplitPointError(x, t, temperature=0.01)
    np.testing.assert_array_equal(fn.count([-3.0, -0.75, 0.0, 1.0]),
                                  [2, 0, 1, 2])
    # far from any point the smooth error equals the count
    np.testing.assert_allclose(fn([-3.0, -0.75, 1.0]), [2, 0, 2], atol=1e-6)
    with pytest.raises(ValueError, match="'t'"):
        SplitPointError(x, t[:3])


def test_generated_split_points_are_labelled_by_sign():
    fn = SplitPointError(n=30, rng=3)
    assert np.all(fn.t == (fn.x >= 0))
    assert fn.count(0.0) == 0


def test_trace_path_sgd_on_bowl_is_geometric():
    lr, k = 0.3, np.arange(6)
    path = trace_path(ElongatedBowl(), SGD(lr=lr), (-7.0, 2.0), 5)
    assert path.shape == (6, 2)
    np.testing.assert_allclose(path[:, 0], -7.0 * (1 - lr / 10) ** k)
    np.testing.assert_allclose(path[:, 1], 2.0 * (1 - 2 * lr) ** k)


def test_trace_path_1d_and_schedule():
    fn = GaussianValley()
    path = trace_path(fn, SGD(lr=0.1), -0.5, 4,
                      schedule=StepwiseDecay(0.125, 0.8))
    assert path.shape == (5,)
    x, lr = -0.5, 0.125
    for i in range(4):
        x = x - lr * 0.8 ** i * float(fn.gradient(x))
    assert path[-1] == pytest.approx(x)


def test_saddle_ridge_stalls_and_noise_or_offset_escapes():
    fn = Saddle()
    stuck = trace_path(fn, SGD(lr=0.1), (1.5, 0.0), 40)
    assert np.allclose(stuck[:, 1], 0.0)
    assert np.linalg.norm(stuck[-1]) < 1e-3          # parked on the saddle
    noisy = trace_path(fn, SGD(lr=0.1), (1.5, 0.0), 40, noise=0.05, rng=0)
    assert abs(noisy[-1, 1]) > 0.5                   # slid off the ridge
    wrapped = GradientNoise(Momentum(lr=0.1, momentum=0.5), eta=0.01, rng=0)
    assert abs(trace_path(fn, wrapped, (1.5, 0.0), 40)[-1, 1]) > 0.5


def test_trace_path_validation():
    with pytest.raises(ValueError, match="'start'"):
        trace_path(ElongatedBowl(), SGD(), 1.0, 3)
    with pytest.raises(ValueError, match="'start'"):
        trace_path(GaussianValley(), SGD(), (1.0, 2.0), 3)
    with pytest.raises(ValueError, match="'steps'"):
        trace_path(Saddle(), SGD(), (1.0, 2.0), -1)
    with pytest.raises(ValueError, match="'noise'"):
        trace_path(Saddle(), SGD(), (1.0, 2.0), 1, noise=-1.0)
    with pytest.raises(ValueError, match="'p'"):
        ElongatedBowl()([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="'width'"):
        GaussianValley(width=0.0)


def test_plot_helpers_draw():
    bowl = ElongatedBowl()
    path = trace_path(bowl, SGD(lr=0.9), (-7.0, 2.0), 10)
    ax = figures.plot_contour_paths(bowl, {"SGD": path}, title="t")
    assert len(ax.lines) >= 2 and ax.get_title() == "t"
    ax = figures.plot_gradient_field(Saddle())
    assert ax.collections
    valley = GaussianValley()
    axes = figures.plot_curve_steps(valley, trace_path(
        valley, SGD(lr=0.125), -0.5, 15))
    assert len(axes) == 2 and axes[1].get_xlabel() == "step"
    plt.close("all")


def test_playground_static_and_live():
    from course_lib.figures import optimizer_playground, playground_path

    views = optimizer_playground(live=False, static_optimizers=("SGD",
                                                                "Adam"),
                                 static_rates=(0.1, 0.9))
    html = views._repr_html_()
    assert html.count("<script") == 1 and "data:image/png;base64," in html
    assert len(views.views) == 4
    box = optimizer_playground(live=True, optimizer="Nesterov")
    assert type(box).__name__ == "VBox"
    plt.close("all")
    p = playground_path("saddle", "SGD", lr=0.1, steps=5)
    assert p.shape == (6, 2)
    with pytest.raises(ValueError, match="'optimizer'"):
        optimizer_playground(optimizer="LBFGS")
