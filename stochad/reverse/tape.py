"""The tape: the primitives one evaluation applied, in order, and the backward pass over it.

Every traced value is one slot on the tape. A slot made by an operation stores a
*backward function* ``g -> cotangents`` (one per parent slot, ``None`` where a parent gets
nothing) and its parents' slot numbers; argument slots store nothing. The backward pass walks
the slots from last to first, so each slot's cotangent is complete before it is used
(operations only ever refer to earlier slots).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["Tape"]

Backward = Callable[[Any], Sequence[Any]]


class Tape:
    """An append-only record of traced operations."""

    __slots__ = ("backwards", "parents", "evaluation")

    def __init__(self, evaluation=None) -> None:
        self.evaluation = evaluation
        """The evaluation (streams, backend) whose draws this tape records."""
        self.backwards: list[Backward | None] = []
        self.parents: list[tuple[int, ...]] = []

    def new_input(self) -> int:
        """A slot for an argument being differentiated (a leaf)."""
        return self.record(None, ())

    def record(self, backward: Backward | None, parents: tuple[int, ...]) -> int:
        """Append an operation; returns its slot number."""
        self.backwards.append(backward)
        self.parents.append(parents)
        return len(self.backwards) - 1

    def backward(self, output: int, seed, inputs: Sequence[int]) -> list:
        """Cotangents of the ``inputs`` slots given cotangent ``seed`` on slot ``output``.

        An input the output does not depend on gets ``None``.
        """
        cotangents: list = [None] * (output + 1)
        cotangents[output] = seed
        for slot in range(output, -1, -1):
            g = cotangents[slot]
            backward = self.backwards[slot]
            if g is None or backward is None:
                continue
            cotangents[slot] = None  # an operation's cotangent is used once: free it early
            for parent, gp in zip(self.parents[slot], backward(g), strict=True):
                if gp is None:
                    continue
                previous = cotangents[parent]
                # out of place: a cotangent may be a broadcast view or shared with a node
                cotangents[parent] = gp if previous is None else previous + gp
        return [cotangents[i] if i <= output else None for i in inputs]
