"""The exact ("dict") backend: every perturbation is kept, keyed by its event."""

from __future__ import annotations

from stochad.backends.base import Backend, register_backend

__all__ = ["ExactBackend"]


class ExactBackend(Backend):
    """Keep every perturbation (lower variance; memory grows with the number of events).

    ``backend="dict"`` or ``"exact"``. Alternates of the same event combine coherently.
    Scalar-only: triple arrays (array draws, ``size=``) raise ``NotImplementedError``; an
    array ``p`` in :func:`stochad.derivative_estimate` becomes an object array of
    triples. Takes no parameters.

    See Also
    --------
    PrunedBackend

    Examples
    --------
    >>> import stochad
    >>> f = lambda p: stochad.bernoulli(p) + stochad.bernoulli(p)
    >>> stochad.stochastic_triple(f, 0.3, backend=stochad.ExactBackend(), rng=1)
    Triple(0 + 0.0ε [1 with weight 1.42857ε] [1 with weight 1.42857ε])
    """

    name = "dict"
    scalar_only_reason = (
        "it keeps every perturbation of every value, which has no fixed-size array form"
    )

    def merge_events(self, evaluation, events: list) -> list:
        return events


register_backend("dict", ExactBackend)
register_backend("exact", ExactBackend)
