"""The distributions' own scalar rule functions, made callable from compiled kernels.

The distribution modules write ``inverse_cdf``, ``cdf``, ``jump`` and ``mean_partials``
in plain ``math`` so that they compile unchanged: here they are registered with numba
(``register_jitable``: still the same Python functions when called from Python) and
dispatched on an integer ``kind``, so one compiled kernel serves every distribution.
Every rule takes two parameters ``a, b``; one-parameter rules ignore ``b``.
"""

from __future__ import annotations

from numba.extending import register_jitable

from stochad.distributions import bernoulli, binomial, geometric, poisson

__all__ = ["KINDS", "kind_of", "inverse_cdf", "cdf", "jump", "mean_partial"]

KINDS = {"bernoulli": 0, "binomial": 1, "geometric": 2, "poisson": 3}

for _module in (bernoulli, binomial, geometric, poisson):
    for _name in ("inverse_cdf", "cdf", "jump", "mean_partials", "log_pmf"):
        if hasattr(_module, _name):
            register_jitable(getattr(_module, _name))


def kind_of(rule) -> int:
    """The kernel code of a :class:`~stochad.distributions.base.DiscreteRule`."""
    try:
        return KINDS[rule.name]
    except KeyError:
        raise NotImplementedError(
            f"{rule.name} has no array kernel; array draws support {sorted(KINDS)}"
        ) from None


@register_jitable
def inverse_cdf(kind, u, a, b):
    if kind == 0:
        return bernoulli.inverse_cdf(u, a)
    if kind == 1:
        return binomial.inverse_cdf(u, int(a), b)
    if kind == 2:
        return geometric.inverse_cdf(u, a)
    return poisson.inverse_cdf(u, a)


@register_jitable
def cdf(kind, k, a, b):
    if kind == 0:
        return bernoulli.cdf(k, a)
    if kind == 1:
        return binomial.cdf(k, int(a), b)
    if kind == 2:
        return geometric.cdf(k, a)
    return poisson.cdf(k, a)


@register_jitable
def jump(kind, x, d, a, b):
    """``(alternate, weight)`` of the draw's own jump for the continuous parameter's δ."""
    if kind == 0:
        return bernoulli.jump(x, d, a)
    if kind == 1:
        return binomial.jump(x, d, int(a), b)
    if kind == 2:
        return geometric.jump(x, d, a)
    return poisson.jump(x, d, a)


@register_jitable
def mean_partial(kind, i, a, b):
    """``∂E[X]/∂`` parameter ``i``."""
    if kind == 0:
        return bernoulli.mean_partials(a)[0]
    if kind == 1:
        partials = binomial.mean_partials(int(a), b)
        return partials[0] if i == 0 else partials[1]
    if kind == 2:
        return geometric.mean_partials(a)[0]
    return poisson.mean_partials(a)[0]
