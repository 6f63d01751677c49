"""The evaluation context: which streams samplers draw from and which backend is active."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import numpy as np

from stochad.core.events import Event, EventTable
from stochad.core.random import RandomStreams, module_generator

__all__ = [
    "Evaluation", "Uniforms", "current_evaluation", "current_evaluation_or_none", "evaluation",
    "using_rng",
]  # fmt: skip

_DOUBLE = 2.0**-53


class Uniforms:
    """``generator.random()`` as a cheaper call: the same numbers, the same state after each.

    ``Generator.random`` parses its optional arguments on every call; for the default bit
    generator (PCG64) a double is ``(next 64 bits >> 11)·2⁻⁵³`` (numpy's ``next_double``),
    which ``bit_generator.random_raw()`` gives at about half the cost, advancing the state
    by the same one step. Any other bit generator keeps ``generator.random``. Scalar draws
    take one or more uniforms each, so this is on the scalar path's every step.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.core.context import Uniforms
    >>> a, b = np.random.default_rng(5), np.random.default_rng(5)
    >>> fast = Uniforms(a)
    >>> [fast.random() for _ in range(3)] == [b.random() for _ in range(3)]
    True
    >>> a.bit_generator.state == b.bit_generator.state
    True
    """

    __slots__ = ("random", "generator")

    def __init__(self, generator: np.random.Generator):
        self.generator = generator
        bits = generator.bit_generator if type(generator) is np.random.Generator else None
        if type(bits) is np.random.PCG64:
            raw = bits.random_raw
            self.random = lambda: (raw() >> 11) * _DOUBLE
        elif bits is not None:
            self.random = generator.random
        else:  # a stand-in (propagate's streams that refuse draws): asked at each draw
            self.random = lambda: generator.random()

    def __reduce__(self):  # the call is made anew for the (copied) generator
        return Uniforms, (self.generator,)


class Evaluation:
    """State shared by one evaluation of a program: random streams, backend, event table.

    ``backend`` is ``None`` for plain (non-differentiated) sampling. ``events`` holds the
    weight of every event, whether a scalar :class:`Event` or an element of a triple
    array's event-id array refers to it (ids are its indices, from one counter).

    ``level`` is the nesting depth while the evaluation is active (1 for the outermost,
    one more for each evaluation entered inside it; 0 before it starts): dispatch sends an
    operation to the carrier of the deepest level among its operands, and that carrier
    treats carriers of enclosing (shallower) evaluations as values, so nested derivatives
    never mix their tangents (as JAX's trace levels do). ``active`` is False once the
    evaluation has finished: its carriers may still be read, but not combined with the
    carriers of a running evaluation.

    ``branching`` is True where Python control flow on a continuous value is intended
    (the body of :func:`stochad.propagate`, which differentiates the branch it takes):
    there a comparison's result may steer an ``if``.

    ``merge_kind`` caches, for the scalar fast path, how the backend merges events
    (``stochad.forward.triple.merge_kind``; None until first asked). ``primal`` and
    ``aux`` are the two streams' :class:`Uniforms` (the scalar path's cheaper uniforms).
    """

    __slots__ = (
        "streams", "backend", "events", "level", "active", "branching", "merge_kind", "primal",
        "aux",
    )  # fmt: skip

    def __init__(self, streams: RandomStreams, backend=None):
        self.streams = streams
        self.backend = backend
        self.events = EventTable()
        self.level = 0
        self.active = False
        self.branching = False
        self.merge_kind = None
        self.primal = Uniforms(streams.primal)
        self.aux = Uniforms(streams.aux)

    def new_event(self, weight: float) -> Event:
        """A new event of weight ``weight`` in this evaluation's table (one per scalar draw)."""
        return self.events.new_event(weight)

    def new_event_ids(self, n: int) -> int:
        """Reserve ``n`` consecutive event ids (weights 0) and return the first."""
        return self.events.reserve(n)


_current: contextvars.ContextVar[Evaluation | None] = contextvars.ContextVar(
    "stochad_evaluation", default=None
)
_default: Evaluation | None = None


def current_evaluation_or_none() -> Evaluation | None:
    """The innermost active evaluation, or None outside every one."""
    return _current.get()


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
    """Make ``ev`` the active evaluation inside the ``with`` block, one level deeper."""
    if ev.active:
        raise RuntimeError("an evaluation cannot be entered twice")
    enclosing = _current.get()
    ev.level = 1 if enclosing is None else enclosing.level + 1
    ev.active = True
    token = _current.set(ev)
    try:
        yield ev
    finally:
        _current.reset(token)
        ev.active = False


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
