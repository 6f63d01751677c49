"""The exact ("dict") backend: every perturbation is kept, keyed by its event."""

from __future__ import annotations

from stochad.backends.base import Backend

__all__ = ["ExactBackend"]


class ExactBackend(Backend):
    """Keep every perturbation (lower variance; memory grows with the number of events)."""

    name = "dict"

    def select(self, evaluation, events: list) -> list:
        return events
