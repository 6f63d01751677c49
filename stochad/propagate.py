"""Opaque functions and random indexing on triples: ``propagate`` and ``take``."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

from stochad.arrays import TripleArray
from stochad.core.context import Evaluation, evaluation
from stochad.core.primitives import call, is_carrier, is_zero, moving_events
from stochad.errors import check_callable
from stochad.forward.sampling import alternate_args
from stochad.forward.triple import Triple
from stochad.rules.elementwise import equal, less, where
from stochad.rules.indexing import TAKE, check_indices

__all__ = ["propagate", "take"]


def propagate(f, *args):
    """Apply an arbitrary Python function (any control flow) to triples.

    The primal value is ``f`` of the primal values; each finite perturbation is ``f`` of
    that perturbation's alternate values, with the perturbation's weight. Where an argument
    carries a derivative ``δ``, ``f`` runs once on perturbation-free triples so ``δ`` flows
    through its arithmetic (``f`` must then use operators or stochad's math, and branch
    only where no infinitesimal change flips the branch).

    Parameters
    ----------
    f : callable
        a function of numbers returning a number; it must not draw random numbers.
    *args : float or Triple
        scalar arguments. Without any :class:`Triple` among them ``f(*args)`` is returned
        as is. Triple arrays and tracers raise ``TypeError``.

    Returns
    -------
    float or Triple
        ``f``'s output, as a Triple when an argument is one.

    Raises
    ------
    TypeError
        if ``f`` is not callable, draws a random number, or returns something other than
        a number (or a perturbation-free triple); if an argument is a triple array or a
        tracer.
    PerturbationLostError
        if ``f`` calls ``float()`` on an argument that carries ``δ``, or, under the
        smoothed backend, ``bool()``/``int()``/an ``if`` on one.

    See Also
    --------
    stochad.where : a branch-free selection that also works on arrays and in reverse mode.

    Examples
    --------
    >>> import stochad
    >>> def queue_length(arrivals):
    ...     n = 0
    ...     for _ in range(int(arrivals)):   # plain Python control flow
    ...         n = n + 1 if n < 3 else n
    ...     return n
    >>> def f(lam):
    ...     return stochad.propagate(queue_length, stochad.poisson(lam))
    >>> est = stochad.expected_derivative(f, 2.0, 2000, rng=0)
    >>> 0.0 < est.mean < 1.0
    True
    >>> relu2 = lambda x: x * x if x > 0 else 0.0     # δ flows through x * x
    >>> stochad.stochastic_triple(lambda p: stochad.propagate(relu2, p), 2.0)
    Triple(4.0 + 4.0ε)
    """
    check_callable("f", f)
    for a in args:
        if is_carrier(a) and not isinstance(a, Triple):
            # f would see the array (or tracer) itself and never run on its alternates
            raise TypeError(
                f"propagate takes numbers and scalar triples, got a {type(a).__name__}; "
                "index single elements (x[i] is a scalar triple) or use array operations"
            )
    triples = [a for a in args if isinstance(a, Triple)]
    if not triples:
        return f(*args)
    ev = triples[0].evaluation
    # f runs once per alternate, so a draw inside it would be neither coupled nor on the
    # primal sample path: f runs on streams that refuse every draw.
    body = Evaluation(_NO_STREAMS, ev.backend)
    body.branching = True  # f's control flow on δ-only values is what propagate is for
    with evaluation(body):
        if any(not is_zero(t.delta) for t in triples):
            duals = [
                Triple(a.value, a.delta, {}, body) if isinstance(a, Triple) else a for a in args
            ]
            out = _check_output(f(*duals), body)
            out_value, out_delta = (out.value, out.delta) if isinstance(out, Triple) else (out, 0.0)
        else:
            out_value = _check_output(
                f(*[a.value if isinstance(a, Triple) else a for a in args]), body
            )
            out_delta = 0.0
        alternates = {}
        for event in ev.backend.merge_events(ev, moving_events(triples)):
            alternates[event] = _check_output(f(*alternate_args(args, event)), body)
    return Triple(out_value, out_delta, alternates, ev)


class _NoDraws:
    def __call__(self, *args, **kwargs):
        self.refuse()

    def __getattr__(self, name):
        self.refuse()

    @staticmethod
    def refuse():
        raise TypeError(
            "propagate: f must not draw random numbers (it runs once per alternate value, "
            "so its draws would be neither coupled nor on the primal sample path)"
        )


class _NoStreams:
    """The random streams ``f`` sees inside ``propagate``: any draw raises TypeError."""

    primal = aux = uniform = _NoDraws()


_NO_STREAMS = _NoStreams()


def _check_output(out, body=None):
    closure = is_carrier(out) and out.evaluation is not body
    if closure or isinstance(out, Triple) and is_carrier(out.value):
        # a triple f did not get as an argument: f would run on its primal value only
        raise TypeError(
            "propagate: f uses a stochastic triple it did not receive as an argument (a "
            "closure); pass it as an argument, propagate(f, x, t), so f runs on its "
            "alternates too"
        )
    if isinstance(out, Triple) and out.alternates:
        raise TypeError("propagate: f must not draw random numbers (its output carries jumps)")
    if not isinstance(out, (Real, Triple)):
        raise TypeError(f"propagate: f must return a number, got {type(out).__name__}")
    return out


def _take_array(seq, i):
    """``take`` with an array of indices (ndarray, triple array or tracer), elementwise."""
    if not seq:
        raise ValueError("take: seq must hold at least one value, got an empty sequence")
    if all(np.ndim(e) == 0 and not is_carrier(e) for e in seq):
        return call(TAKE, i, np.asarray(seq, dtype=np.float64))
    # entries that are arrays or carry perturbations: a chain of where, so each element
    # keeps its own perturbations (and meets the index's in the pruned merge)
    k = len(seq)
    check_indices(i.value if is_carrier(i) else i, k)
    if isinstance(i, TripleArray):
        check_indices(i.alternate, k, "alternate index")
    i = i + k * less(i, 0)
    out = seq[k - 1]
    for j in range(k - 2, -1, -1):
        out = where(equal(i, j), seq[j], out)
    return out


def _check_index(i, length: int, what: str) -> int:
    if isinstance(i, bool) or not isinstance(i, Real) or i != math.floor(i):
        raise TypeError(f"take: {what} must be a whole number, got {i!r}")
    i = int(i)
    if not -length <= i < length:
        raise ValueError(f"take: {what} {i} is out of range for a sequence of length {length}")
    return i


def take(seq, i):
    """``seq[i]`` for a random index triple ``i``, keeping every perturbation.

    In an alternate world where ``i`` jumps to ``i'``, the result is ``seq[i']`` in that
    world (elements that are triples stay coupled to the same event). The derivative ``δ``
    is that of the selected element.

    Parameters
    ----------
    seq : sequence of float or Triple (or of arrays and triple arrays, for an array ``i``)
        the values to choose from.
    i : int, Triple, ndarray, TripleArray or Tracer
        the index, a whole number in ``-len(seq)..len(seq)-1``, typically from
        :func:`stochad.categorical` or :func:`stochad.bernoulli`; an array of indices
        picks elementwise (``seq[i[n]][n]`` for array entries).

    Returns
    -------
    float, Triple, ndarray, TripleArray or Tracer
        ``seq[i]``; a Triple when ``i`` is one, an array of ``i``'s shape for an array
        ``i``.

    Raises
    ------
    TypeError
        if ``i`` (or one of its alternate values) is not a whole number.
    ValueError
        if ``i`` (or an alternate) is out of range, or ``i`` carries a smoothed
        derivative (``backend="smoothed"``).

    See Also
    --------
    stochad.categorical, stochad.where

    Examples
    --------
    >>> import stochad
    >>> rewards = [0.0, 5.0, 1.0]
    >>> f = lambda p: stochad.take(rewards, stochad.categorical([1 - p, p / 2, p / 2]))
    >>> r = stochad.expected_derivative(f, 0.4, 4000, rng=0)   # E = 3p: d/dp = 3
    >>> abs(r.mean - 3.0) < 5 * r.stderr
    True
    >>> g = lambda p: stochad.take(rewards, stochad.categorical([1 - p, p / 2, p / 2], size=4000))
    >>> est = stochad.derivative_estimate(g, 0.4, rng=0)      # 4000 lanes at once
    >>> bool(abs(est.mean() - 3.0) < 5 * est.std() / est.size ** 0.5)
    True
    """
    seq = list(seq)
    if isinstance(i, np.ndarray) or (is_carrier(i) and not isinstance(i, Triple)):
        return _take_array(seq, i)
    if not isinstance(i, Triple):
        return seq[_check_index(i, len(seq), "index")]
    if not is_zero(i.delta):
        # only a smoothed index carries δ: a selection has no slope to chain it through
        raise ValueError(
            "take: the index carries a smoothed derivative, which indexing cannot pass on "
            "(the smoothed rule of a random index is undefined); use backend='pruned' or "
            "'dict', or write the selection as arithmetic on the draws"
        )
    ev = i.evaluation
    chosen = seq[_check_index(i.value, len(seq), "index")]
    if not isinstance(chosen, Triple):
        chosen = Triple(chosen, 0.0, {}, ev)
    alternates = {}
    events = moving_events([i, chosen])
    for event in ev.backend.merge_events(ev, events):
        if event in i.alternates:
            element = seq[_check_index(i.alternates[event], len(seq), "alternate index")]
            alternates[event] = (
                element.alternates.get(event, element.value)
                if isinstance(element, Triple)
                else element
            )
        else:
            alternates[event] = chosen.alternates[event]
    return Triple(chosen.value, chosen.delta, alternates, ev)
