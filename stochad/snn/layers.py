"""Layers: current-based LIF, a non-spiking leaky readout and a binary dense layer.

Discrete time, ``λ_syn = exp(−Δt/τ_syn)``, ``λ_mem = exp(−Δt/τ_mem)``, ``x = U − θ``, every
state 0 at ``n = 0`` (Gygax & Zenke eqs. 8.1-8.2, the stork library)::

    S[n]   = spike(U[n] − θ)                                  Heaviside or escape noise
    I[n+1] = λ_syn I[n] + W S_in[n] + V S[n]                  V: optional recurrence
    U[n+1] = (λ_mem U[n] + (1 − λ_mem) I[n]) (1 − S[n])       reset="next_step" (default)
           = λ_mem U[n] (1 − S[n]) + (1 − λ_mem) I[n]         reset="same_step"
           = λ_mem U[n] + (1 − λ_mem) I[n] − θ S[n]           reset="subtract"
           = λ_mem U[n] + (1 − λ_mem) I[n]                    reset="none"

A layer's output at step ``n`` is ``S[n]`` (the readout's ``U[n]``); input at step ``n``
reaches ``U`` at ``n + 2``, so each LIF layer adds two steps of delay (as in stork).
``"next_step"`` silences a neuron for one step after a spike; ``"same_step"`` lets it fire
on consecutive steps (the paper's spike-train-matching code); ``"subtract"`` is Neftci et
al. 2019 eq. 8 (``U[n+1] = β U[n] + I[n] − S[n]``, θ = 1) with the input scaled by
``1 − λ_mem`` and the reset scaled by θ: with ``W`` divided by ``1 − λ_mem`` and θ = 1 it
is exactly their equation.

The emitted spike and the reset use the same sample. ``detach_reset=True`` keeps the
reset's value but drops its derivative (the reset term ``−(λ_mem U + (1−λ_mem) I) F′ ∂U``
of the RTRL recursion), as snntorch, stork and norse's ``lif_step`` do. The default
``False`` differentiates the program as written: then ``"smoothed"`` is the smoothed
stochastic derivative of the network and forward-mode RTRL equals BPTT. The unbiased
methods (``"triple"``, ``"score"``) always keep the reset: detaching is a property of
surrogate gradients only.

Every layer runs on any stochad carrier (plain arrays, tracers of :func:`stochad.grad`,
triple arrays of :func:`stochad.derivative_estimate`) through :meth:`run`, one time step
at a time; the numba kernels in :mod:`stochad.snn.kernels` compute the same recursion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

import stochad
from stochad.rules.surrogates import _check_positive
from stochad.snn.spikes import EscapeNoise, Heaviside

__all__ = ["LIF", "Readout", "BinaryDense", "RESETS", "RowTangent"]

RESETS = ("next_step", "same_step", "subtract", "none")
"""The reset conventions of :class:`LIF`."""


def _check_size(size) -> int:
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be a whole number >= 1, got size={size!r}")
    return int(size)


def _check_spike(spike):
    if not isinstance(spike, (Heaviside, EscapeNoise)):
        raise TypeError(
            f"spike must be snn.Heaviside(...) or snn.EscapeNoise(...), got {type(spike).__name__}"
        )


@dataclass(frozen=True, eq=False)
class RowTangent:
    """A parameter whose batch rows move along different coordinates (batched triples).

    Row ``r`` of the batch sees ``value + t · e[r]``, ``e[r]`` the unit tangent of entry
    ``index[r]`` of the parameter (no tangent where ``index[r, 0] == -1``), ``t`` the
    scalar triple of the evaluation (value 0, derivative 1). A layer applies it through
    :func:`matmul` and :func:`add_bias` as ``x @ value + t · c`` with
    ``c[r] = x[r] @ e[r]``: the value is that of ``x @ value``, the derivative along the
    row's coordinate is added, and since ``t``'s value is 0 in every world the second term
    carries no perturbation (``x``'s perturbations go through ``x @ value``).

    Attributes
    ----------
    value : ndarray
        the parameter's value, shared by every row.
    t : Triple
        the evaluation's input.
    index : ndarray of int
        ``(rows, ndim)``: each row's coordinate, or ``-1`` in every column for none.
    """

    value: np.ndarray
    t: object
    index: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def _moved(self) -> np.ndarray:
        return np.flatnonzero(self.index[:, 0] >= 0)

    def matmul(self, x):
        rows = self._moved()
        c = np.zeros((np.shape(x)[0], self.value.shape[1]))
        # only the row's own input entry meets the tangent's one nonzero weight
        c[rows, self.index[rows, 1]] = np.asarray(stochad.value(x))[rows, self.index[rows, 0]]
        return x @ self.value + self.t * c

    def add_to(self, x):
        rows = self._moved()
        c = np.zeros(np.shape(x))
        c[rows, self.index[rows, 0]] = 1.0
        return x + self.value + self.t * c


def matmul(x, w):
    """``x @ w`` for a weight matrix or a :class:`RowTangent`."""
    return w.matmul(x) if isinstance(w, RowTangent) else x @ w


def add_bias(x, b):
    """``x + b`` for a bias vector or a :class:`RowTangent`."""
    return b.add_to(x) if isinstance(b, RowTangent) else x + b


@dataclass(frozen=True)
class _Filter:
    """The shared current-based filter: time constants and their decay factors."""

    size: int
    tau_syn: float = 5e-3
    tau_mem: float = 10e-3
    dt: float = 1e-3

    def __post_init__(self):
        object.__setattr__(self, "size", _check_size(self.size))
        for name in ("tau_syn", "tau_mem", "dt"):
            object.__setattr__(self, name, _check_positive(name, getattr(self, name)))

    @property
    def lambda_syn(self) -> float:
        """``exp(−Δt/τ_syn)``."""
        return math.exp(-self.dt / self.tau_syn)

    @property
    def lambda_mem(self) -> float:
        """``exp(−Δt/τ_mem)``."""
        return math.exp(-self.dt / self.tau_mem)

    def param_shapes(self, n_in: int) -> dict[str, tuple[int, ...]]:
        """Parameter suffixes and shapes: ``W`` is ``(n_in, size)``."""
        return {"W": (n_in, self.size)}


@dataclass(frozen=True)
class LIF(_Filter):
    """A layer of current-based leaky integrate-and-fire neurons (module docstring).

    Parameters
    ----------
    size : int
        the number of neurons, >= 1.
    tau_syn, tau_mem, dt : float
        time constants and step in seconds, > 0 (defaults 5 ms, 10 ms, 1 ms).
    threshold : float
        θ, finite.
    recurrent : bool
        with a recurrent weight matrix ``V`` (``size × size``).
    reset : {"next_step", "same_step", "subtract", "none"}
    detach_reset : bool
        drop the reset from the surrogate/smoothed derivative (default False: keep it).
    spike : Heaviside or EscapeNoise
        how ``U − θ`` becomes spikes (default deterministic, fast-sigmoid surrogate β=10).

    Raises
    ------
    ValueError
        for a size < 1, a time constant <= 0, a non-finite threshold or an unknown reset.
    TypeError
        for a ``spike`` of another type.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad import snn
    >>> layer = snn.LIF(3, reset="subtract")
    >>> round(layer.lambda_mem, 4), layer.param_shapes(2)
    (0.9048, {'W': (2, 3)})
    """

    threshold: float = 1.0
    recurrent: bool = False
    reset: str = "next_step"
    detach_reset: bool = False
    spike: Heaviside | EscapeNoise = field(default_factory=Heaviside)

    def __post_init__(self):
        super().__post_init__()
        if not math.isfinite(float(self.threshold)):
            raise ValueError(f"threshold must be finite, got threshold={self.threshold!r}")
        object.__setattr__(self, "threshold", float(self.threshold))
        if self.reset not in RESETS:
            raise ValueError(f"reset must be one of {RESETS}, got reset={self.reset!r}")
        _check_spike(self.spike)

    @property
    def stochastic(self) -> bool:
        return self.spike.stochastic

    def param_shapes(self, n_in: int) -> dict[str, tuple[int, ...]]:
        """``W``: ``(n_in, size)``; ``V``: ``(size, size)`` when recurrent."""
        shapes = super().param_shapes(n_in)
        if self.recurrent:
            shapes["V"] = (self.size, self.size)
        return shapes

    def _membrane(self, u, i, r):
        """``U[n+1]`` from ``U[n]``, ``I[n]`` and the reset ``r`` (the spike or its value)."""
        lm = self.lambda_mem
        if self.reset == "next_step":
            return (lm * u + (1.0 - lm) * i) * (1.0 - r)
        if self.reset == "same_step":
            return lm * u * (1.0 - r) + (1.0 - lm) * i
        if self.reset == "subtract":
            return lm * u + (1.0 - lm) * i - self.threshold * r
        return lm * u + (1.0 - lm) * i

    def run(self, params: dict, inputs: list, forced=None):
        """Run the layer on per-step inputs.

        Parameters
        ----------
        params : dict
            ``{"W": ..., "V": ...}`` (carriers or arrays).
        inputs : list
            ``T`` arrays/carriers of shape ``(batch, n_in)``.
        forced : ndarray, optional
            ``(batch, T, size)`` spikes to use instead of sampling them (enumeration and
            the score function; escape-noise layers only); the firing probabilities
            ``F(U − θ)`` are then returned too, with the noise's true derivative ``F′``.

        Returns
        -------
        (list, list or None)
            the ``T`` spike arrays ``S[n]`` and, when ``forced``, the probabilities.
        """
        w, v = params["W"], params.get("V")
        batch = np.shape(inputs[0])[0]
        i = u = np.zeros((batch, self.size))
        spikes, probabilities = [], []
        for n, s_in in enumerate(inputs):
            x = u - self.threshold
            if forced is None:
                s = self.spike.emit(x)
            else:
                probabilities.append(self.spike.noise.cdf(x))
                s = forced[:, n, :]
            spikes.append(s)
            if n + 1 == len(inputs):
                break
            r = stochad.value(s) if self.detach_reset else s
            current = self.lambda_syn * i + matmul(s_in, w)
            if v is not None:
                current = current + matmul(s, v)
            i, u = current, self._membrane(u, i, r)
        return spikes, (probabilities if forced is not None else None)


@dataclass(frozen=True)
class Readout(_Filter):
    """A non-spiking leaky integrator: the LIF filter without threshold or reset.

    ``I[n+1] = λ_syn I[n] + W S_in[n]``, ``U[n+1] = λ_mem U[n] + (1 − λ_mem) I[n]``; the
    output at step ``n`` is ``U[n]``.

    Parameters
    ----------
    size : int
    tau_syn, tau_mem, dt : float

    Examples
    --------
    >>> from stochad import snn
    >>> snn.Readout(2).param_shapes(5)
    {'W': (5, 2)}
    """

    stochastic = False

    def run(self, params: dict, inputs: list, forced=None):
        """The ``T`` membrane arrays ``U[n]`` (and None: nothing is sampled)."""
        w = params["W"]
        batch = np.shape(inputs[0])[0]
        i = u = np.zeros((batch, self.size))
        out = []
        lm = self.lambda_mem
        for n, s_in in enumerate(inputs):
            out.append(u)
            if n + 1 < len(inputs):
                i, u = self.lambda_syn * i + matmul(s_in, w), lm * u + (1.0 - lm) * i
        return out, None


@dataclass(frozen=True)
class BinaryDense:
    """A dense layer of binary units: ``S[n] = spike(S_in[n] W + b)``, no state.

    The perceptron (``Heaviside``) or stochastic binary unit (``EscapeNoise``) of Gygax &
    Zenke's multilayer examples, applied at every time step.

    Parameters
    ----------
    size : int
    spike : Heaviside or EscapeNoise
        default logistic escape noise with β = 1: ``S ~ Bernoulli(σ(S_in W + b))``.
    bias : bool
        with a bias ``b`` of shape ``(size,)``.

    Examples
    --------
    >>> from stochad import snn
    >>> snn.BinaryDense(2).param_shapes(3)
    {'W': (3, 2), 'b': (2,)}
    """

    size: int
    spike: Heaviside | EscapeNoise = field(
        default_factory=lambda: EscapeNoise(stochad.surrogates.logistic(1.0))
    )
    bias: bool = True

    def __post_init__(self):
        object.__setattr__(self, "size", _check_size(self.size))
        _check_spike(self.spike)

    @property
    def stochastic(self) -> bool:
        return self.spike.stochastic

    def param_shapes(self, n_in: int) -> dict[str, tuple[int, ...]]:
        shapes = {"W": (n_in, self.size)}
        if self.bias:
            shapes["b"] = (self.size,)
        return shapes

    def run(self, params: dict, inputs: list, forced=None):
        """The ``T`` spike arrays (and, when ``forced``, the firing probabilities)."""
        spikes, probabilities = [], []
        for n, s_in in enumerate(inputs):
            x = matmul(s_in, params["W"])
            if self.bias:
                x = add_bias(x, params["b"])
            if forced is None:
                spikes.append(self.spike.emit(x))
            else:
                probabilities.append(self.spike.noise.cdf(x))
                spikes.append(forced[:, n, :])
        return spikes, (probabilities if forced is not None else None)
