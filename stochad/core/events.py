"""Events: the identities of finite perturbations, and the table that holds their weights."""

from __future__ import annotations

import weakref

import numpy as np

__all__ = ["Event", "EventTable"]

_new_object = object.__new__


class EventTable:
    """The weights of every event of one evaluation, indexed by event id.

    Scalar :class:`Event` objects and the event-id arrays of triple arrays share this one
    table, so pruning through either path is seen by both. A weight of 0 means the event
    is dead (or never jumps): dead and weightless perturbations contribute nothing.

    ``weights`` is a float64 array the numba kernels read and write in place; ``view`` is a
    memoryview of it, because indexing a memoryview gives Python floats several times
    faster than indexing the array, which keeps the scalar engine's speed.
    """

    __slots__ = ("weights", "view", "count", "objects", "_holders", "_holders_checked")

    COMPACT_FROM = 1 << 20
    """A table this large is compacted before it grows (:meth:`compact`)."""

    def __init__(self, capacity: int = 64):
        self.weights = np.zeros(max(int(capacity), 2))
        self.view = memoryview(self.weights)
        self.count = 0
        self.objects: dict[int, Event] = {}
        self._holders: list[weakref.ref] = []
        self._holders_checked = 64

    # a memoryview cannot be pickled: ship the weights and make the view anew
    def __getstate__(self):
        return self.weights, self.count, self.objects

    def __setstate__(self, state) -> None:
        self.weights, self.count, self.objects = state
        self.view = memoryview(self.weights)
        self._holders = []
        self._holders_checked = 64

    def track(self, ids: np.ndarray) -> None:
        """Register an array of event ids that lives beyond the operation making it.

        Triple arrays register theirs: :meth:`compact` renumbers the ids in place in
        every registered array still alive (through the array owning the memory, so all
        views agree), and only ids some live array or scalar :class:`Event` refers to
        are kept.
        """
        root = ids
        while isinstance(root.base, np.ndarray):
            root = root.base
        self._holders.append(weakref.ref(root))
        if len(self._holders) > 2 * self._holders_checked:  # forget the dead, amortized
            self._holders = [h for h in self._holders if h() is not None]
            self._holders_checked = max(64, len(self._holders))

    def reserve(self, n: int) -> int:
        """Reserve ``n`` consecutive ids (weights 0) and return the first.

        The last slot of ``weights`` always stays free: kernels use it as scratch. A
        table of :attr:`COMPACT_FROM` slots or more that would have to grow is first
        compacted, so its size follows the live perturbations, not every draw ever made.
        """
        if self.count + int(n) + 1 > len(self.weights) and len(self.weights) >= self.COMPACT_FROM:
            self.compact()
        first = self.count
        needed = first + int(n)
        if needed + 1 > len(self.weights):
            grown = np.zeros(max(needed + 1, 2 * len(self.weights)))
            grown[:first] = self.weights[:first]
            self.weights = grown
            self.view = memoryview(grown)
        self.count = needed
        return first

    def compact(self) -> bool:
        """Give back the ids nothing refers to any more; returns whether it did.

        Kept: every id a scalar :class:`Event` object holds, at its number (events are
        dict keys), and every id a registered array still alive refers to (dead ones
        too), renumbered in place in those arrays. The renumbering keeps the order of
        ids, which is all that pruning looks at (equal or increasing ids), so results
        are the same bit for bit as without compacting, whenever it runs. Runs between
        operations only (from :meth:`reserve`, when a draw asks for ids).
        """
        count = self.count
        roots = {}
        for holder in self._holders:
            root = holder()
            if root is not None:
                roots[id(root)] = root
        roots = list(roots.values())
        if not all(root.flags.writeable and root.dtype == np.int64 for root in roots):
            return False
        pinned = np.fromiter(self.objects, dtype=np.int64, count=len(self.objects))
        ids = np.concatenate([np.ravel(r) for r in roots] + [pinned])
        kept = np.unique(ids[(ids >= 0) & (ids < count)])  # ids >= count: a pool's garbage
        # monotone renumbering that leaves every pinned id at its number: after the
        # pinned id K[j], the i-th kept id gets K[j] + (i - j)
        position = np.arange(kept.size)
        anchor = np.where(np.isin(kept, pinned), kept - position, 0)
        renumbered = position + np.maximum.accumulate(anchor) if kept.size else position
        if 2 * (renumbered[-1] + 2 if kept.size else 1) > count:
            return False  # too little to gain
        lookup = np.zeros(count, dtype=np.int64)
        lookup[kept] = renumbered
        weights = self.weights[kept]
        for root in roots:
            inside = (root >= 0) & (root < count)
            root[inside] = lookup[root[inside]]
        self.weights[:count] = 0.0
        self.weights[renumbered] = weights
        self.count = int(renumbered[-1]) + 1 if kept.size else 0
        self._holders = [weakref.ref(root) for root in roots]
        self._holders_checked = max(64, len(roots))
        return True

    def new_event(self, weight: float) -> Event:
        """A new scalar :class:`Event` of weight ``weight``: :meth:`reserve` one id, pin it.

        The common case (a free slot beside the scratch one) is spelled out, because every
        scalar draw makes an event; it gives the id :meth:`reserve` would give.
        """
        id = self.count
        if id + 2 > len(self.view):
            id = self.reserve(1)
        else:
            self.count = id + 1
        event = _new_object(Event)
        event.id = event._slot = id
        event.table = self
        self.view[id] = weight
        self.objects[id] = event
        return event

    def event(self, id: int) -> Event:
        """The one :class:`Event` object for ``id`` (created on first use)."""
        event = self.objects.get(id)
        if event is None:
            event = self.objects[id] = Event(id, None, self)
        return event


class Event:
    """One random event that can make a value jump: a draw's boundary crossing.

    Every perturbation carries the event it comes from. Alternates of the same event
    combine coherently (they happen together); different events never happen together
    (first order in epsilon). ``weight`` is the event's rate per unit epsilon; the pruned
    backend rescales it and kills other events (``alive = False``), so every triple that
    carries the event sees the change at once. The weight lives in the evaluation's
    :class:`EventTable` (a standalone event gets a private one), where 0 means dead.

    Identities come from a per-evaluation counter, so two events never collide. An
    event is its one object (:meth:`EventTable.event`): it hashes and compares by
    identity, the C-level default, because triples keep their alternates in dicts keyed
    by events and a Python ``__hash__`` would cost a call per lookup.
    """

    __slots__ = ("id", "table", "_slot")

    def __init__(self, id: int, weight: float | None, table: EventTable | None = None):
        self.id = id
        if table is None:
            table = EventTable(1)
            self._slot = table.reserve(1)
        else:
            self._slot = id
        self.table = table
        if weight is not None:
            table.view[self._slot] = weight

    @property
    def weight(self) -> float:
        return self.table.view[self._slot]

    @weight.setter
    def weight(self, value: float) -> None:
        self.table.view[self._slot] = value

    @property
    def alive(self) -> bool:
        return self.table.view[self._slot] != 0.0

    @alive.setter
    def alive(self, value: bool) -> None:
        if not value:
            self.table.view[self._slot] = 0.0
        elif not self.alive:
            raise ValueError("a dead event cannot be revived")

    def __repr__(self) -> str:
        state = "" if self.alive else ", dead"
        return f"Event({self.id}, weight={self.weight:.6g}{state})"

