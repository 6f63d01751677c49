"""An independent model of the pruned estimator on the state-dependent random walk.

``x₀ = 0``, ``xₖ₊₁ = xₖ + 2·Bernoulli(exp(−xₖ/p)) − 1``, output ``x_n``. The pruned
estimator carries at most one perturbation ``(alternate, weight)`` of ``x``; at each draw
the candidates are the draw's own jump and the carried event (only where it moves the
draw's parameter, when ``skip_zero_delta``), and one survives with probability
proportional to its weight. Enumerating every draw, every coupled alternate and every
pruning choice gives the exact distribution of the estimate. :func:`walk` is the program
itself, written with stochad, for the tests that run it.
"""

from __future__ import annotations

import math
from collections import defaultdict

from benchmarks import scalar_path


def walk(p, steps: int = 6):
    """The state-dependent random walk on scalar triples: up with probability e^(−x/p);
    the scalar-path benchmark's program (:func:`benchmarks.scalar_path.walk`), 6 steps."""
    return scalar_path.walk(p, steps)


def estimator_distribution(p: float, steps: int, skip_zero_delta: bool = True) -> dict:
    """``{estimate: probability}`` of the pruned estimator of ``d/dp E[x_steps]``."""
    states = {(0, None, 0.0): 1.0}  # (x, alternate or None, weight) -> probability
    for _ in range(steps):
        after: dict = defaultdict(float)
        for (x, alt, w), prob in states.items():
            for key, q in _step(p, x, alt, w, skip_zero_delta):
                after[key] += prob * q
        states = after
    out: dict = defaultdict(float)
    for (x, alt, w), prob in states.items():
        out[0.0 if alt is None else w * (alt - x)] += prob
    return dict(out)


def _step(p, x, alt, w, skip_zero_delta):
    up = math.exp(-x / p)
    dup = up * x / p**2  # the draw parameter's tangent
    carried = alt is not None and (alt != x or not skip_zero_delta)
    up_alt = math.exp(-alt / p) if alt is not None else up
    for b, pb in ((1, up), (0, 1.0 - up)):
        if pb == 0.0:
            continue
        fresh = dup / (1.0 - up) if (b == 0 and dup > 0) else 0.0
        # the coupled alternate draw: a uniform on the primal draw's slice of (0, 1]
        if b == 1:
            p_alt_one = min(up_alt, up) / up
        else:
            p_alt_one = max(0.0, up_alt - up) / (1.0 - up)
        choices = []
        if carried and fresh > 0:
            total = w + fresh
            choices += [("carried", w / total, total), ("fresh", fresh / total, total)]
        elif carried:
            choices.append(("carried", 1.0, w))
        elif fresh > 0:
            choices.append(("fresh", 1.0, fresh))
        x_new = x + 2 * b - 1
        if not choices:
            yield (x_new, None, 0.0), pb
            continue
        for which, q, weight in choices:
            if which == "fresh":
                yield (x_new, x + 1, weight), pb * q
            else:
                for b_alt, q_alt in ((1, p_alt_one), (0, 1.0 - p_alt_one)):
                    if q_alt > 0:
                        yield (x_new, alt + 2 * b_alt - 1, weight), pb * q * q_alt


def moments(distribution: dict) -> tuple[float, float, float]:
    """Mean, variance and fourth central moment of ``{value: probability}``."""
    mean = sum(v * q for v, q in distribution.items())
    var = sum((v - mean) ** 2 * q for v, q in distribution.items())
    m4 = sum((v - mean) ** 4 * q for v, q in distribution.items())
    return mean, var, m4


def exact_derivative(p: float, steps: int, h: float = 1e-6) -> float:
    """``d/dp E[x_steps]`` by dynamic programming over positions (central difference)."""

    def expected(pp):
        dist = {0: 1.0}
        for _ in range(steps):
            nxt: dict = defaultdict(float)
            for x, q in dist.items():
                up = math.exp(-x / pp)
                nxt[x + 1] += q * up
                nxt[x - 1] += q * (1 - up)
            dist = nxt
        return sum(x * q for x, q in dist.items())

    return (expected(p + h) - expected(p - h)) / (2 * h)
