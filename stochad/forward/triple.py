"""The scalar stochastic triple and how a primitive acts on it."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from itertools import repeat
from typing import NamedTuple

import numpy as np

from stochad.backends.exact import ExactBackend
from stochad.backends.pruned import PrunedBackend
from stochad.core.primitives import Primitive, call, differs, is_zero, moving_events, owned
from stochad.errors import COMPARISON_LOST, PerturbationLostError, PerturbationLostWarning
from stochad.rules.operators import PrimitiveOperators, elementwise_operators

__all__ = [
    "Triple", "Perturbation", "register_array_carrier", "use_fast_path", "moving_of", "merged"
]  # fmt: skip


class Perturbation(NamedTuple):
    """One finite perturbation: the value jumps to ``alternate`` at rate ``weight``.

    Under ``p + ε`` (``ε > 0`` small) the value becomes ``alternate`` with probability
    ``weight·ε``; a negative weight means the jump happens for ``ε < 0`` and counts with the
    opposite sign. Perturbations of the same ``event`` belong to one random jump.

    Attributes
    ----------
    alternate : float or int
        the alternate value ``Y``.
    weight : float
        the rate ``w`` (current weight of the event, after any pruning).
    event : int
        the id of the random event (within one evaluation).

    Examples
    --------
    >>> import stochad
    >>> (jump,) = stochad.perturbations(stochad.stochastic_triple(stochad.bernoulli, 0.3, rng=1))
    >>> jump.alternate, round(jump.weight, 6)   # a 0 becomes a 1 at rate 1/(1 - p)
    (1, 1.428571)
    """

    alternate: float
    weight: float
    event: int


def _meets_array(primitive: Primitive, args) -> bool:
    """True for a structural op, or an operand that is a numeric ndarray with elements."""
    if primitive.jvp is not None:
        return True
    for a in args:
        if type(a) is np.ndarray and a.ndim and a.dtype != object:
            return True
    return False


_array_carrier: list = []

_SAFE_INT = 2**31


def _widen(v):
    """A large integer value as a float, so numpy's int64 arithmetic cannot wrap.

    Discrete draws are Python ints; numpy turns them into int64, where a product of two
    draws of 1e10 would overflow silently. Below 2³¹ a sum or product of two stays below
    2⁶², and anything larger computes in float64 (exact below 2⁵³, rounded above).
    """
    kind = type(v)
    if (kind is int or kind is np.int64) and not -_SAFE_INT < v < _SAFE_INT:
        return float(v)
    return v


def _comparison_loses(primitive: Primitive, args, own, tangents, smoothed: bool) -> bool:
    """Whether this operation's result silently drops a continuous derivative.

    Under a backend with perturbations, δ is the continuous part of the derivative: a
    comparison (piecewise constant, no surrogate) of an operand with a nonzero δ drops it;
    arithmetic on such a result carries the loss on, with a warning. The condition of
    ``where`` (no partial) takes it without a warning: selecting is what it is for.
    """
    lost = False
    # under smoothing, δ also holds the draws' smoothed jumps, and a comparison's 0/1
    # result is documented to convert freely there (it has no smoothed slope)
    if not smoothed and primitive.piecewise_constant and primitive.smoothed_partials is None:
        lost = any(mine and not is_zero(t) for mine, t in zip(own, tangents, strict=True))
    for i, (a, mine) in enumerate(zip(args, own, strict=True)):
        if mine and a.lost and primitive.partial(i, smoothed) is not None:
            warnings.warn(
                f"arithmetic on the result of {COMPARISON_LOST}", PerturbationLostWarning,
                stacklevel=4,
            )  # fmt: skip
            lost = True
    return lost


# -- the scalar fast path ---------------------------------------------------------------
# One operation on scalar triples in plain Python (docs/performance.md): taken when every
# operand is a Python float or int (ints below 2³¹) or a triple of the running evaluation
# whose value is one and whose δ is a float, and the primitive has a ``scalar`` rule. It
# computes what the general path below computes, in the same order and with the same
# rules (the value by ``primitive.scalar``, δ by the same partials, alternates of the same
# merged events), so results are bit for bit the same; where a number comes out inf or nan
# (numpy's warnings, the nan rule of ``chain``) or Python raises (1/0), it steps aside
# before any side effect and the general path computes numpy's result.

_INF = math.inf
_NEG_SAFE_INT = -_SAFE_INT
_NO_ALTERNATES: dict = {}
_PLAIN_KINDS = frozenset((int, float))
_new_object = object.__new__

# how an evaluation's backend merges events (``merge_kind``)
SMOOTHED, PRUNED, EXACT, ASKED = 0, 1, 2, 3


def merge_kind(evaluation) -> int:
    """How the fast path merges the events of ``evaluation``, worked out once per evaluation.

    ``SMOOTHED`` (0): the backend carries no perturbations. ``PRUNED`` (1): the built-in
    pruned rule, which the fast path applies itself to one or two events
    (:func:`prune_pair`). ``EXACT`` (2): the built-in exact rule, which keeps every event
    and kills none (events die only where a pruning rule kills them), so the fast path
    skips its call and the liveness test. ``ASKED`` (3): a backend with its own
    ``merge_events`` (a subclass overriding it), asked every time, exactly as on the
    general path.
    """
    kind = evaluation.merge_kind
    if kind is None:
        backend = evaluation.backend
        method = type(backend).merge_events
        if not backend.carries_perturbations:
            kind = SMOOTHED
        elif method is PrunedBackend.merge_events:
            kind = PRUNED
        elif method is ExactBackend.merge_events:
            kind = EXACT
        else:
            kind = ASKED
        evaluation.merge_kind = kind
    return kind


def _plain(v):
    """``v`` as a Python float or small int (numpy's int64 would not wrap), else None.

    numpy's float64 and int64 scalars convert exactly, and numpy computes on them what
    Python computes on the converted numbers (the same IEEE operations, the same kinds).
    """
    kind = type(v)
    if kind is float:
        return v
    if kind is int or kind is np.int64:
        return int(v) if -_SAFE_INT < v < _SAFE_INT else None
    if kind is np.float64:
        return float(v)
    return None


def _plain_delta(t):
    """A tangent as a Python float, or None (an enclosing carrier, an int, an array)."""
    kind = type(t)
    if kind is float:
        return t
    return float(t) if kind is np.float64 else None


def _finite(delta):
    """The summed tangent as a float, or None where it is not finite (``chain``'s nan rule)."""
    if delta is None:
        return 0.0
    if not -_INF < delta < _INF:
        return None
    return delta if type(delta) is float else float(delta)


def _drops_derivative(primitive: Primitive, evaluation, carries: bool, tangents) -> bool:
    """``_comparison_loses`` for operands that are not themselves results of a lost one."""
    return (
        carries
        and primitive.smoothed_partials is None
        and not evaluation.branching
        and any(t for t in tangents)
    )


def _moving(alternates: dict, value) -> list:
    """``moving_events`` of one operand with a plain ``value``."""
    return [
        e
        for e, alt in alternates.items()
        if e.alive and (alt != value if type(alt) in (int, float) else differs(alt, value))
    ]


def moving_of(own: list) -> list:
    """``moving_events(own)`` for this evaluation's triples, quick for one plain-valued one."""
    if len(own) == 1:
        (a,) = own
        alts = a.alternates
        if not alts:
            return []
        value = a.value
        if type(value) in (int, float):
            return _moving(alts, value)
    return moving_events(own)


def prune_pair(evaluation, first, second):
    """``PrunedBackend.merge_events(evaluation, [first, second])`` for two live events.

    The same arithmetic spelled out for the commonest merge of the scalar path (a draw's
    own jump meeting its parameter's event, two operands' events meeting): ``first`` is
    kept when ``u·(|w₁| + |w₂|) < |w₁|`` (``choose_event``), its weight becomes
    ``±(|w₁| + |w₂|)`` (``math.fsum`` of two is their correctly rounded sum, as ``+`` is) and
    the other dies. Where the sum overflows (``fsum`` raises there) the backend is asked.
    """
    view1, slot1 = first.table.view, first._slot
    view2, slot2 = second.table.view, second._slot
    w1 = view1[slot1]
    w2 = view2[slot2]
    total = abs(w1) + abs(w2)
    if not total < _INF:
        return evaluation.backend.merge_events(evaluation, [first, second])[0]
    if evaluation.aux.random() * total < abs(w1):
        view1[slot1] = math.copysign(total, w1)
        view2[slot2] = 0.0
        return first
    view2[slot2] = math.copysign(total, w2)
    view1[slot1] = 0.0
    return second


def merged(evaluation, events: list) -> list:
    """``backend.merge_events(evaluation, events)``, without the call where its rule is known.

    The built-in pruned and exact backends keep a lone event (and the exact one every
    event); the pruned rule on two events is :func:`prune_pair`. Any other backend is
    asked, every time.
    """
    kind = evaluation.merge_kind
    if kind is None:
        kind = merge_kind(evaluation)
    if kind == PRUNED:
        if len(events) <= 1:
            return events
        if len(events) == 2:
            return [prune_pair(evaluation, events[0], events[1])]
    elif kind == EXACT:
        return events
    return evaluation.backend.merge_events(evaluation, events)


def _alternate(primitive: Primitive, scalar, *world):
    """The operation in one alternate world: by ``scalar`` where that is exact, else ``value``.

    Only plain Python numbers go to ``scalar`` (a numpy scalar would make ``maximum``
    return numpy's other kind); anything else computes ``value`` on the operands widened
    as on the general path.
    """
    for v in world:
        if not (type(v) is float or type(v) is int and _NEG_SAFE_INT < v < _SAFE_INT):
            break
    else:
        try:
            alt = scalar(*world)
            if alt - alt == 0:  # finite
                return alt
        except ArithmeticError:
            pass
    return primitive.value(*[_widen(v) for v in world])


def _plain_values(alternates: dict, evaluation):
    """The alternates' values if each is a plain number below 2³¹ in size, else None.

    Two C-level passes instead of a test per entry: the sum of their sizes is a Python
    int or float only if every value is one (a numpy scalar makes it numpy's; a bool
    counts as the int it is, on which Python and numpy compute the same), and below 2³¹
    only if every one is (a nan or inf fails: the general path; so do many values whose
    sizes add up beyond it, which only costs speed). Not in a nested evaluation, where an
    alternate may be an enclosing derivative's carrier, which ``abs`` would compute on.
    """
    if evaluation.level != 1:
        return None
    values = alternates.values()
    size = sum(map(abs, values))
    if (type(size) is float or type(size) is int) and size < 2**31:
        return values
    return None


def _spread(scalar, alts: dict, value, evaluation, other=None, left: bool = True):
    """The exact backend's alternates when one operand carries several events, or None.

    ``scalar(alt)`` (unary), ``scalar(alt, other)`` (``left``) or ``scalar(other, alt)``
    for every event that moves the carrying operand (value ``value``), in its order: what
    the general loop computes entry by entry (``moving_events``, the identity merge,
    ``_alternate``), in C-level loops (``map``) when every alternate is a plain number and
    every result is finite; None otherwise, before any side effect. Every event is alive
    under the exact backend, so there is no liveness test.
    """
    values = _plain_values(alts, evaluation)
    if values is None:
        return None
    if value in values:  # some event leaves the operand where it is: it takes no part
        alts = {e: alt for e, alt in alts.items() if alt != value}
        values = alts.values()
    try:
        if other is None:
            results = map(scalar, values)
        elif left:
            results = map(scalar, values, repeat(other))
        else:
            results = map(scalar, repeat(other), values)
        out = dict(zip(alts, results, strict=True))
    except ArithmeticError:
        return None
    # every result is finite if their sum is (a finite sum that overflows only sends the
    # operation to the general path, which is never wrong)
    total = sum(out.values())
    return out if total - total == 0 else None


def _spread_pair(scalar, alts_x: dict, x, alts_y: dict, y, evaluation):
    """:func:`_spread` where both operands carry events (the exact backend), or None.

    The order is ``moving_events``': the events that move ``x`` in its order, then those
    that move only ``y``; an event of both takes both alternates.
    """
    if _plain_values(alts_y, evaluation) is None:
        return None
    out = _spread(scalar, alts_x, x, evaluation, y)
    if out is None:
        return None
    try:
        for e, alt in alts_y.items():
            mine = alts_x.get(e, x)
            if e in out or alt != y:  # it moves x, or y
                out[e] = z = scalar(mine, alt)
                if z - z != 0:
                    return None
    except ArithmeticError:
        return None
    return out


def _unary_path(primitive: Primitive):
    """The fast path of a one-operand primitive (``-t``, ``exp(t)``): ``apply(a, evaluation)``.

    Made once per primitive (:func:`unary_path`), its rules bound, as :func:`_binary_path`.
    """
    scalar = primitive.scalar
    sure, smooth = primitive.forward_partials[0][0], primitive.forward_partials[1][0]
    comparison = primitive.piecewise_constant

    def apply(a, evaluation):
        if type(a) is not Triple or a.evaluation is not evaluation or a.lost:
            return None
        x, dx = a.value, a.delta
        if not (type(x) in _PLAIN_KINDS and -(2**31) < x < 2**31) and (x := _plain(x)) is None:
            return None
        if type(dx) is not float and (dx := _plain_delta(dx)) is None:
            return None
        kind = evaluation.merge_kind
        if kind is None:
            kind = merge_kind(evaluation)
        try:
            out = scalar(x)
            if out - out != 0:  # inf or nan (for a finite number: exactly 0)
                return None
            delta = 0.0
            if dx and (partial := sure if kind else smooth) is not None:
                delta = partial(x, out) * dx
                if not -_INF < delta < _INF:
                    return None
                if type(delta) is not float:
                    delta = float(delta)
        except ArithmeticError:  # 1/0 and the like: numpy's inf or nan, on the general path
            return None
        lost = comparison and _drops_derivative(primitive, evaluation, kind != SMOOTHED, (dx,))
        alts = a.alternates
        alternates = None
        if kind == SMOOTHED or (not alts and kind != ASKED):
            alternates = {}
        elif kind != ASKED:
            if len(alts) == 1:  # the pruned backend's case: one event
                ((e, w),) = alts.items()
                if type(w) in _PLAIN_KINDS and -(2**31) < w < 2**31:
                    if w == x or e.table.view[e._slot] == 0.0:  # no move, or a dead event
                        alternates = {}
                    else:
                        try:
                            alt = scalar(w)
                            if alt - alt == 0:
                                alternates = {e: alt}
                        except ArithmeticError:
                            pass  # below, the general formula for this world
            elif kind == EXACT:
                alternates = _spread(scalar, alts, x, evaluation)
        if alternates is None:
            alternates = {}
            for e in _carried(evaluation, alts, x):
                alternates[e] = _alternate(primitive, scalar, alts.get(e, x))
        t = _new_object(Triple)
        t.value = out
        t.delta = delta
        t.alternates = alternates
        t.evaluation = evaluation
        t.lost = lost
        return t

    return apply


def _no_unary_path(a, evaluation) -> None:
    return None


_unary_paths: dict = {}


def _path(paths: dict, primitive: Primitive, make, absent):
    """``paths``' fast path of ``primitive``, made by ``make`` on first use (``absent``
    for a primitive without a ``scalar`` rule); keyed by identity, entries hold the
    primitive so a recycled ``id`` is never mistaken for it."""
    entry = paths.get(id(primitive))
    if entry is None or entry[0] is not primitive:
        apply = absent if primitive.scalar is None else make(primitive)
        entry = paths[id(primitive)] = (primitive, apply)
    return entry[1]


def unary_path(primitive: Primitive):
    """:func:`_unary_path` of ``primitive``, made on first use (keyed by identity)."""
    return _path(_unary_paths, primitive, _unary_path, _no_unary_path)


def _apply_unary(primitive: Primitive, a, evaluation):
    """The fast path of a one-operand primitive (None: the general path decides)."""
    entry = _unary_paths.get(id(primitive))
    if entry is None or entry[0] is not primitive:
        return unary_path(primitive)(a, evaluation)
    return entry[1](a, evaluation)


def _carried(evaluation, alts: dict, value) -> list:
    """The merged events of the one operand that carries any (``alts``, with ``value``)."""
    if not alts:
        events = []
    elif len(alts) == 1:  # the pruned backend's case: one event, alive and moving or not
        ((e, alt),) = alts.items()
        if e.alive and (alt != value if type(alt) in (int, float) else differs(alt, value)):
            events = [e]
        else:
            events = []
    else:
        events = _moving(alts, value)
    return merged(evaluation, events)


def _one_event_each(primitive: Primitive, scalar, alts_x: dict, x, alts_y: dict, y, evaluation):
    """The alternates where each operand carries one event, or None for the general code.

    What the general code computes: ``moving_events`` of the two (each event alive and
    moving its operand, in operand order; a shared event moves if it moves either), the
    merge (:func:`merged`), and the operation in each kept event's world (``_alternate``:
    ``scalar`` where finite, else ``value``; the operands are plain numbers here).
    """
    ((ex, wx),) = alts_x.items()
    ((ey, wy),) = alts_y.items()
    if not (type(wx) in _PLAIN_KINDS and -(2**31) < wx < 2**31) or not (
        type(wy) in _PLAIN_KINDS and -(2**31) < wy < 2**31
    ):
        return None
    moves_x = wx != x and ex.table.view[ex._slot] != 0.0
    moves_y = wy != y and ey.table.view[ey._slot] != 0.0
    if ex is ey:
        if not (moves_x or moves_y):
            return {}
        events = (ex,)
    elif moves_x and moves_y:
        if evaluation.merge_kind == PRUNED:
            events = (prune_pair(evaluation, ex, ey),)
        else:
            events = merged(evaluation, [ex, ey])
    elif moves_x:
        events = (ex,)
    elif moves_y:
        events = (ey,)
    else:
        return {}
    alternates = {}
    for e in events:
        u = wx if e is ex else x
        v = wy if e is ey else y
        try:
            alt = scalar(u, v)
            if alt - alt == 0:
                alternates[e] = alt
                continue
        except ArithmeticError:
            pass
        alternates[e] = primitive.value(u, v)
    return alternates


def _binary_path(primitive: Primitive):
    """The fast path of a two-operand primitive: ``apply(a, b, evaluation)``, or None out.

    Made once per primitive (:func:`_apply_binary` keeps them), with the primitive's rules
    (``scalar``, its partials) bound, so an operation reads no attribute of the primitive;
    the commonest cases come first and the triple is built in place.
    """
    scalar = primitive.scalar
    (sure_x, sure_y, *_), (smooth_x, smooth_y, *_) = primitive.forward_partials
    comparison = primitive.piecewise_constant

    def apply(a, b, evaluation):
        if not evaluation.active:  # a finished one's carriers: call() checks
            return None
        if type(a) is Triple:
            if a.evaluation is not evaluation or a.lost:
                return None
            x, dx, alts_x = a.value, a.delta, a.alternates
            if type(dx) is not float and (dx := _plain_delta(dx)) is None:
                return None
        else:
            x, dx, alts_x = a, None, _NO_ALTERNATES
        if type(b) is Triple:
            if b.evaluation is not evaluation or b.lost:
                return None
            y, dy, alts_y = b.value, b.delta, b.alternates
            if type(dy) is not float and (dy := _plain_delta(dy)) is None:
                return None
        else:
            y, dy, alts_y = b, None, _NO_ALTERNATES
        # plain Python numbers (ints below 2³¹); numpy scalars convert
        if not (type(x) in _PLAIN_KINDS and -(2**31) < x < 2**31) and (x := _plain(x)) is None:
            return None
        if not (type(y) in _PLAIN_KINDS and -(2**31) < y < 2**31) and (y := _plain(y)) is None:
            return None
        kind = evaluation.merge_kind
        if kind is None:
            kind = merge_kind(evaluation)
        try:
            out = scalar(x, y)
            if out - out != 0:  # inf or nan (for a finite number: exactly 0)
                return None
            delta = 0.0
            if dx or dy:
                term = None
                if dx and (partial := sure_x if kind else smooth_x) is not None:
                    term = partial(x, y, out) * dx
                if dy and (partial := sure_y if kind else smooth_y) is not None:
                    second = partial(x, y, out) * dy
                    term = second if term is None else term + second
                if term is not None:
                    if not -_INF < term < _INF:
                        return None
                    delta = term if type(term) is float else float(term)
        except ArithmeticError:  # 1/0 and the like: numpy's inf or nan, on the general path
            return None
        lost = comparison and _drops_derivative(primitive, evaluation, kind != SMOOTHED, (dx, dy))
        alternates = None
        if kind == SMOOTHED:
            alternates = {}
        elif kind != ASKED:
            # the commonest cases first: one operand carries one event (pruned), or each does
            if not alts_x or not alts_y:
                if alts_x:
                    alts, v, left = alts_x, x, True
                elif alts_y:
                    alts, v, left = alts_y, y, False
                else:
                    alts = None
                    alternates = {}
                if alts is None:
                    pass
                elif len(alts) == 1:
                    ((e, w),) = alts.items()
                    if type(w) in _PLAIN_KINDS and -(2**31) < w < 2**31:
                        if w == v or e.table.view[e._slot] == 0.0:  # no move, or a dead event
                            alternates = {}
                        else:
                            try:
                                alt = scalar(w, y) if left else scalar(x, w)
                                if alt - alt == 0:
                                    alternates = {e: alt}
                            except ArithmeticError:
                                pass  # below, the general formula for this world
                elif kind == EXACT:
                    alternates = _spread(scalar, alts, v, evaluation, y if left else x, left)
            elif len(alts_x) == 1 and len(alts_y) == 1:
                alternates = _one_event_each(primitive, scalar, alts_x, x, alts_y, y, evaluation)
            elif kind == EXACT:
                alternates = _spread_pair(scalar, alts_x, x, alts_y, y, evaluation)
        if alternates is None:
            alternates = _general_alternates(primitive, a, b, x, y, alts_x, alts_y, evaluation)
        t = _new_object(Triple)
        t.value = out
        t.delta = delta
        t.alternates = alternates
        t.evaluation = evaluation
        t.lost = lost
        return t

    return apply


def _general_alternates(primitive: Primitive, a, b, x, y, alts_x, alts_y, evaluation) -> dict:
    """The events that move an operand (``moving_events``), the backend's merge, and the
    operation in each kept event's world: every case the quick ones above leave."""
    if not alts_y:
        events = _carried(evaluation, alts_x, x)
    elif not alts_x:
        events = _carried(evaluation, alts_y, y)
    else:
        events = merged(evaluation, moving_events((a, b)))
    alternates = {}
    scalar = primitive.scalar
    for e in events:
        alternates[e] = _alternate(primitive, scalar, alts_x.get(e, x), alts_y.get(e, y))
    return alternates


def _no_binary_path(a, b, evaluation) -> None:
    return None


_binary_paths: dict = {}


def binary_path(primitive: Primitive):
    """:func:`_binary_path` of ``primitive``, made on first use (keyed by identity)."""
    return _path(_binary_paths, primitive, _binary_path, _no_binary_path)


def _apply_binary(primitive: Primitive, a, b, evaluation):
    """The fast path of a two-operand primitive (None: the general path decides)."""
    return binary_path(primitive)(a, b, evaluation)


def _apply_fast(primitive: Primitive, args, evaluation):
    """``primitive`` on ``args`` by its ``scalar`` rule, or None to take the general path.

    Only for a running evaluation: a finished one's carriers go through ``call``'s check.
    """
    if not evaluation.active:
        return None
    if len(args) == 2:
        return _apply_binary(primitive, args[0], args[1], evaluation)
    if len(args) == 1:
        return _apply_unary(primitive, args[0], evaluation)
    scalar = primitive.scalar
    if scalar is None:
        return None
    values, tangents, own = [], [], []
    for a in args:
        t = None
        if type(a) is Triple:
            if a.evaluation is not evaluation or a.lost:
                return None
            t = _plain_delta(a.delta)
            if t is None:
                return None
            own.append(a)
            a = a.value
        a = _plain(a)
        if a is None:
            return None
        values.append(a)
        tangents.append(t)
        if t is not None:
            last_value = a
    carries = evaluation.backend.carries_perturbations
    try:
        out = scalar(*values)
        if out - out != 0:  # inf or nan (for a finite number: exactly 0)
            return None
        delta = None
        for t, partial in zip(tangents, primitive.forward_partials[not carries], strict=False):
            if t and partial is not None:
                term = partial(*values, out) * t
                delta = term if delta is None else delta + term
    except ArithmeticError:
        return None
    if (delta := _finite(delta)) is None:
        return None
    lost = primitive.piecewise_constant and _drops_derivative(
        primitive, evaluation, carries, tangents
    )
    alternates = {}
    if carries:
        events = _moving(own[0].alternates, last_value) if len(own) == 1 else moving_events(own)
        for e in merged(evaluation, events):
            world = [
                a.alternates.get(e, v) if type(a) is Triple else v
                for a, v in zip(args, values, strict=True)
            ]
            alternates[e] = _alternate(primitive, scalar, *world)
    return Triple(out, delta, alternates, evaluation, lost)


_fast_on = True
"""Whether scalar-triple operations try the fast path (:func:`use_fast_path`)."""


@contextlib.contextmanager
def use_fast_path(enabled: bool) -> Iterator[None]:
    """Run scalar-triple operations on the fast path (``True``) or the general one inside.

    The two give the same numbers bit for bit (tests compare them on generated programs);
    the general path is the reference, and the one to step through when debugging a rule.
    The setting is module-global, not per thread; the previous one is restored on exit.

    Parameters
    ----------
    enabled : bool
        read as a truth value.

    Yields
    ------
    None

    Examples
    --------
    >>> import stochad
    >>> from stochad.forward.triple import use_fast_path
    >>> f = lambda p: stochad.exp(-stochad.bernoulli(p) / p)
    >>> with use_fast_path(False):
    ...     reference = stochad.derivative_estimate(f, 0.3, rng=2)
    >>> stochad.derivative_estimate(f, 0.3, rng=2) == reference
    True
    """
    global _fast_on
    previous = _fast_on
    _fast_on = bool(enabled)
    try:
        yield
    finally:
        _fast_on = previous


def _fast_binary(primitive: Primitive):
    """``t op other`` and ``other op t``: the fast path first, else the dispatching call."""
    apply = binary_path(primitive)

    def forward(self, other):
        out = apply(self, other, self.evaluation) if _fast_on else None
        return call(primitive, self, other) if out is None else out

    def reflected(self, other):
        out = apply(other, self, self.evaluation) if _fast_on else None
        return call(primitive, other, self) if out is None else out

    return forward, reflected


def _fast_unary(primitive: Primitive):
    apply = unary_path(primitive)

    def operation(self):
        evaluation = self.evaluation
        out = apply(self, evaluation) if _fast_on and evaluation.active else None
        return call(primitive, self) if out is None else out

    return operation


def register_array_carrier(apply) -> None:
    """Install how a scalar triple that meets an array becomes a triple array.

    The triple-array module sits above this one (it builds on scalar triples), so it
    registers its ``apply(primitive, args, kwargs, evaluation)`` here instead of this
    module importing it.
    """
    _array_carrier[:] = [apply]


class Triple(PrimitiveOperators):
    """A stochastic triple: a value, its almost-sure derivative and finite perturbations.

    A triple ``(X, δ, {(Y_k, w_k)})`` is the stochastic derivative of a random value:
    ``δ`` is the derivative of the continuous part, and each perturbation says that under
    ``p + ε`` the value jumps to ``Y_k`` with probability ``w_k·ε``. Its single-sample
    derivative estimate is ``δ + Σ w_k·(Y_k − X)`` (:meth:`derivative_contribution`).
    Arithmetic, numpy ufuncs and stochad's functions propagate triples like dual numbers;
    each alternate is computed by the same operation.

    Users get triples from :func:`stochad.stochastic_triple` or inside a function passed
    to :func:`stochad.derivative_estimate`; they do not construct them directly.

    Attributes
    ----------
    value : float or int
        the primal value ``X``.
    delta : float
        the almost-sure derivative ``δ`` (for the smoothed backend: the smoothed scalar).
    perturbations : list of Perturbation
        the live finite perturbations, each an alternate value with its weight.

    Raises
    ------
    PerturbationLostError
        from ``bool(t)`` (``if``/``while``), ``int(t)`` or use as an index when an
        alternate value would convert differently (or, under the smoothed backend, when
        ``δ != 0``); from ``float(t)`` when ``δ != 0`` or an alternate differs from the
        value. Use :func:`stochad.value` to read the value on purpose.

    See Also
    --------
    stochad.TripleArray : many triples in numpy arrays.

    Examples
    --------
    >>> import stochad
    >>> t = stochad.stochastic_triple(lambda p: stochad.bernoulli(p) + 2 * p, 0.3, rng=1)
    >>> t
    Triple(0.6 + 2.0ε [1.6 with weight 1.42857ε])
    >>> float(t.delta), round(float(t.derivative_contribution()), 6)   # 2 + (1 - 0) / 0.7
    (2.0, 3.428571)
    """

    __slots__ = ("value", "delta", "alternates", "evaluation", "lost")
    __stochad_priority__ = 10

    # the elementwise operators take the fast path first: installed below
    __hash__ = None  # type: ignore[assignment]  # == builds a value, not a bool

    def __init__(self, value, delta, alternates: dict, evaluation, lost: bool = False):
        self.value = value
        self.delta = delta
        self.alternates = alternates
        self.evaluation = evaluation
        self.lost = lost
        """True for the result of a comparison that dropped a continuous derivative."""

    # -- what the triple says -------------------------------------------------------
    @property
    def perturbations(self) -> list[Perturbation]:
        """The live finite perturbations (dead or zero-weight events left out)."""
        return [
            Perturbation(alt, e.weight, e.id)
            for e, alt in self.alternates.items()
            if e.alive and e.weight != 0.0
        ]

    def derivative_contribution(self):
        """The single-sample derivative estimate ``δ + Σ w·(Y − X)`` over live perturbations."""
        total = self.delta
        for e, alt in self.alternates.items():
            if e.alive:
                total = total + e.weight * (alt - self.value)
        return total

    def __repr__(self) -> str:
        def plain(x):  # numpy 2 scalars repr as "np.float64(1.0)": print the number
            return repr(x.item() if isinstance(x, np.generic) else x)

        parts = [f"{plain(self.value)} + {plain(self.delta)}ε"]
        parts += [f"[{plain(p.alternate)} with weight {p.weight:.6g}ε]" for p in self.perturbations]
        return "Triple(" + " ".join(parts) + ")"

    # -- propagation ------------------------------------------------------------
    @classmethod
    def __stochad_apply__(cls, primitive: Primitive, args, kwargs, evaluation):
        if not kwargs and _fast_on:
            if len(args) == 1 and evaluation.active:  # stochad.exp(t) and the like
                entry = _unary_paths.get(id(primitive))
                if entry is not None and entry[0] is primitive:
                    out = entry[1](args[0], evaluation)
                else:
                    out = _apply_unary(primitive, args[0], evaluation)
            else:
                out = _apply_fast(primitive, args, evaluation)
            if out is not None:
                return out
        backend = evaluation.backend
        own = owned(args, evaluation, Triple)  # other carriers are an enclosing one's
        if backend.supports_arrays and _array_carrier and _meets_array(primitive, args):
            # a triple meeting an array (or a structural op) becomes a triple array
            return _array_carrier[0](primitive, args, kwargs, evaluation)
        values = [_widen(a.value) if mine else a for a, mine in zip(args, own, strict=True)]
        out = primitive.value(*values, **kwargs)
        tangents = [a.delta if mine else None for a, mine in zip(args, own, strict=True)]
        smoothed = not backend.carries_perturbations
        lost = not evaluation.branching and _comparison_loses(
            primitive, args, own, tangents, smoothed
        )
        # numpy scalars, so a rule like 1/x at 0 gives inf as on arrays (not ZeroDivisionError)
        at = [np.float64(v) if isinstance(v, (int, float)) else v for v in values]
        delta = primitive.tangent(values, kwargs, tangents, out, smoothed, at)
        if delta is None:
            delta = 0.0
        alternates = {}
        if backend.carries_perturbations:
            triples = [a for a, mine in zip(args, own, strict=True) if mine]
            for e in backend.merge_events(evaluation, moving_events(triples)):
                alt_args = [
                    _widen(a.alternates.get(e, a.value)) if mine else a
                    for a, mine in zip(args, own, strict=True)
                ]
                alternates[e] = primitive.value(*alt_args, **kwargs)
        return cls(out, delta, alternates, evaluation, lost)

    # -- conversions that would lose a perturbation -----------------------------
    def _live_alternates(self):
        return [alt for e, alt in self.alternates.items() if e.alive and e.weight != 0.0]

    def _require_piecewise_constant_is_safe(self, what: str, convert) -> None:
        """Raise where ``convert`` (bool, int, index) would drop part of the derivative.

        With perturbations, only an alternate that converts differently is lost: ``δ`` is
        an almost-sure derivative, and a piecewise-constant conversion has derivative 0.
        Under smoothing, ``δ`` also holds the draws' smoothed jumps, so dropping it loses
        them: refuse.
        """
        outcome = convert(self.value)
        if any(convert(alt) != outcome for alt in self._live_alternates()):
            raise PerturbationLostError(what)
        if not is_zero(self.delta) and not self.evaluation.backend.carries_perturbations:
            raise PerturbationLostError(
                f"{what} of a smoothed value (its smoothed derivative would be dropped; "
                "smoothed programs need arithmetic such as s * a + (1 - s) * b, or "
                "stochad.heaviside with a surrogate)"
            )

    def __array__(self, dtype=None, copy=None):
        raise PerturbationLostError(
            "Converting a stochastic triple to a numpy value (np.float64(t), a[i] = t, "
            "np.asarray(t), indexing a numpy array with it, or a numpy.random sampler called "
            "on it: draw with stochad's sampler of that name, e.g. stochad.bernoulli(p) "
            "or stochad.binomial(n, p); build arrays with stochad.stack; index with "
            "stochad.take(seq, t); read the primal value on purpose with stochad.value(t))"
        )

    def __bool__(self) -> bool:
        if self.lost:
            raise PerturbationLostError(
                f"Using it as a condition (if/while/bool): {COMPARISON_LOST}"
            )
        self._require_piecewise_constant_is_safe(
            "Using a stochastic triple as a condition (if/while/bool)", bool
        )
        return bool(self.value)

    def __int__(self) -> int:
        self._require_piecewise_constant_is_safe("int() of a stochastic triple", int)
        return int(self.value)

    def __index__(self) -> int:
        if float(self.value) != math.floor(float(self.value)):
            raise TypeError(f"a triple with non-integer value {self.value!r} cannot be an index")
        self._require_piecewise_constant_is_safe(
            "Indexing with a stochastic triple (use stochad.take(seq, index))", float
        )
        return int(self.value)

    def __float__(self) -> float:
        if not is_zero(self.delta) or any(alt != self.value for alt in self._live_alternates()):
            raise PerturbationLostError(
                "float() of a stochastic triple with a nonzero derivative or perturbation, "
                "also done by a[i] = t into a numpy array (build arrays with stochad.stack; "
                "use stochad.value(t) to read the primal value on purpose)"
            )
        return float(self.value)


for _name, _method in elementwise_operators(_fast_binary, _fast_unary).items():
    setattr(Triple, _name, _method)
del _name, _method
