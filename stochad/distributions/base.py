"""The record that holds one discrete distribution's rules, and the scalar triple sampler.

Every discrete draw uses inverse-CDF coupling: ``X = F⁻¹(U)`` with one uniform ``U`` from
the primal stream, ``X = min{k : F(k) ≥ U}``. From that single choice follow

* the *jump rule* (THEORY.md §2): under ``p + ε`` the draw jumps to a neighbour ``Y`` at
  rate ``w``, found from how the CDF boundaries around ``X`` move;
* the *coupled alternate*: when a parameter carries a finite perturbation ``θ → θ'``, the
  alternate draw is ``F⁻¹_{θ'}(V)`` with ``V`` uniform on ``(F_θ(X−1), F_θ(X)]``;
* the *smoothed rule*: the derivative of the mean ("straight-through"), or the ½–½ average
  of the right and left jumps ("symmetric");
* the *reverse rule*: the smoothed partials times the cotangent.

The rule functions are plain scalar Python on ``math`` only, so the array kernels compile
the very same functions with numba.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stochad.backends.base import alive_events
from stochad.core.context import Evaluation
from stochad.core.triple import Triple

__all__ = ["DiscreteRule", "sample_scalar", "coupled_uniform", "smoothed_draw_derivative"]


@dataclass(frozen=True)
class DiscreteRule:
    """The rules of one discrete distribution with parameters ``params``.

    ``continuous`` names the index of the one parameter that may carry a derivative
    (``p`` of a binomial; ``n`` is a count and only carries finite perturbations).
    """

    name: str
    params: tuple[str, ...]
    check: Callable[..., tuple]
    """Validate primal parameters; returns them normalized; raises ValueError naming them."""
    inverse_cdf: Callable[..., int]
    """``inverse_cdf(u, *params)``: the smallest ``k`` with ``F(k) >= u``."""
    cdf: Callable[..., float]
    """``cdf(k, *params)``: ``P(X <= k)``."""
    jump: Callable[..., tuple[float, float]]
    """``jump(x, d, *params) -> (alternate, weight)``; weight 0 where there is no jump."""
    mean_partials: Callable[..., tuple]
    """``mean_partials(*params)``: derivative of ``E[X]`` by each parameter."""
    continuous: int
    coupled: Callable | None = None
    """Special coupling ``coupled(x, params, alt_params, aux_rng)``; default inverse CDF."""
    score: Callable[..., tuple] | None = None
    """``score(x, *params)``: ``∂ log P(X = x) / ∂θ`` for each parameter (score function)."""

    def alternate(self, x, params, alt_params, aux_rng):
        """The alternate draw in the world where the parameters are ``alt_params``."""
        if self.coupled is not None:
            return self.coupled(self, x, params, alt_params, aux_rng)
        return self.inverse_cdf(coupled_uniform(self.cdf, x, params, aux_rng), *alt_params)


def coupled_uniform(cdf, x, params, aux_rng) -> float:
    """A uniform on ``(F(x−1), F(x)]``: the primal draw's own slice of the unit interval."""
    low = cdf(x - 1, *params)
    high = cdf(x, *params)
    return high - (high - low) * aux_rng.random()


def smoothed_draw_derivative(rule: DiscreteRule, strategy: str, x, params, deltas):
    """The smoothed scalar derivative of a draw ``x`` given the parameters' tangents."""
    partials = rule.mean_partials(*params)
    total = 0.0
    for i, (partial, d) in enumerate(zip(partials, deltas, strict=True)):
        if d == 0:
            continue
        if strategy == "symmetric" and i == rule.continuous:
            alt_right, w_right = rule.jump(x, 1.0, *params)
            alt_left, w_left = rule.jump(x, -1.0, *params)
            per_unit = 0.5 * (w_right * (alt_right - x) - w_left * (alt_left - x))
            total = total + per_unit * d
        else:
            total = total + partial * d
    return total


def discrete_triple(evaluation: Evaluation, x, new_jumps, args, alternate_of) -> Triple:
    """Assemble a draw's triple from its new jumps and its parameters' perturbations.

    ``new_jumps`` are ``(alternate, weight)`` pairs created by this draw;
    ``alternate_of(event)`` computes the coupled alternate draw for an event carried by
    one of the triple ``args``. The backend decides which of all these survive.
    """
    backend = evaluation.backend
    fresh = {}
    for alt, weight in new_jumps:
        if weight != 0.0:
            fresh[evaluation.new_event(weight)] = alt
    carried = alive_events(a.alts for a in args if isinstance(a, Triple))
    alts = {}
    for event in backend.select(evaluation, carried + list(fresh)):
        alts[event] = fresh[event] if event in fresh else alternate_of(event)
    return Triple(x, 0.0, alts, evaluation)


def sample_scalar(rule: DiscreteRule, evaluation: Evaluation, args):
    """Draw one sample of ``rule`` with parameters ``args`` (floats or triples)."""
    values = [a.value if isinstance(a, Triple) else a for a in args]
    values = rule.check(*values)
    u = 1.0 - evaluation.streams.primal.random()
    x = rule.inverse_cdf(u, *values)
    triples = [a for a in args if isinstance(a, Triple)]
    if not triples:
        return x
    deltas = [a.delta if isinstance(a, Triple) else 0.0 for a in args]
    backend = evaluation.backend
    if not backend.carries_perturbations:
        return Triple(x, backend.draw_tangent(rule, x, values, deltas), {}, evaluation)
    for i, d in enumerate(deltas):
        if i != rule.continuous and d != 0:
            raise ValueError(
                f"{rule.name}: parameter {rule.params[i]} is a count and cannot carry a "
                f"continuous derivative (its tangent is {d!r}); only finite perturbations"
            )
    d = deltas[rule.continuous]
    new_jumps = [rule.jump(x, d, *values)] if d != 0 else []

    def alternate_of(event):
        alt_params = [a.alts.get(event, a.value) if isinstance(a, Triple) else a for a in args]
        try:
            alt_params = rule.check(*alt_params)
        except ValueError as err:
            raise ValueError(f"in an alternate world of {rule.name}: {err}") from None
        return rule.alternate(x, values, alt_params, evaluation.streams.aux)

    return discrete_triple(evaluation, x, new_jumps, args, alternate_of)
