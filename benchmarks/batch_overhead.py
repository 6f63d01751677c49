"""Overhead of triple arrays over the plain numpy primal (issue 3's benchmark).

The program: ``N`` rows of 50 Bernoulli(p) draws, each row summed and squared. (a) the
plain numpy primal ``rng.random((N, 50)) < p``, sum, square; (b) ``derivative_estimate``
of the same program over triple arrays (N independent derivative estimates). Both run
interleaved in one process; the median ratio is printed, with the speed-up over the
scalar Python path (measured on a small N, scaled per element) and the numba compile
time of the first call (near zero once the on-disk cache is warm).

Run: ``python benchmarks/batch_overhead.py``
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import stochad

N, K, P, REPEATS = 200_000, 50, 0.3, 15
N_SCALAR = 200


def primal(rng):
    x = rng.random((N, K)) < P
    s = x.sum(axis=1)
    return s * s


def program(p, rows=N):
    x = stochad.bernoulli(p, size=(rows, K))
    s = x.sum(axis=1)
    return s * s


def scalar_program(p):
    total = []
    for _ in range(N_SCALAR):
        s = 0.0
        for _ in range(K):
            s = s + stochad.bernoulli(p)
        total.append(stochad.derivative_contribution(s * s))
    return sum(total)


def timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    stochad.derivative_estimate(lambda p: program(p, rows=2), P, rng=1)  # compiles (or loads)
    compile_time = time.perf_counter() - start

    primal_times, triple_times = [], []
    for i in range(REPEATS):
        primal_times.append(timed(primal, rng))
        triple_times.append(timed(stochad.derivative_estimate, program, P, rng=i))
    ratio = statistics.median(t / p for t, p in zip(triple_times, primal_times, strict=True))

    scalar = min(timed(stochad.derivative_estimate, scalar_program, P, rng=i) for i in range(3))
    per_element_scalar = scalar / (N_SCALAR * K)
    per_element_array = statistics.median(triple_times) / (N * K)

    print(f"N={N} x {K} Bernoulli({P}), sum per row, square; {REPEATS} interleaved repeats")
    print(f"plain numpy primal: median {1e3 * statistics.median(primal_times):.1f} ms")
    print(
        f"triple arrays (derivative_estimate): median "
        f"{1e3 * statistics.median(triple_times):.1f} ms"
    )
    print(f"median ratio triple arrays / numpy primal: {ratio:.2f}x (bar <= 4x, aim <= 2x)")
    print(
        f"speed-up over the scalar Python path: {per_element_scalar / per_element_array:.0f}x "
        f"(scalar {1e6 * per_element_scalar:.2f} us/element on N={N_SCALAR}, "
        f"arrays {1e9 * per_element_array:.1f} ns/element)"
    )
    print(f"first call (numba compile or cache load): {compile_time:.2f} s")


if __name__ == "__main__":
    main()
