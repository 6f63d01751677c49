"""Gygax & Zenke, figs. 2–3: smoothed derivatives of a two-layer network are biased.

``h ~ Bernoulli(σ(w1·x))``, ``y ~ Bernoulli(σ(w2·h + b))`` with ``x = 1, w2 = 2, b = −1``.
The exact derivative is ``σ'(w1)·[σ(w2 + b) − σ(b)]``: it sees the hidden unit *jump*. The
smoothed stochastic derivative (= surrogate-gradient backprop along the sampled path) has
expectation ``σ'(w1)·w2·E_h[σ'(w2·h + b)]``: it sees a *slope*. The unbiased triple
estimators (pruned, dict) match the exact derivative.

    python examples/two_layer_bias.py [--plot two_layer_bias.png]
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from plotting import save_figure

import stochad

W2, B = 2.0, -1.0


def sigma(x):
    return 1.0 / (1.0 + math.exp(-x))


def dsigma(x):
    return sigma(x) * (1.0 - sigma(x))


def network(w1):
    h = stochad.bernoulli(stochad.sigmoid(w1))
    return stochad.bernoulli(stochad.sigmoid(W2 * h + B))


def exact_derivative(w1):
    return dsigma(w1) * (sigma(W2 + B) - sigma(B))


def smoothed_expectation(w1):
    p_h = sigma(w1)
    return dsigma(w1) * W2 * ((1 - p_h) * dsigma(B) + p_h * dsigma(W2 + B))


def main(plot: str | None, n: int) -> None:
    rows = []
    header = f"{'w1':>5s} {'exact':>8s} {'smoothed E':>10s} {'smoothed MC':>16s} {'pruned MC':>16s}"
    print(header)
    for w1 in np.linspace(-2.0, 2.0, 9):
        smoothed = stochad.expected_derivative(network, w1, n, backend="smoothed", rng=0)
        pruned = stochad.expected_derivative(network, w1, n, rng=1)
        rows.append((w1, exact_derivative(w1), smoothed_expectation(w1), pruned.mean))
        print(
            f"{w1:5.2f} {exact_derivative(w1):8.4f} {smoothed_expectation(w1):10.4f} "
            f"{smoothed.mean:8.4f} ± {smoothed.stderr:.4f} {pruned.mean:8.4f} ± {pruned.stderr:.4f}"
        )
    if plot:
        w1, exact, smooth, pruned = map(np.array, zip(*rows, strict=True))
        curves = [
            (w1, exact, "-", "exact dE[y]/dw1"),
            (w1, smooth, "-", "smoothed (surrogate gradient), expectation"),
            (w1, pruned, "s", "pruned triples, Monte Carlo mean"),
        ]
        save_figure(plot, curves, "w1")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", help="save a figure to this file (needs matplotlib)")
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    main(args.plot, args.samples)
