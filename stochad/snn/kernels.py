"""numba kernels for surrogate-gradient BPTT: whole time loops, forward and backward.

Arrays are time-major, ``(T, batch, size)``, C-contiguous float64. Matmuls with the
feed-forward weights happen on all time steps at once, outside the time loop: in BLAS,
or, for sparse spike arrays, in :func:`sparse_matmul` / :func:`sparse_matmul_t`, which
touch only the rows of the weights whose input spiked. The other kernels run the
recursion of :mod:`stochad.snn.layers`. The recurrent input ``V S[n]`` is a sum of the
rows of ``V`` of the neurons that spiked (spikes are sparse); its transpose in the
backward pass is a dense matrix product per step (``np.dot``, BLAS).

Every kernel is a plain Python function compiled with ``numba.njit(cache=True)``; its
``.py_func`` is the interpreter-run reference the tests compare against. Uniforms come
from numpy (the user's generator), never from numba's.

Escape-noise families are numbered as :data:`stochad.snn.spikes.FAMILY_CODES`; a family
is passed as ``(code, β, p0, scale)``.
"""

from __future__ import annotations

import math
import types

import numpy as np
from numba import prange

from stochad.kernels import cached_njit

__all__ = [
    "noise_cdf", "noise_density", "lif_forward", "lif_backward", "lif_unit_backward",
    "lif_backward_step", "readout_forward",
    "readout_backward", "dense_forward", "dense_backward", "sparse_matmul", "sparse_matmul_t",
    "RESET_CODES", "PARALLEL", "pick",
]  # fmt: skip

RESET_CODES = {"next_step": 0, "same_step": 1, "subtract": 2, "none": 3}


@cached_njit
def noise_cdf(code, beta, p0, x):
    """The escape-noise CDF ``F(x)`` of family ``code``."""
    bx = beta * x
    if code == 0:
        if bx >= 0.0:
            return 1.0 / (1.0 + math.exp(-bx))
        e = math.exp(bx)
        return e / (1.0 + e)
    if code == 1:
        return 0.5 * (1.0 + bx / (1.0 + abs(bx)))
    if code == 2:
        return 0.5 + math.atan(0.5 * math.pi * bx) / math.pi
    if code == 3:
        return 0.5 * math.erfc(-bx)
    if code == 4:
        half = 0.5 * math.exp(-abs(bx))
        return half if x < 0.0 else 1.0 - half
    if code == 5:
        t = min(1.0, max(-1.0, bx))
        return 0.5 * (1.0 + t) ** 2 if t < 0.0 else 1.0 - 0.5 * (1.0 - t) ** 2
    if code == 6:
        return min(1.0, max(0.0, 0.5 + bx))
    clip = math.log(1.0 / p0) / beta
    return min(1.0, p0 * math.exp(beta * min(x, clip)))


@cached_njit
def noise_density(code, beta, p0, scale, x):
    """``scale · F′(x)``: the surrogate derivative of family ``code``."""
    bx = beta * x
    if code == 0:
        s = noise_cdf(0, beta, p0, x)
        d = beta * s * (1.0 - s)
    elif code == 1:
        d = 0.5 * beta / (1.0 + abs(bx)) ** 2
    elif code == 2:
        c = 0.5 * math.pi * bx
        d = 0.5 * beta / (1.0 + c * c)
    elif code == 3:
        d = beta / math.sqrt(math.pi) * math.exp(-bx * bx)
    elif code == 4:
        d = 0.5 * beta * math.exp(-abs(bx))
    elif code == 5:
        d = max(0.0, beta - beta * abs(bx))
    elif code == 6:
        d = beta if abs(x) < 0.5 / beta else 0.0
    else:
        clip = math.log(1.0 / p0) / beta
        d = p0 * beta * math.exp(bx) if x < clip else 0.0
    return scale * d


@cached_njit
def lif_forward(x_in, v, r, stochastic, noise, theta, lam_syn, lam_mem, reset, s, u, i):
    """Run a LIF layer over all steps; fill spikes ``s``, membranes ``u``, currents ``i``.

    ``x_in[n] = S_in[n] W`` (``(T, B, N)``); ``v`` the recurrent weights (``(0, 0)`` for
    none); ``r`` one uniform per spike (stochastic layers; ``X = 1`` iff
    ``1 − r > 1 − F(x)``, the samplers' inverse-CDF convention); ``noise = (code, β, p0)``.
    ``u[n]``, ``i[n]`` are the states at step ``n`` (0 at ``n = 0``). Batch rows are
    independent: :data:`PARALLEL` builds run them on several threads (same result).
    """
    n_steps, batch, size = x_in.shape
    code, beta, p0 = noise
    recurrent = v.shape[0] > 0
    lm = lam_mem
    for b in prange(batch):
        for k in range(size):
            u[0, b, k] = 0.0
            i[0, b, k] = 0.0
        for n in range(n_steps):
            for k in range(size):
                x = u[n, b, k] - theta
                if stochastic:
                    p = noise_cdf(code, beta, p0, x)
                    s[n, b, k] = 1.0 if 1.0 - r[n, b, k] > 1.0 - p else 0.0
                else:
                    s[n, b, k] = 1.0 if x > 0.0 else 0.0
            if n + 1 == n_steps:
                break
            for k in range(size):
                uk, ik, sk = u[n, b, k], i[n, b, k], s[n, b, k]
                i[n + 1, b, k] = lam_syn * ik + x_in[n, b, k]
                if reset == 0:
                    u[n + 1, b, k] = (lm * uk + (1.0 - lm) * ik) * (1.0 - sk)
                elif reset == 1:
                    u[n + 1, b, k] = lm * uk * (1.0 - sk) + (1.0 - lm) * ik
                elif reset == 2:
                    u[n + 1, b, k] = lm * uk + (1.0 - lm) * ik - theta * sk
                else:
                    u[n + 1, b, k] = lm * uk + (1.0 - lm) * ik
            if recurrent:
                for k in range(size):
                    if s[n, b, k] != 0.0:
                        for j in range(size):
                            i[n + 1, b, j] += s[n, b, k] * v[k, j]


@cached_njit
def lif_backward(g_s, v_t, s, u, i, surrogate, theta, lam_syn, lam_mem, reset, detach, g_x):
    """BPTT of :func:`lif_forward` over the whole time loop: the cotangent ``g_x`` of
    ``x_in`` from the cotangent ``g_s`` of the spikes.

    ``dS[n]/dU[n] = scale · F′(U[n] − θ)`` with ``surrogate = (code, β, p0, scale)``; the
    reset path is dropped when ``detach``. ``v_t`` is ``Vᵀ`` (C-contiguous; ``(0, 0)`` for
    no recurrence). ``g_x[n]`` is the cotangent of ``I[n+1]``, so
    ``dW = Σ_n S_in[n]ᵀ g_x[n]`` and ``dV = Σ_n S[n]ᵀ g_x[n]``. Batch rows are independent
    (see :data:`PARALLEL`).

    The recurrent part of ``S̄[n]``, ``Ī[n+1] Vᵀ``, is a dense product per step, computed
    here as row updates (contiguous, vectorized) rather than with BLAS. numba's BLAS is a
    second OpenBLAS whose threads compete with numpy's, and it was measured 10-30× slower
    under load than this loop. :func:`stochad.snn.bptt.recurrent_backward` runs recurrent
    layers step by step instead, with numpy's BLAS for the product of all rows at once.
    """
    n_steps, batch, size = s.shape
    recurrent = v_t.shape[0] > 0
    lm = lam_mem
    for b in prange(batch):
        g_u = np.zeros(size)  # cotangents of U[n+1], I[n+1]: 0 beyond the last step
        g_i = np.zeros(size)
        g_rec = np.zeros(size)
        for n in range(n_steps - 1, -1, -1):
            if recurrent:
                for k in range(size):
                    g_rec[k] = 0.0
                for j in range(size):
                    c = g_i[j]
                    if c != 0.0:
                        for k in range(size):
                            g_rec[k] += c * v_t[j, k]
            for k in range(size):
                g_x[n, b, k] = g_i[k]
                g_u[k], g_i[k] = lif_unit_backward(
                    g_s[n, b, k] + g_rec[k], s[n, b, k], u[n, b, k], i[n, b, k], g_u[k],
                    g_i[k], surrogate, theta, lam_syn, lm, reset, detach,
                )  # fmt: skip


@cached_njit
def lif_unit_backward(gs, sk, uk, ik, gu1, gi1, surrogate, theta, lam_syn, lam_mem, reset,
                      detach):  # fmt: skip
    """One neuron's step of :func:`lif_backward`: the cotangents of ``U[n]`` and ``I[n]``
    from those of ``U[n+1]``, ``I[n+1]`` (``gu1``, ``gi1``) and the spike's ``gs``."""
    code, beta, p0, scale = surrogate
    lm = lam_mem
    if not detach:
        if reset == 0:
            gs -= (lm * uk + (1.0 - lm) * ik) * gu1
        elif reset == 1:
            gs -= lm * uk * gu1
        elif reset == 2:
            gs -= theta * gu1
    keep = 1.0 - sk if reset == 0 or reset == 1 else 1.0
    g_u = lm * keep * gu1 + noise_density(code, beta, p0, scale, uk - theta) * gs
    return g_u, lam_syn * gi1 + (1.0 - lm) * (keep if reset == 0 else 1.0) * gu1


@cached_njit
def lif_backward_step(n, g_s, g_rec, s, u, i, surrogate, theta, lam_syn, lam_mem, reset,
                      detach, g_u, g_i, g_x):  # fmt: skip
    """Step ``n`` of :func:`lif_backward` for all batch rows at once, the recurrent part
    ``g_rec = Ī[n+1] Vᵀ`` given (``(batch, size)``, one BLAS product per step by the
    caller); ``g_u``, ``g_i`` (``(batch, size)``) hold the cotangents of ``U[n+1]``,
    ``I[n+1]`` and are updated in place to those of ``U[n]``, ``I[n]``."""
    batch, size = g_u.shape
    for b in range(batch):
        for k in range(size):
            g_x[n, b, k] = g_i[b, k]
            g_u[b, k], g_i[b, k] = lif_unit_backward(
                g_s[n, b, k] + g_rec[b, k], s[n, b, k], u[n, b, k], i[n, b, k], g_u[b, k],
                g_i[b, k], surrogate, theta, lam_syn, lam_mem, reset, detach,
            )  # fmt: skip


@cached_njit
def readout_forward(x_in, lam_syn, lam_mem, u):
    """The leaky readout: ``u[n] = U[n]`` with ``I[n+1] = λs I[n] + x_in[n]``."""
    n_steps, batch, size = x_in.shape
    for b in range(batch):
        for k in range(size):
            uk = 0.0
            ik = 0.0
            for n in range(n_steps):
                u[n, b, k] = uk
                uk, ik = lam_mem * uk + (1.0 - lam_mem) * ik, lam_syn * ik + x_in[n, b, k]


@cached_njit
def readout_backward(g_u_out, lam_syn, lam_mem, g_x):
    """BPTT of :func:`readout_forward`: ``g_x[n]`` is the cotangent of ``I[n+1]``."""
    n_steps, batch, size = g_u_out.shape
    for b in range(batch):
        for k in range(size):
            gu1 = 0.0
            gi1 = 0.0
            for n in range(n_steps - 1, -1, -1):
                g_x[n, b, k] = gi1
                gu = g_u_out[n, b, k] + lam_mem * gu1
                gi1 = lam_syn * gi1 + (1.0 - lam_mem) * gu1
                gu1 = gu


@cached_njit
def dense_forward(x, r, stochastic, noise, s):
    """Binary units ``s = spike(x)`` elementwise (flat arrays)."""
    code, beta, p0 = noise
    for k in range(x.shape[0]):
        if stochastic:
            p = noise_cdf(code, beta, p0, x[k])
            s[k] = 1.0 if 1.0 - r[k] > 1.0 - p else 0.0
        else:
            s[k] = 1.0 if x[k] > 0.0 else 0.0


@cached_njit
def dense_backward(g_s, x, surrogate, g_x):
    """``g_x = g_s · scale · F′(x)`` elementwise (flat arrays)."""
    code, beta, p0, scale = surrogate
    for k in range(x.shape[0]):
        g_x[k] = g_s[k] * noise_density(code, beta, p0, scale, x[k])


@cached_njit
def sparse_matmul(h, w, out):
    """``out = h @ w`` skipping the zeros of ``h`` (spikes): ``O(nnz(h) · columns)``."""
    rows, inner = h.shape
    cols = w.shape[1]
    for m in prange(rows):
        for j in range(cols):
            out[m, j] = 0.0
        for k in range(inner):
            hk = h[m, k]
            if hk != 0.0:
                for j in range(cols):
                    out[m, j] += hk * w[k, j]


@cached_njit
def sparse_matmul_t(h, g, out):
    """``out = hᵀ @ g`` skipping the zeros of ``h``: the weight gradient of spike inputs.

    The rows of ``h`` are split into two halves with private sums, added at the end: a
    fixed split, so the result does not depend on the number of threads.
    """
    rows, inner = h.shape
    cols = g.shape[1]
    parts = np.zeros((2, inner, cols))
    half = (rows + 1) // 2
    for c in prange(2):
        for m in range(c * half, min(rows, (c + 1) * half)):
            for k in range(inner):
                hk = h[m, k]
                if hk != 0.0:
                    for j in range(cols):
                        parts[c, k, j] += hk * g[m, j]
    for k in range(inner):
        for j in range(cols):
            out[k, j] = parts[0, k, j] + parts[1, k, j]


def _parallel_build(kernel):
    """The same source compiled with ``parallel=True`` (``prange`` loops on threads).

    A renamed copy of the function, so numba caches the two builds in different files.
    """
    f = kernel.py_func
    twin = types.FunctionType(
        f.__code__, f.__globals__, f.__name__ + "_parallel", f.__defaults__, f.__closure__
    )
    twin.__qualname__ = f.__qualname__ + "_parallel"
    twin.__doc__ = f.__doc__
    return cached_njit(twin, parallel=True)


PARALLEL = {
    k.__name__: (_parallel_build(k), rows)
    for k, rows in ((lif_forward, 16), (lif_backward, 16), (sparse_matmul, 4096),
                    (sparse_matmul_t, 4096))
}  # fmt: skip
"""Parallel builds and the smallest parallel loop length worth them (batch rows, matrix
rows). Below it, and whenever the machine's cores are busy, thread start-up and waiting
for descheduled threads cost more than they save: measured, a batch-1 step ran 30× slower
on threads under load."""


def pick(kernel, rows: int):
    """``kernel``'s parallel build if its loop over ``rows`` is long enough, else itself."""
    build, minimum = PARALLEL.get(kernel.__name__, (kernel, 0))
    return build if rows >= minimum else kernel
