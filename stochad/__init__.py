"""stochad: automatic differentiation of programs with discrete randomness.

Forward mode with stochastic triples (Arya et al. 2022), smoothing, and reverse mode.

Examples
--------
>>> import stochad
>>> def f(p):
...     return stochad.bernoulli(p) * 2.0 + p
>>> r = stochad.expected_derivative(f, 0.3, 2000, rng=0)   # d/dp (2p + p) = 3
>>> abs(r.mean - 3.0) < 5 * r.stderr
True
"""

from stochad import distributions
from stochad.api import (
    DerivativeEstimate,
    VectorizeError,
    delta,
    derivative_contribution,
    derivative_estimate,
    expected_derivative,
    perturbations,
    smoothed_delta,
    stochastic_triple,
    value,
)
from stochad.arrays import TripleArray
from stochad.backends import ExactBackend, PrunedBackend, SmoothedBackend
from stochad.core.context import using_rng
from stochad.core.random import seed
from stochad.errors import PerturbationLostError, PerturbationLostWarning
from stochad.estimators import finite_difference_estimate, score_function_estimate
from stochad.forward.triple import Perturbation, Triple
from stochad.propagate import propagate, take
from stochad.reverse import grad, value_and_grad
from stochad.rules import surrogates
from stochad.rules.elementwise import (
    cos,
    exp,
    log,
    maximum,
    minimum,
    sigmoid,
    sin,
    sqrt,
    tanh,
    where,
)
from stochad.rules.logpdf import gammaln, logpdf, pdf
from stochad.rules.structural import (
    concatenate,
    dot,
    matmul,
    mean,
    reshape,
    stack,
    sum,
    transpose,
)
from stochad.rules.surrogates import heaviside
from stochad.samplers import (
    bernoulli,
    binomial,
    categorical,
    exponential,
    geometric,
    multivariate_normal,
    negative_binomial,
    normal,
    poisson,
    sample,
)

__version__ = "0.1.0"

__all__ = [
    "DerivativeEstimate", "ExactBackend", "Perturbation", "PerturbationLostError",
    "PerturbationLostWarning", "VectorizeError",
    "PrunedBackend", "SmoothedBackend", "Triple", "TripleArray", "bernoulli", "binomial",
    "categorical",
    "cos", "delta", "derivative_contribution", "derivative_estimate", "exp",
    "expected_derivative", "exponential", "geometric", "log", "maximum", "minimum", "normal",
    "perturbations", "poisson", "propagate", "seed", "sigmoid", "sin", "smoothed_delta",
    "sqrt", "stochastic_triple", "take", "tanh", "using_rng", "value", "where", "sum", "mean",
    "matmul", "dot", "reshape", "transpose", "concatenate", "stack", "negative_binomial",
    "sample", "distributions",
    "grad", "value_and_grad", "heaviside", "surrogates",
    "logpdf", "pdf", "gammaln", "multivariate_normal",
    "score_function_estimate", "finite_difference_estimate",
]  # fmt: skip
