"""stochad.snn.value_and_grad(samples=n, client=) on a dask LocalCluster against one process.

Every sample draws from its own child of the seed's SeedSequence (the montecarlo sample
grid), so the value, the gradient, its standard error and every sample's loss are the same
bit for bit with and without a client, for any chunking; score's leave-one-out baseline of
a scalar loss is applied after the samples are gathered. The training loop passes its
client through (its trials are the samples).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip(
    "distributed",
    reason="dask.distributed is not installed (the optional extra: "
    "pip install 'stochad[distributed]'); CI installs it",
)

import stochad  # noqa: E402
from stochad import snn, surrogates  # noqa: E402
from stochad.distributed import local_client  # noqa: E402
from stochad.snn.losses import spike_mse  # noqa: E402
from stochad.snn.optimizers import SGD  # noqa: E402
from stochad.snn.training import train  # noqa: E402

NOISE = snn.EscapeNoise(surrogates.logistic(4.0))
NET = snn.Network(3, [snn.LIF(4, recurrent=True, threshold=0.5, spike=NOISE), snn.Readout(2)])
PARAMS = NET.init_params(rng=0, scale=4.0)
X = (np.random.default_rng(1).random((3, 8, 3)) < 0.5) * 1.0


@pytest.fixture(scope="module")
def client():
    with local_client(n_workers=2) as c:
        yield c


def scalar_loss(out):
    return stochad.mean(out * out)


def per_row_loss(out):
    return stochad.sum(stochad.sum(out * out, axis=2), axis=1)


CASES = [  # (method, loss, options)
    ("triple", per_row_loss, {}),
    ("triple", scalar_loss, {"direction": "random"}),
    ("score", scalar_loss, {"baseline": "leave_one_out"}),  # the baseline after gathering
    ("score", per_row_loss, {"baseline": "leave_one_out"}),
    ("smoothed", scalar_loss, {}),
    ("surrogate", per_row_loss, {}),
]


def same(a, b):
    (va, ga, aux_a), (vb, gb, aux_b) = a, b
    assert va == vb
    assert np.array_equal(aux_a["values"], aux_b["values"])
    for k in ga:
        assert np.array_equal(ga[k], gb[k]), k
        assert np.array_equal(aux_a["stderr"][k], aux_b["stderr"][k]), k


@pytest.mark.parametrize("method, loss, options", CASES)
def test_the_gradient_equals_the_single_process_one(client, method, loss, options):
    """Two seeds, two chunkings (even and uneven) on the cluster."""
    for seed, chunks in ((0, 2), (1, [1, 4, 1])):
        kwargs = dict(network=NET, method=method, rng=seed, samples=6, return_aux=True,
                      **options)  # fmt: skip
        alone = snn.value_and_grad(loss, PARAMS, X, **kwargs)
        spread = snn.value_and_grad(loss, PARAMS, X, client=client, chunks=chunks, **kwargs)
        same(alone, spread)


def test_directional_derivative_on_the_cluster_equals_the_single_process_one(client):
    direction = {k: np.ones_like(v) for k, v in PARAMS.items()}
    for seed, chunks in ((0, 2), (1, [1, 4, 1])):
        kwargs = dict(network=NET, direction=direction, rng=seed, samples=6)
        alone = snn.directional_derivative(CASES[0][1], PARAMS, X, **kwargs)
        spread = snn.directional_derivative(CASES[0][1], PARAMS, X, client=client,
                                            chunks=chunks, **kwargs)  # fmt: skip
        assert np.array_equal(alone.samples, spread.samples)


def test_training_passes_its_client_through(client):
    target = np.zeros((3, 8, 4))
    target[:, 2:6, 0] = 1.0
    net = snn.Network(3, [snn.LIF(4, spike=NOISE)])
    params = {"W0": np.full((3, 4), 1.5)}
    runs = [train(spike_mse, params, (X, target), network=net, optimizer=SGD(lr=0.1), epochs=2,
                  trials=3, rng=5, **extra)
            for extra in ({}, {"client": client})]  # fmt: skip
    (p_alone, h_alone), (p_spread, h_spread) = runs
    assert h_alone["loss"] == h_spread["loss"]
    assert h_alone["fano_factor"] == h_spread["fano_factor"]
    assert np.array_equal(p_alone["W0"], p_spread["W0"])


def test_a_loss_that_cannot_be_pickled_gets_an_error_naming_it(client):
    import threading

    lock = threading.Lock()

    def locked_loss(out):
        with lock:
            return stochad.mean(out)

    with pytest.raises(TypeError, match="locked_loss cannot be sent to the workers"):
        snn.value_and_grad(locked_loss, PARAMS, X, network=NET, method="smoothed", rng=0,
                           samples=2, client=client)  # fmt: skip
