"""Backends: what happens when perturbations of different events meet.

Importing this package registers the built-in backends by name (see
:func:`~stochad.backends.base.get_backend`).
"""

from stochad.backends.base import BACKENDS, Backend, get_backend, register_backend
from stochad.backends.exact import ExactBackend
from stochad.backends.pruned import PrunedBackend
from stochad.backends.smoothed import SmoothedBackend

__all__ = [
    "BACKENDS", "Backend", "get_backend", "register_backend", "ExactBackend", "PrunedBackend",
    "SmoothedBackend",
]  # fmt: skip
