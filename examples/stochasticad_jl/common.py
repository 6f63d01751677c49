"""Shared pieces of the StochasticAD.jl tutorial scripts: the command line and figures.

Each script is ``run(quick) -> results`` (prints its key numbers with the exact values
beside them, returns them for the tests) and ``plot(results, path)``; ``main`` wires both
to ``--quick`` and ``--figure`` through the examples' shared :func:`plotting.cli`, with
the figure in ``docs/examples/figures/stochasticad_jl_<name>.png``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import plotting  # noqa: E402  (examples/plotting.py: cli, pyplot, save)

__all__ = ["main", "pyplot", "save", "mean_se"]

pyplot, save = plotting.pyplot, plotting.save


def main(name: str, doc: str, run, plot, argv=None) -> dict:
    """``--quick`` / ``--figure`` for ``examples/stochasticad_jl/<name>.py``."""
    figure = plotting.FIGURES / f"stochasticad_jl_{name}.png"
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(a.startswith("--figure") for a in argv):
        argv += ["--figure", str(figure)]
    return plotting.cli(f"stochasticad_jl_{name}", doc, run, plot, argv)


def mean_se(samples) -> tuple[float, float]:
    """Mean and standard error of independent samples."""
    x = np.asarray(samples, dtype=float).reshape(-1)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))
