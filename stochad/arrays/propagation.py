"""How a registered primitive acts on triple arrays: values, tangents, perturbations.

Values and tangents come from the primitive's record, for any primitive: ``value`` on the
values, then ``jvp`` (structural primitives) or ``Σ partial_i · δ_i`` (elementwise ones;
``smoothed_partials`` under the smoothed backend). Finite perturbations (pruned backend)
follow "apply ``value`` to the alternates", with pruning where events meet:

* elementwise primitives prune per output element among its operands' events;
* structural primitives look up their perturbation rule in :data:`PERTURBATION_RULES`
  by name (reductions prune per output element across the reduced elements; shape ops
  move alternates and event ids with the values); a structural primitive without an
  entry falls back to pruning all its operands' events down to one, which is unbiased.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from stochad.arrays import bags
from stochad.arrays.bags import Bag
from stochad.arrays.triple_array import (
    TripleArray,
    as_triple_array,
    register_rules,
    require_array_backend,
)
from stochad.core.primitives import Primitive, call, check_foreign, is_carrier
from stochad.kernels.pruning import prune_sum_rows
from stochad.rules import elementwise as ew
from stochad.rules import structural as st

__all__ = ["apply", "merge_operands", "PERTURBATION_RULES", "BAG_RULES"]


def own_operands(args, ev) -> list:
    """``args`` with this evaluation's carriers as triple arrays, the rest as they are.

    A carrier of an enclosing evaluation (a nested derivative) cannot be an element of a
    float64 triple array: refuse it with a clear error rather than drop its derivative.
    """
    ops = []
    for a in args:
        if is_carrier(a) and a.evaluation is not ev:
            check_foreign(a, ev)
            raise NotImplementedError(
                "nested derivatives: an inner derivative with array draws or array "
                f"operations met a {type(a).__name__} of an enclosing derivative; nest "
                "scalar programs only, or differentiate the outer level with "
                "derivative_estimate(..., direction=...) on the inner result's value"
            )
        ops.append(as_triple_array(a, ev) if is_carrier(a) else a)
    return ops


def apply(primitive: Primitive, args, kwargs, ev) -> TripleArray:
    """``primitive(*args, **kwargs)`` where some ``args`` are triples or triple arrays."""
    backend = ev.backend
    require_array_backend(backend)
    ops = own_operands(args, ev)
    values = [o.value if isinstance(o, TripleArray) else o for o in ops]
    try:
        out = np.asarray(primitive.value(*values, **kwargs), dtype=np.float64)
    except ValueError as err:
        shapes = ", ".join(str(np.shape(v)) for v in values)
        raise ValueError(f"{primitive.name}: operands of shapes {shapes}: {err}") from None
    delta = _tangent(primitive, ops, values, kwargs, out, not backend.carries_perturbations)
    if not backend.carries_perturbations or not any(_carries(o) for o in ops):
        return TripleArray(out, delta, None, None, ev)
    bag_rule = BAG_RULES.get(primitive.name)
    bag = None if bag_rule is None else bag_rule(ops, values, kwargs, out)
    if bag is not None:
        return TripleArray(out, delta, None, None, ev, bag=bag)
    if primitive.jvp is None:
        alternate, event = _elementwise(primitive, ops, values, kwargs, out.shape, ev)
    else:
        rule = PERTURBATION_RULES.get(primitive.name, _prune_all)
        alternate, event = rule(primitive, ops, values, kwargs, out, ev)
    return TripleArray(out, delta, alternate, event, ev)


def _perturbed(o) -> bool:
    """Whether ``o`` carries events, as one per element (a bag is settled on the way)."""
    return isinstance(o, TripleArray) and o.event is not None


def _carries(o) -> bool:
    return isinstance(o, TripleArray) and o.carries_events


def _tangent(primitive, ops, values, kwargs, out, smoothed: bool):
    """The output's δ (``None`` for zero), broadcast to the output's shape."""
    tangents = [o._delta if isinstance(o, TripleArray) else None for o in ops]
    if all(t is None for t in tangents):
        return None
    delta = primitive.tangent(values, kwargs, tangents, out, smoothed)
    if delta is None:
        return None
    delta = np.asarray(delta, dtype=np.float64)
    return full(delta, out.shape)


# -- pruning among operands -------------------------------------------------------------
def merge_operands(ops, shape, ev):
    """Prune the operands' events per element of ``shape``.

    Returns the surviving ids (an array of ``shape``, ``-1`` for none) and each operand's
    value in the survivor's world (its alternate where it carries the survivor).
    """
    carriers = [o for o in ops if _perturbed(o)]
    first = carriers[0].event
    if all(o.event is first for o in carriers):
        # one id array shared by every operand (x * x): nothing to prune
        return full(first, shape), [_alternate_or_value(o) for o in ops]
    if len(carriers) == 2:
        return _merge_two(ops, carriers, shape, ev)
    ids = [full(moving_ids(o), shape).reshape(-1) for o in carriers]
    chosen = ev.backend.merge_rows(ev, np.stack(ids, axis=-1)).reshape(shape)
    worlds = [
        np.where(o.event == chosen, o.alternate_, o.value) if _perturbed(o) else _plain(o)
        for o in ops
    ]
    return chosen, worlds


def _merge_two(ops, carriers, shape, ev):
    """:func:`merge_operands` of two carriers, in one backend call."""
    a, b = (
        tuple(full(y, shape).reshape(-1) for y in (o.value, o.alternate_, o.event))
        for o in carriers
    )
    chosen, world_a, world_b = ev.backend.merge_operand_pair(ev, a, b)
    worlds = iter((world_a.reshape(shape), world_b.reshape(shape)))
    return chosen.reshape(shape), [next(worlds) if _perturbed(o) else _plain(o) for o in ops]


def full(a: np.ndarray, shape: tuple) -> np.ndarray:
    """``a`` broadcast to ``shape`` (itself when it has that shape: broadcasting costs µs)."""
    return a if a.shape == shape else np.broadcast_to(a, shape)


def moving_ids(o: TripleArray) -> np.ndarray:
    """The event ids of ``o`` where its alternate moves its value, ``-1`` elsewhere.

    A perturbation with Δ = 0 leaves the result unchanged in its world, so it takes no
    part in a merge (see :func:`stochad.core.primitives.moving_events`).
    """
    return np.where(o.alternate_ != o.value, o.event, -1)


def _plain(o):
    return o.value if isinstance(o, TripleArray) else o


def _alternate_or_value(o):
    return o.alternate_ if _perturbed(o) else _plain(o)


def _elementwise(primitive, ops, values, kwargs, shape, ev):
    chosen, worlds = merge_operands(ops, shape, ev)
    alternate = np.asarray(primitive.value(*worlds, **kwargs), dtype=np.float64)
    return full(alternate, shape), chosen


# -- structural primitives --------------------------------------------------------------
def _reduction_rows(x, kwargs, out_shape):
    """A reduction over ``kwargs["axis"]`` of ``x``: ``(axes, count, rows_of)``.

    ``rows_of(a)`` lays an array of ``x``'s shape out as one row per output element,
    holding the ``count`` elements that output sums.
    """
    axis = kwargs.get("axis")
    axes = tuple(range(x.ndim)) if axis is None else tuple(np.atleast_1d(axis) % x.ndim)
    count = int(np.prod([x.shape[a] for a in axes]))
    rows = int(np.prod(out_shape))

    def rows_of(a):
        moved = np.moveaxis(full(a, x.shape), axes, range(-len(axes), 0))
        return moved.reshape(rows, count)

    return axes, count, rows_of


def _reduction(scale: Callable[[int], float]):
    """Pruned reduction over ``axis``: every output element prunes its own inputs."""

    def rule(primitive, ops, values, kwargs, out, ev):
        (x,) = ops
        axes, count, rows_of = _reduction_rows(x, kwargs, out.shape)
        rows = int(np.prod(out.shape))
        events = rows_of(x.event)  # the kernel leaves out elements with Δ = 0
        uniforms = ev.streams.aux.random(rows)
        chosen, shift = prune_sum_rows(
            rows_of(x.value), rows_of(x.alternate_), events, ev.events.weights, uniforms
        )
        alternate = out + (shift * scale(count)).reshape(out.shape)
        return alternate, chosen.reshape(out.shape)

    return rule


def _moves_elements(primitive, ops, values, kwargs, out, ev):
    """Shape ops move each element's alternate and event id along with its value."""
    alternates = [_alternate_or_value(o) for o in ops]
    events = [
        o.event if _perturbed(o) else np.full(np.shape(_plain(o)), -1, dtype=np.int64) for o in ops
    ]
    alternate = np.asarray(primitive.value(*alternates, **kwargs), dtype=np.float64)
    return alternate, np.asarray(primitive.value(*events, **kwargs), dtype=np.int64)


def _matmul(primitive, ops, values, kwargs, out, ev):
    """``a @ b`` with one side a plain array: each output prunes the row (column) it sums."""
    a, b = ops
    if _perturbed(a) and _perturbed(b) or max(np.ndim(values[0]), np.ndim(values[1])) > 2:
        return _via_broadcasting(ops, out, ev)
    if not _perturbed(a):
        # a @ B = (Bᵀ @ aᵀ)ᵀ: output column j prunes column j of B
        alternate, event = _rows_times(b.T if b.ndim == 2 else b, np.transpose(values[0]), ev)
        return np.transpose(alternate), np.transpose(event)
    return _rows_times(a, values[1], ev)


def _rows_times(x: TripleArray, w, ev):
    """``x @ w`` for a perturbed 1-d/2-d ``x``: each row of ``x`` keeps one event."""
    x2 = x if x.ndim == 2 else x.reshape(1, -1)
    chosen = ev.backend.merge_rows(ev, np.ascontiguousarray(moving_ids(x2)))
    moved = np.where(x2.event == chosen[:, None], x2.alternate_ - x2.value, 0.0)
    value = np.matmul(x2.value, w)
    alternate = value + np.matmul(moved, w)
    event = np.broadcast_to(chosen.reshape((-1,) + (1,) * (value.ndim - 1)), value.shape)
    if x.ndim == 1:
        alternate, event = alternate[0], event[0]
    return alternate, event


def _via_broadcasting(ops, out, ev):
    """Batched or triple-by-triple products: elementwise products, then a pruned sum."""
    a, b = ops
    if np.ndim(a) < 2:
        a = call(st.RESHAPE, a, shape=(1, -1))
    if np.ndim(b) < 2:
        b = call(st.RESHAPE, b, shape=(-1, 1))
    a = call(st.RESHAPE, a, shape=np.shape(a) + (1,))  # (..., M, K, 1)
    b = call(st.RESHAPE, b, shape=np.shape(b)[:-2] + (1,) + np.shape(b)[-2:])  # (..., 1, K, P)
    product = call(st.SUM, call(ew.MULTIPLY, a, b), axis=-2)
    result = call(st.RESHAPE, product, shape=out.shape)
    return result.alternate_, result.event


def _prune_all(primitive, ops, values, kwargs, out, ev):
    """Fallback for structural primitives without a rule: one event survives overall."""
    carriers = [o for o in ops if _perturbed(o)]
    ids = np.concatenate([moving_ids(o).reshape(-1) for o in carriers]).reshape(1, -1)
    survivor = ev.backend.merge_rows(ev, ids)[0]
    worlds = [
        np.where(o.event == survivor, o.alternate_, o.value) if _perturbed(o) else _plain(o)
        for o in ops
    ]
    alternate = np.asarray(primitive.value(*worlds, **kwargs), dtype=np.float64)
    return alternate, np.full(out.shape, survivor, dtype=np.int64)


PERTURBATION_RULES: dict[str, Callable] = {
    "sum": _reduction(lambda count: 1.0),
    "mean": _reduction(lambda count: 1.0 / count),
    "matmul": _matmul,
    "getitem": _moves_elements,
    "reshape": _moves_elements,
    "transpose": _moves_elements,
    "concatenate": _moves_elements,
    "stack": _moves_elements,
}
"""Finite-perturbation rules of structural primitives on triple arrays, by name."""


register_rules(apply=apply)


# -- linear operations keep every row's perturbation (stochad.arrays.bags) ------------------


def _bag_reduction(scale: Callable[[int], float]):
    """A sum (mean) over ``axis`` collects the entries of every element it sums."""

    def rule(ops, values, kwargs, out):
        (x,) = ops
        axes, count, rows_of = _reduction_rows(x, kwargs, out.shape)
        if x.bag is not None:
            if x.bag.expanded_entries > bags.MAX_BAG_ENTRIES:
                return None
            return bags.reduced(x.bag, axes, scale(count), out.shape)
        if x.size > bags.MAX_BAG_ENTRIES:
            return None
        return bags.from_rows(
            rows_of(x.value), rows_of(x._alternate), rows_of(x._event), scale(count), out.shape
        )

    return rule


def _as_bag(o: TripleArray) -> Bag:
    """``o``'s perturbations as a bag (one entry per element unless it holds one)."""
    if o.bag is not None:
        return o.bag
    events = np.broadcast_to(o._event, o.shape)[..., None]
    return Bag(((events, (o._alternate - o.value)[..., None]),), o.shape)


def _bag_linear(factors: Callable):
    """An elementwise operation linear in each carrier: ``Σ_i factor_i · x_i`` (+ constant).

    ``factors(carries, values)`` gives each operand's factor, or ``None`` where the
    operation is not linear in a carrier (``x * y`` with both perturbed). Applies only
    when an operand already holds a bag: plain pruned arrays keep their cheaper
    one-event form.
    """

    def rule(ops, values, kwargs, out):
        if not any(isinstance(o, TripleArray) and o.bag is not None for o in ops):
            return None
        carries = [_carries(o) for o in ops]
        parts = []
        for o, factor, carrier in zip(ops, factors(carries, values), carries, strict=True):
            if not carrier:
                continue
            if factor is None:
                return None
            parts.append(bags.scaled(_as_bag(o), factor, out.shape))
        if sum(part.entries for part in parts) > bags.MAX_BAG_ENTRIES:
            return None
        return bags.combined(parts, out.shape)

    return rule


def _product_factors(carries, values):
    a, b = carries
    return (None if b else values[1]), (None if a else values[0])


def _quotient_factors(carries, values):
    return (None if carries[1] else 1.0 / np.asarray(values[1], dtype=np.float64)), None


def _bag_matmul(ops, values, kwargs, out):
    """``a @ b`` with one plain side: a weighted sum, kept as a bag when that is small.

    Each output element gets one entry per term of its sum; the bag is used when that
    costs at most a few times the perturbed operand (a weighted sum over rows, a
    matrix-vector product), else the pruned rule runs (one survivor per row).
    """
    a, b = ops
    if _carries(a) == _carries(b) or max(np.ndim(values[0]), np.ndim(values[1])) > 2:
        return None
    x = a if _carries(a) else b
    terms = np.shape(values[0])[-1]
    if x.bag is not None or out.size * terms > min(4 * x.size, bags.MAX_BAG_ENTRIES):
        return None  # a bag entering a product is settled first (the pruned rule)
    shift = full(x._alternate - x.value, x.shape)
    events = full(x._event, x.shape)
    plain = values[1] if x is a else values[0]
    if x is a:
        # out[..., j] = Σ_k a[..., k] b[k, j]: entries (a's event, shift_k · b[k, j])
        b2 = np.reshape(plain, (terms, -1))
        e = np.broadcast_to(events[..., None, :], x.shape[:-1] + (b2.shape[1], terms))
        s = shift[..., None, :] * b2.T
    else:
        # out[..., i, j] = Σ_k a[i, k] b[k, j]: entries (b's event, a[i, k] · shift[k, j])
        a2 = np.reshape(plain, (-1, terms))
        b3 = shift.reshape(terms, -1)
        e = np.broadcast_to(events.reshape(terms, -1).T[None], (a2.shape[0], b3.shape[1], terms))
        s = a2[:, None, :] * b3.T[None]
    return Bag(((e.reshape(out.shape + (terms,)), s.reshape(out.shape + (terms,))),), out.shape)


BAG_RULES: dict[str, Callable] = {
    "sum": _bag_reduction(lambda count: 1.0),
    "mean": _bag_reduction(lambda count: 1.0 / count),
    "matmul": _bag_matmul,
    "add": _bag_linear(lambda carries, values: (1.0, 1.0)),
    "subtract": _bag_linear(lambda carries, values: (1.0, -1.0)),
    "negative": _bag_linear(lambda carries, values: (-1.0,)),
    "multiply": _bag_linear(_product_factors),
    "divide": _bag_linear(_quotient_factors),
}
"""Linear primitives that keep every element's perturbations as a bag, by name.

A rule returns the output's :class:`~stochad.arrays.bags.Bag`, or ``None`` where it does
not apply (a nonlinear use, a bag past :data:`~stochad.arrays.bags.MAX_BAG_ENTRIES`):
then the pruned rule of :data:`PERTURBATION_RULES` runs on the settled operands.
"""
