"""Gygax & Zenke, fig. 1: for one escape-noise neuron, three derivatives are one.

A stochastic perceptron ``y ~ Bernoulli(σ_β(w·x − θ))``. Its expected output is
``σ_β(w·x − θ)``, so ``dE[y]/dw = σ'_β(w·x − θ)·x``. The smoothed stochastic derivative
(straight-through: the derivative of the Bernoulli's mean) gives exactly that on every
sample, which is the surrogate derivative with ``β_SG = β_N``. The unbiased triple estimate
(pruned backend) matches it in the mean, with variance.

    python examples/single_neuron.py [--plot single_neuron.png]
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from plotting import save_figure

import stochad

BETA = 5.0
THETA = 1.0
X = 1.0


def neuron(w):
    return stochad.bernoulli(stochad.sigmoid(BETA * (w * X - THETA)))


def surrogate_derivative(w):
    s = 1.0 / (1.0 + math.exp(-BETA * (w * X - THETA)))
    return BETA * s * (1.0 - s) * X


def main(plot: str | None) -> None:
    weights = np.linspace(0.0, 2.0, 9)
    rows = []
    print(f"{'w':>5s} {'dE[y]/dw':>10s} {'smoothed':>10s} {'SD':>10s} {'pruned (mean ± SE)':>22s}")
    for w in weights:
        exact = surrogate_derivative(w)  # σ'_β(wx − θ)·x is also the exact derivative
        smoothed = stochad.derivative_estimate(neuron, w, backend="smoothed", rng=0)
        pruned = stochad.expected_derivative(neuron, w, 2000, rng=1)
        rows.append((w, exact, smoothed, pruned.mean, pruned.stderr))
        print(
            f"{w:5.2f} {exact:10.4f} {smoothed:10.4f} {surrogate_derivative(w):10.4f} "
            f"{pruned.mean:13.4f} ± {pruned.stderr:.4f}"
        )
    if plot:
        w, exact, smoothed, mean, se = map(np.array, zip(*rows, strict=True))
        curves = [
            (w, exact, "-", "dE[y]/dw = SD"),
            (w, smoothed, "o", "smoothed stochastic derivative"),
            (w, mean, "s", "pruned triples (mean ± 2 SE)", 2 * se),
        ]
        save_figure(plot, curves, "w")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", help="save a figure to this file (needs matplotlib)")
    main(parser.parse_args().plot)
