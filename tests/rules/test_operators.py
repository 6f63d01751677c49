"""The operator mixin: numpy functions on carriers mean the stochad function of that name.

Checked on all three carriers (scalar triple, triple array, reverse-mode tracer): the
result equals the stochad spelling of the same program on the same seed, and numpy
functions without a stochad meaning raise ``TypeError`` instead of silently converting.
"""

from __future__ import annotations

import numpy as np
import pytest

import stochad


def numpy_spelling(x):
    y = np.concatenate([x, 2 * x])
    z = np.stack([x, x], axis=1)
    return (
        np.sum(np.dot(np.ones((2, 3)), x))
        + np.mean(y)
        + np.sum(np.where(x > 0.5, x, -x))
        + np.sum(np.maximum(x, 0.2))
        + np.sum(np.reshape(z, (-1,)))
        + np.sum(np.transpose(z))
        + np.sum(x.ravel()) * np.ndim(x) * np.size(x) / np.shape(x)[0]
    )


def stochad_spelling(x):
    y = stochad.concatenate([x, 2 * x])
    z = stochad.stack([x, x], axis=1)
    return (
        stochad.sum(stochad.dot(np.ones((2, 3)), x))
        + stochad.mean(y)
        + stochad.sum(stochad.where(x > 0.5, x, -x))
        + stochad.sum(stochad.maximum(x, 0.2))
        + stochad.sum(stochad.reshape(z, (-1,)))
        + stochad.sum(stochad.transpose(z))
        + stochad.sum(x) * 1 * 3 / 3
    )


def drawn(spelling):
    return lambda p: spelling(stochad.bernoulli(p, size=3) + p)


@pytest.mark.parametrize("backend", ["pruned", "smoothed"])
def test_numpy_functions_on_triple_arrays_match_stochad_functions(backend):
    for seed in range(3):
        by_numpy = stochad.derivative_estimate(
            drawn(numpy_spelling), 0.4, backend=backend, rng=seed
        )
        by_stochad = stochad.derivative_estimate(
            drawn(stochad_spelling), 0.4, backend=backend, rng=seed
        )
        assert by_numpy == pytest.approx(by_stochad, rel=1e-12)


def test_numpy_functions_on_tracers_match_stochad_functions():
    x = np.array([0.1, 0.7, -0.3])
    by_numpy = stochad.grad(numpy_spelling)(x)
    np.testing.assert_allclose(by_numpy, stochad.grad(stochad_spelling)(x), rtol=1e-12)


def test_numpy_function_without_a_stochad_meaning_raises_type_error():
    def f(p):
        return np.linalg.norm(stochad.bernoulli(p, size=3))

    with pytest.raises(TypeError, match="numpy.linalg.norm"):
        stochad.derivative_estimate(f, 0.3, rng=0)
