"""Clear errors naming the argument and the allowed range."""

from __future__ import annotations

import numpy as np
import pytest

import stochad
from stochad import snn, surrogates

NET = snn.Network(2, [snn.LIF(3, spike=snn.EscapeNoise()), snn.Readout(1)])
PARAMS = NET.init_params(rng=0)
X = np.ones((2, 4, 2))


def loss(out):
    return stochad.mean(out)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(size=0), ValueError, "size"),
        (dict(size=2, tau_mem=0.0), ValueError, "tau_mem"),
        (dict(size=2, threshold=np.inf), ValueError, "threshold"),
        (dict(size=2, reset="soft"), ValueError, "reset"),
        (dict(size=2, spike=surrogates.logistic(1.0)), TypeError, "spike"),
    ],
)
def test_layer_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        snn.LIF(**kwargs)


def test_spike_and_network_arguments():
    with pytest.raises(TypeError, match="noise"):
        snn.EscapeNoise("logistic")
    with pytest.raises(TypeError, match="surrogate"):
        snn.Heaviside(np.tanh)
    with pytest.raises(ValueError, match="n_in"):
        snn.Network(0, [snn.LIF(1)])
    with pytest.raises(ValueError, match="at least one"):
        snn.Network(1, [])
    with pytest.raises(ValueError, match="readout can only be the last"):
        snn.Network(1, [snn.Readout(2), snn.LIF(1)])
    with pytest.raises(TypeError, match=r"layers\[0\]"):
        snn.Network(1, ["lif"])


def test_value_and_grad_arguments():
    call = snn.value_and_grad
    with pytest.raises(ValueError, match="method"):
        call(loss, PARAMS, X, network=NET, method="bptt")
    with pytest.raises(ValueError, match="takes no option"):
        call(loss, PARAMS, X, network=NET, method="surrogate", baseline=0.5)
    with pytest.raises(ValueError, match="samples"):
        call(loss, PARAMS, X, network=NET, samples=0)
    with pytest.raises(ValueError, match="keys"):
        call(loss, {"W0": PARAMS["W0"]}, X, network=NET)
    with pytest.raises(ValueError, match=r"params\['W0'\] must have shape"):
        call(loss, {**PARAMS, "W0": np.ones((3, 3))}, X, network=NET)
    with pytest.raises(ValueError, match="inputs must have shape"):
        call(loss, PARAMS, np.ones((2, 4, 5)), network=NET)
    with pytest.raises(TypeError, match="network"):
        call(loss, PARAMS, X, network="net")
    with pytest.raises(TypeError, match="loss"):
        call("mse", PARAMS, X, network=NET)
    with pytest.raises(ValueError, match="per-row vector"):
        call(lambda out: out[:, 0, :], PARAMS, X, network=NET)
    with pytest.raises(ValueError, match="subset"):
        call(loss, PARAMS, X, network=NET, method="triple", subset=["W9"])
    with pytest.raises(ValueError, match="direction"):
        call(loss, PARAMS, X, network=NET, method="triple", direction="all")
    with pytest.raises(ValueError, match="leave_one_out"):
        call(loss, PARAMS, X[:1], network=NET, method="score", baseline="leave_one_out")
    with pytest.raises(ValueError, match="rng"):
        call(loss, PARAMS, X, network=NET, rng=-1)
    with pytest.raises(ValueError, match="direction"):
        snn.directional_derivative(loss, PARAMS, X, network=NET, direction={"W0": np.ones(2)})
    with pytest.raises(ValueError, match="rng must be None inside"):
        stochad.grad(lambda p: stochad.mean(NET.forward(p, X, rng=0)))(PARAMS)
