r"""The optimizer playground: watch any optimizer walk a toy surface.

:func:`optimizer_playground` shows the path of an optimizer on a contour
plot and the loss along the path. In a live Jupyter session it is a set of
ipywidgets controls (surface, optimizer, learning rate, momentum, steps)
that re-run the optimizer on every change. Without a live kernel — in the
HTML book — it shows views computed in advance for a grid of optimizers
and learning rates and switches between them in the page. See Chapter 2.
"""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image  # matplotlib depends on Pillow

from .. import optim
from .._validation import check_choice, check_finite_number, check_int, error
from ..landscapes import ElongatedBowl, Saddle, trace_path
from .optimizers import plot_contour_paths
from .prerender import is_live, prerendered

__all__ = ["OPTIMIZERS", "SURFACES", "optimizer_playground",
           "playground_path", "render_playground"]

SURFACES = {"bowl": ElongatedBowl(), "saddle": Saddle()}
STARTS = {"bowl": (-7.0, 2.0), "saddle": (1.5, 0.01)}
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp",
              "AdaDelta", "Adam")
STATIC_RATES = (0.03, 0.1, 0.3, 0.9)


def _make_optimizer(name, lr, momentum):
    if name in ("Momentum", "Nesterov"):
        return getattr(optim, name)(lr=lr, momentum=momentum)
    if name == "Adam":
        return optim.Adam(lr=lr, beta1=momentum)
    return getattr(optim, name)(lr=lr)


def playground_path(surface="bowl", optimizer="Momentum", lr=0.1,
                    momentum=0.9, steps=30) -> np.ndarray:
    """The points visited by ``optimizer`` on ``surface`` (see the module).

    ``momentum`` is the momentum coefficient of Momentum and Nesterov and
    :math:`\\beta_1` of Adam; the other optimizers ignore it. For AdaDelta
    ``lr`` multiplies the step (1 is the original method).
    """
    check_choice("playground_path", "surface", surface, tuple(SURFACES))
    check_choice("playground_path", "optimizer", optimizer, OPTIMIZERS)
    lr = check_finite_number("playground_path", "lr", lr, low=0.0,
                             low_open=True)
    momentum = check_finite_number("playground_path", "momentum", momentum,
                                   0.0, 1.0, high_open=True)
    steps = check_int("playground_path", "steps", steps, low=1)
    opt = _make_optimizer(optimizer, lr, momentum)
    with np.errstate(over="ignore", invalid="ignore"):
        return trace_path(SURFACES[surface], opt, STARTS[surface], steps)


def render_playground(surface="bowl", optimizer="Momentum", lr=0.1,
                      momentum=0.9, steps=30):
    """Draw one view: the path on the contours and the loss along it.

    Returns the matplotlib Figure.
    """
    path = playground_path(surface, optimizer, lr, momentum, steps)
    fn = SURFACES[surface]
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(9.6, 3.3), gridspec_kw={"width_ratios": [1.7, 1]})
    label = f"{optimizer}, η = {lr:g}"
    if optimizer in ("Momentum", "Nesterov"):
        label += f", α = {momentum:g}"
    elif optimizer == "Adam":
        label += f", β₁ = {momentum:g}"
    # a diverging walk leaves the window; clip it so drawing stays finite
    shown = np.clip(path[np.all(np.isfinite(path), axis=1)], -1e6, 1e6)
    plot_contour_paths(fn, {label: shown}, ax=left, legend=False,
                       title=label)
    with np.errstate(over="ignore", invalid="ignore"):
        values = fn(path)
    right.plot(np.arange(values.size), np.clip(values, -1e9, 1e9), "o-",
               ms=3)
    finite = values[np.isfinite(values)]
    if surface == "bowl":
        right.set_yscale("log")
        low = max(1e-8, 0.5 * float(finite.min())) if finite.size else 1e-8
        high = min(1e8, max(10.0, 2 * float(finite.max()))) \
            if finite.size else 10.0
        right.set_ylim(low, high)
    else:
        right.set_ylim(-4.0, 3.0)
    right.set_xlabel("step")
    right.set_ylabel("f along the path")
    final = values[-1]
    right.set_title(f"after {steps} steps: f = {final:.3g}"
                    if np.isfinite(final) and abs(final) < 1e8
                    else f"after {steps} steps: diverged")
    fig.tight_layout()
    return fig


def _live(surface, optimizer, lr, momentum, steps):
    import ipywidgets as w
    from IPython.display import display

    controls = {
        "surface": w.Dropdown(options=list(SURFACES), value=surface,
                              description="surface"),
        "optimizer": w.Dropdown(options=list(OPTIMIZERS), value=optimizer,
                                description="optimizer"),
        "lr": w.FloatLogSlider(value=lr, base=10, min=-3, max=0.5,
                               step=0.05, description="learning rate",
                               readout_format=".3g", continuous_update=False),
        "momentum": w.FloatSlider(value=momentum, min=0.0, max=0.99,
                                  step=0.01, description="momentum / β₁",
                                  continuous_update=False),
        "steps": w.IntSlider(value=steps, min=5, max=200, step=5,
                             description="steps", continuous_update=False),
    }
    style = {"description_width": "110px"}
    for c in controls.values():
        c.style = style
    out = w.Output()

    def redraw(_=None):
        with out:
            out.clear_output(wait=True)
            fig = render_playground(**{k: c.value
                                       for k, c in controls.items()})
            display(fig)
            plt.close(fig)

    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    box = w.VBox([w.HBox([controls["surface"], controls["optimizer"]]),
                  w.HBox([controls["lr"], controls["momentum"]]),
                  controls["steps"], out])
    return box


def optimizer_playground(surface="bowl", optimizer="Momentum", lr=0.1,
                         momentum=0.9, steps=30, live=None,
                         static_optimizers=OPTIMIZERS,
                         static_rates=STATIC_RATES):
    r"""An explorer of optimizers on toy surfaces.

    Parameters
    ----------
    surface : {"bowl", "saddle"}
        :class:`~course_lib.landscapes.ElongatedBowl` from (−7, 2) or
        :class:`~course_lib.landscapes.Saddle` from (1.5, 0.01).
    optimizer : str
        One of :data:`OPTIMIZERS`.
    lr, momentum, steps
        Initial values of the controls (see :func:`playground_path`).
    live : bool or None
        True: ipywidgets controls that recompute on every change (needs a
        running kernel). False: pre-rendered views of the bowl, one per
        optimizer in ``static_optimizers`` and rate in ``static_rates``,
        switched by two menus in the page, with no kernel. None (default)
        chooses live in a Jupyter server session and static otherwise
        (the environment variable ``COURSE_WIDGETS=live|static`` forces
        either).

    Returns
    -------
    ipywidgets.VBox or an HTML display object
        Shown when it is the last expression of a cell.

    Notes
    -----
    See Chapter 2.
    """
    check_choice("optimizer_playground", "surface", surface, tuple(SURFACES))
    check_choice("optimizer_playground", "optimizer", optimizer, OPTIMIZERS)
    if live is None:
        live = is_live()
    if live:
        return _live(surface, optimizer, lr, momentum, steps)
    for name in static_optimizers:
        check_choice("optimizer_playground", "static_optimizers", name,
                     OPTIMIZERS)
    rates = [check_finite_number("optimizer_playground", "static_rates", r,
                                 low=0.0, low_open=True)
             for r in static_rates]
    if not rates or not static_optimizers:
        raise error("optimizer_playground", "static_optimizers, "
                    "static_rates", "non-empty sequences", "an empty one")
    render = _BowlFrames(momentum, steps)
    phone = _BowlFrames(momentum, steps, narrow=True)

    def close():
        render.close()
        phone.close()

    try:
        return prerendered(
            render, {"optimizer": list(static_optimizers), "lr": rates},
            initial={"optimizer": optimizer if optimizer in static_optimizers
                     else static_optimizers[0],
                     "lr": min(rates, key=lambda r: abs(r - lr))},
            labels={"optimizer": "optimizer", "lr": "learning rate"},
            widgets={"optimizer": "radio", "lr": "slider"},
            dpi=90, close=close, narrow=phone)
    except BaseException:
        close()
        raise


class _BowlFrames:
    """Redraw only the path, the loss curve and the titles of one figure.

    The contours, axes and ticks are drawn once and restored from a saved
    background for every view (matplotlib's blitting), which makes the
    static playground many times faster to build. Returns PNG bytes.
    ``narrow=True`` stacks the two panels for a phone (360 pixels wide).
    """

    def __init__(self, momentum, steps, dpi=90, narrow=False):
        self.momentum, self.steps = momentum, steps
        self.fn = SURFACES["bowl"]
        if narrow:
            self.fig, (self.left, self.right) = plt.subplots(
                2, 1, figsize=(4.0, 5.6), dpi=dpi,
                gridspec_kw={"height_ratios": [1.4, 1]})
        else:
            self.fig, (self.left, self.right) = plt.subplots(
                1, 2, figsize=(8.8, 3.0), dpi=dpi,
                gridspec_kw={"width_ratios": [1.7, 1]})
        self.canvas = FigureCanvasAgg(self.fig)
        plot_contour_paths(self.fn, {}, ax=self.left, legend=False,
                           title=" ")
        self.left.plot(*STARTS["bowl"], "s", color="0.2", ms=6)
        self.right.set_yscale("log")
        self.right.set_ylim(1e-5, 1e3)
        self.right.set_xlim(-1, steps + 1)
        self.right.set_xlabel("step")
        self.right.set_ylabel("f along the path")
        self.right.set_title(" ")
        self.fig.tight_layout()
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        (self.path_line,) = self.left.plot([], [], "o-", ms=3, lw=1.1,
                                           animated=True)
        (self.loss_line,) = self.right.plot([], [], "o-", ms=3,
                                            animated=True)
        for ax in (self.left, self.right):
            ax.title.set_animated(True)

    def __call__(self, optimizer, lr):
        path = playground_path("bowl", optimizer, lr, self.momentum,
                               self.steps)
        with np.errstate(over="ignore", invalid="ignore"):
            values = self.fn(path)
        path = np.clip(path, -1e6, 1e6)
        self.path_line.set_data(path[:, 0], path[:, 1])
        self.loss_line.set_data(np.arange(values.size),
                                np.clip(values, -1e9, 1e9))
        label = f"{optimizer}, η = {lr:g}"
        if optimizer in ("Momentum", "Nesterov"):
            label += f", α = {self.momentum:g}"
        self.left.set_title(label)
        final = values[-1]
        self.right.set_title(f"after {self.steps} steps: f = {final:.3g}"
                             if np.isfinite(final) else "diverged")
        self.canvas.restore_region(self.background)
        for ax, line in ((self.left, self.path_line),
                         (self.right, self.loss_line)):
            ax.draw_artist(line)
            ax.draw_artist(ax.title)
        out = io.BytesIO()
        Image.fromarray(np.asarray(self.canvas.buffer_rgba())).save(
            out, format="png")
        return out.getvalue()

    def close(self):
        plt.close(self.fig)
