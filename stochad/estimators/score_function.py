"""The score-function (REINFORCE) estimator, as a backend of the forward engine.

Under :class:`ScoreFunctionBackend` every discrete draw keeps its sampled value fixed (tangent
0, no jumps) and adds ``∂ log P(X; θ)/∂θ · δθ`` to the run's score; continuous dependence on
``p`` still flows through ``δ`` (reparameterized draws, ``p`` used directly). The estimate
``δ(f) + (f − b)·score`` is unbiased for any constant baseline ``b``.
"""

from __future__ import annotations

from stochad.backends.base import Backend
from stochad.core.context import Evaluation, evaluation
from stochad.core.random import RandomStreams
from stochad.errors import check_callable, check_finite
from stochad.forward.triple import Triple

__all__ = ["ScoreFunctionBackend", "score_function_estimate"]


class ScoreFunctionBackend(Backend):
    """Accumulate the score ``Σ_k ∂ log P(X_k)/∂p`` of one run's discrete draws.

    Under this backend every discrete draw keeps its sampled value (tangent 0, no jumps)
    and adds its score times the parameter's tangent to :attr:`score`. It is the engine of
    :func:`score_function_estimate`, which combines the score with the output; on its own
    in :func:`stochad.derivative_estimate` it would return only the pathwise part ``δ``.
    Scalar-only (array draws raise ``NotImplementedError``). Takes no parameters.

    Attributes
    ----------
    score : float
        the accumulated score of the run so far (0 on construction).
    """

    name = "score-function"
    scalar_only_reason = "the score-function estimator is implemented for scalar draws"
    carries_perturbations = False

    def __init__(self):
        self.score = 0.0

    def merge_events(self, evaluation, events: list) -> list:
        return []

    def draw_tangent(self, rule, x, params, tangents):
        partials = rule.score(x, *params)
        for partial, d in zip(partials, tangents, strict=True):
            if d != 0:
                self.score += partial * d
        return 0.0


def score_function_estimate(f, p: float, *, rng=None, baseline: float = 0.0) -> float:
    """One score-function (REINFORCE) sample ``δ(f) + (f − baseline)·score`` of ``d/dp E[f(p)]``.

    Discrete draws stay fixed and contribute ``∂ log P(X; p)/∂p`` to the score; continuous
    dependence on ``p`` (``p`` used directly, reparameterized normal/exponential draws)
    flows through ``δ(f)``. Unbiased for any constant ``baseline``; its variance grows
    with ``|f − baseline|``.

    Parameters
    ----------
    f : callable
        the program (stochad samplers inside, scalar draws only); returns a number or a
        Triple.
    p : float
        the point, finite.
    rng : None, int or numpy.random.Generator
    baseline : float
        a finite constant subtracted from ``f`` to reduce variance.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        if ``f`` is not callable, ``p`` or ``baseline`` is not a real number, or ``rng``
        has another type.
    ValueError
        if ``p`` or ``baseline`` is not finite, or a sampler's parameter is out of range.
    NotImplementedError
        if ``f`` draws arrays (``size=`` or array parameters).

    See Also
    --------
    finite_difference_estimate, stochad.derivative_estimate

    Examples
    --------
    >>> import numpy as np, stochad
    >>> from stochad.estimators import score_function_estimate
    >>> score_function_estimate(stochad.bernoulli, 0.3, rng=1, baseline=0.5)   # X = 0
    0.7142857142857143
    >>> g = np.random.default_rng(0)
    >>> est = [score_function_estimate(stochad.bernoulli, 0.3, rng=g) for _ in range(4000)]
    >>> bool(abs(np.mean(est) - 1.0) < 5 * np.std(est) / np.sqrt(4000))
    True
    """
    check_callable("f", f)
    p = check_finite("p", p)
    baseline = check_finite("baseline", baseline)
    backend = ScoreFunctionBackend()
    ev = Evaluation(RandomStreams.from_rng(rng), backend)
    with evaluation(ev):
        out = f(Triple(p, 1.0, {}, ev))
    if isinstance(out, Triple):
        return float(out.delta + (out.value - baseline) * backend.score)
    return float((out - baseline) * backend.score)
