"""Losses and activity regularizers for spiking networks, written with stochad primitives.

Every function here is an ordinary composition of stochad primitives (``+ − * **``,
:func:`stochad.exp`, :func:`stochad.log`, :func:`stochad.maximum`, :func:`stochad.sum`,
:func:`stochad.mean`, ``@``, slicing), so the same code runs on plain numpy arrays, under
forward triples (:func:`stochad.derivative_estimate`) and under :func:`stochad.grad`; the
SNN gradient methods obtain the cotangent of a network's output from ``stochad.grad`` of the
loss with respect to its first argument.

Conventions
-----------
Spike trains and membranes are arrays of shape ``(..., T, n)``: leading batch axes, then
time (axis ``-2``), then neurons (axis ``-1``); ``(batch, T, n)`` is the usual case, as for
the networks' inputs. "Averaged over batch × neurons" means the mean over every axis but
time. Class scores are ``(batch, T, C)`` readout membranes and labels are integers in
``[0, C)`` of shape ``(batch,)``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from stochad.api import value
from stochad.rules.elementwise import exp, log, maximum
from stochad.rules.structural import concatenate, mean, sum

__all__ = [
    "alpha_kernel",
    "spike_mse",
    "van_rossum_distance",
    "max_over_time",
    "log_softmax",
    "cross_entropy",
    "max_over_time_cross_entropy",
    "sum_of_softmax_cross_entropy",
    "upper_bound_l2",
    "lower_bound_l2",
]


# -- argument checks ------------------------------------------------------------------
def _shape(x, name: str) -> tuple[int, ...]:
    """The shape of a carrier or array (tracers and triple arrays have a primal value)."""
    try:
        return np.shape(value(x))
    except Exception as error:  # an object without a shape: say which argument
        raise TypeError(
            f"{name} must be an array or a stochad carrier, got {type(x).__name__}"
        ) from error


def _spike_shape(x, name: str) -> tuple[int, ...]:
    shape = _shape(x, name)
    if len(shape) < 2:
        raise ValueError(
            f"{name} must have shape (..., T, n) (time on axis -2, neurons on axis -1), "
            f"got shape {shape}"
        )
    return shape


def _same_shape(output, target) -> tuple[int, ...]:
    shape = _spike_shape(output, "output")
    target_shape = _spike_shape(target, "target")
    if shape != target_shape:
        raise ValueError(
            f"output and target must have the same shape, got {shape} and {target_shape}"
        )
    return shape


def _positive(x: float, name: str) -> float:
    if not (np.isscalar(x) and np.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a positive finite number, got {x!r}")
    return float(x)


def _one_hot(labels, n_classes: int, batch_shape: tuple[int, ...]) -> np.ndarray:
    """``labels`` as a one-hot float array of shape ``batch_shape + (n_classes,)``."""
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers (class indices), got dtype {labels.dtype}")
    if labels.shape != batch_shape:
        raise ValueError(
            f"labels must have shape {batch_shape} (one per sample), got {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"labels must lie in [0, {n_classes}) (the number of classes), "
            f"got values in [{labels.min()}, {labels.max()}]"
        )
    return np.eye(n_classes)[labels]


def _operand(x):
    """A carrier as it is; anything else (lists, integer arrays) as a float64 array."""
    return x if value(x) is not x else np.asarray(x, dtype=np.float64)


def _relu(x):
    return maximum(x, 0.0)


# -- spike-train distances ------------------------------------------------------------
def spike_mse(output, target):
    """Squared distance of two spike trains: ``½ Σ_t (z − S)²`` per neuron, averaged.

    The L2 loss of Gygax & Zenke's spike-train matching task: for each sample and neuron,
    half the sum over time steps of the squared difference, then the mean over the batch
    and the neurons.

    Parameters
    ----------
    output : array, TripleArray or Tracer, shape (..., T, n)
        the network's spike trains (or any real-valued traces).
    target : array-like, same shape
        the target spike trains.

    Returns
    -------
    numpy.float64, TripleArray or Tracer
        a scalar, of the kind of ``output``.

    Raises
    ------
    ValueError
        if the shapes differ or have fewer than two axes.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.losses import spike_mse
    >>> z = np.zeros((1, 5, 2)); S = np.zeros((1, 5, 2)); S[0, 2, 0] = 1.0
    >>> float(spike_mse(z, S))     # one missed spike: ½·1 on one neuron of two
    0.25
    """
    shape = _same_shape(output, target)
    diff = _operand(output) - _operand(target)
    return 0.5 * mean(sum(diff * diff, axis=len(shape) - 2))


def _alpha_kernel_values(n_steps: int, tau_mem: float, tau_syn: float, dt: float, eps0):
    t = dt * np.arange(n_steps)
    kernel = np.exp(-t / tau_mem) - np.exp(-t / tau_syn)
    if eps0 is None:
        # normalize the continuous-time kernel's peak to 1 (at t* = ln(τm/τs)·τmτs/(τm−τs)),
        # so that one spike's trace peaks near 1 whatever the time constants
        t_peak = np.log(tau_mem / tau_syn) * tau_mem * tau_syn / (tau_mem - tau_syn)
        eps0 = 1.0 / abs(np.exp(-t_peak / tau_mem) - np.exp(-t_peak / tau_syn))
    return eps0 * kernel


def alpha_kernel(n_steps: int, *, tau_mem: float, tau_syn: float, dt: float, eps0=None):
    """The α-kernel ``ε(k·dt) = eps0·(e^{−k·dt/τ_mem} − e^{−k·dt/τ_syn})``, ``k = 0 … n_steps−1``.

    Parameters
    ----------
    n_steps : int
        number of time steps (``≥ 1``).
    tau_mem, tau_syn : float
        membrane and synaptic time constants (positive, in the units of ``dt``; different).
    dt : float
        time step (positive).
    eps0 : float or None
        amplitude; ``None`` (default) scales the continuous kernel's peak to 1
        (``eps0 = 4`` for ``τ_mem = 2 τ_syn``).

    Returns
    -------
    ndarray, shape (n_steps,)
        ``ε(0) = 0``, so a spike at step ``s`` shows in its filtered trace from ``s + 1`` on.

    Raises
    ------
    ValueError
        for a non-positive time constant or step, ``tau_mem == tau_syn`` (the difference
        of exponentials vanishes) or ``n_steps < 1``.

    Examples
    --------
    >>> from stochad.snn.losses import alpha_kernel
    >>> alpha_kernel(3, tau_mem=2.0, tau_syn=1.0, dt=1.0, eps0=1.0).round(4)
    array([0.    , 0.2387, 0.2325])
    """
    if int(n_steps) != n_steps or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    tau_mem = _positive(tau_mem, "tau_mem")
    tau_syn = _positive(tau_syn, "tau_syn")
    dt = _positive(dt, "dt")
    if tau_mem == tau_syn:
        raise ValueError(
            f"tau_mem and tau_syn must differ (the α-kernel e^(−t/τm) − e^(−t/τs) is 0), "
            f"got both {tau_mem}"
        )
    if eps0 is not None and not (np.isscalar(eps0) and np.isfinite(eps0)):
        raise ValueError(f"eps0 must be a finite number or None, got {eps0!r}")
    return _alpha_kernel_values(int(n_steps), tau_mem, tau_syn, dt, eps0)


@lru_cache(maxsize=32)
def _filter_matrix(n_steps: int, tau_mem: float, tau_syn: float, dt: float, eps0) -> np.ndarray:
    """Lower-triangular Toeplitz matrix ``K[t, s] = ε((t − s)·dt)`` for ``t ≥ s``, else 0."""
    kernel = alpha_kernel(n_steps, tau_mem=tau_mem, tau_syn=tau_syn, dt=dt, eps0=eps0)
    lags = np.subtract.outer(np.arange(n_steps), np.arange(n_steps))
    matrix = np.where(lags >= 0, kernel[np.clip(lags, 0, None)], 0.0)
    matrix.flags.writeable = False  # cached and shared between calls
    return matrix


def van_rossum_distance(output, target, *, tau_mem: float, tau_syn: float, dt: float, eps0=None):
    """van Rossum distance with the LIF neuron's α-kernel: ``½ Σ_t (ε∗z − ε∗S)²``, averaged.

    Both trains are filtered causally on the simulation's time grid: with ``x[s]`` the
    spike at step ``s`` (time ``s·dt``), the trace is
    ``(ε∗x)[t] = Σ_{s ≤ t} ε((t − s)·dt)·x[s]``, ``ε(t) = eps0·(e^{−t/τ_mem} − e^{−t/τ_syn})``
    sampled at ``t = k·dt`` (``k = 0 … T−1``; ``ε(0) = 0``, so a spike first shows one step
    later, like a PSP in the discrete LIF). The filter is linear, so it is one matrix
    product with a fixed lower-triangular Toeplitz matrix, which every stochad carrier
    supports. Then, for each sample and neuron, half the sum over time steps of the
    squared difference (no factor ``dt``), and the mean over batch and neurons, as in
    :func:`spike_mse`. Spikes closer to the end than the kernel's width count less (the
    window is not extended past ``T``).

    Parameters
    ----------
    output : array, TripleArray or Tracer, shape (..., T, n)
        the network's spike trains.
    target : array-like, same shape
        the target spike trains.
    tau_mem, tau_syn : float
        the kernel's time constants (positive, different; Gygax & Zenke use 10 ms and 5 ms).
    dt : float
        time step, in the units of the time constants.
    eps0 : float or None
        the kernel's amplitude; ``None`` (default) normalizes its peak to 1, see
        :func:`alpha_kernel`.

    Returns
    -------
    numpy.float64, TripleArray or Tracer
        a scalar, of the kind of ``output``.

    Raises
    ------
    ValueError
        if the shapes differ or have fewer than two axes, or for invalid kernel parameters.

    See Also
    --------
    alpha_kernel, spike_mse

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.losses import alpha_kernel, van_rossum_distance
    >>> z = np.zeros((1, 50, 1)); S = z.copy(); S[0, 0, 0] = 1.0
    >>> d = van_rossum_distance(z, S, tau_mem=10.0, tau_syn=5.0, dt=1.0)
    >>> bool(np.isclose(d, 0.5 * np.sum(alpha_kernel(50, tau_mem=10.0, tau_syn=5.0, dt=1.0) ** 2)))
    True
    """
    shape = _same_shape(output, target)
    matrix = _filter_matrix(shape[-2], tau_mem, tau_syn, dt, eps0)
    diff = _operand(output) - _operand(target)
    # (T, T) @ (..., T, n) broadcasts the filter over the leading axes
    filtered = matrix @ diff
    return 0.5 * mean(sum(filtered * filtered, axis=len(shape) - 2))


# -- classification -------------------------------------------------------------------
def max_over_time(x):
    """Maximum over the time axis (``-2``) of ``(..., T, C)``, differentiable.

    stochad has an elementwise :func:`stochad.maximum` but no reduction, so this folds
    pairs of time slices (``log₂ T`` levels). The derivative flows to the first time step
    that attains the maximum (``maximum`` passes it to its first argument on a tie, and
    the first argument is always the earlier slice).

    Parameters
    ----------
    x : array, TripleArray or Tracer, shape (..., T, C), T ≥ 1

    Returns
    -------
    ndarray, TripleArray or Tracer, shape (..., C)

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.losses import max_over_time
    >>> max_over_time(np.array([[[0.0, 3.0], [2.0, 1.0], [1.0, 5.0]]]))
    array([[2., 5.]])
    """
    shape = _spike_shape(x, "x")
    n = shape[-2]
    if n == 0:
        raise ValueError("x must have at least one time step (axis -2 is empty)")
    while n > 1:
        even = n - n % 2
        folded = maximum(x[..., 0:even:2, :], x[..., 1:even:2, :])
        # an odd last step joins the next level unchanged (it is the latest, so it stays
        # the second argument of every later comparison)
        x = concatenate([folded, x[..., even:, :]], axis=-2) if n % 2 else folded
        n = (n + 1) // 2
    return x[..., 0, :]


def log_softmax(z):
    """``z − log Σ_c exp(z_c)`` over the last axis, computed stably.

    The log-sum-exp subtracts the primal maximum first; that shift is a constant (read with
    :func:`stochad.value`), and the log-sum-exp's derivative does not depend on it, so the
    gradient is exact.

    Parameters
    ----------
    z : array, TripleArray or Tracer, shape (..., C)

    Returns
    -------
    same kind and shape as ``z``

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.losses import log_softmax
    >>> np.exp(log_softmax(np.array([0.0, np.log(3.0)])))
    array([0.25, 0.75])
    """
    shift = np.max(np.asarray(value(z), dtype=np.float64), axis=-1, keepdims=True)
    shifted = z - shift
    return shifted - log(sum(exp(shifted), axis=-1))[..., None]


def cross_entropy(logits, labels):
    """Mean over the batch of ``−log softmax(logits)[label]``.

    Parameters
    ----------
    logits : array, TripleArray or Tracer, shape (batch, C)
    labels : array of int, shape (batch,)
        class indices in ``[0, C)``.

    Returns
    -------
    numpy.float64, TripleArray or Tracer
        a scalar.

    Raises
    ------
    TypeError
        for non-integer labels.
    ValueError
        for labels of the wrong shape or out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.losses import cross_entropy
    >>> round(float(cross_entropy(np.zeros((2, 4)), np.array([0, 3]))), 6)   # log 4
    1.386294
    """
    shape = _shape(logits, "logits")
    if len(shape) < 1:
        raise ValueError(f"logits must have shape (batch, C), got shape {shape}")
    one_hot = _one_hot(labels, shape[-1], shape[:-1])
    return -mean(sum(one_hot * log_softmax(logits), axis=-1))


def _readout_shape(readout_membrane) -> tuple[int, ...]:
    shape = _spike_shape(readout_membrane, "readout_membrane")
    if shape[-2] < 1:
        raise ValueError("readout_membrane must have at least one time step (axis -2)")
    return shape


def max_over_time_cross_entropy(readout_membrane, labels):
    """Cross entropy of the softmax over each readout unit's maximum membrane over time.

    The SHD loss of Gygax & Zenke (eq. 8.8–8.9) and stork's ``MaxOverTimeCrossEntropy``:
    ``a_c = max_t U_c[t]``, ``p = softmax(a)``, loss ``−mean_batch log p_label``.

    Parameters
    ----------
    readout_membrane : array, TripleArray or Tracer, shape (batch, T, C)
        the non-spiking readout units' membranes.
    labels : array of int, shape (batch,)
        class indices in ``[0, C)``.

    Returns
    -------
    numpy.float64, TripleArray or Tracer
        a scalar.

    Raises
    ------
    TypeError, ValueError
        for labels that are not integers of shape ``(batch,)`` in ``[0, C)``, or a membrane
        of the wrong shape.

    See Also
    --------
    max_over_time, cross_entropy, sum_of_softmax_cross_entropy

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.losses import max_over_time_cross_entropy
    >>> U = np.zeros((1, 3, 2)); U[0, 1, 0] = np.log(3.0)   # maxima (log 3, 0)
    >>> round(float(max_over_time_cross_entropy(U, np.array([0]))), 6)   # −log ¾
    0.287682
    """
    _readout_shape(readout_membrane)
    return cross_entropy(max_over_time(readout_membrane), labels)


def sum_of_softmax_cross_entropy(readout_membrane, labels):
    """Cross entropy of the softmax of the summed per-step softmax probabilities.

    stork's ``SumOfSoftmaxCrossEntropy``: a softmax over classes at every time step,
    ``p_t = softmax(U[t])``, summed over time, ``s = Σ_t p_t`` (so ``Σ_c s_c = T``), then
    ``s`` taken as logits: loss ``−mean_batch log softmax(s)_label``. Every step votes, so
    the gradient reaches every step (the max-over-time loss reaches one).

    Parameters
    ----------
    readout_membrane : array, TripleArray or Tracer, shape (batch, T, C)
    labels : array of int, shape (batch,)
        class indices in ``[0, C)``.

    Returns
    -------
    numpy.float64, TripleArray or Tracer
        a scalar.

    Raises
    ------
    TypeError, ValueError
        as :func:`max_over_time_cross_entropy`.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.losses import sum_of_softmax_cross_entropy
    >>> U = np.zeros((1, 4, 2))            # p_t = (½, ½) at each of 4 steps: s = (2, 2)
    >>> round(float(sum_of_softmax_cross_entropy(U, np.array([1]))), 6)   # log 2
    0.693147
    """
    shape = _readout_shape(readout_membrane)
    summed = sum(exp(log_softmax(readout_membrane)), axis=len(shape) - 2)
    return cross_entropy(summed, labels)


# -- activity regularizers ------------------------------------------------------------
def _counts(spikes, per_neuron: bool):
    """Spike counts over time, shape (..., n), or their mean over neurons, shape (...)."""
    shape = _spike_shape(spikes, "spikes")
    counts = sum(spikes, axis=len(shape) - 2)
    return counts if per_neuron else mean(counts, axis=-1)


def _bound_args(threshold, strength) -> None:
    if not (np.isscalar(threshold) and np.isfinite(threshold)):
        raise ValueError(f"threshold must be a finite number (a spike count), got {threshold!r}")
    if not (np.isscalar(strength) and np.isfinite(strength) and strength >= 0):
        raise ValueError(f"strength must be a finite number ≥ 0, got {strength!r}")


def upper_bound_l2(spikes, *, threshold: float, strength: float, per_neuron: bool = False):
    """Soft upper bound on spike counts: ``strength · mean_batch(relu(count − threshold)²)``.

    ``count`` is each neuron's spike count over time; by default averaged over the neurons
    of the layer first (a bound on the population's mean count, Gygax & Zenke eq. 8.6,
    stork's ``UpperBoundL2(dims=-1)``); ``per_neuron=True`` bounds each neuron and averages
    the penalties over batch and neurons.

    Parameters
    ----------
    spikes : array, TripleArray or Tracer, shape (..., T, n)
    threshold : float
        the count above which the penalty starts (Gygax & Zenke: 7 per 700 ms).
    strength : float
        the penalty's factor, ``≥ 0`` (Gygax & Zenke: 0.01).
    per_neuron : bool
        bound each neuron's count instead of the layer's mean count.

    Returns
    -------
    numpy.float64, TripleArray or Tracer
        a scalar.

    Raises
    ------
    ValueError
        for a non-finite threshold, a negative strength or spikes with fewer than two axes.

    See Also
    --------
    lower_bound_l2

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.losses import upper_bound_l2
    >>> S = np.zeros((1, 10, 2)); S[0, :6, 0] = 1.0; S[0, :2, 1] = 1.0   # counts 6 and 2
    >>> float(upper_bound_l2(S, threshold=1.0, strength=0.5))            # 0.5·(4 − 1)²
    4.5
    >>> float(upper_bound_l2(S, threshold=1.0, strength=0.5, per_neuron=True))  # 0.5·(25+1)/2
    6.5
    """
    _bound_args(threshold, strength)
    excess = _relu(_counts(spikes, per_neuron) - threshold)
    return strength * mean(excess * excess)


def lower_bound_l2(spikes, *, threshold: float, strength: float, per_neuron: bool = False):
    """Soft lower bound on spike counts: ``strength · mean_batch(relu(threshold − count)²)``.

    The twin of :func:`upper_bound_l2` (same arguments and averaging); it keeps neurons
    from falling silent, which would stop every surrogate gradient through them. stork
    uses it per neuron (``per_neuron=True``).

    Parameters
    ----------
    spikes : array, TripleArray or Tracer, shape (..., T, n)
    threshold : float
        the count below which the penalty starts.
    strength : float
        the penalty's factor, ``≥ 0``.
    per_neuron : bool
        bound each neuron's count instead of the layer's mean count.

    Returns
    -------
    numpy.float64, TripleArray or Tracer
        a scalar.

    Raises
    ------
    ValueError
        as :func:`upper_bound_l2`.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.losses import lower_bound_l2
    >>> S = np.zeros((1, 10, 2)); S[0, :6, 0] = 1.0; S[0, :2, 1] = 1.0   # counts 6 and 2
    >>> float(lower_bound_l2(S, threshold=3.0, strength=1.0, per_neuron=True))  # (0 + 1)/2
    0.5
    """
    _bound_args(threshold, strength)
    deficit = _relu(threshold - _counts(spikes, per_neuron))
    return strength * mean(deficit * deficit)
