"""Metrics of spiking activity and classification, on plain arrays.

Spike arrays have time on axis ``-2`` and neurons on axis ``-1`` (``(batch, T, n)``);
repeated trials of the same input are stacked on a leading axis,
``(trials, batch, T, n)``. These functions read values (``stochad.value`` of a carrier) and
return floats or arrays: they are for monitoring, not for differentiating.

Examples
--------
>>> import numpy as np
>>> from stochad.snn.metrics import spike_counts, firing_rates
>>> S = np.zeros((1, 100, 2)); S[0, ::10, 0] = 1.0
>>> spike_counts(S), firing_rates(S, dt=1e-3)   # 10 spikes in 100 ms: 100 Hz
(array([[10.,  0.]]), array([[100.,   0.]]))
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from stochad.api import value

__all__ = ["spike_counts", "firing_rates", "fano_factor", "predictions", "accuracy"]


def _spikes(spikes, name: str = "spikes") -> np.ndarray:
    array = np.asarray(value(spikes), dtype=np.float64)
    if array.ndim < 2:
        raise ValueError(
            f"{name} must have shape (..., T, n) (time on axis -2), got shape {array.shape}"
        )
    return array


def spike_counts(spikes) -> np.ndarray:
    """Each neuron's number of spikes: the sum over time (axis ``-2``).

    Parameters
    ----------
    spikes : array-like or carrier, shape (..., T, n)

    Returns
    -------
    ndarray, shape (..., n)
    """
    return _spikes(spikes).sum(axis=-2)


def firing_rates(spikes, dt: float) -> np.ndarray:
    """Each neuron's mean rate, ``count / (T·dt)`` (in events per unit of ``dt``).

    Parameters
    ----------
    spikes : array-like or carrier, shape (..., T, n)
    dt : float
        the time step (positive).

    Returns
    -------
    ndarray, shape (..., n)

    Raises
    ------
    ValueError
        for ``dt ≤ 0``.
    """
    if not (isinstance(dt, Real) and np.isfinite(dt) and dt > 0):
        raise ValueError(f"dt must be a positive finite number, got {dt!r}")
    array = _spikes(spikes)
    return array.sum(axis=-2) / (array.shape[-2] * dt)


def fano_factor(trials, *, window: int = 1, ddof: int = 1, reduce: bool = True):
    """Fano factor across repeated trials: variance over mean, per time bin and neuron.

    ``trials`` stacks the spike trains of several stochastic runs on the same input on
    axis 0. For every other index (sample, time bin, neuron) the Fano factor is
    ``Var_trials(S) / Mean_trials(S)``; bins where no trial spikes (mean 0) are undefined
    (``nan``) and the reduction ignores them (a nan-mean). With ``window > 1`` the trains
    are first summed over a moving window of that many steps (Gygax & Zenke use 10 steps
    on SHD), so the factor describes counts rather than single bins. A Bernoulli bin of
    probability ``p`` has factor ``1 − p`` (over ``n`` trials the estimate's mean is
    ``n/(n − ddof)·(1 − p)``); a deterministic network has 0.

    Parameters
    ----------
    trials : array-like, shape (n_trials, ..., T, n), n_trials ≥ 2
    window : int
        moving-window length in steps, ``1 ≤ window ≤ T`` (``T − window + 1`` windows).
    ddof : int
        delta degrees of freedom of the variance (1: the unbiased sample variance).
    reduce : bool
        return the nan-mean (a float, ``nan`` if no bin has spikes) instead of the array.

    Returns
    -------
    float or ndarray of shape (..., T − window + 1, n)

    Raises
    ------
    ValueError
        for fewer than two trials, fewer than three axes, or a window out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.metrics import fano_factor
    >>> trials = np.array([[[1.0], [0.0]], [[1.0], [1.0]]])   # 2 trials, T = 2, one neuron
    >>> fano_factor(trials, reduce=False)                     # bin 0: always; bin 1: half
    array([[0.],
           [1.]])
    >>> float(fano_factor(trials))
    0.5
    """
    array = np.asarray(value(trials), dtype=np.float64)
    if array.ndim < 3:
        raise ValueError(f"trials must have shape (n_trials, ..., T, n), got shape {array.shape}")
    if array.shape[0] < 2:
        raise ValueError(f"the Fano factor needs at least 2 trials on axis 0, got {array.shape[0]}")
    T = array.shape[-2]
    if not (isinstance(window, Integral) and 1 <= window <= T):
        raise ValueError(f"window must be an integer in [1, T={T}], got {window!r}")
    if window > 1:
        cumulative = np.cumsum(array, axis=-2)
        zero = np.zeros(array.shape[:-2] + (1, array.shape[-1]))
        cumulative = np.concatenate([zero, cumulative], axis=-2)
        array = cumulative[..., window:, :] - cumulative[..., :-window, :]
    mean = array.mean(axis=0)
    variance = array.var(axis=0, ddof=ddof)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(mean > 0, variance / np.where(mean > 0, mean, 1.0), np.nan)
    if not reduce:
        return factor
    if np.all(np.isnan(factor)):
        return float("nan")
    return float(np.nanmean(factor))


def predictions(scores) -> np.ndarray:
    """Predicted classes: the argmax over classes of ``(batch, C)`` scores, or of the maximum
    over time of ``(batch, T, C)`` readout membranes (as the max-over-time loss reads them).

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.metrics import predictions
    >>> predictions(np.array([[[0.0, 1.0], [3.0, 0.0]]]))    # max over time (3, 1)
    array([0])
    """
    array = np.asarray(value(scores), dtype=np.float64)
    if array.ndim == 3:
        array = array.max(axis=1)
    if array.ndim != 2:
        raise ValueError(
            f"scores must have shape (batch, C) or (batch, T, C), got shape {array.shape}"
        )
    return np.argmax(array, axis=-1)


def accuracy(scores, labels) -> float:
    """The fraction of samples whose predicted class (:func:`predictions`) is the label.

    Parameters
    ----------
    scores : array-like, shape (batch, C) or (batch, T, C)
    labels : array of int, shape (batch,)

    Returns
    -------
    float

    Raises
    ------
    ValueError
        if the labels' shape is not ``(batch,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.metrics import accuracy
    >>> accuracy(np.array([[0.0, 1.0], [2.0, 0.0]]), np.array([1, 1]))
    0.5
    """
    predicted = predictions(scores)
    labels = np.asarray(labels)
    if labels.shape != predicted.shape:
        raise ValueError(
            f"labels must have shape {predicted.shape} (one per sample), got {labels.shape}"
        )
    return float(np.mean(predicted == labels))
