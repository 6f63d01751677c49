"""Arguments as trees: a float, an ndarray, or lists/tuples/dicts of them, nested.

``flatten`` lists the leaves (floats and float64 arrays) and a description of the nesting;
``unflatten`` rebuilds the same structure around new leaves (the gradient's).
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import Any

import numpy as np

__all__ = ["flatten", "unflatten"]

Rebuild = Callable[[list], Any]


def flatten(tree, name: str = "x") -> tuple[list, Rebuild]:
    """The leaves of ``tree`` (as floats / float64 arrays) and a function that rebuilds it."""
    if isinstance(tree, np.ndarray):
        if not (np.issubdtype(tree.dtype, np.integer) or np.issubdtype(tree.dtype, np.floating)):
            raise TypeError(f"{name} must be a real float array, got dtype {tree.dtype}")
        if not np.all(np.isfinite(tree)):
            raise ValueError(f"{name} must be finite, got an array with nan or inf entries")
        return [tree.astype(np.float64)], lambda leaves: leaves[0]
    if isinstance(tree, (Real, np.integer, np.floating)) and not isinstance(tree, (bool, np.bool_)):
        if not np.isfinite(tree):
            raise ValueError(f"{name} must be finite, got {name}={float(tree)!r}")
        return [float(tree)], lambda leaves: leaves[0]
    if isinstance(tree, dict):
        return _flatten_children(list(tree.items()), name, lambda items: dict(items))
    if isinstance(tree, (list, tuple)):
        kind = type(tree)
        if hasattr(tree, "_fields"):  # a namedtuple rebuilds from positional fields
            make = lambda items: kind(*(v for _, v in items))  # noqa: E731
        else:
            make = lambda items: kind(v for _, v in items)  # noqa: E731
        return _flatten_children(list(enumerate(tree)), name, make)
    raise TypeError(
        f"cannot differentiate with respect to {name} of type {type(tree).__name__}: "
        "use a float, an ndarray, or a list/tuple/dict of them"
    )


def _flatten_children(items, name, make) -> tuple[list, Rebuild]:
    leaves: list = []
    parts = []
    for key, child in items:
        child_leaves, rebuild = flatten(child, f"{name}[{key!r}]")
        parts.append((key, len(child_leaves), rebuild))
        leaves.extend(child_leaves)

    def rebuild_all(new_leaves: list):
        out, start = [], 0
        for key, count, rebuild in parts:
            out.append((key, rebuild(new_leaves[start : start + count])))
            start += count
        return make(out)

    return leaves, rebuild_all


def unflatten(rebuild: Rebuild, leaves: list):
    """The tree ``flatten`` described, with ``leaves`` in place of the old ones."""
    return rebuild(list(leaves))
