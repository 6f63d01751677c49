"""Fluctuation-driven initialization: ε̄, ε̂ and σ_w against closed forms and simulation."""

import numpy as np
import pytest
from scipy.integrate import quad

from stochad.snn.initialization import (
    fluctuation_driven_init,
    fluctuation_driven_std,
    psp_epsilons,
    psp_kernel,
)

TAU_MEM, TAU_SYN = 10e-3, 5e-3


def test_analytic_epsilons_are_the_integrals_of_the_continuous_kernel():
    # ε(t) = τs/(τs − τm)·(e^{−t/τs} − e^{−t/τm}) solves τm U' = −U + e^{−t/τs}
    def kernel(t):
        return TAU_SYN / (TAU_SYN - TAU_MEM) * (np.exp(-t / TAU_SYN) - np.exp(-t / TAU_MEM))

    eps_bar, eps_hat = psp_epsilons(TAU_MEM, TAU_SYN)
    assert eps_bar == pytest.approx(quad(kernel, 0, 1.0)[0], rel=1e-9)
    assert eps_hat == pytest.approx(quad(lambda t: kernel(t) ** 2, 0, 1.0)[0], rel=1e-9)
    assert eps_hat == pytest.approx(TAU_SYN**2 / (2 * (TAU_SYN + TAU_MEM)))


def test_simulated_kernel_matches_the_discrete_closed_form():
    dt = 1e-3
    lm, ls = np.exp(-dt / TAU_MEM), np.exp(-dt / TAU_SYN)
    k = psp_kernel(TAU_MEM, TAU_SYN, dt)
    n = np.arange(2, len(k))
    # U[n] = (1 − λm)·Σ_{m=1}^{n−1} λm^{n−1−m} λs^{m−1} = (1 − λm)(λm^{n−1} − λs^{n−1})/(λm − λs)
    assert k[:2].tolist() == [0.0, 0.0]
    assert k[2:] == pytest.approx((1 - lm) * (lm ** (n - 1) - ls ** (n - 1)) / (lm - ls), rel=1e-9)
    assert k[-1] < 1e-12 * k.max()


def test_numerical_epsilons_converge_to_the_analytic_ones_at_first_order():
    analytic = np.array(psp_epsilons(TAU_MEM, TAU_SYN))
    errors = []
    for dt in (4e-4, 2e-4, 1e-4):
        numerical = np.array(psp_epsilons(TAU_MEM, TAU_SYN, dt, method="numerical"))
        errors.append(np.abs(numerical / analytic - 1))
    errors = np.array(errors)
    assert np.all(errors[-1] < 0.025)
    # halving dt halves the error (O(Δt/τ))
    assert errors[0] / errors[1] == pytest.approx([2.0, 2.0], rel=0.05)
    assert errors[1] / errors[2] == pytest.approx([2.0, 2.0], rel=0.05)


def test_sigma_w_closed_form_and_shares():
    N, nu = 200, 50.0
    eps_hat = TAU_SYN**2 / (2 * (TAU_SYN + TAU_MEM))
    mu, sigma = fluctuation_driven_std(N, nu=nu, tau_mem=TAU_MEM, tau_syn=TAU_SYN, sigma_u=1.0)
    assert mu == 0.0
    assert sigma == pytest.approx(np.sqrt(1.0 / (N * nu * eps_hat)))
    # α = 0.9 split over 2 feed-forward connections, 0.1 to the single recurrent one
    common = dict(nu=nu, tau_mem=TAU_MEM, tau_syn=TAU_SYN, sigma_u=2.0, alpha=0.9)
    _, ff = fluctuation_driven_std(N, kind="feedforward", n_connections=2, **common)
    _, rec = fluctuation_driven_std(N, kind="recurrent", **common)
    assert ff == pytest.approx(2.0 * np.sqrt(0.45 / (N * nu * eps_hat)))
    assert rec == pytest.approx(2.0 * np.sqrt(0.1 / (N * nu * eps_hat)))


def test_numerical_method_uses_the_simulated_eps_hat():
    dt = 1e-3
    _, eps_hat = psp_epsilons(TAU_MEM, TAU_SYN, dt, method="numerical")
    _, sigma = fluctuation_driven_std(
        100, nu=20.0, tau_mem=TAU_MEM, tau_syn=TAU_SYN, dt=dt, method="numerical"
    )
    assert sigma == pytest.approx(np.sqrt(1.0 / (100 * 20.0 * eps_hat)))


def simulate_free_membrane(W, nu, dt, T, rng):
    """The LIF membrane without threshold, driven by Bernoulli-per-bin Poisson inputs."""
    lm, ls = np.exp(-dt / TAU_MEM), np.exp(-dt / TAU_SYN)
    drive = (rng.random((T, W.shape[0])) < nu * dt) @ W
    current = membrane = np.zeros(W.shape[1])
    out = np.empty((T, W.shape[1]))
    for n in range(T):
        membrane, current = lm * membrane + (1 - lm) * current, ls * current + drive[n]
        out[n] = membrane
    return out


@pytest.mark.parametrize("mu_u", [0.0, 0.5])
def test_simulated_membrane_has_the_target_statistics(mu_u):
    # Campbell in discrete time: Var U = Σ_j w_j²·ν dt(1 − ν dt)·Σ_n k[n]², so with the
    # numerical ε̂ the target is met up to the factor (1 − ν dt) and the sampling error
    dt, nu, N, M, T = 1e-3, 20.0, 200, 300, 6000
    rng = np.random.default_rng(0)
    W = fluctuation_driven_init(
        (N, M), nu=nu, tau_mem=TAU_MEM, tau_syn=TAU_SYN, dt=dt, method="numerical",
        sigma_u=1.0, mu_u=mu_u, rng=rng,
    )  # fmt: skip
    U = simulate_free_membrane(W, nu, dt, T, rng)[200:]  # drop the transient
    _, eps_hat = psp_epsilons(TAU_MEM, TAU_SYN, dt, method="numerical")
    predicted = (W**2).sum(axis=0) * nu * (1 - nu * dt) * eps_hat  # per neuron, given W
    ratio = U.var(axis=0) / predicted
    assert abs(ratio.mean() - 1) < 5 * ratio.std() / np.sqrt(M) + 0.01
    # and the weights' second moment is the initialization's target σ_U²/(Nνε̂)
    assert (W**2).mean() * N * nu * eps_hat == pytest.approx(1.0, rel=5 * np.sqrt(2 / W.size))
    assert U.mean() == pytest.approx(mu_u, abs=0.05)


def test_init_draws_are_seeded_and_shaped():
    kw = dict(nu=10.0, tau_mem=TAU_MEM, tau_syn=TAU_SYN)
    a = fluctuation_driven_init((30, 4), rng=np.random.default_rng(5), **kw)
    b = fluctuation_driven_init((30, 4), rng=np.random.default_rng(5), **kw)
    assert a.shape == (30, 4) and np.array_equal(a, b)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(nu=0.0), "nu must be a positive"),
        (dict(tau_mem=-1.0), "tau_mem must be a positive"),
        (dict(sigma_u=0.0), "sigma_u must be a positive"),
        (dict(alpha=1.5), r"alpha .* must lie in \[0, 1\]"),
        (dict(kind="recurrent"), "no share of the fluctuations"),
        (dict(kind="lateral"), "kind must be one of"),
        (dict(n_connections=0), "n_connections must be an integer"),
        (dict(method="numerical"), "dt is needed"),
        (dict(method="exact"), "method must be one of"),
        (dict(mu_u=100.0), "mu_u=100.0 is too large"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    base = dict(nu=10.0, tau_mem=TAU_MEM, tau_syn=TAU_SYN) | kwargs
    with pytest.raises(ValueError, match=match):
        fluctuation_driven_std(50, **base)


def test_init_checks_shape_and_rng():
    kw = dict(nu=10.0, tau_mem=TAU_MEM, tau_syn=TAU_SYN)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        fluctuation_driven_init((3, 3), rng=0, **kw)
    with pytest.raises(ValueError, match="shape must be"):
        fluctuation_driven_init((0, 3), rng=np.random.default_rng(0), **kw)
