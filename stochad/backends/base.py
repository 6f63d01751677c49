"""The backend interface and lookup by name."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Backend", "get_backend", "alive_events"]


class Backend:
    """Decides which perturbations survive when events meet in one operation.

    ``carries_perturbations`` is False for the smoothed backend, which folds every
    discrete draw into the tangent (δ) instead.
    """

    name: str = "backend"
    carries_perturbations: bool = True
    supports_arrays: bool = False
    scalar_only_reason: str = "it has no array form"
    """Why a backend without ``supports_arrays`` works on scalar programs only."""

    def select(self, evaluation, events: list) -> list:
        """Return the events to keep out of the distinct alive ``events``."""
        raise NotImplementedError

    def draw_tangent(self, rule, x, params, tangents):
        """The tangent of a discrete draw ``x``, for backends without perturbations."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def alive_events(perturbation_maps: Iterable[dict]) -> list:
    """Distinct alive events of several operands, in first-seen order."""
    seen: dict = {}
    for alts in perturbation_maps:
        for event in alts:
            if event.alive and event.weight != 0.0 and event not in seen:
                seen[event] = None
    return list(seen)


_NAMES = ("pruned", "dict", "exact", "smoothed")


def get_backend(backend) -> Backend:
    """Resolve ``"pruned"``, ``"dict"`` (or ``"exact"``), ``"smoothed"`` or a Backend."""
    from stochad.backends.exact import ExactBackend
    from stochad.backends.pruned import PrunedBackend
    from stochad.backends.smoothed import SmoothedBackend

    if isinstance(backend, Backend):
        return backend
    if backend == "pruned":
        return PrunedBackend()
    if backend in ("dict", "exact"):
        return ExactBackend()
    if backend == "smoothed":
        return SmoothedBackend()
    raise ValueError(f"backend must be one of {_NAMES} or a Backend instance, got {backend!r}")
