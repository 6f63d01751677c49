"""Gygax & Zenke, Fig. 1: for one escape-noise neuron, four derivatives are one.

A stochastic perceptron ``y ~ Bernoulli(F(w·x − θ))`` (x = 1, θ = 1), for five escape-noise
families ``F`` (logistic, fast sigmoid, Gaussian, Cauchy, Laplace). Over a sweep of ``w``:

* the derivative of the expected output ``dE[y]/dw = F′(w x − θ)·x`` (central differences
  of ``F`` itself, independent of stochad's rules);
* the smoothed stochastic derivative (``stochad.grad`` through the Bernoulli draw: the
  straight-through rule), on one sampled spike;
* the surrogate-gradient BPTT of ``stochad.snn`` (numba kernels) for the same stochastic
  neuron, and for the deterministic perceptron ``y = H(w x − θ)`` with surrogate ``F′``;
* the unbiased stochastic-triple estimate (pruned backend, mean ± SE of many samples).

The first four agree to rounding on every sample (whatever spike was drawn); the triple
estimate agrees in the mean.

    python examples/fig1_single_neuron.py [--quick] [--figure PATH]
"""

from __future__ import annotations

import numpy as np
from plotting import cli, pyplot, save

import stochad
from stochad import snn, surrogates

THETA, X = 1.0, 1.0
FAMILIES = {
    "logistic": surrogates.logistic(5.0),
    "fast sigmoid": surrogates.fast_sigmoid(5.0),
    "Gaussian": surrogates.gaussian(3.0),
    "Cauchy": surrogates.cauchy(3.0),
    "Laplace": surrogates.laplace(5.0),
}


def expected_derivative(noise, w: np.ndarray, h: float = 1e-7) -> np.ndarray:
    """``d/dw F(w x − θ)`` by central differences of the noise CDF (plain numpy)."""
    return (noise.noise_cdf((w + h) * X - THETA) - noise.noise_cdf((w - h) * X - THETA)) / (2 * h)


def smoothed(noise, w: np.ndarray, rng: int) -> np.ndarray:
    """One smoothed stochastic derivative per weight (independent neurons, one spike each)."""
    spike = snn.EscapeNoise(noise)
    return stochad.grad(lambda w: stochad.sum(spike.emit(w * X - THETA)), rng=rng)(w)


def bptt(noise, w: float, spike, rng: int) -> float:
    """``snn.value_and_grad(method="surrogate")`` of ``y`` for one neuron ``BinaryDense(1)``."""
    net = snn.Network(1, [snn.BinaryDense(1, spike=spike)])
    params = {"W0": np.array([[w]]), "b0": np.array([-THETA])}
    _, g = snn.value_and_grad(
        lambda out: stochad.sum(out), params, np.full((1, 1, 1), X), network=net,
        method="surrogate", rng=rng,
    )  # fmt: skip
    return float(g["W0"][0, 0])


def triple(noise, w: float, n: int, rng: int) -> tuple[float, float]:
    """Mean and standard error of ``n`` unbiased pruned-triple estimates (one array draw)."""
    spike = snn.EscapeNoise(noise)
    est = stochad.derivative_estimate(lambda w: spike.emit(w * np.full(n, X) - THETA), w, rng=rng)
    return float(np.mean(est)), float(np.std(est, ddof=1) / np.sqrt(n))


def run(quick: bool = False) -> dict:
    weights = np.linspace(0.4, 1.6, 9 if quick else 25)  # firing probabilities >= 0.5 %
    n = 4000 if quick else 40000
    results = {"w": weights, "families": {}}
    print(f"{'family':>13s} {'max|smoothed-exact|':>20s} {'max|SG-smoothed|':>17s} "
          f"{'max|det SG-smoothed|':>21s} {'max |z| triple':>15s}")  # fmt: skip
    for f, (name, noise) in enumerate(FAMILIES.items()):
        exact = expected_derivative(noise, weights)
        smooth = smoothed(noise, weights, rng=f)
        stoch = np.array(
            [bptt(noise, w, snn.EscapeNoise(noise), rng=k) for k, w in enumerate(weights)]
        )
        det = np.array([bptt(noise, w, snn.Heaviside(noise), rng=0) for w in weights])
        mean, se = np.array([triple(noise, w, n, rng=100 + k) for k, w in enumerate(weights)]).T
        z = (mean - exact) / se
        results["families"][name] = {
            "noise": noise, "exact": exact, "smoothed": smooth, "surrogate": stoch,
            "deterministic_surrogate": det, "triple": mean, "triple_se": se, "z": z,
        }  # fmt: skip
        gaps = [np.abs(smooth - exact).max(), np.abs(stoch - smooth).max()]
        print(f"{name:>13s} {gaps[0]:20.2e} {gaps[1]:17.2e} {np.abs(det - smooth).max():21.2e} "
              f"{np.abs(z).max():15.2f}")  # fmt: skip
    return results


def plot(results: dict, path) -> None:
    plt = pyplot()
    families = results["families"]
    w = results["w"]
    fine = np.linspace(0.0, 2.0, 400)
    figure, axes = plt.subplots(2, len(families), figsize=(3.2 * len(families), 5.6), sharex=True)
    trials = np.random.default_rng(0).random((12, len(fine)))
    for col, (name, r) in enumerate(families.items()):
        noise = r["noise"]
        top, bottom = axes[0, col], axes[1, col]
        p = noise.noise_cdf(fine * X - THETA)
        for k, u in enumerate(trials):  # spikes of 12 trials (rows), firing where u < F
            fired = fine[u < p]
            top.plot(fired, np.full(fired.size, 1.1 + 0.05 * k), "|", color="0.6", ms=3)
        top.plot(fine, p, color="C1", label="E[y] = F(wx − θ)")
        top.plot(fine, (fine * X > THETA) * 1.0, "k--", lw=1, label="deterministic H(wx − θ)")
        top.set_title(f"{name} escape noise, β = {noise.beta:g}")
        bottom.plot(
            fine, expected_derivative(noise, fine), "-", color="C1", label="dE[y]/dw (exact)"
        )
        bottom.plot(w, r["smoothed"], "o", mfc="none", color="C0", label="smoothed stochastic AD")
        bottom.plot(w, r["surrogate"], "x", color="C2", label="SG BPTT, stochastic")
        bottom.plot(
            w, r["deterministic_surrogate"], "+", color="C3", label="SG BPTT, deterministic"
        )
        bottom.errorbar(w, r["triple"], yerr=2 * r["triple_se"], fmt=".", color="k",
                        label="stochastic triples (mean ± 2 SE)")  # fmt: skip
        bottom.set_xlabel("weight w (x = 1, θ = 1)")
    axes[0, 0].set_ylabel("output y (trials above 1)")
    axes[1, 0].set_ylabel("derivative w.r.t. w")
    axes[0, 0].legend(loc="center left", fontsize=7)
    axes[1, 0].legend(loc="upper left", fontsize=7)
    figure.tight_layout()
    save(figure, path)


if __name__ == "__main__":
    cli("fig1_single_neuron", __doc__, run, plot)
