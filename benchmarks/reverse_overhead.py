"""Cost of reverse mode: stochad.grad of a stochastic binary MLP against its numpy forward.

A stochastic binary MLP (batch 256, 200 → 400 → 10, escape noise σ_β with β = 2, squared
error): the time of ``stochad.grad`` with respect to both weight matrices, against the same
forward program in plain numpy (same draws: one ``rng.random(shape)`` per layer, the
primal-stream convention). The two are timed interleaved in one process; the median ratio
is printed. Bar: ≤ 5×, aim ≤ 3× (the cheap-gradient principle).

Run: ``python benchmarks/reverse_overhead.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.special import expit

import stochad

BATCH, N_IN, N_HIDDEN, N_OUT, BETA = 256, 200, 400, 10, 2.0


def numpy_forward(W1, W2, X, T, rng):
    p1 = expit(BETA * (X @ W1))
    h = (1.0 - rng.random(p1.shape) > 1.0 - p1) * 1.0
    p2 = expit(BETA * (h @ W2))
    y = (1.0 - rng.random(p2.shape) > 1.0 - p2) * 1.0
    return np.mean((y - T) ** 2)


def stochad_loss(weights, X, T):
    W1, W2 = weights
    h = stochad.bernoulli(stochad.sigmoid(BETA * (X @ W1)))
    y = stochad.bernoulli(stochad.sigmoid(BETA * (h @ W2)))
    return stochad.mean((y - T) ** 2)


def measure(repeats: int = 200, batch: int = BATCH, n_in: int = N_IN, n_hidden: int = N_HIDDEN,
            n_out: int = N_OUT) -> dict:
    """Time ``stochad.grad`` and the numpy forward, interleaved; return times and ratios."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(batch, n_in))
    T = (rng.random((batch, n_out)) < 0.5) * 1.0
    W1 = rng.normal(size=(n_in, n_hidden)) / np.sqrt(n_in)
    W2 = rng.normal(size=(n_hidden, n_out)) / np.sqrt(n_hidden)

    # the same draws: value_and_grad's loss is the numpy forward's loss on the same seed
    value, _ = stochad.value_and_grad(stochad_loss, rng=1)((W1, W2), X, T)
    assert value == numpy_forward(W1, W2, X, T, np.random.default_rng(1))

    gradient = stochad.grad(stochad_loss, rng=np.random.default_rng(2))
    draws = np.random.default_rng(2)
    ratios, t_numpy, t_grad = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        numpy_forward(W1, W2, X, T, draws)
        middle = time.perf_counter()
        gradient((W1, W2), X, T)
        end = time.perf_counter()
        t_numpy.append(middle - start)
        t_grad.append(end - middle)
        ratios.append((end - middle) / (middle - start))
    return {"shape": [batch, n_in, n_hidden, n_out], "repeats": repeats, "numpy": t_numpy,
            "grad": t_grad, "ratios": ratios, "ratio": float(np.median(ratios))}


def main(repeats: int) -> float:
    m = measure(repeats)
    batch, n_in, n_hidden, n_out = m["shape"]
    print(
        f"reverse_overhead: stochad.grad (both weight matrices) / numpy forward, stochastic "
        f"binary MLP {batch}x{n_in}->{n_hidden}->{n_out}: median ratio {m['ratio']:.2f}x "
        f"(numpy forward {1e3 * np.median(m['numpy']):.2f} ms, grad "
        f"{1e3 * np.median(m['grad']):.2f} ms, {repeats} interleaved repeats; bar <= 5x, "
        "aim <= 3x)"
    )
    return m["ratio"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="benchmarks/reverse_overhead.py",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="interleaved repeats (200)")
    main(parser.parse_args().repeats)
