"""The docstring examples of the reverse-mode and surrogate modules run as printed."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "stochad.reverse.api",
    "stochad.reverse.tracer",
    "stochad.reverse.draws",
    "stochad.rules.surrogates",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
