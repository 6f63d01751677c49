"""At the edge of a parameter's domain every backend gives the one-sided derivative from
inside it (the convention of docs/theory.md §2): pruned, dict, smoothed (both strategies),
reverse mode and array draws agree, in both directions, and none halves it."""

import numpy as np
import pytest

import stochad

# (name, program of the parameter, boundary point, exact one-sided derivative of E[X])
CASES = [
    ("bernoulli at 0", lambda p: stochad.bernoulli(p), 0.0, 1.0),
    ("bernoulli at 1", lambda p: stochad.bernoulli(p), 1.0, 1.0),
    ("binomial at 0", lambda p: stochad.binomial(5, p), 0.0, 5.0),
    ("binomial at 1", lambda p: stochad.binomial(5, p), 1.0, 5.0),
    ("poisson at 0", lambda lam: stochad.poisson(lam), 0.0, 1.0),
    ("geometric at 1", lambda p: stochad.geometric(p), 1.0, -1.0),
    ("negative binomial at 1", lambda p: stochad.negative_binomial(3.0, p), 1.0, -3.0),
]
BACKENDS = ["pruned", "dict", "smoothed", stochad.SmoothedBackend("symmetric")]


@pytest.mark.parametrize("name, program, point, exact", CASES, ids=[c[0] for c in CASES])
def test_every_backend_gives_the_inside_derivative(name, program, point, exact):
    # the draw is deterministic at the boundary, so every estimate is exact
    for backend in BACKENDS:
        for direction in (1.0, -1.0):
            est = stochad.derivative_estimate(
                program, point, backend=backend, direction=direction, rng=0
            )
            assert est == pytest.approx(exact * direction), (backend, direction)
    assert stochad.grad(program, rng=0)(point) == pytest.approx(exact)
    symmetric = stochad.grad(program, rng=0, backend=stochad.SmoothedBackend("symmetric"))
    assert symmetric(point) == pytest.approx(exact)


@pytest.mark.parametrize("name, program, point, exact", CASES[:6], ids=[c[0] for c in CASES[:6]])
def test_array_draws_follow_the_same_convention(name, program, point, exact):
    def draws(q):
        if "binomial at" in name:
            return stochad.binomial(5, q, size=4)
        sampler = {"bernoulli": stochad.bernoulli, "poisson": stochad.poisson,
                   "geometric": stochad.geometric}[name.split()[0]]  # fmt: skip
        return sampler(q, size=4)

    for backend in ("pruned", "smoothed", stochad.SmoothedBackend("symmetric")):
        est = stochad.derivative_estimate(draws, point, backend=backend, rng=1)
        np.testing.assert_allclose(est, np.full(4, exact))
