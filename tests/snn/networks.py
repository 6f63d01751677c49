"""Hypothesis strategies for small networks, inputs and losses (shared by the snn tests)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import stochad
from stochad import snn, surrogates

FAMILIES = sorted(surrogates.SURROGATES)


@st.composite
def surrogate(draw, beta_range=(0.5, 8.0)):
    name = draw(st.sampled_from(FAMILIES))
    beta = draw(st.floats(*beta_range))
    return surrogates.SURROGATES[name](beta=beta)


@st.composite
def spike(draw, stochastic=None, mismatched=False):
    stochastic = draw(st.booleans()) if stochastic is None else stochastic
    if not stochastic:
        return snn.Heaviside(draw(surrogate()))
    noise = draw(surrogate())
    mismatch = draw(st.booleans()) if mismatched is None else mismatched
    return snn.EscapeNoise(noise, draw(surrogate()) if mismatch else None)


@st.composite
def network(draw, stochastic=None, detach=None, max_layers=3, readout=None, mismatched=False):
    n_in = draw(st.integers(1, 8))
    n_layers = draw(st.integers(1, max_layers))
    readout = draw(st.booleans()) if readout is None else readout
    layers = []
    for k in range(n_layers):
        if readout and k == n_layers - 1:
            layers.append(snn.Readout(draw(st.integers(1, 8)), tau_mem=draw(st.floats(2e-3, 2e-2))))
        elif draw(st.integers(0, 4)) == 0:
            unit = draw(spike(stochastic, mismatched))
            layers.append(snn.BinaryDense(draw(st.integers(1, 8)), spike=unit))
        else:
            layers.append(
                snn.LIF(
                    draw(st.integers(1, 8)),
                    tau_syn=draw(st.floats(2e-3, 2e-2)),
                    tau_mem=draw(st.floats(2e-3, 2e-2)),
                    threshold=draw(st.floats(0.2, 1.5)),
                    recurrent=draw(st.booleans()),
                    reset=draw(st.sampled_from(snn.RESETS)),
                    detach_reset=draw(st.booleans()) if detach is None else detach,
                    spike=draw(spike(stochastic, mismatched)),
                )
            )
    return snn.Network(n_in, layers)


@st.composite
def problem(draw, **kwargs):
    """(network, params, inputs, seed): weights large enough that neurons fire."""
    net = draw(network(**kwargs))
    seed = draw(st.integers(0, 2**31))
    g = np.random.default_rng(seed)
    scale = draw(st.floats(1.0, 6.0))
    params = net.init_params(rng=g, scale=scale)
    # a positive shift of the feed-forward weights makes neurons fire
    params = {k: v + 0.5 * k.startswith("W") * g.random(v.shape) for k, v in params.items()}
    batch, steps = draw(st.integers(1, 4)), draw(st.integers(1, 20))
    inputs = (g.random((batch, steps, net.n_in)) < draw(st.floats(0.1, 0.9))) * 1.0
    return net, params, inputs, seed


def quadratic_loss(out, target):
    """A loss of every output element, so every path gets a cotangent."""
    return stochad.sum((out - target) ** 2) * 0.5


def target_like(inputs, net, seed):
    g = np.random.default_rng(seed + 1)
    return g.random((inputs.shape[0], inputs.shape[1], net.layers[-1].size))
