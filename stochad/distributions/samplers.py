"""The public samplers: plain draws outside a derivative, triples inside one."""

from __future__ import annotations

import numpy as np

from stochad.core.context import current_evaluation
from stochad.core.triple import Triple
from stochad.distributions.base import DiscreteRule, sample_scalar
from stochad.distributions.bernoulli import BERNOULLI
from stochad.distributions.binomial import BINOMIAL
from stochad.distributions.categorical import CATEGORICAL, sample_categorical
from stochad.distributions.continuous import sample_exponential, sample_normal
from stochad.distributions.geometric import GEOMETRIC
from stochad.distributions.poisson import POISSON
from stochad.distributions.vectorized import sample_plain_array

__all__ = [
    "DISCRETE_RULES", "bernoulli", "binomial", "geometric", "poisson", "categorical", "normal",
    "exponential",
]  # fmt: skip

DISCRETE_RULES: dict[str, DiscreteRule] = {
    rule.name: rule for rule in (BERNOULLI, BINOMIAL, GEOMETRIC, POISSON)
}


def _evaluation_of(args):
    for a in args:
        if isinstance(a, Triple) or hasattr(type(a), "__stochad_sample__"):
            return a.evaluation
    return current_evaluation()


def _carrier_type(args):
    best, carrier = -1, None
    for a in args:
        priority = getattr(type(a), "__stochad_priority__", -1)
        if priority > best:
            best, carrier = priority, type(a)
    return carrier


def _draw(rule: DiscreteRule, *args, size=None):
    """Dispatch a draw: scalar triples and floats here, arrays to their carrier type.

    A carrier type (triple array, tracer) implements
    ``__stochad_sample__(rule, args, size, evaluation)``.
    """
    evaluation = _evaluation_of(args)
    carrier = _carrier_type(args)
    if carrier is not None and hasattr(carrier, "__stochad_sample__"):
        return carrier.__stochad_sample__(rule, args, size, evaluation)
    if size is None and not any(isinstance(a, (np.ndarray, list, tuple)) for a in args):
        return sample_scalar(rule, evaluation, args)
    if carrier is not None:
        # a scalar triple parameter with size= or array parameters: a triple array
        from stochad.arrays import TripleArray

        return TripleArray.__stochad_sample__(rule, args, size, evaluation)
    return sample_plain_array(rule, evaluation, args, size)


def bernoulli(p, size=None):
    """A Bernoulli(p) draw: 1 with probability ``p``, else 0.

    Parameters
    ----------
    p : float or Triple
        probability in [0, 1].

    Examples
    --------
    >>> import stochad
    >>> r = stochad.expected_derivative(lambda p: 3 * stochad.bernoulli(p), 0.4, 2000, rng=0)
    >>> abs(r.mean - 3.0) < 5 * r.stderr
    True
    """
    return _draw(BERNOULLI, p, size=size)


def binomial(n, p, size=None):
    """A Binomial(n, p) draw; ``n`` may be a random count (a triple from another draw).

    Examples
    --------
    >>> import stochad
    >>> r = stochad.expected_derivative(lambda p: stochad.binomial(10, p), 0.3, 2000, rng=0)
    >>> abs(r.mean - 10.0) < 5 * r.stderr
    True
    """
    return _draw(BINOMIAL, n, p, size=size)


def geometric(p, size=None):
    """A Geometric(p) draw, numpy's convention: trials up to the first success (1, 2, …).

    Examples
    --------
    >>> import stochad
    >>> r = stochad.expected_derivative(stochad.geometric, 0.5, 4000, rng=0)  # d(1/p) = -4
    >>> abs(r.mean + 4.0) < 5 * r.stderr
    True
    """
    return _draw(GEOMETRIC, p, size=size)


def poisson(lam, size=None):
    """A Poisson(lam) draw.

    Examples
    --------
    >>> import stochad
    >>> r = stochad.expected_derivative(lambda l: stochad.poisson(l) ** 2, 2.0, 4000, rng=0)
    >>> abs(r.mean - 5.0) < 5 * r.stderr   # d/dl (l + l^2) = 1 + 2l
    True
    """
    return _draw(POISSON, lam, size=size)


def categorical(probs):
    """An index ``i`` in ``0..k−1`` drawn with probability ``probs[i]``.

    ``probs`` is a sequence of floats or triples that sums to 1. Combine with
    :func:`stochad.take` to pick a value by the random index.

    Examples
    --------
    >>> import stochad
    >>> f = lambda p: stochad.categorical([1 - p, p / 2, p / 2])   # E = 1.5 p
    >>> r = stochad.expected_derivative(f, 0.4, 4000, rng=0)
    >>> abs(r.mean - 1.5) < 5 * r.stderr
    True
    """
    probs = list(probs)
    carrier = _carrier_type(probs)
    if carrier is not None and hasattr(carrier, "__stochad_sample__"):
        return carrier.__stochad_sample__(CATEGORICAL, probs, None, _evaluation_of(probs))
    return sample_categorical(_evaluation_of(probs), probs)


def normal(loc=0.0, scale=1.0, size=None):
    """A normal draw ``loc + scale·z`` (reparameterized: only a δ part, no jumps).

    ``loc`` and ``scale`` may be floats, arrays, triples or triple arrays; ``size`` draws an
    array (numpy's meaning).

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

    ``scale`` may be a float, an array, a triple or a triple array; ``size`` draws an array.

    Examples
    --------
    >>> import stochad
    >>> r = stochad.expected_derivative(stochad.exponential, 2.0, 1000, rng=0)
    >>> abs(r.mean - 1.0) < 5 * r.stderr
    True
    """
    return sample_exponential(_evaluation_of((scale,)), scale, size)
