"""The buffer pool: buffers come back only when nothing uses them, and results never change."""

from __future__ import annotations

import numpy as np

import stochad
from stochad.arrays import buffers

LARGE = 400_000  # 3.2 MB per float64 array: above the pool's threshold


def draw(p):
    return stochad.bernoulli(p, size=LARGE) * 1.0


def test_a_kept_result_is_never_overwritten_by_later_evaluations():
    kept = stochad.stochastic_triple(lambda p: stochad.bernoulli(p, size=LARGE), 0.3, rng=0)
    value, alternate = kept.value.copy(), kept.alternate.copy()
    for seed in range(1, 4):
        stochad.derivative_estimate(draw, 0.3, rng=seed)
    np.testing.assert_array_equal(kept.value, value)
    np.testing.assert_array_equal(kept.alternate, alternate)


def test_the_same_seed_gives_the_same_estimates_with_reused_buffers():
    first = stochad.derivative_estimate(draw, 0.3, rng=7)
    again = stochad.derivative_estimate(draw, 0.3, rng=7)
    np.testing.assert_array_equal(first, again)


def test_a_released_buffer_is_handed_out_again_and_a_held_one_is_not():
    held = buffers.empty(LARGE)
    released = buffers.empty(LARGE)
    address = released.ctypes.data
    del released
    again = buffers.empty(LARGE)
    assert again.ctypes.data == address
    assert again.ctypes.data != held.ctypes.data
    view = again.reshape(2, -1)  # a view keeps its buffer in use
    del again
    assert buffers.empty(LARGE).ctypes.data not in (address, held.ctypes.data)
    del view


def test_small_arrays_bypass_the_pool():
    a = buffers.empty(10)
    assert a.shape == (10,) and a.dtype == np.float64
