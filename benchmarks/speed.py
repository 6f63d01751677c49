"""Speed: triple arrays and reverse mode against the plain numpy primal, as ratios.

Two rows, each timed as interleaved repeats in one process (medians with interquartile
ranges; absolute times are printed, never asserted):

- ``arrays``: ``derivative_estimate`` over triple arrays of ``N`` rows of 50 Bernoulli draws,
  summed and squared, against the same program in numpy (``benchmarks/batch_overhead.py``);
- ``reverse``: ``stochad.grad`` of a stochastic binary MLP against its numpy forward on the
  same draws (``benchmarks/reverse_overhead.py``).

- ``snn``: one gradient of a small stochastic LIF network (escape noise, logistic β = 5) by
  ``stochad.snn.value_and_grad`` with ``method="surrogate"``, ``"smoothed"`` and ``"score"``,
  against one stochastic forward pass (``Network.forward``) of the same shape; skipped with a
  message when ``stochad.snn`` is missing. (``"triple"`` is left out: on this shape one call
  takes tens of seconds; snntorch / PyTorch comparisons are not here yet.)

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
SNN_SIZES = {"full": {"shape": (16, 50, 40, 60, 5), "repeats": 7},
             "quick": {"shape": (4, 20, 10, 15, 3), "repeats": 3}}


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
    return [{"name": f"snn {m}", "what": f"snn.value_and_grad(method='{m}'), {shape}",
             "baseline": "one stochastic forward pass",
             "ratio": spread([t / f for t, f in zip(times[m], times["forward"], strict=True)]),
             "seconds": spread(times[m]), "baseline_seconds": spread(times["forward"]),
             "repeats": size["repeats"], "extra": {}} for m in methods]


def run(*, quick: bool = False, out=None, echo=print) -> dict:
    """Run both speed rows; write ``speed[-quick].json`` and ``.md`` under ``out``."""
    from benchmarks import batch_overhead, reverse_overhead
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
    meta = metadata(quick=quick, **{k: list(v) if isinstance(v, tuple) else v
                                    for k, v in size.items()})
    label = "speed-quick" if quick else "speed"
    out = RESULTS if out is None else Path(out)
    write_json({"meta": meta, "rows": rows}, out / f"{label}.json")
    write_markdown("# Speed\n\nRatios are medians of interleaved repeats in one process "
                   "(interquartile range in brackets).\n\n" + text, out / f"{label}.md")
    echo(f"wrote {out / (label + '.json')} and {out / (label + '.md')}")
    return {"meta": meta, "rows": rows}


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
