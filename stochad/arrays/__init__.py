"""Arrays of stochastic triples: a struct of arrays propagated by numba kernels.

See :class:`~stochad.arrays.triple_array.TripleArray` and ``docs/arrays.md``.
"""

from stochad.arrays import propagation, sampling
from stochad.arrays.triple_array import TripleArray, as_triple_array
from stochad.forward.triple import register_array_carrier

register_array_carrier(propagation.apply)

__all__ = ["TripleArray", "as_triple_array", "propagation", "sampling"]
