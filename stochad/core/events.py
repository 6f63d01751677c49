"""Events: the identities of finite perturbations."""

from __future__ import annotations

__all__ = ["Event"]


class Event:
    """One random event that can make a value jump: a draw's boundary crossing.

    Every perturbation carries the event it comes from. Alternates of the same event
    combine coherently (they happen together); different events never happen together
    (first order in epsilon). ``weight`` is the event's rate per unit epsilon; the pruned
    backend rescales it and kills other events (``alive = False``), so every triple that
    carries the event sees the change at once.

    Identities come from a per-evaluation counter, so two events never collide.
    """

    __slots__ = ("id", "weight", "alive")

    def __init__(self, id: int, weight: float):
        self.id = id
        self.weight = weight
        self.alive = True

    def __hash__(self) -> int:
        return self.id

    def __repr__(self) -> str:
        state = "" if self.alive else ", dead"
        return f"Event({self.id}, weight={self.weight:.6g}{state})"
