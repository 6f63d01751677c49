"""Figures from the stored results (matplotlib, the ``examples`` extra).

Reads ``variance*.json``, ``speed*.json`` and ``scaling*.json`` from the results folder and
writes, beside them: per-program bars of variance and of variance × cost for every estimator
(log scale), the speed ratios with their interquartile ranges, and log-log scaling plots with
the fitted exponents in the legends.

    python -m benchmarks plot [--quick] [--results DIR]
    python benchmarks/plot.py --help
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the benchmarks package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

__all__ = ["plot_variance", "plot_speed", "plot_scaling", "run", "main"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_variance(data: dict, path: Path) -> Path:
    """One panel per program: variance and variance × cost per estimator, log scale."""
    plt = _pyplot()
    programs = data["programs"]
    cols = 3
    rows = math.ceil(len(programs) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.6 * rows), squeeze=False)
    for ax, prog in zip(axes.flat, programs, strict=False):
        names = [r["estimator"] for r in prog["rows"]]
        floor = 1e-12 * max(1.0, abs(prog["exact"])) ** 2  # a variance of 0 drawn at the floor
        variance = [max(r["variance"], floor) for r in prog["rows"]]
        work = [max(r["work"], floor) for r in prog["rows"]]
        x = range(len(names))
        ax.bar([i - 0.2 for i in x], variance, 0.4, label="variance")
        ax.bar([i + 0.2 for i in x], work, 0.4, label="variance × cost")
        for i, r in enumerate(prog["rows"]):
            if r["exact_bias"] is None or abs(r["exact_bias"]) > 1e-9 * max(1, abs(prog["exact"])):
                ax.annotate("biased" if r["exact_bias"] is not None else "bias?", (i, variance[i]),
                            ha="center", va="bottom", fontsize=6)
        ax.set_yscale("log")
        ax.set_xticks(list(x), names, rotation=60, ha="right", fontsize=7)
        ax.set_title(prog["name"], fontsize=9)
    for ax in list(axes.flat)[len(programs):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_speed(data: dict, path: Path) -> Path:
    """Median ratio against each row's baseline, with interquartile bars, log scale."""
    plt = _pyplot()
    rows = data["rows"]
    fig, ax = plt.subplots(figsize=(7, 0.9 + 0.32 * len(rows)))
    med = [r["ratio"]["median"] for r in rows]
    err = [[m - r["ratio"]["q1"] for m, r in zip(med, rows, strict=True)],
           [r["ratio"]["q3"] - m for m, r in zip(med, rows, strict=True)]]
    y = range(len(rows))
    ax.barh(list(y), med, xerr=err, capsize=3)
    ax.set_yticks(list(y), [r["name"] for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("time / the row's numpy baseline (median, IQR)")
    ax.axvline(1.0, color="k", lw=0.5)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_scaling(data: dict, path: Path) -> Path:
    """Log-log cost against size, one panel per axis, the fitted exponent in the legend."""
    plt = _pyplot()
    axes_names = list(dict.fromkeys(s["axis"] for s in data["sweeps"]))
    fig, axes = plt.subplots(1, len(axes_names), figsize=(4.5 * len(axes_names), 3.4),
                             squeeze=False)
    for ax, axis in zip(axes.flat, axes_names, strict=True):
        for s in (s for s in data["sweeps"] if s["axis"] == axis):
            ax.loglog(s["sizes"], s["seconds"], "o-",
                      label=f"{s['variant']} (k = {s['time_exponent']:.2f})")
        ax.set_xlabel(axis)
        ax.set_ylabel("seconds per derivative")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def run(*, quick: bool = False, results=None, echo=print) -> list[Path]:
    """Draw every figure whose JSON exists; return the paths written."""
    from benchmarks.results import RESULTS, read_json

    folder = RESULTS if results is None else Path(results)
    suffix = "-quick" if quick else ""
    written = []
    for stem, plot in (("variance", plot_variance), ("speed", plot_speed),
                       ("scaling", plot_scaling)):
        source = folder / f"{stem}{suffix}.json"
        if not source.exists():
            echo(f"no {source}: run `python -m benchmarks run {stem}"
                 f"{' --quick' if quick else ''}` first")
            continue
        written.append(plot(read_json(source), folder / f"{stem}{suffix}.png"))
        echo(f"wrote {written[-1]}")
    return written


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="plot the --quick results")
    parser.add_argument("--results", help="results folder (default benchmarks/results)")


def main_from_args(args) -> list[Path]:
    return run(quick=args.quick, results=args.results)


def main(argv=None) -> list[Path]:
    parser = argparse.ArgumentParser(prog="benchmarks/plot.py",
                                     description=__doc__.splitlines()[0])
    add_arguments(parser)
    return main_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    main()
