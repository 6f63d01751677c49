"""The public forward-mode API: stochastic_triple, derivative_estimate, expected_derivative.

Covers the return types (float for a float p, a gradient of p's shape for an ndarray, a
directional derivative with ``direction=``), DerivativeEstimate's fields and printed form,
the accessors on floats and triples, rejection of bad input, and two end-to-end examples (a
random walk whose step probabilities depend on the position, a stochastic binary network)
against derivatives computed exactly by enumerating every outcome, for every backend (the
smoothed backend against the exact expectation of its own, biased, estimator).
"""

import math
import re

import numpy as np
import pytest

import stochad
from tests.programs import assert_mean_close, exact_derivative, exact_smoothed_mean, samples_of
from tests.walk_reference import estimator_distribution, moments, walk
from tests.walk_reference import exact_derivative as walk_derivative

BACKENDS = ["pruned", "dict", "smoothed"]


def interacting(P):
    """``x00·x01 + P10²·x11``, ``x_ij ~ Bernoulli(P_ij)``.

    Its gradient is ``[[P01, P00], [2 P10 P11, P10²]]`` for every backend (the draws are
    independent and enter multilinearly, so even smoothing is exact).
    """
    x00 = stochad.bernoulli(P[0, 0])
    x01 = stochad.bernoulli(P[0, 1])
    return x00 * x01 + P[1, 0] ** 2 * stochad.bernoulli(P[1, 1])


P0 = np.array([[0.3, 0.6], [0.8, 0.4]])
GRADIENT = np.array([[0.6, 0.3], [2 * 0.8 * 0.4, 0.8**2]])


@pytest.mark.parametrize("backend", BACKENDS)
def test_float_p_gives_a_float(backend):
    estimate = stochad.derivative_estimate(
        lambda p: stochad.bernoulli(p) * p, 0.3, backend=backend, rng=1
    )
    assert type(estimate) is float


@pytest.mark.parametrize("backend", BACKENDS)
def test_ndarray_p_gives_an_unbiased_gradient_of_the_same_shape(backend):
    one = stochad.derivative_estimate(interacting, P0, backend=backend, rng=1)
    assert isinstance(one, np.ndarray)
    assert one.shape == P0.shape
    samples = stochad.expected_derivative(interacting, P0, 2000, backend=backend, rng=2).samples
    assert samples.shape == (2000, 2, 2)
    for index in np.ndindex(P0.shape):
        assert_mean_close(samples[(slice(None), *index)], GRADIENT[index], f"coordinate {index}")


DIRECTIONAL_CASES = {
    # dict: every draw's p depends on one coordinate with a positive direction, so the jump
    # rules (which depend on the sign of δ) and the events are those of the gradient passes.
    "dict": ("dict", interacting, np.array([[0.5, 2.0], [1.0, 0.25]])),
    # smoothed: plain chain rule, linear in the direction whatever its signs.
    "smoothed": ("smoothed", interacting, np.array([[0.5, -2.0], [1.0, -0.25]])),
    # pruned: one Bernoulli (one event, nothing to prune) and smooth arithmetic.
    "pruned": (
        "pruned",
        lambda P: stochad.bernoulli(P[0, 0]) * P[0, 1] ** 2 + stochad.exp(P[1, 0]) * P[1, 1],
        np.array([[0.5, -2.0], [1.0, -0.25]]),
    ),
}


@pytest.mark.parametrize("case", DIRECTIONAL_CASES.values(), ids=DIRECTIONAL_CASES.keys())
def test_directional_derivative_is_the_gradient_times_direction_on_the_same_seed(case):
    backend, f, v = case
    for seed in range(10):
        gradient = stochad.derivative_estimate(f, P0, backend=backend, rng=seed)
        along = stochad.derivative_estimate(f, P0, backend=backend, rng=seed, direction=v)
        assert np.ndim(along) == 0
        assert along == pytest.approx(float(np.sum(gradient * v)), rel=1e-9, abs=1e-12)


def test_directional_derivative_for_a_float_p_scales_the_derivative():
    f = stochad.bernoulli
    for seed in range(5):
        plain = stochad.derivative_estimate(f, 0.3, backend="dict", rng=seed)
        assert stochad.derivative_estimate(
            f, 0.3, backend="dict", rng=seed, direction=2.5
        ) == pytest.approx(2.5 * plain)


def test_expected_derivative_fields():
    r = stochad.expected_derivative(lambda p: 2 * stochad.bernoulli(p), 0.3, 500, rng=0)
    assert r.n == 500
    assert r.samples.shape == (500,)
    assert r.mean == pytest.approx(r.samples.mean())
    assert r.std == pytest.approx(r.samples.std(ddof=1))
    assert r.stderr == pytest.approx(r.std / math.sqrt(500))
    assert type(r.mean) is float
    assert re.fullmatch(r"-?\d+\.\d+ ± \d+\.\d+ \(n=500\)", str(r))


@pytest.mark.parametrize(
    "mean, stderr, n, text",
    [
        (7.5612, 0.05, 4000, "7.56 ± 0.05 (n=4000)"),
        (7.5612, 0.5, 400, "7.6 ± 0.5 (n=400)"),
        (-123.4, 3.0, 100, "-123 ± 3 (n=100)"),
        (0.0123456, 0.00012, 10_000, "0.0123 ± 0.0001 (n=10000)"),
    ],
)
def test_derivative_estimate_prints_mean_and_standard_error(mean, stderr, n, text):
    z = np.random.default_rng(0).standard_normal(n)
    z = (z - z.mean()) / z.std(ddof=1)  # exactly mean 0, std 1
    r = stochad.DerivativeEstimate(mean + stderr * math.sqrt(n) * z)
    assert str(r) == text
    assert repr(r) == text


def test_accessors_pass_floats_through():
    assert stochad.value(2.5) == 2.5
    assert stochad.delta(2.5) == 0.0
    assert stochad.perturbations(2.5) == []
    assert stochad.derivative_contribution(2.5) == 0.0
    assert stochad.smoothed_delta(2.5) == 0.0


def test_accessors_read_a_triple():
    t = stochad.stochastic_triple(
        lambda p: stochad.bernoulli(p) + 3 * p, 0.0, backend="dict", rng=0
    )
    assert stochad.value(t) == 0.0
    assert stochad.delta(t) == 3.0
    assert [(q.alternate, q.weight) for q in stochad.perturbations(t)] == [(1.0, 1.0)]
    assert stochad.derivative_contribution(t) == 4.0
    assert t.value == stochad.value(t) and t.delta == stochad.delta(t)


@pytest.mark.parametrize("backend", ["pruned", "dict"])
def test_smoothed_delta_of_a_triple_with_perturbations_raises(backend):
    t = stochad.stochastic_triple(stochad.bernoulli, 0.3, backend=backend, rng=0)
    with pytest.raises(ValueError, match="derivative_contribution"):
        stochad.smoothed_delta(t)


def test_smoothed_delta_of_a_smoothed_triple():
    t = stochad.stochastic_triple(
        lambda p: 4 * stochad.bernoulli(p), 0.3, backend="smoothed", rng=0
    )
    assert stochad.smoothed_delta(t) == 4.0


ENTRY_POINTS = {
    "stochastic_triple": lambda f, p, **kw: stochad.stochastic_triple(f, p, **kw),
    "derivative_estimate": lambda f, p, **kw: stochad.derivative_estimate(f, p, **kw),
    "expected_derivative": lambda f, p, **kw: stochad.expected_derivative(f, p, 10, **kw),
}


@pytest.mark.parametrize("call", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
@pytest.mark.parametrize(
    "f, p, kwargs, error, message",
    [
        (3.0, 0.5, {}, TypeError, "callable"),
        (stochad.bernoulli, float("nan"), {}, ValueError, "finite"),
        (stochad.bernoulli, float("inf"), {}, ValueError, "finite"),
        (stochad.bernoulli, "0.5", {}, TypeError, "p must be"),
        (stochad.bernoulli, 0.5, {"backend": "fancy"}, ValueError, "backend"),
        (stochad.bernoulli, 1.2, {}, ValueError, r"p must be a probability in \[0, 1\]"),
    ],
    ids=["f not callable", "p nan", "p inf", "p a string", "unknown backend", "p out of support"],
)
def test_bad_input_is_rejected(call, f, p, kwargs, error, message):
    with pytest.raises(error, match=message):
        call(f, p, **kwargs)


def test_array_p_with_nan_is_rejected():
    with pytest.raises(ValueError, match="finite"):
        stochad.derivative_estimate(interacting, np.array([[0.1, np.nan], [0.2, 0.3]]))


@pytest.mark.parametrize(
    "draw, message",
    [
        (lambda: stochad.bernoulli(math.nan), r"p must be a probability in \[0, 1\], got p=nan"),
        (lambda: stochad.geometric(math.nan), r"p must be a probability in \(0, 1\], got p=nan"),
        (lambda: stochad.poisson(math.nan), r"lam must be finite and >= 0, got lam=nan"),
        (lambda: stochad.binomial(math.nan, 0.5), r"n must be a whole number >= 0, got n=nan"),
    ],
    ids=["bernoulli", "geometric", "poisson", "binomial n"],
)
def test_nan_parameter_names_the_parameter_and_its_allowed_range(draw, message):
    with pytest.raises(ValueError, match=message):
        draw()


def test_direction_of_the_wrong_shape_names_both_shapes():
    with pytest.raises(ValueError) as info:
        stochad.derivative_estimate(interacting, P0, direction=np.ones(3))
    assert "(2, 2)" in str(info.value) and "(3,)" in str(info.value)
    with pytest.raises(ValueError, match=r"\(\)"):
        stochad.derivative_estimate(stochad.bernoulli, 0.5, direction=np.ones(2))


@pytest.mark.parametrize("n", [0, -3, 2.5, True, "10"])
def test_expected_derivative_needs_a_positive_whole_n(n):
    with pytest.raises(ValueError, match="n must be"):
        stochad.expected_derivative(stochad.bernoulli, 0.5, n)


def test_f_returning_a_list_is_rejected():
    with pytest.raises(TypeError, match="list"):
        stochad.derivative_estimate(lambda p: [p, p], 0.5)


# -- end-to-end examples against enumeration ----------------------------------------------
def position_dependent_walk(theta, draw, steps=4):
    """Steps of ±1, the up-probability σ(θ − x/2) falling as the walker climbs."""
    x = 0.0
    for _ in range(steps):
        x = x + 2 * draw(stochad.sigmoid(theta - 0.5 * x)) - 1
    return x


def binary_network(theta, draw):
    """Two stochastic binary hidden units and one output; θ scales the first layer."""
    inputs = (1.0, -0.5)
    first_layer = ((0.8, 0.3), (-0.4, 0.9))
    hidden = [
        draw(stochad.sigmoid(theta * (w[0] * inputs[0] + w[1] * inputs[1]) + 0.2))
        for w in first_layer
    ]
    y = draw(stochad.sigmoid(1.5 * hidden[0] - 2.0 * hidden[1] + 0.3 * theta))
    return y + 0.5 * hidden[0] * y


EXAMPLES = {
    "position-dependent walk": (position_dependent_walk, 0.2, 4),
    "binary network": (binary_network, 0.7, 3),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("example", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_examples_against_enumeration(example, backend):
    program, theta, n_draws = example
    if backend == "smoothed":
        exact = exact_smoothed_mean(program, theta, n_draws)
    else:
        exact = exact_derivative(program, theta, n_draws)
    samples = samples_of(lambda t: program(t, stochad.bernoulli), theta, 3000, backend, seed=31)
    assert_mean_close(samples, exact, f"{backend} on {program.__name__}")


@pytest.mark.parametrize("example", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_smoothed_examples_are_biased(example):
    """Draws feed nonlinearly into later draws here, so smoothing has a real bias."""
    program, theta, n_draws = example
    exact = exact_derivative(program, theta, n_draws)
    assert abs(exact_smoothed_mean(program, theta, n_draws) - exact) > 1e-3


# -- expected_derivative: the sample grid, chunks, vectorize, progress --------------------
def walk50(p):
    return walk(p, steps=50)


def test_sample_i_is_a_derivative_estimate_on_the_ith_spawned_seed():
    """How a user reproduces (or inspects) one sample of a run, on a laptop."""
    r = stochad.expected_derivative(walk, 0.5, 20, rng=42)
    seeds = np.random.SeedSequence(42).spawn(20)
    again = [stochad.derivative_estimate(walk, 0.5, rng=np.random.default_rng(s)) for s in seeds]
    assert r.samples.tolist() == again
    assert np.array_equal(stochad.expected_derivative(walk, 0.5, 8, rng=42).samples, r.samples[:8])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("chunks", [1, 7, [3, 17, 10]])
def test_chunks_never_change_the_samples(backend, chunks):
    reference = stochad.expected_derivative(interacting, P0, 30, backend=backend, rng=3)
    chunked = stochad.expected_derivative(interacting, P0, 30, backend=backend, rng=3,
                                          chunks=chunks)  # fmt: skip
    assert np.array_equal(chunked.samples, reference.samples)


def test_a_generator_rng_is_reproducible_from_its_state_and_advances():
    a = stochad.expected_derivative(walk, 0.5, 10, rng=np.random.default_rng(1))
    generator = np.random.default_rng(1)
    b = stochad.expected_derivative(walk, 0.5, 10, rng=generator)
    c = stochad.expected_derivative(walk, 0.5, 10, rng=generator)
    assert np.array_equal(a.samples, b.samples) and not np.array_equal(b.samples, c.samples)


def variance_close(a, b):
    """Two independent sample sets have the same variance, within 5 standard errors."""

    def var_and_se(x):
        m2, m4 = x.var(ddof=1), ((x - x.mean()) ** 4).mean()
        return m2, math.sqrt((m4 - m2**2) / len(x))

    (va, sa), (vb, sb) = var_and_se(np.asarray(a)), var_and_se(np.asarray(b))
    assert abs(va - vb) <= 5 * math.hypot(sa, sb), f"variances {va} ± {sa} and {vb} ± {sb}"


def test_vectorized_bernoulli_matches_its_exact_mean_and_variance():
    """``3·Bernoulli(p)``: the estimate is 3/(1−p) where X = 0, else 0; variance 9p/(1−p)."""
    p = 0.4
    r = stochad.expected_derivative(lambda q: 3 * stochad.bernoulli(q), p, 20_000, rng=0,
                                    vectorize=True)  # fmt: skip
    centred = np.array([3 / (1 - p) - 3, -3.0])
    weights = np.array([1 - p, p])
    assert_mean_close(r.samples, 3.0)
    variance = float(weights @ centred**2)
    assert variance == pytest.approx(9 * p / (1 - p))
    from tests.programs import assert_variance_close

    assert_variance_close(r.samples, variance, float(weights @ centred**4))
    assert set(np.unique(r.samples)) == {0.0, 3 / (1 - p)}


@pytest.mark.parametrize("p", [0.5, 1.0])
def test_vectorized_walk_matches_the_exact_mean_and_the_scalar_path(p):

    mean, _, _ = moments(estimator_distribution(p, 6))
    lanes = stochad.expected_derivative(walk, p, 20_000, rng=1, vectorize=True)
    assert lanes.samples.shape == (20_000,)
    assert_mean_close(lanes.samples, mean, "vectorized walk")
    scalar = stochad.expected_derivative(walk, p, 1000, rng=2)
    assert abs(lanes.mean - scalar.mean) <= 5 * math.hypot(lanes.stderr, scalar.stderr)


def test_vectorized_walk_has_the_scalar_paths_exact_variance():
    # an event with Δ = 0 in a draw's parameter must not compete with the draw's own jump
    # (it did on arrays: variance 1.44 measured against the scalar path's exact 0.235)
    from tests.programs import assert_variance_close

    _, var, m4 = moments(estimator_distribution(0.5, 6))
    lanes = stochad.expected_derivative(walk, 0.5, 20_000, rng=1, vectorize=True)
    assert_variance_close(lanes.samples, var, m4)


def test_vectorized_binary_network_matches_enumeration_and_the_scalar_paths_variance():
    program, theta, n_draws = EXAMPLES["binary network"]

    def f(t):
        return program(t, stochad.bernoulli)

    lanes = stochad.expected_derivative(f, theta, 20_000, rng=9, vectorize=True)
    assert_mean_close(lanes.samples, exact_derivative(program, theta, n_draws), "lanes")
    scalar = stochad.expected_derivative(f, theta, 1500, rng=10)
    variance_close(lanes.samples, scalar.samples)


def test_vectorized_fifty_step_walk_matches_dynamic_programming():

    r = stochad.expected_derivative(walk50, 0.5, 8192, rng=3, vectorize=True)
    assert_mean_close(r.samples, walk_derivative(0.5, 50), "50-step walk", tol=1e-6)


def test_vectorized_smoothed_walk_agrees_with_the_scalar_smoothed_path():
    lanes = stochad.expected_derivative(walk, 0.5, 8000, backend="smoothed", rng=4,
                                        vectorize=True)  # fmt: skip
    scalar = stochad.expected_derivative(walk, 0.5, 800, backend="smoothed", rng=5)
    assert abs(lanes.mean - scalar.mean) <= 5 * math.hypot(lanes.stderr, scalar.stderr)
    variance_close(lanes.samples, scalar.samples)


def lane_interacting(P):
    """``interacting`` on lanes: ``P`` is ``(lanes, 2, 2)``, one scalar output per lane."""
    x00 = stochad.bernoulli(P[:, 0, 0])
    x01 = stochad.bernoulli(P[:, 0, 1])
    return x00 * x01 + P[:, 1, 0] ** 2 * stochad.bernoulli(P[:, 1, 1])


def test_vectorized_array_p_gives_the_gradient_per_lane():
    r = stochad.expected_derivative(lane_interacting, P0, 4000, rng=6, vectorize=1000)
    assert r.samples.shape == (4000, 2, 2)
    for index in np.ndindex(P0.shape):
        assert_mean_close(r.samples[(slice(None), *index)], GRADIENT[index], f"{index}")


@pytest.mark.parametrize("chunks", [1000, [2000, 1000, 1000]])
def test_vectorized_chunks_of_whole_runs_never_change_the_samples(chunks):
    reference = stochad.expected_derivative(walk, 0.5, 4000, rng=7, vectorize=1000)
    chunked = stochad.expected_derivative(walk, 0.5, 4000, rng=7, vectorize=1000, chunks=chunks)
    assert np.array_equal(chunked.samples, reference.samples)
    with pytest.raises(ValueError, match="whole blocks of 1000 lanes"):
        stochad.expected_derivative(walk, 0.5, 4000, rng=7, vectorize=1000, chunks=1500)


def loop_on_a_value(p):
    """Draws until the first success: a Python loop on the draw's value."""
    count = 0
    while not stochad.value(stochad.bernoulli(p)):
        count += 1
    return p * count


def lookup_by_a_value(p):
    return p * [1.0, 5.0][int(stochad.value(stochad.bernoulli(p)))]


def mean_over_lanes(p):
    return stochad.mean(stochad.bernoulli(p))


@pytest.mark.parametrize(
    "program, message",
    [
        (loop_on_a_value, r"raised ValueError: The truth value of an array .* is ambiguous"),
        (lookup_by_a_value, r"raised TypeError: only .* arrays can be converted"),
        (mean_over_lanes, r"returned shape \(\): it must return one value per lane, shape \(50,\)"),
    ],
    ids=["while on a value", "indexing by a value", "reduction over lanes"],
)
def test_a_scalar_style_program_gets_a_vectorize_error_saying_what_qualifies(program, message):
    stochad.expected_derivative(program, 0.3, 5, rng=0)  # fine on the scalar path ...
    with pytest.raises(stochad.VectorizeError, match=message) as info:  # ... not on lanes
        stochad.expected_derivative(program, 0.3, 50, rng=0, vectorize=True)
    text = str(info.value)
    assert f"runs {program.__name__} once on 50 lanes" in text
    assert "stochad.where(c, a, b) instead of if" in text and "vectorize=False" in text
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"vectorize": True, "backend": "dict"}, ValueError, "backend='dict' is scalar-only"),
        ({"vectorize": 0}, ValueError, "vectorize must be True, False or lanes >= 1"),
        ({"vectorize": "yes"}, TypeError, "vectorize must be True, False or a number of lanes"),
        ({"chunks": 0}, ValueError, "chunks must be a whole number >= 1"),
        ({"chunks": [5, 6]}, ValueError, "chunks must sum to n=10"),
        ({"client": "localhost:8786"}, TypeError, "client must be a dask.distributed.Client"),
    ],
)
def test_bad_vectorize_chunks_and_client_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        stochad.expected_derivative(stochad.bernoulli, 0.5, 10, **kwargs)


def test_progress_bar(capsys):
    pytest.importorskip("tqdm", reason="tqdm (optional) is not installed")
    r = stochad.expected_derivative(walk, 0.5, 40, rng=8, progress=True)
    assert np.array_equal(r.samples, stochad.expected_derivative(walk, 0.5, 40, rng=8).samples)
    assert "expected_derivative(walk)" in capsys.readouterr().err


def test_a_gradient_prints_one_rounded_entry_per_coordinate():
    z = np.random.default_rng(0).standard_normal((400, 2, 2))
    z = (z - z.mean(axis=0)) / z.std(axis=0, ddof=1)  # exactly mean 0, std 1 per entry
    means, errors = (
        np.array([[7.5612, -123.4], [0.0123456, 2.0]]),
        np.array([[0.05, 3.0], [1e-4, 0.0]]),
    )
    r = stochad.DerivativeEstimate(means + errors * math.sqrt(400) * z)
    assert str(r) == (
        "[[    7.56 ± 0.05,        -123 ± 3],\n [0.0123 ± 0.0001,           2 ± 0]] (n=400)"
    )
    big = stochad.DerivativeEstimate(np.ones((10, 30)))
    assert str(big) == "[1 ± 0, 1 ± 0, 1 ± 0, ..., 1 ± 0, 1 ± 0, 1 ± 0] (n=10)"
