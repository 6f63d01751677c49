"""Array draws with triple parameters: values, own jumps, coupled alternates, smoothing.

The primal stream is consumed exactly as by plain array draws
(:func:`stochad.kernels.sampling.sample_plain_array`): one ``primal.random(shape)`` per draw, so the
primal sample path does not depend on the backend. Coupling and pruning uniforms come
from the auxiliary stream.
"""

from __future__ import annotations

import math

import numpy as np

from stochad.arrays import buffers
from stochad.arrays.propagation import full, merge_operands, moving_ids, own_operands
from stochad.arrays.triple_array import TripleArray, register_rules, require_array_backend
from stochad.distributions.categorical import check_array as check_categorical
from stochad.distributions.vectorized import (
    check_array_params,
    draw_shape,
    flat_params,
    in_range_by_extremes,
)
from stochad.kernels.rules import require_array_kernel
from stochad.kernels.sampling import (
    categorical_jumps,
    categorical_rows,
    categorical_values,
    couple,
    draw_values,
    draw_with_jumps,
    single_row_events,
)

__all__ = ["sample", "sample_categorical"]

_CHUNK = 1 << 16


def sample(rule, args, size, evaluation) -> TripleArray:
    """Draw ``rule`` with parameters ``args`` (numbers, arrays, triples, triple arrays)."""
    ev = evaluation
    backend = ev.backend
    require_array_backend(backend)
    ops = [
        o if isinstance(o, TripleArray) else np.asarray(o, np.float64)
        for o in own_operands(args, ev)
    ]
    values = [o.value if isinstance(o, TripleArray) else o for o in ops]
    shape = draw_shape([np.shape(v) for v in values], size)
    check_array_params(rule, values, shape)
    require_array_kernel(rule)
    n = math.prod(shape)
    a, b = flat_params(values, shape)
    tangents = [o._delta if isinstance(o, TripleArray) else None for o in ops]
    if not backend.carries_perturbations:
        x = draw_values(rule, ev.streams.primal.random(n), a, b, buffers.empty(n))
        delta = _smoothed(rule, backend, x, a, b, tangents, shape)
        delta = None if delta is None else delta.reshape(shape)
        return TripleArray(x.reshape(shape), delta, None, None, ev)
    rule.require_tangents_allowed(tangents)
    d = flat_params([tangents[rule.differentiable]], shape, fill=0.0)[0]
    x, alternate, event = buffers.empty(n), buffers.empty(n), buffers.empty(n, np.int64)
    carriers = [o for o in ops if isinstance(o, TripleArray) and o.event is not None]
    shared = _one_id_array(rule, carriers)
    carried, alt_a, alt_b = _NONE, _NO_PARAMS, _NO_PARAMS
    if shared:
        carried = _flat_ids(carriers[0].event, shape)
        worlds = [o.alternate_ if isinstance(o, TripleArray) and o.event is not None else v
                  for o, v in zip(ops, values, strict=True)]  # fmt: skip
        _check_worlds(rule, values, worlds, carried, shape)
        alt_a, alt_b = flat_params(worlds, shape)
    counts = np.zeros(2, dtype=np.int64)
    used = _draw_in_chunks(rule, ev, (a, b, d, alt_a, alt_b, carried), x, alternate, event, counts)
    if shared:
        live = int(counts[0])
        uniforms = ev.streams.aux.random(live + int(counts[1]))
        couple(rule, x, a, b, alt_a, alt_b, carried, True, ev.events.weights, uniforms, live,
               alternate, event)  # fmt: skip
    elif carriers:
        _couple(rule, ops, values, shape, x, a, b, alternate, event, ev)
    elif used == 0:
        alternate = event = None
    reshape = lambda y: None if y is None else y.reshape(shape)  # noqa: E731
    return TripleArray(x.reshape(shape), None, reshape(alternate), reshape(event), ev)


def _one_id_array(rule, carriers) -> bool:
    """Whether the draw takes the one-pass path: its parameters carry one shared id array
    (a single perturbed parameter, say), so nothing is pruned among them first, and no
    count of the rule moves (:func:`_couple` handles the rest, with the same results)."""
    return (
        bool(carriers)
        and rule.coupled is None
        and all(o.event is carriers[0].event for o in carriers)
    )


_NONE = np.empty(0, dtype=np.int64)  # "no carried ids" for the draw kernel
_NO_PARAMS = np.empty(0)


def _flat_ids(ids: np.ndarray, shape) -> np.ndarray:
    """``ids`` broadcast to ``shape``, 1-d (a view when it has that shape already)."""
    return (ids if ids.shape == tuple(shape) else np.broadcast_to(ids, shape)).reshape(-1)


def _moves(values, worlds, shape) -> np.ndarray:
    """Flat ``(prod(shape),)`` mask: where a carried event's world moves some parameter off
    its value (a world that is the value itself moves nothing)."""
    moves = np.zeros(math.prod(shape), dtype=bool)
    for v, w in zip(values, worlds, strict=True):
        if w is not v:
            moves |= flat_params([np.not_equal(w, v)], shape)[0].astype(bool)
    return moves


def _check_worlds(rule, values, worlds, carried, shape) -> None:
    """Refuse parameters out of range in a carried event's world, as :func:`_couple` does.

    Where no event moves a parameter its world is its value (checked already), so one
    vectorized test of all of them decides; the slow check names the element.
    """
    if in_range_by_extremes(rule, worlds):
        return
    if np.all(rule.valid(*[np.asarray(w, dtype=np.float64) for w in worlds])):
        return
    live = (_moves(values, worlds, shape) & (carried >= 0)).reshape(shape)
    check_array_params(rule, worlds, shape, where=live, world="an alternate world of ")


def _draw_in_chunks(rule, ev, params, x, alternate, event, counts) -> int:
    """Fill the draw's arrays chunk by chunk; returns how many event ids it used.

    ``params`` are ``a, b, d, alt_a, alt_b, carried`` (the last three empty without a
    carried event). The primal uniforms go through a small reused buffer, so they stay
    in cache instead of taking a round trip through memory; ``random(n)`` in chunks is
    the same sequence as one ``random(n)`` call.
    """
    n = x.size
    table = ev.events
    first = table.reserve(n)
    weights = table.weights
    buffer = np.empty(min(n, _CHUNK))
    used = 0
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        r = ev.streams.primal.random(stop - start, out=buffer[: stop - start])
        a, b, d, alt_a, alt_b, carried = (y[start:stop] for y in params)
        outputs = (y[start:stop] for y in (x, alternate, event))
        used += draw_with_jumps(
            rule, r, a, b, d, alt_a, alt_b, carried, weights, first + used, *outputs, counts
        )
    table.count = first + used  # give back the ids of elements without a jump
    return used


def _smoothed(rule, backend, x, a, b, tangents, shape):
    """The draws' tangents from a backend without perturbations (its own smoothing)."""
    if all(t is None for t in tangents):
        return None
    da, db = flat_params(tangents, shape, fill=0.0)
    return backend.draw_tangent_array(rule, x, (a, b), (da, db))


def _couple(rule, ops, values, shape, x, a, b, alternate, event, ev):
    """Bring the parameters' perturbations into the draw (docs/theory.md §2, coupled alternate).

    The general case: several id arrays among the parameters (pruned here first), or a
    rule whose counts move (binomial with a random ``n``).
    """
    carried, worlds = merge_operands(ops, shape, ev)
    carried = np.ascontiguousarray(np.broadcast_to(carried, shape)).reshape(-1)
    # an event that leaves every parameter at its value (Δ = 0) takes no part, as in the
    # scalar path (stochad.core.primitives.moving_events): kept, it would compete with the
    # draw's own jump for nothing, and the walk's estimator had twice the scalar variance
    # (np.where makes a new array: ``carried`` may be an operand's ids)
    carried = np.where(_moves(values, worlds, shape), carried, -1)
    live = carried >= 0
    check_array_params(
        rule, worlds, shape, where=live.reshape(shape), world="an alternate world of "
    )
    moved = None
    if rule.coupled is not None:
        # the kernel couples with the counts at their primal values; rule.coupled_array
        # then adds or removes trials where a count moves (binomial with a random n)
        counts = [kind == "count" for kind in rule.kinds]
        moved = np.zeros(x.size, dtype=bool)
        for v, w, count in zip(values, worlds, counts, strict=True):
            if count:
                moved |= flat_params([w], shape)[0] != flat_params([v], shape)[0]
        kernel_worlds = [v if c else w for v, w, c in zip(values, worlds, counts, strict=True)]
    alt_a, alt_b = flat_params(worlds if moved is None else kernel_worlds, shape)
    live_count = int(np.count_nonzero(live))
    # the coupling uniforms, then the pruning ones: one call gives the same numbers
    uniforms = ev.streams.aux.random(live_count + int(np.count_nonzero(live & (event >= 0))))
    weights = ev.events.weights
    couple(rule, x, a, b, alt_a, alt_b, carried, False, weights, uniforms, live_count,
           alternate, event)  # fmt: skip
    if moved is not None:
        k = np.flatnonzero((event == carried) & live & moved)
        if k.size:
            world = flat_params(worlds, shape)
            params = tuple(q[k] for q in (a, b))[: len(rule.params)]
            alt_params = tuple(q[k] for q in world)[: len(rule.params)]
            alternate[k] = rule.coupled_array(alternate[k], params, alt_params, ev.streams.aux)


register_rules(sample=sample)


def sample_categorical(probs: TripleArray, size, evaluation) -> TripleArray:
    """Categorical draws with probabilities along the last axis of the triple array ``probs``.

    The primal stream gives one ``random(shape)`` call (as plain draws). Per row of
    probabilities, the events the entries carry are pruned to one (the row's world); each
    draw then holds its own jumps, pruned to one, merged with that carried event
    (:func:`stochad.kernels.sampling.categorical_jumps`). Without perturbations (smoothed)
    the draw's tangent is the derivative of the mean index, ``Σ_j j·δπ_j``, for both
    strategies (the categorical has no single parameter to symmetrize).
    """
    ev = evaluation
    backend = ev.backend
    require_array_backend(backend)
    values = check_categorical(probs.value)
    batch, k = values.shape[:-1], values.shape[-1]
    shape = draw_shape([batch], size)
    n = math.prod(shape)
    r = ev.streams.primal.random(n)
    rows = categorical_rows(values, shape)
    if not backend.carries_perturbations:
        x = np.empty(n)
        categorical_values(r, rows, x)
        delta = None
        if probs._delta is not None:
            mean_index = np.broadcast_to(probs._delta, values.shape) @ np.arange(k, dtype=float)
            delta = np.broadcast_to(mean_index, shape)
        return TripleArray(x.reshape(shape), delta, None, None, ev)
    tangents = np.zeros(values.shape) if probs._delta is None else probs._delta
    tangents = categorical_rows(np.broadcast_to(tangents, values.shape), shape)
    carried, worlds = _carried_row_events(probs, values, ev)
    if carried is not None:
        check_categorical(worlds, where=carried >= 0, world="in an alternate world of ")
        worlds = categorical_rows(worlds, shape)
        carried = categorical_rows(carried[..., None], shape)[:, 0]
    else:
        worlds, carried = rows, np.full(rows.shape[0], -1, dtype=np.int64)
    x, alternate, event = buffers.empty(n), buffers.empty(n), buffers.empty(n, np.int64)
    table = ev.events
    first = table.reserve(n)
    aux = ev.streams.aux
    uniforms = aux.random(n)
    live = int(np.count_nonzero(carried >= 0)) * (n if carried.shape[0] == 1 else 1)
    coupling = aux.random(live)
    used = categorical_jumps(
        r, rows, tangents, worlds, carried, table.weights, first, uniforms, coupling,
        x, alternate, event,
    )  # fmt: skip
    table.count = first + used
    if used == 0 and not np.any(carried >= 0):
        out = TripleArray(x.reshape(shape), None, None, None, ev)
    else:
        alternate, event = alternate.reshape(shape), event.reshape(shape)
        out = TripleArray(x.reshape(shape), None, alternate, event, ev)
    # one draw from a 1-d triple array of probabilities is a scalar triple, as numpy gives
    # a scalar (the scalar form's result for the same probabilities)
    return out.to_triple() if out.ndim == 0 else out


def _carried_row_events(probs: TripleArray, values, ev):
    """Prune the events of each row of probabilities to one: ``(ids, worlds)``.

    ``ids`` has the batch shape (``-1`` where a row carries none), ``worlds`` the row's
    probabilities in the survivor's world; ``(None, None)`` without any event.
    """
    if probs.event is None:
        return None, None
    k = values.shape[-1]
    # one pass in a kernel when no row holds two moving events (entries computed from
    # the same triple array, as ``[1 - up, up]``): nothing to prune
    rows = [
        np.ascontiguousarray(full(y, values.shape)).reshape(-1, k)
        for y in (values, probs.alternate_, probs.event)
    ]
    chosen = np.empty(rows[0].shape[0], dtype=np.int64)
    worlds = np.empty(rows[0].shape)
    if single_row_events(*rows, chosen, worlds):
        if not np.any(chosen >= 0):
            return None, None
        return chosen.reshape(values.shape[:-1]), worlds.reshape(values.shape)
    # some row holds two moving events: prune each row's to one
    moving = np.broadcast_to(moving_ids(probs), values.shape)
    chosen = ev.backend.merge_rows(ev, np.ascontiguousarray(moving).reshape(-1, k))
    chosen = chosen.reshape(values.shape[:-1])
    alternate = np.broadcast_to(probs.alternate_, values.shape)
    worlds = np.where(moving == chosen[..., None], alternate, values)
    return chosen, worlds
