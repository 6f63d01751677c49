"""The distributions' own scalar rule functions, made callable from compiled kernels.

The distribution modules write ``inverse_cdf``, ``cdf``, ``jump`` and ``mean_partials``
in plain ``math`` so that they compile unchanged. :func:`rule_functions` wraps one
registered rule's functions in a fixed calling convention, ``(…, a, b)`` with two float
parameters (one-parameter rules ignore ``b``; a ``count`` parameter is cast to int), and
registers them with numba (``register_jitable``: still plain Python when called from
Python). Kernels are built per rule from these (see :mod:`stochad.kernels.sampling`), so
no table of rule names is written by hand: a new distribution module is picked up from
:data:`stochad.distributions.DISTRIBUTIONS`.

:func:`fingerprint` hashes the source of the module a rule's functions live in; the
kernels hold it as a closure constant, which numba puts in its cache key, so editing a
distribution module recompiles its kernels instead of loading stale machine code.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from types import SimpleNamespace

from stochad.distributions import DISTRIBUTIONS, DiscreteRule
from stochad.kernels import register_jitable, special

__all__ = ["rule_functions", "fingerprint", "require_array_kernel"]


def require_array_kernel(rule: DiscreteRule) -> None:
    """Raise a clear error for a rule that the array kernels do not draw."""
    if not rule.array_kernel:
        kernels = sorted(name for name, r in DISTRIBUTIONS.items() if r.array_kernel)
        raise NotImplementedError(
            f"{rule.name} has no array kernel; array draws support {kernels} (draw "
            f"{rule.name} as scalars in a loop)"
        )


def fingerprint(rule: DiscreteRule, *modules) -> str:
    """A hash of the source of the modules that define ``rule``'s functions, and ``modules``.

    Each module is read once (a rule's functions usually share one).
    """
    functions = (rule.inverse_cdf, rule.cdf, rule.jump, rule.mean_partials)
    sources = {function.__module__: function for function in functions}
    sources.update({module.__name__: None for module in modules})
    hasher = hashlib.sha256()
    for name, function in sources.items():
        try:
            hasher.update(inspect.getsource(sys.modules[name]).encode())
        except (OSError, TypeError):  # no source on disk: key on the bytecode instead
            hasher.update(function.__code__.co_code if function is not None else name.encode())
    return hasher.hexdigest()


def _register_module_helpers(rule: DiscreteRule) -> None:
    """Make the helpers a rule's functions call (``log_pmf``, ...) callable from numba.

    They are the plain functions defined in the rule's module; ``register_jitable`` only
    adds a compiled overload, so Python callers are unaffected.
    """
    module = sys.modules[rule.inverse_cdf.__module__]
    for value in list(vars(module).values()):
        if inspect.isfunction(value) and value.__module__ == module.__name__:
            register_jitable(value)


def rule_functions(rule: DiscreteRule) -> SimpleNamespace:
    """``inverse_cdf(u, a, b)``, ``cdf(k, a, b)``, ``jump(x, d, a, b)``, ``mean_partial(i, a, b)``.

    numba compiles these into the kernels of ``rule`` (see the module docstring).
    """
    require_array_kernel(rule)
    special.install()  # before any kernel is compiled or loaded from numba's cache
    _register_module_helpers(rule)
    inverse_cdf = register_jitable(rule.inverse_cdf)
    cdf = register_jitable(rule.cdf)
    jump = register_jitable(rule.jump)
    mean_partials = register_jitable(rule.mean_partials)
    if len(rule.params) == 1:

        def inverse_cdf2(u, a, b):
            return inverse_cdf(u, a)

        def cdf2(k, a, b):
            return cdf(k, a)

        def jump2(x, d, a, b):
            return jump(x, d, a)

        def mean_partial2(i, a, b):
            return mean_partials(a)[0]

    elif rule.kinds[0] == "count":

        def inverse_cdf2(u, a, b):
            return inverse_cdf(u, int(a), b)

        def cdf2(k, a, b):
            return cdf(k, int(a), b)

        def jump2(x, d, a, b):
            return jump(x, d, int(a), b)

        def mean_partial2(i, a, b):
            partials = mean_partials(int(a), b)
            return partials[0] if i == 0 else partials[1]

    else:

        def inverse_cdf2(u, a, b):
            return inverse_cdf(u, a, b)

        def cdf2(k, a, b):
            return cdf(k, a, b)

        def jump2(x, d, a, b):
            return jump(x, d, a, b)

        def mean_partial2(i, a, b):
            partials = mean_partials(a, b)
            return partials[0] if i == 0 else partials[1]

    return SimpleNamespace(
        inverse_cdf=register_jitable(inverse_cdf2),
        cdf=register_jitable(cdf2),
        jump=register_jitable(jump2),
        mean_partial=register_jitable(mean_partial2),
    )
