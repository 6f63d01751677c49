"""Forward-mode entry points: triples, single-sample estimates and Monte Carlo means."""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from numbers import Real

import numpy as np

from stochad._docstrings import fill_doc
from stochad.arrays import TripleArray
from stochad.backends import get_backend
from stochad.core.context import Evaluation, evaluation
from stochad.core.primitives import is_carrier
from stochad.core.random import RandomStreams
from stochad.errors import COMPARISON_LOST, PerturbationLostWarning, check_callable, is_real
from stochad.forward.triple import Perturbation, Triple
from stochad.montecarlo import map_blocks
from stochad.rules.structural import stack

__all__ = [
    "value", "delta", "perturbations", "derivative_contribution", "smoothed_delta",
    "stochastic_triple", "derivative_estimate", "expected_derivative", "DerivativeEstimate",
    "VectorizeError",
]  # fmt: skip


# what the forward-mode readers below raise on a Tracer (see stochad.reverse.tracer)
_forward_reader = fill_doc(
    raises_tracer="""
    TypeError
        for a reverse-mode Tracer (inside :func:`stochad.grad`): it has no tangent or
        perturbations to read; the gradient is what ``grad`` returns.
    """
)


def value(t):
    """The primal value of a triple or triple array; other inputs pass through unchanged.

    Use it to read a triple's sampled value on purpose (``float(t)`` refuses when that
    would drop a derivative, see :class:`PerturbationLostError`).

    Parameters
    ----------
    t : float, ndarray, Triple, TripleArray or Tracer

    Returns
    -------
    float, int or ndarray
        ``t.value`` for a carrier (Triple, TripleArray, Tracer), else ``t`` itself.

    See Also
    --------
    delta, perturbations

    Examples
    --------
    >>> import stochad
    >>> stochad.value(2.5)
    2.5
    >>> stochad.value(stochad.stochastic_triple(stochad.bernoulli, 0.3, rng=0))
    0
    """
    return t.value if is_carrier(t) else t


@_forward_reader
def delta(t):
    """The almost-sure derivative ``δ`` of a triple (0 for a non-carrier).

    For the smoothed backend ``δ`` is the smoothed derivative (see :func:`smoothed_delta`).

    Parameters
    ----------
    t : float, ndarray, Triple or TripleArray

    Returns
    -------
    float or ndarray
        ``t.delta`` (an array of the shape of a triple array), ``0.0`` for a float or
        ndarray.

    Raises
    ------
    %(raises_tracer)s

    See Also
    --------
    value, derivative_contribution

    Examples
    --------
    >>> import stochad
    >>> float(stochad.delta(stochad.stochastic_triple(lambda p: p * p, 3.0)))
    6.0
    """
    return t.delta if is_carrier(t) else 0.0


@_forward_reader
def perturbations(t) -> list[Perturbation]:
    """The live finite perturbations of a triple (empty for a non-carrier).

    Each :class:`Perturbation` says: under ``p + ε`` the value jumps to ``alternate`` with
    probability ``weight·ε``. Perturbations pruned away (dead events) are not listed.

    Parameters
    ----------
    t : float, ndarray, Triple or TripleArray

    Returns
    -------
    list of Perturbation, or ndarray of object
        for a triple array, an object array of the same shape holding one list (of 0 or 1
        perturbations) per element.

    Raises
    ------
    %(raises_tracer)s

    See Also
    --------
    Perturbation, derivative_contribution

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(stochad.bernoulli, 0.5, rng=2)
    >>> [(p.alternate, p.weight) for p in stochad.perturbations(t)] in ([(1, 2.0)], [])
    True
    """
    return t.perturbations if is_carrier(t) else []


@_forward_reader
def derivative_contribution(t):
    """The single-sample derivative estimate ``δ + Σ w·(Y − X)`` of a triple.

    ``X`` is the value, and each live perturbation contributes its weight ``w`` times the
    change to its alternate ``Y``. Its expectation over the program's randomness is
    ``d/dp E[f(p)]`` (pruned and dict backends); for the smoothed backend it is ``δ``.

    Parameters
    ----------
    t : float, ndarray, Triple or TripleArray

    Returns
    -------
    float or ndarray
        elementwise for a triple array; ``0.0`` for a float or ndarray.

    Raises
    ------
    %(raises_tracer)s

    See Also
    --------
    derivative_estimate : run a program and return this number.

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(stochad.bernoulli, 0.5, rng=2)
    >>> float(stochad.derivative_contribution(t)) in (0.0, 2.0)
    True
    """
    return t.derivative_contribution() if is_carrier(t) else 0.0


@_forward_reader
def smoothed_delta(t):
    """The smoothed scalar derivative of a triple from the smoothed backend.

    With ``backend="smoothed"`` each discrete draw's jumps are replaced by their
    conditional expectation, so the derivative is one scalar per value (biased once draws
    feed nonlinearly into later draws). For the ``"pruned"``/``"dict"`` backends a
    triple's derivative is not a scalar; use :func:`derivative_contribution` there.

    Parameters
    ----------
    t : float, ndarray, Triple or TripleArray
        a carrier from the smoothed backend, or a non-carrier (gives 0).

    Returns
    -------
    float or ndarray
        ``t.delta``; ``0.0`` for a float or ndarray.

    Raises
    ------
    ValueError
        for a triple from a backend that carries perturbations (pruned, dict).
    %(raises_tracer)s

    See Also
    --------
    SmoothedBackend, stochad.grad

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(stochad.bernoulli, 0.3, backend="smoothed", rng=0)
    >>> float(stochad.smoothed_delta(t))
    1.0
    """
    if not is_carrier(t):
        return 0.0
    backend = t.evaluation.backend
    if backend.carries_perturbations:
        raise ValueError(
            f"smoothed_delta needs a triple from backend='smoothed', this one is from "
            f"backend={backend.name!r}; use derivative_contribution(t) for it"
        )
    return t.delta


def _check_point(name: str, p):
    if is_carrier(p):
        # a nested derivative: the point carries an enclosing derivative's tangent
        if np.ndim(p.value) != 0:
            raise NotImplementedError(
                f"nested derivatives: {name} is an array carrier of an enclosing "
                "derivative; nest scalar points only"
            )
        return p
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
        return _contribution(out, ev)


def _contribution(out, ev: Evaluation):
    """The derivative sample of ``f``'s output in evaluation ``ev``.

    Only ``ev``'s own carriers carry its derivative; a carrier of an enclosing
    evaluation (``f`` returned something that does not depend on its argument) has
    derivative 0 here. A contribution that is itself an enclosing derivative's carrier (a
    nested derivative) is returned as it is, for the enclosing evaluation to carry on.
    """
    _check_output(out)
    if getattr(out, "lost", False):
        warnings.warn(
            f"f returned the result of {COMPARISON_LOST}", PerturbationLostWarning, stacklevel=3
        )
    c = out.derivative_contribution() if is_carrier(out) and out.evaluation is ev else 0.0
    if is_carrier(c):
        return c
    return c if isinstance(c, np.ndarray) and c.ndim else float(c)


def _check_output(out) -> None:
    """Refuse outputs whose derivative would silently read as 0 (or not be a number)."""
    if is_carrier(out):
        return
    if isinstance(out, np.ndarray) and out.dtype == object:
        raise TypeError(
            "f returned an object array (of triples?): numpy cannot hold their derivatives; "
            "build arrays with stochad.stack / stochad.concatenate, or return a reduction "
            "such as stochad.sum"
        )
    if not is_real(out):
        raise TypeError(
            f"f must return a real number, ndarray, triple or triple array, got "
            f"{type(out).__name__}"
        )


def stochastic_triple(f, p: float, *, backend="pruned", rng=None):
    """The triple ``f`` returns when fed ``p + ε``: its value, ``δ`` and perturbations.

    Runs ``f`` once on a triple with value ``p`` and derivative 1. Use it to inspect the
    stochastic derivative of one run; :func:`derivative_estimate` returns the number.

    Parameters
    ----------
    f : callable
        a program of one float argument; it may call stochad's samplers.
    p : float
        the point, finite.
    backend : {"pruned", "dict", "exact", "smoothed"} or Backend
        how perturbations of different draws combine (``"exact"`` is ``"dict"``).
    rng : None, int or numpy.random.Generator
        every sampler inside ``f`` draws from it; ``None`` uses the module generator
        (see :func:`seed`), an int >= 0 seeds a new one.

    Returns
    -------
    object
        whatever ``f`` returns: usually a Triple (or a TripleArray for array draws).

    Raises
    ------
    TypeError
        if ``f`` is not callable, ``p`` is not a real number (or is an ndarray), or
        ``rng`` is of another type.
    ValueError
        if ``p`` is not finite, ``backend`` is unknown or the ``rng`` seed is negative.

    See Also
    --------
    derivative_estimate, perturbations

    Examples
    --------
    >>> import stochad
    >>> stochad.stochastic_triple(lambda p: stochad.bernoulli(p) * 3.0, 0.3, rng=0)
    Triple(0.0 + 0.0ε [3.0 with weight 1.42857ε])
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

    Runs ``f`` on a stochastic triple seeded at ``p`` and returns the output's
    :func:`derivative_contribution`. Average many samples (:func:`expected_derivative`)
    for the derivative of the expectation.

    Parameters
    ----------
    f : callable
        the program; returns a number, triple or (with a scalar ``p`` or ``direction``)
        a triple array.
    p : float or ndarray
        the point, finite. For an ndarray the result is the gradient (one forward pass per
        coordinate, every pass on the same random draws), unless ``direction`` is given.
    backend : {"pruned", "dict", "exact", "smoothed"} or Backend
        ``"dict"`` is scalar-only: with an ndarray ``p`` it runs ``f`` on an object array
        of triples.
    rng : None, int or numpy.random.Generator
        every sampler inside ``f`` draws from it.
    direction : float or ndarray, optional
        differentiate along ``direction`` (one pass); same shape as ``p``.

    Returns
    -------
    float or ndarray
        a float for a scalar output; for an ndarray ``p`` without ``direction``, the
        gradient of ``p``'s shape; an array where ``f`` returns a triple array.

    Raises
    ------
    TypeError
        if ``f`` is not callable, ``p``/``direction`` is not a real float or ndarray, ``f``
        returns a list or tuple, or ``rng`` has another type.
    ValueError
        if ``p`` or ``direction`` is not finite, ``direction``'s shape differs from ``p``'s,
        ``f`` returns a non-scalar for an ndarray ``p`` without ``direction``, or
        ``backend`` is unknown.
    PerturbationLostError
        if ``f`` converts a triple (``if``, ``bool``, ``int``, ``float``, indexing) where
        that would drop a perturbation.

    See Also
    --------
    expected_derivative, stochastic_triple, stochad.grad

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
    >>> import numpy as np
    >>> stochad.derivative_estimate(lambda p: stochad.sum(p * p), np.array([1.0, 2.0])).tolist()
    [2.0, 4.0]
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
    gradient = np.empty(p.shape, dtype=object)
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
    if any(is_carrier(c) for c in gradient.flat):  # nested: the enclosing derivative's carriers
        return stack(list(gradient.flat)).reshape(p.shape)
    return gradient.astype(np.float64)


def _plain(x):
    """A Python float for a 0-d result, the array otherwise."""
    return float(x) if np.ndim(x) == 0 else x


def _format(mean: float, se: float) -> str:
    """``mean ± se`` rounded to the standard error's first digit."""
    # a standard error at rounding level says "exact": print the mean, not the noise
    if se > 1e-12 * abs(mean) and math.isfinite(se):
        digits = max(0, -math.floor(math.log10(se)))
        return f"{mean:.{digits}f} ± {se:.{digits}f}"
    return f"{mean:.6g} ± {se:.2g}"


@dataclass(frozen=True)
class DerivativeEstimate:
    """Independent derivative samples with their mean and standard error.

    The result of :func:`expected_derivative`.

    Attributes
    ----------
    samples : ndarray
        one row per estimate: shape ``(n,)`` for a scalar derivative, ``(n, *shape)``
        for a gradient.
    n : int
        the number of samples.
    mean, std : float or ndarray
        sample mean and standard deviation (``ddof=1``; 0 for ``n = 1``).
    stderr : float or ndarray
        ``std / sqrt(n)``.

    It prints as ``mean ± stderr (n=...)`` rounded to the standard error's first digit;
    a standard error of 0 (or at rounding level) prints the mean to 6 significant digits.
    A gradient prints as an array of ``mean ± stderr`` entries, each rounded by its own
    standard error, summarized with ``...`` beyond 20 entries as numpy does.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> r = stochad.expected_derivative(lambda p: 3 * stochad.bernoulli(p), 0.4, 1000, rng=0)
    >>> print(r)                          # exact: 3
    2.81 ± 0.08 (n=1000)
    >>> r.n, r.samples.shape, abs(r.mean - 3.0) < 5 * r.stderr
    (1000, (1000,), True)
    >>> g = stochad.expected_derivative(lambda q: stochad.sum(stochad.bernoulli(q) * [1, 2]),
    ...                                 np.array([0.3, 0.6]), 1000, rng=0)
    >>> print(g)                          # exact: [1, 2]
    [0.96 ± 0.02, 1.98 ± 0.08] (n=1000)
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
        if np.ndim(self.mean) == 0:
            return f"{_format(float(self.mean), float(self.stderr))} (n={self.n})"
        mean, se = np.asarray(self.mean), np.asarray(self.stderr)
        cells = [_format(float(m), float(s)) for m, s in zip(mean.flat, se.flat, strict=True)]
        width = max(len(c) for c in cells)
        grid = np.empty(mean.shape, dtype=object)
        grid.flat[:] = cells
        text = np.array2string(
            grid, separator=", ", threshold=20, edgeitems=3, max_line_width=100,
            formatter={"all": lambda c: c.rjust(width)},
        )  # fmt: skip
        return f"{text} (n={self.n})"

    __repr__ = __str__


DEFAULT_LANES = 4096
"""``vectorize=True``: lanes per run of ``f`` (fewer for a smaller ``n``). Large enough
that numpy's per-element work outweighs the per-operation overhead of triple arrays, small
enough to leave blocks for a cluster's workers and to bound memory."""

_QUALIFIES = (
    "A program qualifies when it is written numpy style: stochad.where(c, a, b) instead "
    "of if/while/and/or/min/max on values that depend on p, stochad.exp/log/... instead of "
    "math.*, no float()/int() or indexing with such values, and every reduction along the "
    "program's own axes (axis=-1), never over the lanes; otherwise use vectorize=False"
)


class VectorizeError(ValueError, TypeError):
    """Raised where a program cannot run vectorized (``vectorize=`` of expected_derivative).

    A subclass of both ``ValueError`` and ``TypeError`` so that handlers of the error the
    scalar path raises for the same mistake still catch it; the original error is its
    ``__cause__``.

    Examples
    --------
    >>> import stochad
    >>> def scalar_style(p):
    ...     return 1.0 if stochad.bernoulli(p) else 0.0      # an if on a draw
    >>> try:
    ...     stochad.expected_derivative(scalar_style, 0.3, 100, vectorize=True)
    ... except stochad.VectorizeError as error:
    ...     print(str(error)[:56])
    vectorize=True runs scalar_style once on 100 lanes (a tr
    """


def _name(f) -> str:
    return getattr(f, "__qualname__", None) or type(f).__name__


def _sample_block(f, p, backend, seed, size: int) -> np.ndarray:
    """One sample of the grid (``size`` is 1): a derivative estimate on the block's seed."""
    c = derivative_estimate(f, p, backend=backend, rng=np.random.default_rng(seed))
    return np.asarray(c, dtype=np.float64)[None]


def _lane_block(f, p, backend, seed, size: int) -> np.ndarray:
    """``size`` samples from one run of ``f`` on ``size`` lanes (``p`` broadcast along a
    new leading axis); for an array ``p``, one pass per coordinate on the same draws."""
    streams = RandomStreams.from_rng(np.random.default_rng(seed))
    lanes = np.array(np.broadcast_to(p, (size, *np.shape(p))), dtype=np.float64)
    if np.ndim(p) == 0:
        return _run_lanes(f, lanes, np.ones(size), backend, streams, scalar_output=False)
    primal, aux = streams.primal.bit_generator.state, streams.aux.bit_generator.state
    out = np.empty(lanes.shape)
    for index in np.ndindex(np.shape(p)):
        streams.primal.bit_generator.state, streams.aux.bit_generator.state = primal, aux
        tangent = np.zeros(lanes.shape)
        tangent[(slice(None), *index)] = 1.0
        out[(slice(None), *index)] = _run_lanes(
            f, lanes, tangent, backend, streams, scalar_output=True
        )
    return out


def _run_lanes(f, lanes, tangent, backend, streams, *, scalar_output: bool) -> np.ndarray:
    size = len(lanes)
    where = f"vectorize=True runs {_name(f)} once on {size} lanes (a triple array of shape "
    where += f"{lanes.shape}: the lanes, then p's shape)"
    ev = Evaluation(streams, backend)
    with evaluation(ev):
        try:
            out = f(seed_input(lanes, tangent, ev))
        except (TypeError, ValueError) as error:
            raise VectorizeError(
                f"{where}, and it raised {type(error).__name__}: {error}. {_QUALIFIES}."
            ) from error
        shape = np.shape(out)
        expected = (size,) if scalar_output else (size, *shape[1:])
        if is_carrier(out) and shape != expected:
            raise VectorizeError(
                f"{where}, and it returned shape {shape}: it must return one value per lane, "
                f"shape {expected} (a reduction over the lanes mixes independent samples). "
                f"{_QUALIFIES}."
            )
        c = _contribution(out, ev)
    return np.array(np.broadcast_to(c, expected if np.ndim(c) == 0 else np.shape(c)), dtype=float)


def _lanes(vectorize, n: int, backend, p) -> int:
    """Lanes per run of ``f`` for ``vectorize=`` (0: the scalar path, one sample per run)."""
    if vectorize is False:
        return 0
    if vectorize is True:
        lanes = min(n, DEFAULT_LANES)
    elif isinstance(vectorize, (int, np.integer)) and not isinstance(vectorize, bool):
        if vectorize < 1:
            raise ValueError(f"vectorize must be True, False or lanes >= 1, got {vectorize}")
        lanes = int(vectorize)
    else:
        raise TypeError(
            f"vectorize must be True, False or a number of lanes, got {type(vectorize).__name__}"
        )
    if not backend.supports_arrays:
        raise ValueError(
            f"vectorize needs a backend that runs on arrays (pruned, smoothed); "
            f"backend={backend.name!r} is scalar-only"
        )
    if is_carrier(p):
        raise ValueError("vectorize needs a float or ndarray p, not a nested derivative's carrier")
    return lanes


def expected_derivative(
    f,
    p,
    n: int,
    *,
    backend="pruned",
    rng=None,
    vectorize: bool | int = False,
    client=None,
    chunks=None,
    progress: bool = False,
) -> DerivativeEstimate:
    """Estimate ``d/dp E[f(p)]`` from ``n`` independent samples, here or on a cluster.

    Sample ``i`` is :func:`derivative_estimate` on its own generator,
    ``numpy.random.default_rng(numpy.random.SeedSequence(rng).spawn(n)[i])`` for an int
    ``rng`` (a fixed sample grid, see :mod:`stochad.montecarlo`), so the result for a
    seed is the same bit for bit whatever ``chunks`` and ``client`` are.

    Parameters
    ----------
    f : callable
        the program (see :func:`derivative_estimate`). With a client it is pickled
        (cloudpickle) and run on the workers.
    p : float or ndarray
        the point, finite.
    n : int
        the number of samples, >= 1.
    backend : {"pruned", "dict", "exact", "smoothed"} or Backend
    rng : None, int, numpy.random.Generator or numpy.random.SeedSequence
        the root of the sample grid: an int seed or SeedSequence is used as it is; a
        Generator (``None``: the module generator) gives 128 bits of seed and advances.
    vectorize : bool or int
        ``True`` runs ``f`` once on a triple array of ``n`` lanes (at most
        :data:`DEFAULT_LANES` per run), an int sets the lanes per run: each lane is an
        independent sample, numpy speed instead of Python speed per operation. ``f`` must
        be written numpy style (docs/vectorize.md); an array ``p`` reaches ``f`` with a
        leading lane axis, shape ``(lanes, *p.shape)``, one pass per coordinate, and ``f``
        must then return one scalar per lane. The draws differ from the scalar path's
        (the same distribution); they depend on the lanes per run, not on ``chunks``.
    client : None or dask.distributed.Client
        run the chunks on the cluster's workers (any object with ``submit(fn, *args)``
        returning futures works; dask itself is never imported here).
    chunks : None, int or sequence of int
        samples per chunk (the unit of work of a worker), or the chunk sizes summing to
        ``n``; with ``vectorize`` they must be multiples of the lanes per run. ``None``:
        one chunk, or 32 with a client. Changes where samples run, never their values.
    progress : bool
        show a tqdm progress bar (needs the optional ``tqdm``).

    Returns
    -------
    DerivativeEstimate
        with ``.mean``, ``.stderr`` and the ``.samples`` in grid order.

    Raises
    ------
    ValueError
        if ``n`` is not a whole number >= 1, for bad ``chunks`` or ``vectorize``, or
        ``vectorize`` with the scalar-only ``"dict"`` backend; otherwise as
        :func:`derivative_estimate`.
    VectorizeError
        with ``vectorize``, where ``f`` fails on lanes (an ``if`` on a draw, ``math.exp``,
        ``float()``) or returns something other than one value per lane.
    TypeError, PerturbationLostError
        as :func:`derivative_estimate`; a TypeError naming ``f`` if the client cannot
        pickle it.
    ImportError
        for ``progress=True`` without tqdm.

    See Also
    --------
    stochad.montecarlo : the sample grid and the chunked driver.

    Examples
    --------
    >>> import stochad
    >>> r = stochad.expected_derivative(lambda p: 2 * stochad.bernoulli(p), 0.3, 4000, rng=0)
    >>> print(r)                        # exact: 2
    2.03 ± 0.02 (n=4000)
    >>> abs(r.mean - 2.0) < 5 * r.stderr
    True
    >>> r2 = stochad.expected_derivative(lambda p: 2 * stochad.bernoulli(p), 0.3, 4000, rng=0,
    ...                                  chunks=[1000, 3000])
    >>> bool((r2.samples == r.samples).all())   # chunks do not change the numbers
    True
    >>> v = stochad.expected_derivative(lambda p: 2 * stochad.bernoulli(p), 0.3, 4000, rng=0,
    ...                                 vectorize=True)
    >>> abs(v.mean - 2.0) < 5 * v.stderr
    True
    """
    check_callable("f", f)
    p = _check_point("p", p)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got n={n!r}")
    backend = get_backend(backend)
    lanes = _lanes(vectorize, int(n), backend, p)
    block_fn = functools.partial(_lane_block if lanes else _sample_block, f, p, backend)
    blocks = map_blocks(
        block_fn, int(n), rng=rng, block=lanes or 1, client=client, chunks=chunks,
        progress=progress, name=f"expected_derivative({_name(f)})", shipped=f,
    )  # fmt: skip
    return DerivativeEstimate(np.concatenate(blocks))
