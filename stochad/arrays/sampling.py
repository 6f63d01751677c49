"""Array draws with triple parameters: values, own jumps, coupled alternates, smoothing.

The primal stream is consumed exactly as by plain array draws
(:func:`stochad.kernels.sampling.sample_plain_array`): one ``primal.random(shape)`` per draw, so the
primal sample path does not depend on the backend. Coupling and pruning uniforms come
from the auxiliary stream.
"""

from __future__ import annotations

import numpy as np

from stochad.arrays import buffers
from stochad.arrays.propagation import merge_operands, own_operands
from stochad.arrays.triple_array import TripleArray, register_rules, require_array_backend
from stochad.distributions.vectorized import check_array_params, draw_shape, flat_params
from stochad.kernels.rules import require_array_kernel
from stochad.kernels.sampling import couple, draw_values, draw_with_jumps

__all__ = ["sample"]

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
    n = int(np.prod(shape))
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
    used = _draw_in_chunks(rule, ev, a, b, d, x, alternate, event)
    if any(isinstance(o, TripleArray) and o.event is not None for o in ops):
        _couple(rule, ops, values, shape, x, a, b, alternate, event, ev)
    elif used == 0:
        alternate = event = None
    reshape = lambda y: None if y is None else y.reshape(shape)  # noqa: E731
    return TripleArray(x.reshape(shape), None, reshape(alternate), reshape(event), ev)


def _draw_in_chunks(rule, ev, a, b, d, x, alternate, event) -> int:
    """Fill the draw's arrays chunk by chunk; returns how many event ids it used.

    The primal uniforms go through a small reused buffer, so they stay in cache instead
    of taking a round trip through memory; ``random(n)`` in chunks is the same sequence
    as one ``random(n)`` call.
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
        parts = [y[start:stop] for y in (a, b, d, x, alternate, event)]
        used += draw_with_jumps(rule, r, *parts[:3], weights, first + used, *parts[3:])
    table.count = first + used  # give back the ids of elements without a jump
    return used


def _smoothed(rule, backend, x, a, b, tangents, shape):
    """The draws' tangents from a backend without perturbations (its own smoothing)."""
    if all(t is None for t in tangents):
        return None
    da, db = flat_params(tangents, shape, fill=0.0)
    return backend.draw_tangent_array(rule, x, (a, b), (da, db))


def _couple(rule, ops, values, shape, x, a, b, alternate, event, ev):
    """Bring the parameters' perturbations into the draw (docs/theory.md §2, coupled alternate)."""
    carried, worlds = merge_operands(ops, shape, ev)
    carried = np.ascontiguousarray(np.broadcast_to(carried, shape)).reshape(-1)
    live = carried >= 0
    check_array_params(
        rule, worlds, shape, where=live.reshape(shape), world="an alternate world of "
    )
    alt_a, alt_b = flat_params(worlds, shape)
    aux = ev.streams.aux
    coupling = aux.random(int(np.count_nonzero(live)))
    choices = aux.random(int(np.count_nonzero(live & (event >= 0))))
    weights = ev.events.weights
    couple(rule, x, a, b, alt_a, alt_b, carried, weights, coupling, choices, alternate, event)
    if rule.coupled is not None:
        # a rule with its own coupling (binomial with a random count): per element
        for k in np.flatnonzero((event == carried) & live):
            params = tuple(p[k] for p in (a, b))[: len(rule.params)]
            alt_params = tuple(p[k] for p in (alt_a, alt_b))[: len(rule.params)]
            if alt_params != params:
                alt_params = rule.check(*alt_params)
                alternate[k] = rule.alternate(x[k], rule.check(*params), alt_params, ev.streams.aux)


register_rules(sample=sample)
