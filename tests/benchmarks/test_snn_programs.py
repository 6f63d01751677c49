"""The SNN programs of the variance suite: exact values against enumeration and simulation,
and their rows (full triple, smoothed, score function, finite differences) in a short run."""

from __future__ import annotations

import math

import numpy as np
import pytest

import stochad
from benchmarks import estimators as est
from benchmarks import programs, snn_programs, variance


@pytest.mark.parametrize("w", [0.3, 0.8, 1.6])
def test_lif_dynamic_programming_matches_enumeration(w):
    """The O(T²) recursion and the network's own forced runs over all 2^10 patterns."""
    spec = snn_programs._lif_spec(10, 1)
    law = snn_programs.lif_count_law(w, 10)
    assert math.isclose(law.sum(), 1.0, rel_tol=1e-12)
    assert math.isclose(snn_programs._lif_mean(10)(w), snn_programs.enumerated_mean(spec, w),
                        rel_tol=1e-10)


@pytest.mark.parametrize("name", ["snn_lif50", "snn_net", "snn_two_layer"])
def test_exact_means_match_simulation(name):
    prog = programs.PROGRAMS[name]
    with stochad.using_rng(np.random.default_rng(11)):
        x = np.concatenate([np.asarray(prog.f(prog.p)) for _ in range(20)])
    assert x.shape == (20 * prog.batch,)
    assert abs(x.mean() - prog.mean(prog.p)) < 5 * x.std(ddof=1) / math.sqrt(len(x))


def test_two_layer_through_the_snn_layers_is_the_scalar_program():
    a, b = programs.PROGRAMS["snn_two_layer"], programs.PROGRAMS["two_layer"]
    assert a.derivative == pytest.approx(b.derivative, rel=1e-12)
    assert a.smoothed == pytest.approx(b.smoothed, rel=1e-12)


def test_snn_rows_check_every_estimator():
    """A short run: unbiased rows within 5 SE of the exact derivative, dict not run and
    said why, smoothed rows report their distance from the exact derivative."""
    chosen = est.get()
    for name in ["snn_two_layer", "snn_lif10"]:
        prog = programs.PROGRAMS[name]
        active = [e for e in chosen if e.name not in prog.skip]
        measured = variance.measure_program(prog, active, samples=400, chunks=2, seed=3,
                                            max_factor=2.0, max_seconds=1.0)
        result = variance.summarize(prog, active, measured, est.REFERENCE)
        assert set(result["skipped"]) == {"dict"} and result["batch"] == prog.batch
        rows = {r["estimator"]: r for r in result["rows"]}
        assert set(rows) == {e.name for e in active}
        for r in rows.values():
            assert r["n"] >= 400 and r["n"] % prog.batch == 0
            if r["expected"] is not None:
                assert r["ok"], (name, r)
            else:
                assert any("SE from the exact derivative" in n for n in r["notes"]), r
        for unbiased in ("pruned", "score function", "score function + baseline"):
            assert rows[unbiased]["stderr"] < 0.2 * abs(prog.derivative)  # sharp enough
        assert "not run: dict" in variance.format_program(result)
