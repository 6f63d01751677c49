"""Scaling: cost and memory of a derivative against the number of draws, time steps and width.

Three sweeps, each timed as the median of interleaved repeats, with the peak memory of one
call (``tracemalloc``: Python objects and numpy buffers; numba's internal allocations are not
counted), and a least-squares fit of ``log cost = a + k·log size``; ``k`` is the exponent:

- ``draws``: a sum of ``K`` Bernoulli draws, squared, on scalar triples (pruned, dict) and
  on triple arrays (pruned);
- ``steps``: the state-dependent random walk of ``T`` steps (scalar pruned and dict: dict keeps
  every event, so its cost per step grows with the events alive);
- ``width``: ``stochad.grad`` of a stochastic binary MLP of width ``W`` (batch 64, W → W → 10).

Threads: the suite runs numpy's OpenBLAS on one thread (``benchmarks/__init__.py``; set
``OPENBLAS_NUM_THREADS`` yourself to change it). With the default two threads the width
sweep jumped 40× between widths 50 and 100 on this shared 2-core machine (1.0 ms → 48 ms,
while 100 → 200 stayed at 48 ms): OpenBLAS hands the larger products (``64×W @ W×W``) to a
second thread, and when another process holds the other core the product waits for it. A
plain numpy product of that shape showed the same stall (median 16 ms instead of 15 µs), and
with one thread the sweep is smooth (0.9, 1.1, 2.1 ms at widths 50, 100, 200): not a defect
of reverse mode.

    python -m benchmarks run scaling [--quick]
    python benchmarks/scaling.py --help
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

__all__ = ["run", "main", "fit_exponent", "sweep"]

SIZES = {
    "full": {"draws": [10, 20, 40, 80, 160, 320], "array_draws": [10**3, 10**4, 10**5, 10**6],
             "steps": [10, 20, 40, 80, 160], "width": [50, 100, 200, 400, 800], "repeats": 7},
    "quick": {"draws": [10, 20, 40], "array_draws": [10**3, 10**4, 10**5],
              "steps": [10, 20, 40], "width": [25, 50, 100], "repeats": 3},
}


def fit_exponent(sizes, seconds) -> float:
    """The slope ``k`` of the least-squares line through ``(log size, log seconds)``."""
    import numpy as np

    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def _peak_bytes(function) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def sweep(name: str, sizes, make, repeats: int) -> dict:
    """Time ``make(size)()`` for each size (interleaved repeats) and measure its peak memory."""
    from benchmarks.results import interleaved, spread

    calls = {size: make(size) for size in sizes}
    for call in calls.values():  # warm up (numba compile, caches)
        call()
    times = interleaved(calls, repeats)
    seconds = [spread(times[s])["median"] for s in sizes]
    memory = [_peak_bytes(calls[s]) for s in sizes]
    return {"name": name, "sizes": list(sizes), "seconds": seconds,
            "iqr": [[spread(times[s])["q1"], spread(times[s])["q3"]] for s in sizes],
            "peak_bytes": memory, "time_exponent": fit_exponent(sizes, seconds),
            "memory_exponent": fit_exponent(sizes, [max(m, 1) for m in memory])}


def _scalar_sum(backend):
    import stochad

    def make(k):
        def f(p):
            total = 0
            for _ in range(k):
                total = total + stochad.bernoulli(p)
            return total * total

        return lambda: stochad.derivative_estimate(f, 0.3, backend=backend, rng=0)

    return make


def _array_sum(k):
    import stochad

    return lambda: stochad.derivative_estimate(
        lambda p: stochad.sum(stochad.bernoulli(p, size=k)) ** 2, 0.3, rng=0)


def _walk(backend):
    import stochad
    from benchmarks.programs import random_walk

    def make(steps):
        return lambda: stochad.derivative_estimate(lambda p: random_walk(p, steps), 2.0 * steps,
                                                   backend=backend, rng=0)

    return make


def _mlp(width):
    import numpy as np

    import stochad

    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, width))
    T = (rng.random((64, 10)) < 0.5) * 1.0
    W1 = rng.normal(size=(width, width)) / np.sqrt(width)
    W2 = rng.normal(size=(width, 10)) / np.sqrt(width)

    def loss(weights, X, T):
        h = stochad.bernoulli(stochad.sigmoid(2.0 * (X @ weights[0])))
        y = stochad.bernoulli(stochad.sigmoid(2.0 * (h @ weights[1])))
        return stochad.mean((y - T) ** 2)

    gradient = stochad.grad(loss, rng=np.random.default_rng(1))
    return lambda: gradient((W1, W2), X, T)


def run(*, quick: bool = False, out=None, echo=print) -> dict:
    """Run the three sweeps; write ``scaling[-quick].json`` and ``.md`` under ``out``."""
    from benchmarks.results import (
        RESULTS,
        markdown_table,
        metadata,
        write_json,
        write_markdown,
    )

    size = SIZES["quick" if quick else "full"]
    r = size["repeats"]
    sweeps = [
        ("draws", "scalar pruned", sweep("draws: scalar pruned", size["draws"],
                                         _scalar_sum("pruned"), r)),
        ("draws", "scalar dict", sweep("draws: scalar dict", size["draws"],
                                       _scalar_sum("dict"), r)),
        ("draws", "arrays pruned", sweep("draws: arrays pruned", size["array_draws"],
                                         _array_sum, r)),
        ("steps", "scalar pruned", sweep("steps: walk, scalar pruned", size["steps"],
                                         _walk("pruned"), r)),
        ("steps", "scalar dict", sweep("steps: walk, scalar dict", size["steps"],
                                       _walk("dict"), r)),
        ("width", "grad (reverse)", sweep("width: binary MLP, stochad.grad", size["width"],
                                          _mlp, r)),
    ]
    results = []
    table = []
    for axis, variant, s in sweeps:
        s.update(axis=axis, variant=variant)
        results.append(s)
        table.append([axis, variant, ", ".join(map(str, s["sizes"])),
                      ", ".join(f"{1e3 * t:.3g}" for t in s["seconds"]),
                      f"{s['time_exponent']:.2f}",
                      ", ".join(f"{m / 1024:.0f}" for m in s["peak_bytes"]),
                      f"{s['memory_exponent']:.2f}"])
    header = ["axis", "variant", "sizes", "ms (median)", "time exponent", "peak KiB",
              "memory exponent"]
    text = markdown_table(header, table)
    echo(text)
    meta = metadata(quick=quick, **size)
    label = "scaling-quick" if quick else "scaling"
    out = RESULTS if out is None else Path(out)
    write_json({"meta": meta, "sweeps": results}, out / f"{label}.json")
    write_markdown("# Scaling\n\nExponent k of a least-squares fit log cost = a + k log size; "
                   "peak memory by tracemalloc (numba-internal allocations not counted).\n\n"
                   + text, out / f"{label}.md")
    echo(f"wrote {out / (label + '.json')} and {out / (label + '.md')}")
    return {"meta": meta, "sweeps": results}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="three small sizes per sweep")
    parser.add_argument("--out", help="output folder (default benchmarks/results)")


def main_from_args(args) -> dict:
    return run(quick=args.quick, out=args.out)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="benchmarks/scaling.py",
                                     description=__doc__.splitlines()[0])
    add_arguments(parser)
    return main_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    main()
