"""Sampling kernels: inverse-CDF draws with their jumps, couplings and smoothed tangents.

Conventions (:mod:`stochad.distributions.vectorized`): ``r`` holds one primal uniform per
element, drawn by numpy, and ``X = F⁻¹(1 − r)``. Parameter arrays ``a, b`` and tangents
are 1-d, as long as ``r`` (broadcast views with stride 0 are fine).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from stochad.distributions import special as distribution_special
from stochad.distributions.categorical import CATEGORICAL
from stochad.distributions.categorical import check_array as check_categorical
from stochad.distributions.vectorized import (
    check_array_params,
    draw_shape,
    flat_params,
    inverse_cdf_array,
)
from stochad.kernels import kernel, pruning, register_jitable, special
from stochad.kernels.pruning import merge
from stochad.kernels.rules import fingerprint, rule_functions

__all__ = [
    "draw_values", "draw_with_jumps", "couple", "smoothed_tangent", "kernels_for",
    "sample_plain_array", "categorical_values", "categorical_jumps", "sample_plain_categorical",
    "categorical_rows", "single_row_events",
]  # fmt: skip


def _specialize(rule) -> SimpleNamespace:
    """The sampling kernels of one distribution.

    The rule's functions are closure constants, so numba compiles each distribution's
    kernels separately (cached separately: closure values are part of numba's cache key,
    and so is ``source_key``, the hash of the rule's module, so an edited rule recompiles).
    """
    functions = rule_functions(rule)
    inverse_cdf, cdf, jump = functions.inverse_cdf, functions.cdf, functions.jump
    mean_partial = functions.mean_partial
    # the kernels inline pruning's merge: its source is part of their cache key too
    source_key = fingerprint(rule, pruning, special, distribution_special)

    @kernel
    def draw_values(r, a, b, out):
        """Primal draws ``F⁻¹(1 − r)`` into the float64 array ``out``."""
        _ = source_key
        for k in range(r.shape[0]):
            out[k] = inverse_cdf(1.0 - r[k], a[k], b[k])

    @kernel
    def draw_with_jumps(
        r, a, b, d, alt_a, alt_b, carried, weights, first_id, values, alternates, events, counts
    ):
        """Primal draws and their own jumps (docs/theory.md §2) for tangents ``d``.

        Fills ``values``, ``alternates`` and ``events`` (allocated by numpy, whose large
        arrays get huge pages; numba's own allocations fault page by page). Each element
        with a jump gets the next event id from ``first_id`` on, its weight written to
        ``weights``; returns the number of ids used.

        ``carried`` (empty for none) holds the event the parameters of each element carry
        (``-1`` for none), in whose world they are ``alt_a, alt_b``; the same pass counts
        the uniforms :func:`couple` will take for them: ``counts[0]`` gains the elements
        whose carried event moves a parameter (a coupling uniform each), ``counts[1]``
        those of them that also jumped (a pruning uniform each).
        """
        _ = source_key
        n = r.shape[0]
        carrying = carried.shape[0] > 0
        next_id = first_id
        live = 0
        mixed = 0
        for k in range(n):
            x = inverse_cdf(1.0 - r[k], a[k], b[k])
            y, w = jump(x, d[k], a[k], b[k])
            # branch-free bookkeeping: whether a draw jumps is a coin flip the CPU cannot
            # predict; weights[next_id] is scratch until next_id advances past it
            jumped = w != 0.0
            values[k] = x
            alternates[k] = y
            events[k] = next_id if jumped else -1
            weights[next_id] = w
            next_id += jumped
            if carrying:
                moves = (carried[k] >= 0) & ((alt_a[k] != a[k]) | (alt_b[k] != b[k]))
                live += moves
                mixed += moves & jumped
        counts[0] += live
        counts[1] += mixed
        return next_id - first_id

    @kernel
    def couple(values, a, b, alt_a, alt_b, carried, moving_only, weights, uniforms, n_coupling,
               alt, ev):  # fmt: skip
        """Add the parameters' perturbations (``carried`` ids) to a draw, in place.

        The alternate draw of a carried event is ``F⁻¹_{θ'}(V)`` with ``V`` uniform on the
        primal draw's slice ``(F_θ(X−1), F_θ(X)]``: ``uniforms[:n_coupling]`` hold one
        ``V`` per element with a carried id. Where the draw's own jump (``ev``) also lives,
        the two are pruned: ``uniforms[n_coupling:]`` hold one uniform per such element.
        ``moving_only``: a carried event that leaves both parameters at their values
        (Δ = 0) takes no part, as if ``-1`` (the counts of :func:`draw_with_jumps`).
        """
        _ = source_key
        used_coupling = 0
        used_choices = n_coupling
        for k in range(values.shape[0]):
            e = carried[k]
            if e < 0 or (moving_only and alt_a[k] == a[k] and alt_b[k] == b[k]):
                continue
            v = uniforms[used_coupling]
            used_coupling += 1
            own = ev[k]
            u = 0.5
            if own >= 0:
                u = uniforms[used_choices]
                used_choices += 1
            if weights[e] == 0.0:
                continue
            if own >= 0 and weights[own] != 0.0:
                keep, u = merge(e, own, weights, u)
                if keep == own:
                    continue
            x = values[k]
            low = cdf(x - 1.0, a[k], b[k])
            high = cdf(x, a[k], b[k])
            alt[k] = inverse_cdf(high - (high - low) * v, alt_a[k], alt_b[k])
            ev[k] = e

    @kernel
    def smoothed_tangent(symmetric, values, a, b, da, db, continuous, out):
        """The smoothed δ of each draw (docs/theory.md §3): derivative of the mean, or symmetric.

        ``symmetric`` averages the right and left jumps of the continuous parameter
        (index ``continuous``) with weight ½; other parameters use the mean's derivative.
        """
        _ = source_key
        for k in range(values.shape[0]):
            x = values[k]
            total = 0.0
            for i in range(2):
                d = da[k] if i == 0 else db[k]
                if d == 0.0:
                    continue
                if symmetric and i == continuous:
                    y_right, w_right = jump(x, 1.0, a[k], b[k])
                    y_left, w_left = jump(x, -1.0, a[k], b[k])
                    total += 0.5 * (w_right * (y_right - x) - w_left * (y_left - x)) * d
                else:
                    total += mean_partial(i, a[k], b[k]) * d
            out[k] = total

    return SimpleNamespace(
        draw_values=draw_values,
        draw_with_jumps=draw_with_jumps,
        couple=couple,
        smoothed_tangent=smoothed_tangent,
    )


_KERNELS: dict[str, SimpleNamespace] = {}
_BELOW_ONE = 1.0 - 2.0**-53


def kernels_for(rule) -> SimpleNamespace:
    """The sampling kernels of ``rule`` (compiled on first use)."""
    kernels = _KERNELS.get(rule.name)
    if kernels is None:
        kernels = _KERNELS[rule.name] = _specialize(rule)
    return kernels


def draw_values(rule, r, a, b, out):
    """Primal draws ``F⁻¹(1 − r)`` of ``rule`` into ``out``; returns it.

    (Kernels built in a closure return no arrays: numba's cache can mix up the boxing
    environments of closures that share a name, so arrays come back through ``out``.)
    """
    kernels_for(rule).draw_values(r, a, b, out)
    return out


def draw_with_jumps(rule, *args):
    """See ``_specialize``: draws with their own jumps; returns the ids used."""
    return kernels_for(rule).draw_with_jumps(*args)


def couple(rule, *args):
    """See ``_specialize``: add the parameters' perturbations to a draw, in place."""
    return kernels_for(rule).couple(*args)


def smoothed_tangent(rule, *args):
    """See ``_specialize``: the smoothed δ of each draw (a new array)."""
    out = np.zeros(args[1].shape[0])
    kernels_for(rule).smoothed_tangent(*args, out)
    return out


def sample_plain_array(rule, evaluation, params, size) -> np.ndarray:
    """Draw an array of plain samples (no triples among ``params``).

    One ``primal.random(shape)`` call, ``shape`` the broadcast of the parameters and
    ``size``; ``X = F⁻¹(1 − r)`` elementwise (compiled for rules with an array kernel,
    the rule's own Python function otherwise).

    Examples
    --------
    >>> from stochad.core.context import Evaluation
    >>> from stochad.core.random import RandomStreams
    >>> from stochad.distributions.bernoulli import BERNOULLI
    >>> ev = Evaluation(RandomStreams.from_rng(0))
    >>> sample_plain_array(BERNOULLI, ev, [0.5], (2, 3)).shape
    (2, 3)
    """
    params = [np.asarray(q, dtype=np.float64) for q in params]
    if rule is CATEGORICAL:  # its parameters are the k probabilities
        probs = np.stack(np.broadcast_arrays(*params), axis=-1)
        return sample_plain_categorical(evaluation, probs, size)
    shape = draw_shape([q.shape for q in params], size)
    check_array_params(rule, params, shape)
    r = evaluation.streams.primal.random(shape)
    if not rule.array_kernel:
        return inverse_cdf_array(rule, 1.0 - r, params)
    a, b = flat_params(params, shape)
    return draw_values(rule, r.reshape(-1), a, b, np.empty(r.size)).reshape(shape)


# -- the categorical: probabilities along a last axis ------------------------------------
# Its probabilities are k parameters, so it has kernels of its own instead of the
# two-parameter ones above. ``probs`` (and ``tangents``, ``worlds``) are 2-d, one row per
# draw or a single row shared by every draw; the row loops are the scalar rule's own
# (stochad.distributions.categorical), in the same order, so a draw is the scalar draw.


@kernel
def categorical_values(r, probs, out):
    """Primal draws ``F⁻¹(1 − r)``: the smallest index whose running sum reaches ``1 − r``."""
    shared = probs.shape[0] == 1
    for row in range(r.shape[0]):
        out[row] = _categorical_inverse_cdf(1.0 - r[row], probs, 0 if shared else row)


@register_jitable
def _categorical_inverse_cdf(u, probs, row):
    total = 0.0
    last_positive = 0
    for j in range(probs.shape[1]):
        q = probs[row, j]
        if q > 0.0:
            last_positive = j
            total += q
            if total >= u:
                return j
    return last_positive


@register_jitable
def _categorical_slice(x, probs, row):
    """``(F(x − 1), F(x)]``: the primal draw's slice of the unit interval."""
    low = 0.0
    for j in range(x):
        low += probs[row, j]
    return low, min(low + probs[row, x], 1.0)


@register_jitable
def _boundary_jumps(i, probs, tangents, row, rate, step, pick):
    """Walk away from ``i`` as the scalar rule's ``_boundary_jumps`` does.

    Returns the boundary's total jump weight and the target whose weight interval holds
    ``pick`` (the last target if rounding put ``pick`` past the end), where that interval
    starts and its width.
    """
    total = 0.0
    target = -1
    start = width = 0.0
    found = False
    j = i + step
    while rate > 0.0 and 0 <= j < probs.shape[1]:
        share = rate if probs[row, j] > 0.0 else min(rate, max(tangents[row, j], 0.0))
        if share > 0.0:
            w = share / probs[row, i]
            if not found:
                target, start, width = j, total, w
                found = pick < total + w
            total += w
        rate -= share
        j += step
    return total, target, start, width


@kernel
def categorical_jumps(
    r, probs, tangents, worlds, carried, weights, first_id, uniforms, coupling, out, alt, ev
):
    """Draws, their own jumps (pruned to one) and the carried events' coupled alternates.

    ``probs``, ``tangents``, ``worlds`` and ``carried`` have one row per draw or a single
    row shared by all. The own jumps of a draw (docs/theory.md §2: the lower boundary up,
    the upper one down) are pruned to one with probability ``w_j/Σw`` and weight ``Σw``,
    as the pruned backend merges a scalar draw's fresh events; ``uniforms`` holds one
    uniform per draw for that, rescaled on the branch taken for the merge with the
    carried event (``carried``: ``-1`` for none; ``worlds``: the probabilities in its
    world; its alternate is ``F⁻¹_{π'}(V)`` with ``V`` uniform on the draw's slice, from
    ``coupling``: one per draw with a carried id). Returns the number of new event ids.
    """
    shared = probs.shape[0] == 1
    next_id = first_id
    used_coupling = 0
    for k in range(r.shape[0]):
        row = 0 if shared else k
        x = _categorical_inverse_cdf(1.0 - r[k], probs, row)
        out[k] = x
        alt[k] = x
        ev[k] = -1
        lower = 0.0
        for j in range(x):
            lower += tangents[row, j]
        upper = lower + tangents[row, x]
        down = _boundary_jumps(x, probs, tangents, row, lower, -1, 0.0)[0]
        up = _boundary_jumps(x, probs, tangents, row, -upper, 1, 0.0)[0]
        total = down + up
        u = uniforms[k]
        own = -1
        if total > 0.0:
            threshold = u * total
            if threshold < down:
                _, y, start, width = _boundary_jumps(x, probs, tangents, row, lower, -1, threshold)
            else:
                threshold -= down
                _, y, start, width = _boundary_jumps(x, probs, tangents, row, -upper, 1, threshold)
            # a fresh uniform on the branch taken, for the merge with the carried event
            u = min(max(threshold - start, 0.0) / width, _BELOW_ONE)
            own = next_id
            next_id += 1
            weights[own] = total
            alt[k] = y
            ev[k] = own
        e = carried[row]
        if e < 0:
            continue
        v = coupling[used_coupling]
        used_coupling += 1
        if weights[e] == 0.0:
            continue
        if own >= 0:
            keep, u = merge(e, own, weights, u)
            if keep == own:
                continue
        low, high = _categorical_slice(x, probs, row)
        alt[k] = _categorical_inverse_cdf(high - (high - low) * v, worlds, row)
        ev[k] = e
    return next_id - first_id


@kernel
def single_row_events(values, alternates, events, chosen, worlds):
    """Each row's one moving event and the row in its world, if no row has two.

    Rows of 2-d ``values``/``alternates``/``events``: an entry's event moves it where
    its alternate differs from its value. Fills ``chosen`` (the row's moving id, ``-1``
    for none) and ``worlds`` (the alternates of the entries it moves, the values
    elsewhere); returns ``False`` at the first row holding two different moving ids
    (they must be pruned: the caller takes the general path) and ``True`` otherwise.
    """
    rows, k = values.shape
    for r in range(rows):
        c = -1
        for j in range(k):
            e = events[r, j] if alternates[r, j] != values[r, j] else -1
            if e >= 0:
                if c >= 0 and e != c:
                    return False
                c = e
        chosen[r] = c
        for j in range(k):
            moving = events[r, j] if alternates[r, j] != values[r, j] else -1
            worlds[r, j] = alternates[r, j] if moving == c else values[r, j]
    return True


def sample_plain_categorical(evaluation, probs, size) -> np.ndarray:
    """Plain categorical draws for probabilities along the last axis of ``probs``.

    One ``primal.random(shape)`` call, ``shape`` the broadcast of ``probs.shape[:-1]`` and
    ``size``; each draw is the scalar rule's ``F⁻¹(1 − r)`` on its row.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.core.context import Evaluation
    >>> from stochad.core.random import RandomStreams
    >>> ev = Evaluation(RandomStreams.from_rng(0))
    >>> sample_plain_categorical(ev, np.array([0.0, 1.0]), (2, 3)).tolist()
    [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]
    """
    probs = check_categorical(probs)
    shape = draw_shape([probs.shape[:-1]], size)
    r = evaluation.streams.primal.random(shape)
    rows = categorical_rows(probs, shape)
    out = np.empty(r.size)
    categorical_values(r.reshape(-1), rows, out)
    return out.reshape(shape)


def categorical_rows(a, shape) -> np.ndarray:
    """``a`` (batch shape + ``(k,)``) as 2-d rows for the kernels: one shared row when the
    batch shape is empty (no copy per draw), else one row per element of ``shape``."""
    k = a.shape[-1]
    if a.ndim == 1:
        return np.ascontiguousarray(a).reshape(1, k)
    return np.ascontiguousarray(np.broadcast_to(a, tuple(shape) + (k,))).reshape(-1, k)
