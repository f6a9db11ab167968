"""Figures and interactive views of the book (imports matplotlib).

``import course_lib`` loads the NumPy core only; a chapter that draws
imports this subpackage explicitly::

    import course_lib.figures as fig

    fig.style()
    fig.plot_curves({"SGD": losses})

Every name is available flat from ``course_lib.figures``; each lives in one
module per topic:

==================  ======================================================
``_style``          :func:`style`, :data:`COLORS`, :func:`panel_grid`
``training``        learning curves, decision boundary, early stopping, bars
``activations``     activation functions, activation and weight histograms
``optimizers``      contours with paths, 1-D walks, gradient fields
``normalization``   the batch-normalization graph, curve grids, log–log laws
``convolution``     signals, images, filters, feature maps, sliding windows
``search``          best trials' curves, search scatter, value histograms
``prerender``       pre-rendered views for the static book (:func:`prerendered`)
``explorer``        the Chapter 3 activation-histogram explorer
``playground``      the Chapter 2 optimizer playground
==================  ======================================================

These functions only draw; they never train.
"""

from ._style import COLORS, panel_grid, style
from .activations import (
    plot_activation_functions,
    plot_activation_histograms,
    plot_weight_histograms,
)
from .convolution import (
    plot_feature_maps,
    plot_filters,
    plot_images,
    plot_signals,
    plot_sliding_predictions,
)
from .explorer import activation_histogram_explorer, render_activation_histograms
from .normalization import plot_batchnorm_graph, plot_curve_grid, plot_loglog
from .optimizers import plot_contour_paths, plot_curve_steps, plot_gradient_field
from .playground import (
    OPTIMIZERS,
    SURFACES,
    optimizer_playground,
    playground_path,
    render_playground,
)
from .prerender import StaticViews, is_live, prerendered
from .search import plot_best_curves, plot_search_scatter, plot_value_histograms
from .training import (
    plot_curves,
    plot_decision_boundary,
    plot_early_stopping,
    plot_grouped_bars,
    plot_history,
    plot_parity,
)

__all__ = [
    "COLORS",
    "OPTIMIZERS",
    "SURFACES",
    "StaticViews",
    "activation_histogram_explorer",
    "is_live",
    "optimizer_playground",
    "panel_grid",
    "playground_path",
    "plot_activation_functions",
    "plot_activation_histograms",
    "plot_batchnorm_graph",
    "plot_best_curves",
    "plot_contour_paths",
    "plot_curve_grid",
    "plot_curve_steps",
    "plot_curves",
    "plot_decision_boundary",
    "plot_early_stopping",
    "plot_feature_maps",
    "plot_filters",
    "plot_gradient_field",
    "plot_grouped_bars",
    "plot_history",
    "plot_images",
    "plot_loglog",
    "plot_parity",
    "plot_search_scatter",
    "plot_signals",
    "plot_sliding_predictions",
    "plot_value_histograms",
    "plot_weight_histograms",
    "prerendered",
    "render_activation_histograms",
    "render_playground",
    "style",
]
