"""Sampling kernels: inverse-CDF draws with their jumps, couplings and smoothed tangents.

Conventions (:mod:`stochad.distributions.vectorized`): ``r`` holds one primal uniform per
element, drawn by numpy, and ``X = F⁻¹(1 − r)``. Parameter arrays ``a, b`` and tangents
are 1-d, as long as ``r`` (broadcast views with stride 0 are fine).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from stochad.distributions.vectorized import (
    check_array_params,
    draw_shape,
    flat_params,
    inverse_cdf_array,
)
from stochad.kernels import kernel, pruning
from stochad.kernels.pruning import merge
from stochad.kernels.rules import fingerprint, rule_functions

__all__ = [
    "draw_values", "draw_with_jumps", "couple", "smoothed_tangent", "kernels_for",
    "sample_plain_array",
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
    source_key = fingerprint(rule, pruning)

    @kernel
    def draw_values(r, a, b, out):
        """Primal draws ``F⁻¹(1 − r)`` into the float64 array ``out``."""
        _ = source_key
        for k in range(r.shape[0]):
            out[k] = inverse_cdf(1.0 - r[k], a[k], b[k])

    @kernel
    def draw_with_jumps(r, a, b, d, weights, first_id, values, alternates, events):
        """Primal draws and their own jumps (docs/theory.md §2) for tangents ``d``.

        Fills ``values``, ``alternates`` and ``events`` (allocated by numpy, whose large
        arrays get huge pages; numba's own allocations fault page by page). Each element
        with a jump gets the next event id from ``first_id`` on, its weight written to
        ``weights``; returns the number of ids used.
        """
        _ = source_key
        n = r.shape[0]
        next_id = first_id
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
        return next_id - first_id

    @kernel
    def couple(values, a, b, alt_a, alt_b, carried, weights, coupling, choices, alt, ev):
        """Add the parameters' perturbations (``carried`` ids) to a draw, in place.

        The alternate draw of a carried event is ``F⁻¹_{θ'}(V)`` with ``V`` uniform on the
        primal draw's slice ``(F_θ(X−1), F_θ(X)]`` (``coupling``: one uniform per element with
        a carried id). Where the draw's own jump (``ev``) also lives, the two are pruned
        (``choices``: one uniform per such element).
        """
        _ = source_key
        used_coupling = 0
        used_choices = 0
        for k in range(values.shape[0]):
            e = carried[k]
            if e < 0:
                continue
            v = coupling[used_coupling]
            used_coupling += 1
            own = ev[k]
            u = 0.5
            if own >= 0:
                u = choices[used_choices]
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
    shape = draw_shape([q.shape for q in params], size)
    check_array_params(rule, params, shape)
    r = evaluation.streams.primal.random(shape)
    if not rule.array_kernel:
        return inverse_cdf_array(rule, 1.0 - r, params)
    a, b = flat_params(params, shape)
    return draw_values(rule, r.reshape(-1), a, b, np.empty(r.size)).reshape(shape)
