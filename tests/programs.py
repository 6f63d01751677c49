"""Test programs written once, run two ways: through stochad and by exact enumeration.

A *program* here is a function ``program(theta, draw)`` whose only randomness is
``draw(p)``, a Bernoulli(p) draw, called the same number of times on every path. Passing
``stochad.bernoulli`` runs it on stochastic triples; :func:`exact_expectation` runs it on
plain floats with ``draw`` replaced by a fixed choice of outcomes, once per element of
``{0, 1}^n``, weighting each path by its probability. Central differences of that
expectation give the exact derivative.

Also here: random small programs for property tests (:class:`Step`, :func:`run_steps`),
the exact distribution of the pruned and dict estimators of a linear combination of
independent Bernoullis, and the statistical assertions every Monte Carlo test uses.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

import stochad

Program = Callable[[float, Callable], object]

Z = 5.0
"""Every Monte Carlo comparison allows this many standard errors."""


# -- exact enumeration ----------------------------------------------------------------
def _scripted_draw(outcomes, probability, perturb=None):
    """A ``draw`` that returns ``outcomes`` in turn and multiplies ``probability[0]``."""
    it = iter(outcomes)
    ps = []

    def draw(p):
        bit = next(it)
        p_value = stochad.value(p)
        ps.append(p_value)
        probability[0] *= p_value if bit else 1.0 - p_value
        return bit if perturb is None else bit + perturb(len(ps) - 1, p)

    draw.probabilities = ps  # the p of every draw so far, in order
    return draw


def exact_expectation(program: Program, theta: float, n_draws: int) -> float:
    """``E[program(theta)]`` by summing over all ``2**n_draws`` outcome paths."""
    total = 0.0
    for outcomes in itertools.product((0, 1), repeat=n_draws):
        probability = [1.0]
        out = program(theta, _scripted_draw(outcomes, probability))
        total += probability[0] * float(out)
    return total


def exact_derivative(program: Program, theta: float, n_draws: int, h: float = 1e-5) -> float:
    """``d/dθ E[program(θ)]`` by a central difference of the exact expectation."""
    up = exact_expectation(program, theta + h, n_draws)
    down = exact_expectation(program, theta - h, n_draws)
    return (up - down) / (2.0 * h)


def exact_smoothed_mean(program: Program, theta: float, n_draws: int, h: float = 1e-6) -> float:
    """The expectation of the straight-through (smoothed) derivative, by enumeration.

    Along a fixed path every draw contributes ``d p`` (the derivative of its mean) and the
    rest of the program obeys the chain rule. That is the θ-derivative of the program in
    which each draw returns ``outcome + p(θ) − p(θ0)``; it is taken by central differences
    on every path and averaged with the path probabilities at θ0.
    """
    total = 0.0
    for outcomes in itertools.product((0, 1), repeat=n_draws):
        probability = [1.0]
        record = _scripted_draw(outcomes, probability)
        program(theta, record)
        base_ps = record.probabilities
        up = program(theta + h, _scripted_draw(outcomes, [1.0], _shift_from(base_ps)))
        down = program(theta - h, _scripted_draw(outcomes, [1.0], _shift_from(base_ps)))
        total += probability[0] * (float(up) - float(down)) / (2.0 * h)
    return total


def _shift_from(base_ps):
    return lambda k, p: p - base_ps[k]


# -- random small programs (property tests) -------------------------------------------
@dataclass(frozen=True)
class Step:
    """One step: draw ``x ~ Bernoulli(base + slope·θ + Σ couplings·earlier draws)``, combine.

    :func:`random_steps` keeps ``base ∈ [0.35, 0.65]``, ``|slope| ≤ 0.1`` (with
    ``θ ∈ [0, 1]``) and ``Σ|couplings| ≤ 0.2``, so every probability lies in [0.05, 0.95].
    """

    base: float
    slope: float
    couplings: tuple[float, ...]
    op: str
    scale: float


OPS = ("add", "mul", "where", "maximum")


def _combine(op: str, acc, x, scale: float, theta):
    if op == "add":
        return acc + scale * x
    if op == "mul":
        return acc * (1.0 + scale * x)
    if op == "where":
        return stochad.where(x > 0.5, acc, scale * theta)
    if op == "maximum":
        return stochad.maximum(acc, scale * x)
    raise ValueError(op)


def run_steps(steps: Sequence[Step], theta, draw):
    """Run a step list (see :class:`Step`); the accumulator starts at ``θ``."""
    draws = []
    acc = theta
    for step in steps:
        p = step.base + step.slope * theta
        for c, x in zip(step.couplings, draws, strict=False):
            p = p + c * x
        x = draw(p)
        draws.append(x)
        acc = _combine(step.op, acc, x, step.scale, theta)
    return acc


@st.composite
def random_steps(draw, max_steps=3):
    """A list of Steps whose Bernoulli probabilities stay in [0.05, 0.95] for θ in [0, 1]."""
    n = draw(st.integers(1, max_steps))
    steps = []
    for k in range(n):
        couplings = tuple(draw(st.floats(-0.2, 0.2)) / max(k, 1) for _ in range(k))
        steps.append(
            Step(
                base=draw(st.floats(0.35, 0.65)),
                slope=draw(st.floats(-0.1, 0.1)),
                couplings=couplings,
                op=draw(st.sampled_from(OPS)),
                scale=draw(st.floats(-2.0, 2.0)),
            )
        )
    return steps


# -- exact estimator distributions -------------------------------------------------------
@dataclass(frozen=True)
class LinearTerm:
    """``coef · x`` with ``x ~ Bernoulli(offset + slope·θ)``, drawn independently."""

    coef: float
    offset: float
    slope: float


# small linear programs whose estimator distributions are enumerated exactly
LINEAR_PROGRAMS = {
    "two bernoullis, different rates": [LinearTerm(1.0, 0.1, 1.0), LinearTerm(3.0, 0.0, 2.0)],
    "walk of three ±1 steps": [LinearTerm(2.0, 0.2, 0.5)] * 3,
    "mixed signs of the tangent": [
        LinearTerm(1.0, 0.2, 0.5),
        LinearTerm(3.0, 0.1, 1.0),
        LinearTerm(-2.0, 0.9, -0.5),
    ],
}


def linear_program(terms: Sequence[LinearTerm]) -> Program:
    def program(theta, draw):
        total = 0.0
        for term in terms:
            total = total + term.coef * draw(term.offset + term.slope * theta)
        return total

    return program


def linear_estimator_distribution(
    terms: Sequence[LinearTerm], theta: float, backend: str
) -> list[tuple[float, float]]:
    """The exact distribution ``[(estimate, probability), ...]`` of one sample.

    docs/theory.md §2: a Bernoulli whose p has tangent ``s > 0`` jumps 0 → 1 at rate
    ``s/(1−p)``; with ``s < 0`` it jumps 1 → 0 at rate ``−s/p``. The dict backend sums
    every event's contribution ``w·coef·(Y − X)``; the pruned backend (§3) keeps event
    ``k`` with probability ``w_k / Σw`` and gives it weight ``Σw``.
    """
    out = []
    for outcomes in itertools.product((0, 1), repeat=len(terms)):
        probability = 1.0
        events = []  # (weight, contribution per unit weight)
        for term, x in zip(terms, outcomes, strict=True):
            p = term.offset + term.slope * theta
            probability *= p if x else 1.0 - p
            if term.slope > 0 and x == 0:
                events.append((term.slope / (1.0 - p), term.coef))
            elif term.slope < 0 and x == 1:
                events.append((-term.slope / p, -term.coef))
        if backend == "dict" or len(events) <= 1:
            out.append((sum(w * c for w, c in events), probability))
            continue
        total = sum(w for w, _ in events)
        out.extend((total * c, probability * w / total) for w, c in events)
    return out


def distribution_moments(distribution) -> tuple[float, float, float]:
    """Mean, variance and fourth central moment of ``[(value, probability), ...]``."""
    values = np.array([v for v, _ in distribution])
    probs = np.array([q for _, q in distribution])
    assert math.isclose(probs.sum(), 1.0, rel_tol=1e-12)
    mean = float(probs @ values)
    centred = values - mean
    return mean, float(probs @ centred**2), float(probs @ centred**4)


# -- statistical assertions ---------------------------------------------------------------
def samples_of(f, theta, n: int, backend: str, seed: int) -> np.ndarray:
    """``n`` independent derivative estimates (fixed seed)."""
    return stochad.expected_derivative(f, theta, n, backend=backend, rng=seed).samples


def assert_mean_close(samples, exact: float, what: str = "mean", tol: float = 1e-8) -> None:
    """The sample mean lies within ``Z`` standard errors of ``exact``.

    ``tol`` absorbs the numerical error of ``exact`` (central differences), relative to
    ``1 + |exact|``.
    """
    samples = np.asarray(samples, dtype=float)
    mean = samples.mean()
    stderr = samples.std(ddof=1) / math.sqrt(len(samples))
    assert abs(mean - exact) <= Z * stderr + tol * (1.0 + abs(exact)), (
        f"{what}: {mean} ± {stderr} (n={len(samples)}), exact {exact}"
    )


def assert_variance_close(samples, variance: float, fourth_moment: float) -> None:
    """The sample variance lies within ``Z`` standard errors of the exact ``variance``.

    For ``n`` independent samples ``Var(s²) = (μ4 − σ⁴·(n−3)/(n−1))/n`` exactly.
    """
    samples = np.asarray(samples, dtype=float)
    n = len(samples)
    stderr = math.sqrt((fourth_moment - variance**2 * (n - 3) / (n - 1)) / n)
    s2 = samples.var(ddof=1)
    assert abs(s2 - variance) <= Z * stderr + 1e-12, (
        f"variance: {s2} ± {stderr} (n={n}), exact {variance}"
    )


def assert_distribution_matches(samples, distribution) -> None:
    """Sample mean and variance agree with an exact estimator distribution."""
    mean, variance, fourth = distribution_moments(distribution)
    assert_mean_close(samples, mean)
    assert_variance_close(samples, variance, fourth)


def assert_variance_not_larger(smaller, larger) -> None:
    """``Var(smaller) ≤ Var(larger)`` up to ``Z`` standard errors of the difference.

    The two sample sets are paired (drawn on the same seeds, so on the same primal paths);
    the difference of sample variances is the mean of ``(a − ā)² − (b − b̄)²`` and its
    standard error comes from those per-pair differences. A true ``Var(a) ≤ Var(b)``
    fails this check with probability about that of a 5-sigma deviation.
    """
    a = np.asarray(smaller, dtype=float)
    b = np.asarray(larger, dtype=float)
    d = (a - a.mean()) ** 2 - (b - b.mean()) ** 2
    stderr = d.std(ddof=1) / math.sqrt(len(d))
    assert d.mean() <= Z * stderr + 1e-12, (
        f"variance {a.var()} exceeds {b.var()} by more than {Z} standard errors ({stderr})"
    )
