"""Primal values of discrete draws for tracers, on the primal-stream convention.

Reverse mode must see the very draws forward mode sees (THEORY.md §4), so a draw consumes
the primal stream exactly as :mod:`stochad.distributions` does: a scalar draw is
``1 − primal.random()`` fed to ``rule.inverse_cdf`` (as ``sample_scalar``); an array draw
is one ``primal.random(shape)`` call, ``shape`` the broadcast of the parameters and
``size`` (as ``sample_plain_array``). What differs is speed: the rule's scalar
``inverse_cdf`` is compiled with numba when it can be (Bernoulli's can), and the
parameter check looks at the extremes of each parameter before it falls back to checking
every element.
"""

from __future__ import annotations

import itertools
from functools import cache

import numba
import numpy as np

from stochad.distributions.base import DiscreteRule
from stochad.distributions.vectorized import _check_all, draw_shape, inverse_cdf_array

__all__ = ["primal_draw"]


def primal_draw(rule: DiscreteRule, evaluation, values, size):
    """The primal sample of ``rule`` with parameter values ``values`` (floats or arrays)."""
    primal = evaluation.streams.primal
    if size is None and all(np.ndim(v) == 0 for v in values):
        values = rule.check(*values)
        return rule.inverse_cdf(1.0 - primal.random(), *values)
    shape = draw_shape([np.shape(v) for v in values], size)
    _check_array(rule, values)
    u = 1.0 - primal.random(shape)
    return _inverse_cdf(rule, u, values)


def _integral_params(rule: DiscreteRule) -> tuple[bool, ...]:
    # the convention of inverse_cdf_array: a parameter named n is a count
    return tuple(name == "n" for name in rule.params)


def _check_array(rule: DiscreteRule, values) -> None:
    """Raise ValueError (naming the index) unless every element's parameters are valid.

    Every rule checks each parameter against an interval on its own, so checking all
    combinations of each parameter's min and max covers every element; nan and
    non-integral counts go to the element-by-element check, which names the index.
    """
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    suspicious = any(np.isnan(a).any() for a in arrays) or any(
        integral and (a != np.floor(a)).any()
        for a, integral in zip(arrays, _integral_params(rule), strict=True)
    )
    if not suspicious:
        corners = [(a.min(), a.max()) if a.size else () for a in arrays]
        try:
            for combo in itertools.product(*corners):
                rule.check(*(float(c) for c in combo))
            return
        except ValueError:
            pass
    _check_all(rule, values)


def _inverse_cdf(rule: DiscreteRule, u: np.ndarray, values) -> np.ndarray:
    kernel = _compiled(rule)
    if kernel is None:
        return inverse_cdf_array(rule, u, values)
    arrays = np.broadcast_arrays(u, *[np.asarray(v, dtype=np.float64) for v in values])
    flat = [np.ascontiguousarray(a).ravel() for a in arrays]
    return kernel(*flat).reshape(u.shape)


@cache
def _compiled(rule: DiscreteRule):
    """A numba loop over ``rule.inverse_cdf``, or None where numba cannot compile it."""
    integral = _integral_params(rule)
    if len(rule.params) != 1 or integral[0]:
        return None  # the only hot case is one float parameter (Bernoulli, Poisson, ...)
    try:
        inverse = numba.njit(rule.inverse_cdf)

        @numba.njit
        def loop(u, a):
            out = np.empty(u.size)
            for k in range(u.size):
                out[k] = inverse(u[k], a[k])
            return out

        loop(np.full(1, 0.5), np.full(1, 0.5))  # compile now, so a failure falls back
    except Exception:  # noqa: BLE001 - numba raises many types; any of them means "can't"
        return None
    return loop
