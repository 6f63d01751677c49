"""numba overloads of :mod:`stochad.distributions.special`: the same scipy C functions.

Each function is an external symbol (``numba.types.ExternalFunction``) bound to the
address of scipy.special.cython_special's C function. Kernels that call one stay
cacheable (they refer to the symbol by name; a ctypes pointer would forbid numba's cache),
so :func:`install` must add the symbols in every process before a kernel is compiled or
loaded from the cache: :func:`stochad.kernels.rules.rule_functions` calls it.
"""

from __future__ import annotations

from stochad.distributions import special
from stochad.kernels import overload

__all__ = ["install"]

_SIGNATURES = {  # stochad symbol: (cython_special name, argument types after the result)
    "stochad_pdtr": ("pdtr", ("float64", "float64", "int32")),
    "stochad_pdtrc": ("pdtrc", ("float64", "float64", "int32")),
    "stochad_bdtr": ("__pyx_fuse_1bdtr", ("float64", "int64", "float64", "int32")),
    "stochad_bdtrc": ("__pyx_fuse_1bdtrc", ("float64", "int64", "float64", "int32")),
    "stochad_ndtri": ("ndtri", ("float64", "int32")),
}
_external: dict = {}
_installed: list = []


def _function(name: str):
    """The numba external function ``name`` (numba's types are built on first use, so
    that importing stochad does not import numba)."""
    if not _external:
        from numba import types

        for symbol, (_, arguments) in _SIGNATURES.items():
            signature = types.float64(*[getattr(types, a) for a in arguments])
            _external[symbol] = types.ExternalFunction(symbol, signature)
    return _external[name]


def install() -> None:
    """Bind the external symbols to scipy's functions (once per process)."""
    if _installed:
        return
    import llvmlite.binding as llvm
    from numba.extending import get_cython_function_address

    for name, (scipy_name, _) in _SIGNATURES.items():
        address = get_cython_function_address("scipy.special.cython_special", scipy_name)
        llvm.add_symbol(name, address)
    _installed.append(True)


# the trailing 0 is cython's ``__pyx_skip_dispatch`` argument
@overload(special.pdtr)
def _pdtr_overload(k, lam):
    f = _function("stochad_pdtr")
    return lambda k, lam: f(float(k), float(lam), 0)


@overload(special.pdtrc)
def _pdtrc_overload(k, lam):
    f = _function("stochad_pdtrc")
    return lambda k, lam: f(float(k), float(lam), 0)


@overload(special.bdtr)
def _bdtr_overload(k, n, p):
    f = _function("stochad_bdtr")
    return lambda k, n, p: f(float(k), int(n), float(p), 0)


@overload(special.bdtrc)
def _bdtrc_overload(k, n, p):
    f = _function("stochad_bdtrc")
    return lambda k, n, p: f(float(k), int(n), float(p), 0)


@overload(special.ndtri)
def _ndtri_overload(u):
    f = _function("stochad_ndtri")
    return lambda u: f(float(u), 0)
