"""Small stochastic spiking networks (``stochad.snn``) with exact derivatives.

Each program is a batched :class:`~benchmarks.programs.Program`: ``f(p)`` runs ``batch``
independent rows of one network on one input row and returns the per-row loss, a vector
of ``batch`` independent samples of ``L(p)``; every estimator then returns ``batch``
independent derivative samples per call (stochastic triples keep one estimate per row:
pruning never mixes rows). Exact values, never from sampling:

- ``snn_two_layer``: Gygax & Zenke's two-layer example built from two
  :class:`stochad.snn.BinaryDense` layers; the closed forms of the scalar ``two_layer``
  program (the same numbers through the SNN layers);
- ``snn_lif10``, ``snn_lif50``: one LIF neuron with logistic escape noise, ``next_step``
  reset, a fixed input spike train of weight ``p``, loss ``(spike count − target)²``, over
  ``T = 10`` and ``T = 50`` steps. Exact by dynamic programming: without recurrence the
  current ``I`` is deterministic and a spike resets ``U`` to 0, so the membrane at step
  ``n`` is fixed by the step of the last reset; the state (last reset, count) has
  ``O(T²)`` values (``2⁵⁰`` spike patterns could not be enumerated). The recursion is
  written here in plain numpy, independently of the layer code;
- ``snn_net``: 2 inputs → 1 LIF → 1 LIF over ``T = 8`` steps (16 stochastic spikes), the
  first layer's weights scaled by ``p``, loss ``(output count − 1)²``; exact by enumerating
  all ``2¹⁶`` spike patterns (probabilities from the network's own forced runs).

Derivatives are central differences of the exact mean with ``h = 1e-5`` (the mean is a
smooth function of ``p``; the error is ``O(h²)``, about 1e-10 relative). The smoothed
estimators' expectations have no closed form here except for ``snn_two_layer``.

This module imports only stochad, numpy and scipy.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

import stochad
from stochad import snn, surrogates
from stochad.snn.gradients import log_probability

__all__ = ["definitions", "lif_count_law", "enumerated_mean", "batched_score", "SNN_NAMES"]

EXACT_STEP = 1e-5
"""The half step of the central difference of the exact mean that gives the derivative."""


def _central(mean, p: float) -> float:
    return (mean(p + EXACT_STEP) - mean(p - EXACT_STEP)) / (2.0 * EXACT_STEP)


# -- the networks ------------------------------------------------------------------------
class SNNProgram:
    """A network, its parameters as a function of ``p``, one input row and a per-row loss.

    ``loss_np`` is the same loss on plain arrays (for exact values). ``f(p)`` is the program
    of the variance suite; :func:`batched_score` is its score-function estimator.
    """

    def __init__(self, network, params, x_row, loss, loss_np, batch: int):
        self.network, self.params, self.loss, self.loss_np = network, params, loss, loss_np
        self.inputs = np.repeat(x_row, batch, axis=0)
        self.x_row = x_row

    def f(self, p):
        return self.loss(self.network.run(self.params(p), self.inputs).output)


def batched_score(spec: SNNProgram, with_baseline: bool):
    """The score-function estimator of a batched SNN program, one estimate per row.

    One plain run draws every row's spikes; then, with the spikes held fixed (``forced``),
    the exact forward derivative of ``L_b + (L_b − baseline)·log P(S_b)`` by ``p`` is the
    row's pathwise part plus its score term (REINFORCE, unbiased for a constant baseline).
    The baseline is the mean of an independent pilot run (or 0).
    """

    def make(program, baseline):
        b = baseline if with_baseline else 0.0
        net, inputs = spec.network, spec.inputs

        def sample(rng):
            with stochad.using_rng(rng):
                trace = net.run(spec.params(program.p), inputs)
            forced = [np.stack(trace.layers[k], axis=1) if layer.stochastic else None
                      for k, layer in enumerate(net.layers)]
            credit = spec.loss_np(np.asarray(trace.output)) - b

            def scored(q):
                run = net.run(spec.params(q), inputs, forced=forced)
                return spec.loss(run.output) + credit * log_probability(net, run)

            return stochad.derivative_estimate(scored, program.p)  # no draws: exact

        return sample

    return make


# -- one LIF neuron: dynamic programming over (last reset, count) ----------------------------
LIF_BETA, LIF_THRESHOLD, LIF_WEIGHT = 4.0, 1.0, 0.8
LIF_TARGET = {10: 1.0, 50: 5.0}


def _lif_input(steps: int) -> np.ndarray:
    """Input spikes on every second step, from step 0."""
    x = np.zeros((1, steps, 1))
    x[0, ::2, 0] = 1.0
    return x


def _lif_layer() -> snn.LIF:
    return snn.LIF(1, threshold=LIF_THRESHOLD,
                   spike=snn.EscapeNoise(surrogates.logistic(LIF_BETA)))


def lif_count_law(w: float, steps: int) -> np.ndarray:
    """``P(spike count = c)``, ``c = 0..steps``, of the single-LIF program at weight ``w``.

    The layer's recursion (``stochad.snn.layers``): ``S[n] ~ Bern(σ(β(U[n] − θ)))``,
    ``I[n+1] = λ_syn I[n] + w x[n]``, ``U[n+1] = (λ_mem U[n] + (1 − λ_mem) I[n])(1 − S[n])``,
    ``I[0] = U[0] = 0``. A spike at ``n`` makes ``U[n+1] = 0``, as ``U[0] = 0`` is, so
    ``U[n] = g(r, n)`` with ``r`` the step of the last reset and
    ``g(r, r) = 0``, ``g(r, n+1) = λ_mem g(r, n) + (1 − λ_mem) I[n]``.
    """
    layer = _lif_layer()
    ls, lm = layer.lambda_syn, layer.lambda_mem
    x = _lif_input(steps)[0, :, 0]
    current = np.zeros(steps)
    for n in range(steps - 1):
        current[n + 1] = ls * current[n] + w * x[n]
    # prob[r, c]: the last reset at step r with c spikes so far; u[r]: U[n] after reset r
    prob = np.zeros((steps + 1, steps + 1))
    prob[0, 0] = 1.0
    u = np.zeros(steps + 1)
    for n in range(steps):
        fire = expit(LIF_BETA * (u - LIF_THRESHOLD))  # per reset step r
        fired = (prob * fire[:, None]).sum(axis=0)  # by count, before adding this spike
        prob = prob * (1.0 - fire[:, None])
        prob[n + 1, 1:] += fired[:-1]
        u = lm * u + (1.0 - lm) * current[n]
        u[n + 1] = 0.0  # the neuron that spiked at n restarts from 0 at n + 1
    return prob.sum(axis=0)


def _lif_spec(steps: int, batch: int) -> SNNProgram:
    net = snn.Network(1, [_lif_layer()])
    target = LIF_TARGET[steps]

    def loss(out):
        return (stochad.sum(stochad.sum(out, axis=2), axis=1) - target) ** 2

    def loss_np(out):
        return (out.sum(axis=(1, 2)) - target) ** 2

    return SNNProgram(net, lambda w: {"W0": w * np.ones((1, 1))}, _lif_input(steps), loss,
                      loss_np, batch)


def _lif_mean(steps: int):
    counts = np.arange(steps + 1)
    target = LIF_TARGET[steps]
    return lambda w: float(np.sum(lif_count_law(w, steps) * (counts - target) ** 2))


# -- enumeration of every spike pattern ------------------------------------------------------
def enumerated_mean(spec: SNNProgram, p: float) -> float:
    """``E[loss]`` at ``p`` by running every spike pattern of the stochastic layers once."""
    net, x_row = spec.network, spec.x_row
    steps = x_row.shape[1]
    sizes = [layer.size * steps if layer.stochastic else 0 for layer in net.layers]
    d = sum(sizes)
    if d > 20:
        raise ValueError(f"{d} stochastic spikes: too many to enumerate")
    bits = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(np.float64)
    forced, start = [], 0
    for layer, size in zip(net.layers, sizes, strict=True):
        forced.append(bits[:, start:start + size].reshape(-1, steps, layer.size) if size
                      else None)
        start += size
    trace = net.run(spec.params(p), np.repeat(x_row, 2**d, axis=0), forced=forced)
    log_p = np.asarray(log_probability(net, trace), dtype=np.float64)
    return float(np.sum(np.exp(log_p) * spec.loss_np(np.asarray(trace.output))))


NET_W0 = np.array([[1.5], [1.0]])
NET_W1 = np.array([[4.0]])
NET_STEPS = 8
NET_INPUT = [1, 0, 1, 1, 0, 1, 0, 1]


def _net_spec(batch: int) -> SNNProgram:
    noise = snn.EscapeNoise(surrogates.logistic(3.0))
    net = snn.Network(2, [snn.LIF(1, tau_mem=5e-3, threshold=0.5, spike=noise),
                          snn.LIF(1, tau_mem=5e-3, threshold=1.0, spike=noise)])
    x = np.ones((1, NET_STEPS, 2))
    x[0, :, 1] = NET_INPUT

    def loss(out):
        return (stochad.sum(stochad.sum(out, axis=2), axis=1) - 1.0) ** 2

    def loss_np(out):
        return (np.sum(out, axis=(1, 2)) - 1.0) ** 2

    return SNNProgram(net, lambda s: {"W0": s * NET_W0, "W1": NET_W1}, x, loss, loss_np,
                      batch)


# -- Gygax & Zenke's two-layer example through the SNN layers -------------------------------
TWO_W2, TWO_B = 2.0, -1.0


def _two_layer_spec(batch: int) -> SNNProgram:
    s = snn.EscapeNoise(surrogates.logistic(1.0))
    net = snn.Network(1, [snn.BinaryDense(1, bias=False, spike=s), snn.BinaryDense(1, spike=s)])

    def loss(out):
        return stochad.sum(stochad.sum(out, axis=2), axis=1)

    def loss_np(out):
        return out.sum(axis=(1, 2))

    return SNNProgram(
        net, lambda w: {"W0": w * np.ones((1, 1)), "W1": np.full((1, 1), TWO_W2),
                        "b1": np.full(1, TWO_B)},
        np.ones((1, 1, 1)), loss, loss_np, batch)


def _sigmoid_prime(x):
    s = expit(x)
    return float(s * (1 - s))


SNN_NAMES = ["snn_two_layer", "snn_lif10", "snn_lif50", "snn_net"]
"""The SNN programs, in table order."""

_NOT_DICT = "the dict backend runs on scalar triples only, not on the triple arrays of a network"


def definitions(batch: int = 200) -> list[dict]:
    """The keyword arguments of each SNN :class:`~benchmarks.programs.Program`."""
    common = {"batch": batch, "skip": {"dict": _NOT_DICT}}

    def samplers(spec):
        return {"score function": batched_score(spec, False),
                "score function + baseline": batched_score(spec, True)}

    two = _two_layer_spec(batch)
    w1 = 0.3
    smoothed_two = _sigmoid_prime(w1) * TWO_W2 * 0.5 * (_sigmoid_prime(TWO_W2 + TWO_B)
                                                        + _sigmoid_prime(TWO_B))
    out = [dict(
        name="snn_two_layer",
        title="Gygax & Zenke two-layer example as snn.BinaryDense x2: h~Bern(σ(w1)), "
        "y~Bern(σ(2h−1)), w1=0.3",
        f=two.f, p=w1,
        mean=lambda w: float(expit(w) * expit(TWO_W2 + TWO_B) + (1 - expit(w)) * expit(TWO_B)),
        derivative=_sigmoid_prime(w1) * float(expit(TWO_W2 + TWO_B) - expit(TWO_B)),
        # σ′(w2 + b) = σ′(b): straight-through and symmetric smoothing agree (scalar two_layer)
        smoothed={"straight-through": smoothed_two, "symmetric": smoothed_two},
        fd_step=0.05, draws=2, samplers=samplers(two),
        note="the scalar two_layer program through stochad.snn's layers (same closed forms: "
        "exact σ′(w1)(σ(w2+b) − σ(b)), smoothed σ′(w1)·w2·E_h[σ′(w2h+b)], 15 % below it); "
        f"{batch} rows per call, each an independent sample",
        **common)]
    for steps in (10, 50):
        spec = _lif_spec(steps, batch)
        mean = _lif_mean(steps)
        out.append(dict(
            name=f"snn_lif{steps}",
            title=f"one LIF neuron, logistic escape noise β={LIF_BETA:g}, θ={LIF_THRESHOLD:g}, "
            f"input weight w on every 2nd step, T={steps}, (count − {LIF_TARGET[steps]:g})², "
            f"w={LIF_WEIGHT:g}",
            f=spec.f, p=LIF_WEIGHT, mean=mean, derivative=_central(mean, LIF_WEIGHT),
            fd_step=0.05, draws=steps, samplers=samplers(spec),
            note=f"exact by dynamic programming over (step of the last reset, spike count), "
            f"O(T²) states instead of 2^{steps} patterns; derivative = central difference of "
            f"the exact mean (h = {EXACT_STEP:g}); smoothed expectations have no closed form; "
            f"{batch} rows per call",
            **common))
    net = _net_spec(batch)

    def net_mean(s, net=net):
        return enumerated_mean(net, s)

    out.append(dict(
        name="snn_net",
        title=f"2 → 1 LIF → 1 LIF, logistic escape noise β=3, T={NET_STEPS}, "
        "(output count − 1)², first-layer weights scaled by s=1",
        f=net.f, p=1.0, mean=net_mean, derivative=_central(net_mean, 1.0), fd_step=0.05,
        draws=2 * NET_STEPS, samplers=samplers(net),
        note=f"exact by enumerating all 2^{2 * NET_STEPS} spike patterns (probabilities from "
        "forced runs); derivative = central difference of the exact mean; smoothed "
        f"expectations have no closed form; {batch} rows per call",
        **common))
    return out
