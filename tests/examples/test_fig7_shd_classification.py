"""examples/fig7_shd_classification.py (quick form): both networks learn, tested both ways."""

from __future__ import annotations

import numpy as np
import pytest

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
