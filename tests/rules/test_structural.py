"""Structural primitives (sum, mean, matmul, getitem, reshape, transpose, concatenate, stack).

For each registry record, on random shapes (hypothesis):

* the tangent rule ``jvp`` equals central finite differences of ``value`` (exact here: the
  operations are linear, or bilinear for matmul, so a step of 1 has no truncation error);
* the reverse rule satisfies the dot-product identity ``<vjp(g), t> == <g, jvp(t)>`` and
  returns one cotangent of each argument's shape;
* a ``None`` tangent means zero.

Matmul covers 1-D operands and broadcast batch dimensions; getitem covers slices, integer
arrays with repeats and mixed indices; transpose covers negative axes.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stochad.rules import structural as S

dims = st.integers(1, 4)
shapes = st.lists(dims, min_size=1, max_size=4).map(tuple)


def arrays_of(shapes_, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes_]


def assert_rules_consistent(primitive, args, kw, seed=0):
    """jvp against finite differences, the dot-product identity, cotangent shapes."""
    tangents = arrays_of([np.shape(a) for a in args], seed + 1)
    out = primitive.value(*args, **kw)
    jvp = primitive.jvp(args, kw, tangents)
    plus = primitive.value(*[a + t for a, t in zip(args, tangents, strict=True)], **kw)
    minus = primitive.value(*[a - t for a, t in zip(args, tangents, strict=True)], **kw)
    np.testing.assert_allclose(jvp, (plus - minus) / 2, rtol=1e-10, atol=1e-10)
    assert np.shape(jvp) == np.shape(out)

    g = arrays_of([np.shape(out)], seed + 2)[0]
    cotangents = primitive.vjp(args, kw, out, g)
    assert len(cotangents) == len(args)
    for c, a in zip(cotangents, args, strict=True):
        assert np.shape(c) == np.shape(a)
    lhs = sum(np.sum(c * t) for c, t in zip(cotangents, tangents, strict=True))
    assert lhs == pytest.approx(np.sum(g * jvp), rel=1e-10, abs=1e-10)

    for i in range(len(args) if len(args) > 1 else 0):  # a None tangent is a zero tangent
        partial = [t if j != i else None for j, t in enumerate(tangents)]
        zeros = [t if j != i else np.zeros(np.shape(t)) for j, t in enumerate(tangents)]
        np.testing.assert_allclose(primitive.jvp(args, kw, partial), primitive.jvp(args, kw, zeros))


@st.composite
def axes_of(draw, shape):
    """None, one axis or a tuple of distinct axes, each possibly negative."""
    ndim = len(shape)
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, min_size=1, max_size=ndim))
    signed = [a - ndim if draw(st.booleans()) else a for a in chosen]
    return draw(st.sampled_from([None, signed[0], tuple(signed)]))


@pytest.mark.parametrize("primitive", [S.SUM, S.MEAN], ids=["sum", "mean"])
@given(data=st.data())
def test_reductions(primitive, data):
    shape = data.draw(shapes)
    axis = data.draw(axes_of(shape))
    assert_rules_consistent(primitive, arrays_of([shape], 0), {"axis": axis})


@st.composite
def matmul_shapes(draw):
    """Operand shapes: vectors, matrices and stacks whose batch dimensions broadcast."""
    n, k, m = draw(dims), draw(dims), draw(dims)
    batch = draw(st.lists(dims, max_size=2))
    batch_a = [b if draw(st.booleans()) else 1 for b in batch]
    batch_b = [b if draw(st.booleans()) else 1 for b in batch]
    batch_b = batch_b[draw(st.integers(0, len(batch_b))) :]  # b may have fewer batch dims
    a = draw(st.sampled_from([(k,), (*batch_a, n, k)]))
    b = draw(st.sampled_from([(k,), (*batch_b, k, m)]))
    return a, b


@given(matmul_shapes(), st.integers(0, 100))
def test_matmul(shapes_, seed):
    assert_rules_consistent(S.MATMUL, arrays_of(shapes_, seed), {}, seed)


@pytest.mark.parametrize(
    "shapes_", [((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((4, 1, 2, 3), (5, 3, 2))]
)
def test_matmul_named_cases(shapes_):
    assert_rules_consistent(S.MATMUL, arrays_of(shapes_, 7), {})


INDICES = {
    "int": 2,
    "negative int": -1,
    "slice": slice(1, None),
    "strided slice": slice(None, None, -2),
    "int array with repeats": np.array([0, 2, 2, 1, 0]),
    "2-d int array": np.array([[0, 1], [1, 1]]),
    "row slice, column array": (slice(0, 2), np.array([3, 0, 3])),
    "two int arrays": (np.array([0, 2, 2]), np.array([1, 1, 3])),
    "boolean mask": np.array([True, False, True]),
    "ellipsis": (Ellipsis, 1),
}


@pytest.mark.parametrize("index", INDICES.values(), ids=INDICES.keys())
def test_getitem(index):
    assert_rules_consistent(S.GETITEM, arrays_of([(3, 4)], 3), {"index": index})


@given(shapes, st.data())
def test_reshape(shape, data):
    size = int(np.prod(shape))
    new = data.draw(st.sampled_from([(size,), (1, size), shape[::-1], (-1,) + shape[1:]]))
    assert_rules_consistent(S.RESHAPE, arrays_of([shape], 1), {"shape": new})


@given(shapes, st.data())
def test_transpose(shape, data):
    ndim = len(shape)
    permutation = data.draw(st.permutations(range(ndim)))
    signed = tuple(a - ndim if data.draw(st.booleans()) else a for a in permutation)
    axes = data.draw(st.sampled_from([None, tuple(permutation), signed]))
    assert_rules_consistent(S.TRANSPOSE, arrays_of([shape], 2), {"axes": axes})


@pytest.mark.parametrize("primitive", [S.CONCATENATE, S.STACK], ids=["concatenate", "stack"])
@given(shape=shapes, count=st.integers(1, 3), data=st.data())
def test_joins(primitive, shape, count, data):
    ndim = len(shape) + (primitive is S.STACK)
    axis = data.draw(st.integers(-ndim, ndim - 1))
    shapes_ = [shape] * count
    if primitive is S.CONCATENATE:  # the joined axis may differ in length
        sizes = data.draw(st.lists(dims, min_size=count, max_size=count))
        shapes_ = [shape[: axis % ndim] + (s,) + shape[axis % ndim + 1 :] for s in sizes]
    assert_rules_consistent(primitive, arrays_of(shapes_, 4), {"axis": axis})
