"""The numba surrogate BPTT equals stochad.grad of the same network on the same spikes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from stochad import snn
from tests.snn.networks import problem, quadratic_loss, target_like


def both(net, params, inputs, seed):
    target = target_like(inputs, net, seed)
    kw = dict(network=net, rng=seed, return_aux=True)
    return tuple(
        snn.value_and_grad(quadratic_loss, params, inputs, target, method=method, **kw)
        for method in ("surrogate", "smoothed")
    )


def assert_same(r1, r2):
    (v1, g1, a1), (v2, g2, a2) = r1, r2
    # the same spikes (a different spike would move the output by far more than rounding)
    np.testing.assert_allclose(a1["output"], a2["output"], rtol=1e-12, atol=1e-12)
    assert v1 == pytest.approx(v2, rel=1e-12, abs=1e-12)
    for k in g1:
        scale = max(1.0, float(np.max(np.abs(g2[k]))))
        np.testing.assert_allclose(g1[k], g2[k], rtol=0, atol=1e-9 * scale, err_msg=k)


@settings(max_examples=30)
@given(problem(stochastic=True))
def test_escape_noise_surrogate_equals_smoothed(case):
    """Matched surrogates, reset kept or detached (drawn per layer)."""
    assert_same(*both(*case))


@settings(max_examples=30)
@given(problem(stochastic=False))
def test_deterministic_surrogate_equals_grad_with_heaviside(case):
    assert_same(*both(*case))


@settings(max_examples=15)
@given(problem(mismatched=None))
def test_mixed_layers_mismatch_and_detach(case):
    """Deterministic and stochastic layers mixed, some surrogates mismatched (another
    family or β_SG ≠ β_N); detach_reset varies per layer."""
    assert_same(*both(*case))
