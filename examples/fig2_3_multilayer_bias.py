"""Gygax & Zenke, Figs. 2–3: in a stochastic multilayer network, surrogate-gradient BPTT is
the smoothed stochastic derivative along the sampled path, biased for E[y]; stochastic
triples are not.

A stochastic binary MLP ``x (2) → h1 (3) → h2 (3) → y (1)``, every unit
``Bernoulli(σ(β (h W + b)))`` (``snn.BinaryDense`` with logistic escape noise, β = 2), and
the output ``y`` as the loss (the paper studies the Jacobian of the output). The script
checks, on the same parameters:

1. *same path*: ``snn.value_and_grad(method="surrogate")`` (numba BPTT) equals
   ``method="smoothed"`` (``stochad.grad``) on every sampled path;
2. *the exact gradient* ``∇E[y]`` by enumerating all ``2^7`` spike patterns, and the exact
   expectation of the smoothed (= surrogate) estimator over paths, by the same enumeration
   with a straight-through forward (each spike's value forced, its derivative ``σ′``): the
   bias of the surrogate gradient, without Monte Carlo noise, checked against a Monte Carlo
   mean of the library's estimator;
3. the deterministic network's surrogate gradient (Heaviside, the same σ′): one point of
   the tree instead of an average over paths;
4. the unbiased triple estimate (``method="triple"``) and its agreement with the exact
   gradient (z-scores), and the per-sample spread of every estimator, finite differences
   with independent paths included (the paper's Fig. 3 gray paths);
5. a sweep of one first-layer weight: exact ``dE[y]/dw``, the smoothed estimator's
   expectation, and triple estimates (the former ``two_layer_bias.py``).

    python examples/fig2_3_multilayer_bias.py [--quick] [--figure PATH]
"""

from __future__ import annotations

import numpy as np
from plotting import cli, cosine, exact_gradient, flat, patterns, pyplot, relative_error, save

import stochad
from stochad import snn, surrogates

BETA = 2.0
SIZES = (3, 3, 1)
X = np.array([[[1.0, 0.5]]])  # one input row (1, T = 1, 2)
SWEPT = ("W0", (0, 0))  # the weight of panel C


def network(stochastic: bool = True) -> snn.Network:
    noise = surrogates.logistic(BETA)
    spike = snn.EscapeNoise(noise) if stochastic else snn.Heaviside(noise)
    return snn.Network(2, [snn.BinaryDense(n, spike=spike) for n in SIZES])


def parameters(seed: int = 24) -> dict:
    """Weights ~ N(0, 1); with this seed every unit fires with probability in [2 %, 98 %]
    on every path (so a few thousand samples see every jump), and of 60 seeds it has
    the largest smoothing bias."""
    g = np.random.default_rng(seed)
    shapes = network().param_shapes()
    return {k: g.normal(0.0, 1.0, s) for k, s in shapes.items()}


def output(out):
    """The loss: the output spike of each row (per-row losses: independent samples)."""
    return stochad.sum(stochad.sum(out, axis=2), axis=1)


def smoothed_expectation(params: dict, x: np.ndarray = X) -> dict:
    """``E_paths[smoothed gradient]`` exactly: every pattern's straight-through gradient
    (value: the forced spike; derivative: that of its probability), weighted by the
    pattern's probability (held constant)."""
    net = network()
    forced = [f[:, 0, :] for f in patterns(net, 1)]

    def weighted(p):
        h, log_p = np.repeat(x[:, 0, :], forced[0].shape[0], axis=0), 0.0
        for k, s in enumerate(forced):
            prob = net.layers[k].spike.noise.cdf(h @ p[f"W{k}"] + p[f"b{k}"])
            q = np.asarray(stochad.value(prob))
            log_p = log_p + np.sum(np.log(np.where(s == 1.0, q, 1.0 - q)), axis=1)
            h = s + prob - stochad.value(prob)  # value s, derivative d prob
        return stochad.sum(np.exp(log_p) * stochad.sum(h, axis=1))

    return stochad.grad(weighted)(params)


def finite_differences(params: dict, n: int, h: float, seed: int) -> dict:
    """Per-sample std of central differences, each side on its own independent path."""
    net, x, rng = network(), np.repeat(X, n, axis=0), np.random.default_rng(seed)
    std = {}
    for k, v in params.items():
        std[k] = np.empty(v.shape)
        for index in np.ndindex(v.shape):
            sides = []
            for sign in (1.0, -1.0):
                p = {**params, k: v.copy()}
                p[k][index] += sign * h
                sides.append(np.asarray(net.forward(p, x, rng=rng)).sum(axis=(1, 2)))
            std[k][index] = np.std((sides[0] - sides[1]) / (2 * h), ddof=1)
    return std


def spreads(params: dict, n: int) -> dict:
    """Per-sample standard deviation of each estimator, every coordinate."""
    net, x = network(), np.repeat(X, n, axis=0)

    def rows_std(method, **options):  # per-row loss: the n rows are n samples
        _, _, aux = snn.value_and_grad(output, params, x, network=net, method=method,
                                       rng=7, return_aux=True, **options)  # fmt: skip
        return {k: v * np.sqrt(n) for k, v in aux["stderr"].items()}

    def batches_std(method, **options):  # 40 samples of n/40 rows, each row its own path
        rows = np.repeat(X, n // 40, axis=0)
        _, _, aux = snn.value_and_grad(output, params, rows, network=net, method=method,
                                       rng=8, samples=40, return_aux=True, **options)  # fmt: skip
        return {k: v * np.sqrt(40 * (n // 40)) for k, v in aux["stderr"].items()}

    return {
        "smoothed (= SG)": batches_std("surrogate"),
        "triple": rows_std("triple"),
        "score function (leave-one-out baseline)": batches_std("score", baseline="leave_one_out"),
        "finite differences, h = 0.1": finite_differences(params, n, 0.1, seed=10),
    }


def run(quick: bool = False) -> dict:
    params = parameters()
    net = network()
    n = 4000 if quick else 40000
    exact = exact_gradient(net, params, X, output)
    smooth_exact = smoothed_expectation(params)
    # 1. surrogate BPTT == smoothed stochastic AD on the same paths
    gaps = []
    for seed in range(20 if quick else 200):
        kw = dict(network=net, rng=seed)
        _, a = snn.value_and_grad(output, params, X, method="surrogate", **kw)
        _, b = snn.value_and_grad(output, params, X, method="smoothed", **kw)
        gaps.append(max(np.abs(a[k] - b[k]).max() for k in params))
    print(f"1. surrogate BPTT vs smoothed AD on the same path ({len(gaps)} paths): "
          f"max |difference| {max(gaps):.1e}")  # fmt: skip
    # 2. the surrogate gradient's Monte Carlo mean (library) vs its exact expectation
    _, sg_mean, aux = snn.value_and_grad(
        output, params, np.repeat(X, n // 40, axis=0), network=net, method="surrogate", rng=1,
        samples=40, return_aux=True,
    )  # fmt: skip
    z_sg = (flat(sg_mean) - flat(smooth_exact)) / flat(aux["stderr"])
    # 3. the deterministic rollout's surrogate gradient
    _, det = snn.value_and_grad(output, params, X, network=network(False), method="surrogate")
    # 4. unbiased triples: one estimate per row
    _, tri, aux = snn.value_and_grad(
        output, params, np.repeat(X, n, axis=0), network=net, method="triple", rng=2,
        return_aux=True,
    )  # fmt: skip
    z_tri = (flat(tri) - flat(exact)) / flat(aux["stderr"])
    truth = flat(exact)
    estimates = {"smoothed (= SG), expectation": smooth_exact, "deterministic SG": det,
                 "triple, Monte Carlo mean": tri}  # fmt: skip
    summary = {
        k: (cosine(flat(g), truth), relative_error(flat(g), truth)) for k, g in estimates.items()
    }
    print(f"2-4. against the exact gradient of E[y] ({truth.size} coordinates):")
    for name, (c, r) in summary.items():
        print(f"   {name:30s} cosine {c:+.4f}   relative error {r:.3f}")
    print(f"   SG Monte Carlo mean ({n} paths) vs its exact expectation: "
          f"max |z| {np.abs(z_sg).max():.2f}")  # fmt: skip
    print(f"   triple mean ({n} rows) vs the exact gradient: max |z| {np.abs(z_tri).max():.2f}")
    spread = spreads(params, n)
    print("   per-sample standard deviation, mean over coordinates:")
    for name, std in spread.items():
        print(f"   {name:32s} {flat(std).mean():8.3f}")
    # 5. sweep of one first-layer weight
    k, index = SWEPT
    weights = np.linspace(-3.0, 3.0, 7 if quick else 25)
    sweep = {"w": weights, "exact": [], "smoothed": [], "triple": [], "triple_se": []}
    for w in weights:
        p = {**params, k: params[k].copy()}
        p[k][index] = w
        sweep["exact"].append(exact_gradient(net, p, X, output)[k][index])
        sweep["smoothed"].append(smoothed_expectation(p)[k][index])
        _, t, a = snn.value_and_grad(output, p, np.repeat(X, n // 2, axis=0), network=net,
                                     method="triple", subset=k, rng=3, return_aux=True)  # fmt: skip
        sweep["triple"].append(t[k][index])
        sweep["triple_se"].append(a["stderr"][k][index])
    sweep = {key: np.asarray(v) for key, v in sweep.items()}
    return {
        "keys": sorted(params), "exact": exact, "smoothed_expectation": smooth_exact,
        "sg_mean": sg_mean, "z_sg": z_sg, "deterministic": det, "triple": tri, "z_triple": z_tri,
        "same_path_gap": max(gaps), "summary": summary, "spread": spread, "sweep": sweep,
    }  # fmt: skip


def plot(results: dict, path) -> None:
    plt = pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    truth = flat(results["exact"])
    ax = axes[0]
    lim = np.abs(truth).max() * 1.2
    ax.plot([-lim, lim], [-lim, lim], "k-", lw=0.5)
    shown = (("smoothed = SG (expectation over paths)", results["smoothed_expectation"], "o"),
             ("deterministic SG", results["deterministic"], "+"),
             ("stochastic triples (mean)", results["triple"], "x"))  # fmt: skip
    for name, g, marker in shown:
        ax.plot(truth, flat(g), marker, label=name, mfc="none")
    ax.set_xlabel("exact ∂E[y]/∂θ (enumeration)")
    ax.set_ylabel("estimator's mean")
    ax.set_title("A: every coordinate of the gradient")
    ax.legend(fontsize=8)
    ax = axes[1]
    names = list(results["spread"])
    data = [flat(results["spread"][k]) for k in names]
    ax.boxplot(data)
    ax.set_xticks(
        range(1, len(names) + 1),
        [n.replace(" (", "\n(").replace(", h", "\nh") for n in names],
        fontsize=7,
    )
    ax.set_yscale("log")
    ax.set_ylabel("per-sample standard deviation (all coordinates)")
    ax.set_title("B: spread of one-path estimates")
    ax = axes[2]
    s = results["sweep"]
    ax.plot(s["w"], s["exact"], "-", color="C1", label="exact dE[y]/dw")
    ax.plot(s["w"], s["smoothed"], "--", color="C0", label="smoothed = SG, expectation")
    ax.errorbar(s["w"], s["triple"], yerr=2 * s["triple_se"], fmt="s", color="k", ms=3,
                label="stochastic triples (mean ± 2 SE)")  # fmt: skip
    ax.set_xlabel(f"first-layer weight {SWEPT[0]}[{SWEPT[1][0]}, {SWEPT[1][1]}]")
    ax.set_ylabel("derivative of E[y]")
    ax.set_title("C: one weight swept")
    ax.legend(fontsize=8)
    figure.tight_layout()
    save(figure, path)


if __name__ == "__main__":
    cli("fig2_3_multilayer_bias", __doc__, run, plot)
