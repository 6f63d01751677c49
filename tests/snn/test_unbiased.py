"""Unbiasedness of "triple" and "score" against exact enumeration, and the bias of the
smoothed (= surrogate) gradient on the same networks."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest

import stochad
from stochad import snn, surrogates
from tests.snn.enumeration import exact_gradient

T = 6
WEIGHTS = np.linspace(0.5, 1.5, T)[None, :, None] * np.array([1.0, -0.7])


def per_row_np(out):
    return (np.sum(out * WEIGHTS[:, : out.shape[1], : out.shape[2]], axis=(1, 2)) - 1.0) ** 2


def per_row(out):
    weighted = out * WEIGHTS[:, : out.shape[1], : out.shape[2]]
    return (stochad.sum(stochad.sum(weighted, axis=2), axis=1) - 1.0) ** 2


def case(name):
    """(network, params, one input row) for a reset convention or the two-layer net."""
    noise = snn.EscapeNoise(surrogates.logistic(3.0))
    x = np.ones((1, T, 2))
    x[0, :, 1] = [1, 0, 1, 1, 0, 1]
    if name == "two_layer":
        net = snn.Network(2, [snn.LIF(2, tau_mem=5e-3, threshold=0.5, spike=noise),
                              snn.LIF(1, tau_mem=5e-3, threshold=0.3, spike=noise)])  # fmt: skip
        params = {"W0": np.array([[3.0, 1.0], [-1.0, 2.5]]), "W1": np.array([[4.0], [-3.0]])}
        return net, params, x[:, :5]
    layer = snn.LIF(2, tau_mem=5e-3, threshold=0.5, recurrent=True, reset=name, spike=noise)
    params = {"W0": np.array([[3.0, 1.0], [-1.0, 2.5]]), "V0": np.array([[0.0, -2.0], [1.5, 0.5]])}
    return snn.Network(2, [layer]), params, x


CASES = [*snn.RESETS, "two_layer"]


@functools.cache
def exact(name):
    net, params, x = case(name)
    return exact_gradient(net, params, x, per_row_np)


def z_scores(estimate, stderr, truth):
    return np.concatenate([((estimate[k] - truth[k]) / stderr[k]).ravel() for k in truth])


@pytest.mark.parametrize("name", CASES)
def test_triple_is_unbiased_against_enumeration(name):
    net, params, x = case(name)
    _, g, aux = snn.value_and_grad(per_row, params, np.repeat(x, 12000, axis=0), network=net,
                                   method="triple", rng=1, return_aux=True)  # fmt: skip
    truth = exact(name)
    assert np.all(np.abs(z_scores(g, aux["stderr"], truth)) < 5)
    scale = max(np.abs(truth[k]).max() for k in truth)
    assert max(aux["stderr"][k].max() for k in truth) < 0.1 * scale  # sharp enough to fail


@pytest.mark.parametrize("name", CASES)
def test_smoothed_gradient_is_biased_on_the_same_network(name):
    """The smoothed gradient (== surrogate BPTT, tests/snn/test_equality.py) averages to
    something else than the exact gradient: |z| > 5 for some coordinate (measured: the
    largest |z| is 17-43 with these sample sizes)."""
    net, params, x = case(name)
    _, g, aux = snn.value_and_grad(per_row, params, np.repeat(x, 1000, axis=0), network=net,
                                   method="smoothed", rng=2, samples=8,
                                   return_aux=True)  # fmt: skip
    assert np.max(np.abs(z_scores(g, aux["stderr"], exact(name)))) > 5


@pytest.mark.parametrize("name", CASES)
def test_score_function_is_unbiased_against_enumeration(name):
    net, params, x = case(name)
    _, g, aux = snn.value_and_grad(per_row, params, np.repeat(x, 1000, axis=0), network=net,
                                   method="score", baseline="leave_one_out", rng=3, samples=12,
                                   return_aux=True)  # fmt: skip
    truth = exact(name)
    assert np.all(np.abs(z_scores(g, aux["stderr"], truth)) < 5)
    scale = max(np.abs(truth[k]).max() for k in truth)
    assert max(aux["stderr"][k].max() for k in truth) < 0.2 * scale


def test_paper_two_layer_example():
    """Gygax & Zenke's h ~ Bern(σ(w1 x)), y ~ Bern(σ(w2 h + b)), x = 1, w1 = 0.3, w2 = 2,
    b = −1: triple → σ′(w1)[σ(w2+b) − σ(b)] (exact), smoothed → σ′(w1) w2 E_h[σ′(w2 h + b)]
    (docs/theory.md §6); the two differ by 15 %."""
    s = surrogates.logistic(1.0)
    net = snn.Network(1, [snn.BinaryDense(1, bias=False, spike=snn.EscapeNoise(s)),
                          snn.BinaryDense(1, spike=snn.EscapeNoise(s))])  # fmt: skip
    params = {"W0": np.array([[0.3]]), "W1": np.array([[2.0]]), "b1": np.array([-1.0])}
    sig, dsig = s.noise_cdf, s.derivative
    exact_w1 = dsig(0.3) * (sig(1.0) - sig(-1.0))
    smoothed_w1 = dsig(0.3) * 2.0 * (sig(0.3) * dsig(1.0) + (1 - sig(0.3)) * dsig(-1.0))
    assert abs(smoothed_w1 / exact_w1 - 1) > 0.1
    x = np.ones((20000, 1, 1))
    rows = lambda out: stochad.sum(stochad.sum(out, axis=2), axis=1)  # noqa: E731
    _, g, aux = snn.value_and_grad(rows, params, x, network=net, method="triple", rng=4,
                                   subset="W0", return_aux=True)  # fmt: skip
    assert abs(g["W0"][0, 0] - exact_w1) < 5 * aux["stderr"]["W0"][0, 0]
    # σ′(w2 + b) = σ′(b) here, so every draw gives the same smoothed derivative
    _, g = snn.value_and_grad(rows, params, x[:100], network=net, method="smoothed", rng=5)
    assert g["W0"][0, 0] == pytest.approx(smoothed_w1, rel=1e-12)


def test_random_direction_estimate_is_unbiased():
    """(∇L·v) v with Rademacher v: unbiased for the whole gradient."""
    net, params, x = case("next_step")
    _, g, aux = snn.value_and_grad(per_row, params, np.repeat(x, 300, axis=0), network=net,
                                   method="triple", direction="random", rng=6, samples=150,
                                   return_aux=True)  # fmt: skip
    assert np.all(np.abs(z_scores(g, aux["stderr"], exact("next_step"))) < 5)


def test_triple_passes_of_one_sample_share_its_draws():
    """Every coordinate pass replays the sample's spikes: its loss value is the same as
    the other methods' on the same seed."""
    net, params, x = case("same_step")
    xs = np.repeat(x, 50, axis=0)
    values = [snn.value_and_grad(per_row, params, xs, network=net, method=m, rng=9)[0]
              for m in snn.METHODS]  # fmt: skip
    assert np.allclose(values, values[0], rtol=1e-12)


def test_triple_keeps_a_detached_reset_and_stays_unbiased():
    """``detach_reset=True`` is for surrogate gradients: the triple passes keep the reset
    (detaching it on triples dropped the spike's perturbation from the reset: z up to 11)."""
    net, params, x = case("next_step")
    detached = snn.Network(net.n_in, [dataclasses.replace(layer, detach_reset=True)
                                      for layer in net.layers])  # fmt: skip
    _, g, aux = snn.value_and_grad(per_row, params, np.repeat(x, 12000, axis=0),
                                   network=detached, method="triple", rng=1,
                                   return_aux=True)  # fmt: skip
    assert np.all(np.abs(z_scores(g, aux["stderr"], exact("next_step"))) < 5)
