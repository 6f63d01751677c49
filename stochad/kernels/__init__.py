"""numba kernels for triple arrays, each with its plain-Python twin.

Every kernel is an ordinary Python function compiled with ``numba.njit(cache=True)``;
:class:`Kernel` calls the compiled version, or the very same Python function
(``.python``) when numba is switched off with :func:`use_numba` or the environment
variable ``STOCHAD_NUMBA=0``. Helpers the kernels share are ``register_jitable``: plain
Python when called from Python, inlined when called from compiled code, so the Python
path is numba-free. The tests check compiled == Python, bit for bit, and both against
independent numpy references (in ``tests/kernels``).

Random numbers never come from numba's generator (it cannot be seeded from Python and
is seeded per thread under ``parallel=True``): callers draw uniforms in numpy from the
user's generator and pass them in. Kernels run sequentially (no ``parallel=True``):
pruning mutates the shared event table, so a fixed order is what makes results
deterministic.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator

__all__ = [
    "Kernel", "kernel", "use_numba", "numba_enabled", "cached_njit", "register_jitable",
    "overload", "numba_module",
]  # fmt: skip

_enabled = os.environ.get("STOCHAD_NUMBA", "1") != "0"
_warned_no_cache = []

# numba is imported on first compile, not by ``import stochad`` (it is about half of the
# import time, and ``STOCHAD_NUMBA=0`` never needs it): the helpers that kernels call are
# registered with numba then, in the order they were declared.
_numba: list = []
_pending: list = []  # registrations to make once numba is loaded: f(numba.extending)


def numba_module():
    """The ``numba`` module, imported on first use, with every pending helper registered."""
    if not _numba:
        import numba
        import numba.extending

        _numba.append(numba)
    numba = _numba[0]
    while _pending:
        _pending.pop(0)(numba.extending)
    return numba


def _declare(registration: Callable) -> None:
    _pending.append(registration)
    if _numba:  # numba is already loaded: register now, as numba.extending would
        numba_module()


def register_jitable(function: Callable) -> Callable:
    """``numba.extending.register_jitable``, deferred until numba is first needed.

    The function stays the plain Python function (as numba's decorator returns it), so
    Python callers never touch numba; compiled kernels see it once :func:`numba_module`
    has registered it, which :func:`cached_njit` does before compiling anything.

    Examples
    --------
    >>> from stochad.kernels import register_jitable
    >>> @register_jitable
    ... def twice(x):
    ...     return 2 * x
    >>> twice(3)
    6
    """
    _declare(lambda extending: extending.register_jitable(function))
    return function


def overload(target: Callable, **options) -> Callable:
    """``numba.extending.overload(target, **options)`` as a decorator, deferred like
    :func:`register_jitable` (the implementation is registered on numba's first use)."""

    def decorate(implementation: Callable) -> Callable:
        _declare(lambda extending: extending.overload(target, **options)(implementation))
        return implementation

    return decorate


def cached_njit(function: Callable | None = None, **options):
    """``numba.njit(cache=True, **options)``, or without a cache where none can be written.

    A read-only install with no writable cache directory makes numba refuse
    ``cache=True`` when the function is decorated (at import): compile without a cache
    then, with one warning, instead of failing ``import stochad``. Usable as
    ``@cached_njit`` or ``@cached_njit(parallel=True)`` on a module-level function (one
    defined interactively has no file to cache next to, and gets the warning); see
    :mod:`stochad.snn.kernels` for both forms.
    """
    if function is None:
        return lambda f: cached_njit(f, **options)
    numba = numba_module()
    try:
        return numba.njit(cache=True, **options)(function)
    except RuntimeError as err:  # numba: "cannot cache function ...: no locator available"
        if not _warned_no_cache:
            _warned_no_cache.append(True)
            warnings.warn(
                f"numba cannot cache compiled kernels here ({err}); compiling them in "
                "every process instead (set NUMBA_CACHE_DIR to a writable folder to cache)",
                RuntimeWarning,
                stacklevel=2,
            )
        return numba.njit(cache=False, **options)(function)


class Kernel:
    """A function with a compiled (numba) and a plain-Python implementation.

    The compiled twin is made on first use, so ``STOCHAD_NUMBA=0`` never touches numba's
    compiler or cache.
    """

    def __init__(self, function: Callable):
        self.python = function
        self._compiled = None
        self.__name__ = function.__name__
        self.__doc__ = function.__doc__

    @property
    def compiled(self):
        if self._compiled is None:
            self._compiled = cached_njit(self.python)
        return self._compiled

    def __call__(self, *args):
        return (self.compiled if _enabled else self.python)(*args)


def kernel(function: Callable) -> Kernel:
    """Decorator: make ``function`` a :class:`Kernel`."""
    return Kernel(function)


def numba_enabled() -> bool:
    """Whether kernels currently run compiled."""
    return _enabled


@contextlib.contextmanager
def use_numba(enabled: bool) -> Iterator[None]:
    """Run kernels compiled (``True``) or as plain Python (``False``) inside the block.

    The triple-array kernels give the same results either way (bit for bit); plain Python
    is slower but easier to debug and step through. The previous setting is restored on
    exit. The default at import comes from the environment variable ``STOCHAD_NUMBA``
    (``0`` turns compilation off). The setting is module-global, not per thread.

    Parameters
    ----------
    enabled : bool
        compile (``True``) or run the Python twins (``False``); any value is read as a
        truth value.

    Yields
    ------
    None

    See Also
    --------
    numba_enabled : the current setting.

    Examples
    --------
    >>> import stochad
    >>> from stochad.kernels import numba_enabled, use_numba
    >>> with use_numba(False):
    ...     est = stochad.derivative_estimate(
    ...         lambda p: stochad.bernoulli(p, size=3).sum(), 0.5, rng=0)
    ...     inside = numba_enabled()
    >>> inside, float(est) in (0.0, 2.0, 4.0, 6.0)
    (False, True)
    """
    global _enabled
    previous, _enabled = _enabled, bool(enabled)
    try:
        yield
    finally:
        _enabled = previous
