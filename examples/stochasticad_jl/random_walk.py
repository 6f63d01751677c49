"""StochasticAD.jl's state-dependent random walk: estimator spread against the number of steps.

``x₀ = 0``, ``x_{k+1} = x_k ± 1``, up with probability ``exp(−x_k/p)`` (the reference
writes the step as ``take([-1, 1], categorical([1 − up, up]))``); the output is ``x_n``.
For each ``n`` the script estimates ``d/dp E[x_n]`` with stochastic triples (pruned, on
lanes: the vectorized categorical walk; and the exact "dict" backend, a scalar loop), the
smoothed backend (biased) and the score function (REINFORCE), and prints each estimator's
mean ± SE and per-sample standard deviation beside the exact derivative, computed by
dynamic programming on (probability, derivative) pairs over the walk's states.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from common import main, mean_se, pyplot, save

import stochad

P = 2.0


def walk(p, steps: int, lanes: int | None = None):
    """The reference's walk; ``lanes`` runs that many independent walks at once."""
    x = 0 if lanes is None else np.zeros(lanes)
    for _ in range(steps):
        up = stochad.exp(-x / p)
        x = x + stochad.take([-1, 1], stochad.categorical([1 - up, up]))
    return x


def bernoulli_walk(p, steps: int, lanes: int):
    """The same walk with the step as ``2·bernoulli(up) − 1`` (the smoothed backend's form:
    a random index has no smoothed rule)."""
    x = np.zeros(lanes)
    for _ in range(steps):
        x = x + 2 * stochad.bernoulli(stochad.exp(-x / p)) - 1
    return x


def exact(p: float, steps: int) -> tuple[float, float]:
    """``E[x_n]`` and ``d/dp E[x_n]`` by dynamic programming over the states."""
    states = {0: (1.0, 0.0)}
    for _ in range(steps):
        after: dict = {}
        for x, (q, dq) in states.items():
            up = math.exp(-x / p)
            dup = up * x / p**2
            for y, m, dm in ((x + 1, up, dup), (x - 1, 1.0 - up, -dup)):
                if m == 0.0 and dm == 0.0:
                    continue
                a, b = after.get(y, (0.0, 0.0))
                after[y] = (a + q * m, b + dq * m + q * dm)
        states = after
    return (
        sum(x * q for x, (q, _) in states.items()),
        sum(x * dq for x, (_, dq) in states.items()),
    )


def run(quick: bool = False) -> dict:
    steps_list = [5, 10, 20] if quick else [5, 10, 20, 40, 80]
    lanes, scalar_n = (4000, 100) if quick else (40_000, 1000)
    rows = []
    print(f"d/dp E[x_n] at p = {P}: mean ± SE (per-sample std)")
    for steps in steps_list:
        row = {"steps": steps, "exact": exact(P, steps)[1]}
        lanes_walk = functools.partial(walk, steps=steps, lanes=lanes)
        one_walk = functools.partial(walk, steps=steps)
        samples = {
            "pruned": stochad.derivative_estimate(lanes_walk, P, rng=1),
            "smoothed": stochad.derivative_estimate(
                functools.partial(bernoulli_walk, steps=steps, lanes=lanes),
                P,
                rng=2,
                backend="smoothed",
            ),
            "dict": [
                stochad.derivative_estimate(one_walk, P, rng=s, backend="dict")
                for s in range(scalar_n)
            ],
            "score": [stochad.score_function_estimate(one_walk, P, rng=s) for s in range(scalar_n)],
        }
        line = [f"n={steps:3d} exact {row['exact']:8.4f}"]
        for name, x in samples.items():
            mean, se = mean_se(x)
            row[name] = {"mean": mean, "se": se, "std": float(np.std(x, ddof=1)), "n": np.size(x)}
            line.append(f"{name} {mean:8.4f} ± {se:.4f} ({row[name]['std']:.3f})")
        print("  ".join(line))
        rows.append(row)
    return {"p": P, "rows": rows}


def plot(results: dict, path) -> None:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    steps = [r["steps"] for r in results["rows"]]
    for name in ("pruned", "dict", "smoothed", "score"):
        left.plot(steps, [r[name]["std"] for r in results["rows"]], "o-", label=name)
        right.errorbar(
            steps,
            [r[name]["mean"] for r in results["rows"]],
            yerr=[r[name]["se"] for r in results["rows"]],
            fmt="o",
            label=name,
            capsize=3,
        )
    right.plot(steps, [r["exact"] for r in results["rows"]], "k-", label="exact (DP)")
    left.set(
        xscale="log",
        yscale="log",
        xlabel="steps n",
        ylabel="std of one estimate",
        title="estimator spread",
    )
    right.set(xscale="log", xlabel="steps n", ylabel="d/dp E[x_n]", title=f"mean ± SE, p = {P}")
    for ax in (left, right):
        ax.set_xticks(steps, [str(n) for n in steps])
        ax.minorticks_off()
        ax.legend()
    save(fig, path)


if __name__ == "__main__":
    main("random_walk", __doc__, run, plot)
