"""The example scripts run to the end (their numbers are checked by the unit tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# script -> fast arguments
RUNS = {
    "single_neuron.py": [],
    "two_layer_bias.py": ["--samples", "200"],
    "train_stochastic_binary_network.py": ["--steps", "100"],
}


@pytest.mark.parametrize("script", sorted(RUNS))
def test_example_runs(script):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *RUNS[script]],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
