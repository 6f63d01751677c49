"""Cost of the exact ("dict") backend against the number of draws: linear, not quadratic.

The program: a scalar random walk of ``T`` steps (``x = x + 2·bernoulli(p) - 1``, then
``x * x``), differentiated once with ``backend="dict"``, which keeps every live
perturbation. Printed for growing ``T``: seconds per call, microseconds per step, and the
exponent of a log-log fit of time against ``T`` (1 is linear; the engine was quadratic
before: a 4 000-step walk took 8.5 s and 10 000 steps did not finish in 5 minutes),
beside the pruned backend on the same walks in the same process.

The walk is quadratic in ``T`` on the dict backend by its nature: every step's perturbation
stays live in ``x`` (about ``0.4·t`` of them at step ``t`` for ``p = 0.6``: a draw of 0 can
jump), and each of the two operations on ``x`` per step (``x + …``, ``… - 1``) makes a new
dictionary of all of them. So the printed cost per entry is the time over ``Σ_t 2·|x_t|``,
the perturbation entries those operations process (the walk records ``|x_t|``). Times are
this process's CPU time (``time.process_time``): the machine is shared, and wall time
would count waiting for a core.

Run: ``python benchmarks/dict_backend.py [--steps 1000 2000 4000 8000]``
"""

from __future__ import annotations

import argparse
import time

import numpy as np

__all__ = ["measure", "main"]


def measure(steps=(1000, 2000, 4000, 8000), p: float = 0.6) -> dict:
    """Time one dict-backend (and one pruned) derivative of walks of each length."""
    import stochad

    def walk(q, n, live=None):
        x = 0.0
        for _ in range(n):
            if live is not None:  # x's perturbations before this step's two operations
                live.append(len(x.alternates) if isinstance(x, stochad.Triple) else 0)
            x = x + 2 * stochad.bernoulli(q) - 1
        return x * x

    rows = []
    for n in steps:
        row = {"steps": n}
        for backend in ("dict", "pruned"):
            live = [] if backend == "dict" else None
            start = time.process_time()
            stochad.derivative_estimate(lambda q, n=n, live=live: walk(q, n, live), p,
                                        backend=backend, rng=n)  # fmt: skip
            row[backend] = time.process_time() - start
            if live is not None:
                row["entries"] = 2 * sum(live)
        rows.append(row)
    t = np.log([r["steps"] for r in rows])
    exponents = {  # a slope needs two walk lengths
        b: float(np.polyfit(t, np.log([r[b] for r in rows]), 1)[0]) if len(set(t)) > 1 else None
        for b in ("dict", "pruned")
    }
    return {"rows": rows, "exponents": exponents}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--steps", type=int, nargs="+", default=[1000, 2000, 4000, 8000], help="walk lengths"
    )
    args = parser.parse_args(argv)
    r = measure(tuple(args.steps))
    print("scalar walk, one derivative: dict backend (every perturbation kept) and pruned")
    for row in r["rows"]:
        print(
            f"T = {row['steps']:6d}: dict {row['dict']:7.3f} s "
            f"({1e6 * row['dict'] / row['steps']:6.1f} us/step, "
            f"{1e9 * row['dict'] / max(row['entries'], 1):5.0f} ns per perturbation entry), "
            f"pruned {row['pruned']:7.3f} s"
        )
    e = r["exponents"]
    if e["dict"] is not None:
        print(f"time ~ T^{e['dict']:.2f} (dict), T^{e['pruned']:.2f} (pruned); 1 = linear")
    return r


if __name__ == "__main__":
    main()
