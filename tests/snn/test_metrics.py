"""Metrics: Fano factor statistics within 5 standard errors, counts, rates, accuracy."""

import numpy as np
import pytest

from stochad.snn.metrics import accuracy, fano_factor, firing_rates, predictions, spike_counts


@pytest.mark.parametrize("ddof", [0, 1])
def test_fano_factor_of_bernoulli_bins(ddof):
    # over n trials a 0/1 bin has sample mean m and variance m(1 − m)·n/(n − ddof), so the
    # estimate is n/(n − ddof)·(1 − m), of mean n/(n − ddof)·(1 − p) (every bin has spikes
    # here but with probability 0.7⁵⁰)
    p, n = 0.3, 50
    S = (np.random.default_rng(0).random((n, 4, 100, 10)) < p) * 1.0
    factors = fano_factor(S, ddof=ddof, reduce=False)  # one per (sample, bin, neuron)
    assert factors.shape == (4, 100, 10)
    se = factors.std() / np.sqrt(factors.size)
    assert abs(fano_factor(S, ddof=ddof) - n / (n - ddof) * (1 - p)) < 5 * se


def test_fano_factor_window_sums_the_trains_first():
    S = (np.random.default_rng(1).random((6, 2, 30, 3)) < 0.2) * 1.0
    counts = np.stack([S[..., t : t + 5, :].sum(axis=-2) for t in range(26)], axis=-2)
    expected = counts.var(axis=0, ddof=1) / counts.mean(axis=0)
    got = fano_factor(S, window=5, reduce=False)
    assert got.shape == (2, 26, 3)
    assert np.allclose(got, expected, equal_nan=True)
    assert fano_factor(S, window=5) == pytest.approx(np.nanmean(expected))


def test_fano_factor_hand_values_deterministic_and_silent():
    trials = np.array([[[1.0, 0.0]], [[1.0, 1.0]], [[1.0, 0.0]]])  # 3 trials, T = 1, n = 2
    # neuron 0 always fires: 0; neuron 1 fires once in 3: var (ddof 1) 1/3, mean 1/3
    assert fano_factor(trials, reduce=False).tolist() == [[0.0, pytest.approx(1.0)]]
    assert fano_factor(trials, ddof=0, reduce=False)[0, 1] == pytest.approx((2 / 9) / (1 / 3))
    assert np.isnan(fano_factor(np.zeros((3, 4, 2))))


def test_fano_factor_bad_input():
    with pytest.raises(ValueError, match="at least 2 trials"):
        fano_factor(np.zeros((1, 4, 2)))
    with pytest.raises(ValueError, match=r"n_trials, \.\.\., T, n"):
        fano_factor(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"window must be an integer in \[1, T=4\]"):
        fano_factor(np.zeros((2, 4, 2)), window=5)


def test_counts_rates_and_accuracy():
    S = np.zeros((2, 50, 3))
    S[0, :10, 0] = 1.0
    S[1, ::2, 2] = 1.0
    assert spike_counts(S).tolist() == [[10, 0, 0], [0, 0, 25]]
    assert firing_rates(S, dt=2e-3).tolist() == [[100.0, 0.0, 0.0], [0.0, 0.0, 250.0]]
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(scores, np.array([1, 0, 0])) == pytest.approx(2 / 3)
    membranes = np.zeros((1, 3, 2))
    membranes[0, 1, 1] = 1.0
    assert predictions(membranes).tolist() == [1]
    with pytest.raises(ValueError, match="labels must have shape"):
        accuracy(scores, np.array([1, 0]))
    with pytest.raises(ValueError, match="dt must be a positive"):
        firing_rates(S, dt=0.0)
