"""examples/fig5_not_conservative.py: ∮ SG · dθ ≠ 0, ∮ ∇y · dθ = 0, both converged."""

from __future__ import annotations

import numpy as np
import pytest

from tests.examples import load

example = load("fig5_not_conservative")


@pytest.fixture(scope="module")
def results():
    return example.run(quick=True)


def test_plane_is_orthonormal(results):
    d = results["directions"]
    np.testing.assert_allclose(d @ d.T, np.eye(2), atol=1e-12)


def test_true_gradient_integrates_to_zero(results):
    for b in example.BETAS_SG:
        values = results["integrals"][("true", b)]
        assert abs(values[-1]) < 1e-10
        assert abs(values[-2]) < 1e-10


def test_surrogate_gradient_integral_is_nonzero_and_converged(results):
    for b in example.BETAS_SG:
        values = results["integrals"][("SG", b)]
        assert abs(values[-1]) > 0.05  # measured: 0.295, -0.118, -6.68
        assert abs(values[-1] - values[-2]) < 1e-2 * abs(values[-1])  # 16384 vs 65536 points


def test_running_integral_of_true_gradient_is_the_output():
    # fine enough to resolve the σ_5 network: the running integral is y(θ(α)) − y(θ(0))
    n = 4096
    alpha, theta, tangent = example.circle(n, example.plane())
    g = example.field(theta, 5.0, 5.0)
    running = np.cumsum(np.sum(g * tangent, axis=0)) * 2 * np.pi / n
    y = example.network(*theta, beta_f=5.0)
    # the rectangle rule's left sum lags by half a step; compare at midpoints
    mid = np.r_[y[1:], y[0]]
    np.testing.assert_allclose(running, mid - y[0], atol=5e-3)
