"""Escape noise and its surrogate derivative, matched pairs (docs/theory.md §6).

A stochastic neuron spikes with probability ``F(x)``, ``x = U − θ``: ``F`` is the CDF of the
noise on its threshold (the *escape noise*). Its smoothed stochastic derivative is
``F′(x)``, so the surrogate derivative that makes surrogate-gradient training equal to
smoothed stochastic AD is the noise density ``F′`` itself (it integrates to 1). Every pair
here is stated with its scale ``β`` (the density's height is ``O(β)``, its width
``O(1/β)``); ``β → ∞`` is the deterministic neuron.

Three registry primitives use them:

``heaviside(x, surrogate)``
    value ``H(x) = 1 if x > 0 else 0``; piecewise constant, so forward triples carry the
    jumps of ``x`` across 0 exactly, while the smoothed and reverse rules use the
    surrogate derivative ``F′(x)``;
``surrogate.cdf(x)``
    the escape-noise probability ``F(x)`` with derivative ``F′(x)``, for stochastic neurons
    ``bernoulli(surrogate.cdf(u − θ))``: their smoothed derivative is the same ``F′``;
``with_surrogate(x, forward, surrogate)``
    "this forward, that smoothed derivative": the value ``forward(x)`` (a steep sigmoid,
    a step, any function) whose smoothed and reverse-mode derivative is
    ``surrogate.derivative(x)``. Unbiased (pruned/dict) triples keep differentiating the
    forward function itself, so they stay unbiased for the program as written.

:func:`from_library` builds the surrogate derivative of snntorch, norse, spikingjelly, stork
and spytorch by its name there, as a family with ``β`` and an explicit ``scale``
(:data:`LIBRARY_SURROGATES` lists them).

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
from dataclasses import dataclass, field, replace

import numpy as np

from stochad._docstrings import fill_doc
from stochad.core.primitives import Primitive, call, register
from stochad.rules.elementwise import expit

__all__ = [
    "Surrogate", "SURROGATES", "HEAVISIDE", "ESCAPE_NOISE", "WITH_SURROGATE", "heaviside",
    "with_surrogate", "LibrarySurrogate", "LIBRARY_SURROGATES", "from_library",
    "logistic", "fast_sigmoid", "cauchy", "gaussian", "laplace", "triangular", "uniform",
    "exponential_escape",
]  # fmt: skip



def _erfc(x):
    """``scipy.special.erfc``, imported where a Gaussian escape noise is first evaluated
    (scipy.special is a third of ``import stochad``)."""
    from scipy.special import erfc

    return erfc(x)

@dataclass(frozen=True)
class Surrogate:
    """One escape-noise CDF ``F`` and its derivative ``F′`` (the surrogate derivative).

    Build one with a family function (:func:`logistic`, :func:`fast_sigmoid`, ...) or
    :data:`SURROGATES`; pass it to :func:`heaviside`, or use :meth:`cdf` as a stochastic
    neuron's firing probability.

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
    scale : float
        the surrogate derivative is ``scale · F′`` (1 for a matched pair). Other libraries'
        surrogates are often such rescaled densities (snntorch's ``fast_sigmoid(slope=k)``
        is ``fast_sigmoid(beta=k).scaled(2/k)``, see :func:`from_library`); the
        escape-noise probability :meth:`cdf` is ``F`` whatever the scale.

    Examples
    --------
    >>> from stochad import surrogates
    >>> s = surrogates.SURROGATES["cauchy"](beta=2.0)
    >>> s, s.name, s.beta
    (surrogates.cauchy(beta=2.0), 'cauchy', 2.0)
    >>> s == surrogates.cauchy(beta=2.0)        # equal by family, β, params and scale
    True
    """

    name: str
    beta: float
    # a family, β, params and scale define the pair: equal surrogates compare equal
    noise_cdf: Callable[[np.ndarray], np.ndarray] = field(compare=False)
    density: Callable[[np.ndarray], np.ndarray] = field(compare=False)
    params: tuple[tuple[str, float], ...] = ()
    scale: float = 1.0

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
            ``scale · F′(x)``, >= 0, of the shape of ``x``.
        """
        d = self.density(x)
        return d if self.scale == 1.0 else self.scale * d

    def scaled(self, factor: float) -> Surrogate:
        """The same family with its surrogate derivative multiplied by ``factor``.

        Parameters
        ----------
        factor : float
            finite and > 0.

        Returns
        -------
        Surrogate
            ``derivative`` is ``factor · self.derivative``; ``cdf`` is unchanged, so as an
            escape noise it is a *mismatched* pair unless ``factor · scale == 1``.

        Raises
        ------
        ValueError
            if ``factor`` is not finite and > 0.

        Examples
        --------
        >>> from stochad import surrogates
        >>> s = surrogates.fast_sigmoid(beta=25.0).scaled(2 / 25)   # snntorch fast_sigmoid
        >>> s
        surrogates.fast_sigmoid(beta=25.0).scaled(0.08)
        >>> float(s.derivative(0.0))                            # 1/(25|x| + 1)² at 0
        1.0
        """
        factor = _check_positive("factor", factor)
        return replace(self, scale=self.scale * factor)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.params)
        scale = "" if self.scale == 1.0 else f".scaled({self.scale!r})"
        return f"surrogates.{self.name}(beta={self.beta!r}{extra}){scale}"


def _check_positive(name: str, value) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got bool")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}") from None
    if not (value > 0.0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number > 0, got {name}={value!r}")
    return value


def _check_beta(beta) -> float:
    return _check_positive("beta", beta)


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
        if ``beta`` is not finite and > 0.
    TypeError
        if ``beta`` is not a real number.
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
        lambda x: 0.5 * _erfc(-b * np.asarray(x, dtype=np.float64)),
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
        smoothed_partials=(lambda x, s, out: s.derivative(x), None),
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


@dataclass(frozen=True)
class _Forward:
    """The forward function of :func:`with_surrogate` and its true derivative (or None)."""

    value: Callable
    derivative: Callable | None

    def __repr__(self) -> str:
        return f"forward({getattr(self.value, '__name__', self.value)!r})"


def _zero_like(x):
    return np.zeros(np.shape(x)) if np.ndim(x) else 0.0


# Almost-sure partial: the forward function's own derivative (0 for a step: then finite
# perturbations of x carry the jumps exactly). Smoothed/reverse partial: the surrogate.
WITH_SURROGATE = register(
    Primitive(
        "with_surrogate",
        lambda x, f, s: np.asarray(f.value(x), dtype=np.float64)[()],
        partials=(
            lambda x, f, s, out: _zero_like(x) if f.derivative is None else f.derivative(x),
            None,
            None,
        ),
        smoothed_partials=(lambda x, f, s, out: s.derivative(x), None, None),
    )
)


def _forward_of(forward, forward_derivative) -> _Forward:
    if isinstance(forward, Surrogate):
        if forward_derivative is not None:
            raise TypeError("forward_derivative is only for a callable forward, not a Surrogate")
        return _Forward(forward.noise_cdf, forward.density)
    if not callable(forward):
        raise TypeError(
            "forward must be a Surrogate (its cdf is used) or a callable on numpy arrays, "
            f"got {type(forward).__name__}"
        )
    if forward_derivative is not None and not callable(forward_derivative):
        raise TypeError(
            f"forward_derivative must be callable or None, got {type(forward_derivative).__name__}"
        )
    return _Forward(forward, forward_derivative)


def with_surrogate(x, forward, surrogate: Surrogate, *, forward_derivative=None):
    """``forward(x)`` forward, ``surrogate.derivative(x)`` as its smoothed derivative.

    The primitive behind surrogate-gradient networks such as Gygax & Zenke's Fig. 4-5:
    a steep sigmoid ``σ_βf`` forward with ``σ′_βSG`` backward is
    ``with_surrogate(x, surrogates.logistic(βf), surrogates.logistic(βSG))``.

    What each mode computes:

    * :func:`stochad.grad` and ``derivative_estimate(..., backend="smoothed")`` use
      ``surrogate.derivative(x)`` as ``d forward / dx`` (a surrogate gradient, biased
      unless it is the forward function's own derivative);
    * the unbiased backends (``"pruned"``, ``"dict"``) ignore the surrogate: ``δ`` uses the
      forward function's true derivative (a Surrogate's density, ``forward_derivative``,
      or 0 for a callable without one, i.e. a piecewise-constant function), and finite
      perturbations of ``x`` map each alternate ``Y`` to ``forward(Y)``. Their estimates
      are therefore unbiased for the program as written, whatever the surrogate.

    Parameters
    ----------
    x : float, ndarray, Triple, TripleArray or Tracer
        the argument, e.g. ``u - theta``.
    forward : Surrogate or callable
        a Surrogate stands for its CDF ``F`` (true derivative ``F′``); a callable maps
        floats/arrays to floats/arrays.
    surrogate : Surrogate
        whose :meth:`Surrogate.derivative` is the smoothed derivative.
    forward_derivative : callable, optional
        the true derivative of a callable ``forward``; None means 0 almost everywhere.

    Returns
    -------
    numpy.float64, ndarray, Triple, TripleArray or Tracer
        ``forward(x)``, the kind and shape of ``x``.

    Raises
    ------
    TypeError
        if ``surrogate`` is not a Surrogate, ``forward`` is neither a Surrogate nor
        callable, or ``forward_derivative`` is given for a Surrogate ``forward``.

    Examples
    --------
    >>> import stochad
    >>> from stochad import surrogates
    >>> steep, soft = surrogates.logistic(100.0), surrogates.logistic(4.0)
    >>> round(float(surrogates.with_surrogate(0.05, steep, soft)), 4)   # σ(100 · 0.05)
    0.9933
    >>> stochad.grad(lambda x: surrogates.with_surrogate(x, steep, soft))(0.0)   # σ′₄(0)
    1.0
    >>> t = stochad.stochastic_triple(lambda x: surrogates.with_surrogate(x, steep, soft), 0.0)
    >>> float(stochad.delta(t))                    # unbiased backends: σ′₁₀₀(0) = 100/4
    25.0
    """
    return call(
        WITH_SURROGATE, x, _forward_of(forward, forward_derivative), _as_surrogate(surrogate)
    )


@dataclass(frozen=True)
class LibrarySurrogate:
    """One surrogate derivative of another SNN library, in stochad's terms.

    Attributes
    ----------
    library, name : str
        e.g. ``"snntorch"``, ``"fast_sigmoid"``.
    parameter : str
        the library's name of its slope/scale parameter.
    default : float or None
        its default (None where the library has none).
    formula : str
        the library's ``g′(x)``, ``x = U − θ``.
    build : callable
        ``build(value) -> Surrogate`` equal to the library's ``g′`` (family, β, scale).
    scale : str
        the factor between the library's ``g′`` and the matched density ``F′``.
    note : str
        anything a user porting a model should know.
    """

    library: str
    name: str
    parameter: str
    default: float | None
    formula: str
    family: str
    beta: str
    scale: str
    build: Callable[[float], Surrogate]
    note: str = ""


def _lib(library, name, parameter, default, formula, family, beta, scale, build, note=""):
    return LibrarySurrogate(library, name, parameter, default, formula, family, beta, scale,
                            build, note)  # fmt: skip


LIBRARY_SURROGATES: dict[tuple[str, str], LibrarySurrogate] = {
    (e.library, e.name): e
    for e in [
        _lib("snntorch", "fast_sigmoid", "slope", 25.0, "1/(k|x|+1)²", "fast_sigmoid", "k",
             "2/k", lambda k: fast_sigmoid(k).scaled(2.0 / k)),
        _lib("snntorch", "sigmoid", "slope", 25.0, "k σ(kx)(1−σ(kx))", "logistic", "k", "1",
             logistic),
        _lib("snntorch", "atan", "alpha", 2.0, "(α/2)/(1+(παx/2)²)", "cauchy", "α", "1", cauchy,
             "the default of every snntorch neuron"),
        _lib("spytorch", "SurrGradSpike", "scale", 100.0, "1/(s|x|+1)²", "fast_sigmoid", "s",
             "2/s", lambda k: fast_sigmoid(k).scaled(2.0 / k)),
        _lib("norse", "super", "alpha", 100.0, "1/(α|x|+1)²", "fast_sigmoid", "α", "2/α",
             lambda a: fast_sigmoid(a).scaled(2.0 / a), "norse's default method"),
        _lib("norse", "triangle", "alpha", 0.3, "α·max(0, 1−|x|)", "triangular", "1", "α",
             lambda a: triangular(1.0).scaled(a), "LIFParameters uses alpha=100"),
        _lib("norse", "tanh", "k", None, "1 − tanh²(kx)", "logistic", "2k", "2/k",
             lambda k: logistic(2.0 * k).scaled(2.0 / k)),
        _lib("norse", "heavi_erfc", "k", None, "(2/√π) e^{−k²x²}", "gaussian", "k", "2/k",
             lambda k: gaussian(k).scaled(2.0 / k)),
        _lib("spikingjelly", "Sigmoid", "alpha", 4.0, "α σ(αx)(1−σ(αx))", "logistic", "α", "1",
             logistic, "the default of every spikingjelly neuron"),
        _lib("spikingjelly", "ATan", "alpha", 2.0, "(α/2)/(1+(παx/2)²)", "cauchy", "α", "1",
             cauchy),
        _lib("spikingjelly", "Erf", "alpha", 2.0, "(α/√π) e^{−α²x²}", "gaussian", "α", "1",
             gaussian),
        _lib("spikingjelly", "PiecewiseQuadratic", "alpha", 1.0, "max(0, α − α²|x|)",
             "triangular", "α", "1", triangular),
        _lib("spikingjelly", "PiecewiseExp", "alpha", 1.0, "(α/2) e^{−α|x|}", "laplace", "α",
             "1", laplace),
        _lib("spikingjelly", "SoftSign", "alpha", 2.0, "α/(2(1+α|x|)²)", "fast_sigmoid", "α",
             "1", fast_sigmoid),
        _lib("spikingjelly", "SuperSpike", "alpha", 1.0, "α/(1+|x|)²", "fast_sigmoid", "1",
             "2α", lambda a: fast_sigmoid(1.0).scaled(2.0 * a), "α is an amplitude"),
        _lib("spikingjelly", "Rect", "alpha", 1.0, "α·1[|x| < 1/(2α)]", "uniform", "α", "1",
             uniform),
        _lib("stork", "SuperSpike", "beta", 20.0, "1/(β|x|+1)²", "fast_sigmoid", "β", "2/β",
             lambda b: fast_sigmoid(b).scaled(2.0 / b), "stork's default activation"),
        _lib("stork", "sigmoid", "beta", 10.0, "β σ(βx)(1−σ(βx))", "logistic", "β", "1",
             logistic, "CustomSpike, SG_theory branch"),
        _lib("stork", "scaled_sigmoid", "beta", 10.0, "σ(βx)(1−σ(βx))", "logistic", "β", "1/β",
             lambda b: logistic(b).scaled(1.0 / b), "CustomSpike, SG_theory branch"),
        _lib("stork", "EsserSpike", "beta", 1.0, "max(0, 1−|βx|)", "triangular", "β", "1/β",
             lambda b: triangular(b).scaled(1.0 / b)),
        _lib("stork", "SuperSpike_asymptote", "beta", 100.0, "β/(β|x|+1)²", "fast_sigmoid", "β",
             "2", lambda b: fast_sigmoid(b).scaled(2.0)),
        _lib("stork", "exponential", "delta_u", 0.133, "(p0/Δu) e^{x/Δu}, p0 = 0.01",
             "exponential_escape", "1/Δu", "1",
             lambda du: exponential_escape(1.0 / du, p0=0.01),
             "stork does not clip: equal below x = Δu·ln(1/p0), 0 above it here"),
    ]
}  # fmt: skip
"""Other libraries' surrogate derivatives by ``(library, name)``; see :func:`from_library`."""


def from_library(library: str, name: str, value: float | None = None) -> Surrogate:
    """The surrogate derivative another SNN library calls ``name``, as a stochad Surrogate.

    The result's :meth:`Surrogate.derivative` equals the library's formula (including its
    scale factor, stated in :data:`LIBRARY_SURROGATES` and docs/snn.md), so a ported model
    gets the same gradient. Its :meth:`Surrogate.cdf` is the matching family's ``F``: as
    escape noise such a scaled surrogate is a mismatched pair unless the scale is 1.

    Parameters
    ----------
    library : str
        ``"snntorch"``, ``"norse"``, ``"spikingjelly"``, ``"stork"`` or ``"spytorch"``.
    name : str
        the library's name of the surrogate (e.g. ``"fast_sigmoid"``, ``"atan"``).
    value : float, optional
        its slope/scale parameter; the library's default when omitted.

    Returns
    -------
    Surrogate

    Raises
    ------
    ValueError
        for an unknown ``(library, name)`` (the message lists the known ones), a missing
        ``value`` where the library has no default, or a ``value`` that is not > 0.

    Examples
    --------
    >>> from stochad import surrogates
    >>> surrogates.from_library("snntorch", "fast_sigmoid")          # slope 25
    surrogates.fast_sigmoid(beta=25.0).scaled(0.08)
    >>> surrogates.from_library("snntorch", "atan", 2.0)             # exactly Cauchy(β=α)
    surrogates.cauchy(beta=2.0)
    """
    entry = LIBRARY_SURROGATES.get((library, name))
    if entry is None:
        known = ", ".join(f"{lib}/{n}" for lib, n in LIBRARY_SURROGATES)
        raise ValueError(f"unknown surrogate library={library!r}, name={name!r}; known: {known}")
    if value is None:
        if entry.default is None:
            raise ValueError(f"{library}/{name} has no default {entry.parameter}: pass value=")
        value = entry.default
    return entry.build(_check_positive(entry.parameter, value))
