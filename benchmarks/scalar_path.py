"""Scalar path: one derivative sample of a scalar Python program against the program itself.

The program is the state-dependent random walk (StochasticAD.jl's example; docs/performance.md):
``steps`` steps of ``up = stochad.exp(-x / p)``, ``x = x + 2 * stochad.bernoulli(up) - 1``
from ``x = 0``, returning ``x``. Each repeat times ``samples`` derivative samples
(``stochad.expected_derivative``, pruned backend unless ``--backend``) and, interleaved with
them, ``samples × plain-factor`` runs of the plain-Python program (``math.exp``,
``random.random``); the printed ratio is the median over repeats of (time per derivative
sample) / (time per plain run), with its interquartile range. Times are this process's CPU
time (``time.process_time``): on a machine shared with other jobs, waiting for a core would
otherwise count against whichever of the two happened to wait. Absolute times are printed
for information only.

    python benchmarks/scalar_path.py [--quick] [--p P] [--steps N] [--repeats R]
    python -m benchmarks run speed       # includes a scalar_path row
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

__all__ = ["walk", "plain_walk", "measure", "row", "main"]

SIZES = {
    "full": {"samples": 200, "repeats": 15, "plain_factor": 20},
    "quick": {"samples": 40, "repeats": 7, "plain_factor": 20},
}


def walk(p, steps: int = 50):
    """The walk on stochad's samplers: a triple when ``p`` is one."""
    import stochad

    x = 0
    for _ in range(steps):
        up = stochad.exp(-x / p)
        x = x + 2 * stochad.bernoulli(up) - 1
    return x


def plain_walk(p: float, steps: int = 50, uniform=random.random):
    """The same walk in plain Python: the baseline."""
    x = 0
    for _ in range(steps):
        up = math.exp(-x / p)
        x = x + 2 * (1 if uniform() < up else 0) - 1
    return x


def measure(*, p: float = 100.0, steps: int = 50, samples: int = 200, repeats: int = 15,
            plain_factor: int = 20, backend: str = "pruned", seed: int = 0) -> dict:
    """Interleaved timings; returns per-repeat seconds per sample, per plain run and ratios."""
    import numpy as np

    import stochad

    generator = np.random.default_rng(seed)
    uniform = random.Random(seed).random
    program = (lambda q: walk(q, steps))  # noqa: E731 - one name for the profile

    def derivative():
        return stochad.expected_derivative(program, p, samples, backend=backend, rng=generator)

    def plain():
        for _ in range(samples * plain_factor):
            plain_walk(p, steps, uniform)

    derivative()  # warm up (first calls import and fill caches)
    plain()
    per_sample, per_run = [], []
    for _ in range(repeats):
        start = time.process_time()
        derivative()
        middle = time.process_time()
        plain()
        end = time.process_time()
        per_sample.append((middle - start) / samples)
        per_run.append((end - middle) / (samples * plain_factor))
    return {"per_sample": per_sample, "per_run": per_run,
            "ratios": [a / b for a, b in zip(per_sample, per_run, strict=True)],
            "p": p, "steps": steps, "samples": samples, "repeats": repeats, "backend": backend}


def row(quick: bool = False, echo=print, **options) -> dict:
    """The speed suite's row (``benchmarks/speed.py``): the walk at its defaults."""
    from benchmarks.results import spread

    size = SIZES["quick" if quick else "full"]
    m = measure(**{**size, **options})
    r = {"name": "scalar_path",
         "what": f"derivative sample of the {m['steps']}-step walk, p = {m['p']:g} "
                 f"({m['backend']}, scalar triples)",
         "baseline": "plain Python walk (math.exp, random.random)",
         "ratio": spread(m["ratios"]), "seconds": spread(m["per_sample"]),
         "baseline_seconds": spread(m["per_run"]), "repeats": m["repeats"], "extra": {}}
    echo(f"scalar path: {r['ratio']['median']:.1f}x the plain-Python walk "
         f"(IQR {r['ratio']['q1']:.1f}-{r['ratio']['q3']:.1f}; "
         f"{1e6 * r['seconds']['median']:.0f} us per derivative sample, "
         f"{1e6 * r['baseline_seconds']['median']:.2f} us per plain run; "
         f"p = {m['p']:g}, {m['steps']} steps, {m['backend']}, {m['repeats']} repeats)")
    return r


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="benchmarks/scalar_path.py",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples and repeats")
    parser.add_argument("--p", type=float, default=100.0,
                        help="the walk's parameter (default 100 = 2 x steps, as in the suite)")
    parser.add_argument("--steps", type=int, default=50, help="steps of the walk (default 50)")
    parser.add_argument("--samples", type=int, help="derivative samples per repeat")
    parser.add_argument("--repeats", type=int, help="interleaved repeats (median reported)")
    parser.add_argument("--backend", default="pruned", help="pruned (default), dict, smoothed")
    parser.add_argument("--profile", action="store_true",
                        help="instead of timing, print cProfile's top functions by own time")
    args = parser.parse_args(argv)
    options = {k: v for k, v in {"samples": args.samples, "repeats": args.repeats}.items()
               if v is not None}
    if args.profile:
        return profile(p=args.p, steps=args.steps, backend=args.backend,
                       samples=options.get("samples", 200))
    return row(args.quick, p=args.p, steps=args.steps, backend=args.backend, **options)


def profile(*, p: float, steps: int, backend: str, samples: int, top: int = 25) -> dict:
    """cProfile of ``samples`` derivative samples: where the time goes (docs/performance.md)."""
    import cProfile
    import pstats

    import numpy as np

    import stochad

    generator = np.random.default_rng(0)
    stochad.expected_derivative(lambda q: walk(q, steps), p, 10, backend=backend, rng=generator)
    profiler = cProfile.Profile()
    profiler.enable()
    stochad.expected_derivative(lambda q: walk(q, steps), p, samples, backend=backend,
                                rng=generator)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    return {"total_calls": stats.total_calls, "total_seconds": stats.total_tt}


if __name__ == "__main__":
    main()
