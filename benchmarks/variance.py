"""Estimator variance (and cost) on programs with exactly known derivatives.

For each program it runs, in one process and on the same seeds, the stochastic-triple
estimators (pruned, dict, smoothed) and the comparison estimators (score function with and
without a baseline, finite differences with and without common random numbers), and prints
each one's mean, bias against the exact derivative (also in standard errors), per-sample variance,
variance relative to the pruned triple estimator, and time per sample relative to running the
plain program once.

    python benchmarks/variance.py [--samples 2000]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import stochad
from stochad.backends import SmoothedBackend
from stochad.estimators import finite_difference_estimate, score_function_estimate


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def random_walk_squared(p, steps=20):
    x = 0
    for _ in range(steps):
        x = x + 2 * stochad.bernoulli(p) - 1
    return x * x


def two_layer_binary_network(w1, x=1.0, w2=2.0, b=-1.0):
    h = stochad.bernoulli(stochad.sigmoid(w1 * x))
    return stochad.bernoulli(stochad.sigmoid(w2 * h + b))


def served_customers(lam, capacity=3):
    return stochad.propagate(lambda arrivals: min(arrivals, capacity), stochad.poisson(lam))


WEIGHTS = np.linspace(-1.0, 2.0, 10)


def weighted_coins_squared(p):
    total = 0.0
    for c in WEIGHTS:
        total = total + c * stochad.bernoulli(p)
    return total * total


def _poisson_cdf(k, lam):
    return sum(math.exp(-lam) * lam**j / math.factorial(j) for j in range(k + 1))


PROGRAMS = {
    # name: (program, point, exact derivative)
    "random walk x², 20 steps": (random_walk_squared, 0.6, 4 * 20 * 19 * (2 * 0.6 - 1)),
    "weighted coins, squared": (
        weighted_coins_squared,
        0.4,
        float(np.sum(WEIGHTS**2) * (1 - 2 * 0.4) + 2 * 0.4 * np.sum(WEIGHTS) ** 2),
    ),
    "two-layer binary network": (
        two_layer_binary_network,
        0.3,
        sigmoid(0.3) * (1 - sigmoid(0.3)) * (sigmoid(1.0) - sigmoid(-1.0)),
    ),
    "queue: min(Poisson, 3)": (served_customers, 2.0, _poisson_cdf(2, 2.0)),
}


def estimators(f, p, pilot_mean):
    triple = {
        name: (lambda g, b=backend: stochad.derivative_estimate(f, p, backend=b, rng=g))
        for name, backend in [
            ("triple: pruned", "pruned"),
            ("triple: dict", "dict"),
            ("smoothed: straight-through", "smoothed"),
            ("smoothed: symmetric", SmoothedBackend("symmetric")),
        ]
    }
    return {
        **triple,
        "score function": lambda g: score_function_estimate(f, p, rng=g),
        "score function + baseline": lambda g: score_function_estimate(
            f, p, rng=g, baseline=pilot_mean
        ),
        "finite diff. h=0.05, CRN": lambda g: finite_difference_estimate(f, p, h=0.05, rng=g),
        "finite diff. h=0.05, indep.": lambda g: finite_difference_estimate(
            f, p, h=0.05, rng=g, common_random_numbers=False
        ),
    }


def timed_samples(estimate, n, seed):
    generator = np.random.default_rng(seed)
    start = time.perf_counter()
    values = np.array([estimate(generator) for _ in range(n)], dtype=np.float64)
    return values, (time.perf_counter() - start) / n


def main(n: int) -> None:
    for title, (f, p, exact) in PROGRAMS.items():
        generator = np.random.default_rng(123)
        start = time.perf_counter()
        with stochad.using_rng(generator):
            pilot = [float(f(p)) for _ in range(n)]
        primal_time = (time.perf_counter() - start) / n
        pilot_mean = float(np.mean(pilot))
        print(f"\n{title}: p = {p}, exact derivative {exact:.6g}")
        print(
            f"{'estimator':30s} {'mean':>10s} {'bias':>10s} {'bias/SE':>8s} {'variance':>11s} "
            f"{'var/pruned':>10s} {'time/primal':>11s}"
        )
        reference_variance = None
        for name, estimate in estimators(f, p, pilot_mean).items():
            values, seconds = timed_samples(estimate, n, seed=7)
            mean, variance = values.mean(), values.var(ddof=1)
            stderr = math.sqrt(variance / n)
            if reference_variance is None:
                reference_variance = variance
            bias = mean - exact
            # a (near) deterministic estimator has no standard error to measure its bias in
            bias_in_se = f"{bias / stderr:8.1f}" if stderr > 1e-9 * abs(mean) else f"{'-':>8s}"
            print(
                f"{name:30s} {mean:10.4g} {bias:10.3g} {bias_in_se} {variance:11.4g} "
                f"{variance / reference_variance:10.3g} {seconds / primal_time:11.1f}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000)
    main(parser.parse_args().samples)
