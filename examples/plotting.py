"""Figures for the example scripts (matplotlib is imported only when a figure is asked for)."""

from __future__ import annotations


def save_figure(path: str, curves, xlabel: str) -> None:
    """Plot ``curves`` (``(x, y, style, label)`` or ``(x, y, style, label, yerr)``) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots()
    for x, y, style, label, *yerr in curves:
        if yerr:
            axes.errorbar(x, y, yerr=yerr[0], fmt=style, label=label)
        else:
            axes.plot(x, y, style, label=label)
    axes.set_xlabel(xlabel)
    axes.legend()
    figure.savefig(path, dpi=120)
    print(f"saved {path}")
