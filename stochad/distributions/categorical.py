"""Categorical(probs): an index ``0..k−1``; ``probs`` may hold triples."""

from __future__ import annotations

import math

import numpy as np

from stochad.distributions.base import DiscreteRule, register_distribution
from stochad.errors import check_probability

__all__ = ["CATEGORICAL", "check", "check_array", "inverse_cdf", "cdf", "jumps"]

_SUM_TOLERANCE = 1e-9


def check(probs) -> list[float]:
    if len(probs) == 0:
        raise ValueError("probs must hold at least one probability, got an empty sequence")
    values = [check_probability(f"probs[{j}]", q) for j, q in enumerate(probs)]
    total = math.fsum(values)
    if abs(total - 1.0) > _SUM_TOLERANCE * len(values):
        raise ValueError(f"probs must sum to 1, got sum(probs)={total!r}")
    return values


def check_array(probs, where=None, world: str = "") -> np.ndarray:
    """Probabilities along the last axis: each in [0, 1], each row summing to 1.

    ``where`` (the batch shape) limits the check to some rows (an alternate world's live
    rows); ``world`` prefixes the message. Returns ``probs`` as float64.
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 0 or probs.shape[-1] == 0:
        raise ValueError(
            "probs must hold at least one probability along its last axis, got shape "
            f"{probs.shape}"
        )
    k = probs.shape[-1]
    bad_entry = ~((probs >= 0.0) & (probs <= 1.0))
    # a product with ones: numpy's sum along a short last axis is slow
    bad_sum = np.abs(probs @ np.ones(k) - 1.0) > _SUM_TOLERANCE * k
    if where is not None:
        bad_entry &= np.asarray(where)[..., None]
        bad_sum &= np.asarray(where)
    if bad_entry.any():
        index = tuple(int(i) for i in np.argwhere(bad_entry)[0])
        raise ValueError(
            f"{world}categorical: probs must be in [0, 1], got probs[{', '.join(map(str, index))}]"
            f"={float(probs[index])!r}"
        )
    if bad_sum.any():
        index = tuple(int(i) for i in np.argwhere(bad_sum)[0])
        label = f"probs[{', '.join(map(str, index))}, :]" if index else "probs"
        raise ValueError(
            f"{world}categorical: probs must sum to 1 along the last axis, got sum({label})="
            f"{float(probs[index].sum())!r}"
        )
    return probs


def cdf(k, probs) -> float:
    if k < 0:
        return 0.0
    return min(math.fsum(probs[: int(k) + 1]), 1.0)


def inverse_cdf(u, probs) -> int:
    total = 0.0
    last_positive = 0
    for j, q in enumerate(probs):
        if q > 0.0:
            last_positive = j
            total += q
            if total >= u:
                return j
    return last_positive


def _boundary_jumps(i, probs, tangents, rate, step) -> list[tuple[int, float]]:
    """Where a boundary of ``i``'s interval that moves into it by ``rate`` sends the draw.

    Walking away from ``i`` (``step`` = ±1), a zero-probability category whose tangent is
    positive opens an interval of width ``δπ_j·ε`` at that boundary and takes that much of
    the rate; the nearest category with ``π > 0`` takes the rest.
    """
    out = []
    j = i + step
    while rate > 0.0 and 0 <= j < len(probs):
        share = rate if probs[j] > 0.0 else min(rate, max(tangents[j], 0.0))
        if share > 0.0:
            out.append((j, share / probs[i]))
        rate -= share
        j += step
    return out


def jumps(i, probs, tangents) -> list[tuple[int, float]]:
    """The draw's own jumps (docs/theory.md §2): the lower boundary up, the upper one down.

    The targets are the nearest categories with ``π > 0``, or, in between, categories of
    probability 0 that the tangent opens (``δπ_j > 0``): at ``p = 0``,
    ``categorical([1 − p, p])`` jumps like ``bernoulli(p)``.
    """
    lower = math.fsum(tangents[:i])
    upper = lower + tangents[i]
    out = _boundary_jumps(i, probs, tangents, lower, -1)
    return out + _boundary_jumps(i, probs, tangents, -upper, +1)


def _mean_partials(*probs):
    """``E[X] = Σ j·π_j``: the straight-through rule smooths through the mean index."""
    return tuple(float(j) for j in range(len(probs)))


def _score(i, *probs):
    return tuple(1.0 / q if j == i else 0.0 for j, q in enumerate(probs))


CATEGORICAL = register_distribution(
    DiscreteRule(
        "categorical",
        ("probs",),
        lambda *probs: tuple(check(probs)),
        lambda u, *probs: inverse_cdf(u, probs),
        lambda k, *probs: cdf(k, probs),
        lambda x, d, *probs: (x, 0.0),  # its jumps need every tangent at once: see jumps
        _mean_partials,
        differentiable=-1,  # no single parameter: symmetric smooths like straight-through
        kinds=("probability",),
        score=_score,
        jumps=jumps,
    )
)
