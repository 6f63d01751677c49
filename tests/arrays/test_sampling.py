"""Array draws whose parameters carry perturbations (stochad/arrays/sampling.py)."""

import numpy as np
import pytest

import stochad
from stochad.arrays import sampling
from tests.walk_reference import estimator_distribution, moments, walk


def test_an_event_that_leaves_the_parameter_unmoved_does_not_compete_with_the_own_jump():
    n = 2000
    seen = {}

    def f(q):
        a = stochad.bernoulli(0.5 * q, size=n)  # every lane that drew 0 carries an event
        theta = 0.3 + 0.0 * a + 0.1 * q  # that event moves θ by 0 (Δ = 0)
        b = stochad.bernoulli(theta)
        seen["a"], seen["b"] = a, b
        return b

    stochad.stochastic_triple(f, 0.5, rng=3)
    a, b = seen["a"], seen["b"]
    jumped = stochad.value(b) == 0
    # b's own jumps keep their own weight δθ/(1 − θ) (nothing merged into them) and a's
    # events survive: no lane prunes the two against each other
    np.testing.assert_array_equal(b.weight[jumped], np.full(jumped.sum(), 0.1 / 0.65))
    assert np.all(b.weight[~jumped] == 0.0)
    carried = stochad.value(a) == 0
    np.testing.assert_array_equal(a.weight[carried], np.full(carried.sum(), 0.5 / 0.75))


def test_four_step_walk_has_the_scalar_paths_exact_distribution():
    # the first walk length where a zero-Δ carried event meets an own jump (p = 1): the
    # scalar pruned estimator takes 6 values; variance 0.580 (1.048 if they competed)
    exact = estimator_distribution(1.0, 4)
    lanes = stochad.expected_derivative(lambda q: walk(q, 4), 1.0, 40_000, rng=5, vectorize=True)
    values = np.round(lanes.samples, 9)
    support = {round(v, 9) for v in exact}
    assert set(np.unique(values)) <= support
    for v, q in exact.items():
        freq = np.mean(values == round(v, 9))
        assert abs(freq - q) <= 5 * np.sqrt(q * (1 - q) / values.size), (v, freq, q)
    assert moments(exact)[1] < 0.6


def _walk(q, steps=8):
    x = np.zeros(q.shape)
    for _ in range(steps):
        up = stochad.exp(-x / q)
        x = x + 2 * stochad.bernoulli(up) - 1
    return x


def _mixed(q):
    g = stochad.geometric(0.2 + q / 4)
    s = stochad.poisson(1 + g * 0.5 + q)
    nb = stochad.negative_binomial(2.0, 0.3 + 0.0 * s + q / 3)
    return s * stochad.bernoulli(q / (1 + g)) + nb


@pytest.mark.parametrize("program", [_walk, _mixed])
def test_the_one_pass_draw_gives_the_general_paths_results_bit_for_bit(program, monkeypatch):
    def run():
        r = stochad.expected_derivative(program, 0.7, 3000, rng=11, vectorize=True)
        return r.samples

    fast = run()
    monkeypatch.setattr(sampling, "_one_id_array", lambda rule, carriers: False)
    np.testing.assert_array_equal(run(), fast)
