"""numba overloads of :mod:`stochad.distributions.special`: the same scipy C functions.

Each function is an external symbol (``numba.types.ExternalFunction``) bound to the
address of scipy.special.cython_special's C function. Kernels that call one stay
cacheable (they refer to the symbol by name; a ctypes pointer would forbid numba's cache),
so :func:`install` must add the symbols in every process before a kernel is compiled or
loaded from the cache: :func:`stochad.kernels.rules.rule_functions` calls it.
"""

from __future__ import annotations

from numba import types
from numba.extending import overload

from stochad.distributions import special

__all__ = ["install"]

_d = types.float64
_SIGNATURES = {  # stochad symbol: (cython_special name, numba signature)
    "stochad_pdtr": ("pdtr", _d(_d, _d, types.int32)),
    "stochad_pdtrc": ("pdtrc", _d(_d, _d, types.int32)),
    "stochad_bdtr": ("__pyx_fuse_1bdtr", _d(_d, types.int64, _d, types.int32)),
    "stochad_bdtrc": ("__pyx_fuse_1bdtrc", _d(_d, types.int64, _d, types.int32)),
    "stochad_ndtri": ("ndtri", _d(_d, types.int32)),
}
_EXTERNAL = {name: types.ExternalFunction(name, sig) for name, (_, sig) in _SIGNATURES.items()}
_installed: list = []


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
_pdtr, _pdtrc = _EXTERNAL["stochad_pdtr"], _EXTERNAL["stochad_pdtrc"]
_bdtr, _bdtrc = _EXTERNAL["stochad_bdtr"], _EXTERNAL["stochad_bdtrc"]
_ndtri = _EXTERNAL["stochad_ndtri"]


@overload(special.pdtr)
def _pdtr_overload(k, lam):
    return lambda k, lam: _pdtr(float(k), float(lam), 0)


@overload(special.pdtrc)
def _pdtrc_overload(k, lam):
    return lambda k, lam: _pdtrc(float(k), float(lam), 0)


@overload(special.bdtr)
def _bdtr_overload(k, n, p):
    return lambda k, n, p: _bdtr(float(k), int(n), float(p), 0)


@overload(special.bdtrc)
def _bdtrc_overload(k, n, p):
    return lambda k, n, p: _bdtrc(float(k), int(n), float(p), 0)


@overload(special.ndtri)
def _ndtri_overload(u):
    return lambda u: _ndtri(float(u), 0)
