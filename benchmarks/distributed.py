"""Speed-up of a local dask cluster over one process, and the overhead per chunk.

The program: ``expected_derivative`` of the state-dependent random walk's ``x²`` (50
steps, ``up = exp(−x/p)``, pruned; ``benchmarks.programs.random_walk``), scalar path,
``n`` samples: seconds of work in one process.
(a) one process, no client; (b) the same call with ``client=`` a ``LocalCluster`` of
``--workers`` processes, after one warm-up call (workers import stochad and load numba's
cache once). The runs alternate, ``--repeats`` times, and the medians are compared; the
samples of (a) and (b) are checked to be the same numbers. The overhead per chunk is the
median wall time of ``--overhead-chunks`` chunks of one trivial sample each (``f(p) = p``)
on the cluster, minus the same samples in one process, divided by the number of chunks.

The speed-up is bounded by the cores that are really free: on a machine whose cores are
busy with other work it says so, not how dask scales.

Run: ``python benchmarks/distributed.py [--samples N] [--workers W] [--chunks C]
[--repeats R] [--quick]`` (needs ``pip install -e ".[distributed]"``).
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from pathlib import Path

__all__ = ["trivial", "measure", "main"]

STEPS, P = 50, 0.5


def trivial(p):
    return p


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    out = function(*args, **kwargs)
    return time.perf_counter() - start, out


def measure(samples: int, workers: int, chunks: int, repeats: int, overhead_chunks: int) -> dict:
    """Run the comparison; return every number (seconds) and the check of equal samples."""
    import numpy as np

    import stochad
    from benchmarks.programs import random_walk
    from stochad.distributed import local_client

    walk = functools.partial(random_walk, steps=STEPS)  # x² after 50 steps

    start = time.perf_counter()
    client = local_client(n_workers=workers)
    startup = time.perf_counter() - start
    try:
        run = {"rng": 1, "chunks": chunks}
        cold, _ = timed(stochad.expected_derivative, walk, P, samples, client=client, **run)
        alone, spread, same = [], [], True
        for _ in range(repeats):
            t, a = timed(stochad.expected_derivative, walk, P, samples, rng=1)
            alone.append(t)
            t, b = timed(stochad.expected_derivative, walk, P, samples, client=client, **run)
            spread.append(t)
            same &= bool(np.array_equal(a.samples, b.samples))
        many, one = [], []
        for _ in range(repeats):
            many.append(timed(stochad.expected_derivative, trivial, P, overhead_chunks,
                              rng=2, client=client, chunks=1)[0])  # fmt: skip
            one.append(timed(stochad.expected_derivative, trivial, P, overhead_chunks, rng=2)[0])
    finally:
        client.close()
    t_alone, t_spread = statistics.median(alone), statistics.median(spread)
    return {
        "samples": samples, "workers": workers, "chunks": chunks, "repeats": repeats,
        "cores": os.cpu_count(), "load": os.getloadavg()[0],
        "startup": startup, "cold": cold, "alone": t_alone, "spread": t_spread,
        "speedup": t_alone / t_spread, "same_samples": same, "estimate": str(a),
        "overhead_per_chunk": (statistics.median(many) - statistics.median(one))
        / overhead_chunks,
    }  # fmt: skip


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description="Speed-up of expected_derivative on a local dask cluster over one "
        "process (the 50-step state-dependent walk, scalar path), and the overhead per chunk."
    )
    parser.add_argument("--samples", type=int, default=1000, help="samples (default 1000)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--chunks", type=int, default=50, help="samples per chunk (default 50)")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved repeats (default 3)")
    parser.add_argument("--overhead-chunks", type=int, default=200,
                        help="one-sample chunks timed for the overhead (default 200)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="200 samples, 1 repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.samples, args.repeats, args.overhead_chunks = 200, 1, 50
    r = measure(args.samples, args.workers, args.chunks, args.repeats, args.overhead_chunks)
    print(f"machine: {r['cores']} cores, load average {r['load']:.1f} at the start")
    print(f"cluster start: {r['startup']:.1f} s; first (cold) run on it: {r['cold']:.2f} s")
    print(f"one process:            {r['alone']:.2f} s for {r['samples']} samples (median of "
          f"{r['repeats']})")  # fmt: skip
    print(f"{r['workers']}-worker LocalCluster:   {r['spread']:.2f} s in chunks of "
          f"{r['chunks']}")  # fmt: skip
    print(f"speed-up: {r['speedup']:.2f}x over one process; same samples: {r['same_samples']}")
    print(f"overhead per chunk: {1e3 * r['overhead_per_chunk']:.1f} ms (wall, "
          f"{args.overhead_chunks} one-sample chunks on {r['workers']} workers)")  # fmt: skip
    print(f"estimate: {r['estimate']}")
    return r


if __name__ == "__main__":
    # run by path, sys.path[0] is benchmarks/, where this file would shadow the
    # `distributed` package itself: put the repository there instead
    here = Path(__file__).resolve().parent
    sys.path[:] = [str(here.parent)] + [q for q in sys.path if Path(q or ".").resolve() != here]
    main()
