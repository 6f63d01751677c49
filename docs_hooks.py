"""mkdocs hook (``hooks:`` in mkdocs.yml): complete the nav from the pages that exist.

Pages are written by several people at once, so the nav is not a list to keep in sync by
hand: the ``Examples`` section lists every ``docs/examples/*.md`` (its ``index.md`` first),
nav entries marked optional below are dropped while their page does not exist, and a
top-level page that the nav does not mention is appended under ``More`` rather than left
out. Any other missing page still fails ``mkdocs build --strict``.
"""

from __future__ import annotations

from pathlib import Path

# pages other work adds; listed in mkdocs.yml where they belong, shown once they exist
OPTIONAL = {"benchmarks.md", "distributed.md", "vectorize.md", "study.md"}
EXAMPLES = "Examples"


def _pages(nav) -> set[str]:
    """Every page path mentioned in a nav (nested lists of strings and one-key dicts)."""
    found: set[str] = set()
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            found |= _pages(value)
        elif isinstance(value, str):
            found.add(value)
    return found


def _complete(nav: list, docs: Path) -> list:
    out = []
    for entry in nav:
        title, value = next(iter(entry.items())) if isinstance(entry, dict) else (None, entry)
        if title == EXAMPLES:
            pages = sorted(p.relative_to(docs).as_posix() for p in docs.glob("examples/*.md"))
            pages.sort(key=lambda p: p != "examples/index.md")  # the section's index first
            if pages:
                out.append({title: pages})
            continue
        if isinstance(value, list):
            value = _complete(value, docs)
        elif value in OPTIONAL and not (docs / value).is_file():
            continue
        out.append(value if title is None else {title: value})
    return out


def on_config(config, **kwargs):
    docs = Path(config["docs_dir"])
    nav = _complete(config["nav"] or [], docs)
    unlisted = sorted(p.name for p in docs.glob("*.md") if p.name not in _pages(nav))
    if unlisted:
        nav.append({"More": unlisted})
    config["nav"] = nav
    return config
