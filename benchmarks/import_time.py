"""How long ``import stochad`` takes in a fresh interpreter, against ``import numpy`` (issue 9).

Each run starts a new Python process that times one import statement, in turn for
``numpy`` and ``stochad`` (interleaved, so load changes on a shared machine hit both
alike). Two cases for stochad:

- **bytecode cached**: what an installed package sees (pip writes ``.pyc`` files at
  install time, and Python writes them on first import). The cache goes to a temporary
  ``PYTHONPYCACHEPREFIX`` warmed by one import before timing;
- **compiled from source**: every module compiled on every import, as with
  ``PYTHONDONTWRITEBYTECODE=1`` and no cache (this development machine sets that
  variable, which more than doubles the time).

Printed: medians of wall and CPU time of the child, and which optional or heavy modules the import
loaded (it should load none of numba, scipy, dask, matplotlib, tqdm, h5py). Issue 9's bar
is 0.25 s for ``import stochad``, in wall time: the CPU time is larger than the wall time
because numpy's OpenBLAS starts its worker threads at import (their CPU time counts too).

Run: ``python benchmarks/import_time.py [--repeats R]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

__all__ = ["measure", "main"]

HEAVY = ("numba", "scipy", "dask", "distributed", "matplotlib", "tqdm", "h5py")

_CHILD = """
import sys, time
wall, cpu = time.perf_counter(), time.process_time()
import {module}
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print(__import__("json").dumps({{"wall": wall, "cpu": cpu, "heavy": heavy}}))
"""


def _time_import(module: str, environment: dict) -> dict:
    code = _CHILD.format(module=module, heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code], env=environment, cwd=tempfile.gettempdir(),
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def measure(repeats: int = 15) -> dict:
    """Median wall and CPU seconds of each import case, and the heavy modules it loaded."""
    with tempfile.TemporaryDirectory() as cache:
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = cache
        uncached = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        uncached.pop("PYTHONPYCACHEPREFIX", None)
        cases = {
            "numpy": ("numpy", cached),
            "stochad (bytecode cached)": ("stochad", cached),
            "stochad (compiled from source)": ("stochad", uncached),
        }
        for module, environment in cases.values():  # warm the bytecode cache and the disk
            _time_import(module, environment)
        runs = {name: [] for name in cases}
        for _ in range(repeats):
            for name, (module, environment) in cases.items():
                runs[name].append(_time_import(module, environment))
    return {
        name: {
            "wall": statistics.median(r["wall"] for r in results),
            "cpu": statistics.median(r["cpu"] for r in results),
            "heavy": sorted({m for r in results for m in r["heavy"]}),
        }
        for name, results in runs.items()
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15, help="interleaved runs per case")
    args = parser.parse_args(argv)
    result = measure(args.repeats)
    for name, r in result.items():
        heavy = ", ".join(r["heavy"]) or "none of " + "/".join(HEAVY)
        print(f"import {name:32s} wall {r['wall'] * 1e3:6.1f} ms  cpu {r['cpu'] * 1e3:6.1f} ms"
              f"  (loads {heavy})")
    numpy, cached = result["numpy"], result["stochad (bytecode cached)"]
    print(f"import stochad (bytecode cached): {cached['wall']:.3f} s, of which numpy alone "
          f"{numpy['wall']:.3f} s (wall; bar 0.25 s; median of {args.repeats} interleaved runs)")


if __name__ == "__main__":
    main()
