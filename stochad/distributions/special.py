"""The special functions the distributions' rules call: scipy.special's C implementations.

``pdtr``/``pdtrc`` (Poisson CDF and its complement), ``bdtr``/``bdtrc`` (binomial) and
``ndtri`` (the standard normal quantile) cost O(1) each (cephes' incomplete gamma and beta
functions), so a quantile found from a normal approximation and corrected by a few CDF
steps is O(1) expected. From Python these call ``scipy.special.cython_special`` (loaded on
first use, not by ``import stochad``); compiled kernels call the very same C functions
(:mod:`stochad.kernels.special` gives numba an overload of each), so a kernel and its
Python twin agree bit for bit.
"""

from __future__ import annotations

__all__ = ["pdtr", "pdtrc", "bdtr", "bdtrc", "ndtri"]

_module: list = []


def _cs():
    if not _module:
        from scipy.special import cython_special  # deferred: the first O(1) quantile

        _module.append(cython_special)
    return _module[0]


def pdtr(k, lam):
    """``P(X <= k)`` for ``X ~ Poisson(lam)`` (``k`` a whole number >= 0)."""
    return _cs().pdtr(k, lam)


def pdtrc(k, lam):
    """``P(X > k)`` for ``X ~ Poisson(lam)``."""
    return _cs().pdtrc(k, lam)


def bdtr(k, n, p):
    """``P(X <= k)`` for ``X ~ Binomial(n, p)`` (``0 <= k < n``)."""
    return _cs().bdtr(float(k), int(n), p)


def bdtrc(k, n, p):
    """``P(X > k)`` for ``X ~ Binomial(n, p)``."""
    return _cs().bdtrc(float(k), int(n), p)


def ndtri(u):
    """The standard normal quantile."""
    return _cs().ndtri(u)
