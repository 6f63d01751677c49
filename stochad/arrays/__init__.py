"""Arrays of stochastic triples: a struct of arrays propagated by numba kernels.

See :class:`~stochad.arrays.triple_array.TripleArray` and ``docs/arrays.md``.
"""

from stochad.arrays.triple_array import TripleArray, as_triple_array

__all__ = ["TripleArray", "as_triple_array"]
