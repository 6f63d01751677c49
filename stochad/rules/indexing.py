"""Random indexing into a fixed table: the ``take`` primitive of arrays of indices.

``TAKE(i, table)`` is ``table[i]`` elementwise for an array of indices ``i`` (a triple
array, a tracer or an ndarray) into a 1-d table of plain numbers. It is elementwise in
``i``, so its finite-perturbation rule is the default one: the alternate of an element is
``table[i']`` for the index's alternate ``i'``, with the index's event. The index has no
slope to chain a derivative through: a smoothed index (one carrying δ) raises, as the
scalar :func:`stochad.take` does; the table is constant.
"""

from __future__ import annotations

import numpy as np

from stochad.core.primitives import Primitive, register

__all__ = ["TAKE", "check_indices"]


def check_indices(i, length: int, what: str = "index") -> np.ndarray:
    """``i`` as non-negative int indices into ``length`` entries (negative ones count back).

    Raises
    ------
    TypeError
        if an entry is not a whole number.
    ValueError
        if an entry is outside ``-length..length-1``.
    """
    index = np.asarray(i, dtype=np.float64)
    whole = index == np.floor(index)
    if not whole.all():
        bad = float(index[~whole].reshape(-1)[0])
        raise TypeError(f"take: {what} must be a whole number, got {bad!r}")
    inside = (index >= -length) & (index < length)
    if not inside.all():
        bad = int(index[~inside].reshape(-1)[0])
        raise ValueError(
            f"take: {what} {bad} is out of range for a sequence of length {length}"
        )
    return index.astype(np.intp) % length


def _take(i, table):
    table = np.asarray(table, dtype=np.float64)
    return table[check_indices(i, table.shape[0])]


def _index_partial(i, table, out):
    raise ValueError(
        "take: the index carries a smoothed derivative, which indexing cannot pass on (the "
        "smoothed rule of a random index is undefined); use backend='pruned', or write the "
        "selection as arithmetic on the draws"
    )


TAKE = register(Primitive("take", _take, (_index_partial, None)))
