"""StochasticAD.jl's particle filter: the derivative of the likelihood through resampling.

A linear Gaussian state-space model, ``x_t = θ·x_{t−1} + q·ε_t``, ``y_t = x_t + r·η_t``
(``x_0 ~ N(0, 1)``), observed for ``T`` steps. A bootstrap particle filter with ``N``
particles propagates them (reparameterized normals), weights them by ``pdf("normal", y_t,
x, r)`` and resamples with the array categorical; its likelihood estimate ``Ẑ = Π_t
mean(w_t)`` is unbiased, so ``d/dθ E[Ẑ] = dZ/dθ``, the exact derivative of the Kalman
filter's likelihood. Stochastic triples carry the resampling's jumps (the particles
re-picked when a weight moves: with the particles sorted by value, to a neighbouring
value, which keeps the jumps' effect small); dropping them (resampling on the primal weights, the
usual "stop gradient") gives a biased derivative. The resampling gathers particles by a
one-hot product, ``N²`` elements per step.
"""

from __future__ import annotations

import functools
import math
import time

import numpy as np
from common import main, mean_se, pyplot, save

import stochad

THETA, Q, R = 0.8, 0.5, 0.6


def observations(steps: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x, ys = rng.normal(), []
    for _ in range(steps):
        x = THETA * x + Q * rng.normal()
        ys.append(x + R * rng.normal())
    return np.array(ys)


def kalman_likelihood(theta: float, ys: np.ndarray) -> float:
    mean, var, log_z = 0.0, 1.0, 0.0
    for y in ys:
        mean, var = theta * mean, theta**2 * var + Q**2
        s = var + R**2
        log_z += -0.5 * math.log(2 * math.pi * s) - 0.5 * (y - mean) ** 2 / s
        gain = var / s
        mean, var = mean + gain * (y - mean), (1 - gain) * var
    return math.exp(log_z)


def particle_filter(theta, ys, particles: int, filters: int, resample_derivative=True):
    """``Ẑ`` of ``filters`` independent filters (one per row)."""
    shape = (filters, particles)
    x = stochad.normal(0.0, 1.0, size=shape)
    z = 1.0
    labels = np.arange(particles, dtype=float)
    rows = np.arange(filters)[:, None]
    for y in ys:
        x = theta * x + Q * stochad.normal(0.0, 1.0, size=shape)
        # relabel the particles in the order of their values (a fixed permutation does not
        # change the filter): the categorical's jumps then move to a neighbouring value
        x = x[rows, np.argsort(stochad.value(x), axis=1)]
        w = stochad.pdf("normal", y, x, R)
        total = stochad.sum(w, axis=1)
        z = z * total / particles
        probs = stochad.reshape(w / stochad.reshape(total, (filters, 1)), (filters, 1, particles))
        if not resample_derivative:
            probs = stochad.value(probs)
        index = stochad.categorical(probs, size=shape)  # N draws from each filter's weights
        onehot = stochad.reshape(index, (filters, particles, 1)) == labels
        x = stochad.sum(onehot * stochad.reshape(x, (filters, 1, particles)), axis=2)
    return z


def run(quick: bool = False) -> dict:
    steps = 4
    ys = observations(steps)
    particles, filters, repeats = (50, 200, 1) if quick else (100, 200, 10)
    z = kalman_likelihood(THETA, ys)
    h = 1e-5
    dz = (kalman_likelihood(THETA + h, ys) - kalman_likelihood(THETA - h, ys)) / (2 * h)
    out = {"Z": z, "dZ": dz, "particles": particles}
    print(f"T = {steps} observations, θ = {THETA}: exact Z = {z:.5g}, dZ/dθ = {dz:.5g} (Kalman)")
    for name, full in (("with resampling derivative", True), ("stop-gradient resampling", False)):
        program = functools.partial(
            particle_filter, ys=ys, particles=particles, filters=filters, resample_derivative=full
        )
        est = np.concatenate(
            [stochad.derivative_estimate(program, THETA, rng=seed) for seed in range(repeats)]
        )
        mean, se = mean_se(est)
        out[full] = {"mean": mean, "se": se, "z": (mean - dz) / se}
        print(f"{name:28s} dẐ/dθ = {mean:.5g} ± {se:.2g}  ({(mean - dz) / se:+.1f} SE from exact)")
    # cost of one filter step at 1000 particles
    t0 = time.perf_counter()
    stochad.derivative_estimate(lambda t: particle_filter(t, ys[:2], 1000, 1), THETA, rng=0)
    out["seconds_per_step_1000"] = (time.perf_counter() - t0) / 2
    print(f"1000 particles: {out['seconds_per_step_1000']:.3f} s per filter step (triples)")
    return out


def plot(results: dict, path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    names = ["with resampling\nderivative", "stop-gradient\nresampling"]
    for i, key in enumerate((True, False)):
        ax.errorbar(
            [i],
            [results[key]["mean"]],
            yerr=[5 * results[key]["se"]],
            fmt="o",
            capsize=6,
            label="mean ± 5 SE" if i == 0 else None,
        )
    ax.axhline(results["dZ"], color="k", label="exact dZ/dθ (Kalman)")
    ax.set_xticks([0, 1], names)
    ax.set(
        xlim=(-0.5, 1.5), ylabel="dẐ/dθ", title=f"particle filter, {results['particles']} particles"
    )
    ax.legend()
    save(fig, path)


if __name__ == "__main__":
    main("particle_filter", __doc__, run, plot)
