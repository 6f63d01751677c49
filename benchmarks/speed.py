"""Speed: triple arrays and reverse mode against the plain numpy primal, as ratios.

Two rows, each timed as interleaved repeats in one process (medians with interquartile
ranges; absolute times are printed, never asserted):

- ``arrays``: ``derivative_estimate`` over triple arrays of ``N`` rows of 50 Bernoulli draws,
  summed and squared, against the same program in numpy (``benchmarks/batch_overhead.py``);
- ``reverse``: ``stochad.grad`` of a stochastic binary MLP against its numpy forward on the
  same draws (``benchmarks/reverse_overhead.py``).

- ``snn``: one gradient of a small stochastic LIF network (escape noise, logistic β = 5) by
  ``stochad.snn.value_and_grad`` with ``method="surrogate"``, ``"smoothed"`` and ``"score"``,
  against one stochastic forward pass (``Network.forward``) of the same shape;
- ``snn triple``: the full-triple (unbiased) gradient of the same network: one forward-mode
  pass along one ±1 direction over every parameter (``snn.directional_derivative``: the cost
  per direction), the pass of one input-weight coordinate (its perturbation crosses the
  spiking layer) and ``value_and_grad(method="triple", subset="W1")`` divided by the number
  of readout weights (a readout coordinate perturbs no spike: cheap); the whole gradient,
  one pass per parameter, is estimated from these and printed;
- ``snn training step``: the two shapes of the SNN issue (``benchmarks/snn_speed.py``), a
  surrogate-gradient training step of stochad, plain PyTorch and snntorch against the
  numpy forward pass of the same network, after checking that the three give the same loss
  and gradients; skipped with a message when torch or snntorch is not installed.
- ``scalar_path``: one derivative sample of the 50-step state-dependent walk on scalar
  triples against the plain-Python walk (``benchmarks/scalar_path.py``; CPU time).

    python -m benchmarks run speed [--quick]
    python benchmarks/speed.py --help
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

__all__ = ["run", "main"]

SIZES = {
    "full": {"rows": 200_000, "array_repeats": 15, "mlp": (256, 200, 400, 10),
             "mlp_repeats": 100},
    "quick": {"rows": 20_000, "array_repeats": 5, "mlp": (64, 50, 100, 10), "mlp_repeats": 10},
}
SNN_SIZES = {"full": {"shape": (16, 50, 40, 60, 5), "repeats": 7, "triple_repeats": 3},
             "quick": {"shape": (4, 20, 10, 15, 3), "repeats": 3, "triple_repeats": 2}}
TORCH_REPEATS = {"full": 9, "quick": 3}


def snn_rows(quick: bool, echo=print) -> list[dict]:
    """Per method, the time of one SNN gradient over one stochastic forward pass."""
    try:
        from stochad import snn, surrogates
    except ImportError:
        echo("snn rows skipped: stochad.snn is not available")
        return []
    import numpy as np

    import stochad
    from benchmarks.results import interleaved, spread

    size = SNN_SIZES["quick" if quick else "full"]
    batch, steps, n_in, hidden, n_out = size["shape"]
    net = snn.Network(n_in, [snn.LIF(hidden, spike=snn.EscapeNoise(surrogates.logistic(5.0))),
                             snn.Readout(n_out)])
    params = net.init_params(rng=0)
    x = (np.random.default_rng(1).random((batch, steps, n_in)) < 0.1) * 1.0

    def loss(out, target):
        return stochad.mean((out - target) ** 2)

    methods = ("surrogate", "smoothed", "score")
    rng = np.random.default_rng(2)
    calls = {"forward": lambda: net.forward(params, x, rng=rng)}
    for m in methods:
        calls[m] = (lambda m=m: snn.value_and_grad(loss, params, x, 0.1, network=net, method=m,
                                                   rng=rng))
    for call in calls.values():  # warm up: numba compiles, caches
        call()
    times = interleaved(calls, size["repeats"])
    shape = f"LIF {batch}x{steps} steps, {n_in}->{hidden}->{n_out}"
    rows = [_row(f"snn {m}", f"snn.value_and_grad(method='{m}'), {shape}",
                 "one stochastic forward pass", times[m], times["forward"])
            for m in methods]
    # the full-triple gradient: one pass per direction, one pass per coordinate
    signs = np.random.default_rng(3)
    direction = {k: signs.choice([-1.0, 1.0], size=v.shape) for k, v in params.items()}
    coordinates = params["W1"].size
    one_hot = {"W0": np.zeros(params["W0"].shape)}
    one_hot["W0"][0, 0] = 1.0
    slow = {
        "forward": calls["forward"],
        "direction": lambda: snn.directional_derivative(loss, params, x, 0.1, network=net,
                                                        direction=direction, rng=rng),
        "per parameter": lambda: snn.value_and_grad(loss, params, x, 0.1, network=net,
                                                    method="triple", subset="W1", rng=rng),
        "W0 coordinate": lambda: snn.directional_derivative(loss, params, x, 0.1, network=net,
                                                            direction=one_hot, rng=rng),
    }
    slow["direction"]()
    times = interleaved(slow, size["triple_repeats"])
    per_parameter = [t / coordinates for t in times["per parameter"]]
    total = sum(v.size for v in params.values())
    # a W0 coordinate's perturbation crosses the spiking layer, a W1 one only the readout
    estimate = (params["W0"].size * spread(times["W0 coordinate"])["median"]
                + coordinates * spread(per_parameter)["median"])
    rows += [
        _row("snn triple / direction", f"snn.directional_derivative (pruned triples) along "
             f"one ±1 direction over all {total} parameters, {shape}",
             "one stochastic forward pass", times["direction"], times["forward"],
             {"parameters": total}),
        _row("snn triple / W0 coordinate", "snn.directional_derivative along one "
             f"input-weight coordinate W0[0, 0] (below the spiking layer), {shape}",
             "one stochastic forward pass", times["W0 coordinate"], times["forward"]),
        _row("snn triple / W1 coordinate", f"value_and_grad(method='triple', subset='W1') / "
             f"{coordinates} readout coordinates (above every spike), {shape}",
             "one stochastic forward pass", per_parameter, times["forward"],
             {"coordinates": coordinates, "parameters": total,
              "full_gradient_seconds_estimate": estimate,
              "surrogate_gradient_seconds": rows[0]["seconds"]["median"]}),
    ]
    return rows


def _row(name, what, baseline, seconds, baseline_seconds, extra=None) -> dict:
    from benchmarks.results import spread

    ratios = [t / f for t, f in zip(seconds, baseline_seconds, strict=True)]
    return {"name": name, "what": what, "baseline": baseline, "ratio": spread(ratios),
            "seconds": spread(seconds), "baseline_seconds": spread(baseline_seconds),
            "repeats": len(seconds), "extra": extra or {}}


def torch_rows(quick: bool, echo=print) -> list[dict]:
    """SNN training steps of stochad, plain PyTorch and snntorch on the SNN issue's shapes
    (``benchmarks/snn_speed.py``), each against the numpy forward pass; [] with a message
    when torch or snntorch is missing."""
    from benchmarks import snn_speed
    from benchmarks.results import spread
    from benchmarks.torch_snn import missing

    if missing():
        echo(missing())
        return []
    rows = []
    for which in ("a", "b"):
        r = snn_speed.compare_torch(which, TORCH_REPEATS["quick" if quick else "full"], quick)
        t = r["seconds"]
        eq = r["equivalence"]
        echo(f"{r['title']}: torch versions checked against stochad's surrogate gradient "
             f"(float64 relative differences: plain PyTorch {eq['torch']:.1g}, snntorch "
             f"{eq['snntorch']:.1g}; {eq['spikes']} spikes)")
        for name in ("stochad surrogate step", "plain PyTorch step", "snntorch step"):
            ratio_to_stochad = [a / b for a, b in zip(t[name], t["stochad surrogate step"],
                                                      strict=True)]
            rows.append(_row(
                f"snn {which} {name.replace(' step', '')}",
                f"training step (forward, backward, SGD) {r['title']}, deterministic "
                f"snntorch-equivalent LIF" + ("" if name.startswith("stochad") else
                                              f", torch float32, {r['torch_threads']} thread"),
                "numpy forward of the same network", t[name], t["numpy forward"],
                {"vs_stochad": spread(ratio_to_stochad)["median"], "equivalence": eq}))
    return rows


def run(*, quick: bool = False, out=None, echo=print) -> dict:
    """Run both speed rows; write ``speed[-quick].json`` and ``.md`` under ``out``."""
    from benchmarks import batch_overhead, reverse_overhead, scalar_path
    from benchmarks.results import (
        RESULTS,
        fmt,
        markdown_table,
        metadata,
        spread,
        write_json,
        write_markdown,
    )

    size = SIZES["quick" if quick else "full"]
    arrays = batch_overhead.measure(size["rows"], size["array_repeats"], scalar_rows=50)
    batch, n_in, n_hidden, n_out = size["mlp"]
    reverse = reverse_overhead.measure(size["mlp_repeats"], batch, n_in, n_hidden, n_out)
    rows = [
        {"name": "arrays", "what": f"derivative_estimate on triple arrays, {arrays['rows']}x50 "
         "Bernoulli, row sums squared", "baseline": "numpy primal, same program",
         "ratio": spread(arrays["ratios"]), "seconds": spread(arrays["triple"]),
         "baseline_seconds": spread(arrays["primal"]), "repeats": arrays["repeats"],
         "extra": {"speedup_over_scalar": arrays["scalar_per_element"]
                   / arrays["array_per_element"], "compile_seconds": arrays["compile_seconds"]}},
        {"name": "reverse", "what": f"stochad.grad, stochastic binary MLP "
         f"{batch}x{n_in}->{n_hidden}->{n_out} (both weight matrices)",
         "baseline": "numpy forward, same draws", "ratio": spread(reverse["ratios"]),
         "seconds": spread(reverse["grad"]), "baseline_seconds": spread(reverse["numpy"]),
         "repeats": reverse["repeats"], "extra": {}},
        *snn_rows(quick, echo),
        *torch_rows(quick, echo),
        scalar_path.row(quick, echo),
    ]
    table = [[r["name"], r["what"], r["baseline"],
              f"{r['ratio']['median']:.2f} ({r['ratio']['q1']:.2f}–{r['ratio']['q3']:.2f})",
              f"{1e3 * r['seconds']['median']:.2f}", f"{1e3 * r['baseline_seconds']['median']:.2f}",
              str(r["repeats"])] for r in rows]
    header = ["row", "what", "against", "ratio median (IQR)", "ms", "baseline ms", "repeats"]
    text = markdown_table(header, table)
    echo(text)
    echo(f"arrays: {fmt(rows[0]['extra']['speedup_over_scalar'], 3)}x faster per element than "
         f"the scalar path; first call {rows[0]['extra']['compile_seconds']:.2f} s")
    notes = _notes(rows)
    for line in notes:
        echo(line)
    meta = metadata(quick=quick, **{k: list(v) if isinstance(v, tuple) else v
                                    for k, v in size.items()})
    label = "speed-quick" if quick else "speed"
    out = RESULTS if out is None else Path(out)
    write_json({"meta": meta, "rows": rows}, out / f"{label}.json")
    write_markdown("# Speed\n\nRatios are medians of interleaved repeats in one process "
                   "(interquartile range in brackets).\n\n" + text + "\n\n"
                   + "\n".join(f"- {line}" for line in notes), out / f"{label}.md")
    echo(f"wrote {out / (label + '.json')} and {out / (label + '.md')}")
    return {"meta": meta, "rows": rows}


def _notes(rows) -> list[str]:
    """One line per row with extras: the full-triple gradient's cost, torch vs stochad."""
    lines = []
    for r in rows:
        e = r["extra"]
        if "full_gradient_seconds_estimate" in e:
            lines.append(
                "snn triple: the whole gradient (" f"{e['parameters']} parameters, one pass "
                "each, W0 coordinates at the W0-coordinate cost, W1 ones at the W1 cost) would "
                f"take about {e['full_gradient_seconds_estimate']:.3g} s, against "
                f"{1e3 * e['surrogate_gradient_seconds']:.2f} ms for the surrogate gradient "
                "(estimated from the rows above, not run)")
        if "vs_stochad" in e and not r["name"].endswith("stochad surrogate"):
            lines.append(f"{r['name']}: {e['vs_stochad']:.1f}x the time of stochad's step")
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--out", help="output folder (default benchmarks/results)")


def main_from_args(args) -> dict:
    return run(quick=args.quick, out=args.out)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="benchmarks/speed.py",
                                     description=__doc__.splitlines()[0])
    add_arguments(parser)
    return main_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    main()
