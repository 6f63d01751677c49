"""Scalar programs that exercise every elementwise operation and draw on triples.

Used by ``test_fast_path``: their results under fixed seeds were recorded on the code
before the scalar fast path (commit a8c16d2), and the fast path must reproduce them bit for
bit (:func:`fingerprint` writes every number of a triple as ``float.hex``).
"""

from __future__ import annotations

import stochad
from benchmarks.scalar_path import walk  # the benchmark's walk, bit for bit


def elementwise(p):
    """Every elementwise primitive and the built-in draws, coupled through their parameters."""
    a = stochad.bernoulli(stochad.sigmoid(3 * p - 1))
    b = stochad.binomial(5, p)
    c = stochad.poisson(stochad.exp(p))
    g = stochad.geometric(0.3 + 0.4 * p)
    y = (a + 1) * p / (b + 1.5) - c
    y = y + stochad.log(1.0 + b * p) + stochad.sqrt(c + p) - stochad.sin(y) * stochad.cos(p * a)
    y = y + stochad.tanh(y - g) + abs(y - 2) + stochad.maximum(y, a) - stochad.minimum(b, 2 * p)
    y = y + stochad.where(y > 1, y * y, -y) + (b >= 2) * p + (c == 1) + (a < 0.5) + (g != 1)
    y = y + (b <= 1) + (c > 2) * y + p**2 + 2.0 ** (p * a) + (b + 1.0) ** -1 + 1 / (c + 1)
    y = y - 3 - (2 - y) * 0.5 + -y / 4
    d = stochad.bernoulli(stochad.sigmoid(y - 2))
    e = stochad.categorical([0.2 + 0.2 * d, 0.5 - 0.1 * p, 0.3 - 0.2 * d + 0.1 * p])
    return y + d * g + e * b + stochad.binomial(b + 1, 0.5 * p)


def _number(x) -> str:
    return float(x).hex()


def fingerprint(t) -> tuple:
    """Every number a triple (or plain result) holds, exactly: value, δ, perturbations."""
    if not isinstance(t, stochad.Triple):
        return (_number(t),)
    return (
        _number(t.value),
        _number(t.delta),
        tuple((_number(q.alternate), _number(q.weight), q.event) for q in t.perturbations),
    )


PROGRAMS = {"walk": walk, "elementwise": elementwise}
__all__ = ["PROGRAMS", "POINTS", "BACKENDS", "backend_of", "fingerprint", "results", "walk"]
POINTS = {"walk": (100.0, 1.0), "elementwise": (0.3, 0.7)}
BACKENDS = ("pruned", "dict", "smoothed", "symmetric")


def backend_of(name: str):
    if name == "symmetric":
        return stochad.SmoothedBackend("symmetric")
    return name


def results(seeds=range(8)) -> dict:
    """``{(program, point, backend, seed): (triple fingerprint, derivative estimate hex)}``."""
    out = {}
    for name, program in PROGRAMS.items():
        for p in POINTS[name]:
            for backend in BACKENDS:
                b = backend_of(backend)
                for seed in seeds:
                    t = stochad.stochastic_triple(program, p, backend=b, rng=seed)
                    d = stochad.derivative_estimate(program, p, backend=b, rng=seed)
                    out[f"{name} {p} {backend} {seed}"] = (fingerprint(t), _number(d))
    return out
