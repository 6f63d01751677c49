"""Backends: what happens when perturbations of different events meet."""

from stochad.backends.base import Backend, get_backend
from stochad.backends.exact import ExactBackend
from stochad.backends.pruned import PrunedBackend
from stochad.backends.smoothed import SmoothedBackend

__all__ = ["Backend", "get_backend", "ExactBackend", "PrunedBackend", "SmoothedBackend"]
