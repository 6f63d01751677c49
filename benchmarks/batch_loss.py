"""Batch losses: cost and precision of one call on a mean over independent rows (issue 15).

The program (docs/arrays.md, "Batch losses"): ``N`` rows of 3 inputs, a stochastic hidden
layer of 4 Bernoulli units and one stochastic output unit per row, the loss their mean::

    h = bernoulli(sigmoid(x @ W1), size=(N, 4))
    loss = mean(bernoulli(sigmoid(h @ W2 - 1)))

Printed, all in one process:

* the cost of one ``derivative_estimate`` call (one direction, and the full 3×4 gradient)
  against the plain numpy program (the same draws with ``rng.random(...) < p``);
* the spread of one call's estimate across seeds, against the spread of the mean of the
  ``N`` per-row estimates (the program returning its rows, averaged outside): the ratio
  is the price of writing the loss as a batch mean (1.0: nothing lost);
* the same with the bags switched off (``stochad.arrays.bags.MAX_BAG_ENTRIES = 0``: every
  reduction prunes its rows to one event, as stochad did before bags), and the fraction of
  calls whose gradient is exactly zero.

Run: ``python benchmarks/batch_loss.py [--rows N] [--calls C]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.results import interleaved  # noqa: E402

__all__ = ["measure", "main"]


def make_problem(rows: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 3))
    w1 = rng.normal(size=(3, 4)) * 0.8
    w2 = rng.normal(size=4)
    return x, w1, w2


def programs(x, w2):
    import stochad

    def per_row(w):
        h = stochad.bernoulli(stochad.sigmoid(x @ w), size=(x.shape[0], 4))
        return stochad.bernoulli(stochad.sigmoid(h @ w2 - 1.0))

    def batch(w):
        return stochad.mean(per_row(w))

    def plain(w, rng):
        h = rng.random((x.shape[0], 4)) < 1.0 / (1.0 + np.exp(-(x @ w)))
        return np.mean(rng.random(x.shape[0]) < 1.0 / (1.0 + np.exp(-(h @ w2 - 1.0))))

    return per_row, batch, plain


def measure(rows: int = 1000, calls: int = 200, repeats: int = 9) -> dict:
    """Cost and spread of one call; returns the printed numbers.

    Returns
    -------
    dict
        ``plain_s``, ``direction_s``, ``gradient_s`` (median seconds per call), and for
        ``bags`` and ``pruned``: ``std_ratio`` (one call / mean of the per-row estimates,
        along the first coordinate) and ``zero_fraction`` (calls whose full gradient is 0).
    """
    import stochad
    from stochad.arrays import bags

    x, w1, w2 = make_problem(rows)
    per_row, batch, plain = programs(x, w2)
    direction = np.zeros_like(w1)
    direction[0, 1] = 1.0
    rng = np.random.default_rng(0)
    stochad.derivative_estimate(batch, w1, rng=0)  # compile / load the kernels
    times = interleaved(
        {
            "plain_s": lambda: plain(w1, rng),
            "direction_s": lambda: stochad.derivative_estimate(
                batch, w1, rng=rng, direction=direction
            ),
        },
        repeats,
    )
    gradient = interleaved(
        {"gradient_s": lambda: stochad.derivative_estimate(batch, w1, rng=rng)}, 3
    )
    result = {"rows": rows, "calls": calls}
    result |= {name: statistics.median(t) for name, t in (times | gradient).items()}
    row_means = np.array(
        [
            stochad.derivative_estimate(per_row, w1, rng=s, direction=direction).mean()
            for s in range(calls)
        ]
    )
    limit = bags.MAX_BAG_ENTRIES
    for name, entries in (("bags", limit), ("pruned", 0)):
        bags.MAX_BAG_ENTRIES = entries
        try:
            one = np.array(
                [
                    stochad.derivative_estimate(batch, w1, rng=s, direction=direction)
                    for s in range(calls)
                ]
            )
            full = [stochad.derivative_estimate(batch, w1, rng=s) for s in range(calls // 4)]
        finally:
            bags.MAX_BAG_ENTRIES = limit
        result[name] = {
            "std_ratio": float(one.std(ddof=1) / row_means.std(ddof=1)),
            "zero_fraction": float(np.mean([not np.any(g) for g in full])),
        }
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows in the batch (default 1000)")
    parser.add_argument("--calls", type=int, default=200, help="seeds for the spreads (200)")
    parser.add_argument("--repeats", type=int, default=9, help="timing repeats (default 9)")
    args = parser.parse_args(argv)
    r = measure(args.rows, args.calls, args.repeats)
    print(f"batch loss, N = {r['rows']} rows, 3 -> 4 -> 1 stochastic units, {r['calls']} seeds")
    print(f"plain numpy program: {1e3 * r['plain_s']:.2f} ms")
    print(
        f"one call along a direction: {1e3 * r['direction_s']:.2f} ms "
        f"({r['direction_s'] / r['plain_s']:.1f}x the plain program)"
    )
    print(
        f"one call, gradient of all 12 weights: {1e3 * r['gradient_s']:.2f} ms "
        f"({r['gradient_s'] / r['plain_s']:.1f}x the plain program)"
    )
    for name, label in (("bags", "with bags (default)"), ("pruned", "reductions pruned")):
        row = r[name]
        print(
            f"{label:>20}: std of one call / std of the per-row mean = {row['std_ratio']:.2f}; "
            f"gradient exactly 0 in {100 * row['zero_fraction']:.0f}% of calls"
        )
    return r


if __name__ == "__main__":
    main()
