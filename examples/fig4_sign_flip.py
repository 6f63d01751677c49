"""Gygax & Zenke, Fig. 4 / Table 1: a surrogate gradient can point the wrong way.

The differentiable network ``g = σ_βf(w x)``, ``h1 = σ_βf(v1 g)``, ``h2 = σ_βf(v2 g)``,
``y = σ_βf(u1 h1 + u2 h2)`` with x = 1, v1 = 0.05, v2 = 0.1, u1 = 1, u2 = −1, β_f = 100.
The surrogate gradient (SG) replaces every ``σ′_βf`` by ``σ′_βSG`` on the backward pass:
``with_surrogate(z, logistic(β_f), logistic(β_SG))`` under ``stochad.grad``. The true
``dy/dw`` is the same program with ``β_SG = β_f``. Over ``w ∈ [−0.2, 0.2]`` the script
reports where the two have opposite signs, for ``β_SG ∈ {15, 25, 30}``, and draws the
paper's panels: (B) the output, the smoothed output (every σ with β_SG), the integrated SG
and their derivatives; (C) the v1–v2 landscape of y with the SG and true descent
directions.

    python examples/fig4_sign_flip.py [--quick] [--figure PATH]
"""

from __future__ import annotations

import numpy as np
from plotting import cli, pyplot, save

import stochad
from stochad import surrogates

X, V1, V2, U1, U2, BETA_F = 1.0, 0.05, 0.1, 1.0, -1.0, 100.0
BETAS_SG = (15.0, 25.0, 30.0)
W_LANDSCAPE = 0.0  # w of panel C, inside every β_SG's sign-flip interval


def network(w, v1=V1, v2=V2, u1=U1, u2=U2, *, beta_f=BETA_F, beta_sg=BETA_F):
    """``y`` with forward ``σ_βf`` and backward ``σ′_βSG`` (arrays: one network each)."""
    forward, backward = surrogates.logistic(beta_f), surrogates.logistic(beta_sg)

    def act(z):
        return surrogates.with_surrogate(z, forward, backward)

    g = act(w * X)
    return act(u1 * act(v1 * g) + u2 * act(v2 * g))


def gradient(argnums, *args, beta_f=BETA_F, beta_sg=BETA_F):
    """``stochad.grad`` of the summed outputs (independent networks: elementwise)."""
    total = lambda *a: stochad.sum(network(*a, beta_f=beta_f, beta_sg=beta_sg))  # noqa: E731
    return stochad.grad(total, argnums=argnums)(*args)


def intervals(w: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """The ``[first, last]`` grid points of each run of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(int), 0]))
    return [(float(w[a]), float(w[b - 1])) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def run(quick: bool = False) -> dict:
    w = np.linspace(-0.2, 0.2, 401 if quick else 4001)
    y = network(w)
    true = gradient(0, w)
    # sign comparisons only where the true derivative is resolved (not underflowing)
    resolved = np.abs(true) > 1e-9 * np.abs(true).max()
    results = {"w": w, "y": y, "true": true, "sg": {}, "smoothed": {}, "flips": {}}
    print(f"true dy/dw at w = {W_LANDSCAPE}: {float(gradient(0, W_LANDSCAPE)):.4f}")
    for b in BETAS_SG:
        sg = gradient(0, w, beta_sg=b)
        flip = resolved & (np.sign(sg) != np.sign(true))
        results["sg"][b] = sg
        results["smoothed"][b] = network(w, beta_f=b)
        results["flips"][b] = intervals(w, flip)
        at = float(gradient(0, W_LANDSCAPE, beta_sg=b))
        shown = ", ".join(f"[{a:+.4f}, {c:+.4f}]" for a, c in results["flips"][b])
        print(f"β_SG = {b:g}: SG at w = {W_LANDSCAPE}: {at:+.4f}; sign differs from the true "
              f"dy/dw on {flip.mean():.1%} of the sweep, w in {shown}")  # fmt: skip
    # panel C: the v1-v2 landscape at w = W_LANDSCAPE
    n = 41 if quick else 81
    v1, v2 = np.meshgrid(np.linspace(-0.3, 0.3, n), np.linspace(-0.3, 0.3, n))
    args = (np.full_like(v1, W_LANDSCAPE), v1, v2)
    results["landscape"] = {
        "v1": v1, "v2": v2, "y": network(*args),
        "true": gradient((1, 2), *args),
        "sg": {b: gradient((1, 2), *args, beta_sg=b) for b in BETAS_SG},
    }  # fmt: skip
    return results


def _cumulative(w, d, start):
    """``start + ∫ d dw`` (trapezoid) on the grid."""
    return start + np.r_[0.0, np.cumsum(0.5 * (d[1:] + d[:-1]) * np.diff(w))]


def plot(results: dict, path) -> None:
    plt = pyplot()
    w, y, true = results["w"], results["y"], results["true"]
    land = results["landscape"]
    figure, axes = plt.subplots(3, len(BETAS_SG), figsize=(4.2 * len(BETAS_SG), 11))
    for col, b in enumerate(BETAS_SG):
        sg, smooth = results["sg"][b], results["smoothed"][b]
        integrated = _cumulative(w, sg, y[0])
        top, mid, low = axes[:, col]
        for curve, style, label in ((y, "-", "network output y"),
                                    (smooth, "--", f"smoothed output (σ with β = {b:g})"),
                                    (integrated, "-", "integrated SG")):  # fmt: skip
            color = "C1" if label == "integrated SG" else "0.4"
            (line,) = top.plot(w, curve, style, color=color, label=label)
            top.plot(w[np.argmin(curve)], top.get_ylim()[0], "v", color=line.get_color(), ms=8)
        top.set_title(f"β_SG = {b:g}")
        top.set_xlabel("w")
        mid.plot(w, true, "-", color="0.4", label="true dy/dw")
        mid.plot(
            w, np.gradient(smooth, w), "--", color="0.4", label="derivative of smoothed output"
        )
        mid.plot(w, sg, "-", color="C1", label="surrogate gradient")
        for a, c in results["flips"][b]:
            mid.axvspan(
                a,
                c,
                color="C3",
                alpha=0.15,
                label="sign differs" if a == results["flips"][b][0][0] else None,
            )
        mid.axhline(0, color="k", lw=0.5)
        mid.set_yscale("symlog", linthresh=1e-2)
        mid.set_xlabel("w")
        # panel C
        image = low.pcolormesh(land["v1"], land["v2"], land["y"], shading="auto", cmap="viridis")
        step = max(1, land["v1"].shape[0] // 10)
        sl = (slice(None, None, step), slice(None, None, step))
        g1, g2 = land["sg"][b]
        norm = np.hypot(g1, g2) + 1e-300
        low.quiver(land["v1"][sl], land["v2"][sl], (-g1 / norm)[sl], (-g2 / norm)[sl],
                   color="C1", label="−SG (direction)")  # fmt: skip
        t1, t2 = land["true"]
        tn = np.hypot(t1, t2)
        tn = np.where(tn > 1e-6, tn, np.nan)  # no arrow where the true gradient vanishes
        low.quiver(land["v1"][sl], land["v2"][sl], (-t1 / tn)[sl], (-t2 / tn)[sl],
                   color="w", alpha=0.6, label="−true gradient (direction)")  # fmt: skip
        low.plot(V1, V2, "o", color="C3", label="Table 1 (v1, v2)")
        low.set_xlabel("v1")
        low.set_ylabel("v2")
        low.set_title(f"y over (v1, v2) at w = {W_LANDSCAPE:g}")
        figure.colorbar(image, ax=low, label="y")
    axes[0, 0].set_ylabel("output")
    axes[1, 0].set_ylabel("derivative w.r.t. w (symlog)")
    axes[0, 0].legend(fontsize=7)
    axes[1, 0].legend(fontsize=7)
    axes[2, 0].legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    save(figure, path)


if __name__ == "__main__":
    cli("fig4_sign_flip", __doc__, run, plot)
