"""Gygax & Zenke, Fig. 7: a stochastic SNN learns a spiking classification task as well as a
deterministic one, and keeps its trial-to-trial variability.

The task is ``stochad.snn.data.synthetic_shd`` (700 input units each firing once per
sample, 20 classes told apart by spike timing only; each class a two-dimensional random
manifold, harder than the default one-dimensional one, which both networks learned to
99 %), or the real Spiking Heidelberg Digits
when the environment variable ``SHD_DIR`` names a folder with ``shd_train.h5`` and
``shd_test.h5`` (``pip install "stochad[hdf5]"``). The network: 700 → 128 recurrent LIF
(τ_mem 20 ms, τ_syn 10 ms, Δt 2 ms, reset at the next step) → 20 leaky readouts (τ_mem the
sample's duration), max-over-time cross entropy, SMORMS3 (lr 0.01), one trial per update.
The paper's ConvSNN (three convolutional layers) is replaced by one recurrent layer.

* deterministic: Heaviside spikes, SuperSpike surrogate β = 10;
* stochastic: logistic escape noise β = 10, the same SuperSpike surrogate (Table 2).

Both are validated during training (under their own spike generation), and at the end each
is tested under both: the stochastic network run deterministically and vice versa
(stochastic tests average over 5 runs). The stochastic network's hidden-layer Fano factor
(10-step windows, 5 trials) is tracked over training.

    python examples/fig7_shd_classification.py [--quick] [--figure PATH]
"""

# ruff: noqa: E402 - the BLAS setting must precede numpy's import
from __future__ import annotations

import os

# numpy's BLAS threads spin-wait against the numba kernels' on a small shared machine
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from pathlib import Path

import numpy as np
from plotting import Resumed, cli, kernel_run, pyplot, save

from stochad import snn, surrogates
from stochad.snn.data import load_shd, synthetic_shd
from stochad.snn.initialization import fluctuation_driven_init
from stochad.snn.losses import max_over_time_cross_entropy
from stochad.snn.metrics import accuracy, fano_factor
from stochad.snn.optimizers import SMORMS3

DT = 2e-3
FULL = {"train": 800, "valid": 100, "test": 200, "steps": 100, "hidden": 128, "epochs": 30,
        "every": 2, "batch": 32}  # fmt: skip
QUICK = {"train": 64, "valid": 32, "test": 32, "steps": 30, "hidden": 32, "epochs": 4,
         "every": 2, "batch": 32}  # fmt: skip
TEST_TRIALS = 5
# intrinsic dimension of each class's manifold: 1 (the default) is too easy to tell the
# networks apart (deterministic 0.99 validation accuracy after 30 epochs)
MANIFOLD_DIM = 2


def data(size: dict) -> tuple:
    """(train, validation, test) data sets and where they came from."""
    folder = os.environ.get("SHD_DIR")
    if folder and (Path(folder) / "shd_train.h5").exists():
        kw = {"dt": DT, "n_steps": size["steps"]}
        full = load_shd(
            Path(folder) / "shd_train.h5", max_samples=size["train"] + size["valid"], **kw
        )
        test = load_shd(Path(folder) / "shd_test.h5", max_samples=size["test"], **kw)
        n = size["train"]
        return full.subset(range(n)), full.subset(range(n, len(full))), test, "SHD"
    total = size["train"] + size["valid"] + size["test"]
    every = synthetic_shd(
        total, n_steps=size["steps"], dt=DT, dim_manifold=MANIFOLD_DIM, rng=np.random.default_rng(0)
    )
    a, b = size["train"], size["train"] + size["valid"]
    return (
        every.subset(range(a)),
        every.subset(range(a, b)),
        every.subset(range(b, total)),
        "synthetic SHD",
    )


def networks(size: dict) -> dict:
    superspike = surrogates.from_library("stork", "SuperSpike", 10.0)
    noise = surrogates.logistic(10.0)
    spikes = {"deterministic": snn.Heaviside(superspike),
              "stochastic": snn.EscapeNoise(noise, surrogate=superspike)}  # fmt: skip
    lif = {"recurrent": True, "tau_mem": 20e-3, "tau_syn": 10e-3, "dt": DT}
    readout = snn.Readout(20, tau_mem=size["steps"] * DT, tau_syn=10e-3, dt=DT)
    return {
        name: snn.Network(700, [snn.LIF(size["hidden"], spike=spike, **lif), readout])
        for name, spike in spikes.items()
    }  # fmt: skip


def initial_params(size: dict, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    nu = 1 / (size["steps"] * DT)  # every input unit fires once per sample
    h = size["hidden"]
    kw = {"tau_mem": 20e-3, "tau_syn": 10e-3, "rng": rng}
    return {
        "W0": fluctuation_driven_init((700, h), nu=nu, alpha=0.9, **kw),
        "V0": fluctuation_driven_init((h, h), nu=10.0, alpha=0.9, kind="recurrent", **kw),
        "W1": fluctuation_driven_init((h, 20), nu=10.0, tau_mem=size["steps"] * DT,
                                      tau_syn=10e-3, rng=rng),
    }  # fmt: skip


def test_accuracy(net, params, dataset, trials: int, seed: int) -> float:
    """Accuracy (mean over ``trials`` runs for a stochastic network)."""
    x, runs = dataset.dense(), trials if net.stochastic else 1
    gen = np.random.default_rng(seed)
    return float(np.mean([accuracy(kernel_run(net, params, x, gen)[-1], dataset.labels)
                          for _ in range(runs)]))  # fmt: skip


def hidden_fano(net, params, dataset, seed: int) -> float:
    x, gen = dataset.dense(), np.random.default_rng(seed)
    runs = [kernel_run(net, params, x, gen)[0] for _ in range(TEST_TRIALS)]
    return fano_factor(np.stack(runs), window=10)


def expected_flips(nets: dict, params: dict, dataset) -> float:
    """How many hidden spikes escape noise would flip per sample, along the deterministic
    run: ``Σ_t Σ_i |S_ti − p_ti|``, ``S`` the deterministic spikes and ``p`` the escape-noise
    firing probability given the same history (the stochastic network forced onto them).

    It counts the flips to first order: after the first flip the runs part ways."""
    x = dataset.dense()
    hidden = kernel_run(nets["deterministic"], params, x, np.random.default_rng(0))[0]
    trace = nets["stochastic"].run(params, x, forced=[hidden, None])
    p = np.stack(trace.probabilities[0], axis=1)  # (batch, T, hidden)
    return float(np.abs(hidden - p).sum(axis=(1, 2)).mean())


def run(quick: bool = False) -> dict:
    size = QUICK if quick else FULL
    train, valid, test, source = data(size)
    nets = networks(size)
    print(
        f"{source}: {len(train)} training, {len(valid)} validation, {len(test)} test samples, "
        f"{size['steps']} steps of {DT * 1e3:g} ms; 700 → {size['hidden']} recurrent LIF → 20"
    )
    results = {"size": size, "source": source, "runs": {}, "cross": {}}
    trained = {}
    for name, net in nets.items():
        params = initial_params(size)
        optimizer, gen = Resumed(SMORMS3(lr=0.01)), np.random.default_rng(2)
        curve = {"epoch": [], "train_accuracy": [], "valid_accuracy": [], "loss": [], "fano": []}
        for epoch in range(0, size["epochs"], size["every"]):
            params, history = snn.train(
                max_over_time_cross_entropy, params, train, network=net, optimizer=optimizer,
                epochs=size["every"], batch_size=size["batch"], rng=gen,
            )  # fmt: skip
            curve["epoch"].append(epoch + size["every"])
            curve["loss"].append(history["loss"][-1])
            curve["train_accuracy"].append(history["accuracy"][-1])
            curve["valid_accuracy"].append(test_accuracy(net, params, valid, TEST_TRIALS, 3))
            curve["fano"].append(hidden_fano(net, params, valid, 4) if net.stochastic else 0.0)
        trained[name] = params
        results["runs"][name] = {k: np.asarray(v) for k, v in curve.items()}
        extra = (
            f", hidden Fano factor {curve['fano'][0]:.2f} → {curve['fano'][-1]:.2f}"
            if net.stochastic
            else ""
        )
        print(f"{name:>13s}: loss {curve['loss'][0]:.3f} → {curve['loss'][-1]:.3f}, training "
              f"accuracy {curve['train_accuracy'][-1]:.3f}, validation "
              f"{curve['valid_accuracy'][-1]:.3f}{extra}")  # fmt: skip
    print("test accuracy (rows: trained as, columns: tested as)      deterministic   stochastic")
    for trained_as, params in trained.items():
        row = {
            tested_as: test_accuracy(nets[tested_as], params, test, TEST_TRIALS, 5)
            for tested_as in nets
        }
        results["cross"][trained_as] = row
        print(f"{trained_as:>55s} {row['deterministic']:15.3f} {row['stochastic']:12.3f}")
    results["flips"] = {
        name: expected_flips(nets, params, test) for name, params in trained.items()
    }
    results["hidden_spikes"] = {
        name: float(kernel_run(nets["deterministic"], params, test.dense(),
                               np.random.default_rng(0))[0].sum(axis=(1, 2)).mean())
        for name, params in trained.items()
    }  # fmt: skip
    for name in trained:
        print(f"trained {name}, run deterministically: {results['hidden_spikes'][name]:.0f} hidden "
              f"spikes per test sample; escape noise would add or remove "
              f"{results['flips'][name]:.1f} (to first order)")  # fmt: skip
    results["chance"] = 1 / 20
    x, gen = test.subset([0]).dense(), np.random.default_rng(6)
    results["example"] = {
        "input": x[0], "label": int(test.labels[0]),
        "readout": {n: kernel_run(nets[n], trained[n], x, gen)[-1][0] for n in nets},
        # the stochastic network's hidden spikes in 8 trials of that sample
        "trials": np.stack([kernel_run(nets["stochastic"], trained["stochastic"], x, gen)[0][0]
                            for _ in range(8)]),
    }  # fmt: skip
    return results


def plot(results: dict, path) -> None:
    plt = pyplot()
    figure = plt.figure(figsize=(14, 8))
    spec = figure.add_gridspec(2, 3)
    ex = results["example"]
    ax = figure.add_subplot(spec[0, 0])
    for name, style in (("deterministic", "C0"), ("stochastic", "C1")):
        readout = ex["readout"][name]
        ax.plot(readout[:, ex["label"]], color=style, lw=2, label=f"{name}: correct class")
        others = np.delete(readout, ex["label"], axis=1)
        ax.plot(others, color=style, lw=0.4, alpha=0.4)
    ax.set_xlabel("time step (2 ms)")
    ax.set_ylabel("readout membrane U")
    ax.set_title(f"A: readouts for one test sample (class {ex['label']})", fontsize=9)
    ax.legend(fontsize=8)
    ax = figure.add_subplot(spec[1, 0])
    t, i = np.nonzero(ex["input"])
    ax.plot(t, i, ".", ms=1, color="C3")
    ax.set_xlabel("time step (2 ms)")
    ax.set_ylabel("input unit")
    ax.set_title(f"A: its input spikes ({results['source']})", fontsize=9)
    ax = figure.add_subplot(spec[0, 1])
    for name, color in (("deterministic", "C0"), ("stochastic", "C1")):
        c = results["runs"][name]
        ax.plot(c["epoch"], c["train_accuracy"], "--", color=color, label=f"{name}, training")
        ax.plot(
            c["epoch"], c["valid_accuracy"], "-o", ms=3, color=color, label=f"{name}, validation"
        )
    ax.axhline(results["chance"], color="k", lw=0.5, ls=":", label="chance")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_title("B: learning curves", fontsize=9)
    ax.legend(fontsize=8)
    ax = figure.add_subplot(spec[1, 1])
    c = results["runs"]["stochastic"]
    ax.plot(c["epoch"], c["fano"], "o-", color="C1", label="hidden layer (10-step windows)")
    ax.set_ylim(0, None)
    ax.set_xlabel("epoch")
    ax.set_ylabel("Fano factor across 5 trials")
    ax.set_title("C: stochastic network's variability", fontsize=9)
    ax.legend(fontsize=8)
    ax = figure.add_subplot(spec[0, 2])
    cross = results["cross"]
    width = 0.38
    for k, tested in enumerate(("deterministic", "stochastic")):
        values = [cross[trained][tested] for trained in ("deterministic", "stochastic")]
        ax.bar(np.arange(2) + (k - 0.5) * width, values, width, label=f"tested {tested}",
               color=("C0", "C1")[k])  # fmt: skip
    ax.set_xticks([0, 1], ["trained deterministic", "trained stochastic"])
    ax.axhline(results["chance"], color="k", lw=0.5, ls=":")
    ax.set_ylabel("test accuracy")
    ax.set_title("D: each network tested under both spike generations", fontsize=9)
    ax.legend(fontsize=8)
    ax = figure.add_subplot(spec[1, 2])
    trials = ex["trials"]
    for unit, color in zip(range(3), ("C2", "C4", "C5"), strict=True):
        for k, train_ in enumerate(trials):
            steps = np.nonzero(train_[:, unit])[0]
            ax.plot(
                steps, np.full(steps.size, unit * (len(trials) + 2) + k), "|", color=color, ms=4
            )
    ax.set_xlabel("time step (2 ms)")
    ax.set_ylabel("trial (grouped by hidden unit 0, 1, 2)")
    ax.set_title("E: trial-to-trial variability, stochastic network", fontsize=9)
    figure.tight_layout()
    save(figure, path)


if __name__ == "__main__":
    cli("fig7_shd_classification", __doc__, run, plot)
