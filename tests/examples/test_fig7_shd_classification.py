"""examples/fig7_shd_classification.py (quick form): both networks learn, tested both ways."""

from __future__ import annotations

import numpy as np
import pytest

from stochad import snn, surrogates
from tests.examples import load

example = load("fig7_shd_classification")


@pytest.fixture(scope="module")
def results():
    return example.run(quick=True)


def test_both_networks_learn_above_chance(results):
    for name, curve in results["runs"].items():
        assert curve["loss"][-1] < curve["loss"][0], name
        assert curve["train_accuracy"][-1] > 4 * results["chance"], name


def test_each_network_is_tested_under_both_spike_generations(results):
    cross = results["cross"]
    assert set(cross) == {"deterministic", "stochastic"}
    for row in cross.values():
        assert set(row) == {"deterministic", "stochastic"}
        assert all(0.0 <= a <= 1.0 for a in row.values())
    assert cross["deterministic"]["deterministic"] > 3 * results["chance"]


def test_stochastic_network_stays_variable(results):
    fano = results["runs"]["stochastic"]["fano"]
    assert np.all(fano > 0.1)
    assert np.all(results["runs"]["deterministic"]["fano"] == 0.0)
    trials = results["example"]["trials"]
    assert trials.shape[0] == 8 and np.any(trials != trials[0])


def test_expected_flips_count_escape_noise_along_the_deterministic_run(results):
    for name, flips in results["flips"].items():
        assert 0.0 < flips < 10 * results["hidden_spikes"][name] + 100, name


def test_expected_flips_vanish_without_noise():
    # a step-like escape noise (β = 10⁴) flips nothing along the deterministic run
    size = example.QUICK
    nets = example.networks(size)
    sharp = snn.EscapeNoise(surrogates.logistic(1e4))
    layer = nets["stochastic"].layers[0]
    lif = snn.LIF(layer.size, spike=sharp, recurrent=True, tau_mem=20e-3, tau_syn=10e-3,
                  dt=example.DT)  # fmt: skip
    nets["stochastic"] = snn.Network(700, [lif, nets["stochastic"].layers[1]])
    train, _, _, _ = example.data(size)
    flips = example.expected_flips(nets, example.initial_params(size), train.subset(range(4)))
    assert flips < 1e-3
