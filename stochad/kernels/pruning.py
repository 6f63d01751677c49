"""Pruning kernels: several events meet, one survives (THEORY.md §3, "pruned").

The one rule, applied to a sequence of event ids (an element's operands, or the elements
of a reduced row): walk the ids in order, skip ``-1`` and dead events (weight 0), keep
the current survivor ``c``; when a different live event ``e`` arrives, keep ``e`` with
probability ``|w_e| / (|w_c| + |w_e|)``, give the survivor the weight
``sign · (|w_c| + |w_e|)`` and kill the other (weight 0, everywhere). Pairwise merging in
sequence picks each event with probability ``|w_k| / Σ|w|``, as the scalar backend does,
and the same event met twice is merged once (it is the survivor already).

One uniform serves a whole sequence: after each decision it is rescaled to a fresh
uniform on the branch taken (``u/q`` or ``(u−q)/(1−q)``), which costs only
``log2(#events)`` of its 53 bits. A sequence gets a uniform iff it holds two different
ids ``>= 0`` (a test that ignores the weights, so callers can count uniforms before the
weights change); the uniforms come from the evaluation's auxiliary numpy stream.
"""

from __future__ import annotations

import math

import numpy as np
from numba.extending import register_jitable

from stochad.kernels import kernel

__all__ = ["count_mixed_rows", "prune_rows", "prune_sum_rows", "contribution"]

_BELOW_ONE = 1.0 - 2.0**-53


@register_jitable
def merge(c, e, weights, u):
    """Merge live event ``e`` into the live survivor ``c``; return ``(survivor, u')``."""
    wc = weights[c]
    we = weights[e]
    total = abs(wc) + abs(we)
    q = abs(we) / total
    if u < q:
        weights[e] = math.copysign(total, we)
        weights[c] = 0.0
        return e, min(u / q, _BELOW_ONE)
    weights[c] = math.copysign(total, wc)
    weights[e] = 0.0
    return c, min((u - q) / (1.0 - q), _BELOW_ONE)


@register_jitable
def is_mixed(row):
    """True if ``row`` holds two different ids >= 0 (the sequence needs a uniform)."""
    first = -1
    for j in range(row.shape[0]):
        e = row[j]
        if e >= 0:
            if first < 0:
                first = e
            elif e != first:
                return True
    return False


@register_jitable
def survivor(row, weights, u):
    """The surviving live event of the id sequence ``row`` (``-1`` if none)."""
    c = -1
    for j in range(row.shape[0]):
        e = row[j]
        if e < 0 or e == c or weights[e] == 0.0:
            continue
        if c < 0:
            c = e
        else:
            c, u = merge(c, e, weights, u)
    return c


@kernel
def count_mixed_rows(events):
    """How many rows of the 2-d id array ``events`` need a pruning uniform."""
    n = 0
    for r in range(events.shape[0]):
        if is_mixed(events[r]):
            n += 1
    return n


@kernel
def prune_rows(events, weights, uniforms):
    """The survivor of each row of ``events`` (2-d ids), rows in order; mutates ``weights``."""
    rows = events.shape[0]
    out = np.empty(rows, dtype=np.int64)
    used = 0
    for r in range(rows):
        row = events[r]
        u = 0.5
        if is_mixed(row):
            u = uniforms[used]
            used += 1
        out[r] = survivor(row, weights, u)
    return out


@kernel
def prune_sum_rows(values, alternates, events, weights, uniforms):
    """Pruned row sums: each row's survivor and ``Σ (alternate − value)`` over its elements.

    Elements carrying the survivor all move together (one event); the others keep their
    primal value in the survivor's world.
    """
    rows, cols = events.shape
    chosen = np.empty(rows, dtype=np.int64)
    shift = np.zeros(rows)
    used = 0
    for r in range(rows):
        row = events[r]
        u = 0.5
        if is_mixed(row):
            u = uniforms[used]
            used += 1
        c = survivor(row, weights, u)
        chosen[r] = c
        if c >= 0:
            total = 0.0
            for j in range(cols):
                if row[j] == c:
                    total += alternates[r, j] - values[r, j]
            shift[r] = total
    return chosen, shift


@kernel
def contribution(values, deltas, alternates, events, weights):
    """``δ + w·(alternate − value)`` elementwise (1-d arrays; dead events count 0)."""
    n = values.shape[0]
    out = np.empty(n)
    for k in range(n):
        total = deltas[k]
        e = events[k]
        if e >= 0:
            total += weights[e] * (alternates[k] - values[k])
        out[k] = total
    return out
