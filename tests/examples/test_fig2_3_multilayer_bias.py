"""examples/fig2_3_multilayer_bias.py: SG == smoothed on each path, both biased for E[y];
triples agree with the exact gradient (enumeration)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.examples import load

example = load("fig2_3_multilayer_bias")


@pytest.fixture(scope="module")
def results():
    return example.run(quick=True)


def test_surrogate_bptt_is_smoothed_ad_on_the_same_path(results):
    assert results["same_path_gap"] < 1e-10


def test_exact_smoothed_expectation_matches_the_library_estimator(results):
    # the straight-through enumeration and snn's "surrogate" Monte Carlo mean agree
    assert np.all(np.abs(results["z_sg"]) < 5)


def test_triple_agrees_with_the_exact_gradient(results):
    assert np.all(np.isfinite(results["z_triple"]))
    assert np.all(np.abs(results["z_triple"]) < 5)
    assert results["summary"]["triple, Monte Carlo mean"][1] < 0.08


def test_surrogate_gradients_are_biased(results):
    summary = results["summary"]
    assert summary["smoothed (= SG), expectation"][1] > 0.1  # exact vs exact: no noise
    assert summary["deterministic SG"][1] > 0.3
    sweep = results["sweep"]
    z = (sweep["triple"] - sweep["exact"]) / np.maximum(sweep["triple_se"], 1e-12)
    assert np.all(np.abs(z[sweep["triple_se"] > 0]) < 5)
    assert np.max(np.abs(sweep["smoothed"] - sweep["exact"])) > 0.005


def test_finite_differences_on_independent_paths_spread_most(results):
    spread = {k: np.mean(np.concatenate([np.ravel(v) for v in s.values()]))
              for k, s in results["spread"].items()}  # fmt: skip
    fd = spread["finite differences, h = 0.1"]
    assert fd > 5 * spread["triple"]
    assert spread["smoothed (= SG)"] < spread["triple"]
