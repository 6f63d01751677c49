"""Building blocks of generated test programs for reverse mode.

Each layer maps an array of shape ``(..., 3)`` to the same shape, using operators, stochad
functions and numpy ufuncs, so one program runs on plain arrays (finite differences), on
tracers (``stochad.grad``) and on forward triples. Smooth everywhere except two kinks
(``where``, ``maximum``) placed at thresholds generated inputs do not hit exactly.
"""

from __future__ import annotations

import numpy as np

import stochad
from stochad import surrogates

M = np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]])

SMOOTH = {
    "tanh": lambda x: stochad.tanh(x) * 1.5,
    "sigmoid_res": lambda x: stochad.sigmoid(x) + x,
    "poly": lambda x: x * x * 0.3 - x,
    "gauss": lambda x: stochad.exp(-x * x),
    "trig": lambda x: stochad.sin(x) * stochad.cos(x),
    "soft_abs": lambda x: stochad.sqrt(x * x + 1.0),
    "rational": lambda x: x / (1.0 + x * x),
    "log": lambda x: stochad.log(1.0 + x**2),
    "rpow": lambda x: 2.0 ** stochad.tanh(x) - 1.0,
    "matmul_right": lambda x: x @ M,
    "matmul_left": lambda x: (M @ x.T).T,
    "center": lambda x: x - stochad.mean(x, axis=-1).reshape(x.shape[:-1] + (1,)),
    "colsum": lambda x: x * stochad.sum(x, axis=0) / 3.0,
    "reverse": lambda x: x[..., ::-1] * 1.1,
    "concat_slice": lambda x: stochad.concatenate([x, 2.0 * x], axis=-1)[..., 1:4],
    "stack": lambda x: stochad.sum(stochad.stack([x, x * x], axis=0), axis=0),
    "transpose": lambda x: stochad.transpose(stochad.transpose(x) * 1.2),
    "ufuncs": lambda x: np.tanh(x) + np.sin(x) * 0.5,
    "divide": lambda x: 1.0 / (2.0 + stochad.sigmoid(x)),
    "where": lambda x: stochad.where(x > 0.3713, x * x, x),
    "maximum": lambda x: stochad.maximum(x, 0.2 * x + 0.1234),
}

STOCHASTIC = {
    "bernoulli": lambda x: x + 1.3 * stochad.bernoulli(stochad.sigmoid(x)),
    "bernoulli_mul": lambda x: x * (0.5 + stochad.bernoulli(stochad.sigmoid(2.0 * x))),
    "poisson": lambda x: x + 0.2 * stochad.poisson(stochad.exp(stochad.tanh(x))),
    "binomial": lambda x: x + 0.3 * stochad.binomial(4, stochad.sigmoid(x)),
    "escape_noise": lambda x: x + stochad.bernoulli(surrogates.fast_sigmoid(3.0).cdf(x - 0.2)),
    "heaviside": lambda x: x + stochad.heaviside(x - 0.3, surrogates.logistic(2.0)),
}
"""Stochastic layers that work elementwise on scalars and on arrays."""

SCALAR_ONLY = {
    "geometric": lambda x: x - 0.1 * stochad.geometric(0.1 + 0.8 * stochad.sigmoid(x)),
    "categorical": lambda x: (
        x
        + stochad.categorical(
            [0.5 * stochad.sigmoid(x), 0.5 * stochad.sigmoid(x), 1.0 - stochad.sigmoid(x)]
        )
    ),
    "normal": lambda x: x + stochad.normal(0.1 * x, stochad.exp(0.2 * x)),
    "exponential": lambda x: x + stochad.exponential(stochad.sigmoid(x)),
}
"""Stochastic layers for scalar programs (their samplers take scalar parameters)."""


def compose(names, table):
    """The program applying ``table[name]`` in order, reduced to a scalar."""
    layers = [table[name] for name in names]

    def program(x):
        for layer in layers:
            x = layer(x)
        return stochad.sum(stochad.sin(x) + 0.5 * x * x)

    return program
