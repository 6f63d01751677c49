"""Overhead of triple arrays over the plain numpy primal (issue 3's benchmark).

The program: ``N`` rows of 50 Bernoulli(p) draws, each row summed and squared. (a) the
plain numpy primal ``rng.random((N, 50)) < p``, sum, square; (b) ``derivative_estimate``
of the same program over triple arrays (N independent derivative estimates). Both run
interleaved in one process; the median ratio is printed, with the speed-up over the
scalar Python path (measured on a small N, scaled per element) and the numba compile
time of the first call (near zero once the on-disk cache is warm).

Run: ``python benchmarks/batch_overhead.py [--rows N] [--repeats R]``
"""

from __future__ import annotations

import argparse
import statistics
import time

__all__ = ["measure", "main"]

K, P = 50, 0.3


def primal(rng, rows):
    x = rng.random((rows, K)) < P
    s = x.sum(axis=1)
    return s * s


def program(p, rows):
    import stochad

    x = stochad.bernoulli(p, size=(rows, K))
    s = x.sum(axis=1)
    return s * s


def scalar_program(p, rows):
    import stochad

    total = []
    for _ in range(rows):
        s = 0.0
        for _ in range(K):
            s = s + stochad.bernoulli(p)
        total.append(stochad.derivative_contribution(s * s))
    return sum(total)


def timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def measure(rows: int = 200_000, repeats: int = 15, scalar_rows: int = 200) -> dict:
    """Time the numpy primal and the triple-array derivative, interleaved; return the numbers.

    Returns
    -------
    dict
        ``primal`` and ``triple`` (lists of seconds), ``ratios`` (per repeat), ``ratio``
        (their median), ``scalar_per_element`` and ``array_per_element`` (seconds),
        ``compile_seconds`` (the first call on a 2-row program).
    """
    import numpy as np

    import stochad

    rng = np.random.default_rng(0)
    start = time.perf_counter()
    stochad.derivative_estimate(lambda p: program(p, 2), P, rng=1)  # compiles (or loads)
    compile_time = time.perf_counter() - start

    primal_times, triple_times = [], []
    for i in range(repeats):
        primal_times.append(timed(primal, rng, rows))
        triple_times.append(timed(stochad.derivative_estimate, lambda p: program(p, rows), P,
                                  rng=i))
    ratios = [t / p for t, p in zip(triple_times, primal_times, strict=True)]
    scalar = min(timed(stochad.derivative_estimate, lambda p: scalar_program(p, scalar_rows), P,
                       rng=i) for i in range(3))
    return {
        "rows": rows, "cols": K, "p": P, "repeats": repeats, "primal": primal_times,
        "triple": triple_times, "ratios": ratios, "ratio": statistics.median(ratios),
        "scalar_per_element": scalar / (scalar_rows * K),
        "array_per_element": statistics.median(triple_times) / (rows * K),
        "compile_seconds": compile_time, "scalar_rows": scalar_rows,
    }


def report(m: dict) -> str:
    speedup = m["scalar_per_element"] / m["array_per_element"]
    return "\n".join([
        f"N={m['rows']} x {m['cols']} Bernoulli({m['p']}), sum per row, square; "
        f"{m['repeats']} interleaved repeats",
        f"plain numpy primal: median {1e3 * statistics.median(m['primal']):.1f} ms",
        "triple arrays (derivative_estimate): median "
        f"{1e3 * statistics.median(m['triple']):.1f} ms",
        f"median ratio triple arrays / numpy primal: {m['ratio']:.2f}x "
        "(issue 3's bar <= 4x; issue 9's bar <= 2x)",
        f"speed-up over the scalar Python path: {speedup:.0f}x (scalar "
        f"{1e6 * m['scalar_per_element']:.2f} us/element on N={m['scalar_rows']}, arrays "
        f"{1e9 * m['array_per_element']:.1f} ns/element)",
        f"first call (numba compile or cache load): {m['compile_seconds']:.2f} s",
    ])


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="benchmarks/batch_overhead.py",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows N (default 200000)")
    parser.add_argument("--repeats", type=int, default=15, help="interleaved repeats (15)")
    parser.add_argument("--scalar-rows", type=int, default=200,
                        help="rows of the scalar-path comparison (200)")
    args = parser.parse_args(argv)
    m = measure(args.rows, args.repeats, args.scalar_rows)
    print(report(m))
    return m


if __name__ == "__main__":
    main()
