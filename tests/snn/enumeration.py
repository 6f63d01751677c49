"""Exact expectations of tiny escape-noise networks by enumerating every spike pattern."""

from __future__ import annotations

import numpy as np

from stochad.snn import Network


def expected(net: Network, params: dict, x_row: np.ndarray, per_row) -> float:
    """``E[per_row(output)]`` for the single input ``x_row`` ``(1, T, n_in)``.

    Every stochastic layer's ``T × size`` spikes are enumerated (``2^D`` patterns, one per
    batch row); deterministic layers compute theirs. The probability of a pattern is the
    product of ``F(U − θ)`` or ``1 − F(U − θ)`` along it.
    """
    steps = x_row.shape[1]
    sizes = [layer.size * steps if layer.stochastic else 0 for layer in net.layers]
    d = sum(sizes)
    assert d <= 18, "too many spikes to enumerate"
    bits = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(np.float64)
    forced, start = [], 0
    for layer, size in zip(net.layers, sizes, strict=True):
        forced.append(
            bits[:, start : start + size].reshape(-1, steps, layer.size) if size else None
        )
        start += size
    trace = net.run(params, np.repeat(x_row, 2**d, axis=0), forced=forced)
    log_p = np.zeros(2**d)
    for spikes, probs in zip(trace.layers, trace.probabilities, strict=True):
        for s, p in zip(spikes, probs or [], strict=False):
            log_p += np.sum(np.where(s == 1.0, np.log(p), np.log1p(-p)), axis=1)
    return float(np.sum(np.exp(log_p) * per_row(np.asarray(trace.output))))


def exact_gradient(net: Network, params: dict, x_row, per_row, h: float = 1e-5) -> dict:
    """Central differences of :func:`expected` (smooth in the parameters)."""
    grad = {}
    for k, v in params.items():
        grad[k] = np.empty(v.shape)
        for index in np.ndindex(v.shape):
            moved = []
            for sign in (1.0, -1.0):
                p = {**params, k: v.copy()}
                p[k][index] += sign * h
                moved.append(expected(net, p, x_row, per_row))
            grad[k][index] = (moved[0] - moved[1]) / (2 * h)
    return grad
