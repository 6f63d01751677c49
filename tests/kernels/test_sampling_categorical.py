"""The categorical kernels: compiled == plain Python, bit for bit; both == the scalar rule.

Draws are the scalar ``inverse_cdf`` of each row; each draw's pruned own jump is one of the
scalar rule's ``jumps`` with their total weight, chosen with probability ``w_j / Σw``.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from stochad.distributions import categorical as cat
from stochad.kernels import sampling as S
from tests.distributions.distribution_checks import categorical_distributions


def run_both(kernel, *args):
    copies = [[a.copy() if isinstance(a, np.ndarray) else a for a in args] for _ in range(2)]
    return kernel.compiled(*copies[0]), kernel.python(*copies[1]), copies


@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.booleans())
def test_values_equal_python_and_the_scalar_rule(seed, k, shared):
    rng = np.random.default_rng(seed)
    rows = 1 if shared else 16
    probs = rng.dirichlet(np.ones(k), size=rows)
    probs[rng.random(probs.shape) < 0.2] = 0.0
    probs[:, -1] = 1.0 - probs[:, :-1].sum(axis=1).clip(max=1.0)
    probs = np.clip(probs, 0.0, 1.0)
    r = rng.random(16)
    _, _, (c, p) = run_both(S.categorical_values, r, probs, np.empty(16))
    np.testing.assert_array_equal(c[2], p[2])
    scalar = [cat.inverse_cdf(1.0 - r[i], list(probs[0 if shared else i])) for i in range(16)]
    np.testing.assert_array_equal(c[2], scalar)


@given(st.integers(0, 2**32 - 1), st.data())
def test_jumps_equal_python_and_are_the_scalar_rules_jumps(seed, data):
    dists = data.draw(st.lists(categorical_distributions(0.05), min_size=1, max_size=1))
    probs = np.array([dists[0][0]])
    tangents = np.array([dists[0][1]])
    n = 32
    rng = np.random.default_rng(seed)
    r, uniforms = rng.random(n), rng.random(n)
    weights = np.zeros(n + 2)
    carried = np.array([-1])
    args = (
        r,
        probs,
        tangents,
        probs,
        carried,
        weights,
        0,
        uniforms,
        np.zeros(0),
        np.empty(n),
        np.empty(n),
        np.empty(n, np.int64),
    )
    used_c, used_p, (c, p) = run_both(S.categorical_jumps, *args)
    assert used_c == used_p
    for a, b in zip(c, p, strict=True):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)
    x, alt, ev, w = c[9], c[10], c[11], c[5]
    for k in range(n):
        jumps = cat.jumps(int(x[k]), list(probs[0]), list(tangents[0]))
        total = sum(wj for _, wj in jumps)
        if total == 0.0:
            assert ev[k] == -1 and alt[k] == x[k]
            continue
        assert int(alt[k]) in [y for y, _ in jumps]
        np.testing.assert_allclose(w[ev[k]], total, rtol=1e-12)


def test_the_pruned_own_jump_is_chosen_in_proportion_to_its_weight():
    """One row with two jumps from index 1: down at rate L/π₁, up at rate −R/π₁."""
    probs = np.array([[0.3, 0.4, 0.3]])
    tangents = np.array([[0.5, -1.0, 0.5]])  # L = 0.5, R = −0.5: both jumps, weights 1.25
    n = 40_000
    r = np.full(n, 1.0 - 0.5)  # u = 0.5: every draw is index 1
    uniforms = np.random.default_rng(0).random(n)
    weights = np.zeros(n + 2)
    x, alt, ev = np.empty(n), np.empty(n), np.empty(n, np.int64)
    S.categorical_jumps(
        r, probs, tangents, probs, np.array([-1]), weights, 0, uniforms, np.zeros(0), x, alt, ev
    )
    assert np.all(x == 1)
    np.testing.assert_allclose(weights[ev], 2.5)
    share_down = np.mean(alt == 0)
    assert abs(share_down - 0.5) < 5 * np.sqrt(0.25 / n)
