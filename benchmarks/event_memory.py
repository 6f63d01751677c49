"""Memory of the event table on a long vectorized program, with and without compaction.

The program: the state-dependent random walk on ``N`` lanes for ``T`` steps (``up =
exp(-|x| / p)``, ``x = x + 2·bernoulli(up) - 1``), differentiated once with the pruned
backend. Each step draws ``N`` Bernoullis, so without compaction the event table keeps
one weight per draw ever made (``N·T`` ids); with it (``EventTable.compact``, run before
the table grows past ``COMPACT_FROM`` slots) it keeps the ids live values still refer to.
Printed: the table's size at the end both ways, the number of ids kept, and the time ratio
(compaction's cost), in one process; the two derivative estimates must be equal (the
renumbering changes no result) and the script says so.

Run: ``python benchmarks/event_memory.py [--lanes N] [--steps T]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

__all__ = ["measure", "main"]


def measure(lanes: int = 10_000, steps: int = 3000, repeats: int = 2) -> dict:
    """Run the walk with and without compaction; return sizes, counts and times."""
    import stochad
    from stochad.core.events import EventTable

    def walk(p):
        x = np.zeros(lanes)
        for _ in range(steps):
            up = stochad.exp(-abs(x) / p)
            x = x + 2 * stochad.bernoulli(up) - 1
        return stochad.mean(x)

    stochad.derivative_estimate(walk, 2.0, rng=0)  # warm the kernels on the same program
    result = {"lanes": lanes, "steps": steps}
    default = EventTable.COMPACT_FROM
    for _ in range(repeats):  # alternate the two, keep each one's fastest run
        for name, limit in (("compacting", default), ("growing", 1 << 62)):
            EventTable.COMPACT_FROM = limit
            try:
                start = time.perf_counter()
                out = stochad.stochastic_triple(walk, 2.0, rng=1)
                seconds = time.perf_counter() - start
            finally:
                EventTable.COMPACT_FROM = default
            table = out.evaluation.events
            best = result.get(name, {}).get("seconds", float("inf"))
            result[name] = {
                "seconds": min(seconds, best),
                "slots": len(table.weights),
                "ids": table.count,
                "estimate": float(stochad.derivative_contribution(out)),
            }
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lanes", type=int, default=10_000, help="lanes N (default 10 000)")
    parser.add_argument("--steps", type=int, default=3000, help="steps T (default 3000)")
    args = parser.parse_args(argv)
    r = measure(args.lanes, args.steps)
    print(f"vectorized walk, {r['lanes']} lanes x {r['steps']} steps, pruned backend")
    for name in ("growing", "compacting"):
        row = r[name]
        print(
            f"{name:>11}: event table {row['slots'] * 8 / 2**20:8.1f} MiB "
            f"({row['slots']} slots, {row['ids']} ids in use), {row['seconds']:.2f} s"
        )
    same = r["growing"]["estimate"] == r["compacting"]["estimate"]
    print(
        f"memory ratio {r['growing']['slots'] / r['compacting']['slots']:.0f}x, time ratio "
        f"{r['compacting']['seconds'] / r['growing']['seconds']:.2f}; estimates "
        f"{'equal' if same else 'DIFFER'} ({r['compacting']['estimate']:.6g})"
    )
    return r


if __name__ == "__main__":
    main()
