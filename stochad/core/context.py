"""The evaluation context: which streams samplers draw from and which backend is active."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from stochad.core.events import Event, EventTable
from stochad.core.random import RandomStreams, module_generator

__all__ = ["Evaluation", "current_evaluation", "evaluation", "using_rng"]


class Evaluation:
    """State shared by one evaluation of a program: random streams, backend, event table.

    ``backend`` is ``None`` for plain (non-differentiated) sampling. ``events`` holds the
    weight of every event, whether a scalar :class:`Event` or an element of a triple
    array's event-id array refers to it (ids are its indices, from one counter).
    """

    __slots__ = ("streams", "backend", "events")

    def __init__(self, streams: RandomStreams, backend=None):
        self.streams = streams
        self.backend = backend
        self.events = EventTable()

    def new_event(self, weight: float) -> Event:
        table = self.events
        id = table.reserve(1)
        event = table.objects[id] = Event(id, weight, table)
        return event

    def new_event_ids(self, n: int) -> int:
        """Reserve ``n`` consecutive event ids (weights 0) and return the first."""
        return self.events.reserve(n)


_current: contextvars.ContextVar[Evaluation | None] = contextvars.ContextVar(
    "stochad_evaluation", default=None
)
_default: Evaluation | None = None


def current_evaluation() -> Evaluation:
    """The innermost active evaluation, else plain sampling on the module generator."""
    ev = _current.get()
    if ev is not None:
        return ev
    global _default
    if _default is None or _default.streams.primal is not module_generator():
        _default = Evaluation(RandomStreams(module_generator()))
    return _default


@contextlib.contextmanager
def evaluation(ev: Evaluation) -> Iterator[Evaluation]:
    """Make ``ev`` the active evaluation inside the ``with`` block."""
    token = _current.set(ev)
    try:
        yield ev
    finally:
        _current.reset(token)


@contextlib.contextmanager
def using_rng(rng) -> Iterator[Evaluation]:
    """Run the samplers inside the ``with`` block on ``rng``.

    Running a program under ``using_rng(seed)`` draws exactly the primal sample path that
    ``derivative_estimate(f, p, rng=seed)`` differentiates. Inside the block samplers
    return plain numbers (no triples).

    Parameters
    ----------
    rng : None, int or numpy.random.Generator
        ``None`` uses the module generator (:func:`seed`), an int >= 0 seeds a new one.

    Yields
    ------
    Evaluation
        the evaluation context in force in the block (internal).

    Raises
    ------
    TypeError
        if ``rng`` is of another type.
    ValueError
        for a negative seed.

    Examples
    --------
    >>> import stochad
    >>> with stochad.using_rng(3):
    ...     x = stochad.bernoulli(0.4)
    >>> with stochad.using_rng(3):
    ...     y = stochad.bernoulli(0.4)
    >>> x == y
    True
    """
    with evaluation(Evaluation(RandomStreams.from_rng(rng))) as ev:
        yield ev
