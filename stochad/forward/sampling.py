"""Scalar discrete draws on triples: the draw's own jumps, coupled alternates, smoothing.

A draw with triple parameters produces a triple (docs/theory.md §2): its own jumps from
the rule's ``jump`` (or ``jumps``, for the categorical), one perturbation per carried
event that moves a parameter (the coupled alternate draw in that event's world), and the
backend decides which survive. A backend without perturbations (smoothed) gets the
draw's smoothed tangent instead.
"""

from __future__ import annotations

from stochad.core.context import Evaluation
from stochad.core.primitives import check_foreign, differs, is_carrier
from stochad.distributions.base import DiscreteRule, coupled_uniform
from stochad.distributions.categorical import CATEGORICAL
from stochad.forward.triple import (
    EXACT,
    PRUNED,
    Triple,
    merge_kind,
    merged,
    moving_of,
    prune_pair,
)

__all__ = [
    "sample_scalar", "sample_categorical", "discrete_triple", "alternate_args"
]  # fmt: skip

_new_object = object.__new__


def alternate_args(args, event):
    """``args`` in the world of ``event``: each triple's alternate, else its value."""
    return [a.alternates.get(event, a.value) if isinstance(a, Triple) else a for a in args]


def _own_parameters(name: str, args, evaluation: Evaluation):
    """The parameters' values and this evaluation's triples among them.

    Only this evaluation's triples and plain numbers may draw: a carrier of an enclosing
    evaluation (as a parameter or inside a triple's value) raises.
    """
    if len(args) == 1:  # one parameter, a float or this evaluation's plain triple: no checks
        (a,) = args
        if type(a) is float:
            return [a], []
        if type(a) is Triple and a.evaluation is evaluation and type(a.value) in (int, float):
            return [a.value], [a]
    values = []
    own = []
    checked = False
    for a in args:
        if type(a) is float:  # the common parameter: nothing to check
            values.append(a)
        elif type(a) is Triple and a.evaluation is evaluation:
            own.append(a)
            values.append(a.value)
            checked = True
        else:
            if is_carrier(a):
                check_foreign(a, evaluation)  # raises unless it is an enclosing one's
                checked = True
            values.append(a)
    if checked and any(is_carrier(v) for v in values):
        raise NotImplementedError(
            f"nested derivatives: a {name} draw whose parameter depends on both an "
            "inner and an enclosing derivative is not supported (its jump weights "
            "would themselves need differentiating); draw it in the enclosing "
            "function and pass the draw in, or differentiate one level at a time"
        )
    return values, own


def discrete_triple(evaluation: Evaluation, x, new_jumps, args, alternate_of) -> Triple:
    """Assemble a draw's triple from its new jumps and its parameters' perturbations.

    ``new_jumps`` are ``(alternate, weight)`` pairs created by this draw;
    ``alternate_of(event)`` computes the coupled alternate draw for an event carried by
    one of the triple ``args``. Only carried events that move a parameter compete (an
    event with Δ = 0 there leaves the draw unchanged). The backend decides which survive.
    """
    fresh = {}
    for alt, weight in new_jumps:
        if weight != 0.0:
            fresh[evaluation.new_event(weight)] = alt
    carried = moving_of([a for a in args if isinstance(a, Triple)])
    alternates = {}
    for event in merged(evaluation, carried + list(fresh) if fresh else carried):
        alternates[event] = fresh[event] if event in fresh else alternate_of(event)
    return Triple(x, 0.0, alternates, evaluation)


def _checked_world(rule_name: str, check, params):
    try:
        return check(*params)
    except ValueError as err:
        raise ValueError(f"in an alternate world of {rule_name}: {err}") from None


def _sample_general(rule: DiscreteRule, evaluation: Evaluation, args):
    """:func:`sample_scalar` for any parameters, the reference."""
    values, own = _own_parameters(rule.name, args, evaluation)
    values = rule.check(*values)
    x = rule.inverse_cdf(evaluation.streams.uniform(), *values)
    if not own:
        return x
    deltas = [own[0].delta] if len(args) == 1 else [
        a.delta if type(a) is Triple else 0.0 for a in args
    ]  # fmt: skip
    backend = evaluation.backend
    if not backend.carries_perturbations:
        return Triple(x, backend.draw_tangent(rule, x, values, deltas), {}, evaluation)
    jumps = _own_jumps(rule, x, values, deltas)

    def alternate_of(event):
        alt_params = _checked_world(rule.name, rule.check, alternate_args(args, event))
        return rule.alternate(x, values, alt_params, evaluation.streams.aux)

    return discrete_triple(evaluation, x, jumps, own, alternate_of)


def sample_scalar(rule: DiscreteRule, evaluation: Evaluation, args):
    """Draw one sample of ``rule`` with parameters ``args`` (floats or triples).

    The commonest draw is spelled out here: one parameter, this evaluation's plain
    triple. It computes what :func:`_sample_general` computes for it (the checks, the
    primal draw ``F⁻¹(1 − U)`` as ``RandomStreams.uniform`` gives it, the own jump, the
    parameter's one moving event, the merge, the coupled alternate), with fewer calls and
    the evaluation's cheaper :class:`~stochad.core.context.Uniforms` (the same numbers).
    Everything else goes there before drawing: a backend without perturbations or with
    its own merge, a rule with several parameters or joint ``jumps``, a parameter
    carrying several events, a non-float tangent.
    """
    if len(args) != 1 or type(a := args[0]) is not Triple:
        return _sample_general(rule, evaluation, args)
    value, d, alts = a.value, a.delta, a.alternates
    kind = evaluation.merge_kind
    if kind is None:
        kind = merge_kind(evaluation)
    if (
        (kind != PRUNED and kind != EXACT)
        or a.evaluation is not evaluation
        or type(d) is not float
        or (type(value) is not float and type(value) is not int)
        or len(alts) > 1
        or rule.jumps is not None
        or rule.differentiable != 0
    ):
        return _sample_general(rule, evaluation, args)
    values = rule.check(value)
    x = rule.inverse_cdf(1.0 - evaluation.primal.random(), *values)
    fresh = None
    if d != 0:
        alt, weight = rule.jump(x, d, *values)
        if weight != 0.0:
            fresh = evaluation.events.new_event(weight)
    if alts:
        ((carried, moved),) = alts.items()
        if carried.table.view[carried._slot] == 0.0 or not (
            moved != value if type(moved) in (int, float) else differs(moved, value)
        ):
            carried = None  # dead, or it leaves the parameter where it is
    else:
        carried = None
    if carried is None:
        alternates = {} if fresh is None else {fresh: alt}
    else:
        if fresh is not None:  # the merge: the pruned rule keeps one, the exact one both
            events = (prune_pair(evaluation, carried, fresh),) if kind == PRUNED else (
                carried, fresh
            )  # fmt: skip
        else:
            events = (carried,)
        alternates = {}
        for event in events:
            if event is fresh:
                alternates[event] = alt
            else:
                alt_params = _checked_world(rule.name, rule.check, [moved])
                if rule.coupled is None:  # rule.alternate: F⁻¹ at a uniform on x's slice
                    u = coupled_uniform(rule.cdf, x, values, evaluation.aux)
                    alternates[event] = rule.inverse_cdf(u, *alt_params)
                else:  # the rule's own coupling, which may draw other variates
                    aux = evaluation.streams.aux
                    alternates[event] = rule.alternate(x, values, alt_params, aux)
    t = _new_object(Triple)
    t.value = x
    t.delta = 0.0
    t.alternates = alternates
    t.evaluation = evaluation
    t.lost = False
    return t


def _own_jumps(rule: DiscreteRule, x, values, deltas) -> list:
    """The draw's own ``(alternate, weight)`` jumps for the parameters' tangents."""
    if rule.jumps is not None:  # jumps that need every tangent at once (categorical)
        return rule.jumps(x, values, deltas)
    if len(deltas) > 1 or rule.differentiable != 0:  # else no other parameter to check
        rule.require_tangents_allowed(deltas)
    d = deltas[rule.differentiable]
    return [rule.jump(x, d, *values)] if d != 0 else []


def sample_categorical(evaluation: Evaluation, probs):
    """Draw an index from ``probs`` (floats or triples) on ``evaluation``'s streams."""
    return sample_scalar(CATEGORICAL, evaluation, list(probs))
