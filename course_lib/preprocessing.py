r"""Input scaling: fit on the training data, transform every split the same way.

Four classic recipes, each a small object with ``fit``, ``transform``,
``fit_transform`` and ``inverse_transform``:

========================  =============================================  =============
class                     transform                                      range
========================  =============================================  =============
:class:`MaxScaler`        :math:`x / \max|x|`                            [-1, 1]
:class:`MinMaxScaler`     :math:`(x - \min x) / (\max x - \min x)`       [0, 1]
:class:`MeanNormalizer`   :math:`(x - \bar x) / (\max x - \min x)`       width 1
:class:`StandardScaler`   :math:`(x - \bar x) / \sigma`                  mean 0, std 1
========================  =============================================  =============

The statistics are learned by ``fit`` from the **training data only** and
stored in attributes ending in ``_`` (``offset_``, ``scale_`` and the named
statistics of each class); the validation and test sets are transformed
with the training statistics, never with their own. See Chapter 7.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_array, error, shape_str

__all__ = [
    "MaxScaler",
    "MeanNormalizer",
    "MinMaxScaler",
    "SCALERS",
    "Scaler",
    "StandardScaler",
    "make_scaler",
]


class Scaler:
    r"""Base class of the scalers: an affine map :math:`(x - o)/s` fitted on data.

    Parameters
    ----------
    axis : int or None, default 0
        ``0`` learns one offset and one scale per feature (column),
        statistics taken over the samples; ``None`` learns one number each
        for the whole array (natural for pixels, which share one range).

    Attributes
    ----------
    offset_, scale_ : ndarray
        The fitted map :math:`x \mapsto (x - \text{offset\_}) /
        \text{scale\_}`, of shape (D,) for ``axis=0`` or () for
        ``axis=None``. A scale that would be zero (a constant feature, e.g.
        a corner pixel that is always blank) is set to 1, so that feature
        passes through shifted but never divided by zero.
    n_features_ : int or None
        Number of features seen by ``fit`` (None for ``axis=None``).

    Notes
    -----
    Fit on the training split, then call ``transform`` on the training,
    validation and test splits alike: statistics taken from validation or
    test data leak information about them into the model. The scalers
    follow scikit-learn's ``fit``/``transform`` protocol
    (``sklearn.preprocessing``); PyTorch users write the same map with
    ``torchvision.transforms.Normalize(mean, std)``. See Chapter 7.
    """

    def __init__(self, axis=0):
        if axis is not None and (isinstance(axis, bool) or axis != 0):
            raise error(type(self).__name__, "axis", "0 (per feature) or "
                        "None (one statistic for the whole array)",
                        repr(axis))
        self.axis = axis

    # -- the statistics each recipe learns ---------------------------------
    def _statistics(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(offset, scale)`` of ``x`` along ``self.axis``."""
        raise NotImplementedError

    # -- protocol ------------------------------------------------------------
    def _check_x(self, where: str, x) -> np.ndarray:
        x = check_array(where, "x", x, min_ndim=1, dtype_kind="fiu")
        if self.axis == 0 and x.ndim != 2:
            raise error(where, "x", "a 2-D array (N samples, D features) for "
                        "axis=0", f"shape {shape_str(x.shape)}",
                        hint="Flatten images to (N, D) first, or use "
                        "axis=None for one statistic over all values.")
        if x.dtype.kind != "f":
            x = x.astype(np.float64)
        if not np.all(np.isfinite(x)):
            raise error(where, "x", "finite values", "NaN or infinity")
        return x

    def fit(self, x: np.ndarray) -> "Scaler":
        """Learn the statistics of ``x`` (the training data); return self."""
        where = f"{type(self).__name__}.fit"
        x = self._check_x(where, x)
        if x.shape[0] < 1:
            raise error(where, "x", "at least one sample", "an empty array")
        offset, scale = self._statistics(x)
        scale = np.where(scale > 0, scale, 1.0)     # constant feature
        self.offset_ = np.asarray(offset, dtype=np.float64)
        self.scale_ = np.asarray(scale, dtype=np.float64)
        self.n_features_ = x.shape[1] if self.axis == 0 else None
        return self

    def _require_fit(self, where: str) -> None:
        if not hasattr(self, "scale_"):
            raise RuntimeError(
                f"{where}: the scaler is not fitted yet; call fit(x_train) "
                "first (on the training data only), then transform every "
                "split with it.")

    def _check_features(self, where: str, x: np.ndarray) -> None:
        if self.n_features_ is not None and x.shape[1] != self.n_features_:
            raise error(where, "x", f"an array with {self.n_features_} "
                        "features, as in the data passed to fit",
                        f"shape {shape_str(x.shape)}")

    def transform(self, x: np.ndarray) -> np.ndarray:
        r"""Apply the fitted map :math:`(x - \text{offset\_})/\text{scale\_}`.

        Returns a new array of ``x``'s floating dtype (float32 stays
        float32; integers become float64). Raises ``RuntimeError`` before
        ``fit``.
        """
        where = f"{type(self).__name__}.transform"
        self._require_fit(where)
        x = self._check_x(where, x)
        self._check_features(where, x)
        out = (x - self.offset_.astype(x.dtype)) / self.scale_.astype(x.dtype)
        return out.astype(x.dtype, copy=False)

    def fit_transform(self, x: np.ndarray) -> np.ndarray:
        """``fit(x)`` then ``transform(x)``: for the training split only."""
        return self.fit(x).transform(x)

    def inverse_transform(self, z: np.ndarray) -> np.ndarray:
        r"""Undo :meth:`transform`.

        .. math:: x = z \cdot \text{scale\_} + \text{offset\_}
        """
        where = f"{type(self).__name__}.inverse_transform"
        self._require_fit(where)
        z = self._check_x(where, z)
        self._check_features(where, z)
        out = z * self.scale_.astype(z.dtype) + self.offset_.astype(z.dtype)
        return out.astype(z.dtype, copy=False)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(axis={self.axis!r})"


class MaxScaler(Scaler):
    r"""Divide by the largest absolute value seen in training.

    .. math:: x' = \frac{x}{\max_n |x_n|}

    Pixels 0…255 become 0…1 (``axis=None``); signed features land in
    [-1, 1] and zero stays zero, which keeps sparse inputs sparse.

    Attributes
    ----------
    max_abs_ : ndarray
        :math:`\max |x|` per feature (``axis=0``) or overall (``None``);
        equals ``scale_`` except where it is 0.

    Notes
    -----
    scikit-learn: ``MaxAbsScaler``; the source texts' ``x / 255`` is
    ``MaxScaler(axis=None)`` on MNIST. See Chapter 7.
    """

    def _statistics(self, x):
        self.max_abs_ = np.max(np.abs(x), axis=self.axis).astype(
            np.float64)
        return np.zeros_like(self.max_abs_), self.max_abs_


class MinMaxScaler(Scaler):
    r"""Map the training range onto [0, 1].

    .. math:: x' = \frac{x - \min x}{\max x - \min x}

    Attributes
    ----------
    min_, max_ : ndarray
        Training minimum and maximum (per feature or overall).

    Notes
    -----
    scikit-learn: ``MinMaxScaler()``; Keras: ``layers.Rescaling`` with
    hand-computed arguments. A constant feature is mapped to 0. Values
    outside the training range are mapped outside [0, 1]: the scaler is
    fitted once and then fixed. See Chapter 7.
    """

    def _statistics(self, x):
        self.min_ = np.min(x, axis=self.axis).astype(np.float64)
        self.max_ = np.max(x, axis=self.axis).astype(np.float64)
        return self.min_, self.max_ - self.min_


class MeanNormalizer(Scaler):
    r"""Centre on the training mean and divide by the training range.

    .. math:: x' = \frac{x - \bar x}{\max x - \min x}

    The result has mean 0 on the training data and spans an interval of
    width 1 (inside [-1, 1]).

    Attributes
    ----------
    mean_, min_, max_ : ndarray
        Training mean, minimum and maximum.

    Notes
    -----
    "Mean normalization" of the feature-scaling literature; no direct
    scikit-learn class. See Chapter 7.
    """

    def _statistics(self, x):
        self.mean_ = np.mean(x, axis=self.axis).astype(np.float64)
        self.min_ = np.min(x, axis=self.axis).astype(np.float64)
        self.max_ = np.max(x, axis=self.axis).astype(np.float64)
        return self.mean_, self.max_ - self.min_


class StandardScaler(Scaler):
    r"""Standardize: zero mean and unit standard deviation on the training data.

    .. math::

        \begin{gathered}
        x' = \frac{x - \mu}{\sigma},\qquad
        \mu = \frac1N\sum_n x_n, \\
        \sigma = \sqrt{\frac1N\sum_n (x_n - \mu)^2}
        \end{gathered}

    Attributes
    ----------
    mean_, std_ : ndarray
        Training mean and (biased, ``ddof=0``) standard deviation; a zero
        ``std_`` is replaced by 1 in ``scale_``.

    Notes
    -----
    scikit-learn: ``StandardScaler()`` (also ``ddof=0``); PyTorch:
    ``torchvision.transforms.Normalize(mean, std)``; Keras:
    ``layers.Normalization()`` after ``adapt(x_train)``. Batch
    normalization (Chapter 4) applies the same map inside the network,
    with batch statistics. See Chapter 7.
    """

    def _statistics(self, x):
        self.mean_ = np.mean(x, axis=self.axis).astype(np.float64)
        self.std_ = np.std(x, axis=self.axis).astype(np.float64)
        return self.mean_, self.std_


SCALERS = {
    "max": MaxScaler,
    "minmax": MinMaxScaler,
    "mean": MeanNormalizer,
    "standard": StandardScaler,
}


def make_scaler(name: str, axis=0) -> Scaler:
    """A scaler by name: ``"max"``, ``"minmax"``, ``"mean"`` or ``"standard"``.

    Raises ``ValueError`` naming the known names for anything else.
    """
    if not isinstance(name, str) or name not in SCALERS:
        opts = ", ".join(repr(k) for k in SCALERS)
        raise error("make_scaler", "name", f"one of {opts}", repr(name))
    return SCALERS[name](axis=axis)

