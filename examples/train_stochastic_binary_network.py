"""Train a small stochastic binary network with plain gradient descent on stochad.grad.

The network: 16 inputs → 32 stochastic binary units (escape noise σ_β, β = 2: each unit
fires with probability σ(β·a)) → 32 stochastic binary units → 1 logistic output; squared
error against the labels of a fixed random "teacher" rule. Every step draws new spikes; the
gradient is the smoothed stochastic derivative (straight-through through every Bernoulli),
one backward pass for all weights. The printed loss is the mean over the last steps.

Run: ``python examples/train_stochastic_binary_network.py [--steps N]``.
"""

from __future__ import annotations

import argparse

import numpy as np

import stochad

BETA = 2.0


def loss(params, X, T):
    h1 = stochad.bernoulli(stochad.sigmoid(BETA * (X @ params["W1"] + params["b1"])))
    h2 = stochad.bernoulli(stochad.sigmoid(BETA * (h1 @ params["W2"] + params["b2"])))
    y = stochad.sigmoid(h2 @ params["w3"] + params["b3"])
    return stochad.mean((y - T) ** 2)


def main(steps: int, learning_rate: float = 2.0, report_every: int = 50) -> list[float]:
    data = np.random.default_rng(0)
    X = data.choice([-1.0, 1.0], size=(128, 16))
    teacher = data.normal(size=16)
    T = (X @ teacher + 0.5 * X[:, 0] * X[:, 1] > 0) * 1.0
    params = {
        "W1": data.normal(size=(16, 32)) / 4.0,
        "b1": np.zeros(32),
        "W2": data.normal(size=(32, 32)) / np.sqrt(32),
        "b2": np.zeros(32),
        "w3": data.normal(size=32) / np.sqrt(32),
        "b3": 0.0,
    }
    value_and_grad = stochad.value_and_grad(loss, rng=np.random.default_rng(1))
    window, history = [], []
    print(f"{'step':>6}  {'loss (mean of last ' + str(report_every) + ')':>22}")
    for step in range(1, steps + 1):
        value, g = value_and_grad(params, X, T)
        params = {k: params[k] - learning_rate * g[k] for k in params}
        window.append(value)
        if step % report_every == 0:
            history.append(float(np.mean(window)))
            print(f"{step:>6}  {history[-1]:>22.4f}")
            window = []
    return history


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    main(parser.parse_args().steps)
