"""StochasticAD.jl's custom rule: a geometric sampler as a loop of Bernoulli trials.

``trials(p)`` counts Bernoulli(p) trials up to the first success. Run on a triple, the
loop's ``while not success`` is a branch on a random value: stochad refuses it
(``PerturbationLostError``), since each trial's jump would change how many trials follow.
The fix is a rule of its own: a :class:`~stochad.distributions.DiscreteRule` whose inverse
CDF is the same loop of trials (trial ``k`` succeeds where ``F(k)`` passes the uniform) and
whose jump rule says how the count moves when ``p`` does (docs/theory.md §2: raising ``p``
shortens the run by one at rate ``δ(X − 1)/(p(1 − p))``, lowering it lengthens it at rate
``−δX/p``). Registered, it is drawn with ``stochad.sample`` and gets triples, the dict
backend and smoothing; the estimates of ``d/dp E[X] = −1/p²`` and
``d/dp E[X²] = d/dp (2 − p)/p²`` are compared with the exact values and with the
built-in ``stochad.geometric``.
"""

from __future__ import annotations

import math

import numpy as np
from common import main, mean_se, pyplot, save

import stochad
from stochad.distributions import DISTRIBUTIONS, DiscreteRule, register_distribution

NAME = "bernoulli_trials"


def trials(p) -> int:
    """The naive sampler: Bernoulli trials up to the first success."""
    k = 1
    while not stochad.bernoulli(p):
        k += 1
    return k


def _cdf(k, p):
    return 0.0 if k < 1 else 1.0 - (1.0 - p) ** math.floor(k)


def _inverse_cdf(u, p):
    """The loop of trials on one uniform: trial ``k`` succeeds once ``F(k) >= u``."""
    k, survive = 1, 1.0 - p  # P(the first k trials all fail)
    while 1.0 - survive < u:
        k += 1
        survive *= 1.0 - p
    return k


def _jump(x, d, p):
    if d > 0 and x > 1:
        return x - 1, d * (x - 1) / (p * (1 - p))
    if d < 0:
        return x + 1, -d * x / p
    return x, 0.0


RULE = DISTRIBUTIONS.get(NAME) or register_distribution(
    DiscreteRule(
        NAME, ("p",), kinds=("open_probability",), check=lambda p: (float(p),),
        inverse_cdf=_inverse_cdf, cdf=_cdf, jump=_jump, mean_partials=lambda p: (-1.0 / p**2,),
        differentiable=0, score=lambda x, p: (1 / p - (x - 1) / (1 - p),),
    )
)  # fmt: skip


def exact(p: float) -> tuple[float, float]:
    """``d/dp E[X]`` and ``d/dp E[X²]`` (``E[X²] = (2 − p)/p²``)."""
    return -1.0 / p**2, (p - 4.0) / p**3


def run(quick: bool = False) -> dict:
    try:
        stochad.derivative_estimate(trials, 0.5, rng=0)
        naive = "no error"
    except stochad.PerturbationLostError as err:
        naive = str(err).splitlines()[0]
    print(f"the naive loop on a triple: PerturbationLostError: {naive[:90]}...")
    n = 400 if quick else 4000
    ps = [0.3, 0.6] if quick else [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    rows = []
    for i, p in enumerate(ps):
        dmean, dsquare = exact(p)
        row = {"p": p, "exact_mean": dmean, "exact_square": dsquare}
        for backend in ("pruned", "dict"):
            r = stochad.expected_derivative(
                lambda q: stochad.sample(NAME, q) ** 2, p, n, rng=i, backend=backend
            )
            row[backend] = (r.mean, r.stderr)
        smoothed = stochad.derivative_estimate(
            lambda q: stochad.sample(NAME, q), p, rng=i, backend="smoothed"
        )
        row["smoothed_mean"] = float(smoothed)
        lanes = stochad.derivative_estimate(lambda q: stochad.geometric(q, size=n) ** 2, p, rng=i)
        row["builtin"] = mean_se(lanes)
        rows.append(row)
        print(
            f"p={p:.2f} d/dp E[X²]: exact {dsquare:9.3f}  custom pruned {row['pruned'][0]:9.3f} ± "
            f"{row['pruned'][1]:.3f}  dict {row['dict'][0]:9.3f} ± {row['dict'][1]:.3f}  "
            f"built-in {row['builtin'][0]:9.3f} ± {row['builtin'][1]:.3f}; smoothed d/dp E[X] "
            f"{row['smoothed_mean']:.4f} (exact {dmean:.4f})"
        )
    return {"naive_error": naive, "rows": rows}


def plot(results: dict, path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    rows = results["rows"]
    grid = np.linspace(min(r["p"] for r in rows), max(r["p"] for r in rows), 60)
    ax.plot(grid, [exact(p)[1] for p in grid], "k-", label="exact d/dp (2 − p)/p²")
    for key, fmt, label in (
        ("pruned", "o", "custom rule, pruned"),
        ("dict", "s", "custom rule, dict"),
        ("builtin", "^", "stochad.geometric"),
    ):
        ax.errorbar(
            [r["p"] for r in rows],
            [r[key][0] for r in rows],
            yerr=[5 * r[key][1] for r in rows],
            fmt=fmt,
            capsize=3,
            label=label,
        )
    ax.set(xlabel="p", ylabel="d/dp E[X²]", title="geometric as a loop of Bernoulli trials")
    ax.legend()
    save(fig, path)


if __name__ == "__main__":
    main("custom_rule", __doc__, run, plot)
