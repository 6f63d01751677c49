"""examples/train_stochastic_binary_network.py: the loss falls under smoothed gradients."""

from __future__ import annotations

from tests.examples import load

example = load("train_stochastic_binary_network")


def test_loss_falls():
    history = example.main(steps=100, report_every=25)
    assert len(history) == 4
    assert history[-1] < history[0]
