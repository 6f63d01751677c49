"""Gygax & Zenke, Fig. 5: surrogate gradients are not gradients (not a conservative field).

The network of Fig. 4 (``examples/fig4_sign_flip.py``) with its five weights
``θ = (w, v1, v2, u1, u2)``, all 0 at the centre, x = 1 and a forward β_f = 10⁴ (nearly a
step). A circle of radius 1.8 in the plane of two orthonormal directions ``d1, d2`` (drawn
with a fixed seed): ``θ(α) = r sin α · d1 + r cos α · d2``. The line integral
``∮ G(θ) · dθ`` of a gradient field ``G`` is 0 around any closed path; the script computes it
for the surrogate gradient (forward β_f = 10⁴, every σ′ with β_SG ∈ {1, 5, 20}) and for the
true gradient of the sigmoid network with the same β in the forward pass (the paper's
"sigmoid activation" curves), with N equally spaced points (the periodic trapezoid rule),
for growing N: the SG integrals converge to nonzero values, the true ones to 0.

The true gradient of the β_f = 10⁴ network itself is not integrable on any such grid: its
nested sigmoids make y jump by ~1 over widths far below 1e-6 in α, where the sampled
gradient is ~0 on both sides (the script prints its N-point integral, which converges to
a wrong value, as a warning).

    python examples/fig5_not_conservative.py [--quick] [--figure PATH]
"""

from __future__ import annotations

import numpy as np
from fig4_sign_flip import network
from plotting import cli, pyplot, save

import stochad

BETA_F, RADIUS, SEED = 1e4, 1.8, 0
BETAS_SG = (1.0, 5.0, 20.0)


def plane(seed: int = SEED) -> np.ndarray:
    """Two orthonormal directions in the 5-d weight space, ``(2, 5)``."""
    q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(5, 2)))
    return q.T


def circle(n: int, directions: np.ndarray):
    """``n`` points ``θ(α)`` ``(5, n)`` and the tangents ``dθ/dα``."""
    alpha = 2 * np.pi * np.arange(n) / n
    d1, d2 = directions
    theta = RADIUS * (np.outer(d1, np.sin(alpha)) + np.outer(d2, np.cos(alpha)))
    tangent = RADIUS * (np.outer(d1, np.cos(alpha)) - np.outer(d2, np.sin(alpha)))
    return alpha, theta, tangent


def field(theta: np.ndarray, beta_sg: float, beta_f: float = BETA_F) -> np.ndarray:
    """The (surrogate) gradient of ``y`` at every column of ``theta``, ``(5, n)``."""
    total = lambda *t: stochad.sum(network(*t, beta_f=beta_f, beta_sg=beta_sg))  # noqa: E731
    return np.array(stochad.grad(total, argnums=(0, 1, 2, 3, 4))(*theta))


FIELDS = {("SG", b): (BETA_F, b) for b in BETAS_SG} | {("true", b): (b, b) for b in BETAS_SG}
"""``(kind, β) → (β_f, β_SG)``: the SG fields and the true gradients of σ_β networks."""


def label(key) -> str:
    kind, b = key
    if kind == "SG":
        return f"SG, β_f = 1e4, β_SG = {b:g}"
    return f"true gradient, β_f = {b:g}" if b != BETA_F else "true gradient, β_f = 1e4"


def line_integral(n: int, directions: np.ndarray, beta_f: float, beta_sg: float) -> float:
    """``∮ G · dθ`` with ``n`` points (periodic trapezoid rule)."""
    _, theta, tangent = circle(n, directions)
    return float(np.sum(field(theta, beta_sg, beta_f) * tangent) * 2 * np.pi / n)


def run(quick: bool = False) -> dict:
    directions = plane()
    counts = [2**k for k in range(6, 17 if quick else 22, 2 if quick else 1)]
    integrals = {
        key: [line_integral(n, directions, *FIELDS[key]) for n in counts] for key in FIELDS
    }
    print(f"{'N':>8s} " + " ".join(f"{k}{b:g}".rjust(12) for k, b in FIELDS))
    for k, n in enumerate(counts):
        print(f"{n:8d} " + " ".join(f"{integrals[key][k]:12.3e}" for key in FIELDS))
    unresolved = line_integral(counts[-1], directions, BETA_F, BETA_F)
    print(f"(true gradient of the β_f = 1e4 network, N = {counts[-1]}: {unresolved:.3f}, not 0: "
          "its jumps are narrower than the grid)")  # fmt: skip
    # panel B: the running integral along the circle and the output itself
    n = counts[-1]
    alpha, theta, tangent = circle(n, directions)
    y = network(*theta, beta_f=BETA_F)
    running = {
        key: np.cumsum(np.sum(field(theta, b_sg, b_f) * tangent, axis=0)) * 2 * np.pi / n
        for key, (b_f, b_sg) in FIELDS.items()
    }
    # panel A: the output over the plane
    grid = np.linspace(-2.2, 2.2, 121 if quick else 301)
    a, c = np.meshgrid(grid, grid)
    points = directions.T @ np.stack([a.ravel(), c.ravel()])  # (5, grid points)
    heat = {beta: network(*points, beta_f=beta).reshape(a.shape) for beta in (BETA_F, 5.0)}
    keep = slice(None, None, max(1, n // 4096))  # the curves, thinned for the figure
    alpha, y, running = alpha[keep], y[keep], {key: r[keep] for key, r in running.items()}
    return {
        "counts": counts, "integrals": integrals, "unresolved": unresolved, "alpha": alpha,
        "y": y, "running": running, "grid": grid, "heat": heat, "directions": directions,
    }  # fmt: skip


def _colors(plt) -> dict:
    """Yellow-brown shades for the SG fields, blues for the true gradients (by β)."""
    sg = plt.cm.YlOrBr(np.linspace(0.45, 0.9, len(BETAS_SG)))
    true = plt.cm.Blues(np.linspace(0.45, 0.9, len(BETAS_SG)))
    return {("SG", b): sg[k] for k, b in enumerate(BETAS_SG)} | {
        ("true", b): true[k] for k, b in enumerate(BETAS_SG)
    }


def plot(results: dict, path) -> None:
    plt = pyplot()
    figure = plt.figure(figsize=(13, 7.5))
    spec = figure.add_gridspec(2, 3)
    grid = results["grid"]
    circle_a = RADIUS * np.sin(np.linspace(0, 2 * np.pi, 200))
    circle_b = RADIUS * np.cos(np.linspace(0, 2 * np.pi, 200))
    for row, beta in enumerate(results["heat"]):
        ax = figure.add_subplot(spec[row, 0])
        image = ax.pcolormesh(grid, grid, results["heat"][beta], shading="auto", cmap="viridis")
        ax.plot(circle_a, circle_b, "w-")
        ax.annotate("", xy=(0.15, RADIUS), xytext=(0, RADIUS), arrowprops={"color": "w"})
        ax.set_title(
            f"A: output y, {'step-like σ, β_f = 1e4' if beta == BETA_F else 'sigmoid β = 5'}"
        )
        ax.set_xlabel("a (along d1)")
        ax.set_ylabel("b (along d2)")
        figure.colorbar(image, ax=ax, label="y")
    ax = figure.add_subplot(spec[:, 1])
    alpha = results["alpha"]
    y = results["y"]
    ax.plot(alpha, y - y[0], "-", color="C0", lw=3, alpha=0.5, label="y(θ(α)) − y(θ(0)), β_f = 1e4")
    colors = _colors(plt)
    for key, curve in results["running"].items():
        style = "--" if key[0] == "true" else "-"
        ax.plot(alpha, curve, style, color=colors[key], label=f"∫ G · dθ, G = {label(key)}")
    ax.set_xlabel("angle α along the circle")
    ax.set_ylabel("integral from α = 0")
    ax.set_title("B: integrated (surrogate) gradient along the circle")
    ax.legend(fontsize=8, loc="lower left")
    ax = figure.add_subplot(spec[:, 2])
    for key, values in results["integrals"].items():
        style = "s--" if key[0] == "true" else "o-"
        ax.loglog(
            results["counts"], np.abs(values) + 1e-17, style, color=colors[key], label=label(key)
        )
    ax.set_xlabel("number of integration points N")
    ax.set_ylabel("|∮ G · dθ|  (true value of a gradient: 0)")
    ax.set_title("C: convergence of the closed-path integral")
    ax.legend(fontsize=8, loc="center right")
    figure.tight_layout()
    save(figure, path)


if __name__ == "__main__":
    cli("fig5_not_conservative", __doc__, run, plot)
