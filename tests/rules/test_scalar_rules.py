"""Each primitive's ``scalar`` rule is its numpy ``value``, bit for bit and kind for kind.

The scalar fast path (docs/performance.md) computes values and alternates with
``primitive.scalar`` on Python numbers; wherever that returns a finite number it must be
the very number numpy's ``value`` gives (same bits, same kind: int or float), including
signed zeros, ties of ``maximum``/``minimum`` and mixed int/float operands. Where it cannot
(a zero divisor, a nan) it raises ``ArithmeticError`` or returns a non-finite number, and
the general path takes over.
"""

import itertools
import math
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stochad.core.primitives import PRIMITIVES

EDGES = [
    0, 1, -1, 2, 3, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e-300, 1e300, 700.0, -745.5,
    2**31 - 1, -(2**31) + 1, math.inf, -math.inf, math.nan,
]  # fmt: skip
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's, as on arrays
SCALAR = sorted(name for name, p in PRIMITIVES.items() if p.scalar is not None)


ARITY = {
    "negative": 1, "absolute": 1, "exp": 1, "log": 1, "sqrt": 1, "sin": 1, "cos": 1,
    "tanh": 1, "sigmoid": 1, "where": 3,
}  # fmt: skip


def _same(fast, reference) -> bool:
    integer = isinstance(reference, int) or getattr(reference, "dtype", None) is not None and (
        reference.dtype.kind == "i"
    )
    kind, fast_kind = ("int" if integer else "float"), ("int" if type(fast) is int else "float")
    return fast_kind == kind and float(fast).hex() == float(reference).hex()


def check(name, args):
    primitive = PRIMITIVES[name]
    try:
        fast = primitive.scalar(*args)
    except ArithmeticError:
        return
    if not -math.inf < fast < math.inf:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = primitive.value(*args)
    assert _same(fast, reference), (name, args, fast, reference)


def test_every_elementwise_primitive_has_a_scalar_rule():
    wanted = {"add", "subtract", "multiply", "divide", "power", "negative", "exp", "log"}
    assert wanted | {"maximum", "where", "less"} <= set(SCALAR)


@pytest.mark.parametrize("name", SCALAR)
def test_scalar_rule_matches_numpy_on_edge_values(name):
    arity = ARITY.get(name, 2)
    for args in itertools.product(EDGES, repeat=arity):
        check(name, args)


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**31) + 1, 2**31 - 1),
    st.floats(-5, 5),
)


@pytest.mark.parametrize("name", SCALAR)
@given(x=numbers, y=numbers, z=numbers)
def test_scalar_rule_matches_numpy_on_random_values(name, x, y, z):
    check(name, (x, y, z)[: ARITY.get(name, 2)])
