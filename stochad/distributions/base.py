"""The record that holds one discrete distribution's rules, and the registry of them.

Every discrete draw uses inverse-CDF coupling: ``X = F⁻¹(U)`` with one uniform ``U`` from
the primal stream, ``X = min{k : F(k) ≥ U}``. From that single choice follow

* the *jump rule* (docs/theory.md §2): under ``p + ε`` the draw jumps to a neighbour ``Y`` at
  rate ``w``, found from how the CDF boundaries around ``X`` move;
* the *coupled alternate*: when a parameter carries a finite perturbation ``θ → θ'``, the
  alternate draw is ``F⁻¹_{θ'}(V)`` with ``V`` uniform on ``(F_θ(X−1), F_θ(X)]``;
* the *smoothed rule*: the derivative of the mean ("straight-through"), or the ½–½ average
  of the right and left jumps ("symmetric");
* the *reverse rule*: the smoothed partials times the cotangent.

The rule functions are plain scalar Python on ``math`` only, so the array kernels compile
the very same functions with numba.

A distribution is one module that builds its :class:`DiscreteRule` and calls
:func:`register_distribution`; samplers, array kernels and parameter checks all read the
registry :data:`DISTRIBUTIONS`. Users register their own distributions the same way
(``array_kernel=False``: scalar draws only) and draw from them with
:func:`stochad.sample`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from stochad.core.primitives import is_zero

__all__ = [
    "DiscreteRule", "DISTRIBUTIONS", "register_distribution", "coupled_uniform",
    "smoothed_draw_derivative", "PARAMETER_KINDS", "MAX_COUNT", "MIN_TAIL_PROBABILITY",
]  # fmt: skip

PARAMETER_KINDS = (
    "probability", "open_probability", "tail_probability", "count", "rate", "positive", "real"
)  # fmt: skip
"""What a parameter may be: its range, for the vectorized check of array parameters.

``probability`` [0, 1]; ``open_probability`` (0, 1]; ``tail_probability``
[:data:`MIN_TAIL_PROBABILITY`, 1] (a geometric's ``p``: below it the draws pass 1e15 and
stop being exact floats); ``count`` a whole number in [0, :data:`MAX_COUNT`]; ``rate`` in
[0, :data:`MAX_COUNT`] (the bound keeps every draw, and the sums of small ones, finite and fast);
``positive`` finite and > 0; ``real`` finite.
"""

MAX_COUNT = 10**7
"""The largest count ``n`` or rate ``λ`` a draw accepts. Binomial and Poisson draws cost O(1)
expected CDF evaluations above a mean of 30 (scipy's incomplete beta/gamma functions);
the negative binomial's walk over its pmf is O(mean), which the bound keeps finite."""
MIN_TAIL_PROBABILITY = 1e-15
"""The smallest geometric ``p``: its draws (mean ``1/p``) stay exact integers in float64."""

_VALID = {
    "probability": lambda q: (0.0 <= q) & (q <= 1.0),
    "open_probability": lambda q: (0.0 < q) & (q <= 1.0),
    "tail_probability": lambda q: (MIN_TAIL_PROBABILITY <= q) & (q <= 1.0),
    "count": lambda q: (q >= 0) & (q == np.floor(q)) & (q <= MAX_COUNT),
    "rate": lambda q: (q >= 0.0) & (q <= MAX_COUNT),
    "positive": lambda q: (q > 0.0) & (q < np.inf),
    "real": lambda q: np.isfinite(q),
}


@dataclass(frozen=True)
class DiscreteRule:
    """The rules of one discrete distribution with parameters ``params``.

    Attributes
    ----------
    name : str
        the registry key (and the sampler's name).
    params : tuple of str
        the parameter names, in call order.
    kinds : tuple of str
        each parameter's kind (see :data:`PARAMETER_KINDS`): the vectorized check of array
        parameters; the scalar ``check`` gives the message.
    differentiable : int
        the index of the one parameter that may carry a derivative δ (``p`` of a
        binomial; ``n`` is a count and only carries finite perturbations); ``-1`` where
        no single parameter does (the categorical, whose jumps need every tangent).
    array_kernel : bool
        whether the numba kernels draw it (built-ins); a user's rule draws scalars only.

    Examples
    --------
    A geometric distribution written as its own rule (numpy's convention, trials until
    the first success), registered and drawn like a built-in:

    >>> import math, stochad
    >>> from stochad.distributions import DiscreteRule, register_distribution
    >>> def cdf(k, p):
    ...     return 0.0 if k < 1 else 1.0 - (1.0 - p) ** math.floor(k)
    >>> def inverse_cdf(u, p):      # trials until the first success: a loop of Bernoullis
    ...     k = 1
    ...     while cdf(k, p) < u:
    ...         k += 1
    ...     return k
    >>> def jump(x, d, p):          # raising p shortens the run by one (docs/theory.md §2)
    ...     if d > 0 and x > 1:
    ...         return x - 1, d * (x - 1) / (p * (1 - p))
    ...     if d < 0:
    ...         return x + 1, -d * x / p
    ...     return x, 0.0
    >>> trials = DiscreteRule(
    ...     "trials_until_success", ("p",), kinds=("open_probability",),
    ...     check=lambda p: (float(p),), inverse_cdf=inverse_cdf, cdf=cdf, jump=jump,
    ...     mean_partials=lambda p: (-1.0 / p**2,), differentiable=0, array_kernel=False)
    >>> _ = register_distribution(trials)
    >>> r = stochad.expected_derivative(
    ...     lambda p: stochad.sample("trials_until_success", p), 0.5, 4000, rng=0)
    >>> abs(r.mean - (-4.0)) < 5 * r.stderr     # d(1/p)/dp at p = 1/2
    True
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
    differentiable: int
    kinds: tuple[str, ...] = ()
    coupled: Callable | None = None
    """Special coupling ``coupled(x, params, alt_params, aux_rng)``; default inverse CDF."""
    score: Callable[..., tuple] | None = None
    """``score(x, *params)``: ``∂ log P(X = x) / ∂θ`` for each parameter (score function)."""
    coupled_array: Callable | None = None
    """The array form of ``coupled``: ``coupled_array(y, params, alt_params, aux_rng)``,
    vectorized over the elements whose ``count`` parameters move; ``y`` holds their
    alternates coupled by the inverse CDF with the counts at their primal values (the
    kernels' part), the result the final alternates. Required with ``coupled`` for array
    draws."""
    jumps: Callable | None = None
    """``jumps(x, params, tangents)``: every own jump at once, for a rule whose jumps need
    all tangents together (the categorical); ``None`` uses ``jump``."""
    array_kernel: bool = False
    bounds: Callable | None = None
    """``bounds(*arrays)``: an elementwise range check beyond the kinds (the negative
    binomial's mean bound), so array draws refuse what a scalar draw's ``check`` does."""

    def __post_init__(self):
        if len(self.kinds) != len(self.params):
            raise ValueError(
                f"kinds must give one kind per parameter {self.params}, got kinds={self.kinds}"
            )
        for kind in self.kinds:
            if kind not in PARAMETER_KINDS:
                raise ValueError(f"kinds must be among {PARAMETER_KINDS}, got {kind!r}")

    def require_tangents_allowed(self, tangents) -> None:
        """Raise ``ValueError`` if a parameter other than ``differentiable`` has a tangent.

        A count (binomial ``n``) carries finite perturbations only: a continuous
        derivative of it has no jump rule. ``tangents`` are floats, arrays or ``None``.
        """
        for i, t in enumerate(tangents):
            if i != self.differentiable and not is_zero(t):
                raise ValueError(
                    f"{self.name}: parameter {self.params[i]} is a count and cannot carry a "
                    "continuous derivative; only finite perturbations"
                )

    def valid(self, *arrays) -> np.ndarray:
        """Elementwise: are these (broadcast) parameter arrays in range? (nan fails)."""
        ok = np.ones(np.broadcast_shapes(*[np.shape(a) for a in arrays]), dtype=bool)
        for kind, a in zip(self.kinds, arrays, strict=True):
            ok = ok & _VALID[kind](a)
        if self.bounds is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                ok = ok & self.bounds(*arrays)
        return ok

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
        if strategy == "symmetric" and i == rule.differentiable:
            alt_right, w_right = rule.jump(x, 1.0, *params)
            alt_left, w_left = rule.jump(x, -1.0, *params)
            per_unit = 0.5 * (w_right * (alt_right - x) - w_left * (alt_left - x))
            total = total + per_unit * d
        else:
            total = total + partial * d
    return total


DISTRIBUTIONS: dict[str, DiscreteRule] = {}
"""Every registered discrete distribution, by name, in registration order."""


def register_distribution(rule: DiscreteRule) -> DiscreteRule:
    """Add ``rule`` to :data:`DISTRIBUTIONS` (a name already taken raises ValueError).

    Registering the same record twice is a no-op, so a module may be re-imported.

    Parameters
    ----------
    rule : DiscreteRule

    Returns
    -------
    DiscreteRule
        ``rule`` itself, so a module can write ``NAME = register_distribution(...)``.

    Raises
    ------
    TypeError
        if ``rule`` is not a :class:`DiscreteRule`.
    ValueError
        if another rule already has its name.

    Examples
    --------
    See :class:`DiscreteRule` for a whole distribution written and registered by a user.

    >>> from stochad.distributions import DISTRIBUTIONS, register_distribution
    >>> register_distribution(DISTRIBUTIONS["bernoulli"]) is DISTRIBUTIONS["bernoulli"]
    True
    """
    if not isinstance(rule, DiscreteRule):
        raise TypeError(f"rule must be a DiscreteRule, got {type(rule).__name__}")
    known = DISTRIBUTIONS.get(rule.name)
    if known is not None and known is not rule:
        raise ValueError(f"a distribution named {rule.name!r} is already registered")
    DISTRIBUTIONS[rule.name] = rule
    return rule
