"""Events: the identities of finite perturbations, and the table that holds their weights."""

from __future__ import annotations

import numpy as np

__all__ = ["Event", "EventTable"]


class EventTable:
    """The weights of every event of one evaluation, indexed by event id.

    Scalar :class:`Event` objects and the event-id arrays of triple arrays share this one
    table, so pruning through either path is seen by both. A weight of 0 means the event
    is dead (or never jumps): dead and weightless perturbations contribute nothing.

    ``weights`` is a float64 array the numba kernels read and write in place; ``view`` is a
    memoryview of it, because indexing a memoryview gives Python floats several times
    faster than indexing the array, which keeps the scalar engine's speed.
    """

    __slots__ = ("weights", "view", "count", "objects")

    def __init__(self, capacity: int = 64):
        self.weights = np.zeros(max(int(capacity), 2))
        self.view = memoryview(self.weights)
        self.count = 0
        self.objects: dict[int, Event] = {}

    # a memoryview cannot be pickled: ship the weights and make the view anew
    def __getstate__(self):
        return self.weights, self.count, self.objects

    def __setstate__(self, state) -> None:
        self.weights, self.count, self.objects = state
        self.view = memoryview(self.weights)

    def reserve(self, n: int) -> int:
        """Reserve ``n`` consecutive ids (weights 0) and return the first.

        The last slot of ``weights`` always stays free: kernels use it as scratch.
        """
        first = self.count
        needed = first + int(n)
        if needed + 1 > len(self.weights):
            grown = np.zeros(max(needed + 1, 2 * len(self.weights)))
            grown[:first] = self.weights[:first]
            self.weights = grown
            self.view = memoryview(grown)
        self.count = needed
        return first

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

    Identities come from a per-evaluation counter, so two events never collide.
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

    def __hash__(self) -> int:
        return self.id

    def __repr__(self) -> str:
        state = "" if self.alive else ", dead"
        return f"Event({self.id}, weight={self.weight:.6g}{state})"

