"""Losses: hand-computed values on small spike trains, gradients against finite differences."""

import numpy as np
import pytest

import stochad
from stochad.snn.losses import (
    alpha_kernel,
    cross_entropy,
    log_softmax,
    lower_bound_l2,
    max_over_time,
    max_over_time_cross_entropy,
    spike_mse,
    sum_of_softmax_cross_entropy,
    upper_bound_l2,
    van_rossum_distance,
)

TAU = dict(tau_mem=10.0, tau_syn=5.0, dt=1.0)


def train(T, n, spikes, batch=1):
    """A (batch, T, n) array with ones at the (b, t, i) triples in ``spikes``."""
    x = np.zeros((batch, T, n))
    for index in spikes:
        x[index] = 1.0
    return x


def eps(t, tau_mem=10.0, tau_syn=5.0, eps0=1.0):
    """The α-kernel at times t (≥ 0), written out."""
    t = np.asarray(t, dtype=float)
    return np.where(t >= 0, eps0 * (np.exp(-t / tau_mem) - np.exp(-t / tau_syn)), 0.0)


def central_difference(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


# -- spike_mse ------------------------------------------------------------------------
def test_spike_mse_one_spike_against_none():
    # one missed spike: ½ on one neuron, averaged over batch 2 × neurons 3
    S = train(5, 3, [(0, 2, 1)], batch=2)
    assert spike_mse(np.zeros_like(S), S) == pytest.approx(0.5 / 6)
    assert spike_mse(S, S) == 0.0


@pytest.mark.parametrize("k", [1, 2, 4])
def test_spike_mse_shift_by_k_counts_two_errors_whatever_k(k):
    z = train(8, 2, [(0, 1, 0)])
    S = train(8, 2, [(0, 1 + k, 0)])
    assert spike_mse(z, S) == pytest.approx(0.5 * 2 / 2)


# -- van Rossum -----------------------------------------------------------------------
def test_alpha_kernel_values_and_default_peak_normalization():
    assert alpha_kernel(4, eps0=1.0, **TAU) == pytest.approx(eps(np.arange(4)))
    # τm = 2τs: peak of e^{−t/10} − e^{−t/5} at t = 10 ln 2, value ¼, so eps0 = 4
    assert alpha_kernel(4, **TAU) == pytest.approx(4.0 * eps(np.arange(4)))


def test_van_rossum_one_spike_against_none():
    T, s = 30, 4
    S = train(T, 2, [(0, s, 1)])
    expected = 0.5 * np.sum(eps(np.arange(T) - s) ** 2) / 2  # half the squared trace, 2 neurons
    assert van_rossum_distance(np.zeros_like(S), S, eps0=1.0, **TAU) == pytest.approx(expected)
    # the spike at s shows from s + 1 on (ε(0) = 0): a spike in the last step costs nothing
    last = train(T, 1, [(0, T - 1, 0)])
    assert van_rossum_distance(np.zeros_like(last), last, **TAU) == 0.0


@pytest.mark.parametrize("k", [1, 3, 5])
def test_van_rossum_shift_by_k(k):
    T, s = 40, 2
    z, S = train(T, 1, [(0, s, 0)]), train(T, 1, [(0, s + k, 0)])
    t = np.arange(T)
    expected = 0.5 * np.sum((eps(t - s, eps0=4.0) - eps(t - s - k, eps0=4.0)) ** 2)
    assert van_rossum_distance(z, S, **TAU) == pytest.approx(expected)


def test_van_rossum_punishes_larger_shifts_more_unlike_l2():
    T = 60
    z = train(T, 1, [(0, 5, 0)])
    shifted = [train(T, 1, [(0, 5 + k, 0)]) for k in (1, 5)]
    near, far = (van_rossum_distance(z, S, **TAU) for S in shifted)
    assert 0 < near < far
    assert spike_mse(z, shifted[0]) == spike_mse(z, shifted[1])


def test_van_rossum_filters_each_batch_row_and_neuron_separately():
    rng = np.random.default_rng(3)
    z = (rng.random((3, 20, 4)) < 0.2) * 1.0
    S = (rng.random((3, 20, 4)) < 0.2) * 1.0
    kernel = alpha_kernel(20, **TAU)
    total = 0.0
    for b in range(3):
        for i in range(4):
            trace = np.convolve(z[b, :, i] - S[b, :, i], kernel)[:20]
            total += 0.5 * np.sum(trace**2)
    assert van_rossum_distance(z, S, **TAU) == pytest.approx(total / 12)


# -- classification -------------------------------------------------------------------
def test_max_over_time_odd_and_even_lengths():
    rng = np.random.default_rng(0)
    for T in (1, 2, 3, 5, 8, 13):
        x = rng.normal(size=(2, T, 3))
        assert np.array_equal(max_over_time(x), x.max(axis=1))


def test_max_over_time_gradient_goes_to_the_first_maximum():
    x = np.array([[[1.0], [3.0], [3.0], [0.0], [3.0]]])
    g = stochad.grad(lambda x: stochad.sum(max_over_time(x)))(x)
    assert g[0, :, 0].tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]


def test_max_over_time_cross_entropy_hand_values():
    U = np.zeros((2, 3, 2))
    U[0, 1, 0] = np.log(3.0)  # maxima (log 3, 0): p = (3/4, 1/4)
    U[1, 2, 1] = 1.0  # maxima (0, 1)
    p1 = np.exp(1.0) / (1 + np.exp(1.0))
    expected = -(np.log(0.75) + np.log(1 - p1)) / 2
    assert max_over_time_cross_entropy(U, np.array([0, 0])) == pytest.approx(expected)


def test_sum_of_softmax_cross_entropy_hand_values():
    U = np.zeros((1, 2, 2))
    U[0, 0, 0] = np.log(3.0)  # p_0 = (3/4, 1/4), p_1 = (1/2, 1/2): s = (5/4, 3/4)
    s = np.array([1.25, 0.75])
    expected = -(s[1] - np.log(np.exp(s).sum()))
    assert sum_of_softmax_cross_entropy(U, np.array([1])) == pytest.approx(expected)


def test_log_softmax_is_stable_for_large_logits():
    z = np.array([[1000.0, 0.0, -1000.0]])
    assert log_softmax(z) == pytest.approx(np.array([[0.0, -1000.0, -2000.0]]))
    assert cross_entropy(z, np.array([1])) == pytest.approx(1000.0)


# -- regularizers ---------------------------------------------------------------------
def test_bounds_hand_values():
    S = np.zeros((2, 10, 2))
    S[0, :6, 0] = 1.0  # sample 0: counts (6, 2), mean 4
    S[0, :2, 1] = 1.0
    S[1, :1, 0] = 1.0  # sample 1: counts (1, 0), mean 0.5
    assert upper_bound_l2(S, threshold=2.0, strength=0.1) == pytest.approx(0.1 * (4 + 0) / 2)
    assert upper_bound_l2(S, threshold=2.0, strength=0.1, per_neuron=True) == pytest.approx(
        0.1 * 16 / 4
    )
    assert lower_bound_l2(S, threshold=2.0, strength=1.0) == pytest.approx((0 + 1.5**2) / 2)
    assert lower_bound_l2(S, threshold=2.0, strength=1.0, per_neuron=True) == pytest.approx(
        (0 + 0 + 1 + 4) / 4
    )


# -- gradients against finite differences of the smoothed (real-valued) form ----------
RNG = np.random.default_rng(42)
Z = RNG.random((2, 7, 3))
TARGET = (RNG.random((2, 7, 3)) < 0.3) * 1.0
LABELS = np.array([2, 0])
LOSSES = {
    "spike_mse": lambda z: spike_mse(z, TARGET),
    "van_rossum": lambda z: van_rossum_distance(z, TARGET, **TAU),
    "max_over_time_ce": lambda z: max_over_time_cross_entropy(3 * z, LABELS),
    "sum_of_softmax_ce": lambda z: sum_of_softmax_cross_entropy(3 * z, LABELS),
    # counts of Z are near 3.5 per neuron: thresholds away from the kink
    "upper_bound": lambda z: upper_bound_l2(z, threshold=2.0, strength=0.3),
    "upper_bound_per_neuron": lambda z: upper_bound_l2(
        z, threshold=3.0, strength=0.3, per_neuron=True
    ),
    "lower_bound": lambda z: lower_bound_l2(z, threshold=5.0, strength=0.3),
    "lower_bound_per_neuron": lambda z: lower_bound_l2(
        z, threshold=4.0, strength=0.3, per_neuron=True
    ),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_gradient_matches_finite_differences(name):
    loss = LOSSES[name]
    g = stochad.grad(loss)(Z)
    assert np.any(g != 0)
    assert g == pytest.approx(central_difference(lambda z: float(loss(z)), Z), abs=1e-7)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_reverse_mode_equals_smoothed_forward_mode_on_spiking_outputs(name):
    # the loss of stochastic spikes: grad · v must equal the smoothed forward derivative
    # along v on the same draws (what the SNN gradient methods rely on)
    loss = LOSSES[name]
    v = np.random.default_rng(1).normal(size=(2, 7, 3))

    def program(w):
        return loss(stochad.bernoulli(stochad.sigmoid(w)))

    g = stochad.grad(program, rng=5)(np.zeros((2, 7, 3)))
    forward = stochad.derivative_estimate(lambda t: program(t * v), 0.0, backend="smoothed", rng=5)
    assert float(forward) == pytest.approx(float(np.sum(g * v)), rel=1e-9, abs=1e-12)


def test_spike_mse_of_bernoulli_spikes_unbiased_under_triples():
    # E[½Σ(z − S)²]/(n) with z ~ Bernoulli(p): derivative ½(1 − 2S) summed over t, / n
    S = np.array([[[1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]])
    exact = 0.5 * np.sum(1 - 2 * S) / 2
    r = stochad.expected_derivative(
        lambda p: spike_mse(stochad.bernoulli(p, size=(1, 3, 2)), S), 0.3, 600, rng=0
    )
    assert abs(r.mean - exact) < 5 * r.stderr + 1e-12


# -- bad input ------------------------------------------------------------------------
def test_bad_input_raises_clear_errors():
    S = np.zeros((1, 4, 2))
    with pytest.raises(ValueError, match="same shape"):
        spike_mse(S, np.zeros((1, 5, 2)))
    with pytest.raises(ValueError, match=r"\(\.\.\., T, n\)"):
        spike_mse(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="tau_mem and tau_syn must differ"):
        van_rossum_distance(S, S, tau_mem=5.0, tau_syn=5.0, dt=1.0)
    with pytest.raises(ValueError, match="dt must be a positive"):
        van_rossum_distance(S, S, tau_mem=10.0, tau_syn=5.0, dt=0.0)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\)"):
        max_over_time_cross_entropy(S, np.array([2]))
    with pytest.raises(TypeError, match="labels must be integers"):
        max_over_time_cross_entropy(S, np.array([0.0]))
    with pytest.raises(ValueError, match="labels must have shape"):
        sum_of_softmax_cross_entropy(S, np.array([0, 1]))
    with pytest.raises(ValueError, match="strength must be"):
        upper_bound_l2(S, threshold=1.0, strength=-1.0)
    with pytest.raises(ValueError, match="threshold must be"):
        lower_bound_l2(S, threshold=np.nan, strength=1.0)
