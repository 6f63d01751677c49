"""Perturbation bags: every event a linear combination of independent elements carries.

A pruned triple array holds one perturbation per element. That is what a nonlinear
operation needs (it evaluates its function once, in one alternate world), but a *linear*
one does not: the mean of ``N`` rows, in the world of the event of row ``i``, moves by
row ``i``'s shift over ``N``, and by nothing else. Pruning the ``N`` rows' events down to
one in a ``mean`` keeps the estimate unbiased but throws away all but one row's
information, so a batch of ``N`` rows is worth about one (docs/arrays.md, "Batch losses").

A bag keeps, for each element of a triple array, the list of ``(event, shift)`` pairs
that moved into it through linear operations (sums, means, weighted sums, ``+``, ``-``,
scaling by a constant). Its derivative contribution is ``Σ w_e · shift_e`` over its
entries, the exact ("dict") rule of docs/theory.md §3; a nonlinear operation *settles*
the bag first, pruning each element's entries to one survivor with the pruning kernel
(:func:`stochad.kernels.pruning.prune_sum_rows`), which is exactly what a pruned reduction
did at once. Pruning is global (a losing event's weight becomes 0 in the shared table, the
survivor's grows), so a bag and its settled form keep agreeing on every event.

Storage is a tuple of blocks ``(events, shifts)`` of shape ``(*block_shape, k)``, where
``block_shape`` broadcasts to the array's shape (a bag added to a wider array is not
copied per element). A bag never holds more than :data:`MAX_BAG_ENTRIES` entries: an
operation whose bag would be larger prunes instead (the pruned rule, unbiased), so memory
stays bounded by that many ``int64`` + ``float64`` pairs per array.
"""

from __future__ import annotations

import numpy as np

from stochad.kernels.pruning import prune_sum_rows

__all__ = ["Bag", "MAX_BAG_ENTRIES", "from_rows", "reduced", "scaled", "combined"]

MAX_BAG_ENTRIES = 1 << 22
"""At most this many ``(event, shift)`` pairs per bag (64 MiB); past it, operations prune."""


class Bag:
    """The ``(event, shift)`` entries of each element of an array of ``shape``.

    Built from ``blocks``, or (a reduction's bag) from the reduced ``rows``: the values,
    alternates and event ids of the elements summed into each output element, times a
    scale. A reduction followed at once by a nonlinear operation settles straight from
    its rows, as the pruned reduction did, without building the blocks.
    """

    __slots__ = ("shape", "_blocks", "_rows")

    def __init__(self, blocks: tuple | None, shape: tuple, rows: tuple | None = None):
        self.shape = shape
        self._blocks = blocks
        self._rows = rows

    @property
    def blocks(self) -> tuple:
        """``((events, shifts), ...)``, each of shape ``(*block_shape, k)``.

        A reduction's blocks are made from its rows on each use, not kept: the event
        table renumbers ids in the arrays it tracks (:meth:`id_arrays`), and a kept copy
        would go stale.
        """
        if self._blocks is not None:
            return self._blocks
        values, alternates, events, scale = self._rows
        k = events.shape[-1]
        shifts = (alternates - values) * scale
        block = (events.reshape(self.shape + (k,)), shifts.reshape(self.shape + (k,)))
        return (_compact(*block, self.shape),)

    def id_arrays(self) -> list:
        """The arrays of event ids this bag keeps."""
        if self._blocks is None:
            return [self._rows[2]]
        return [events for events, _ in self._blocks]

    @property
    def entries(self) -> int:
        """The number of stored entries (broadcast blocks count once)."""
        if self._blocks is None:
            return self._rows[2].size
        return sum(events.size for events, _ in self.blocks)

    @property
    def expanded_entries(self) -> int:
        """The number of entries once every block is broadcast to the full shape."""
        if self._blocks is None:
            return self._rows[2].size
        size = int(np.prod(self.shape))
        return sum(size * events.shape[-1] for events, _ in self.blocks)

    def expanded(self) -> tuple[np.ndarray, np.ndarray]:
        """All entries as ``(events, shifts)`` of shape ``(*shape, K)`` (K summed over blocks)."""
        parts = [
            (
                np.broadcast_to(e, self.shape + e.shape[-1:]),
                np.broadcast_to(s, self.shape + s.shape[-1:]),
            )
            for e, s in self.blocks
        ]
        events = np.concatenate([e for e, _ in parts], axis=-1)
        shifts = np.concatenate([s for _, s in parts], axis=-1)
        return events, shifts

    def contribution(self, weights: np.ndarray) -> np.ndarray:
        """``Σ_k w[e_k] · shift_k`` per element (dead events and ``-1`` count 0)."""
        total = np.zeros(self.shape)
        for events, shifts in self.blocks:
            w = np.where(events >= 0, weights[np.maximum(events, 0)], 0.0)
            total = total + np.sum(w * shifts, axis=-1)
        return total

    def settle(self, evaluation) -> tuple[np.ndarray, np.ndarray]:
        """Prune each element's entries to one: ``(shift, survivor id)`` of ``shape``.

        Draws one auxiliary uniform per element, as a pruned reduction does.
        """
        rows = int(np.prod(self.shape))
        uniforms = evaluation.streams.aux.random(rows)
        weights = evaluation.events.weights
        if self._blocks is None:
            values, alternates, events, scale = self._rows
            chosen, shift = prune_sum_rows(values, alternates, events, weights, uniforms)
            return (shift * scale).reshape(self.shape), chosen.reshape(self.shape)
        events, shifts = self.expanded()
        k = events.shape[-1]
        events = np.ascontiguousarray(events.reshape(rows, k), dtype=np.int64)
        shifts = np.ascontiguousarray(shifts.reshape(rows, k), dtype=np.float64)
        chosen, shift = prune_sum_rows(np.zeros_like(shifts), shifts, events, weights, uniforms)
        return shift.reshape(self.shape), chosen.reshape(self.shape)


def _compact(events: np.ndarray, shifts: np.ndarray, shape: tuple) -> tuple:
    """Drop entries that cannot move anything, where the layout allows (one element)."""
    if shape != ():
        return events, shifts
    keep = (events >= 0) & (shifts != 0.0)
    return events[keep], shifts[keep]


def from_rows(values, alternates, events, scale: float, shape: tuple) -> Bag:
    """The bag of a reduction: output element ``r`` (of ``shape``, row-major) sums row ``r``.

    ``values``, ``alternates`` and ``events`` are 2-d, one row per output element.
    """
    return Bag(None, shape, rows=(values, alternates, events, scale))


def reduced(bag: Bag, axes: tuple, scale: float, shape: tuple) -> Bag:
    """The bag of a sum over ``axes`` (times ``scale``) of an array holding ``bag``.

    Each output element collects the entries of every element it sums.
    """
    blocks = []
    for events, shifts in bag.blocks:
        e, s = (np.broadcast_to(a, bag.shape + a.shape[-1:]) for a in (events, shifts))
        moved = [np.moveaxis(a, axes, range(-len(axes) - 1, -1)) for a in (e, s)]
        e, s = (a.reshape(shape + (-1,)) for a in moved)
        blocks.append(_compact(e, s * scale, shape))
    return Bag(tuple(blocks), shape)


def scaled(bag: Bag, factor, shape: tuple) -> Bag:
    """The bag of ``factor * x``, ``factor`` a number or an array broadcasting to ``shape``."""
    if isinstance(factor, float) and factor == 1.0:
        return Bag(bag.blocks, shape)
    factor = np.asarray(factor, dtype=np.float64)[..., None]
    blocks = tuple(
        (np.broadcast_to(e, np.broadcast_shapes(e.shape, factor.shape)), s * factor)
        for e, s in bag.blocks
    )
    return Bag(blocks, shape)


def combined(bags: list[Bag], shape: tuple) -> Bag:
    """The bag of a sum of arrays holding ``bags`` (each broadcasting to ``shape``)."""
    blocks = []
    for bag in bags:
        for events, shifts in bag.blocks:
            lead = (1,) * (len(shape) + 1 - events.ndim)
            blocks.append(
                (events.reshape(lead + events.shape), shifts.reshape(lead + shifts.shape))
            )
    return Bag(tuple(blocks), shape)
