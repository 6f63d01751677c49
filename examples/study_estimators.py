"""The study Gygax & Zenke leave open: unbiased (stochastic triples) vs smoothed (surrogate)
gradients of small stochastic SNNs, against the exact gradient.

Two families of escape-noise networks, small enough to enumerate every spike pattern:

* deeper: ``L`` stochastic binary layers of 2 units (``snn.BinaryDense``, logistic noise
  β = 2) and a stochastic output unit, 2 time steps, ``L = 1 … 4``;
* longer: one recurrent stochastic LIF layer of 2 neurons (logistic noise β = 3), the
  loss on its spikes, ``T = 3 … 8`` steps.

The loss of one sample is ``(Σ_t Σ_i c_ti · out_ti − target)²`` (per-row: each batch row is an
independent sample). For every network and estimator the script measures, against the
exact gradient ``∇E[loss]`` (enumeration, reverse mode through it):

* bias: the cosine similarity and relative error ``‖mean − exact‖/‖exact‖`` of the mean of
  many samples (with the noise floor ``‖SE‖/‖exact‖`` of that mean);
* variance: the per-sample total variance ``tr Cov / ‖exact‖²``;
* cost: wall time per sample, and the work to reach 10 % relative error.

Estimators (all through the public API): ``snn.value_and_grad`` with ``"triple"`` (full
stochastic triples, pruned backend, one forward pass per coordinate) on the per-row loss
and on its batch mean (the scalar loss one writes; the triple arrays keep the rows'
perturbations in bags, so one call is as precise as the per-row estimates averaged;
its per-sample spread is measured across 20 calls), ``"surrogate"`` (=
``"smoothed"``, the surrogate gradient: one forward and one backward pass), ``"score"``
(REINFORCE with a leave-one-out baseline), and central finite differences with common
random numbers (the same seed on both sides, ``h = 0.05``; 2 forward passes per coordinate).
Then the same network is trained with each gradient (Adam, equal numbers of updates and
samples per update), its exact expected loss recorded along the way.

    python examples/study_estimators.py [--quick] [--figure PATH]
"""

# ruff: noqa: E402 - the BLAS setting must precede numpy's import
from __future__ import annotations

import os

# numpy's BLAS threads spin-wait against the numba kernels' on a small shared machine
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import time

import numpy as np
from plotting import cli, cosine, exact_expectation, exact_gradient, flat, kernel_run, pyplot, save

import stochad
from stochad import snn, surrogates
from stochad.snn.optimizers import Adam

ESTIMATORS = ("triple", "triple (batch mean)", "smoothed (= SG)", "score (LOO baseline)",
              "finite differences")  # fmt: skip
BATCH_MEAN_CALLS = 20  # calls of n / 20 rows each: their spread gives the per-sample std
BATCH_MEAN_MIN_ROWS = 1600
"""The batch-mean triple sees at least this many rows: some coordinates' estimates are
nonzero in about 1 % of rows only (b0[1] of the L = 2 net), and with 400 rows in 20 calls
all of them can be zero (seed 0 of the quick run), which says nothing about the mean; with
1600 rows such a coordinate is hit about 16 times. One call costs about the same."""
H = 0.05  # the finite-difference half step
DEPTHS = {False: (1, 2, 3, 4), True: (1, 2)}
LENGTHS = {False: (3, 4, 6, 8), True: (4,)}
TRAINED = 6  # the length of the network trained with each gradient


def deeper(depth: int):
    """(network, params, one input row, loss weights) of the depth sweep."""
    noise = snn.EscapeNoise(surrogates.logistic(2.0))
    net = snn.Network(2, [*(snn.BinaryDense(2, spike=noise) for _ in range(depth)),
                          snn.BinaryDense(1, spike=noise)])  # fmt: skip
    g = np.random.default_rng(100 + depth)
    params = {k: g.normal(0.0, 1.0, s) for k, s in net.param_shapes().items()}
    x = np.array([[[1.0, 0.0], [0.5, 1.0]]])
    return net, params, x, np.array([1.0, 1.0]), 1.2


def longer(steps: int):
    """(network, params, one input row, loss weights, target) of the length sweep: the
    loss reads the recurrent layer's own spikes."""
    noise = snn.EscapeNoise(surrogates.logistic(3.0))
    lif = snn.LIF(2, tau_mem=5e-3, threshold=0.5, recurrent=True, spike=noise)
    net = snn.Network(2, [lif])
    params = {"W0": np.array([[3.0, 1.0], [-1.0, 2.5]]),
              "V0": np.array([[0.0, -2.0], [1.5, 0.5]])}  # fmt: skip
    x = np.ones((1, steps, 2))
    x[0, :, 1] = np.arange(steps) % 3 != 1
    return net, params, x, np.linspace(0.5, 1.5, steps)[:, None] * np.array([1.0, -0.7]), 0.5


def per_row(weights: np.ndarray, target: float):
    """The per-sample loss ``(Σ_t c_t out_t − target)²`` on any stochad carrier."""

    def loss(out):  # weights: (T,) or (T, n_out)
        weighted = out * np.reshape(weights, (1, out.shape[1], -1))
        return (stochad.sum(stochad.sum(weighted, axis=2), axis=1) - target) ** 2

    return loss


def finite_differences(net, params, x, loss, n: int, seed: int) -> tuple[dict, dict]:
    """Mean and per-sample std of ``n`` central differences per coordinate, both sides
    on the same random numbers (common random numbers: the same generator state)."""
    rows = np.repeat(x, n, axis=0)
    mean, std = {}, {}
    for k, v in params.items():
        mean[k], std[k] = np.empty(v.shape), np.empty(v.shape)
        for index in np.ndindex(v.shape):
            sides = []
            for sign in (1.0, -1.0):
                p = {**params, k: v.copy()}
                p[k][index] += sign * H
                out = kernel_run(net, p, rows, np.random.default_rng(seed))[-1]
                sides.append(np.asarray(loss(out)))
            d = (sides[0] - sides[1]) / (2 * H)
            mean[k][index], std[k][index] = d.mean(), d.std(ddof=1)
    return mean, std


def estimate(name: str, net, params, x, loss, n: int, seed: int, batches: int = 4):
    """(mean, per-sample std or None, seconds per sample) of ``n`` samples of an estimator
    (for the one-pass methods, ``batches`` calls of ``n / batches`` rows each)."""
    start = time.perf_counter()
    if name == "finite differences":
        mean, std = finite_differences(net, params, x, loss, n, seed)
        return mean, std, (time.perf_counter() - start) / n
    method = {"triple": "triple", "triple (batch mean)": "triple", "smoothed (= SG)": "surrogate",
              "score (LOO baseline)": "score"}[name]  # fmt: skip
    options = {"baseline": "leave_one_out"} if method == "score" else {}
    if name == "triple":
        batches = 1  # per-row triples keep every row's estimate
    elif name == "triple (batch mean)":
        # the loss a user writes, the mean over the batch's rows: one estimate per call
        # (the rows' perturbations are kept in bags, not pruned against each other)
        loss, batches = _batch_mean(loss), (min(BATCH_MEAN_CALLS, n) if batches > 1 else 1)
    rows = np.repeat(x, n // batches, axis=0)
    _, mean, aux = snn.value_and_grad(loss, params, rows, network=net, method=method, rng=seed,
                                      samples=batches, return_aux=True, **options)  # fmt: skip
    seconds = (time.perf_counter() - start) / n
    if aux["stderr"] is None:
        return mean, None, seconds
    return mean, {k: s * np.sqrt(n) for k, s in aux["stderr"].items()}, seconds


def _batch_mean(per_row_loss):
    """The scalar mean over the batch of a per-row loss."""
    return lambda out: stochad.mean(per_row_loss(out))


def measure(case, n: int, seed: int = 0) -> dict:
    """Every estimator on one network: bias, variance and cost against the exact gradient."""
    net, params, x, weights, target = case
    loss = per_row(weights, target)
    exact = flat(exact_gradient(net, params, x, loss))
    norm = float(np.linalg.norm(exact))
    rows = {}
    for name in ESTIMATORS:
        estimate(name, net, params, x, loss, 40, seed + 1)  # compile and warm up, untimed
        rows_used = max(n, BATCH_MEAN_MIN_ROWS) if name == "triple (batch mean)" else n
        mean, std, seconds = estimate(name, net, params, x, loss, rows_used, seed)
        m, s = flat(mean), flat(std)
        variance = float(s @ s) / norm**2  # tr Cov / ‖g‖² per sample
        se = np.maximum(s / np.sqrt(rows_used), 1e-12)
        rows[name] = {
            "cosine": cosine(m, exact), "relative_error": float(np.linalg.norm(m - exact) / norm),
            "noise_floor": float(np.sqrt(variance / rows_used)), "variance": variance,
            "us_per_sample": seconds * 1e6, "z_max": float(np.max(np.abs(m - exact) / se)),
        }  # fmt: skip
        # work for 10 % relative error: variance/n = 0.01 (unreachable when biased beyond it)
        biased = rows[name]["relative_error"] > 0.1 and rows[name]["z_max"] > 5
        rows[name]["ms_to_10pct"] = np.inf if biased else variance / 0.01 * seconds * 1e3
    return {"parameters": exact.size, "spikes": _spikes(net, x), "rows": rows}


def _spikes(net, x) -> int:
    return sum(layer.size * x.shape[1] for layer in net.layers if layer.stochastic)


def train(case, n_updates: int, batch: int, every: int) -> dict:
    """Adam on each estimator's gradient from the same start; the exact loss on the way."""
    net, params0, x, weights, target = case
    loss = per_row(weights, target)
    curves = {}
    for name in ESTIMATORS:
        params, opt = {k: v.copy() for k, v in params0.items()}, Adam(lr=0.05)
        state, curve, elapsed, seed = (
            opt.init(params),
            {"update": [], "loss": [], "seconds": []},
            0.0,
            1,
        )
        for step in range(n_updates + 1):
            if step % every == 0:
                curve["update"].append(step)
                curve["loss"].append(float(exact_expectation(net, params, x, loss)))
                curve["seconds"].append(elapsed)
            if step == n_updates:
                break
            start = time.perf_counter()
            grads, _, _ = estimate(name, net, params, x, loss, batch, seed + step, batches=1)
            params, state = opt.step(params, grads, state)
            elapsed += time.perf_counter() - start
        curves[name] = {k: np.asarray(v) for k, v in curve.items()}
    return curves


def run(quick: bool = False) -> dict:
    n = 400 if quick else 4000
    sweeps = {
        "deeper (hidden layers L, T = 2)": {L: deeper(L) for L in DEPTHS[quick]},
        "longer (time steps T, 1 recurrent layer)": {T: longer(T) for T in LENGTHS[quick]},
    }
    results = {"n": n, "sweeps": {}}
    for sweep, cases in sweeps.items():
        results["sweeps"][sweep] = {}
        print(f"\n{sweep}, {n} samples per estimate")
        print(f"{'':>3s} {'estimator':>22s} {'cosine':>7s} {'rel.err':>8s} {'(noise)':>8s} "
              f"{'var/|g|²':>9s} {'µs/sample':>10s} {'ms to 10%':>10s}")  # fmt: skip
        for size, case in cases.items():
            m = measure(case, n)
            results["sweeps"][sweep][size] = m
            for name, r in m["rows"].items():
                print(f"{size:>3d} {name:>22s} {r['cosine']:7.3f} {r['relative_error']:8.3f} "
                      f"{r['noise_floor']:8.3f} {r['variance']:9.3g} {r['us_per_sample']:10.1f} "
                      f"{r['ms_to_10pct']:10.3g}")  # fmt: skip
    case = longer(TRAINED)
    updates = 20 if quick else 200
    results["training"] = train(case, updates, batch=32 if quick else 64, every=5 if quick else 10)
    print(f"\ntraining the longer network (T = {TRAINED}), Adam lr 0.05, {updates} updates: "
          "exact expected loss first → last (seconds of gradient computation)")  # fmt: skip
    for name, c in results["training"].items():
        print(f"   {name:>22s}: {c['loss'][0]:.4f} → {c['loss'][-1]:.4f} "
              f"(min {c['loss'].min():.4f}), {c['seconds'][-1]:.1f} s")  # fmt: skip
    return results


def plot(results: dict, path) -> None:
    plt = pyplot()
    figure, axes = plt.subplots(2, 4, figsize=(17, 7.5))
    colors = dict(zip(ESTIMATORS, ("C0", "C4", "C1", "C2", "C3"), strict=True))
    for row, (sweep, cases) in enumerate(results["sweeps"].items()):
        sizes = list(cases)
        for col, (key, label, log) in enumerate((
            ("relative_error", "relative error of the mean (bias)", True),
            ("variance", "per-sample variance / ‖exact‖²", True),
            ("us_per_sample", "cost per sample (µs)", True),
        )):  # fmt: skip
            ax = axes[row, col]
            for name in ESTIMATORS:
                values = [cases[s]["rows"][name][key] for s in sizes]
                ax.plot(sizes, values, "o-", color=colors[name], label=name)
                if key == "relative_error":
                    floor = [cases[s]["rows"][name]["noise_floor"] for s in sizes]
                    ax.plot(sizes, floor, ":", color=colors[name], lw=1)
            ax.set_yscale("log" if log else "linear")
            ax.set_xlabel(sweep)
            ax.set_ylabel(label)
            ax.set_xticks(sizes)
        axes[row, 0].set_title("bias (dotted: noise floor of the mean)", fontsize=9)
        axes[row, 1].set_title("variance", fontsize=9)
        axes[row, 2].set_title("cost", fontsize=9)
    axes[0, 0].legend(fontsize=8)
    ax = axes[0, 3]
    for name, c in results["training"].items():
        ax.plot(c["update"], c["loss"], "o-", ms=3, color=colors[name], label=name)
    ax.set_xlabel("update")
    ax.set_ylabel("exact expected loss (enumeration)")
    ax.set_title(f"training the longer network (T = {TRAINED})", fontsize=9)
    ax.legend(fontsize=8)
    ax = axes[1, 3]
    for name, c in results["training"].items():
        ax.plot(c["seconds"], c["loss"], "o-", ms=3, color=colors[name], label=name)
    ax.set_xscale("symlog", linthresh=0.1)
    ax.set_xlabel("seconds of gradient computation")
    ax.set_ylabel("exact expected loss")
    ax.set_title("the same against wall time", fontsize=9)
    figure.tight_layout()
    save(figure, path)


if __name__ == "__main__":
    cli("study_estimators", __doc__, run, plot)
