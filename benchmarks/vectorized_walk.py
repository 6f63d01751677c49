"""The state-dependent walk vectorized over lanes, against its plain numpy program (issue 9).

The program: ``N`` lanes of the 50-step walk ``up = exp(-x / p)``,
``x = x + 2·bernoulli(up) - 1`` (and the reference's categorical form
``x = x + take([-1, 1], categorical([1 - up, up]))``), differentiated once with the pruned
backend: ``N`` independent derivative samples in one call. The baseline is the same walk
in plain numpy (``rng.random(N) < up``), run interleaved in the same process. Printed: the
medians of CPU time (``time.process_time``: wall time on a shared machine mostly measures
the other jobs) and their ratio. Issue 9's bar is 5x.

Run: ``python benchmarks/vectorized_walk.py [--lanes N] [--steps T] [--repeats R]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.results import interleaved  # noqa: E402

__all__ = ["measure", "main"]


def measure(lanes: int = 10_000, steps: int = 50, repeats: int = 9, p: float = 1.0) -> dict:
    """Median CPU seconds of the plain walk and of each differentiated form."""
    import stochad

    def plain(rng):
        x = np.zeros(lanes)
        for _ in range(steps):
            up = np.exp(-x / p)
            x = x + 2 * (rng.random(lanes) < up) - 1
        return x

    def bernoulli_walk(q):
        x = np.zeros(lanes)
        for _ in range(steps):
            up = stochad.exp(-x / q)
            x = x + 2 * stochad.bernoulli(up) - 1
        return x

    def categorical_walk(q):
        x = np.zeros(lanes)
        for _ in range(steps):
            up = stochad.exp(-x / q)
            x = x + stochad.take([-1.0, 1.0], stochad.categorical([1 - up, up]))
        return x

    forms = {
        "plain": lambda rng: plain(rng),
        "bernoulli": lambda rng: stochad.derivative_estimate(bernoulli_walk, p, rng=rng),
        "categorical": lambda rng: stochad.derivative_estimate(categorical_walk, p, rng=rng),
    }
    rng = np.random.default_rng(0)
    for form in forms.values():  # compile or load the kernels
        form(rng)
    times = interleaved(
        {name: lambda form=form: form(rng) for name, form in forms.items()},
        repeats,
        clock=time.process_time,
    )
    return {name: statistics.median(t) for name, t in times.items()} | {"lanes": lanes}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lanes", type=int, default=10_000, help="lanes N (default 10 000)")
    parser.add_argument("--steps", type=int, default=50, help="steps T (default 50)")
    parser.add_argument("--repeats", type=int, default=9, help="interleaved repeats (9)")
    args = parser.parse_args(argv)
    r = measure(args.lanes, args.steps, args.repeats)
    print(f"state-dependent walk, {r['lanes']} lanes x {args.steps} steps, pruned, CPU time")
    print(f"plain numpy walk: {1e3 * r['plain']:.1f} ms")
    for name in ("bernoulli", "categorical"):
        print(
            f"{name} form, one derivative call: {1e3 * r[name]:.1f} ms "
            f"({r[name] / r['plain']:.1f}x the plain walk; bar <= 5x)"
        )
    return r


if __name__ == "__main__":
    main()
