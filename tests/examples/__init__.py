"""Tests of the example scripts (examples/): each runs its ``--quick`` form and checks its
numbers against exact values (the figures are drawn by running the scripts: matplotlib
is slow to start, and CI needs no extra)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str):
    """Import ``examples/<name>.py`` (the examples import their sibling ``plotting``)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return importlib.import_module(name)
