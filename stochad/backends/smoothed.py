"""The smoothed backend: discrete draws fold into the tangent, no perturbations."""

from __future__ import annotations

from stochad.backends.base import Backend, register_backend
from stochad.distributions.base import smoothed_draw_derivative
from stochad.kernels.sampling import smoothed_tangent

__all__ = ["SmoothedBackend", "STRATEGIES"]

STRATEGIES = ("straight-through", "symmetric")


class SmoothedBackend(Backend):
    """Replace each draw's triple by the scalar ``δ̃ = δ + E[w·(Y − X) | X]``.

    ``strategy="straight-through"`` (default) uses the derivative of the draw's mean,
    independent of the sampled value: the surrogate-gradient choice of Gygax & Zenke.
    ``strategy="symmetric"`` averages the left and right jumps with weight ½
    (StochasticAD.jl's default). Smoothed derivatives are biased once draws feed
    nonlinearly into later draws, but they are scalars, so reverse mode
    (:func:`stochad.grad`) can carry them. Works on scalars and triple arrays.

    Parameters
    ----------
    strategy : {"straight-through", "symmetric"}
        how a discrete draw's left and right jumps are combined.

    Raises
    ------
    ValueError
        for another ``strategy``.

    See Also
    --------
    stochad.smoothed_delta, stochad.grad, PrunedBackend

    Examples
    --------
    >>> import stochad
    >>> from stochad.backends import SmoothedBackend
    >>> t = stochad.stochastic_triple(stochad.bernoulli, 0.25, backend=SmoothedBackend())
    >>> float(stochad.smoothed_delta(t))
    1.0
    >>> t = stochad.stochastic_triple(stochad.bernoulli, 0.3, backend=SmoothedBackend("symmetric"),
    ...                               rng=1)
    >>> stochad.value(t), round(stochad.smoothed_delta(t), 6)   # X = 0: 1 / (2(1 - p))
    (0, 0.714286)
    """

    name = "smoothed"
    carries_perturbations = False
    supports_arrays = True

    def __init__(self, strategy: str = "straight-through"):
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got strategy={strategy!r}")
        self.strategy = strategy

    def merge_events(self, evaluation, events: list) -> list:
        return []

    def draw_tangent(self, rule, x, params, tangents):
        """The smoothed derivative of the draw ``x`` given its parameters' tangents."""
        return smoothed_draw_derivative(rule, self.strategy, x, params, tangents)

    def draw_partial(self, rule, x, values, i):
        # straight-through: the derivative of the mean, the same for every drawn value
        if self.strategy == "straight-through":
            return rule.mean_partials(*values)[i]
        return super().draw_partial(rule, x, values, i)

    def draw_tangent_array(self, rule, x, params, tangents):
        """The smoothed derivative of each draw, by the compiled kernel of ``rule``."""
        (a, b), (da, db) = params, tangents
        symmetric = self.strategy == "symmetric"
        return smoothed_tangent(rule, symmetric, x, a, b, da, db, rule.differentiable)

    def __repr__(self) -> str:
        return f"SmoothedBackend(strategy={self.strategy!r})"


register_backend("smoothed", SmoothedBackend)
