"""A small pool of large array buffers, reused once nothing refers to them any more.

A draw of ``n`` elements writes three fresh arrays of ``n`` values. For large ``n`` the
operating system hands out new pages each time and zeroes them on first touch, which costs
as much as the draw itself. Programs evaluate the same shapes again and again (one
derivative estimate after another), so the pool keeps the buffers of finished evaluations
and hands them out again.

A buffer is free when only the pool refers to it: every array made from it (a reshape, a
slice) holds a reference to it, so CPython's reference count tells. Buffers are never
handed out twice while in use, and results a caller keeps are never overwritten.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

__all__ = ["empty", "clear"]

MIN_BYTES = 1 << 20
"""Smaller arrays come straight from numpy: their pages are cheap."""
MAX_BYTES = 512 << 20
"""The pool forgets its oldest buffers beyond this many bytes (in use or not)."""

_pool: list[np.ndarray] = []
_lock = threading.Lock()


def _references_when_free() -> int:
    """The reference count a pooled buffer shows in ``_take`` when nothing else holds it."""
    probe = np.empty(1)
    holder = [probe]
    del probe
    for buffer in holder:
        return sys.getrefcount(buffer)
    raise AssertionError("unreachable")


_FREE = _references_when_free()


def _take(n: int, dtype: np.dtype) -> np.ndarray | None:
    for buffer in _pool:
        if buffer.size == n and buffer.dtype == dtype and sys.getrefcount(buffer) <= _FREE:
            return buffer
    return None


def empty(n: int, dtype=np.float64) -> np.ndarray:
    """A 1-d array of ``n`` elements with undefined contents, like ``np.empty(n, dtype)``.

    Examples
    --------
    >>> from stochad.arrays import buffers
    >>> a = buffers.empty(1 << 18)
    >>> address = a.ctypes.data
    >>> del a                                   # nothing refers to it any more
    >>> buffers.empty(1 << 18).ctypes.data == address
    True
    """
    dtype = np.dtype(dtype)
    if n * dtype.itemsize < MIN_BYTES:
        return np.empty(n, dtype)
    with _lock:
        buffer = _take(n, dtype)
        if buffer is None:
            buffer = np.empty(n, dtype)
            _pool.append(buffer)
            while sum(b.nbytes for b in _pool) > MAX_BYTES:
                del _pool[0]  # a buffer still in use lives on with its users
        return buffer


def clear() -> None:
    """Forget every pooled buffer (their memory goes back once no array uses it)."""
    with _lock:
        _pool.clear()
