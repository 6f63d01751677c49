"""Binomial(n, p): the number of successes in ``n`` trials.

``p`` may carry a derivative; ``n`` may carry finite perturbations (a random count): the
alternate then draws the extra trials or removes successes at random.
"""

from __future__ import annotations

import math

import numpy as np

from stochad.distributions.base import (
    MAX_COUNT,
    DiscreteRule,
    coupled_uniform,
    register_distribution,
)
from stochad.distributions.special import bdtr, bdtrc, ndtri
from stochad.errors import check_count, check_probability

__all__ = ["BINOMIAL"]


def check(n, p):
    n = check_count("n", n)
    if n > MAX_COUNT:
        raise ValueError(f"n must be at most {MAX_COUNT} (the bound of every draw), got n={n}")
    return n, check_probability("p", p)


def log_pmf(k, n, p):
    if p == 0.0:
        return 0.0 if k == 0 else -math.inf
    if p == 1.0:
        return 0.0 if k == n else -math.inf
    return (
        math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        + k * math.log(p) + (n - k) * math.log1p(-p)
    )  # fmt: skip


_DIRECT = 30.0
"""Below this mean ``n·p`` the CDF is summed from 0 (a short sum where the mass
is); above it, it is scipy's incomplete beta function (O(1)) and a draw starts from an
approximate quantile."""


def _direct(n, p):
    return n * p < _DIRECT  # the sum from 0 covers the mass in about np + a few terms


def cdf(k, n, p):
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if not _direct(n, p):
        return bdtr(math.floor(k), n, p)
    total = 0.0
    for j in range(int(k) + 1):
        total += math.exp(log_pmf(j, n, p))
    return min(total, 1.0)


def inverse_cdf(u, n, p):
    if not _direct(n, p):
        return quantile(u, n, p)
    if 1.0 - u < _TAIL:
        return upper_tail_quantile(u, n, n, p)
    total = 0.0
    for k in range(n):
        total += math.exp(log_pmf(k, n, p))
        if total >= u:
            return k
    return n


def quantile(u, n, p):
    """The smallest ``k`` with ``F(k) >= u``, in O(1) expected CDF evaluations.

    As the Poisson's: from the Cornish–Fisher start ``np + √(npq)·z + (1 − 2p)(z² − 1)/6``,
    stepping with scipy's CDF below the median and its complement above it.
    """
    q = 1.0 - p
    z = ndtri(min(u, 1.0 - 2.0**-53))
    start = n * p + math.sqrt(n * p * q) * z + (1.0 - 2.0 * p) * (z * z - 1.0) / 6.0
    k = min(float(n), max(0.0, math.floor(start)))
    upper = u > 0.5
    r = 1.0 - u
    if _covers(k, n, p, u, r, upper):
        while k > 0.0 and _covers(k - 1.0, n, p, u, r, upper):
            k -= 1.0
        return int(k)
    k += 1.0
    while k < n and not _covers(k, n, p, u, r, upper):
        k += 1.0
    return int(k)


def _covers(k, n, p, u, r, upper):
    """``F(k) >= u``, on the upper tail above the median (``F(n) = 1``)."""
    if k >= n:
        return True
    if upper:
        return bdtrc(k, n, p) <= r
    return bdtr(k, n, p) >= u


_TAIL = 1e-9
"""Below this upper-tail mass a draw is found from the top: summing the pmf from 0 leaves a
float deficit of about 1e-11 there, which would send the draw to ``n``."""


def upper_tail_quantile(u, top, n, p):
    """The smallest ``k <= top`` with ``P(X > k) <= 1 − u``, summing the pmf from ``top`` down.

    Exact in the far upper tail, where ``F`` summed from 0 has lost the mass to rounding;
    ``top`` is where the remaining mass is negligible (``n`` itself for a binomial).
    """
    r = 1.0 - u
    upper = 0.0
    k = top
    while k > 0:
        below = upper + math.exp(log_pmf(k, n, p))
        if below > r:
            return k
        upper = below
        k -= 1
    return 0


def jump(x, d, n, p):
    if d > 0.0 and x < n:
        return x + 1, d * (n - x) / (1.0 - p)
    if d < 0.0 and x > 0:
        return x - 1, -d * x / p
    # at the edge of the domain a tangent pointing out of it takes the one-sided derivative
    # from inside: the inside jump with a negative weight (docs/theory.md §2, boundaries)
    if d > 0.0 and p == 1.0 and x > 0:
        return x - 1, -d * x / p
    if d < 0.0 and p == 0.0 and x < n:
        return x + 1, d * (n - x) / (1.0 - p)
    return x, 0.0


def mean_partials(n, p):
    return (p, n * 1.0)  # not float(n): reverse mode calls this on arrays of parameters


def coupled(rule, x, params, alt_params, aux_rng):
    """Couple in ``p`` by inverse CDF, then add trials (``n' > n``) or remove some."""
    n, p = params
    alt_n, alt_p = alt_params
    y = rule.inverse_cdf(coupled_uniform(rule.cdf, x, params, aux_rng), n, alt_p)
    if alt_n > n:
        y += int(aux_rng.binomial(alt_n - n, alt_p))
    elif alt_n < n:
        y -= int(aux_rng.hypergeometric(y, n - y, n - alt_n)) if n > 0 else 0
    return y


def coupled_array(y, params, alt_params, aux_rng):
    """:func:`coupled` on arrays: ``y`` is already coupled in ``p`` at the primal ``n``.

    numpy's vectorized binomial and hypergeometric samplers add the extra trials' successes
    or remove the dropped trials' share of them, element by element in one call each.
    """
    n, _ = params
    alt_n, alt_p = alt_params
    out = np.array(y, dtype=np.float64)
    more = alt_n > n
    if more.any():
        out[more] += aux_rng.binomial((alt_n - n)[more].astype(np.int64), alt_p[more])
    fewer = alt_n < n
    if fewer.any():
        kept = y[fewer].astype(np.int64)
        total = n[fewer].astype(np.int64)
        dropped = (n - alt_n)[fewer].astype(np.int64)
        out[fewer] -= aux_rng.hypergeometric(kept, total - kept, dropped)
    return out


def score(x, n, p):
    successes = x / p if x > 0 else 0.0
    failures = (n - x) / (1.0 - p) if x < n else 0.0
    return (0.0, successes - failures)


BINOMIAL = register_distribution(
    DiscreteRule(
        "binomial", ("n", "p"), check, inverse_cdf, cdf, jump, mean_partials, differentiable=1,
        kinds=("count", "probability"), coupled=coupled, coupled_array=coupled_array,
        score=score, array_kernel=True,
    )
)  # fmt: skip
