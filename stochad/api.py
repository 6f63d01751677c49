"""Forward-mode entry points: triples, single-sample estimates and Monte Carlo means."""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from stochad.backends.base import get_backend
from stochad.core.context import Evaluation, evaluation
from stochad.core.random import RandomStreams, as_generator
from stochad.core.triple import Perturbation, Triple
from stochad.errors import check_callable

__all__ = [
    "value", "delta", "perturbations", "derivative_contribution", "smoothed_delta",
    "stochastic_triple", "derivative_estimate", "expected_derivative", "DerivativeEstimate",
]  # fmt: skip


def _is_carrier(x) -> bool:
    return hasattr(type(x), "__stochad_priority__")


def value(t):
    """The primal value of a triple; floats and arrays pass through.

    Examples
    --------
    >>> import stochad
    >>> stochad.value(2.5)
    2.5
    """
    return t.value if _is_carrier(t) else t


def delta(t):
    """The almost-sure derivative ``δ`` of a triple (0 for a float).

    Examples
    --------
    >>> import stochad
    >>> float(stochad.delta(stochad.stochastic_triple(lambda p: p * p, 3.0)))
    6.0
    """
    return t.delta if _is_carrier(t) else 0.0


def perturbations(t) -> list[Perturbation]:
    """The live finite perturbations of a triple (empty for a float).

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(stochad.bernoulli, 0.5, rng=2)
    >>> [(p.alternate, p.weight) for p in stochad.perturbations(t)] in ([(1, 2.0)], [])
    True
    """
    return t.perturbations if _is_carrier(t) else []


def derivative_contribution(t):
    """The single-sample derivative estimate ``δ + Σ w·(Y − X)`` of a triple.

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(stochad.bernoulli, 0.5, rng=2)
    >>> float(stochad.derivative_contribution(t)) in (0.0, 2.0)
    True
    """
    return t.derivative_contribution() if _is_carrier(t) else 0.0


def smoothed_delta(t):
    """The smoothed scalar derivative of a triple from the smoothed backend.

    For the ``"pruned"``/``"dict"`` backends a triple's derivative is not a scalar; use
    :func:`derivative_contribution` there.

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(stochad.bernoulli, 0.3, backend="smoothed", rng=0)
    >>> float(stochad.smoothed_delta(t))
    1.0
    """
    if not _is_carrier(t):
        return 0.0
    backend = t.evaluation.backend
    if backend.carries_perturbations:
        raise ValueError(
            f"smoothed_delta needs a triple from backend='smoothed', this one is from "
            f"backend={backend.name!r}; use derivative_contribution(t) for it"
        )
    return t.delta


def _check_point(name: str, p):
    if isinstance(p, np.ndarray):
        if not np.issubdtype(p.dtype, np.number) or np.iscomplexobj(p):
            raise TypeError(f"{name} must be a real float or ndarray, got dtype {p.dtype}")
        if not np.all(np.isfinite(p)):
            raise ValueError(f"{name} must be finite, got {name} with nan or inf entries")
        return p.astype(np.float64)
    if isinstance(p, bool) or not isinstance(p, Real):
        raise TypeError(f"{name} must be a real float or ndarray, got {type(p).__name__}")
    if not math.isfinite(p):
        raise ValueError(f"{name} must be finite, got {name}={p!r}")
    return float(p)


def seed_input(p, tangent, ev: Evaluation):
    """The argument ``f`` receives: ``p`` carrying the derivative direction ``tangent``."""
    if isinstance(p, np.ndarray) and ev.backend.supports_arrays:
        from stochad.arrays import TripleArray

        return TripleArray(p, np.broadcast_to(tangent, p.shape), None, None, ev)
    if isinstance(p, np.ndarray):  # the "dict" backend stays scalar: an array of triples
        out = np.empty(p.shape, dtype=object)
        for index in np.ndindex(p.shape):
            out[index] = Triple(p[index], tangent[index], {}, ev)
        return out
    return Triple(p, tangent, {}, ev)


def _run(f, p, tangent, backend, streams: RandomStreams):
    ev = Evaluation(streams, backend)
    with evaluation(ev):
        out = f(seed_input(p, tangent, ev))
    return _contribution(out)


def _contribution(out):
    if isinstance(out, (list, tuple)):
        raise TypeError("f must return a number or a triple, got a " + type(out).__name__)
    c = derivative_contribution(out)
    return c if isinstance(c, np.ndarray) and c.ndim else float(c)


def stochastic_triple(f, p: float, *, backend="pruned", rng=None):
    """The triple ``f`` returns when fed ``p + ε``.

    Parameters
    ----------
    f : callable
        a program of one float argument; it may call stochad's samplers.
    p : float
        the point.
    backend : {"pruned", "dict", "smoothed"} or Backend
    rng : None, int or numpy.random.Generator

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(lambda p: stochad.bernoulli(p) * 3.0, 0.5, rng=2)
    >>> t.value in (0.0, 3.0)
    True
    """
    check_callable("f", f)
    p = _check_point("p", p)
    if isinstance(p, np.ndarray):
        raise TypeError("stochastic_triple takes a float p; use derivative_estimate for arrays")
    ev = Evaluation(RandomStreams.from_rng(rng), get_backend(backend))
    with evaluation(ev):
        return f(Triple(p, 1.0, {}, ev))


def derivative_estimate(f, p, *, backend="pruned", rng=None, direction=None):
    """One sample of ``d/dp E[f(p)]``: unbiased for ``"pruned"``/``"dict"``, smoothed else.

    Parameters
    ----------
    f : callable
        the program.
    p : float or ndarray
        the point. For an ndarray the result is the gradient (one forward pass per
        coordinate, every pass on the same random draws), unless ``direction`` is given.
    backend : {"pruned", "dict", "smoothed"} or Backend
    rng : None, int or numpy.random.Generator
        every sampler inside ``f`` draws from it.
    direction : float or ndarray, optional
        differentiate along ``direction`` (one pass).

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> import stochad
    >>> def walk(p):
    ...     x = 0
    ...     for _ in range(5):
    ...         x = x + 2 * stochad.bernoulli(p) - 1
    ...     return x
    >>> est = stochad.derivative_estimate(walk, 0.5, rng=0)   # E = 5(2p - 1): d/dp = 10
    >>> isinstance(est, float)
    True
    """
    check_callable("f", f)
    p = _check_point("p", p)
    backend = get_backend(backend)
    streams = RandomStreams.from_rng(rng)
    if direction is not None:
        direction = _check_point("direction", direction)
        if np.shape(direction) != np.shape(p):
            raise ValueError(
                f"direction must have the shape of p {np.shape(p)}, got {np.shape(direction)}"
            )
        return _run(f, p, direction, backend, streams)
    if not isinstance(p, np.ndarray):
        return _run(f, p, 1.0, backend, streams)
    primal_state = streams.primal.bit_generator.state
    aux_state = streams.aux.bit_generator.state
    gradient = np.empty(p.shape)
    for index in np.ndindex(p.shape):
        streams.primal.bit_generator.state = primal_state
        streams.aux.bit_generator.state = aux_state
        tangent = np.zeros(p.shape)
        tangent[index] = 1.0
        c = _run(f, p, tangent, backend, streams)
        if np.ndim(c) != 0:
            raise ValueError(
                f"f must return a scalar when p is an array (got shape {np.shape(c)}); "
                "pass direction= for a directional derivative"
            )
        gradient[index] = c
    return gradient


def _plain(x):
    """A Python float for a 0-d result, the array otherwise."""
    return float(x) if np.ndim(x) == 0 else x


@dataclass(frozen=True)
class DerivativeEstimate:
    """Independent derivative samples with their mean and standard error.

    The result of :func:`expected_derivative`: ``.samples`` (one row per estimate),
    ``.n``, ``.mean``, ``.std`` and ``.stderr`` (``std / sqrt(n)``); it prints as
    ``mean ± stderr (n=...)`` rounded to the standard error's first digit.

    Examples
    --------
    >>> import stochad
    >>> r = stochad.expected_derivative(lambda p: 3 * stochad.bernoulli(p), 0.4, 1000, rng=0)
    >>> print(r)
    3.13 ± 0.08 (n=1000)
    >>> r.n, r.samples.shape, abs(r.mean - 3.0) < 5 * r.stderr
    (1000, (1000,), True)
    """

    samples: np.ndarray

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def mean(self):
        return _plain(self.samples.mean(axis=0))

    @property
    def std(self):
        if self.n < 2:
            return _plain(np.zeros(self.samples.shape[1:]))
        return _plain(self.samples.std(axis=0, ddof=1))

    @property
    def stderr(self):
        return self.std / math.sqrt(self.n)

    def __str__(self) -> str:
        if np.ndim(self.mean) != 0:
            return f"mean={self.mean!r}, stderr={self.stderr!r} (n={self.n})"
        mean, se = float(self.mean), float(self.stderr)
        # a standard error at rounding level says "exact": print the mean, not the noise
        if se > 1e-12 * abs(mean) and math.isfinite(se):
            digits = max(0, -math.floor(math.log10(se)))
            return f"{mean:.{digits}f} ± {se:.{digits}f} (n={self.n})"
        return f"{mean:.6g} ± {se:.2g} (n={self.n})"

    __repr__ = __str__


def expected_derivative(f, p, n: int, *, backend="pruned", rng=None) -> DerivativeEstimate:
    """Estimate ``d/dp E[f(p)]`` from ``n`` independent samples.

    Examples
    --------
    >>> import stochad
    >>> r = stochad.expected_derivative(lambda p: 2 * stochad.bernoulli(p), 0.3, 4000, rng=0)
    >>> print(r)                        # exact: 2
    2.00 ± 0.02 (n=4000)
    >>> abs(r.mean - 2.0) < 5 * r.stderr
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got n={n!r}")
    generator = as_generator(rng)
    samples = [derivative_estimate(f, p, backend=backend, rng=generator) for _ in range(n)]
    return DerivativeEstimate(np.asarray(samples, dtype=np.float64))
