"""The benchmark suite: its exact values are right, its quick form runs, every script has --help.

The suite's package ``benchmarks`` is imported from the repository root (on ``sys.path``
under pytest); the command line runs in subprocesses from there.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import stochad
from benchmarks import programs

ROOT = Path(__file__).resolve().parents[2]
# every script of benchmarks/ (a file with a __main__ block), so a new one is covered too;
# the package's own __main__ has its test below
SCRIPTS = sorted(
    path.name
    for path in (ROOT / "benchmarks").glob("*.py")
    if path.name != "__main__.py" and 'if __name__ == "__main__":' in path.read_text()
)
TINY = ["bernoulli_sum", "two_layer", "binomial_sq"]


def _python(*args, timeout=120):
    # the repository root on the path: a script run by path sees only its own folder, and
    # stochad may be importable here only from the working tree
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": path}, check=False)


def enumerated_mean(f, p, n_draws, monkeypatch):
    """``E[f(p)]`` by running ``f`` once per outcome sequence of its Bernoulli draws."""
    total = 0.0
    for outcomes in itertools.product((0, 1), repeat=n_draws):
        it = iter(outcomes)
        weight = [1.0]

        def draw(q, _it=it, _weight=weight):
            bit = next(_it)
            _weight[0] *= q if bit else 1.0 - q
            return bit

        monkeypatch.setattr(stochad, "bernoulli", draw)
        value = float(f(p))
        total += weight[0] * value
    monkeypatch.undo()
    return total


@pytest.mark.parametrize("name, draws", [("bernoulli_sum", 10), ("two_layer", 2),
                                         ("walk10", 10)])
def test_exact_values_match_enumeration(name, draws, monkeypatch):
    prog = programs.PROGRAMS[name]
    h = 1e-5
    up = enumerated_mean(prog.f, prog.p + h, draws, monkeypatch)
    down = enumerated_mean(prog.f, prog.p - h, draws, monkeypatch)
    mean = enumerated_mean(prog.f, prog.p, draws, monkeypatch)
    assert math.isclose(prog.mean(prog.p), mean, rel_tol=1e-9)
    assert math.isclose(prog.derivative, (up - down) / (2 * h), rel_tol=1e-6)


def test_binomial_values_match_a_sum_over_outcomes():
    prog = programs.PROGRAMS["binomial_sq"]
    n, p = programs.BINOMIAL_N, prog.p

    def pmf(k, q):
        return math.comb(n, k) * q**k * (1 - q) ** (n - k)

    h = 1e-5
    mean = sum(pmf(k, p) * k * k for k in range(n + 1))
    slope = sum((pmf(k, p + h) - pmf(k, p - h)) / (2 * h) * k * k for k in range(n + 1))
    assert math.isclose(prog.mean(p), mean, rel_tol=1e-9)
    assert math.isclose(prog.derivative, slope, rel_tol=1e-6)


@pytest.mark.parametrize("name", ["thinned_poisson", "queue", "walk10"])
def test_exact_means_match_monte_carlo(name):
    prog = programs.PROGRAMS[name]
    with stochad.using_rng(np.random.default_rng(5)):
        x = np.array([float(prog.f(prog.p)) for _ in range(4000)])
    stderr = x.std(ddof=1) / math.sqrt(len(x))
    assert abs(x.mean() - prog.mean(prog.p)) < 5 * stderr


def test_quick_suite_runs_and_checks_every_estimator(tmp_path):
    result = _python("-m", "benchmarks", "run", "variance", "--quick", "--programs",
                     ",".join(TINY), "--samples", "300", "--max-seconds", "1", "--out",
                     str(tmp_path))
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "variance-quick.json").read_text())
    assert {"meta", "programs", "headline"} <= set(data)
    assert data["meta"]["settings"]["seed"] == 20240613
    assert [p["name"] for p in data["programs"]] == TINY
    assert (tmp_path / "variance-quick.md").read_text().startswith("# Estimator variance")
    for prog in data["programs"]:
        assert len(prog["rows"]) == 8
        for row in prog["rows"]:
            assert {"mean", "stderr", "variance", "cost", "work", "n", "notes"} <= set(row)
            assert row["cost"] > 0
            if row["expected"] is None:
                assert row["ok"] is None
                continue
            assert row["ok"], (prog["name"], row)  # within 5 SE of its exact expectation
            if abs(row["exact_bias"]) > 1e-9 * max(1.0, abs(prog["exact"])):
                assert any("bias" in note for note in row["notes"]), row  # biased: said so
    assert {h["program"] for h in data["headline"]} == set(TINY)
    assert "headline" in result.stdout and "pruned" in result.stdout


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_script_has_help(script):
    result = _python(str(ROOT / "benchmarks" / script), "--help", timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:")
    assert "wrote" not in result.stdout  # it printed its usage and did not run


def test_module_entry_point_has_help():
    result = _python("-m", "benchmarks", "--help")
    assert result.returncode == 0 and "run" in result.stdout and "plot" in result.stdout


def test_variance_suite_on_a_cluster_gives_the_same_samples(tmp_path):
    """``run(..., client=)`` measures each program on a worker: with no extra samples for
    biased estimators (``max_seconds=0``) every mean and variance equals the one-process
    run's, bit for bit; only the timed costs differ."""
    pytest.importorskip("distributed", reason="the 'distributed' extra is not installed")
    from benchmarks import variance
    from stochad.distributed import local_client

    settings = dict(programs=TINY, samples=200, chunks=2, max_factor=1.0, max_seconds=0.0,
                    echo=lambda line: None)
    alone = variance.run(**settings, out=tmp_path / "alone")
    with local_client(n_workers=2) as client:
        spread = variance.run(**settings, out=tmp_path / "cluster", client=client)
    for here, there in zip(alone["programs"], spread["programs"], strict=True):
        assert here["name"] == there["name"]
        assert len(here["rows"]) == 8
        for a, b in zip(here["rows"], there["rows"], strict=True):
            assert (a["estimator"], a["n"], a["mean"], a["variance"]) == (
                b["estimator"], b["n"], b["mean"], b["variance"])
            assert b["cost"] > 0
