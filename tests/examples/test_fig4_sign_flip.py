"""examples/fig4_sign_flip.py: the SG has the opposite sign of dy/dw at the stated w."""

from __future__ import annotations

import numpy as np
import pytest

from tests.examples import load

example = load("fig4_sign_flip")


@pytest.fixture(scope="module")
def results():
    return example.run(quick=True)


def _analytic(w, beta_sg):
    """dy/dw of the four-sigmoid network with σ′_βSG everywhere (hand-derived chain rule)."""
    s = lambda z, b: 1 / (1 + np.exp(-b * z))  # noqa: E731
    ds = lambda z, b: b * s(z, b) * (1 - s(z, b))  # noqa: E731
    bf = example.BETA_F
    g = s(w, bf)
    h1, h2 = s(example.V1 * g, bf), s(example.V2 * g, bf)
    inner = example.U1 * ds(example.V1 * g, beta_sg) * example.V1
    inner = inner + example.U2 * ds(example.V2 * g, beta_sg) * example.V2
    return ds(example.U1 * h1 + example.U2 * h2, beta_sg) * inner * ds(w, beta_sg)


def test_true_gradient_and_surrogate_gradients_match_the_chain_rule(results):
    w = results["w"]
    np.testing.assert_allclose(results["true"], _analytic(w, example.BETA_F), rtol=1e-9, atol=1e-12)
    for b, sg in results["sg"].items():
        np.testing.assert_allclose(sg, _analytic(w, b), rtol=1e-9, atol=1e-12)


def test_sign_differs_at_the_stated_weights(results):
    w0 = example.W_LANDSCAPE
    true = float(example.gradient(0, w0))
    assert true > 0.5
    for b, spans in results["flips"].items():
        assert float(example.gradient(0, w0, beta_sg=b)) < -1.0
        assert any(a <= w0 <= c for a, c in spans)
        # the flip is a window around w ≈ 0: it starts where g = σ(100 w) leaves 0
        assert spans[0][0] == pytest.approx(-0.013, abs=2e-3)
    # a steeper surrogate flips on a narrower window (15: up to the sweep's end)
    ends = [results["flips"][b][-1][1] for b in sorted(results["flips"])]
    assert ends[0] > 0.19 and ends[0] > ends[1] > ends[2] > 0


def test_sign_agrees_away_from_the_window(results):
    w = results["w"]
    left = w < -0.05
    for sg in results["sg"].values():
        assert np.all(np.sign(sg[left]) == np.sign(results["true"][left]))
