"""Pruning kernels: several events meet, one survives (docs/theory.md §3, "pruned").

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

from stochad.kernels import kernel, register_jitable

__all__ = [
    "count_mixed_rows",
    "prune_rows",
    "count_mixed_moving_pairs",
    "merge_moving_pairs",
    "prune_sum_rows",
    "contribution",
    "merge",
]

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
def take_row(row, weights, signed, prefix):
    """One pass over an id sequence: read and zero its weights; ``(mixed, distinct, total)``.

    Fills ``signed[j]`` with element ``j``'s weight and ``prefix[j]`` with the running
    ``Σ|w|``, and sets every weight of the row to 0 (the survivor is revived by
    :func:`pick`). ``mixed``: the row holds two different ids >= 0, so it needs a
    pruning uniform (a test on ids only, so callers can count uniforms in advance).
    ``distinct``: its ids >= 0 strictly increase, as a fresh draw's do. Written with
    selects: whether an element carries an event is a coin flip no branch predictor
    guesses.
    """
    scratch = weights.shape[0] - 1  # never an event id (EventTable keeps it free)
    first = -1
    last = -1
    mixed = False
    distinct = True
    total = 0.0
    for j in range(row.shape[0]):
        e = row[j]
        valid = e >= 0
        index = e if valid else scratch
        w = weights[index]
        signed[j] = w
        total += abs(w)
        prefix[j] = total
        weights[index] = 0.0
        mixed |= valid & (first >= 0) & (e != first)
        distinct &= (not valid) | (e > last)
        first = e if (valid and first < 0) else first
        last = e if valid else last
    return mixed, distinct, total


@register_jitable
def pick(row, weights, u, signed, prefix, distinct, total):
    """The row's survivor and its position (``-1, -1`` if none), after :func:`take_row`.

    Distinct ids: the smallest ``j`` with ``prefix[j] > u·Σ|w|`` (the scalar backend's
    choice), by bisection. Otherwise the weights are put back and merged pairwise
    (position ``-1``: the survivor may occur several times).
    """
    n = row.shape[0]
    if not distinct:
        for j in range(n - 1, -1, -1):  # backwards: a repeated id gets its first value
            if row[j] >= 0:
                weights[row[j]] = signed[j]
        return _merge_in_order(row, weights, u), -1
    if total == 0.0:
        return -1, -1
    threshold = u * total
    if threshold < prefix[n - 1]:
        lo, hi = 0, n - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if threshold < prefix[mid]:
                hi = mid
            else:
                lo = mid + 1
        position = lo
    else:  # rounding put the threshold at the end: the last live event
        position = n - 1
        while signed[position] == 0.0:
            position -= 1
    c = row[position]
    weights[c] = math.copysign(total, signed[position])
    return c, position


@register_jitable
def _merge_in_order(row, weights, u):
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
        row = events[r]
        first = -1
        for j in range(row.shape[0]):
            e = row[j]
            if e >= 0:
                if first < 0:
                    first = e
                elif e != first:
                    n += 1
                    break
    return n


@kernel
def prune_rows(events, weights, uniforms):
    """The survivor of each row of ``events`` (2-d ids), rows in order; mutates ``weights``.

    ``uniforms`` holds one uniform per mixed row (:func:`count_mixed_rows`).
    """
    rows, cols = events.shape
    out = np.empty(rows, dtype=np.int64)
    signed = np.empty(cols)
    prefix = np.empty(cols)
    used = 0
    for r in range(rows):
        row = events[r]
        mixed, distinct, total = take_row(row, weights, signed, prefix)
        u = 0.5
        if mixed:
            u = uniforms[used]
            used += 1
        out[r] = pick(row, weights, u, signed, prefix, distinct, total)[0]
    return out


@register_jitable
def prune_pair(a, b, weights, uniforms, used):
    """The survivor of the row ``[a, b]`` as :func:`prune_rows` picks it: ``(id, used')``.

    Written out from :func:`take_row` and :func:`pick` (distinct ids: a threshold on the
    prefix sums; decreasing ids: pairwise :func:`merge`), so that both give the same
    survivors and weights; takes ``uniforms[used]`` iff the pair is mixed.
    """
    if b < 0 or b == a:
        return (a if a >= 0 and weights[a] != 0.0 else -1), used
    if a < 0:
        return (b if weights[b] != 0.0 else -1), used
    u = uniforms[used]
    used += 1
    wa = weights[a]
    wb = weights[b]
    if a > b:
        if wa == 0.0:
            return (b if wb != 0.0 else -1), used
        if wb == 0.0:
            return a, used
        return merge(a, b, weights, u)[0], used
    total = abs(wa) + abs(wb)
    if total == 0.0:
        return -1, used
    threshold = u * total
    if threshold < abs(wa):
        c, w = a, wa
    elif threshold < total or wb != 0.0:
        c, w = b, wb
    else:  # rounding put the threshold at the end: the last live event
        c, w = a, wa
    weights[a] = 0.0
    weights[b] = 0.0
    weights[c] = math.copysign(total, w)
    return c, used


@kernel
def count_mixed_moving_pairs(value_a, alternate_a, event_a, value_b, alternate_b, event_b):
    """How many elements need a pruning uniform in :func:`merge_moving_pairs`."""
    n = 0
    for k in range(value_a.shape[0]):
        a = event_a[k] if alternate_a[k] != value_a[k] else -1
        b = event_b[k] if alternate_b[k] != value_b[k] else -1
        n += (a >= 0) & (b >= 0) & (a != b)
    return n


@kernel
def merge_moving_pairs(
    value_a, alternate_a, event_a, value_b, alternate_b, event_b, weights, uniforms
):
    """Two perturbed operands of an elementwise operation meet (1-d, of one shape).

    Returns the survivor of each element (:func:`prune_rows` of the two operands'
    moving ids: an event whose alternate equals its value takes no part) and each
    operand's value in the survivor's world (its alternate where it carries the
    survivor). One pass instead of the dozen temporaries of the numpy form.
    """
    n = value_a.shape[0]
    chosen = np.empty(n, dtype=np.int64)
    world_a = np.empty(n)
    world_b = np.empty(n)
    used = 0
    for k in range(n):
        ea = event_a[k]
        eb = event_b[k]
        a = ea if alternate_a[k] != value_a[k] else -1
        b = eb if alternate_b[k] != value_b[k] else -1
        if (a >= 0) & (b >= 0) & (a != b):
            c, used = prune_pair(a, b, weights, uniforms, used)
        else:
            # at most one distinct moving id (the common case): prune_pair's answer
            # without its branches, a select the CPU need not predict
            c = max(a, b)
            c = c if weights[max(c, 0)] != 0.0 or c < 0 else -1
        chosen[k] = c
        world_a[k] = alternate_a[k] if ea == c else value_a[k]
        world_b[k] = alternate_b[k] if eb == c else value_b[k]
    return chosen, world_a, world_b


@kernel
def prune_sum_rows(values, alternates, events, weights, uniforms):
    """Pruned row sums: each row's survivor and ``Σ (alternate − value)`` over its elements.

    Elements carrying the survivor all move together (one event); the others keep their
    primal value in the survivor's world. An element whose alternate equals its value
    (Δ = 0) takes no part in the choice: its event neither competes nor dies here.
    ``uniforms`` holds one uniform per row (rows are outputs of a reduction, far fewer
    than the elements: cheaper to draw than to count the rows that need one).
    """
    rows, cols = events.shape
    chosen = np.empty(rows, dtype=np.int64)
    positions = np.empty(rows, dtype=np.int64)
    shift = np.zeros(rows)
    signed = np.empty(cols)
    prefix = np.empty(cols)
    row = np.empty(cols, dtype=np.int64)
    for r in range(rows):
        for j in range(cols):  # the moving elements' ids, in a row-sized buffer
            row[j] = events[r, j] if alternates[r, j] != values[r, j] else -1
        mixed, distinct, total = take_row(row, weights, signed, prefix)
        chosen[r], positions[r] = pick(row, weights, uniforms[r], signed, prefix, distinct, total)
    # a separate gather loop: its loads are independent, so their cache misses overlap
    for r in range(rows):
        c = chosen[r]
        position = positions[r]
        if position >= 0:
            shift[r] = alternates[r, position] - values[r, position]
        elif c >= 0:
            moved = 0.0
            for j in range(cols):
                if events[r, j] == c:
                    moved += alternates[r, j] - values[r, j]
            shift[r] = moved
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
