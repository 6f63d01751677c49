"""examples/fig1_single_neuron.py: smoothed == surrogate == dE[y]/dw, triples unbiased."""

from __future__ import annotations

import numpy as np
import pytest

from tests.examples import load

example = load("fig1_single_neuron")


@pytest.fixture(scope="module")
def results():
    return example.run(quick=True)


def test_every_family_is_swept(results):
    assert set(results["families"]) == set(example.FAMILIES)
    assert len(results["w"]) >= 9


def test_smoothed_equals_surrogate_equals_expected_derivative(results):
    for r in results["families"].values():
        # the same number, computed by stochad.grad and by the numba BPTT kernels
        np.testing.assert_allclose(r["surrogate"], r["smoothed"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(r["deterministic_surrogate"], r["smoothed"], rtol=0, atol=1e-10)
        # central differences of F (h = 1e-7: 1e-6 at the kinks of F'' of the fast
        # sigmoid and the Laplace density, ~1e-9 elsewhere)
        np.testing.assert_allclose(r["smoothed"], r["exact"], rtol=0, atol=5e-6)


def test_triple_estimate_is_unbiased(results):
    for r in results["families"].values():
        assert np.all(r["triple_se"] > 0)
        assert np.all(np.abs(r["z"]) < 5)
        assert np.all(r["triple_se"] < 0.05 * np.abs(r["exact"]).max())  # sharp enough
