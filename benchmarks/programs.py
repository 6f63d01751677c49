"""The benchmark programs: stochad programs whose derivative is known exactly.

Every :class:`Program` holds a function ``f(p)`` written with stochad's samplers and math (so
every estimator runs the same code: triples, smoothing, score function, plain floats for
finite differences), the point ``p``, and exact values computed without sampling: the mean
``E[f(p)]`` as a function of ``p`` (so the expectation of a finite difference is known
exactly too), the derivative ``d/dp E[f(p)]``, and, where it has a closed form, the
expectation of each smoothed estimator (straight-through and symmetric, docs/theory.md §3),
whose bias is then known exactly.

Exact values come from closed forms, sums over a distribution's support (single draws), or
dynamic programming over positions (the state-dependent random walk).

The small stochastic spiking networks (``stochad.snn``) are defined in
``benchmarks/snn_programs.py`` and listed here after the others.

This module imports only stochad, numpy, scipy and ``benchmarks.snn_programs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from scipy.special import expit

import stochad
from benchmarks import snn_programs

__all__ = ["Program", "PROGRAMS", "QUICK", "get", "walk_distribution", "random_walk"]


@dataclass(frozen=True)
class Program:
    """A benchmark program and its exact values.

    Attributes
    ----------
    name : str
        a short identifier (used on the command line and in the results).
    title : str
        what the program computes, for the tables.
    f : callable
        ``f(p)``: the program, written with stochad samplers and math.
    p : float
        the point at which ``d/dp E[f(p)]`` is estimated.
    mean : callable
        ``mean(p)``: the exact ``E[f(p)]`` near ``p``.
    derivative : float
        the exact ``d/dp E[f(p)]`` at ``p``.
    smoothed : dict
        the exact expectation of the smoothed estimator, by strategy
        (``"straight-through"``, ``"symmetric"``); a strategy missing here has no known
        closed form.
    fd_step : float
        the half step ``h`` of the finite-difference estimators.
    draws : int
        how many discrete draws one run makes (on the longest path).
    note : str
        how the exact values were obtained, and what to expect of the estimators.
    batch : int
        how many independent samples one run gives: ``f(p)`` returns a vector of ``batch``
        per-row values (the SNN programs), or one number (``batch = 1``).
    samplers : dict
        estimator name -> ``make(program, baseline)`` replacing that estimator's generic
        sampler (the SNN programs' score function, which needs the network's spikes).
    skip : dict
        estimator name -> why that estimator does not run on this program.
    """

    name: str
    title: str
    f: Callable
    p: float
    mean: Callable[[float], float]
    derivative: float
    smoothed: dict = field(default_factory=dict)
    fd_step: float = 0.05
    draws: int = 1
    note: str = ""
    batch: int = 1
    samplers: dict = field(default_factory=dict)
    skip: dict = field(default_factory=dict)

    def fd_expectation(self, h: float | None = None) -> float:
        """The exact expectation of the central difference ``(f(p+h) − f(p−h))/2h``."""
        h = self.fd_step if h is None else h
        return (self.mean(self.p + h) - self.mean(self.p - h)) / (2.0 * h)


def _sigmoid_prime(x: float) -> float:
    s = expit(x)
    return float(s * (1.0 - s))


# -- sums and squares of Bernoullis ----------------------------------------------------
BERNOULLI_SUM_N = 10


def bernoulli_sum(p, n=BERNOULLI_SUM_N):
    """``Σ_{i<n} Bernoulli(p)``."""
    total = 0
    for _ in range(n):
        total = total + stochad.bernoulli(p)
    return total


WALK_STEPS = 20


def walk_squared(p, steps=WALK_STEPS):
    """``x²`` after ``steps`` steps of ±1, up with probability ``p``."""
    x = 0
    for _ in range(steps):
        x = x + 2 * stochad.bernoulli(p) - 1
    return x * x


def _walk_squared_mean(p, n=WALK_STEPS):
    return 4 * n * p * (1 - p) + (n * (2 * p - 1)) ** 2


COIN_WEIGHTS = np.linspace(-1.0, 2.0, 10)


def weighted_coins_squared(p):
    """``(Σ c_i·Bernoulli(p))²`` with fixed weights ``c_i`` from −1 to 2."""
    total = 0.0
    for c in COIN_WEIGHTS:
        total = total + float(c) * stochad.bernoulli(p)
    return total * total


def _coins_mean(p):
    c1, c2 = float(np.sum(COIN_WEIGHTS)), float(np.sum(COIN_WEIGHTS**2))
    return p * (1 - p) * c2 + (p * c1) ** 2


# -- the two-layer example of Gygax & Zenke -----------------------------------------------
W2, B = 2.0, -1.0


def two_layer(w1, w2=W2, b=B):
    """``h ~ Bern(σ(w1))``, ``y ~ Bern(σ(w2·h + b))``; returns ``y`` (input x = 1)."""
    h = stochad.bernoulli(stochad.sigmoid(w1))
    return stochad.bernoulli(stochad.sigmoid(w2 * h + b))


def _two_layer_mean(w1):
    q = expit(w1)
    return float(q * expit(W2 + B) + (1 - q) * expit(B))


# -- single draws, exact by summing over the support -------------------------------------
@dataclass(frozen=True)
class _SingleDraw:
    """``g(X)`` for one draw ``X``: exact values by sums over the support."""

    pmf: Callable  # (k, p) -> P(k)
    score: Callable  # (k, p) -> d/dp log P(k)
    straight: Callable  # (k, p) -> the straight-through δ̃ per unit tangent
    symmetric: Callable  # (k, p) -> the symmetric δ̃ per unit tangent
    support: Callable  # p -> array of k (truncated where the tail is below 1e-16)
    g: Callable  # float version of the output function
    dg: Callable  # its derivative

    def mean(self, p):
        k = self.support(p)
        return float(np.sum(self.pmf(k, p) * self.g(k)))

    def derivative(self, p):
        k = self.support(p)
        return float(np.sum(self.pmf(k, p) * self.score(k, p) * self.g(k)))

    def smoothed(self, p):
        k = self.support(p)
        weight = self.pmf(k, p) * self.dg(k)
        return {
            "straight-through": float(np.sum(weight * self.straight(k, p))),
            "symmetric": float(np.sum(weight * self.symmetric(k, p))),
        }


BINOMIAL_N = 10
BINOMIAL = _SingleDraw(
    pmf=lambda k, p: stats.binom.pmf(k, BINOMIAL_N, p),
    score=lambda k, p: k / p - (BINOMIAL_N - k) / (1 - p),
    straight=lambda k, p: np.full(np.shape(k), float(BINOMIAL_N)),
    symmetric=lambda k, p: 0.5 * ((BINOMIAL_N - k) / (1 - p) + k / p),
    support=lambda p: np.arange(BINOMIAL_N + 1),
    g=lambda k: k * k,
    dg=lambda k: 2.0 * k,
)


def binomial_squared(p):
    """``X²`` for ``X ~ Binomial(10, p)``."""
    x = stochad.binomial(BINOMIAL_N, p)
    return x * x


def _long_support(ppf):
    return lambda p: np.arange(int(ppf(1.0 - 1e-16, p)) + 2)


GEOMETRIC = _SingleDraw(
    pmf=lambda k, p: stats.geom.pmf(k, p),
    score=lambda k, p: np.where(k >= 1, 1 / p - (k - 1) / (1 - p), 0.0),
    straight=lambda k, p: np.full(np.shape(k), -1.0 / p**2),
    symmetric=lambda k, p: -0.5 * ((k - 1) / (p * (1 - p)) + k / p),
    support=lambda p: np.arange(1, int(stats.geom.isf(1e-16, p)) + 2),
    g=lambda k: np.sqrt(k),
    dg=lambda k: 0.5 / np.sqrt(k),
)


def geometric_sqrt(p):
    """``√X`` for ``X ~ Geometric(p)`` (trials, X ≥ 1)."""
    return stochad.sqrt(stochad.geometric(p))


POISSON = _SingleDraw(
    pmf=lambda k, lam: stats.poisson.pmf(k, lam),
    score=lambda k, lam: k / lam - 1.0,
    straight=lambda k, lam: np.ones(np.shape(k)),
    symmetric=lambda k, lam: 0.5 * (1.0 + k / lam),
    support=lambda lam: np.arange(int(stats.poisson.isf(1e-16, lam)) + 2),
    g=lambda k: np.exp(-k / 2.0),
    dg=lambda k: -0.5 * np.exp(-k / 2.0),
)


def poisson_exp(lam):
    """``exp(−X/2)`` for ``X ~ Poisson(λ)``."""
    return stochad.exp(-stochad.poisson(lam) / 2.0)


# -- categorical ------------------------------------------------------------------------
def _categorical_probs(p):
    """Four categories, two rising and two falling with ``p``: both boundaries move."""
    return [(1 - p) / 2, p / 2, (1 - p) / 2, p / 2]


def categorical_program(p):
    """``(I − 1)²`` for ``I ~ Categorical([(1−p)/2, p/2, (1−p)/2, p/2])``."""
    i = stochad.categorical(_categorical_probs(p))
    return (i - 1) * (i - 1)


def _categorical_mean(p):
    return float(sum(q * (j - 1) ** 2 for j, q in enumerate(_categorical_probs(p))))


def _categorical_smoothed(p):
    # both strategies use the mean index: δ̃ = Σ_j j·dπ_j/dp = (−0 + 1 − 2 + 3)/2 = 1
    mean_index = sum(j * q for j, q in enumerate(_categorical_probs(p)))
    value = 2.0 * (mean_index - 1.0)
    return {"straight-through": value, "symmetric": value}


# -- a Poisson count thinned by a binomial (coupled alternates of a count parameter) -------
THINNING = 0.4


def thinned_poisson_squared(lam, p=THINNING):
    """``X²`` for ``X ~ Binomial(N, 0.4)``, ``N ~ Poisson(λ)``: X is Poisson(0.4 λ)."""
    x = stochad.binomial(stochad.poisson(lam), p)
    return x * x


def _thinned_mean(lam, p=THINNING):
    m = lam * p
    return m + m * m


# -- a capped Poisson queue -----------------------------------------------------------------
CAPACITY = 3


def served(lam, capacity=CAPACITY):
    """``min(N, 3)`` for ``N ~ Poisson(λ)``, through ``stochad.propagate``."""
    return stochad.propagate(lambda n: min(n, capacity), stochad.poisson(lam))


def _served_mean(lam):
    k = np.arange(CAPACITY)
    below = stats.poisson.pmf(k, lam)
    return float(np.sum(below * k) + CAPACITY * (1.0 - np.sum(below)))


def _served_smoothed(lam):
    # min(n, 3) passes n's tangent on where n ≤ 3 (Python's min keeps n on a tie)
    k = np.arange(CAPACITY + 1)
    pmf = stats.poisson.pmf(k, lam)
    return {
        "straight-through": float(np.sum(pmf)),
        "symmetric": float(np.sum(pmf * 0.5 * (1.0 + k / lam))),
    }


# -- the state-dependent random walk (StochasticAD.jl's example) ---------------------------
def random_walk(p, steps):
    """``x²`` after ``steps`` steps of ±1 from 0, up with probability ``exp(−x/p)``.

    At ``x = 0`` the walk goes up for sure, so ``x ≥ 0``; the up-probability of every step
    depends on the path so far, so each draw's parameter carries the earlier draws' jumps
    (coupled alternates).
    """
    x = 0
    for _ in range(steps):
        x = x + 2 * stochad.bernoulli(stochad.exp(-x / p)) - 1
    return x * x


def walk_distribution(p: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """The law of the random walk's position and its ``p``-derivative, by dynamic programming.

    Returns
    -------
    probability, derivative : ndarray
        ``P(x_steps = x)`` and ``d/dp P(x_steps = x)`` for ``x = 0..steps``.
    """
    x = np.arange(steps + 1, dtype=np.float64)
    up = np.exp(-x / p)
    dup = x / p**2 * up
    prob = np.zeros(steps + 1)
    dprob = np.zeros(steps + 1)
    prob[0] = 1.0
    for _ in range(steps):
        new, dnew = np.zeros_like(prob), np.zeros_like(prob)
        new[1:] += (prob * up)[:-1]
        dnew[1:] += (dprob * up + prob * dup)[:-1]
        new[:-1] += (prob * (1 - up))[1:]
        dnew[:-1] += (dprob * (1 - up) - prob * dup)[1:]
        prob, dprob = new, dnew
    return prob, dprob


def _walk_program(steps: int) -> Program:
    p = 2.0 * steps

    def mean(q):
        prob, _ = walk_distribution(q, steps)
        return float(np.sum(prob * np.arange(steps + 1) ** 2))

    _, dprob = walk_distribution(p, steps)

    def f(q):
        return random_walk(q, steps)

    return Program(
        name=f"walk{steps}",
        title=f"state-dependent walk x², up w.p. exp(−x/p), n={steps}, p={p:g}",
        f=f,
        p=p,
        mean=mean,
        derivative=float(np.sum(dprob * np.arange(steps + 1) ** 2)),
        fd_step=0.05 * p,
        draws=steps,
        note="exact by dynamic programming over positions 0..n (law and its p-derivative); "
        "smoothed means have no closed form (each draw's parameter depends on the path)",
    )


def _single(name, title, f, p, law: _SingleDraw, fd_step, note) -> Program:
    return Program(
        name=name,
        title=title,
        f=f,
        p=p,
        mean=law.mean,
        derivative=law.derivative(p),
        smoothed=law.smoothed(p),
        fd_step=fd_step,
        draws=1,
        note=note,
    )


_ONE_DRAW = "one draw: nothing to prune, so pruned and dict coincide sample for sample; "

PROGRAMS: dict[str, Program] = {
    prog.name: prog
    for prog in [
        Program(
            name="bernoulli_sum",
            title=f"sum of {BERNOULLI_SUM_N} Bernoulli(p), p=0.3",
            f=bernoulli_sum,
            p=0.3,
            mean=lambda p: BERNOULLI_SUM_N * p,
            derivative=float(BERNOULLI_SUM_N),
            smoothed={"straight-through": float(BERNOULLI_SUM_N),
                      "symmetric": float(BERNOULLI_SUM_N)},
            fd_step=0.05,
            draws=BERNOULLI_SUM_N,
            note="closed form E = np; every jump has weight 1/(1−p) and moves the sum by +1, "
            "so the pruned survivor carries exactly dict's total: pruned and dict coincide; "
            "linear in the draws, so both smoothings are unbiased and straight-through is exact "
            "by construction (every sample is n)",
        ),
        Program(
            name="walk_squared",
            title=f"simple walk x², {WALK_STEPS} steps ±1, up w.p. p=0.6",
            f=walk_squared,
            p=0.6,
            mean=_walk_squared_mean,
            derivative=4.0 * WALK_STEPS * (WALK_STEPS - 1) * (2 * 0.6 - 1),
            # straight-through: 2x·Σ 2 = 4n·x; symmetric: E[(2b−1)·δ̃] = 0 for each coin
            smoothed={"straight-through": 4.0 * WALK_STEPS**2 * (2 * 0.6 - 1),
                      "symmetric": 4.0 * WALK_STEPS * (WALK_STEPS - 1) * (2 * 0.6 - 1)},
            fd_step=0.05,
            draws=WALK_STEPS,
            note="closed form E = 4np(1−p) + n²(2p−1)²; straight-through is biased by "
            "4n(2p−1); symmetric smoothing happens to be unbiased here (b² = b for a coin)",
        ),
        Program(
            name="weighted_coins",
            title="(Σ c_i Bernoulli(p))², 10 weights c from −1 to 2, p=0.4",
            f=weighted_coins_squared,
            p=0.4,
            mean=_coins_mean,
            derivative=float(np.sum(COIN_WEIGHTS**2) * (1 - 2 * 0.4)
                             + 2 * 0.4 * np.sum(COIN_WEIGHTS) ** 2),
            smoothed={"straight-through": 2 * 0.4 * float(np.sum(COIN_WEIGHTS)) ** 2,
                      "symmetric": float(np.sum(COIN_WEIGHTS**2) * (1 - 2 * 0.4)
                                         + 2 * 0.4 * np.sum(COIN_WEIGHTS) ** 2)},
            fd_step=0.05,
            draws=len(COIN_WEIGHTS),
            note="closed form E = p(1−p)Σc² + p²(Σc)²; straight-through biased by "
            "(1−2p)Σc², symmetric unbiased (quadratic in coins)",
        ),
        Program(
            name="two_layer",
            title="two-layer binary net (Gygax & Zenke): h~Bern(σ(w1)), y~Bern(σ(2h−1)), w1=0.3",
            f=two_layer,
            p=0.3,
            mean=_two_layer_mean,
            derivative=_sigmoid_prime(0.3) * float(expit(W2 + B) - expit(B)),
            smoothed={
                "straight-through": _sigmoid_prime(0.3) * W2
                * float(expit(0.3) * _sigmoid_prime(W2 + B) + (1 - expit(0.3)) * _sigmoid_prime(B)),
                "symmetric": _sigmoid_prime(0.3) * W2
                * 0.5 * (_sigmoid_prime(W2 + B) + _sigmoid_prime(B)),
            },
            fd_step=0.05,
            draws=2,
            note="exact σ'(w1)(σ(w2+b) − σ(b)); smoothed means σ'(w1)·w2·E_h[σ'(w2h+b)] "
            "(straight-through) and σ'(w1)·w2·(σ'(w2+b)+σ'(b))/2 (symmetric), equal here "
            "because σ' is even and w2+b = −b (straight-through is the same number on every "
            "path); only h's jump reaches y (y's parameter has no tangent), so pruned and dict "
            "coincide",
        ),
        _single("binomial_sq", f"X², X ~ Binomial({BINOMIAL_N}, p), p=0.3", binomial_squared,
                0.3, BINOMIAL, 0.05,
                _ONE_DRAW + "exact values (and smoothed means) by summing over the support"),
        _single("geometric_sqrt", "√X, X ~ Geometric(p) (trials), p=0.3", geometric_sqrt, 0.3,
                GEOMETRIC, 0.03,
                _ONE_DRAW + "exact by summing over the support (tail < 1e-16)"),
        _single("poisson_exp", "exp(−X/2), X ~ Poisson(λ), λ=3", poisson_exp, 3.0, POISSON,
                0.3, _ONE_DRAW + "exact by summing over the support (tail < 1e-16)"),
        Program(
            name="categorical",
            title="(I−1)², I ~ Categorical([(1−p)/2, p/2, (1−p)/2, p/2]), p=0.35",
            f=categorical_program,
            p=0.35,
            mean=_categorical_mean,
            derivative=float(sum((j - 1) ** 2 * d for j, d in enumerate([-0.5, 0.5, -0.5, 0.5]))),
            smoothed=_categorical_smoothed(0.35),
            fd_step=0.05,
            draws=1,
            note=_ONE_DRAW + "exact Σ g(j)·dπ_j/dp; the categorical smooths through its mean "
            "index under both strategies, so the two smoothed rows coincide",
        ),
        Program(
            name="thinned_poisson",
            title=f"X², X ~ Binomial(N, {THINNING}), N ~ Poisson(λ), λ=4",
            f=thinned_poisson_squared,
            p=4.0,
            mean=_thinned_mean,
            derivative=THINNING + 2 * 4.0 * THINNING**2,
            smoothed={"straight-through": 2 * 4.0 * THINNING**2,
                      "symmetric": THINNING**2 * (2 * 4.0 + 1)},
            fd_step=0.2,
            draws=2,
            note="X is Poisson(0.4λ): E = m + m², m = 0.4λ; the binomial's count carries the "
            "Poisson's jumps (coupled alternate), the only event (the binomial's p has no "
            "tangent), so pruned and dict coincide; smoothed means by the same thinning algebra",
        ),
        Program(
            name="queue",
            title=f"min(N, {CAPACITY}), N ~ Poisson(λ), λ=2 (stochad.propagate)",
            f=served,
            p=2.0,
            mean=_served_mean,
            derivative=float(stats.poisson.cdf(CAPACITY - 1, 2.0)),
            smoothed=_served_smoothed(2.0),
            fd_step=0.1,
            draws=1,
            note=_ONE_DRAW + "exact dE/dλ = P(N ≤ 2); smoothing biased at the cap "
            "(min(n, 3) passes the tangent on at n = 3)",
        ),
        _walk_program(10),
        _walk_program(50),
        *[Program(**definition) for definition in snn_programs.definitions()],
    ]
}
"""Every program, by name, in the order of the tables."""

QUICK = ["bernoulli_sum", "two_layer", "binomial_sq", "categorical", "thinned_poisson", "walk10",
         "snn_two_layer", "snn_lif10"]
"""The programs of ``--quick`` runs."""


def get(names) -> list[Program]:
    """The programs named in ``names`` (an iterable of names), in table order."""
    names = list(names)
    unknown = [n for n in names if n not in PROGRAMS]
    if unknown:
        raise KeyError(f"unknown program(s) {unknown}; known: {list(PROGRAMS)}")
    return [PROGRAMS[n] for n in PROGRAMS if n in names]

