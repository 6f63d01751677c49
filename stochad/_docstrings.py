"""Docstring sections written once and filled into several public docstrings.

A docstring names a shared section by a line of its own, ``%(name)s``; :func:`fill_doc`
replaces that line, at definition time, with the section's text indented like the line. The
filled ``__doc__`` (what ``help()``, Sphinx and doctest read) is the full docstring.
"""

from __future__ import annotations

import re
from textwrap import dedent, indent

__all__ = ["fill_doc"]

_PLACEHOLDER = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.M)


def fill_doc(**sections: str):
    """A decorator filling each placeholder line ``%(name)s`` with ``sections[name]``.

    Each section is dedented, stripped of leading and trailing blank lines and indented like
    its placeholder. A placeholder without a section raises ``KeyError`` and a section that the
    docstring does not use raises ``ValueError``, both at import. Without docstrings
    (``python -OO``) the object is returned unchanged.

    Examples
    --------
    >>> from stochad._docstrings import fill_doc
    >>> @fill_doc(returns='''
    ...     Returns
    ...     -------
    ...     float
    ... ''')
    ... def f():
    ...     '''Summary.
    ...
    ...     %(returns)s
    ...     '''
    >>> print(f.__doc__)
    Summary.
    <BLANKLINE>
        Returns
        -------
        float
    <BLANKLINE>
    """
    texts = {name: dedent(text).strip("\n") for name, text in sections.items()}

    def decorate(obj):
        if obj.__doc__ is None:
            return obj
        used = set()

        def fill(match: re.Match) -> str:
            used.add(match.group(2))
            return indent(texts[match.group(2)], match.group(1))

        obj.__doc__ = _PLACEHOLDER.sub(fill, obj.__doc__)
        unused = texts.keys() - used
        if unused:
            raise ValueError(f"the docstring of {obj.__qualname__} has no line %({min(unused)})s")
        return obj

    return decorate
