"""Spike generation, chosen per layer: a deterministic threshold or escape noise.

A layer turns the distance to threshold ``x = U − θ`` into spikes with one of

:class:`Heaviside`
    ``S = H(x)`` (``x > 0`` spikes), with a surrogate derivative for smoothing and
    surrogate-gradient BPTT;
:class:`EscapeNoise`
    ``S ~ Bernoulli(F(x))``, ``F`` the CDF of a family in :mod:`stochad.surrogates`; the
    smoothed derivative of the spike is ``F′(x)``, the *matched* surrogate, unless another
    surrogate is given explicitly (a mismatched pair, e.g. ``β_SG ≠ β_N``).

Each knows how to emit spikes on any stochad carrier (numbers, arrays, triples, tracers) and
its parameters for the numba kernels. Nothing is global: two layers may use different
noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import stochad
from stochad.rules import surrogates
from stochad.rules.surrogates import Surrogate, with_surrogate

__all__ = ["Heaviside", "EscapeNoise", "FAMILY_CODES", "kernel_spec"]

FAMILY_CODES = {
    "logistic": 0, "fast_sigmoid": 1, "cauchy": 2, "gaussian": 3, "laplace": 4,
    "triangular": 5, "uniform": 6, "exponential_escape": 7,
}  # fmt: skip
"""The numba kernels' number of each family of :data:`stochad.surrogates.SURROGATES`."""


def kernel_spec(s: Surrogate) -> tuple[int, float, float, float]:
    """``(family code, β, p0, scale)``: a Surrogate as the numba kernels read it."""
    return FAMILY_CODES[s.name], s.beta, dict(s.params).get("p0", 0.5), s.scale


def _check_surrogate(name: str, s) -> Surrogate:
    if not isinstance(s, Surrogate):
        raise TypeError(
            f"{name} must be a stochad.surrogates.Surrogate (e.g. surrogates.logistic(beta=5)),"
            f" got {type(s).__name__}"
        )
    if s.name not in FAMILY_CODES:
        raise ValueError(f"{name}: unknown surrogate family {s.name!r}")
    return s


def _elementwise(emit, x):
    """``emit(x)``, or element by element (C order) for an object array of scalar
    triples: the dict backend's network (``"triple"`` with ``backend="dict"``)."""
    if isinstance(x, np.ndarray) and x.dtype == object:
        return np.frompyfunc(emit, 1, 1)(x)
    return emit(x)


@dataclass(frozen=True)
class Heaviside:
    """Deterministic spikes ``S = H(U − θ)`` with a surrogate derivative.

    Parameters
    ----------
    surrogate : Surrogate
        the derivative ``dS/dU`` used by ``"smoothed"`` and ``"surrogate"`` gradients
        (default ``surrogates.fast_sigmoid(beta=10)``, SuperSpike normalized to a density).
        Unbiased triples see the true step (derivative 0 almost everywhere).

    Examples
    --------
    >>> import numpy as np
    >>> from stochad import snn, surrogates
    >>> spike = snn.Heaviside(surrogates.logistic(beta=5.0))
    >>> spike.emit(np.array([-0.1, 0.0, 0.3])).tolist()
    [0.0, 0.0, 1.0]
    """

    surrogate: Surrogate = surrogates.fast_sigmoid(beta=10.0)

    stochastic = False

    def __post_init__(self):
        _check_surrogate("surrogate", self.surrogate)

    @property
    def derivative(self) -> Surrogate:
        """The surrogate derivative used for ``dS/dU``."""
        return self.surrogate

    def emit(self, x):
        """Spikes for the distance to threshold ``x`` (any stochad carrier)."""
        return _elementwise(lambda e: stochad.heaviside(e, self.surrogate), x)


@dataclass(frozen=True)
class EscapeNoise:
    """Stochastic spikes ``S ~ Bernoulli(F(U − θ))`` with ``F = noise.cdf``.

    Parameters
    ----------
    noise : Surrogate
        the escape-noise family and its ``β_N`` (default ``surrogates.logistic(beta=10)``,
        i.e. logistic threshold noise, Gygax & Zenke eq. 8.5).
    surrogate : Surrogate, optional
        the smoothed derivative ``dS/dU``; default ``None`` means the matched ``F′`` (then
        ``"smoothed"`` and ``"surrogate"`` gradients are the smoothed stochastic
        derivative). Another family or ``β_SG ≠ β_N`` is an explicit mismatch.

    Examples
    --------
    >>> from stochad import snn, surrogates
    >>> spike = snn.EscapeNoise(surrogates.logistic(beta=4.0))
    >>> spike.derivative is spike.noise        # matched by default
    True
    >>> float(spike.probability(0.0))
    0.5
    """

    noise: Surrogate = surrogates.logistic(beta=10.0)
    surrogate: Surrogate | None = None

    stochastic = True

    def __post_init__(self):
        _check_surrogate("noise", self.noise)
        if self.surrogate is not None:
            _check_surrogate("surrogate", self.surrogate)

    @property
    def derivative(self) -> Surrogate:
        """The surrogate derivative used for ``dS/dU`` (``noise`` when matched)."""
        return self.noise if self.surrogate is None else self.surrogate

    @property
    def matched(self) -> bool:
        """Whether the surrogate derivative is the noise density ``F′`` itself."""
        return self.derivative == self.noise

    def probability(self, x):
        """The firing probability ``F(x)`` with the surrogate derivative for smoothing."""
        return with_surrogate(x, self.noise, self.derivative)

    def emit(self, x):
        """One Bernoulli spike per element of ``x`` from the evaluation's generator."""
        return _elementwise(lambda e: stochad.bernoulli(self.probability(e)), x)
