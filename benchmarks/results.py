"""Shared plumbing: run metadata, timing helpers, JSON and Markdown output."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

__all__ = [
    "RESULTS", "metadata", "write_json", "read_json", "write_markdown", "markdown_table",
    "interleaved", "spread", "fmt",
]

RESULTS = Path(__file__).resolve().parent / "results"
"""Where results go by default: ``benchmarks/results/``."""


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def metadata(**settings) -> dict:
    """Machine, versions, commit, time and the run's settings (seeds, sample counts)."""
    import numba
    import numpy
    import scipy

    import stochad

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
        },
        "versions": {
            "stochad": stochad.__version__,
            "numpy": numpy.__version__,
            "scipy": scipy.__version__,
            "numba": numba.__version__,
        },
        "commit": _git_commit(),
        "threads": {name: os.environ.get(name) for name in
                    ("OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS", "TORCH_NUM_THREADS")},
        "settings": settings,
    }


def write_json(data: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, default=float) + "\n")
    return path


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def write_markdown(text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip() + "\n")
    return path


def interleaved(functions: dict, repeats: int, clock=time.perf_counter) -> dict:
    """Time each of ``functions`` (name -> no-argument callable) ``repeats`` times, in turn.

    Returns name -> list of seconds. Interleaving spreads the machine's load changes over
    all of them alike, so ratios of medians are fair even when absolute times drift.
    ``clock=time.process_time`` counts this process's CPU time only (on a shared machine
    wall time mostly measures the other jobs).
    """
    times = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = clock()
            function()
            times[name].append(clock() - start)
    return times


def spread(values) -> dict:
    """Median and interquartile range of ``values``."""
    values = sorted(values)
    if len(values) < 2:
        return {"median": values[0], "q1": values[0], "q3": values[0]}
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"median": statistics.median(values), "q1": q1, "q3": q3}


def fmt(x, digits: int = 4) -> str:
    """A number in ``digits`` significant digits; ``—`` for None."""
    if x is None:
        return "—"
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"
