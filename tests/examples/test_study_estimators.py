"""examples/study_estimators.py (quick form): unbiased estimators agree with the exact
gradient, the smoothed one does not, and training with each lowers the exact loss."""

from __future__ import annotations

import pytest

from tests.examples import load

example = load("study_estimators")


@pytest.fixture(scope="module")
def results():
    return example.run(quick=True)


def _rows(results):
    for cases in results["sweeps"].values():
        for m in cases.values():
            yield m["rows"]


def test_unbiased_estimators_agree_with_enumeration(results):
    for rows in _rows(results):
        for name in ("triple", "score (LOO baseline)"):
            assert rows[name]["z_max"] < 5, name
            assert rows[name]["relative_error"] < 3 * rows[name]["noise_floor"] + 0.02


def test_batch_mean_triple_agrees_with_enumeration(results):
    for rows in _rows(results):
        r = rows["triple (batch mean)"]
        assert r["z_max"] < 5
        assert r["relative_error"] < 3 * r["noise_floor"] + 0.02


def test_smoothed_gradient_is_biased_beyond_its_noise(results):
    biased = [r["smoothed (= SG)"] for r in _rows(results)]
    assert all(r["z_max"] > 5 for r in biased)
    assert all(r["relative_error"] > 3 * r["noise_floor"] for r in biased)


def test_metrics_are_consistent(results):
    for rows in _rows(results):
        for r in rows.values():
            assert -1.0 <= r["cosine"] <= 1.0
            assert r["variance"] > 0 and r["us_per_sample"] > 0


def test_training_lowers_the_exact_expected_loss(results):
    for name, curve in results["training"].items():
        assert curve["loss"].min() < 0.95 * curve["loss"][0], name
