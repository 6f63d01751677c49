"""Shared pieces of the example scripts: the command line, figures, exact expectations.

Every example is ``run(quick) -> results`` (prints its key numbers, returns them as a dict
for the tests) and ``plot(results, path)`` (matplotlib, imported only when a figure is
asked for); :func:`cli` wires both to ``--quick`` and ``--figure``. The default figure is
``docs/examples/figures/<script>.png``.

:func:`exact_expectation` is the exact ``E[loss]`` of a small escape-noise network by
enumerating every spike pattern of its stochastic layers; run under :func:`stochad.grad`
it gives the exact gradient (each pattern's probability is a smooth function of the
parameters, and its output is differentiated through the deterministic parts).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import stochad
from stochad.snn.bptt import kernel_forward
from stochad.snn.gradients import log_probability

FIGURES = Path(__file__).resolve().parents[1] / "docs" / "examples" / "figures"
MAX_ENUMERATED = 18  # 2^18 patterns of one input row still fit in memory comfortably


def pyplot():
    """matplotlib's pyplot on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(figure, path) -> None:
    """Write ``figure`` to ``path`` (a small PNG: 80 dpi, 256 colours) and close it."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=80, bbox_inches="tight")
    pyplot().close(figure)
    shrink(path)
    print(f"saved {path}")


def shrink(path) -> None:
    """Re-save a PNG with an adaptive 256-colour palette (a third of the size)."""
    from PIL import Image  # matplotlib's own dependency

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256)
    small.save(path, optimize=True)


def cli(name: str, doc: str, run: Callable, plot: Callable, argv=None) -> dict:
    """Parse ``--quick`` and ``--figure``, run, print the runtime, draw the figure."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized run (seconds)")
    parser.add_argument(
        "--figure",
        default=str(FIGURES / f"{name}.png"),
        help="where to save the figure ('' for none; default %(default)s)",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = run(quick=args.quick)
    print(f"runtime {time.perf_counter() - start:.1f} s ({'quick' if args.quick else 'full'})")
    if args.figure:
        plot(results, args.figure)
    return results


def patterns(net, steps: int) -> list:
    """Every joint spike pattern of ``net``'s stochastic layers: one forced array (or None
    for a deterministic layer) per layer, ``2^D`` rows, ``D`` = stochastic spikes."""
    sizes = [layer.size * steps if layer.stochastic else 0 for layer in net.layers]
    d = sum(sizes)
    if d > MAX_ENUMERATED:
        raise ValueError(f"{d} stochastic spikes: too many to enumerate (at most {MAX_ENUMERATED})")
    bits = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(np.float64)
    forced, start = [], 0
    for layer, size in zip(net.layers, sizes, strict=True):
        block = bits[:, start : start + size]
        forced.append(block.reshape(-1, steps, layer.size) if size else None)
        start += size
    return forced


def exact_expectation(net, params: dict, x_row: np.ndarray, per_row: Callable):
    """``E[per_row(output)]`` for one input row ``(1, T, n_in)``, by enumeration.

    ``per_row`` maps the ``(rows, T, n_out)`` output to one loss per row with stochad
    primitives; the result is a float, or a tracer inside :func:`stochad.grad`.
    """
    forced = patterns(net, x_row.shape[1])
    rows = next(f.shape[0] for f in forced if f is not None)
    trace = net.run(params, np.repeat(x_row, rows, axis=0), forced=forced)
    weights = stochad.exp(log_probability(net, trace))
    return stochad.sum(weights * per_row(trace.output))


def exact_gradient(net, params: dict, x_row: np.ndarray, per_row: Callable) -> dict:
    """The exact gradient of :func:`exact_expectation` (reverse mode through it)."""
    return stochad.grad(lambda p: exact_expectation(net, p, x_row, per_row))(params)


def flat(tree: dict, keys=None) -> np.ndarray:
    """A parameter dict's values in one vector (``keys`` order, default sorted)."""
    return np.concatenate([np.ravel(tree[k]) for k in (keys or sorted(tree))])


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The cosine similarity of two vectors."""
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def relative_error(estimate: np.ndarray, truth: np.ndarray) -> float:
    """``‖estimate − truth‖ / ‖truth‖``."""
    return float(np.linalg.norm(estimate - truth) / np.linalg.norm(truth))


class Resumed:
    """An optimizer that keeps its state across :func:`stochad.snn.train` calls.

    ``train`` starts its optimizer from ``init`` on every call; training in chunks (to
    evaluate on fresh runs in between) with this wrapper is one uninterrupted run.
    """

    def __init__(self, optimizer):
        self.optimizer, self.state = optimizer, None

    def init(self, params):
        return self.optimizer.init(params) if self.state is None else self.state

    def update(self, grads, state, params=None):
        return self.optimizer.update(grads, state, params)

    def step(self, params, grads, state):
        params, self.state = self.optimizer.step(params, grads, state)
        return params, self.state


def kernel_run(net, params: dict, inputs: np.ndarray, gen: np.random.Generator) -> list:
    """One forward run on the numba kernels: every layer's output ``(batch, T, size)``.

    (``net.forward`` runs the Python layers, which are much slower for evaluation runs.)
    """
    tape = kernel_forward(net, params, net.check(params, inputs), gen)
    return [np.ascontiguousarray(s.transpose(1, 0, 2)) for s in tape.spikes]
