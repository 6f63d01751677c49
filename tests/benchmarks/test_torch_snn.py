"""The plain PyTorch and snntorch versions of stochad's LIF networks compute stochad's loss
and gradients (skipped without torch/snntorch), and the speed rows skip cleanly without them."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import speed, torch_snn

needs_torch = pytest.mark.skipif(torch_snn.missing() is not None,
                                 reason=str(torch_snn.missing()))


def _case(recurrent: bool):
    from stochad import snn, surrogates
    from stochad.snn.losses import max_over_time_cross_entropy, spike_mse

    spike = snn.Heaviside(surrogates.from_library("snntorch", "fast_sigmoid", torch_snn.SLOPE))
    rng = np.random.default_rng(4)
    x = (rng.random((3, 25, 6)) < 0.4) * 1.0
    if recurrent:
        net = snn.Network(6, [snn.LIF(5, recurrent=True, spike=spike, detach_reset=True),
                              snn.Readout(3)])
        return net, net.init_params(rng=4, scale=6.0), x, max_over_time_cross_entropy, (
            np.array([0, 2, 1]),)
    net = snn.Network(6, [snn.LIF(5, spike=spike, detach_reset=True),
                          snn.LIF(4, spike=spike, detach_reset=True)])
    target = (rng.random((3, 25, 4)) < 0.2) * 1.0
    return net, net.init_params(rng=rng, scale=4.0), x, spike_mse, (target,)


@needs_torch
@pytest.mark.parametrize("recurrent", [False, True])
def test_torch_versions_give_stochads_loss_and_gradients(recurrent):
    result = torch_snn.check_equivalence(*_case(recurrent))
    assert result["spikes"] > 20  # the comparison sees spikes, resets and their gradients
    assert result["torch"] < 1e-9 and result["snntorch"] < 1e-6


@needs_torch
def test_the_check_fails_on_another_surrogate(monkeypatch):
    case = _case(False)  # stochad's surrogate: snntorch's fast_sigmoid with slope 25
    monkeypatch.setattr(torch_snn, "SLOPE", 10.0)  # the torch side's slope only
    with pytest.raises(AssertionError, match="differs"):
        torch_snn.check_equivalence(*case, kinds=("torch",))


def test_other_networks_are_refused():
    from stochad import snn

    net = snn.Network(2, [snn.LIF(2)])  # detach_reset=False: not snntorch's convention
    with pytest.raises(ValueError, match="detach_reset=True"):
        torch_snn._layers(net)


def test_speed_rows_skip_with_a_message_without_torch(monkeypatch):
    monkeypatch.setattr(torch_snn, "missing", lambda: "torch not installed: skipping")
    lines = []
    assert speed.torch_rows(True, echo=lines.append) == []
    assert lines == ["torch not installed: skipping"]
