"""Escape noise and its surrogate derivative, matched pairs (THEORY.md §6).

A stochastic neuron spikes with probability ``F(x)``, ``x = U − θ``: ``F`` is the CDF of the
noise on its threshold (the *escape noise*). Its smoothed stochastic derivative is
``F′(x)``, so the surrogate derivative that makes surrogate-gradient training equal to
smoothed stochastic AD is the noise density ``F′`` itself (it integrates to 1). Every pair
here is stated with its scale ``β`` (the density's height is ``O(β)``, its width
``O(1/β)``); ``β → ∞`` is the deterministic neuron.

Two registry primitives use them:

``heaviside(x, surrogate)``
    value ``H(x) = 1 if x > 0 else 0``; piecewise constant, so forward triples carry the
    jumps of ``x`` across 0 exactly, while the smoothed and reverse rules use the
    surrogate derivative ``F′(x)``;
``surrogate.cdf(x)``
    the escape-noise probability ``F(x)`` with derivative ``F′(x)``, for stochastic neurons
    ``bernoulli(surrogate.cdf(u − θ))``: their smoothed derivative is the same ``F′``.

Examples
--------
>>> import stochad
>>> from stochad.rules import surrogates
>>> s = surrogates.logistic(beta=2.0)
>>> float(s.cdf(0.0)), float(s.derivative(0.0))
(0.5, 0.5)
>>> stochad.grad(lambda u: stochad.heaviside(u - 1.0, s))(1.0)
0.5
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import erfc, expit

from stochad._docstrings import fill_doc
from stochad.rules.registry import Primitive, call, register

__all__ = [
    "Surrogate", "SURROGATES", "HEAVISIDE", "ESCAPE_NOISE", "heaviside",
    "logistic", "fast_sigmoid", "cauchy", "gaussian", "laplace", "triangular", "uniform",
    "exponential_escape",
]  # fmt: skip


@dataclass(frozen=True)
class Surrogate:
    """One escape-noise CDF ``F`` and its derivative ``F′`` (the surrogate derivative).

    Attributes
    ----------
    name : str
        the family (a key of :data:`SURROGATES`).
    beta : float
        the scale: ``F(x) = F₁(βx)`` up to the family's stated constants.
    noise_cdf, density : callable
        ``F`` and ``F′`` on floats and numpy arrays.
    params : tuple of (name, value)
        any further parameter (``p0`` of the exponential escape rate).

    Build one with a family function (:func:`logistic`, :func:`fast_sigmoid`, ...) or
    :data:`SURROGATES`; pass it to :func:`heaviside`, or use :meth:`cdf` as a stochastic
    neuron's firing probability.

    Examples
    --------
    >>> from stochad import surrogates
    >>> s = surrogates.SURROGATES["cauchy"](beta=2.0)
    >>> s, s.name, s.beta
    (surrogates.cauchy(beta=2.0), 'cauchy', 2.0)
    """

    name: str
    beta: float
    noise_cdf: Callable[[np.ndarray], np.ndarray]
    density: Callable[[np.ndarray], np.ndarray]
    params: tuple[tuple[str, float], ...] = ()

    def cdf(self, x):
        """The escape-noise probability ``F(x)`` of floats, arrays, triples and tracers.

        Its derivative (tangent, smoothed and reverse rules) is :meth:`derivative`; finite
        perturbations map their alternates ``Y`` to ``F(Y)``. A stochastic neuron
        ``stochad.bernoulli(s.cdf(u - theta))`` then has the smoothed derivative ``F′``.

        Parameters
        ----------
        x : float, ndarray, Triple, TripleArray or Tracer
            the distance to threshold ``U − θ``.

        Returns
        -------
        numpy.float64, ndarray, Triple, TripleArray or Tracer
            probabilities in [0, 1], the kind and shape of ``x``.

        Examples
        --------
        >>> import stochad
        >>> from stochad import surrogates
        >>> t = stochad.stochastic_triple(surrogates.logistic(beta=2.0).cdf, 0.0)
        >>> float(stochad.value(t)), float(stochad.delta(t))
        (0.5, 0.5)
        """
        return call(ESCAPE_NOISE, x, self)

    def derivative(self, x):
        """The surrogate derivative ``F′(x)`` of floats and arrays.

        Parameters
        ----------
        x : float or array-like
            plain numbers only (no triples or tracers).

        Returns
        -------
        numpy.float64 or ndarray
            ``F′(x)``, >= 0, of the shape of ``x``.
        """
        return self.density(x)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.params)
        return f"surrogates.{self.name}(beta={self.beta!r}{extra})"


def _check_beta(beta) -> float:
    beta = float(beta)
    if not (beta > 0.0 and math.isfinite(beta)):
        raise ValueError(f"beta must be a finite number > 0, got beta={beta!r}")
    return beta


# Parameters/Returns/Raises of every family whose only parameter is ``beta``
_beta_family = fill_doc(
    beta_sections="""
    Parameters
    ----------
    beta : float
        the scale, finite and > 0.

    Returns
    -------
    Surrogate

    Raises
    ------
    ValueError
        if ``beta`` is not finite and > 0 (or not convertible to float).
    """
)


@_beta_family
def logistic(beta: float = 1.0) -> Surrogate:
    """Logistic noise: ``F = σ(βx)``, ``F′ = β σ(βx)(1 − σ(βx))`` (peak ``β/4``).

    %(beta_sections)s

    Examples
    --------
    >>> from stochad.rules.surrogates import logistic
    >>> float(logistic(4.0).derivative(0.0))
    1.0
    """
    b = _check_beta(beta)

    def density(x):
        s = expit(b * np.asarray(x, dtype=np.float64))
        return b * s * (1.0 - s)

    return Surrogate("logistic", b, lambda x: expit(b * np.asarray(x, dtype=np.float64)), density)


@_beta_family
def fast_sigmoid(beta: float = 1.0) -> Surrogate:
    """SuperSpike's fast sigmoid, normalized to integrate to 1.

    ``F = ½(1 + βx/(1+β|x|))``, ``F′ = (β/2)/(1 + β|x|)²`` (the unnormalized
    ``1/(1+β|x|)²`` integrates to ``2/β``).

    %(beta_sections)s

    Examples
    --------
    >>> from stochad.rules.surrogates import fast_sigmoid
    >>> float(fast_sigmoid(2.0).derivative(0.0))
    1.0
    """
    b = _check_beta(beta)
    return Surrogate(
        "fast_sigmoid",
        b,
        lambda x: 0.5 * (1.0 + b * np.asarray(x) / (1.0 + b * np.abs(x))),
        lambda x: 0.5 * b / (1.0 + b * np.abs(x)) ** 2,
    )


@_beta_family
def cauchy(beta: float = 1.0) -> Surrogate:
    """Cauchy noise: ``F = ½ + arctan(πβx/2)/π``, ``F′ = (β/2)/(1 + (πβx/2)²)``.

    %(beta_sections)s

    Examples
    --------
    >>> from stochad.rules.surrogates import cauchy
    >>> float(cauchy(2.0).derivative(0.0))
    1.0
    """
    b = _check_beta(beta)
    c = 0.5 * math.pi * b
    return Surrogate(
        "cauchy",
        b,
        lambda x: 0.5 + np.arctan(c * np.asarray(x)) / math.pi,
        lambda x: 0.5 * b / (1.0 + (c * np.asarray(x)) ** 2),
    )


@_beta_family
def gaussian(beta: float = 1.0) -> Surrogate:
    """Gaussian noise with standard deviation ``1/(β√2)``.

    ``F = ½ erfc(−βx)``, ``F′ = (β/√π) exp(−β²x²)``.

    %(beta_sections)s

    Examples
    --------
    >>> from stochad.rules.surrogates import gaussian
    >>> round(float(gaussian(1.0).derivative(0.0)), 6)
    0.56419
    """
    b = _check_beta(beta)
    return Surrogate(
        "gaussian",
        b,
        lambda x: 0.5 * erfc(-b * np.asarray(x, dtype=np.float64)),
        lambda x: b / math.sqrt(math.pi) * np.exp(-((b * np.asarray(x)) ** 2)),
    )


@_beta_family
def laplace(beta: float = 1.0) -> Surrogate:
    """Laplace noise: ``F′ = (β/2) e^{−β|x|}``.

    ``F = ½e^{βx}`` for x < 0, ``1 − ½e^{−βx}`` for x ≥ 0.

    %(beta_sections)s

    Examples
    --------
    >>> from stochad.rules.surrogates import laplace
    >>> float(laplace(2.0).derivative(0.0))
    1.0
    """
    b = _check_beta(beta)

    def noise_cdf(x):
        half = 0.5 * np.exp(-b * np.abs(x))
        return np.where(np.asarray(x) < 0, half, 1.0 - half)

    return Surrogate("laplace", b, noise_cdf, lambda x: 0.5 * b * np.exp(-b * np.abs(x)))


@_beta_family
def triangular(beta: float = 1.0) -> Surrogate:
    """Triangular noise on ``[−1/β, 1/β]``: ``F′ = max(0, β − β²|x|)`` (piecewise linear).

    ``F = ½(1 + βx)²`` below 0, ``1 − ½(1 − βx)²`` above (``βx`` clipped to [−1, 1]).

    %(beta_sections)s

    Examples
    --------
    >>> from stochad.rules.surrogates import triangular
    >>> float(triangular(2.0).derivative(0.25))
    1.0
    """
    b = _check_beta(beta)

    def noise_cdf(x):
        t = np.clip(b * np.asarray(x, dtype=np.float64), -1.0, 1.0)
        return np.where(t < 0, 0.5 * (1.0 + t) ** 2, 1.0 - 0.5 * (1.0 - t) ** 2)

    return Surrogate("triangular", b, noise_cdf, lambda x: np.maximum(0.0, b - b * b * np.abs(x)))


@_beta_family
def uniform(beta: float = 1.0) -> Surrogate:
    """Uniform noise on ``[−1/(2β), 1/(2β)]``: ``F′ = β·1[|x| < 1/(2β)]`` (the boxcar).

    ``F = clip(½ + βx, 0, 1)``.

    %(beta_sections)s

    Examples
    --------
    >>> from stochad.rules.surrogates import uniform
    >>> float(uniform(2.0).derivative(0.2)), float(uniform(2.0).derivative(0.3))
    (2.0, 0.0)
    """
    b = _check_beta(beta)
    return Surrogate(
        "uniform",
        b,
        lambda x: np.clip(0.5 + b * np.asarray(x, dtype=np.float64), 0.0, 1.0),
        lambda x: b * (np.abs(x) < 0.5 / b),
    )


def exponential_escape(beta: float = 1.0, p0: float = 0.5) -> Surrogate:
    """Exponential escape rate ``F = min(1, p0·e^{βx})`` with ``β = 1/Δu``.

    ``F′ = p0 β e^{βx}`` below the clip point ``x = ln(1/p0)/β``, 0 above. The default
    ``p0 = ½`` puts ``F(0) = ½`` like every other pair here. Clipping makes ``F`` a CDF, so
    ``F′`` integrates to 1.

    Parameters
    ----------
    beta : float
        the scale ``1/Δu``, finite and > 0.
    p0 : float
        the escape probability at ``x = 0``, in (0, 1].

    Returns
    -------
    Surrogate

    Raises
    ------
    ValueError
        if ``beta`` is not finite and > 0, or ``p0`` is not in (0, 1].

    Examples
    --------
    >>> from stochad.rules.surrogates import exponential_escape
    >>> float(exponential_escape(2.0).derivative(0.0))
    1.0
    """
    b = _check_beta(beta)
    p0 = float(p0)
    if not 0.0 < p0 <= 1.0:
        raise ValueError(f"p0 must be in (0, 1], got p0={p0!r}")
    clip = math.log(1.0 / p0) / b

    def density(x):
        x = np.asarray(x, dtype=np.float64)
        return np.where(x < clip, p0 * b * np.exp(b * np.minimum(x, clip)), 0.0)

    return Surrogate(
        "exponential_escape",
        b,
        lambda x: np.minimum(1.0, p0 * np.exp(b * np.minimum(np.asarray(x, dtype=float), clip))),
        density,
        (("p0", p0),),
    )


SURROGATES: dict[str, Callable[..., Surrogate]] = {
    f.__name__: f
    for f in (
        logistic, fast_sigmoid, cauchy, gaussian, laplace, triangular, uniform,
        exponential_escape,
    )
}  # fmt: skip
"""The families by name: ``SURROGATES["logistic"](beta=2.0)``."""


def _as_surrogate(surrogate) -> Surrogate:
    if not isinstance(surrogate, Surrogate):
        raise TypeError(
            "surrogate must be a stochad.surrogates.Surrogate (e.g. surrogates.logistic(beta=5)),"
            f" got {type(surrogate).__name__}"
        )
    return surrogate


def _heaviside_value(x, surrogate):
    return np.where(np.asarray(x) > 0, 1.0, 0.0)[()]


# The surrogate travels as a (constant) positional argument: partials receive the
# arguments only, and this keeps one registry entry for every surrogate.
HEAVISIDE = register(
    Primitive(
        "heaviside",
        _heaviside_value,
        piecewise_constant=True,
        smoothed_partials=(lambda x, s, out: s.density(x), None),
    )
)
ESCAPE_NOISE = register(
    Primitive(
        "escape_noise",
        lambda x, s: s.noise_cdf(x)[()],
        partials=(lambda x, s, out: s.density(x), None),
    )
)


def heaviside(x, surrogate: Surrogate):
    """The step ``H(x) = 1 if x > 0 else 0`` with a surrogate derivative for smoothing.

    On floats and arrays it is the step. Forward triples (pruned/dict backends) carry the
    jumps of ``x`` across 0 exactly; the smoothed backend and :func:`stochad.grad` use
    ``surrogate.derivative(x)`` as ``dH/dx`` (surrogate-gradient training).

    Its almost-sure derivative is 0 (a continuous ``x`` crossing 0 has no jump here);
    only finite perturbations of ``x`` (from discrete draws) change the output, each
    mapping its alternate ``Y`` to ``H(Y)``.

    Parameters
    ----------
    x : float, ndarray, Triple, TripleArray or Tracer
        the distance to threshold, e.g. ``u - theta``.
    surrogate : Surrogate
        from :mod:`stochad.rules.surrogates`, e.g. ``surrogates.fast_sigmoid(beta=10)``.

    Returns
    -------
    numpy.float64, ndarray, Triple, TripleArray or Tracer
        0.0 or 1.0 elementwise, the kind and shape of ``x``.

    Raises
    ------
    TypeError
        if ``surrogate`` is not a :class:`Surrogate`.

    See Also
    --------
    Surrogate.cdf : the matching stochastic neuron's firing probability.
    stochad.where

    Examples
    --------
    >>> import numpy as np, stochad
    >>> from stochad import surrogates
    >>> s = surrogates.fast_sigmoid(beta=1.0)
    >>> stochad.heaviside(np.array([-1.0, 0.0, 2.0]), s).tolist()
    [0.0, 0.0, 1.0]
    >>> stochad.grad(lambda x: stochad.heaviside(x, s))(1.0)   # (β/2)/(1+β|x|)²
    0.125
    """
    return call(HEAVISIDE, x, _as_surrogate(surrogate))
