"""The public samplers: plain draws outside a derivative, triples inside one."""

from __future__ import annotations

import numpy as np

from stochad.arrays import TripleArray
from stochad.arrays.sampling import sample_categorical as sample_categorical_array
from stochad.arrays.triple_array import as_triple_array
from stochad.core.context import current_evaluation
from stochad.core.primitives import dispatch_target, is_carrier
from stochad.distributions import DISTRIBUTIONS, DiscreteRule
from stochad.distributions.bernoulli import BERNOULLI
from stochad.distributions.binomial import BINOMIAL
from stochad.distributions.categorical import CATEGORICAL
from stochad.distributions.continuous import (
    sample_exponential,
    sample_multivariate_normal,
    sample_normal,
)
from stochad.distributions.geometric import GEOMETRIC
from stochad.distributions.negative_binomial import NEGATIVE_BINOMIAL
from stochad.distributions.poisson import POISSON
from stochad.forward.sampling import sample_categorical, sample_scalar
from stochad.forward.triple import Triple
from stochad.kernels.sampling import sample_plain_array, sample_plain_categorical
from stochad.rules.structural import stack

__all__ = [
    "sample", "bernoulli", "binomial", "geometric", "negative_binomial", "poisson",
    "categorical", "normal", "exponential", "multivariate_normal",
]  # fmt: skip


def _evaluation_of(args):
    target = dispatch_target(args)
    return current_evaluation() if target is None else target.evaluation


def _draw(rule: DiscreteRule, *args, size=None):
    """Dispatch a draw: scalar triples and floats here, arrays to their carrier type.

    A carrier type (triple array, tracer) implements
    ``__stochad_sample__(rule, args, size, evaluation)``; the carrier of the innermost
    evaluation among the parameters handles the draw.
    """
    if size is None and len(args) == 1 and type(args[0]) is Triple:
        # the scalar path's common case (a draw of one triple parameter), dispatch inlined
        return sample_scalar(rule, args[0].evaluation, args)
    target = dispatch_target(args)
    evaluation = current_evaluation() if target is None else target.evaluation
    carrier = None if target is None else type(target)
    if carrier is not None and hasattr(carrier, "__stochad_sample__"):
        return carrier.__stochad_sample__(rule, args, size, evaluation)
    if size is None and not any(isinstance(a, (np.ndarray, list, tuple)) for a in args):
        return sample_scalar(rule, evaluation, args)
    if carrier is not None:
        # a scalar triple parameter with size= or array parameters: a triple array
        return TripleArray.__stochad_sample__(rule, args, size, evaluation)
    return sample_plain_array(rule, evaluation, args, size)


def sample(distribution, *params, size=None):
    """A draw from a registered discrete distribution, by name or record.

    The built-in samplers (:func:`bernoulli`, ...) are this function for their rules; a
    user's :class:`~stochad.distributions.DiscreteRule`, once registered with
    :func:`~stochad.distributions.register_distribution`, is drawn the same way and gets
    triples, smoothing and reverse mode from its own rule functions.

    Parameters
    ----------
    distribution : str or DiscreteRule
        a name in :data:`stochad.distributions.DISTRIBUTIONS`, or a record.
    *params : float, array-like or carrier
        the distribution's parameters, in the order of ``rule.params``.
    size : None, int or tuple of int
        an array draw (rules with ``array_kernel=True``).

    Returns
    -------
    int, ndarray or carrier
        as :func:`bernoulli`.

    Raises
    ------
    ValueError
        for an unknown name, a wrong number of parameters, or parameters out of range.
    NotImplementedError
        for an array draw of a rule without an array kernel.

    Examples
    --------
    >>> import stochad
    >>> stochad.stochastic_triple(lambda p: stochad.sample("bernoulli", p), 0.3, rng=0)
    Triple(0 + 0.0ε [1 with weight 1.42857ε])
    """
    rule = distribution if isinstance(distribution, DiscreteRule) else DISTRIBUTIONS.get(
        distribution
    )
    if rule is None:
        raise ValueError(
            f"distribution must be one of {sorted(DISTRIBUTIONS)} or a DiscreteRule, got "
            f"{distribution!r}"
        )
    if len(params) != len(rule.params):
        raise ValueError(
            f"{rule.name} takes {len(rule.params)} parameter(s) {rule.params}, got {len(params)}"
        )
    if rule is CATEGORICAL:
        return categorical(*params, size=size)
    return _draw(rule, *params, size=size)


# Shared wording of the sampler docstrings below. A sampler returns a plain number or
# ndarray outside a derivative, a Triple (or TripleArray, for array parameters or
# ``size=``) inside derivative_estimate/stochastic_triple, and a Tracer inside
# stochad.grad. Every draw takes its uniforms from the primal stream (inverse-CDF
# coupling), so a seed gives the same primal sample path with or without a derivative.


def bernoulli(p, size=None):
    """A Bernoulli(p) draw: 1 with probability ``p``, else 0.

    Stochastic derivative (``δ`` the tangent of ``p``): for ``δ > 0`` a 0 jumps to 1 with
    weight ``δ/(1 − p)``; for ``δ < 0`` a 1 jumps to 0 with weight ``−δ/p``. A ``p`` that
    carries a finite perturbation ``p → p'`` gives the coupled alternate draw under ``p'``.
    The smoothed (straight-through) derivative is ``δ``.

    Parameters
    ----------
    p : float, array-like, Triple, TripleArray or Tracer
        probability in [0, 1].
    size : None, int or tuple of int
        draw an array of this shape (numpy's meaning; ``p`` must broadcast to it).

    Returns
    -------
    int, ndarray, Triple, TripleArray or Tracer
        0 or 1: an ``int`` for a float ``p`` without ``size``, a float64 array of the
        broadcast shape otherwise; a carrier of ``p``'s kind inside a derivative.

    Raises
    ------
    ValueError
        if ``p`` (or an alternate value of it) is outside [0, 1] or nan, or if the
        shapes of ``p`` and ``size`` do not broadcast.
    TypeError
        if ``p`` is not a real number (a bool, a string).

    See Also
    --------
    binomial, stochad.where

    Examples
    --------
    >>> import stochad
    >>> stochad.stochastic_triple(stochad.bernoulli, 0.3, rng=0)   # 0 jumps to 1 at 1/(1-p)
    Triple(0 + 0.0ε [1 with weight 1.42857ε])
    >>> r = stochad.expected_derivative(lambda p: 3 * stochad.bernoulli(p), 0.4, 2000, rng=0)
    >>> abs(r.mean - 3.0) < 5 * r.stderr
    True
    """
    return _draw(BERNOULLI, p, size=size)


def binomial(n, p, size=None):
    """A Binomial(n, p) draw: the number of successes in ``n`` trials of probability ``p``.

    Stochastic derivative in ``p``: for ``δ > 0`` and ``X < n`` the draw jumps to ``X + 1``
    with weight ``δ(n − X)/(1 − p)``; for ``δ < 0`` and ``X > 0`` to ``X − 1`` with weight
    ``−δX/p``. ``n`` may be a random count (a triple from another draw): its finite
    perturbations give coupled alternate draws, but it cannot carry a derivative ``δ``.
    The smoothed derivative is ``n·δ``.

    Parameters
    ----------
    n : int, array-like, Triple, TripleArray or Tracer
        number of trials, a whole number >= 0.
    p : float, array-like, Triple, TripleArray or Tracer
        probability in [0, 1].
    size : None, int or tuple of int
        draw an array of this shape (``n`` and ``p`` must broadcast to it).

    Returns
    -------
    int, ndarray, Triple, TripleArray or Tracer
        a count in ``0..n``: an ``int`` for scalar parameters without ``size``, a float64
        array of the broadcast shape otherwise; a carrier inside a derivative.

    Raises
    ------
    ValueError
        if ``n`` is not a whole number >= 0, ``p`` is outside [0, 1] (or nan; also for
        alternate values), ``n`` carries a derivative ``δ``, or the shapes do not broadcast.
    TypeError
        if ``n`` or ``p`` is not a real number.

    Examples
    --------
    >>> import stochad
    >>> stochad.stochastic_triple(lambda p: stochad.binomial(10, p), 0.3, rng=1)
    Triple(3 + 0.0ε [4 with weight 10ε])
    >>> r = stochad.expected_derivative(lambda p: stochad.binomial(10, p), 0.3, 2000, rng=0)
    >>> abs(r.mean - 10.0) < 5 * r.stderr
    True
    """
    return _draw(BINOMIAL, n, p, size=size)


def geometric(p, size=None):
    """A Geometric(p) draw, numpy's convention: trials up to the first success (1, 2, …).

    Stochastic derivative: for ``δ > 0`` and ``X > 1`` the draw jumps to ``X − 1`` with
    weight ``δ(X − 1)/(p(1 − p))``; for ``δ < 0`` to ``X + 1`` with weight ``−δX/p``. The
    smoothed derivative is the derivative of the mean ``1/p``: ``−δ/p²``.

    Parameters
    ----------
    p : float, array-like, Triple, TripleArray or Tracer
        success probability in (0, 1].
    size : None, int or tuple of int
        draw an array of this shape (``p`` must broadcast to it).

    Returns
    -------
    int, ndarray, Triple, TripleArray or Tracer
        a count >= 1: an ``int`` for a float ``p`` without ``size``, a float64 array
        otherwise; a carrier inside a derivative.

    Raises
    ------
    ValueError
        if ``p`` (or an alternate value of it) is outside (0, 1] or nan, or the shapes do
        not broadcast.
    TypeError
        if ``p`` is not a real number.

    Examples
    --------
    >>> import stochad
    >>> stochad.stochastic_triple(stochad.geometric, 0.5, rng=2)   # 2 jumps to 1 at 4
    Triple(2 + 0.0ε [1 with weight 4ε])
    >>> r = stochad.expected_derivative(stochad.geometric, 0.5, 4000, rng=0)  # d(1/p) = -4
    >>> abs(r.mean + 4.0) < 5 * r.stderr
    True
    """
    return _draw(GEOMETRIC, p, size=size)


def negative_binomial(n, p, size=None):
    """A NegativeBinomial(n, p) draw, numpy's convention: failures before the n-th success.

    ``P(X = k) = Γ(k+n)/(Γ(n) k!)·pⁿ(1−p)ᵏ``, ``E[X] = n(1−p)/p``. Stochastic derivative
    in ``p``: for ``δ > 0`` and ``X > 0`` the draw jumps to ``X − 1`` with weight
    ``δX/(p(1 − p))``; for ``δ < 0`` to ``X + 1`` with weight ``−δ(n + X)/p``
    (docs/theory.md §2). ``n`` may be a random count (finite perturbations only). The
    smoothed derivative is ``−n·δ/p²``.

    Parameters
    ----------
    n : float, array-like, Triple, TripleArray or Tracer
        the number of successes, a real number > 0 (numpy allows non-integer ``n``).
    p : float, array-like, Triple, TripleArray or Tracer
        the success probability, in (0, 1].
    size : None, int or tuple of int
        draw an array of this shape.

    Returns
    -------
    int, ndarray, Triple, TripleArray or Tracer
        as :func:`bernoulli`.

    Raises
    ------
    ValueError
        if ``n <= 0``, ``p`` is outside (0, 1], the mean ``n(1−p)/p`` exceeds 1e7, or the
        shapes do not broadcast.

    Examples
    --------
    >>> import stochad
    >>> r = stochad.expected_derivative(lambda p: stochad.negative_binomial(3, p), 0.5, 4000,
    ...                                 rng=0)
    >>> abs(r.mean - (-12.0)) < 5 * r.stderr     # d/dp 3(1 - p)/p = -3/p² = -12
    True
    """
    return _draw(NEGATIVE_BINOMIAL, n, p, size=size)


def poisson(lam, size=None):
    """A Poisson(lam) draw.

    Stochastic derivative: for ``δ > 0`` the draw jumps to ``X + 1`` with weight ``δ``;
    for ``δ < 0`` and ``X > 0`` to ``X − 1`` with weight ``−δX/lam``. The smoothed
    derivative is ``δ``.

    Parameters
    ----------
    lam : float, array-like, Triple, TripleArray or Tracer
        the rate (mean), finite and >= 0.
    size : None, int or tuple of int
        draw an array of this shape (``lam`` must broadcast to it).

    Returns
    -------
    int, ndarray, Triple, TripleArray or Tracer
        a count >= 0: an ``int`` for a float ``lam`` without ``size``, a float64 array
        otherwise; a carrier inside a derivative.

    Raises
    ------
    ValueError
        if ``lam`` (or an alternate value of it) is negative, infinite or nan, or the
        shapes do not broadcast.
    TypeError
        if ``lam`` is not a real number.

    Examples
    --------
    >>> import stochad
    >>> stochad.stochastic_triple(stochad.poisson, 2.0, rng=0)
    Triple(1 + 0.0ε [2 with weight 1ε])
    >>> r = stochad.expected_derivative(lambda l: stochad.poisson(l) ** 2, 2.0, 4000, rng=0)
    >>> abs(r.mean - 5.0) < 5 * r.stderr   # d/dl (l + l^2) = 1 + 2l
    True
    """
    return _draw(POISSON, lam, size=size)


def categorical(probs, size=None):
    """An index ``i`` in ``0..k−1`` drawn with probability ``probs[i]``.

    Combine with :func:`stochad.take` to pick a value by the random index. Under
    inverse-CDF coupling a change of ``probs`` moves the CDF boundaries around ``i``:
    the draw may jump down to the nearest lower index with positive probability (weight
    ``L/π_i``, ``L = Σ_{j<i} δπ_j > 0``) and up to the nearest higher one (weight
    ``−R/π_i``, ``R = Σ_{j≤i} δπ_j < 0``), both as perturbations of one event. The
    smoothed derivative is that of the mean index.

    Array form: an array ``probs`` (ndarray or triple array) holds the probabilities
    along its last axis, one categorical per element of ``probs.shape[:-1]``; a list or
    tuple whose entries are arrays holds one category's probabilities per entry (they
    broadcast together), so scalar code such as ``categorical([1 - up, up])`` runs on
    arrays of lanes unchanged. Each array draw is the scalar draw of its row (same
    uniform, same index); with triples each element carries one perturbation (its own
    jumps and its probabilities' events pruned to one).

    Parameters
    ----------
    probs : sequence of float, Triple or Tracer; or array-like or TripleArray
        ``k >= 1`` probabilities in [0, 1] that sum to 1 (to rounding), along the last
        axis for an array.
    size : None, int or tuple of int
        an array of draws of this shape (``probs.shape[:-1]`` must broadcast to it).

    Returns
    -------
    int, ndarray, Triple, TripleArray or Tracer
        the index: an ``int`` outside a derivative for scalar probabilities, a float64
        array of the batch shape for the array form.

    Raises
    ------
    ValueError
        if ``probs`` is empty, an entry is outside [0, 1] or nan, or they do not sum to
        1 (also for alternate values).
    TypeError
        if an entry is not a real number.

    See Also
    --------
    stochad.take

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.stochastic_triple(lambda p: stochad.categorical([1 - p, p / 2, p / 2]), 0.4,
    ...                           rng=2)
    Triple(1 + 0.0ε [2 with weight 2.5ε])
    >>> f = lambda p: stochad.categorical([1 - p, p / 2, p / 2])   # E = 1.5 p
    >>> r = stochad.expected_derivative(f, 0.4, 4000, rng=0)
    >>> abs(r.mean - 1.5) < 5 * r.stderr
    True
    >>> g = lambda p: stochad.categorical([1 - p, p / 2, p / 2], size=4000)   # 4000 lanes
    >>> est = stochad.derivative_estimate(g, 0.4, rng=0)
    >>> bool(abs(est.mean() - 1.5) < 5 * est.std() / np.sqrt(est.size))
    True
    """
    entries = None
    if not (isinstance(probs, np.ndarray) or is_carrier(probs)):
        try:
            entries = list(probs)
        except TypeError:
            raise TypeError(
                "probs must be a sequence of probabilities or an array of them along its "
                f"last axis, got {type(probs).__name__}"
            ) from None
    if entries is not None and size is None and all(np.ndim(_primal_of(q)) == 0 for q in entries):
        target = dispatch_target(entries)
        if target is not None and hasattr(type(target), "__stochad_sample__"):
            return type(target).__stochad_sample__(CATEGORICAL, entries, None, target.evaluation)
        return sample_categorical(_evaluation_of(entries), entries)
    return _categorical_array(probs, entries, size)


def _primal_of(x):
    return x.value if is_carrier(x) else x


def _categorical_array(probs, entries, size):
    """The array form: stack list entries along a last axis, then draw by carrier."""
    if entries is None and np.ndim(_primal_of(probs)) == 0:
        raise TypeError("probs must be a sequence or an array of probabilities, got a scalar")
    carriers = entries if entries is not None else [probs]
    target = dispatch_target(carriers)
    evaluation = current_evaluation() if target is None else target.evaluation
    if target is not None and not isinstance(target, (TripleArray, Triple)):
        # a tracer (reverse mode): one parameter per category, as the scalar rule has
        if entries is None:
            entries = [probs[..., j] for j in range(np.shape(_primal_of(probs))[-1])]
        return type(target).__stochad_sample__(CATEGORICAL, entries, size, evaluation)
    if entries is not None:
        if len(entries) == 0:
            raise ValueError("probs must hold at least one probability, got an empty sequence")
        shape = np.broadcast_shapes(*[np.shape(_primal_of(q)) for q in entries])
        ones = np.ones(shape)
        full = [q if np.shape(_primal_of(q)) == shape else q * ones for q in entries]
        probs = stack(full, axis=-1)
    if target is None:
        return sample_plain_categorical(evaluation, np.asarray(probs, dtype=np.float64), size)
    return sample_categorical_array(as_triple_array(probs, evaluation), size, evaluation)


def normal(loc=0.0, scale=1.0, size=None):
    """A normal draw ``loc + scale·z`` (reparameterized: only a δ part, no jumps).

    ``z`` is standard normal from the primal stream; the derivative is ``δloc + z·δscale``,
    and finite perturbations of ``loc``/``scale`` map to ``loc' + scale'·z`` (same ``z``).

    Parameters
    ----------
    loc : float, array-like, Triple, TripleArray or Tracer
        the mean, finite.
    scale : float, array-like, Triple, TripleArray or Tracer
        the standard deviation, finite and >= 0.
    size : None, int or tuple of int
        draw an array of this shape (numpy's meaning).

    Returns
    -------
    float, ndarray, Triple, TripleArray or Tracer
        a float for scalar parameters without ``size``, an array of the broadcast shape
        otherwise; the carrier kind of the parameters inside a derivative.

    Raises
    ------
    ValueError
        naming the first bad element, if ``loc`` is not finite or ``scale`` is negative
        or not finite; or if the shapes do not broadcast.
    TypeError
        if a parameter is not real-valued (bool, string).

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(lambda s: stochad.normal(1.0, s), 2.0, rng=0)
    >>> bool(abs(stochad.delta(t) - (stochad.value(t) - 1.0) / 2.0) < 1e-12)   # δ = z
    True
    """
    return sample_normal(_evaluation_of((loc, scale)), loc, scale, size)


def exponential(scale=1.0, size=None):
    """An exponential draw ``scale·e`` with mean ``scale`` (reparameterized).

    ``e`` is standard exponential from the primal stream; the derivative is ``e·δscale``.

    Parameters
    ----------
    scale : float, array-like, Triple, TripleArray or Tracer
        the mean, finite and >= 0 (numpy's ``scale``, not the rate).
    size : None, int or tuple of int
        draw an array of this shape (numpy's meaning).

    Returns
    -------
    float, ndarray, Triple, TripleArray or Tracer
        a float for a scalar ``scale`` without ``size``, an array otherwise; the carrier
        kind of ``scale`` inside a derivative.

    Raises
    ------
    ValueError
        naming the first bad element, if ``scale`` is negative or not finite; or if the
        shapes do not broadcast.
    TypeError
        if ``scale`` is not real-valued.

    Examples
    --------
    >>> import stochad
    >>> r = stochad.expected_derivative(stochad.exponential, 2.0, 1000, rng=0)
    >>> abs(r.mean - 1.0) < 5 * r.stderr
    True
    """
    return sample_exponential(_evaluation_of((scale,)), scale, size)


def multivariate_normal(mean, cholesky, size=None):
    """A multivariate normal draw ``mean + L·z``, reparameterized by a Cholesky factor.

    ``z`` is a vector of ``d`` standard normals from the primal stream and ``L`` the
    factor of the covariance ``Σ = L·Lᵀ``; the derivative is ``δmean + δL·z`` (no jumps),
    and finite perturbations of ``mean``/``L`` map to ``mean' + L'·z`` (same ``z``).

    Parameters
    ----------
    mean : array-like, TripleArray or Tracer
        shape ``(d,)``, finite.
    cholesky : array-like, TripleArray or Tracer
        shape ``(d, d)``, finite (``numpy.linalg.cholesky(Σ)`` for a covariance ``Σ``).
    size : None, int or tuple of int
        draw this many vectors: the result has shape ``size + (d,)``.

    Returns
    -------
    ndarray, TripleArray or Tracer
        shape ``(d,)`` or ``size + (d,)``.

    Raises
    ------
    ValueError
        if ``mean`` is not 1-d, ``cholesky`` is not ``(d, d)``, or an entry is not finite.
    TypeError
        if an entry is not a real number.

    Examples
    --------
    >>> import numpy as np, stochad
    >>> L = np.linalg.cholesky(np.array([[1.0, 0.5], [0.5, 2.0]]))
    >>> with stochad.using_rng(0):
    ...     x = stochad.multivariate_normal(np.zeros(2), L, size=20000)
    >>> bool(np.allclose(np.cov(x.T), [[1.0, 0.5], [0.5, 2.0]], atol=0.06))
    True
    >>> f = lambda m: stochad.sum(stochad.multivariate_normal(m * np.ones(2), L) ** 2)
    >>> r = stochad.expected_derivative(f, 1.0, 2000, rng=0)   # d/dm (2m² + tr Σ) = 4m
    >>> abs(r.mean - 4.0) < 5 * r.stderr
    True
    """
    return sample_multivariate_normal(_evaluation_of((mean, cholesky)), mean, cholesky, size)
