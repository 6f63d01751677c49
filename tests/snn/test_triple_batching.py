"""``"triple"``'s coordinates batched in one pass (``coordinates_per_pass``) against one
pass per coordinate, and the dict (exact) backend on a tiny network.

Batched blocks of rows draw their own spikes (the engine draws the uniforms of all rows at
once), while the per-coordinate passes replay one sample's spikes, so on a stochastic
network the two agree in distribution, not bit for bit: they are compared statistically.
On a deterministic network the smoothed backend has no randomness at all, and there the
two must agree to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest

import stochad
from stochad import snn, surrogates
from stochad.snn.gradients import DICT_MAX_ROW_DRAWS
from tests.snn.enumeration import exact_gradient
from tests.snn.test_unbiased import case, per_row


def test_batched_equals_per_coordinate_passes_statistically():
    net, params, x = case("subtract")  # recurrent: W0 and V0, 8 coordinates
    xs = np.repeat(x, 4000, axis=0)
    got = {}
    for per_pass in (1, 3):  # 3: passes of 3 blocks, the last one shorter
        _, g, aux = snn.value_and_grad(per_row, params, xs, network=net, method="triple",
                                       rng=11, coordinates_per_pass=per_pass,
                                       return_aux=True)  # fmt: skip
        got[per_pass] = (g, aux["stderr"])
    (g1, s1), (g3, s3) = got[1], got[3]
    for k in params:
        z = (g1[k] - g3[k]) / np.hypot(s1[k], s3[k])
        assert np.all(np.abs(z) < 5), (k, z)
        # the same estimator per coordinate: the same spread (measured ratios 0.95-1.05)
        assert np.all(np.abs(s3[k] / s1[k] - 1) < 0.2), (k, s3[k] / s1[k])


def deterministic_case():
    spike = snn.Heaviside(surrogates.fast_sigmoid(4.0))
    net = snn.Network(3, [snn.LIF(3, recurrent=True, threshold=0.4, spike=spike),
                          snn.BinaryDense(2, spike=spike), snn.Readout(2)])  # fmt: skip
    params = net.init_params(rng=0, scale=3.0)
    params = {k: v + 0.5 * (k[0] == "W") for k, v in params.items()}
    x = (np.random.default_rng(1).random((3, 8, 3)) < 0.5) * 1.0
    return net, params, x


def test_batched_smoothed_triples_equal_per_coordinate_and_reverse_mode_exactly():
    """No randomness: every coordinate's smoothed forward derivative is a number, the same
    whether its rows run alone or among other blocks, and equal to reverse mode."""
    net, params, x = deterministic_case()

    def loss(out):
        return stochad.sum(out * out)

    runs = [snn.value_and_grad(loss, params, x, network=net, method="triple", rng=0,
                               backend="smoothed", coordinates_per_pass=k)[1]
            for k in (1, 4, 100)]  # fmt: skip
    _, reverse = snn.value_and_grad(loss, params, x, network=net, method="smoothed", rng=0)
    for k in params:
        assert np.abs(reverse[k]).max() > 0, k  # every parameter matters
        for g in runs:
            np.testing.assert_allclose(g[k], runs[0][k], rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(g[k], reverse[k], rtol=1e-9, atol=1e-12)


NOISE = snn.EscapeNoise(surrogates.logistic(3.0))
TINY = snn.Network(2, [snn.LIF(2, tau_mem=5e-3, threshold=0.5, recurrent=True, spike=NOISE),
                       snn.BinaryDense(1, spike=NOISE)])  # fmt: skip
TINY_PARAMS = {"W0": np.array([[3.0, 1.0], [-1.0, 2.5]]),
               "V0": np.array([[0.0, -2.0], [1.5, 0.5]]),
               "W1": np.array([[1.5], [-1.0]]), "b1": np.array([0.0])}  # fmt: skip
TINY_X = np.array([[[1.0, 1.0], [1.0, 0.0], [1.0, 1.0]]])  # T = 3
SIGNS = np.array([1.0, -1.0, 1.0])[None, :, None]


def tiny_loss(out):
    return (stochad.sum(stochad.sum(out * SIGNS, axis=2), axis=1) - 1.0) ** 2


def tiny_loss_np(out):
    return (np.sum(out * SIGNS, axis=(1, 2)) - 1.0) ** 2


def test_dict_backend_is_unbiased_against_enumeration():
    truth = exact_gradient(TINY, TINY_PARAMS, TINY_X, tiny_loss_np)
    _, g, aux = snn.value_and_grad(tiny_loss, TINY_PARAMS, np.repeat(TINY_X, 3000, axis=0),
                                   network=TINY, method="triple", backend="dict", rng=2,
                                   subset=["W0", "b1"], return_aux=True)  # fmt: skip
    z = np.concatenate([((g[k] - truth[k]) / aux["stderr"][k]).ravel() for k in g])
    assert np.all(np.abs(z) < 5), z
    scale = max(np.abs(truth[k]).max() for k in g)
    assert max(aux["stderr"][k].max() for k in g) < 0.15 * scale  # sharp enough to fail


def variance(samples):
    """The sample variance and its standard error (from the fourth central moment)."""
    v = samples.var(ddof=1)
    return v, np.sqrt((np.mean((samples - samples.mean()) ** 4) - v * v) / len(samples))


def test_dict_backend_variance_is_below_the_pruned_one():
    """The dict backend carries every perturbation to the loss, pruning keeps one per
    element: along b1 the three output spikes' perturbations meet in the loss (measured
    variances 7.2 ± 0.26 against 11.2 ± 0.14)."""
    runs = {}
    for backend, rows in (("dict", 4000), ("pruned", 40000)):
        r = snn.directional_derivative(tiny_loss, TINY_PARAMS, np.repeat(TINY_X, rows, axis=0),
                                       network=TINY, direction={"b1": np.ones(1)},
                                       backend=backend, rng=3)  # fmt: skip
        runs[backend] = variance(r.samples)
    (v_dict, se_dict), (v_pruned, se_pruned) = runs["dict"], runs["pruned"]
    assert v_dict + 5 * np.hypot(se_dict, se_pruned) < v_pruned


def test_dict_backend_refuses_a_network_above_its_size_limit():
    steps = DICT_MAX_ROW_DRAWS // 3 + 1  # 3 stochastic neurons per step
    x = np.ones((1, steps, 2))
    with pytest.raises(ValueError, match="DICT_MAX_ROW_DRAWS = 64; use backend='pruned'"):
        snn.value_and_grad(tiny_loss, TINY_PARAMS, x, network=TINY, method="triple",
                           backend="dict", rng=0)  # fmt: skip


def test_coordinates_per_pass_is_checked():
    with pytest.raises(ValueError, match="coordinates_per_pass must be None or"):
        snn.value_and_grad(tiny_loss, TINY_PARAMS, TINY_X, network=TINY, method="triple",
                           coordinates_per_pass=0)  # fmt: skip


def test_batched_scalar_loss_keeps_every_rows_events():
    """A scalar loss (the mean over the batch's rows) keeps the rows' perturbations in a
    bag; each block's loss must stay apart (stacking the blocks' losses pruned each bag to
    one event: a standard error 9x that of the per-coordinate passes). Measured ratios of
    the standard errors: 0.72-1.28."""
    net, params, x = case("next_step")

    def mean_loss(out):
        return stochad.mean(per_row(out))

    stderr = {}
    for per_pass in (1, None):
        _, _, aux = snn.value_and_grad(mean_loss, params, np.repeat(x, 50, axis=0), network=net,
                                       method="triple", rng=12, samples=25, return_aux=True,
                                       coordinates_per_pass=per_pass)  # fmt: skip
        stderr[per_pass] = aux["stderr"]
    for k in params:
        ratio = stderr[None][k] / stderr[1][k]
        assert np.all(ratio < 2), (k, ratio)
