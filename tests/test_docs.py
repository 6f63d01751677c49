"""The README and docs/ pages: their code runs, and the README prints what it says."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import stochad

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
PRINTS_BLOCK = re.compile(r"```python\n(.*?)```\nprints\n```\n(.*?)```", re.S)


def run(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<docs>", "exec"), {"__name__": "__docs__"})
    return out.getvalue()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_code_block_runs(page):
    for block in CODE_BLOCK.findall(page.read_text()):
        run(block)


def test_readme_prints_what_it_says():
    blocks = PRINTS_BLOCK.findall((ROOT / "README.md").read_text())
    assert blocks, "the README's example and its printed output were not found"
    for code, printed in blocks:
        assert run(code) == printed


def test_api_page_names_every_public_name():
    api = (ROOT / "docs" / "api.md").read_text()
    missing = [name for name in stochad.__all__ if f"`{name}" not in api]
    assert not missing, f"docs/api.md does not document {missing}"
