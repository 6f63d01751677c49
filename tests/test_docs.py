"""The README and docs/ pages: their code runs, and the pages print what they say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import stochad

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md")), *sorted(DOCS.glob("tutorials/*.md"))]
# pages whose "prints" blocks must match what their code prints (the tutorials' numbers)
TUTORIALS = [p for p in sorted(DOCS.glob("tutorials/*.md")) if p.name != "index.md"]
CHECKED = [ROOT / "README.md", DOCS / "getting-started.md", DOCS / "limitations.md", *TUTORIALS]
# a block right after this marker is shown, not run (a timing script: tests never time)
SKIP = "<!-- docs-test: skip"
CODE_BLOCK = re.compile(r"(<!-- docs-test: skip[^\n]*-->\n)?```python\n(.*?)```", re.S)
PRINTS_BLOCK = re.compile(r"```python\n(.*?)```\nprints[^\n]*\n```\n(.*?)```", re.S)


def run(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<docs>", "exec"), {"__name__": "__docs__"})
    return out.getvalue()


def code_blocks(text: str) -> list[str]:
    """The page's python blocks, without those marked as not run."""
    return [code for skip, code in CODE_BLOCK.findall(text) if not skip]


def test_code_blocks_and_skip_marker_are_found():
    text = "a\n```python\nx = 1\n```\n" + SKIP + " (timing) -->\n```python\nx = 2\n```\n"
    assert code_blocks(text) == ["x = 1\n"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_code_block_runs(page):
    text = page.read_text()
    printed = {code for code, _ in PRINTS_BLOCK.findall(text)} if page in CHECKED else set()
    for block in code_blocks(text):
        if block not in printed:  # those run in test_pages_print_what_they_say
            run(block)


@pytest.mark.parametrize("page", CHECKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_print_what_they_say(page):
    blocks = PRINTS_BLOCK.findall(page.read_text())
    assert blocks, f"{page.name}: no example with its printed output was found"
    for code, printed in blocks:
        assert run(code) == printed


def test_tutorials_exist():
    names = {p.name for p in TUTORIALS}
    assert {"snn-population.md", "reinforce.md"} <= names


def test_api_page_names_every_public_name():
    api = (ROOT / "docs" / "api.md").read_text()
    missing = [name for name in stochad.__all__ if f"`{name}" not in api]
    assert not missing, f"docs/api.md does not document {missing}"


def test_nav_hook_lists_examples_and_drops_missing_optional_pages(tmp_path):
    import docs_hooks

    (tmp_path / "examples").mkdir()
    for name in ("examples/b.md", "examples/a.md", "examples/index.md", "index.md", "new.md"):
        (tmp_path / name).write_text("# page\n")
    nav = [
        "index.md",
        {"Examples": []},
        {"Benchmarks": "benchmarks.md"},
        {"Reference": [{"Overview": "api.md"}]},
    ]
    config = docs_hooks.on_config({"docs_dir": str(tmp_path), "nav": nav})
    assert config["nav"] == [
        "index.md",
        {"Examples": ["examples/index.md", "examples/a.md", "examples/b.md"]},
        {"Reference": [{"Overview": "api.md"}]},
        {"More": ["new.md"]},
    ]


def test_api_reference_renders_every_public_name():
    reference = "\n".join(p.read_text() for p in sorted((DOCS / "reference").glob("*.md")))
    shown = set(re.findall(r"^::: stochad\.(\w+)", reference, re.M))
    missing = [name for name in stochad.__all__ if name not in shown]
    assert not missing, (
        f"add a line '::: stochad.<name>' for each of {missing} to the fitting page of "
        "docs/reference/ (mkdocstrings renders it from the docstring)"
    )
