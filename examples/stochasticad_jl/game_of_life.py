"""StochasticAD.jl's Game of Life: the derivative of the live cells after a few generations.

Each cell of an ``S×S`` torus is alive with probability ``p`` (Bernoulli), then Conway's
rules run for ``T`` generations (a dead cell with 3 live neighbours is born, a live one
with 2 or 3 survives); the output is the number of live cells. The rules are written as
arithmetic on the board (``equal(n, 3) + x·equal(n, 2)``), so one call runs many boards at
once as a triple array. The exact ``d/dp E[live]`` enumerates all ``2^(S·S)`` boards of a
4×4 torus (65 536), each weighted by ``p^a (1 − p)^(16 − a)``.
"""

from __future__ import annotations

import numpy as np
from common import main, mean_se, pyplot, save

import stochad

SIZE = 4


def _roll(x, shift: int, axis: int):
    """``numpy.roll`` for any carrier, by concatenating two slices."""
    n = x.shape[axis]
    head = [slice(None)] * x.ndim
    tail = [slice(None)] * x.ndim
    head[axis], tail[axis] = slice(n - shift, n), slice(0, n - shift)
    return stochad.concatenate([x[tuple(head)], x[tuple(tail)]], axis=axis)


def life_step(x):
    """One generation on a batch of torus boards ``(..., S, S)`` (0/1 values)."""
    neighbours = 0
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dy or dx:
                neighbours = neighbours + _roll(_roll(x, dy % SIZE, -2), dx % SIZE, -1)
    return (neighbours == 3) + x * (neighbours == 2)


def live_cells(p, steps: int, boards: int):
    x = stochad.bernoulli(p, size=(boards, SIZE, SIZE))
    for _ in range(steps):
        x = life_step(x)
    return stochad.sum(stochad.sum(x, axis=-1), axis=-1)


def exact(p: float, steps: int) -> tuple[float, float]:
    """``E[live]`` and ``d/dp E[live]`` over every board of the 4×4 torus."""
    cells = SIZE * SIZE
    bits = ((np.arange(2**cells)[:, None] >> np.arange(cells)) & 1).astype(float)
    x = bits.reshape(-1, SIZE, SIZE)
    for _ in range(steps):
        n = sum(
            np.roll(np.roll(x, dy, -2), dx, -1)
            for dy in (-1, 0, 1)
            for dx in (-1, 0, 1)
            if dy or dx
        )
        x = (n == 3) + x * (n == 2)
    live = x.sum(axis=(1, 2))
    a = bits.sum(axis=1)
    weight = p**a * (1 - p) ** (cells - a)
    dweight = weight * (a / p - (cells - a) / (1 - p))
    return float(weight @ live), float(dweight @ live)


def run(quick: bool = False) -> dict:
    ps = [0.3, 0.6] if quick else list(np.linspace(0.1, 0.9, 9))
    steps = 3
    boards = 10_000 if quick else 40_000
    rows = []
    print(f"d/dp E[live cells] after {steps} generations, {SIZE}x{SIZE} torus")
    for i, p in enumerate(ps):
        value, derivative = exact(p, steps)
        pruned = mean_se(
            stochad.derivative_estimate(lambda q: live_cells(q, steps, boards), p, rng=10 + i)
        )
        smoothed = mean_se(
            stochad.derivative_estimate(
                lambda q: live_cells(q, steps, boards), p, rng=10 + i, backend="smoothed"
            )
        )
        rows.append(
            {"p": p, "value": value, "exact": derivative, "pruned": pruned, "smoothed": smoothed}
        )
        print(
            f"p={p:.2f} E={value:.4f} exact {derivative:8.4f}  pruned {pruned[0]:8.4f} ± "
            f"{pruned[1]:.4f}  smoothed (biased) {smoothed[0]:8.4f} ± {smoothed[1]:.4f}"
        )
    return {"steps": steps, "rows": rows}


def plot(results: dict, path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    rows = results["rows"]
    p = [r["p"] for r in rows]
    fine = np.linspace(min(p), max(p), 60)
    ax.plot(fine, [exact(q, results["steps"])[1] for q in fine], "k-", label="exact (enumeration)")
    for name, fmt in (("pruned", "o"), ("smoothed", "s")):
        ax.errorbar(
            p,
            [r[name][0] for r in rows],
            yerr=[r[name][1] for r in rows],
            fmt=fmt,
            capsize=3,
            label=name,
        )
    ax.set(
        xlabel="p (initial density)",
        ylabel="d/dp E[live cells]",
        title=f"Game of Life, {SIZE}x{SIZE} torus, {results['steps']} generations",
    )
    ax.legend()
    save(fig, path)


if __name__ == "__main__":
    main("game_of_life", __doc__, run, plot)
