"""examples/stochasticad_jl/: each tutorial's quick form, its numbers against exact values."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "stochasticad_jl"


def load(name: str):
    if str(FOLDER) not in sys.path:
        sys.path.insert(0, str(FOLDER))
    return importlib.import_module(name)


def within(mean: float, se: float, exact: float, sigmas: float = 5.0) -> bool:
    return se > 0 and abs(mean - exact) < sigmas * se


def test_random_walk():
    results = load("random_walk").run(quick=True)
    for row in results["rows"]:
        for name in ("pruned", "dict", "score"):
            assert within(row[name]["mean"], row[name]["se"], row["exact"]), (name, row)
        # triples beat the score function, whose spread grows with the steps
        assert row["pruned"]["std"] < row["score"]["std"]
    assert results["rows"][-1]["score"]["std"] > results["rows"][0]["score"]["std"]
    # the smoothed backend is biased here (draws feed later draws nonlinearly)
    last = results["rows"][-1]
    assert abs(last["smoothed"]["mean"] - last["exact"]) > 5 * last["smoothed"]["se"]


def test_dynamic_programming_matches_a_direct_sum():
    walk = load("random_walk")
    assert walk.exact(2.0, 1) == pytest.approx((1.0, 0.0))  # x = 0: up with probability 1
    mean2, d2 = walk.exact(2.0, 2)  # 1 → 2 w.p. e^{-1/2}, else 0: E = 2e^{-1/2}
    assert mean2 == pytest.approx(2 * 2.718281828459045**-0.5)
    assert d2 == pytest.approx(2 * 2.718281828459045**-0.5 / 4)


def test_game_of_life():
    results = load("game_of_life").run(quick=True)
    for row in results["rows"]:
        assert within(*row["pruned"], row["exact"]), row
        assert abs(row["pruned"][1]) < 0.2 * abs(row["exact"])


def test_particle_filter():
    results = load("particle_filter").run(quick=True)
    full = results[True]
    assert within(full["mean"], full["se"], results["dZ"])
    assert full["se"] < 0.3 * abs(results["dZ"])
    assert results["seconds_per_step_1000"] < 1.0  # not seconds per step


def test_variational_inference():
    results = load("variational_inference").run(quick=True)
    for row in results["probe"]:
        assert within(row["mean"], row["se"], row["exact"]), row
    assert abs(results["final"] - results["optimum"]) < 0.5


def test_custom_rule():
    results = load("custom_rule").run(quick=True)
    assert "condition" in results["naive_error"]
    for row in results["rows"]:
        for key in ("pruned", "dict", "builtin"):
            assert within(*row[key], row["exact_square"]), (key, row)
        assert row["smoothed_mean"] == pytest.approx(row["exact_mean"])
