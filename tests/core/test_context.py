"""Where randomness comes from: determinism, the primal sample path, seeding and rng forms.

The primal draws come from the user's generator and coupling/pruning from a separate child
stream, so for a given seed (i) every backend is bit-for-bit reproducible, (ii) every backend
sees the same primal sample path, the one ``stochad.using_rng(seed)`` gives without
differentiation, and (iii) ``rng`` may be an int, a Generator or None (the module generator
that ``stochad.seed`` reseeds). Anything else is rejected.
"""

import numpy as np
import pytest

import stochad
from stochad.backends import SmoothedBackend

BACKENDS = ["pruned", "dict", "smoothed", SmoothedBackend("symmetric")]
backend_ids = ["pruned", "dict", "smoothed", "symmetric"]


def mixed_program(p, record=None):
    """Every sampler, with draws whose parameters depend on earlier draws (coupling)."""
    draws = []

    def keep(x):
        draws.append(float(stochad.value(x)))
        return x

    a = keep(stochad.bernoulli(0.2 + 0.5 * p))
    arrivals = keep(stochad.poisson(1.0 + p + a))
    served = keep(stochad.binomial(arrivals, 0.3 + 0.4 * p))  # a random count
    tries = keep(stochad.geometric(0.3 + 0.4 * p))
    index = keep(stochad.categorical([0.5 - 0.2 * p, 0.3, 0.2 + 0.2 * p]))
    b = keep(stochad.bernoulli(0.1 + 0.3 * p + 0.4 * a))
    z = keep(stochad.normal(p, 1.0 + a))
    e = keep(stochad.exponential(1.0 + p))
    if record is not None:
        record.append(draws)
    return a * 3 + served * tries + index + b * arrivals + z * e


@pytest.mark.parametrize("backend", BACKENDS, ids=backend_ids)
def test_same_seed_gives_bit_identical_estimates(backend):
    for seed in range(5):
        first = stochad.derivative_estimate(mixed_program, 0.4, backend=backend, rng=seed)
        second = stochad.derivative_estimate(mixed_program, 0.4, backend=backend, rng=seed)
        assert first == second or (np.isnan(first) and np.isnan(second))
        t1 = stochad.stochastic_triple(mixed_program, 0.4, backend=backend, rng=seed)
        t2 = stochad.stochastic_triple(mixed_program, 0.4, backend=backend, rng=seed)
        assert repr(t1) == repr(t2)


@pytest.mark.parametrize("backend", BACKENDS, ids=backend_ids)
def test_same_seed_gives_identical_means(backend):
    r1 = stochad.expected_derivative(mixed_program, 0.4, 50, backend=backend, rng=7)
    r2 = stochad.expected_derivative(mixed_program, 0.4, 50, backend=backend, rng=7)
    np.testing.assert_array_equal(r1.samples, r2.samples)


@pytest.mark.parametrize("seed", range(6))
def test_primal_path_is_the_same_for_every_backend_and_without_differentiation(seed):
    with stochad.using_rng(seed):
        plain = []
        plain_value = mixed_program(0.4, plain)
    for backend in BACKENDS:
        paths = []
        f = recording(paths)
        t = stochad.stochastic_triple(f, 0.4, backend=backend, rng=seed)
        assert paths == plain, backend
        assert stochad.value(t) == plain_value
        paths.clear()
        stochad.derivative_estimate(f, 0.4, backend=backend, rng=seed)
        assert paths == plain, backend


def recording(paths):
    """``mixed_program`` that appends its primal draws to ``paths``."""
    return lambda p: mixed_program(p, paths)


@pytest.mark.parametrize("backend", BACKENDS, ids=backend_ids)
def test_every_gradient_coordinate_runs_on_the_same_primal_path(backend):
    paths = []

    def f(q):
        return mixed_program(q[0] * 0.5 + q[1] * 0.5, paths)

    stochad.derivative_estimate(f, np.array([0.3, 0.5]), backend=backend, rng=4)
    with stochad.using_rng(4):
        plain = []
        mixed_program(0.4, plain)
    assert len(paths) == 2
    assert paths[0] == paths[1]
    np.testing.assert_allclose(paths[0], plain[0], rtol=1e-12)


def plain_draws():
    return [
        stochad.bernoulli(0.5),
        stochad.binomial(10, 0.3),
        stochad.geometric(0.2),
        stochad.poisson(3.0),
        stochad.categorical([0.2, 0.3, 0.5]),
        stochad.normal(),
        stochad.exponential(),
    ] + [stochad.bernoulli(0.5) for _ in range(30)]


def test_module_seed_makes_plain_samplers_reproducible():
    stochad.seed(123)
    first = plain_draws()
    stochad.seed(123)
    second = plain_draws()
    stochad.seed(124)
    other = plain_draws()
    assert first == second
    assert first != other


def test_rng_may_be_an_int_a_generator_or_none():
    by_int = stochad.derivative_estimate(mixed_program, 0.4, rng=21)
    by_generator = stochad.derivative_estimate(mixed_program, 0.4, rng=np.random.default_rng(21))
    assert by_int == by_generator
    by_numpy_int = stochad.derivative_estimate(mixed_program, 0.4, rng=np.int64(21))
    assert by_numpy_int == by_int
    stochad.seed(21)
    by_none = stochad.derivative_estimate(mixed_program, 0.4, rng=None)
    stochad.seed(21)
    assert stochad.derivative_estimate(mixed_program, 0.4) == by_none


def test_a_generator_is_consumed_not_copied():
    """Two calls on one Generator give independent samples (a shared stream)."""
    rng = np.random.default_rng(0)
    estimates = [stochad.derivative_estimate(mixed_program, 0.4, rng=rng) for _ in range(5)]
    assert len(set(estimates)) > 1


def test_using_rng_draws_the_same_as_an_int_seed_twice():
    with stochad.using_rng(9):
        first = plain_draws()
    with stochad.using_rng(np.random.default_rng(9)):
        second = plain_draws()
    assert first == second


@pytest.mark.parametrize(
    "rng, error",
    [
        ("seed", TypeError),
        (1.5, TypeError),
        (True, TypeError),
        (np.random.RandomState(0), TypeError),
        ([1, 2], TypeError),
        (-1, ValueError),
    ],
)
def test_bad_rng_is_rejected(rng, error):
    with pytest.raises(error, match="rng"):
        stochad.derivative_estimate(mixed_program, 0.4, rng=rng)
    with pytest.raises(error, match="rng"):
        stochad.stochastic_triple(mixed_program, 0.4, rng=rng)
    with pytest.raises(error, match="rng"):
        with stochad.using_rng(rng):
            pass


# -- Uniforms: the scalar path's cheaper uniforms ------------------------------------------
@pytest.mark.parametrize("bits", [np.random.PCG64, np.random.MT19937, np.random.SFC64])
def test_uniforms_give_the_generators_numbers_and_leave_its_state(bits):
    from stochad.core.context import Uniforms

    fast, reference = np.random.Generator(bits(11)), np.random.Generator(bits(11))
    uniforms = Uniforms(fast)
    got = [uniforms.random() for _ in range(500)]
    assert got == [reference.random() for _ in range(500)]  # exactly, bit for bit
    assert all(type(u) is float for u in got)
    assert repr(fast.bit_generator.state) == repr(reference.bit_generator.state)
    # interleaved with the generator's own calls, the stream stays the one stream
    assert [uniforms.random(), fast.random()] == [reference.random(), reference.random()]


def test_uniforms_follow_a_restored_state_and_survive_a_copy():
    import copy
    import pickle

    from stochad.core.context import Uniforms

    generator = np.random.default_rng(4)
    uniforms = Uniforms(generator)
    state = generator.bit_generator.state
    first = uniforms.random()
    generator.bit_generator.state = state  # as a gradient's passes restore the streams
    assert uniforms.random() == first
    for duplicate in (lambda u: pickle.loads(pickle.dumps(u)), copy.deepcopy):
        clone = duplicate(uniforms)  # its own generator, at the same state
        assert clone.random() == uniforms.random()
