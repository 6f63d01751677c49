"""StochasticAD.jl's variational inference: fit a Poisson to a negative binomial.

The target is ``NegativeBinomial(n = 5, p = 0.4)`` (mean 7.5); the variational family
``Poisson(λ)``. The objective ``L(λ) = E_{X~Poisson(λ)}[log p(X) − log q_λ(X)]`` (the
negative KL divergence) is estimated with ``stochad.logpdf`` on one triple array of draws:
the draw's jumps carry the change of ``X`` and the log-pmf's partials the change of ``q_λ``.
Stochastic gradient ascent on λ is compared with the exact optimum (``L`` summed over the
support and maximized by scipy) and the gradient with the exact one.
"""

from __future__ import annotations

import numpy as np
from common import main, mean_se, pyplot, save

import stochad

N_TARGET, P_TARGET = 5.0, 0.4


def objective(lam):
    """One estimate of ``L(λ)`` per draw."""
    x = stochad.poisson(lam, size=_DRAWS[0])
    return stochad.logpdf("negative_binomial", x, N_TARGET, P_TARGET) - stochad.logpdf(
        "poisson", x, lam
    )


_DRAWS = [2000]


def exact_objective(lam: float) -> float:
    k = np.arange(400.0)
    q = stochad.pdf("poisson", k, lam)
    return float(
        np.sum(
            q
            * (
                stochad.logpdf("negative_binomial", k, N_TARGET, P_TARGET)
                - stochad.logpdf("poisson", k, lam)
            )
        )
    )


def exact_gradient(lam: float, h: float = 1e-5) -> float:
    return (exact_objective(lam + h) - exact_objective(lam - h)) / (2 * h)


def run(quick: bool = False) -> dict:
    from scipy.optimize import minimize_scalar

    _DRAWS[0] = 2000 if quick else 10_000
    iterations = 60 if quick else 300
    best = minimize_scalar(
        lambda lam: -exact_objective(lam),
        bounds=(0.5, 30),
        method="bounded",
        options={"xatol": 1e-10},
    ).x
    probe = []
    for i, lam in enumerate((3.0, 7.5, 12.0)):
        mean, se = mean_se(stochad.derivative_estimate(objective, lam, rng=100 + i))
        probe.append({"lam": lam, "mean": mean, "se": se, "exact": exact_gradient(lam)})
        print(f"dL/dλ at λ = {lam:5.2f}: {mean:+.4f} ± {se:.4f}, exact {exact_gradient(lam):+.4f}")
    lam, path = 2.0, [2.0]
    rng = np.random.default_rng(0)
    for t in range(iterations):
        g = float(np.mean(stochad.derivative_estimate(objective, lam, rng=rng)))
        lam = max(0.1, lam + 10.0 / (1 + t) ** 0.5 * g)
        path.append(lam)
    final = float(np.mean(path[-iterations // 4 :]))
    print(
        f"gradient ascent from λ = 2: λ = {final:.4f} (mean of the last quarter), "
        f"exact optimum λ* = {best:.4f}"
    )
    return {"probe": probe, "path": path, "final": final, "optimum": float(best)}


def plot(results: dict, path) -> None:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    grid = np.linspace(1, 16, 80)
    left.plot(grid, [exact_objective(x) for x in grid], "k-", label="exact L(λ) = −KL(q‖p)")
    left.axvline(results["optimum"], color="k", ls=":", label="λ*")
    left.set(xlabel="λ", ylabel="L(λ)", title="objective")
    left.legend()
    right.plot(results["path"], label="stochastic gradient ascent")
    right.axhline(results["optimum"], color="k", ls=":", label="exact λ*")
    right.set(xlabel="iteration", ylabel="λ", title="Poisson → negative binomial")
    right.legend()
    save(fig, path)


if __name__ == "__main__":
    main("variational_inference", __doc__, run, plot)
