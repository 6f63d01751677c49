"""Sampling kernels: inverse-CDF draws with their jumps, couplings and smoothed tangents.

Conventions (:mod:`stochad.distributions.vectorized`): ``r`` holds one primal uniform per
element, drawn by numpy, and ``X = F⁻¹(1 − r)``. Parameter arrays ``a, b`` and tangents
are 1-d, as long as ``r`` (broadcast views with stride 0 are fine).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from stochad.kernels import kernel
from stochad.kernels import rules as R
from stochad.kernels.pruning import merge

__all__ = ["draw_values", "draw_with_jumps", "couple", "smoothed_tangent", "kernels_for"]


def _specialize(kind: int) -> SimpleNamespace:
    """The sampling kernels of one distribution.

    ``kind`` is a closure constant, so numba compiles the rule dispatch away in each
    specialization (cached separately: closure values are part of numba's cache key).
    """

    @kernel
    def draw_values(r, a, b, out):
        """Primal draws ``F⁻¹(1 − r)`` into the float64 array ``out``."""
        for k in range(r.shape[0]):
            out[k] = R.inverse_cdf(kind, 1.0 - r[k], a[k], b[k])

    @kernel
    def draw_with_jumps(r, a, b, d, weights, first_id, values, alternates, events):
        """Primal draws and their own jumps (THEORY.md §2) for continuous-parameter tangents ``d``.

        Fills ``values``, ``alternates`` and ``events`` (allocated by numpy, whose large
        arrays get huge pages; numba's own allocations fault page by page). Each element
        with a jump gets the next event id from ``first_id`` on, its weight written to
        ``weights``; returns the number of ids used.
        """
        n = r.shape[0]
        next_id = first_id
        for k in range(n):
            x = R.inverse_cdf(kind, 1.0 - r[k], a[k], b[k])
            y, w = R.jump(kind, x, d[k], a[k], b[k])
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
            low = R.cdf(kind, x - 1.0, a[k], b[k])
            high = R.cdf(kind, x, a[k], b[k])
            alt[k] = R.inverse_cdf(kind, high - (high - low) * v, alt_a[k], alt_b[k])
            ev[k] = e

    @kernel
    def smoothed_tangent(symmetric, values, a, b, da, db, continuous, out):
        """The smoothed δ of each draw (THEORY.md §3): derivative of the mean, or symmetric.

        ``symmetric`` averages the right and left jumps of the continuous parameter
        (index ``continuous``) with weight ½; other parameters use the mean's derivative.
        """
        for k in range(values.shape[0]):
            x = values[k]
            total = 0.0
            for i in range(2):
                d = da[k] if i == 0 else db[k]
                if d == 0.0:
                    continue
                if symmetric and i == continuous:
                    y_right, w_right = R.jump(kind, x, 1.0, a[k], b[k])
                    y_left, w_left = R.jump(kind, x, -1.0, a[k], b[k])
                    total += 0.5 * (w_right * (y_right - x) - w_left * (y_left - x)) * d
                else:
                    total += R.mean_partial(kind, i, a[k], b[k]) * d
            out[k] = total

    return SimpleNamespace(
        draw_values=draw_values,
        draw_with_jumps=draw_with_jumps,
        couple=couple,
        smoothed_tangent=smoothed_tangent,
    )


_KERNELS: dict[int, SimpleNamespace] = {}


def kernels_for(kind: int) -> SimpleNamespace:
    """The sampling kernels of distribution ``kind`` (compiled on first use)."""
    if kind not in _KERNELS:
        _KERNELS[kind] = _specialize(kind)
    return _KERNELS[kind]


def draw_values(kind, r, a, b, out):
    """Primal draws ``F⁻¹(1 − r)`` of distribution ``kind`` into ``out``; returns it.

    (Kernels built in a closure return no arrays: numba's cache can mix up the boxing
    environments of closures that share a name, so arrays come back through ``out``.)
    """
    kernels_for(kind).draw_values(r, a, b, out)
    return out


def draw_with_jumps(kind, *args):
    """See ``_specialize``: draws with their own jumps; returns the ids used."""
    return kernels_for(kind).draw_with_jumps(*args)


def couple(kind, *args):
    """See ``_specialize``: add the parameters' perturbations to a draw, in place."""
    return kernels_for(kind).couple(*args)


def smoothed_tangent(kind, *args):
    """See ``_specialize``: the smoothed δ of each draw (a new array)."""
    out = np.zeros(args[1].shape[0])
    kernels_for(kind).smoothed_tangent(*args, out)
    return out
