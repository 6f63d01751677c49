"""The pruned backend: at most one perturbation per value, chosen at random."""

from __future__ import annotations

import math

from stochad.backends.base import Backend, register_backend
from stochad.kernels.pruning import (
    count_mixed_moving_pairs,
    count_mixed_rows,
    merge_moving_pairs,
    prune_rows,
)

__all__ = ["PrunedBackend", "choose_event"]


def choose_event(weights, uniform: float) -> int:
    """Index ``k`` chosen with probability ``|w_k| / Σ|w|`` by the uniform number ``uniform``."""
    total = 0.0
    for w in weights:
        total += abs(w)
    threshold = uniform * total
    acc = 0.0
    last = 0
    for k, w in enumerate(weights):
        if w != 0.0:
            last = k
            acc += abs(w)
            if threshold < acc:
                return k
    return last


class PrunedBackend(Backend):
    """Keep one perturbation per value: unbiased, O(1) memory per value.

    The default backend (``backend="pruned"``). When events ``a, b, …`` meet in one
    operation, one is kept with probability ``|w_k| / Σ|w|`` and its weight becomes
    ``sign(w_k)·Σ|w|``; the others die everywhere. The expectation over this choice is
    the sum of all contributions, so the estimate stays unbiased. It is the only
    perturbation-carrying backend with triple arrays. Takes no parameters.

    See Also
    --------
    ExactBackend : keeps every perturbation (lower variance, more memory).
    SmoothedBackend : no perturbations, a biased scalar derivative.

    Examples
    --------
    >>> import stochad
    >>> f = lambda p: stochad.bernoulli(p) + stochad.bernoulli(p)
    >>> stochad.stochastic_triple(f, 0.3, backend=stochad.PrunedBackend(), rng=1)
    Triple(0 + 0.0ε [1 with weight 2.85714ε])
    """

    name = "pruned"
    supports_arrays = True

    def merge_rows(self, evaluation, events):
        uniforms = evaluation.streams.aux.random(count_mixed_rows(events))
        return prune_rows(events, evaluation.events.weights, uniforms)

    def merge_operand_pair(self, evaluation, a, b):
        uniforms = evaluation.streams.aux.random(count_mixed_moving_pairs(*a, *b))
        return merge_moving_pairs(*a, *b, evaluation.events.weights, uniforms)

    def merge_events(self, evaluation, events: list) -> list:
        if len(events) <= 1:
            return events
        weights = [e.weight for e in events]
        k = choose_event(weights, evaluation.streams.aux.random())
        total = math.fsum(abs(w) for w in weights)
        chosen = events[k]
        chosen.weight = math.copysign(total, chosen.weight)
        for e in events:
            if e is not chosen:
                e.alive = False
        return [chosen]


register_backend("pruned", PrunedBackend)
