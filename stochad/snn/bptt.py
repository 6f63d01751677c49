"""Surrogate-gradient BPTT of a :class:`~stochad.snn.Network` with the numba kernels.

:func:`kernel_forward` runs the network layer by layer (the feed-forward matmul of all
time steps in one BLAS call, then the layer's time loop in a kernel) and keeps what the
backward pass needs; :func:`kernel_backward` runs the layers' BPTT kernels in reverse
and returns the gradient dict. The uniforms of stochastic layers are drawn as one
``(T, batch, size)`` array per layer, which consumes the generator exactly as the
per-step draws of :meth:`Network.run` do: both see the same spikes under one seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stochad.snn import kernels as K
from stochad.snn.layers import LIF, BinaryDense, Readout
from stochad.snn.network import Network
from stochad.snn.spikes import kernel_spec

__all__ = ["KernelTape", "kernel_forward", "kernel_backward", "recurrent_backward"]

_NO_ARRAY3 = np.zeros((0, 0, 0))
_NO_MATRIX = np.zeros((0, 0))
SPARSE_BELOW = 0.08
"""Inputs with fewer nonzeros than this fraction use the sparse matmul kernels (measured
break-even against BLAS on 2 cores: about 10 %)."""


def _sparse(h: np.ndarray) -> bool:
    return np.count_nonzero(h) < SPARSE_BELOW * h.size


def matmul(h: np.ndarray, w: np.ndarray, sparse: bool) -> np.ndarray:
    """``h @ w`` for a 2-d ``h``, in the sparse kernel when ``sparse`` (see :func:`_sparse`)."""
    if not sparse:
        return h @ w
    out = np.empty((h.shape[0], w.shape[1]))
    K.pick(K.sparse_matmul, h.shape[0])(h, np.ascontiguousarray(w), out)
    return out


def matmul_t(h: np.ndarray, g: np.ndarray, sparse: bool) -> np.ndarray:
    """``hᵀ @ g`` (a weight gradient), in the sparse kernel when ``sparse``."""
    if not sparse:
        return h.T @ g
    out = np.empty((h.shape[1], g.shape[1]))
    K.pick(K.sparse_matmul_t, h.shape[0])(h, g, out)
    return out


@dataclass
class KernelTape:
    """The forward pass's records: per layer its input, pre-activation and states."""

    network: Network
    params: dict
    inputs: list  # per layer: its (T, B, n_in) input
    sparse: list  # per layer: whether its input is sparse enough for the sparse kernels
    states: list  # per layer: the arrays its backward kernel needs
    output: np.ndarray  # (batch, T, size) of the last layer

    @property
    def spikes(self) -> list:
        """Each layer's output, time-major ``(T, batch, size)``."""
        return [*self.inputs[1:], np.ascontiguousarray(self.output.transpose(1, 0, 2))]


def _noise(layer):
    code, beta, p0, _ = kernel_spec(
        layer.spike.noise if layer.stochastic else layer.spike.surrogate
    )
    return code, beta, p0


def kernel_forward(network: Network, params: dict, inputs: np.ndarray, gen) -> KernelTape:
    """Run ``network`` on checked ``inputs`` ``(batch, T, n_in)``, drawing from ``gen``."""
    h = np.ascontiguousarray(inputs.transpose(1, 0, 2))
    n_steps, batch = h.shape[:2]
    layer_inputs, states, sparse = [], [], []
    for k, layer in enumerate(network.layers):
        lp = network.layer_params(params, k)
        w = np.asarray(lp["W"], dtype=np.float64)
        sparse.append(_sparse(h))
        x = matmul(h.reshape(n_steps * batch, -1), w, sparse[-1])
        x = x.reshape(n_steps, batch, layer.size)
        layer_inputs.append(h)
        shape = x.shape
        if isinstance(layer, Readout):
            out = np.empty(shape)
            K.readout_forward(x, layer.lambda_syn, layer.lambda_mem, out)
            states.append(())
        elif isinstance(layer, LIF):
            v = np.asarray(lp["V"], dtype=np.float64) if layer.recurrent else _NO_MATRIX
            r = gen.random(shape) if layer.stochastic else _NO_ARRAY3
            out, u, i = np.empty(shape), np.empty(shape), np.empty(shape)
            K.pick(K.lif_forward, batch)(
                x, v, r, layer.stochastic, _noise(layer), layer.threshold,
                layer.lambda_syn, layer.lambda_mem, K.RESET_CODES[layer.reset], out, u, i,
            )  # fmt: skip
            states.append((u, i))
        else:
            if layer.bias:
                x = x + np.asarray(lp["b"], dtype=np.float64)
            r = gen.random(shape).reshape(-1) if layer.stochastic else _NO_ARRAY3.reshape(-1)
            out = np.empty(shape)
            K.dense_forward(x.reshape(-1), r, layer.stochastic, _noise(layer), out.reshape(-1))
            states.append((x,))
        h = out
    return KernelTape(
        network, params, layer_inputs, sparse, states, np.ascontiguousarray(h.transpose(1, 0, 2))
    )


def recurrent_backward(g_s, v_t, s, u, i, surrogate, theta, lam_syn, lam_mem, reset, detach,
                       g_x) -> None:  # fmt: skip
    """:func:`~stochad.snn.kernels.lif_backward` (same arguments) for a recurrent layer,
    one step at a time: the recurrent cotangent ``Ī[n+1] Vᵀ`` of all batch rows as one
    BLAS product per step, the rest in :func:`~stochad.snn.kernels.lif_backward_step`.
    The same numbers to rounding. Measured on the backward of the SHD-shaped layer (batch
    64, 256 neurons, T = 100, the cotangents of a real step): 45 ms against 85 ms for the
    serial kernel and 80 ms for its threaded build; in whole training steps on the loaded
    2-core machine the gain was within the noise (0.98-1.15×)."""
    steps, batch, size = s.shape
    g_u, g_i, g_rec = np.zeros((batch, size)), np.zeros((batch, size)), np.empty((batch, size))
    for n in range(steps - 1, -1, -1):
        np.matmul(g_i, v_t, out=g_rec)
        K.lif_backward_step(n, g_s, g_rec, s, u, i, surrogate, theta, lam_syn, lam_mem, reset,
                            detach, g_u, g_i, g_x)  # fmt: skip


def kernel_backward(tape: KernelTape, g_output: np.ndarray) -> dict[str, np.ndarray]:
    """The surrogate gradient of every parameter given the output's cotangent."""
    network = tape.network
    g = np.ascontiguousarray(np.asarray(g_output, dtype=np.float64).transpose(1, 0, 2))
    spikes = tape.spikes
    grads = {}
    for k in range(len(network.layers) - 1, -1, -1):
        layer = network.layers[k]
        lp = network.layer_params(tape.params, k)
        w = np.asarray(lp["W"], dtype=np.float64)
        h_in, shape = tape.inputs[k], g.shape
        g_x = np.empty(shape)
        if isinstance(layer, Readout):
            K.readout_backward(g, layer.lambda_syn, layer.lambda_mem, g_x)
        elif isinstance(layer, LIF):
            u, i = tape.states[k]
            if layer.recurrent:
                run = recurrent_backward
                v_t = np.ascontiguousarray(np.asarray(lp["V"], dtype=np.float64).T)
            else:
                run, v_t = K.pick(K.lif_backward, g.shape[1]), _NO_MATRIX
            run(g, v_t, spikes[k], u, i, kernel_spec(layer.spike.derivative), layer.threshold,
                layer.lambda_syn, layer.lambda_mem, K.RESET_CODES[layer.reset],
                layer.detach_reset, g_x)  # fmt: skip
        else:
            (x,) = tape.states[k]
            K.dense_backward(g.reshape(-1), x.reshape(-1), kernel_spec(layer.spike.derivative),
                             g_x.reshape(-1))  # fmt: skip
        flat = g_x.reshape(-1, layer.size)
        grads[f"W{k}"] = matmul_t(h_in.reshape(flat.shape[0], -1), flat, tape.sparse[k])
        if isinstance(layer, LIF) and layer.recurrent:
            # a layer's spikes are the next layer's input: reuse its sparsity test
            own = tape.sparse[k + 1] if k + 1 < len(tape.sparse) else _sparse(spikes[k])
            grads[f"V{k}"] = matmul_t(spikes[k].reshape(flat.shape), flat, own)
        if isinstance(layer, BinaryDense) and layer.bias:
            grads[f"b{k}"] = flat.sum(axis=0)
        if k > 0:
            g = (flat @ w.T).reshape(h_in.shape)
    return {name: grads[name] for name in network.param_shapes()}
