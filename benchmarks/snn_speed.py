"""Speed of an SNN training step: surrogate-gradient BPTT (numba) against numpy and stochad.grad.

Two networks of issue 10 (Poisson inputs, 1 ms steps, τ_mem 10 ms, τ_syn 5 ms):

(a) 200 → 200 LIF → 200 LIF, T = 198, batch 1, spike-train L2 loss against a target raster
    (Gygax & Zenke fig. 6);
(b) 700 → 256 recurrent LIF → 20 readout, T = 100, batch 64, max-over-time cross entropy
    (the SHD shape, fig. 7).

Each is timed with deterministic spikes (Heaviside, fast-sigmoid surrogate) and with escape
noise (logistic, matched surrogate). A training *step* is forward + backward + an SGD
update. Printed per case, all measured in this process and interleaved:

* ``surrogate step / numpy forward``: the step of ``snn.value_and_grad(method="surrogate")``
  against a plain numpy forward pass of the same network (per-step numpy matmuls and
  elementwise updates; the bar is ≤ 3×);
* ``smoothed / surrogate``: ``method="smoothed"`` (``stochad.grad``) against the kernels;
* the step's absolute time, to compare with the issue's torch numbers (2 threads: snntorch
  246 ms and plain PyTorch 99 ms for (a); 294 ms and 144 ms for (b)).

torch/snntorch comparisons (:func:`compare_torch`) run only when both are installed
(otherwise a message says so): the same shapes with deterministic spikes, built as
``LIF(detach_reset=True, spike=Heaviside(surrogates.from_library("snntorch",
"fast_sigmoid", 25)))`` so that snntorch's ``Synaptic`` neuron computes exactly stochad's
recursion (``benchmarks/torch_snn.py``). Before timing, the loss and every gradient of both
torch versions are checked in float64 against ``method="surrogate"`` (plain PyTorch to
1e-9, snntorch to 1e-6: it casts spikes to float32). Torch steps are then timed in
float32 (stochad computes in float64) with ``torch.set_num_threads(1)`` unless
``TORCH_NUM_THREADS`` is set: with 2 intra-op threads on this shared 2-core machine, a
plain PyTorch step of (a) took 3.4 s instead of 0.2 s.

Threads: numpy's OpenBLAS runs single-threaded here (``OPENBLAS_NUM_THREADS=1`` unless set);
the kernels parallelize batch rows on numba's threads. With two OpenBLAS threads
spin-waiting next to the kernels on a shared 2-core machine, the same steps were measured
5× slower (and the numpy forward of (b) 40× slower), so the default measures the code rather
than the contention. Set the variable yourself to compare.

A first line times the unbiased ``"triple"`` gradient with its coordinates batched in one
pass against one pass per coordinate (:func:`triple_batching`).

Run: ``python benchmarks/snn_speed.py [--repeats N] [--quick] [--part all|steps|triple]``.
"""

from __future__ import annotations

import os

# before numpy loads OpenBLAS (see the module docstring)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stochad  # noqa: E402
from stochad import snn, surrogates  # noqa: E402
from stochad.snn.losses import max_over_time_cross_entropy, spike_mse  # noqa: E402

RATE = 0.05  # 50 Hz at Δt = 1 ms


def numpy_forward(net: snn.Network, params: dict, inputs: np.ndarray, rng) -> np.ndarray:
    """The network's forward pass in plain numpy, one time step at a time (the baseline)."""
    h = inputs
    for k, layer in enumerate(net.layers):
        w = params[f"W{k}"]
        batch, steps = h.shape[:2]
        i = np.zeros((batch, layer.size))
        u = np.zeros((batch, layer.size))
        out = np.empty((batch, steps, layer.size))
        ls, lm = layer.lambda_syn, layer.lambda_mem
        if isinstance(layer, snn.Readout):
            for n in range(steps):
                out[:, n] = u
                i, u = ls * i + h[:, n] @ w, lm * u + (1 - lm) * i
        else:
            v = params.get(f"V{k}")
            noise = layer.spike.noise if layer.stochastic else None
            for n in range(steps):
                x = u - layer.threshold
                if noise is None:
                    s = (x > 0) * 1.0
                else:
                    s = (1.0 - rng.random(x.shape) > 1.0 - noise.noise_cdf(x)) * 1.0
                out[:, n] = s
                current = ls * i + h[:, n] @ w + (s @ v if v is not None else 0.0)
                i, u = current, (lm * u + (1 - lm) * i) * (1.0 - s)  # next-step reset
        h = out
    return h


def case_a(stochastic: bool, rng):
    spike = snn.EscapeNoise(surrogates.logistic(10.0)) if stochastic else snn.Heaviside()
    net = snn.Network(200, [snn.LIF(200, spike=spike), snn.LIF(200, spike=spike)])
    params = net.init_params(rng=rng, scale=3.0)
    inputs = (rng.random((1, 198, 200)) < RATE) * 1.0
    target = (rng.random((1, 198, 200)) < RATE) * 1.0
    return "(a) 200-200-200, T=198, batch 1", net, params, inputs, spike_mse, (target,)


def case_b(stochastic: bool, rng):
    spike = snn.EscapeNoise(surrogates.logistic(10.0)) if stochastic else snn.Heaviside()
    net = snn.Network(700, [snn.LIF(256, recurrent=True, spike=spike), snn.Readout(20)])
    params = net.init_params(rng=rng, scale=3.0)
    inputs = (rng.random((64, 100, 700)) < RATE) * 1.0
    labels = rng.integers(0, 20, 64)
    return (
        "(b) 700-256r-20, T=100, batch 64",
        net,
        params,
        inputs,
        max_over_time_cross_entropy,
        (labels,),
    )


def train_step(method, net, params, inputs, loss, args, rng, lr=1e-3):
    value, grads = snn.value_and_grad(
        loss, params, inputs, *args, network=net, method=method, rng=rng
    )
    for k in params:
        params[k] -= lr * grads[k]
    return value


def interleaved(functions: dict, repeats: int) -> dict:
    """Median seconds of each function, calls interleaved so drifts hit all alike."""
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, f in functions.items():
            t = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t)
    return {name: float(np.median(t)) for name, t in times.items()}


def measure(make, stochastic: bool, repeats: int, smoothed_repeats: int):
    rng = np.random.default_rng(0)
    title, net, params, inputs, loss, args = make(stochastic, rng)
    # consistency first: the kernels and the numpy baseline see the same spikes
    tape_out = snn.bptt.kernel_forward(net, params, inputs, np.random.default_rng(1)).output
    np.testing.assert_allclose(
        tape_out, numpy_forward(net, params, inputs, np.random.default_rng(1)), atol=1e-9
    )
    step_params = {k: v.copy() for k, v in params.items()}
    train_step("surrogate", net, step_params, inputs, loss, args, rng)  # compile / load cache
    t = interleaved(
        {
            "numpy forward": lambda: numpy_forward(net, params, inputs, rng),
            "surrogate step": lambda: train_step(
                "surrogate", net, step_params, inputs, loss, args, rng
            ),
        },
        repeats,
    )
    t.update(
        interleaved(
            {
                "smoothed step": lambda: train_step(
                    "smoothed", net, step_params, inputs, loss, args, rng
                )
            },
            smoothed_repeats,
        )
    )
    rate = float(np.mean(tape_out)) if not isinstance(net.layers[-1], snn.Readout) else None
    return title, t, rate


def comparison_case(which: str, rng, quick: bool = False):
    """Shape (a) or (b) with the snntorch-equivalent deterministic LIF (module docstring).

    ``quick``: (a) 50-50-50, T = 50; (b) 100-64r-10, T = 50, batch 8."""
    from benchmarks.torch_snn import SLOPE

    spike = snn.Heaviside(surrogates.from_library("snntorch", "fast_sigmoid", SLOPE))
    if which == "a":
        n, steps = (50, 50) if quick else (200, 198)
        net = snn.Network(n, [snn.LIF(n, spike=spike, detach_reset=True),
                              snn.LIF(n, spike=spike, detach_reset=True)])
        params = net.init_params(rng=rng, scale=3.0)
        inputs = (rng.random((1, steps, n)) < RATE) * 1.0
        target = (rng.random((1, steps, n)) < RATE) * 1.0
        return f"(a) {n}-{n}-{n}, T={steps}, batch 1", net, params, inputs, spike_mse, (target,)
    n_in, hidden, classes, steps, batch = (100, 64, 10, 50, 8) if quick else (700, 256, 20,
                                                                             100, 64)
    net = snn.Network(n_in, [snn.LIF(hidden, recurrent=True, spike=spike, detach_reset=True),
                             snn.Readout(classes)])
    params = net.init_params(rng=rng, scale=3.0)
    inputs = (rng.random((batch, steps, n_in)) < RATE) * 1.0
    labels = rng.integers(0, classes, batch)
    return (f"(b) {n_in}-{hidden}r-{classes}, T={steps}, batch {batch}", net, params, inputs,
            max_over_time_cross_entropy, (labels,))


def compare_torch(which: str, repeats: int, quick: bool = False) -> dict:
    """Training steps of stochad (``"surrogate"``), plain PyTorch and snntorch, interleaved
    with the numpy forward pass, after checking that all three compute the same gradient.

    Returns ``{"title", "equivalence": {kind: relative difference, "spikes": n},
    "seconds": {name: [per-repeat seconds]}, "torch_threads"}``.
    """
    import torch

    from benchmarks import results, torch_snn

    torch.set_num_threads(int(os.environ.get("TORCH_NUM_THREADS", "1")))
    rng = np.random.default_rng(0)
    title, net, params, inputs, loss, args = comparison_case(which, rng, quick)
    equivalence = torch_snn.check_equivalence(net, params, inputs, loss, args)
    x = torch.tensor(inputs, dtype=torch.float32)
    models = {"plain PyTorch": torch_snn.TorchNetwork(net, params),
              "snntorch": torch_snn.SnnTorchNetwork(net, params)}
    step_params = {k: v.copy() for k, v in params.items()}
    calls = {
        "numpy forward": lambda: numpy_forward(net, params, inputs, rng),
        "stochad surrogate step": lambda: train_step("surrogate", net, step_params, inputs,
                                                     loss, args, rng),
        **{f"{name} step": (lambda m=m: torch_snn.train_step(m, x, loss.__name__, args))
           for name, m in models.items()},
    }
    for call in calls.values():  # compile / load caches, warm up torch
        call()
    seconds = results.interleaved(calls, repeats)
    return {"title": title, "equivalence": equivalence, "seconds": seconds,
            "torch_threads": torch.get_num_threads()}


TRIPLE_SHAPES = {"full": (16, 50, 40, 60, 5), "quick": (4, 20, 10, 15, 3)}
"""(batch, T, n_in, hidden, n_out) of :func:`triple_batching`: the SNN rows of
``benchmarks/speed.py`` (the full shape has 2 700 parameters)."""


def triple_batching(quick: bool = False, repeats: int = 3) -> dict:
    """The unbiased ``"triple"`` gradient with coordinates batched in one pass (the default,
    ``coordinates_per_pass=None``) against one pass per coordinate (``=1``).

    Measured, interleaved: both on the readout weights ``W1`` (``subset="W1"``), and one
    pass along a single input-weight coordinate ``W0[0, 0]``; then, once, the batched
    whole gradient. The unbatched whole gradient (about 290 s for the full shape) is not
    run: it is estimated as ``W0.size`` times the one-coordinate pass plus the ``W1``
    time, as ``benchmarks/speed.py`` does.
    """
    from benchmarks.results import interleaved, spread

    batch, steps, n_in, hidden, n_out = TRIPLE_SHAPES["quick" if quick else "full"]
    net = snn.Network(n_in, [snn.LIF(hidden, spike=snn.EscapeNoise(surrogates.logistic(5.0))),
                             snn.Readout(n_out)])  # fmt: skip
    params = net.init_params(rng=0)
    x = (np.random.default_rng(1).random((batch, steps, n_in)) < 0.1) * 1.0
    rng = np.random.default_rng(2)

    def loss(out, target):
        return stochad.mean((out - target) ** 2)

    def grad(**options):
        return snn.value_and_grad(loss, params, x, 0.1, network=net, method="triple", rng=rng,
                                  **options)  # fmt: skip

    one_hot = {"W0": np.zeros(params["W0"].shape)}
    one_hot["W0"][0, 0] = 1.0
    calls = {
        "W1 batched": lambda: grad(subset="W1"),
        "W1 per coordinate": lambda: grad(subset="W1", coordinates_per_pass=1),
        "W0 coordinate": lambda: snn.directional_derivative(loss, params, x, 0.1, network=net,
                                                            direction=one_hot, rng=rng),
    }
    grad(subset="W1")  # warm up
    med = {k: spread(v)["median"] for k, v in interleaved(calls, repeats).items()}
    start = time.perf_counter()
    grad()
    whole = time.perf_counter() - start
    estimate = params["W0"].size * med["W0 coordinate"] + med["W1 per coordinate"]
    return {"shape": f"LIF {batch}x{steps} steps, {n_in}->{hidden}->{n_out}",
            "parameters": sum(v.size for v in params.values()), "W1": params["W1"].size,
            "rows_per_pass": snn.gradients.ROWS_PER_PASS, **med, "whole batched": whole,
            "whole per coordinate (estimate)": estimate}


def print_triple_batching(r: dict) -> None:
    print(f"triple, {r['shape']}: W1 ({r['W1']} coordinates) per coordinate "
          f"{r['W1 per coordinate']:.2f} s, batched {r['W1 batched']:.2f} s = "
          f"{r['W1 per coordinate'] / r['W1 batched']:.1f}x faster (measured); whole gradient "
          f"({r['parameters']} parameters) batched {r['whole batched']:.1f} s against "
          f"{r['whole per coordinate (estimate)']:.0f} s per coordinate (estimated from one "
          f"W0 pass of {1e3 * r['W0 coordinate']:.0f} ms) = "
          f"{r['whole per coordinate (estimate)'] / r['whole batched']:.1f}x "
          f"({r['rows_per_pass']} rows per pass)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="3 repeats, for a smoke test")
    parser.add_argument("--part", choices=("all", "steps", "triple"), default="all",
                        help="only the training steps, or only the batched-triple line")
    a = parser.parse_args(argv)
    repeats = 3 if a.quick else a.repeats
    if a.part != "steps":
        print_triple_batching(triple_batching(a.quick))
        if a.part == "triple":
            return
    for make in (case_a, case_b):
        for stochastic in (False, True):
            title, t, _ = measure(make, stochastic, repeats, max(2, repeats // 5))
            kind = "escape noise" if stochastic else "deterministic"
            print(
                f"{title}, {kind}: surrogate step {1e3 * t['surrogate step']:.1f} ms, "
                f"numpy forward {1e3 * t['numpy forward']:.1f} ms, "
                f"step/forward {t['surrogate step'] / t['numpy forward']:.2f}x (bar <= 3x); "
                f"smoothed step {1e3 * t['smoothed step']:.0f} ms = "
                f"{t['smoothed step'] / t['surrogate step']:.1f}x surrogate"
            )
    from benchmarks.torch_snn import missing

    if missing():
        print(missing())
    else:  # not installed in CI
        for which in ("a", "b"):
            r = compare_torch(which, repeats, a.quick)
            med = {k: float(np.median(v)) for k, v in r["seconds"].items()}
            eq = r["equivalence"]
            print(f"{r['title']}, deterministic, snntorch-equivalent LIF: same loss and "
                  f"gradients (relative difference plain PyTorch {eq['torch']:.1g}, snntorch "
                  f"{eq['snntorch']:.1g}; {eq['spikes']} spikes); step: stochad "
                  f"{1e3 * med['stochad surrogate step']:.1f} ms, plain PyTorch "
                  f"{1e3 * med['plain PyTorch step']:.1f} ms, snntorch "
                  f"{1e3 * med['snntorch step']:.1f} ms (torch float32, "
                  f"{r['torch_threads']} thread(s)): plain PyTorch / stochad "
                  f"{med['plain PyTorch step'] / med['stochad surrogate step']:.1f}x, "
                  f"snntorch / stochad {med['snntorch step'] / med['stochad surrogate step']:.1f}x")
    print(
        f"stochad {stochad.__version__}, numpy {np.__version__}, "
        f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}"
    )


if __name__ == "__main__":
    main()
