"""Kernels: compiled == plain Python, bit for bit, and both == independent references.

Inputs are random (hypothesis with the shared profile). Every kernel takes its random
numbers as arrays drawn by numpy, so the compiled and Python paths see the same ones.
"""

import os
import subprocess
import sys

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import stochad
from stochad.distributions import DISTRIBUTIONS
from stochad.distributions.vectorized import inverse_cdf_array
from stochad.kernels import pruning as P
from stochad.kernels import sampling as S
from stochad.kernels import use_numba

PARAMS = {  # a parameter draw for each rule: (a, b) from a uniform v
    "bernoulli": lambda v: (v, 0.0),
    "binomial": lambda v: (float(int(v * 12)), v),
    "geometric": lambda v: (0.05 + 0.95 * v, 0.0),
    "poisson": lambda v: (6.0 * v, 0.0),
    "negative_binomial": lambda v: (0.5 + 5.0 * v, 0.2 + 0.8 * v),
}
seeds = st.integers(0, 2**32 - 1)
KERNEL_RULES = sorted(name for name, r in DISTRIBUTIONS.items() if r.array_kernel)
rules = st.sampled_from(KERNEL_RULES)


def inputs(rule, seed, n=64):
    rng = np.random.default_rng(seed)
    ab = np.array([PARAMS[rule](v) for v in rng.random(n)])
    d = rng.choice([-1.5, 0.0, 0.7], size=n)
    return rng.random(n), ab[:, 0].copy(), ab[:, 1].copy(), d


def both(kernel, *args):
    """Run ``kernel`` compiled and as Python on copies of ``args``; return both results."""
    copies = [[a.copy() if isinstance(a, np.ndarray) else a for a in args] for _ in range(2)]
    return kernel.compiled(*copies[0]), kernel.python(*copies[1]), copies


@given(rule=rules, seed=seeds)
def test_draws_compiled_equal_python_equal_the_rules_scalar_functions(rule, seed):
    r, a, b, d = inputs(rule, seed)
    kernels = S.kernels_for(DISTRIBUTIONS[rule])
    _, _, (cargs, pargs) = both(kernels.draw_values, r, a, b, np.empty(r.size))
    compiled, python = cargs[3], pargs[3]
    np.testing.assert_array_equal(compiled, python)
    params = [a, b][: len(DISTRIBUTIONS[rule].params)]
    np.testing.assert_array_equal(compiled, inverse_cdf_array(DISTRIBUTIONS[rule], 1 - r, params))


@given(rule=rules, seed=seeds)
def test_jumps_compiled_equal_python_equal_the_rules_jump(rule, seed):
    r, a, b, d = inputs(rule, seed)
    n = r.size
    none = (np.empty(0), np.empty(0), np.empty(0, np.int64))
    out = (np.empty(n), np.empty(n), np.empty(n, np.int64), np.zeros(2, np.int64))
    args = (r, a, b, d, *none, np.zeros(n + 1), 0, *out)
    used_c, used_p, (cargs, pargs) = both(S.kernels_for(DISTRIBUTIONS[rule]).draw_with_jumps, *args)
    assert used_c == used_p
    for x, y in zip(cargs[7:], pargs[7:], strict=True):
        np.testing.assert_array_equal(x, y)
    assert cargs[12].tolist() == [0, 0]  # nothing carried, no uniforms for couple
    rule_ = DISTRIBUTIONS[rule]
    values, alternates, events, weights = cargs[9], cargs[10], cargs[11], cargs[7]
    nparams = len(rule_.params)
    for k in range(n):
        params = (int(a[k]), b[k]) if rule == "binomial" else (a[k], b[k])[:nparams]
        y, w = rule_.jump(int(values[k]), d[k], *params) if d[k] else (values[k], 0.0)
        assert (events[k] >= 0) == (w != 0.0)
        assert alternates[k] == y
        if w:
            assert weights[events[k]] == w
    assert sorted(events[events >= 0]) == list(range(used_c))


@given(rule=rules, seed=seeds)
def test_coupling_compiled_equals_python_equals_the_scalar_coupled_alternate(rule, seed):
    # draws whose parameters carry events (some moving them, some not, some none), then
    # couple: counts, survivors and coupled alternates against the scalar rule
    r, a, b, d = inputs(rule, seed)
    n = r.size
    rng = np.random.default_rng(seed + 1)
    other = np.array([PARAMS[rule](v) for v in rng.random(n)])
    kind = rng.integers(0, 3, n)  # 0: no event, 1: an unmoved parameter, 2: moved
    alt_a = np.where(kind == 2, other[:, 0], a)
    alt_b = np.where(kind == 2, other[:, 1], b)
    carried = np.where(kind > 0, np.arange(n), -1)
    moving = (kind == 2) & ((alt_a != a) | (alt_b != b))
    weights = np.zeros(2 * n + 1)
    weights[:n] = rng.choice([0.0, 0.5, -2.0], size=n)
    kernels = S.kernels_for(DISTRIBUTIONS[rule])
    out = (np.empty(n), np.empty(n), np.empty(n, np.int64), np.zeros(2, np.int64))
    draw = (r, a, b, d, alt_a, alt_b, carried, weights, n, *out)
    used_c, used_p, (cargs, pargs) = both(kernels.draw_with_jumps, *draw)
    assert used_c == used_p
    for x, y in zip(cargs[7:], pargs[7:], strict=True):
        np.testing.assert_array_equal(x, y)
    weights, x, alt, ev, counts = cargs[7], cargs[9], cargs[10], cargs[11], cargs[12]
    own = ev.copy()
    assert counts.tolist() == [moving.sum(), (moving & (own >= 0)).sum()]
    uniforms = rng.random(int(counts.sum()))
    couple = (x, a, b, alt_a, alt_b, carried, True, weights, uniforms, int(counts[0]), alt, ev)
    _, _, (cc, pc) = both(kernels.couple, *couple)
    for y, z in zip(cc, pc, strict=True):
        np.testing.assert_array_equal(y, z)
    weights_after, alt, ev = cc[7], cc[10], cc[11]
    rule_ = DISTRIBUTIONS[rule]
    nparams = len(rule_.params)
    cast = (lambda p: (int(p[0]), p[1])) if rule == "binomial" else (lambda p: p[:nparams])
    v = iter(uniforms[: counts[0]])
    for k in range(n):
        if not moving[k]:
            assert ev[k] == own[k]  # an unmoved parameter's event takes no part
            continue
        vk = next(v)
        if ev[k] != carried[k]:
            assert ev[k] == own[k]
            continue
        assert weights_after[carried[k]] != 0.0
        params, alts = cast((a[k], b[k])), cast((alt_a[k], alt_b[k]))
        high = rule_.cdf(int(x[k]), *params)
        low = rule_.cdf(int(x[k]) - 1, *params)
        assert alt[k] == rule_.inverse_cdf(high - (high - low) * vk, *alts)


@given(rule=rules, seed=seeds, symmetric=st.booleans())
def test_smoothed_tangent_compiled_equals_python_equals_the_scalar_rule(rule, seed, symmetric):
    r, a, b, d = inputs(rule, seed)
    rule_ = DISTRIBUTIONS[rule]
    kernels = S.kernels_for(DISTRIBUTIONS[rule])
    x = S.draw_values(DISTRIBUTIONS[rule], r, a, b, np.empty(r.size))
    da, db = (d, np.zeros_like(d)) if rule_.differentiable == 0 else (np.zeros_like(d), d)
    args = (symmetric, x, a, b, da, db, rule_.differentiable, np.zeros(x.size))
    _, _, (cargs, pargs) = both(kernels.smoothed_tangent, *args)
    compiled, python = cargs[7], pargs[7]
    np.testing.assert_array_equal(compiled, python)
    backend = stochad.SmoothedBackend("symmetric" if symmetric else "straight-through")
    for k in range(x.size):
        params = rule_.check(*(a[k], b[k])[: len(rule_.params)])
        expected = backend.draw_tangent(rule_, x[k], params, (da[k], db[k])[: len(params)])
        assert np.isclose(compiled[k], expected, rtol=1e-12, atol=1e-12)


@st.composite
def event_rows(draw):
    """Rows of event ids (with repeats, dead events and -1) and a weight table."""
    rows, cols, ids = draw(st.integers(1, 6)), draw(st.integers(1, 7)), draw(st.integers(1, 12))
    seed = draw(seeds)
    rng = np.random.default_rng(seed)
    events = rng.integers(-1, ids, size=(rows, cols))
    if draw(st.booleans()):  # fresh-draw rows: distinct increasing ids
        events = np.where(
            rng.random((rows, cols)) < 0.7, np.arange(rows * cols).reshape(rows, cols), -1
        )
        ids = rows * cols
    weights = np.append(rng.choice([0.0, 0.5, -1.0, 2.0], size=ids), 0.0)
    return events, weights, rng


@given(case=event_rows())
def test_prune_rows_compiled_equals_python_and_keeps_the_total_weight(case):
    events, weights, rng = case
    uniforms = rng.random(P.count_mixed_rows(events))
    chosen_c, chosen_p, (cargs, pargs) = both(P.prune_rows, events, weights, uniforms)
    np.testing.assert_array_equal(chosen_c, chosen_p)
    np.testing.assert_array_equal(cargs[1], pargs[1])
    after = cargs[1]
    for row, c in zip(events, chosen_c, strict=True):
        live = [e for e in dict.fromkeys(row) if e >= 0]
        if c >= 0:  # the survivor carries the absolute weights of the row's live events
            assert c in row
        else:
            assert all(weights[e] == 0 or after[e] == 0 for e in live)
    assert np.count_nonzero(after) <= np.count_nonzero(weights)


@st.composite
def event_pairs(draw):
    """Two-column rows of ids (repeats, dead events, -1, both orders) and a weight table
    (with a tiny weight, so that the prefix sums round)."""
    rows, ids = draw(st.integers(1, 40)), draw(st.integers(1, 10))
    rng = np.random.default_rng(draw(seeds))
    events = rng.integers(-1, ids, size=(rows, 2))
    weights = np.append(rng.choice([0.0, 0.5, -1.0, 2.0, 1e-300], size=ids), 0.0)
    return events, weights, rng


@given(case=event_pairs())
def test_merge_moving_pairs_equals_prune_rows_and_the_numpy_worlds(case):
    events, weights, rng = case
    n = events.shape[0]
    values = rng.choice([0.0, 1.0, 2.0], size=(2, n))
    # where an operand carries no event its alternate is its value; elsewhere it may
    # still equal it (a perturbation with Δ = 0: it takes no part)
    alternates = np.where((events.T >= 0) & (rng.random((2, n)) < 0.8), values + 1.0, values)
    a = (values[0], alternates[0], events[:, 0].copy())
    b = (values[1], alternates[1], events[:, 1].copy())
    moving = [np.where(alt != v, e, -1) for v, alt, e in (a, b)]
    uniforms = rng.random(P.count_mixed_moving_pairs(*a, *b))
    assert len(uniforms) == P.count_mixed_rows(np.stack(moving, axis=1))
    if uniforms.size and rng.random() < 0.3:
        uniforms[0] = 1.0 - 2.0**-53  # the largest uniform: the end-of-prefix branch
    expected_weights = weights.copy()
    chosen = P.prune_rows(np.stack(moving, axis=1), expected_weights, uniforms)
    worlds = [np.where(e == chosen, alt, v) for v, alt, e in (a, b)]
    for implementation in (P.merge_moving_pairs.compiled, P.merge_moving_pairs.python):
        w = weights.copy()
        got = implementation(*a, *b, w, uniforms)
        np.testing.assert_array_equal(got[0], chosen)
        np.testing.assert_array_equal(got[1], worlds[0])
        np.testing.assert_array_equal(got[2], worlds[1])
        np.testing.assert_array_equal(w, expected_weights)


@given(case=event_rows())
def test_prune_sum_rows_compiled_equals_python_equals_a_numpy_masked_sum(case):
    events, weights, rng = case
    values = rng.integers(0, 3, size=events.shape).astype(float)
    alternates = np.where(events >= 0, values + rng.choice([-1.0, 1.0], size=events.shape), values)
    uniforms = rng.random(events.shape[0])
    (chosen, shift), (chosen_p, shift_p), (cargs, pargs) = both(
        P.prune_sum_rows, values, alternates, events, weights, uniforms
    )
    np.testing.assert_array_equal(chosen, chosen_p)
    np.testing.assert_array_equal(shift, shift_p)
    np.testing.assert_array_equal(cargs[3], pargs[3])
    reference = np.where(events == chosen[:, None], alternates - values, 0.0).sum(axis=1)
    np.testing.assert_allclose(shift, np.where(chosen >= 0, reference, 0.0), atol=1e-12)
    row, c = events[0], chosen[0]  # the first row sees the original weights
    if c >= 0:
        ids = row[row >= 0]
        total = sum(abs(weights[e]) for e in dict.fromkeys(ids))
        if np.all(np.diff(ids) > 0) and not (events[1:] == c).any():
            assert abs(cargs[3][c]) == total


def test_the_pruning_choice_follows_the_weights():
    """Events of weights 1, 3 and 6 in one row survive 10%, 30%, 60% of the time."""
    rng = np.random.default_rng(0)
    n = 20_000
    events = np.arange(3 * n).reshape(n, 3)
    weights = np.append(np.tile([1.0, -3.0, 6.0], n), 0.0)
    chosen, _ = P.prune_sum_rows(np.zeros((n, 3)), np.ones((n, 3)), events, weights, rng.random(n))
    freq = np.bincount(chosen % 3, minlength=3) / n
    assert np.all(np.abs(freq - [0.1, 0.3, 0.6]) < 5 * np.sqrt(0.25 / n))
    assert np.all(np.abs(weights[chosen]) == 10.0)
    assert np.all(np.sign(weights[chosen]) == np.array([1, -1, 1])[chosen % 3])


@given(seed=seeds, p=st.floats(0.05, 0.95))
def test_whole_programs_are_bit_identical_with_and_without_numba(seed, p):
    w = np.random.default_rng(seed).standard_normal((4, 3))

    def f(q):
        h = stochad.bernoulli(q, size=(9, 4))
        y = stochad.binomial(3, stochad.sigmoid(h @ w))
        return (y * y).sum(axis=1) + stochad.geometric(q, size=9)

    compiled = stochad.derivative_estimate(f, p, rng=seed)
    with use_numba(False):
        python = stochad.derivative_estimate(f, p, rng=seed)
    np.testing.assert_array_equal(compiled, python)


def _run_python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
        env={**os.environ, **env},
    )  # fmt: skip


def test_import_and_kernels_work_where_numba_cannot_cache():
    # no cache locator at all: what a read-only install without a writable cache dir gives
    code = """
import warnings
import numba.core.caching as caching
caching.CacheImpl._locator_classes = []
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import stochad
    x = stochad.derivative_estimate(lambda p: stochad.bernoulli(p, size=4).sum(), 0.5, rng=0)
print(float(x) in (0.0, 2.0, 4.0, 6.0, 8.0))
print(any("cannot cache" in str(w.message) for w in caught))
"""
    result = _run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_numba_switched_off_never_compiles():
    code = """
import stochad
from stochad.kernels import pruning
stochad.derivative_estimate(lambda p: stochad.bernoulli(p, size=(5, 3)).sum(axis=1), 0.5, rng=0)
print(pruning.prune_sum_rows._compiled is None)
"""
    result = _run_python(code, STOCHAD_NUMBA="0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]


@given(seed=seeds, distinct=st.booleans())
def test_single_row_events_compiled_equals_python_equals_the_numpy_form(seed, distinct):
    rng = np.random.default_rng(seed)
    rows, k = int(rng.integers(1, 30)), int(rng.integers(1, 4))
    values = rng.random((rows, k)).round(1)
    alternates = np.where(rng.random((rows, k)) < 0.5, rng.random((rows, k)).round(1), values)
    ids = rng.integers(-1, 3, size=(rows, 1 if not distinct else k))
    events = np.broadcast_to(ids, (rows, k)).copy()
    out = (np.empty(rows, np.int64), np.empty((rows, k)))
    single_c, single_p, (cargs, pargs) = both(S.single_row_events, values, alternates, events, *out)
    assert single_c == single_p
    moving = np.where(alternates != values, events, -1)
    counts = [len(set(row[row >= 0].tolist())) for row in moving]
    assert single_c == all(c <= 1 for c in counts)
    if single_c:
        chosen = moving.max(axis=1)
        np.testing.assert_array_equal(cargs[3], chosen)
        np.testing.assert_array_equal(cargs[3], pargs[3])
        np.testing.assert_array_equal(cargs[4], pargs[4])
        worlds = np.where(moving == chosen[:, None], alternates, values)
        np.testing.assert_array_equal(cargs[4], worlds)
