"""NegativeBinomial(n, p), numpy's convention: failures before the n-th success (0, 1, …).

``P(X = k) = Γ(k+n) / (Γ(n) k!) · pⁿ (1−p)ᵏ`` for a real ``n > 0`` and ``p ∈ (0, 1]``;
``F(k) = I_p(n, k+1)``, whose derivative in ``p`` is ``P(X = k)·(n+k)/p`` (> 0: raising
``p`` moves the draw down). The jump rule (docs/theory.md §2) follows from the moving
CDF boundaries: for ``δ > 0`` and ``X > 0``, ``X → X−1`` at rate ``δ·X/(p(1−p))``; for
``δ < 0``, ``X → X+1`` at rate ``−δ·(n+X)/p``. With ``n = 1`` these are the geometric's
rules shifted by one. ``n`` may carry finite perturbations (a random count), coupled by
the inverse CDF like ``p``.
"""

from __future__ import annotations

import math

from stochad.distributions.base import MAX_COUNT, DiscreteRule, register_distribution
from stochad.errors import check_positive, check_probability

__all__ = ["NEGATIVE_BINOMIAL"]

_MAX_TERMS = 1 << 26
"""Past this many terms the pmf walk stops (far beyond the mean ``check`` allows)."""


def check(n, p):
    n = check_positive("n", n)
    p = check_probability("p", p, open_low=True)
    mean = n * (1.0 - p) / p
    if mean > MAX_COUNT:
        raise ValueError(
            f"negative_binomial: the mean n(1-p)/p must be at most {MAX_COUNT} (draws cost "
            "O(mean) here), got "
            f"n={n!r}, p={p!r} (mean {mean:.3g})"
        )
    return n, p


def log_pmf(k, n, p):
    if p == 1.0:
        return 0.0 if k == 0 else -math.inf
    return (
        math.lgamma(k + n) - math.lgamma(n) - math.lgamma(k + 1)
        + n * math.log(p) + k * math.log1p(-p)
    )  # fmt: skip


def cdf(k, n, p):
    if k < 0:
        return 0.0
    if p == 1.0:
        return 1.0
    total = 0.0
    term = math.exp(n * math.log(p))
    for j in range(int(k) + 1):
        total += term
        term *= (j + n) / (j + 1) * (1.0 - p)
    return min(total, 1.0)


def inverse_cdf(u, n, p):
    if p == 1.0:
        return 0
    total = 0.0
    term = math.exp(n * math.log(p))
    mode = max(0.0, (n - 1.0) * (1.0 - p) / p)
    for k in range(_MAX_TERMS):
        total += term
        if total >= u:
            return k
        term *= (k + n) / (k + 1) * (1.0 - p)
        if term == 0.0 and k > mode:  # the rest of the mass is below rounding
            return k
    return _MAX_TERMS


def jump(x, d, n, p):
    if d > 0.0 and x > 0:
        return x - 1, d * x / (p * (1.0 - p))
    if d < 0.0:
        return x + 1, -d * (n + x) / p
    # at the edge of the domain a tangent pointing out of it takes the one-sided derivative
    # from inside: the inside jump with a negative weight (docs/theory.md §2, boundaries)
    if d > 0.0 and p == 1.0:
        return x + 1, -d * (n + x) / p
    return x, 0.0


def mean_partials(n, p):
    return ((1.0 - p) / p, -n / (p * p))


def score(x, n, p):
    from scipy.special import digamma  # deferred: not loaded by ``import stochad``

    return (digamma(x + n) - digamma(n) + math.log(p), n / p - x / (1.0 - p) if p < 1 else 0.0)


NEGATIVE_BINOMIAL = register_distribution(
    DiscreteRule(
        "negative_binomial", ("n", "p"), check, inverse_cdf, cdf, jump, mean_partials,
        differentiable=1, kinds=("positive", "open_probability"), score=score,
        array_kernel=True, bounds=lambda n, p: n * (1.0 - p) <= MAX_COUNT * p,
    )
)  # fmt: skip
