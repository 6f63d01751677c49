"""examples/fig6_spike_train_matching.py (quick form): both networks learn the raster."""

from __future__ import annotations

import numpy as np
import pytest

from tests.examples import load

example = load("fig6_spike_train_matching")


@pytest.fixture(scope="module")
def results():
    return example.run(quick=True)


def test_target_is_the_dithered_picture(results):
    size = example.QUICK
    target = results["target"]
    assert target.shape == (size["T"], size["n"])
    assert set(np.unique(target)) == {0.0, 1.0}
    # dithering keeps the picture's mean intensity
    assert target.mean() == pytest.approx(example.picture(size["n"], size["T"]).mean(), abs=0.01)


def test_every_run_lowers_the_van_rossum_distance(results):
    for (name, loss), r in results["runs"].items():
        c = r["curve"]
        assert c["van_rossum"][-1] < 0.6 * c["van_rossum"][0], (name, loss)
    for name in ("deterministic", "stochastic"):
        trained_on_vr = results["runs"][name, "van_rossum"]["curve"]["van_rossum"][-1]
        assert trained_on_vr < 0.2 * results["silent"]["van_rossum"]


def test_fano_factor_is_zero_only_for_the_deterministic_network(results):
    det = results["runs"]["deterministic", "l2"]["curve"]
    sto = results["runs"]["stochastic", "l2"]["curve"]
    assert np.all(det["fano_output"] == 0.0)
    assert np.all((sto["fano_hidden"] > 0.2) & (sto["fano_hidden"] < 1.2))
