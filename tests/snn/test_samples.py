"""``value_and_grad(samples=n)``: every sample on its own child of the seed (the montecarlo
sample grid), so a sample is reproduced alone and chunks never change the numbers."""

from __future__ import annotations

import numpy as np
import pytest

import stochad
from stochad import snn, surrogates

NET = snn.Network(2, [snn.LIF(3, spike=snn.EscapeNoise(surrogates.logistic(4.0))),
                      snn.Readout(1)])  # fmt: skip
PARAMS = NET.init_params(rng=0, scale=4.0)
X = np.ones((2, 6, 2))


def loss(out):
    return stochad.mean(out * out)


@pytest.mark.parametrize("method", snn.METHODS)
def test_sample_j_is_a_one_sample_run_on_the_seeds_child_j(method):
    _, _, aux = snn.value_and_grad(loss, PARAMS, X, network=NET, method=method, rng=4,
                                   samples=3, return_aux=True)  # fmt: skip
    children = np.random.SeedSequence(4).spawn(3)
    for j, child in enumerate(children):
        alone, _ = snn.value_and_grad(loss, PARAMS, X, network=NET, method=method,
                                      rng=np.random.default_rng(child))  # fmt: skip
        assert aux["values"][j] == alone


def test_chunks_without_a_client_change_nothing():
    runs = [snn.value_and_grad(loss, PARAMS, X, network=NET, method="score", rng=1, samples=5,
                               baseline="leave_one_out", chunks=chunks)
            for chunks in (None, 2, [4, 1])]  # fmt: skip
    for value, grad in runs[1:]:
        assert value == runs[0][0]
        assert all(np.array_equal(grad[k], runs[0][1][k]) for k in grad)


def test_bad_chunks_and_client_are_refused():
    with pytest.raises(ValueError, match="chunks must sum to n=3"):
        snn.value_and_grad(loss, PARAMS, X, network=NET, rng=0, samples=3, chunks=[1, 1])
    with pytest.raises(TypeError, match="client must be a dask.distributed.Client"):
        snn.value_and_grad(loss, PARAMS, X, network=NET, rng=0, samples=3, client=object())


def test_directional_derivative_passes_are_on_the_grid():
    """Pass ``j`` of ``directional_derivative(samples=n)`` is a one-pass run on the seed's
    child ``j``; chunks change nothing."""
    direction = {"W0": np.ones_like(PARAMS["W0"])}
    runs = [snn.directional_derivative(loss, PARAMS, X, network=NET, direction=direction,
                                       rng=3, samples=4, chunks=chunks).samples
            for chunks in (None, [3, 1])]  # fmt: skip
    assert np.array_equal(runs[0], runs[1]) and len(runs[0]) == 4
    for j, child in enumerate(np.random.SeedSequence(3).spawn(4)):
        alone = snn.directional_derivative(loss, PARAMS, X, network=NET, direction=direction,
                                           rng=np.random.default_rng(child)).samples
        assert runs[0][j] == alone[0]
    assert len(set(runs[0].tolist())) > 1  # fresh draws per pass
