"""The numba kernels against their own Python source (``.py_func``) and stochad's surrogates."""

from __future__ import annotations

import numpy as np
import pytest

from stochad import snn, surrogates
from stochad.snn import kernels as K
from stochad.snn.bptt import kernel_backward, kernel_forward, recurrent_backward
from stochad.snn.spikes import kernel_spec

FAMILIES = sorted(surrogates.SURROGATES)
X = np.concatenate([np.linspace(-3.0, 3.0, 121) + 0.0123, [0.0, 1e-300, -1e-300]])


@pytest.mark.parametrize("beta", [0.5, 3.0])
@pytest.mark.parametrize("name", FAMILIES)
def test_kernel_noise_matches_surrogates(name, beta):
    s = surrogates.SURROGATES[name](beta=beta).scaled(1.7)
    code, b, p0, scale = kernel_spec(s)
    cdf = [K.noise_cdf(code, b, p0, x) for x in X]
    density = [K.noise_density(code, b, p0, scale, x) for x in X]
    np.testing.assert_allclose(cdf, s.noise_cdf(X), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(density, s.derivative(X), rtol=1e-13, atol=1e-15)


def lif_case(reset, recurrent, stochastic, seed=0, T=7, B=3, N=4):
    g = np.random.default_rng(seed)
    x_in = g.normal(0.6, 1.0, (T, B, N))
    v = g.normal(0.0, 0.5, (N, N)) if recurrent else np.zeros((0, 0))
    r = g.random((T, B, N))
    return x_in, v, r, stochastic, (0, 4.0, 0.5), 0.7, 0.8, 0.9, K.RESET_CODES[reset]


@pytest.mark.parametrize("stochastic", [False, True])
@pytest.mark.parametrize("recurrent", [False, True])
@pytest.mark.parametrize("reset", snn.RESETS)
def test_lif_kernels_equal_their_python_source(reset, recurrent, stochastic):
    args = lif_case(reset, recurrent, stochastic)
    shape = args[0].shape
    compiled = [np.empty(shape) for _ in range(3)]
    python = [np.empty(shape) for _ in range(3)]
    K.lif_forward(*args, *compiled)
    K.lif_forward.py_func(*args, *python)
    for a, b in zip(compiled, python, strict=True):
        np.testing.assert_array_equal(a, b)
    s, u, i = compiled
    assert 0 < s.mean() < 1  # the case exercises spikes and resets
    g_s = np.random.default_rng(1).normal(size=shape)
    v_t = np.ascontiguousarray(args[1].T)
    for detach in (False, True):
        rest = (v_t, s, u, i, (1, 3.0, 0.5, 1.0), 0.7, 0.8, 0.9, args[-1], detach)
        a, b = np.empty(shape), np.empty(shape)
        K.lif_backward(g_s, *rest, a)
        K.lif_backward.py_func(g_s, *rest, b)
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)
        if recurrent:  # the stepped BLAS form bptt uses for recurrent layers
            recurrent_backward(g_s, *rest, b)
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_readout_and_dense_kernels_equal_their_python_source():
    g = np.random.default_rng(2)
    x = g.normal(size=(6, 2, 3))
    a, b = np.empty(x.shape), np.empty(x.shape)
    K.readout_forward(x, 0.8, 0.9, a)
    K.readout_forward.py_func(x, 0.8, 0.9, b)
    np.testing.assert_array_equal(a, b)
    K.readout_backward(x, 0.8, 0.9, a)
    K.readout_backward.py_func(x, 0.8, 0.9, b)
    np.testing.assert_array_equal(a, b)
    flat, r = x.reshape(-1), g.random(x.size)
    a, b = np.empty(flat.size), np.empty(flat.size)
    K.dense_forward(flat, r, True, (3, 2.0, 0.5), a)
    K.dense_forward.py_func(flat, r, True, (3, 2.0, 0.5), b)
    np.testing.assert_array_equal(a, b)
    K.dense_backward(flat, r, (3, 2.0, 0.5, 1.0), a)
    K.dense_backward.py_func(flat, r, (3, 2.0, 0.5, 1.0), b)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("reset", snn.RESETS)
def test_kernel_forward_equals_the_numpy_forward(reset):
    """Same generator state: the kernels and Network.forward draw the same spikes."""
    net = snn.Network(
        5,
        [
            snn.LIF(6, recurrent=True, reset=reset, spike=snn.EscapeNoise(surrogates.gaussian(2))),
            snn.BinaryDense(4),
            snn.LIF(3, reset=reset, threshold=0.5),
            snn.Readout(2),
        ],
    )
    params = net.init_params(rng=3, scale=4.0)
    inputs = (np.random.default_rng(4).random((3, 15, 5)) < 0.5) * 1.0
    tape = kernel_forward(net, params, inputs, np.random.default_rng(5))
    out = net.forward(params, inputs, rng=np.random.default_rng(5))
    np.testing.assert_allclose(tape.output, out, rtol=1e-12, atol=1e-12)
    assert all(0 < s.mean() < 1 for s in tape.spikes[:3])


def test_backward_of_a_linear_readout_is_its_transpose():
    """⟨g_out, J δW⟩ = ⟨Jᵀ g_out, δW⟩ for the (linear) readout alone."""
    net = snn.Network(3, [snn.Readout(2)])
    g = np.random.default_rng(6)
    params, inputs, g_out = {"W0": g.normal(size=(3, 2))}, g.normal(size=(2, 9, 3)), None
    g_out = g.normal(size=(2, 9, 2))
    tape = kernel_forward(net, params, inputs, g)
    grad = kernel_backward(tape, g_out)["W0"]
    d = g.normal(size=(3, 2))
    moved = kernel_forward(net, {"W0": params["W0"] + d}, inputs, g).output - tape.output
    assert np.sum(g_out * moved) == pytest.approx(np.sum(grad * d), rel=1e-12)


@pytest.mark.parametrize("density", [0.0, 0.05, 0.5])
def test_sparse_matmuls_equal_blas_and_their_python_source(density):
    g = np.random.default_rng(7)
    h = (g.random((30, 12)) < density) * g.normal(size=(30, 12))
    w, grad = g.normal(size=(12, 5)), g.normal(size=(30, 5))
    for kernel, other, reference in [
        (K.sparse_matmul, w, h @ w),
        (K.sparse_matmul_t, grad, h.T @ grad),
    ]:
        a, b = np.empty(reference.shape), np.empty(reference.shape)
        kernel(h, other, a)
        kernel.py_func(h, other, b)
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, reference, rtol=1e-12, atol=1e-12)


def test_parallel_builds_equal_the_serial_kernels():
    """Batch rows are independent and the transposed product sums fixed halves: the
    threaded builds give the same bits."""
    x_in, v, r, *rest = lif_case("next_step", True, True, T=9, B=20, N=6)
    shape = x_in.shape
    serial = [np.empty(shape) for _ in range(3)]
    threaded = [np.empty(shape) for _ in range(3)]
    K.lif_forward(x_in, v, r, *rest, *serial)
    K.pick(K.lif_forward, 20)(x_in, v, r, *rest, *threaded)
    assert K.pick(K.lif_forward, 20) is not K.lif_forward
    for a, b in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(a, b)
    s, u, i = serial
    g_s = np.random.default_rng(3).normal(size=shape)
    args = (g_s, np.ascontiguousarray(v.T), s, u, i, (0, 4.0, 0.5, 1.0), 0.7, 0.8, 0.9, 0, False)
    a, b = np.empty(shape), np.empty(shape)
    K.lif_backward(*args, a)
    K.pick(K.lif_backward, 20)(*args, b)
    np.testing.assert_array_equal(a, b)
    g = np.random.default_rng(4)
    h = (g.random((5000, 7)) < 0.05) * 1.0
    w, grad = g.normal(size=(7, 3)), g.normal(size=(5000, 3))
    for kernel, other, shape2 in [
        (K.sparse_matmul, w, (5000, 3)),
        (K.sparse_matmul_t, grad, (7, 3)),
    ]:
        a, b = np.empty(shape2), np.empty(shape2)
        kernel(h, other, a)
        K.pick(kernel, 5000)(h, other, b)
        np.testing.assert_array_equal(a, b)
