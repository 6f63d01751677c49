"""stochad's LIF networks in plain PyTorch and in snntorch, exactly equivalent, for timing.

Only for the benchmarks: torch and snntorch are not dependencies of stochad, and every
function here says so when they are missing (:func:`missing`). Both implementations
compute stochad's recursion (``stochad/snn/layers.py``) for ``LIF(reset="next_step",
detach_reset=True)`` with a deterministic spike ``Heaviside(surrogates.from_library(
"snntorch", "fast_sigmoid", k))``, optional recurrence, and the non-spiking ``Readout``:

    S[n] = H(U[n] − θ)                       dS/dU = 1/(1 + k|U − θ|)²  (snntorch's formula)
    I[n+1] = λ_syn I[n] + W S_in[n] + V S[n]
    U[n+1] = (λ_mem U[n] + (1 − λ_mem) I[n]) (1 − S[n])      (reset detached, as snntorch)

* :class:`TorchNetwork` writes it directly, step by step;
* :class:`SnnTorchNetwork` uses ``snntorch.Synaptic(alpha=λ_syn, beta=λ_mem,
  reset_mechanism="zero")`` (``"none"`` for the readout). snntorch's call ``n`` holds
  ``syn_n = (1 − λ_mem) I[n]`` and ``mem_n = U[n+1]`` and emits ``spk_n = S[n+1]``, so it is
  fed ``x_n = (1 − λ_mem)(S_in[n−1] W + S[n−1] V)`` (``x_0 = 0``), and stochad's first
  output ``S[0] = H(−θ)`` (``U[0] = 0``) is prepended. Its reset ``H(mem_{n−1} − θ)`` is
  detached and applied at the next call: ``reset="next_step"`` with ``detach_reset=True``.

:func:`check_equivalence` compares the loss and every gradient with stochad's
``method="surrogate"`` in float64 before anything is timed.
"""

from __future__ import annotations

import importlib

import numpy as np

__all__ = ["missing", "TorchNetwork", "SnnTorchNetwork", "torch_loss", "check_equivalence",
           "train_step", "SLOPE", "TOLERANCE"]

SLOPE = 25.0
"""snntorch's default ``fast_sigmoid`` slope, used for every comparison network."""


def missing() -> str | None:
    """None when torch and snntorch import, else a message saying which does not."""
    absent = []
    for name in ("torch", "snntorch"):
        try:
            importlib.import_module(name)
        except ImportError:  # not installed, or installed but broken
            absent.append(name)
    if not absent:
        return None
    return (f"{' and '.join(absent)} not importable: skipping the snntorch and plain PyTorch "
            "comparison (pip install torch; pip install snntorch --no-deps)")


def _layers(network):
    """(kind, layer) for each layer, refusing what the torch versions do not implement."""
    from stochad import snn

    out = []
    for layer in network.layers:
        if isinstance(layer, snn.Readout):
            out.append(("readout", layer))
            continue
        if not isinstance(layer, snn.LIF) or layer.stochastic or layer.reset != "next_step" \
                or not layer.detach_reset:
            raise ValueError("the torch versions implement LIF(reset='next_step', "
                             "detach_reset=True) with Heaviside spikes and Readout layers only")
        out.append(("lif", layer))
    return out


def _fast_sigmoid(torch):
    class FastSigmoid(torch.autograd.Function):
        """H(x) forward, 1/(1 + k|x|)² backward (snntorch.surrogate.fast_sigmoid's formula)."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return (x > 0).to(x.dtype)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad / (SLOPE * torch.abs(x) + 1.0) ** 2

    return FastSigmoid.apply


def _parameters(torch, params: dict, dtype):
    return {k: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in params.items()}


class TorchNetwork:
    """stochad's network in plain PyTorch (module docstring); ``params`` as stochad's dict."""

    def __init__(self, network, params: dict, dtype=None):
        import torch

        self.torch = torch
        self.dtype = dtype or torch.float32
        self.layers = _layers(network)
        self.params = _parameters(torch, params, self.dtype)
        self.spike = _fast_sigmoid(torch)

    def forward(self, inputs):
        torch = self.torch
        h = inputs
        for k, (kind, layer) in enumerate(self.layers):
            w, v = self.params[f"W{k}"], self.params.get(f"V{k}")
            batch, steps = h.shape[:2]
            drive = h @ w  # every step's feed-forward input at once
            i = torch.zeros(batch, layer.size, dtype=self.dtype)
            u = torch.zeros(batch, layer.size, dtype=self.dtype)
            ls, lm = layer.lambda_syn, layer.lambda_mem
            out = []
            for n in range(steps):
                if kind == "readout":
                    out.append(u)
                    i, u = ls * i + drive[:, n], lm * u + (1 - lm) * i
                    continue
                s = self.spike(u - layer.threshold)
                out.append(s)
                current = ls * i + drive[:, n] + (s @ v if v is not None else 0.0)
                i, u = current, (lm * u + (1 - lm) * i) * (1.0 - s.detach())
            h = torch.stack(out, dim=1)
        return h


class SnnTorchNetwork:
    """stochad's network through ``snntorch.Synaptic`` neurons (module docstring)."""

    def __init__(self, network, params: dict, dtype=None):
        import snntorch
        import torch

        self.torch = torch
        self.dtype = dtype or torch.float32
        self.layers = _layers(network)
        self.params = _parameters(torch, params, self.dtype)
        grad = snntorch.surrogate.fast_sigmoid(slope=SLOPE)
        previous = torch.get_default_dtype()
        torch.set_default_dtype(self.dtype)  # snntorch makes its α, β, θ in the default dtype
        try:
            self.neurons = [
                snntorch.Synaptic(alpha=layer.lambda_syn, beta=layer.lambda_mem,
                                  threshold=layer.threshold if kind == "lif" else 1.0,
                                  spike_grad=grad,
                                  reset_mechanism="zero" if kind == "lif" else "none")
                for kind, layer in self.layers
            ]
        finally:
            torch.set_default_dtype(previous)

    def forward(self, inputs):
        torch = self.torch
        h = inputs
        for k, ((kind, layer), neuron) in enumerate(zip(self.layers, self.neurons, strict=True)):
            w, v = self.params[f"W{k}"], self.params.get(f"V{k}")
            batch, steps = h.shape[:2]
            scaled = (1.0 - layer.lambda_mem) * (h @ w)
            zeros = torch.zeros(batch, layer.size, dtype=self.dtype)
            syn, mem = zeros, zeros
            first = zeros if kind == "readout" else (zeros - layer.threshold > 0).to(self.dtype)
            out = [first]  # S[0] = H(U[0] − θ) with U[0] = 0 (the readout's U[0])
            for n in range(steps - 1):
                x = zeros if n == 0 else scaled[:, n - 1]
                if v is not None and n >= 1:
                    x = x + (1.0 - layer.lambda_mem) * (out[n - 1] @ v)
                spk, syn, mem = neuron(x, syn, mem)
                out.append(mem if kind == "readout" else spk.to(self.dtype))
            h = torch.stack(out, dim=1)
        return h


def torch_loss(name: str, output, loss_args):
    """stochad's ``spike_mse`` or ``max_over_time_cross_entropy`` in torch."""
    import torch

    if name == "spike_mse":
        target = torch.as_tensor(loss_args[0], dtype=output.dtype)
        return 0.5 * ((output - target) ** 2).sum(dim=-2).mean()
    if name == "max_over_time_cross_entropy":
        labels = torch.as_tensor(np.asarray(loss_args[0]), dtype=torch.long)
        return torch.nn.functional.cross_entropy(output.max(dim=1).values, labels)
    raise ValueError(f"no torch version of the loss {name!r}")


def train_step(model, inputs, loss_name: str, loss_args, lr: float = 1e-3) -> float:
    """Forward, backward and an SGD update of ``model``'s parameters; the loss."""
    torch = model.torch
    loss = torch_loss(loss_name, model.forward(inputs), loss_args)
    grads = torch.autograd.grad(loss, list(model.params.values()))
    with torch.no_grad():
        for p, g in zip(model.params.values(), grads, strict=True):
            p -= lr * g
    return float(loss.detach())


TOLERANCE = {"torch": 1e-9, "snntorch": 1e-6}
"""Allowed relative differences in float64: snntorch's ``fast_sigmoid`` casts the spike to
float32 (``.float()``), so the surrogate factor of its gradient is rounded there."""


def check_equivalence(network, params: dict, inputs, loss, loss_args, *,
                      kinds=("torch", "snntorch"), rtol: dict | None = None) -> dict:
    """Loss and gradients of each torch version (float64) against stochad's surrogate BPTT.

    Returns ``{kind: largest relative difference}`` over the loss and every gradient
    entry (relative to the largest entry of that gradient), and ``"spikes"``: the number
    of spikes stochad's run emitted (a check on silent networks says nothing); raises
    ``AssertionError`` if a difference exceeds its tolerance (:data:`TOLERANCE`).
    """
    import torch

    from stochad import snn

    rtol = {**TOLERANCE, **(rtol or {})}
    value, grads = snn.value_and_grad(loss, params, inputs, *loss_args, network=network,
                                      method="surrogate", rng=0)
    trace = network.run(params, inputs)
    out = {"spikes": int(sum(np.sum(s) for layer, spikes in zip(network.layers, trace.layers,
                                                                  strict=True)
                             if isinstance(layer, snn.LIF) for s in spikes))}
    x = torch.tensor(inputs, dtype=torch.float64)
    for kind in kinds:
        model = (TorchNetwork if kind == "torch" else SnnTorchNetwork)(network, params,
                                                                       torch.float64)
        t_loss = torch_loss(loss.__name__, model.forward(x), loss_args)
        t_grads = torch.autograd.grad(t_loss, list(model.params.values()))
        worst = abs(float(t_loss.detach()) - value) / max(abs(value), 1e-300)
        for name, g in zip(model.params, t_grads, strict=True):
            scale = max(float(np.abs(grads[name]).max()), 1e-300)
            worst = max(worst, float(np.abs(g.numpy() - grads[name]).max()) / scale)
        if not worst <= rtol[kind]:
            raise AssertionError(f"{kind} differs from stochad's surrogate gradient by "
                                 f"{worst:.3g} (relative; allowed {rtol[kind]:g})")
        out[kind] = worst
    return out
