"""Fluctuation-driven weight initialization (Rossbroich, Gygax & Zenke 2022).

A LIF neuron driven by ``N`` Poisson afferents of rate ``ν`` through weights ``w_j`` has,
by Campbell's theorem, a free membrane potential (no threshold) of mean
``μ_U = ν ε̄ Σ_j w_j`` and variance ``σ_U² = ν ε̂ Σ_j w_j²``, with ``ε̄`` and ``ε̂`` the
integrals of the PSP kernel and of its square. Drawing ``w ~ N(μ_w, σ_w)`` and asking for
target fluctuations ``σ_U`` (and mean ``μ_U``) gives the weight statistics

``μ_w = scale·μ_U / (N ν ε̄)``,  ``σ_w² = scale·σ_U² / (N ν ε̂) − μ_w²``

(``σ_w = σ_U·√(scale/(N ν ε̂))`` for the centered case ``μ_U = 0``), where ``scale`` is the
share of the target that one connection provides: ``α/n_ff`` for each of the ``n_ff``
feed-forward connections onto a layer and ``(1 − α)/n_rec`` for each of its ``n_rec``
recurrent ones (``α = 1`` for a layer without recurrence).

PSP kernel
----------
The kernel is the membrane's response to one input spike of weight 1 in the layer set's
discrete LIF (``"next_step"`` reset, no spike): ``I[n+1] = λ_syn I[n] + S[n]``,
``U[n+1] = λ_mem U[n] + (1 − λ_mem) I[n]``, ``λ = e^{−Δt/τ}``. Its continuous-time limit,
``τ_mem U′ = −U + I`` with ``I = e^{−t/τ_syn}``, is
``ε(t) = τ_syn/(τ_syn − τ_mem)·(e^{−t/τ_syn} − e^{−t/τ_mem})``, with
``ε̄ = τ_syn`` and ``ε̂ = τ_syn²/(2(τ_syn + τ_mem))``. ``method="numerical"`` simulates
the discrete kernel instead (``ε̄ = Δt Σ_n U[n]``, ``ε̂ = Δt Σ_n U[n]²``), which is what
the simulation's membrane actually integrates; the two differ by ``O(Δt/τ)``.

Units: ``ν`` in events per unit of time, ``τ`` and ``Δt`` in that unit (e.g. Hz and s).
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

__all__ = ["psp_kernel", "psp_epsilons", "fluctuation_driven_std", "fluctuation_driven_init"]

_METHODS = ("analytic", "numerical")
_KINDS = ("feedforward", "recurrent")


def _positive(x, name: str) -> float:
    if not (isinstance(x, Real) and np.isfinite(x) and x > 0):
        raise ValueError(f"{name} must be a positive finite number, got {x!r}")
    return float(x)


def psp_kernel(tau_mem: float, tau_syn: float, dt: float, *, tol: float = 1e-12) -> np.ndarray:
    """The discrete LIF's membrane response to one input spike at step 0, by simulation.

    Runs ``I[n+1] = λ_syn I[n] + δ_{n0}``, ``U[n+1] = λ_mem U[n] + (1 − λ_mem) I[n]`` from
    ``U = I = 0`` until both traces fall below ``tol`` (relative to the peak of ``U``).

    Parameters
    ----------
    tau_mem, tau_syn : float
        time constants (positive).
    dt : float
        time step (positive, same unit).
    tol : float
        relative truncation level, in ``(0, 1)``.

    Returns
    -------
    ndarray
        ``U[0], U[1], …`` (``U[0] = U[1] = 0``: the spike reaches the current at step 1 and
        the membrane at step 2).

    Examples
    --------
    >>> from stochad.snn.initialization import psp_kernel
    >>> psp_kernel(1.0, 0.5, 1.0)[:4].round(4)       # (1 − e^{−1})·[0, 0, 1, e^{−1} + e^{−2}]
    array([0.    , 0.    , 0.6321, 0.3181])
    """
    tau_mem = _positive(tau_mem, "tau_mem")
    tau_syn = _positive(tau_syn, "tau_syn")
    dt = _positive(dt, "dt")
    if not (isinstance(tol, Real) and 0 < tol < 1):
        raise ValueError(f"tol must lie in (0, 1), got {tol!r}")
    lam_mem, lam_syn = np.exp(-dt / tau_mem), np.exp(-dt / tau_syn)
    values = [0.0]
    current, membrane, peak, spike = 0.0, 0.0, 0.0, 1.0
    while True:
        membrane, current = (
            lam_mem * membrane + (1.0 - lam_mem) * current,
            lam_syn * current + spike,
        )
        spike = 0.0
        values.append(membrane)
        peak = max(peak, membrane)
        if peak > 0 and membrane < tol * peak and current < tol * peak:
            break
    return np.array(values)


def psp_epsilons(
    tau_mem: float, tau_syn: float, dt: float | None = None, *, method: str = "analytic"
) -> tuple[float, float]:
    """``(ε̄, ε̂)``: the integrals of the PSP kernel and of its square.

    Parameters
    ----------
    tau_mem, tau_syn : float
        time constants (positive).
    dt : float, optional
        time step; needed for ``method="numerical"``.
    method : {"analytic", "numerical"}
        the continuous-time closed form ``(τ_syn, τ_syn²/(2(τ_syn + τ_mem)))``, or sums over
        the simulated discrete kernel (:func:`psp_kernel`) times ``dt``.

    Returns
    -------
    (float, float)

    Raises
    ------
    ValueError
        for an unknown method, a missing ``dt`` or non-positive constants.

    Examples
    --------
    >>> from stochad.snn.initialization import psp_epsilons
    >>> psp_epsilons(10e-3, 5e-3)                                   # τ_syn, τ_syn²/(2·15 ms)
    (0.005, 0.0008333333333333334)
    >>> [round(e, 6) for e in psp_epsilons(10e-3, 5e-3, 1e-4, method="numerical")]  # O(Δt/τ)
    [0.00505, 0.00085]
    """
    tau_mem = _positive(tau_mem, "tau_mem")
    tau_syn = _positive(tau_syn, "tau_syn")
    if method == "analytic":
        return tau_syn, tau_syn**2 / (2.0 * (tau_syn + tau_mem))
    if method == "numerical":
        if dt is None:
            raise ValueError("dt is needed for method='numerical' (the kernel is simulated)")
        kernel = psp_kernel(tau_mem, tau_syn, dt)
        return float(dt * kernel.sum()), float(dt * np.sum(kernel**2))
    raise ValueError(f"method must be one of {_METHODS}, got {method!r}")


def _scale(kind: str, alpha: float, n_connections: int) -> float:
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    if not (isinstance(alpha, Real) and 0 <= alpha <= 1):
        raise ValueError(
            f"alpha (the feed-forward share of the fluctuations) must lie in [0, 1], got {alpha!r}"
        )
    if not (isinstance(n_connections, Integral) and n_connections >= 1):
        raise ValueError(f"n_connections must be an integer ≥ 1, got {n_connections!r}")
    share = alpha if kind == "feedforward" else 1.0 - alpha
    if share == 0:
        raise ValueError(
            f"a {kind} connection gets no share of the fluctuations with alpha={alpha}: "
            "use alpha < 1 for recurrent connections and alpha > 0 for feed-forward ones"
        )
    return share / n_connections


def fluctuation_driven_std(
    n_in: int,
    *,
    nu: float,
    tau_mem: float,
    tau_syn: float,
    sigma_u: float = 1.0,
    mu_u: float = 0.0,
    dt: float | None = None,
    alpha: float = 1.0,
    kind: str = "feedforward",
    n_connections: int = 1,
    method: str = "analytic",
) -> tuple[float, float]:
    """``(μ_w, σ_w)`` of the fluctuation-driven initialization (formulas in the module doc).

    Parameters
    ----------
    n_in : int
        ``N``, the connection's fan-in (presynaptic neurons), ``≥ 1``.
    nu : float
        the presynaptic firing rate ``ν`` (positive).
    tau_mem, tau_syn : float
        the postsynaptic neurons' time constants.
    sigma_u : float
        target membrane fluctuations ``σ_U`` (positive; Gygax & Zenke use 1 with θ = 1).
    mu_u : float
        target mean membrane potential ``μ_U`` (0: centered weights).
    dt : float, optional
        time step; needed for ``method="numerical"``.
    alpha : float
        the share of ``σ_U²`` (and ``μ_U``) from feed-forward connections, in ``[0, 1]``
        (1 for a layer without recurrence; Gygax & Zenke use 0.9 on SHD).
    kind : {"feedforward", "recurrent"}
        which share this connection belongs to.
    n_connections : int
        ``n_ff`` or ``n_rec``: the number of connections of this kind onto the layer, which
        split the share equally.
    method : {"analytic", "numerical"}
        how ``ε̄, ε̂`` are computed, see :func:`psp_epsilons`.

    Returns
    -------
    (float, float)

    Raises
    ------
    ValueError
        for arguments out of range, or ``μ_U`` too large for ``σ_U`` (``σ_w² < 0``).

    Examples
    --------
    >>> from stochad.snn.initialization import fluctuation_driven_std
    >>> mu, sigma = fluctuation_driven_std(200, nu=50.0, tau_mem=10e-3, tau_syn=5e-3)
    >>> mu, round(sigma, 6)                      # √(1/(200·50·(5 ms)²/(30 ms)))
    (0.0, 0.34641)
    """
    if not (isinstance(n_in, Integral) and n_in >= 1):
        raise ValueError(f"n_in (the fan-in) must be an integer ≥ 1, got {n_in!r}")
    nu = _positive(nu, "nu")
    sigma_u = _positive(sigma_u, "sigma_u")
    if not (isinstance(mu_u, Real) and np.isfinite(mu_u)):
        raise ValueError(f"mu_u must be a finite number, got {mu_u!r}")
    scale = _scale(kind, alpha, n_connections)
    eps_bar, eps_hat = psp_epsilons(tau_mem, tau_syn, dt, method=method)
    mu_w = scale * mu_u / (n_in * nu * eps_bar)
    var_w = scale * sigma_u**2 / (n_in * nu * eps_hat) - mu_w**2
    if var_w < 0:
        raise ValueError(
            f"mu_u={mu_u} is too large for sigma_u={sigma_u}: the weights' second moment "
            f"{scale * sigma_u**2 / (n_in * nu * eps_hat):.4g} is below μ_w² = {mu_w**2:.4g}"
        )
    return float(mu_w), float(np.sqrt(var_w))


def fluctuation_driven_init(
    shape: tuple[int, ...],
    *,
    nu: float,
    tau_mem: float,
    tau_syn: float,
    rng: np.random.Generator,
    sigma_u: float = 1.0,
    mu_u: float = 0.0,
    dt: float | None = None,
    alpha: float = 1.0,
    kind: str = "feedforward",
    n_connections: int = 1,
    method: str = "analytic",
) -> np.ndarray:
    """Weights ``N(μ_w, σ_w)`` of shape ``shape`` in the fluctuation-driven regime.

    The fan-in is ``shape[0]`` (weights act as ``S_in @ W``, ``W`` of shape
    ``(n_in, n_out)``, as in the layer set); the statistics are those of
    :func:`fluctuation_driven_std`, whose keyword arguments this takes too.

    Parameters
    ----------
    shape : tuple of int
        ``(n_in, n_out)`` (or ``(n_in, …)``).
    rng : numpy.random.Generator
        the source of the draws.
    nu, tau_mem, tau_syn, sigma_u, mu_u, dt, alpha, kind, n_connections, method
        see :func:`fluctuation_driven_std`.

    Returns
    -------
    ndarray of float64, shape ``shape``

    Raises
    ------
    TypeError
        if ``rng`` is not a ``numpy.random.Generator``.
    ValueError
        for an empty shape or arguments out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.initialization import fluctuation_driven_init
    >>> W = fluctuation_driven_init((200, 5000), nu=50.0, tau_mem=10e-3, tau_syn=5e-3,
    ...                             rng=np.random.default_rng(0))
    >>> round(float(W.std()), 2)                 # σ_w = 0.346
    0.35
    """
    shape = tuple(shape) if np.iterable(shape) else (shape,)
    if not shape or not all(isinstance(n, Integral) and n >= 1 for n in shape):
        raise ValueError(f"shape must be a tuple of positive integers (n_in, n_out), got {shape!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    mu_w, sigma_w = fluctuation_driven_std(
        shape[0], nu=nu, tau_mem=tau_mem, tau_syn=tau_syn, sigma_u=sigma_u, mu_u=mu_u,
        dt=dt, alpha=alpha, kind=kind, n_connections=n_connections, method=method,
    )  # fmt: skip
    return rng.normal(mu_w, sigma_w, size=shape)
