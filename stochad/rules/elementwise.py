"""Elementwise primitives: arithmetic, math functions and comparisons.

Each entry states its value and one partial derivative per argument. Everything else (the
tangent rule, the alternate values of finite perturbations, the smoothed rule and the
reverse rule) follows from these two, see :mod:`stochad.core.primitives`. Most also give
``scalar=``: the value on Python numbers for the scalar triples' fast path, which must
match numpy's number and kind (int or float) exactly wherever it is finite; arithmetic is
IEEE in both, transcendental functions call the numpy ufunc itself (``math.exp`` may differ
from ``np.exp`` in the last bit where numpy has its own SIMD loop), and an ambiguous case
(a tie of ``maximum``, where signed zeros differ) returns nan to take the general path.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from stochad.core.primitives import Primitive, call, is_carrier, register

__all__ = [
    "add", "subtract", "multiply", "divide", "power", "negative", "absolute",
    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "maximum", "minimum", "where",
    "less", "less_equal", "greater", "greater_equal", "equal", "not_equal",
]  # fmt: skip


def _indicator(comparison):
    return lambda x, y: comparison(x, y).astype(np.float64)


def _scalar_indicator(comparison):
    return lambda x, y: 1.0 if comparison(x, y) else 0.0


_special = []


def expit(x):
    """``scipy.special.expit``, imported on first use (it costs a third of ``import stochad``)."""
    if not _special:
        from scipy.special import expit as function

        _special.append(function)
    return _special[0](x)


def _ufunc_scalar(ufunc):
    """A ufunc on one Python number, as a Python float: numpy's own number, bit for bit."""
    return lambda x: float(ufunc(x))


def _float_if_any(r, x, y):
    """``r`` as numpy's result kind: float if an operand is a float, else the int itself."""
    return float(r) if type(x) is float or type(y) is float else r


def _scalar_maximum(x, y):
    if x > y:
        return _float_if_any(x, x, y)
    if y > x:
        return _float_if_any(y, x, y)
    return math.nan  # a tie (which zero?) or a nan: numpy's rule, on the general path


def _scalar_minimum(x, y):
    if x < y:
        return _float_if_any(x, x, y)
    if y < x:
        return _float_if_any(y, x, y)
    return math.nan


def _scalar_where(c, a, b):
    return _float_if_any(a if c != 0 else b, a, b)


ADD = register(
    Primitive("add", np.add, (lambda x, y, o: 1.0, lambda x, y, o: 1.0), scalar=operator.add)
)
SUBTRACT = register(
    Primitive(
        "subtract", np.subtract, (lambda x, y, o: 1.0, lambda x, y, o: -1.0), scalar=operator.sub
    )
)
MULTIPLY = register(
    Primitive("multiply", np.multiply, (lambda x, y, o: y, lambda x, y, o: x), scalar=operator.mul)
)
DIVIDE = register(
    Primitive(
        "divide",
        np.true_divide,
        (lambda x, y, o: 1.0 / y, lambda x, y, o: -o / y),
        scalar=operator.truediv,  # ZeroDivisionError at 0: numpy's inf on the general path
    )
)


def _power(x, y):
    """``x ** y``; an integer base is promoted to float so that ``X ** -1`` of an
    integer-valued draw is ``1 / X`` (as in Python) instead of numpy's error."""
    if not is_carrier(x) and np.issubdtype(np.result_type(x), np.integer):
        x = np.multiply(x, 1.0)
    return np.power(x, y)


POWER = register(
    Primitive(
        "power",
        _power,
        (lambda x, y, o: y * _power(x, y - 1), lambda x, y, o: o * np.log(x)),
        # numpy's power (not Python's **, which gives complex numbers and exact big ints);
        # an int base is a float for _power, so the result is always a float
        scalar=lambda x, y: float(np.power(float(x), y)),
    )
)
NEGATIVE = register(
    Primitive("negative", np.negative, (lambda x, o: -1.0,), scalar=operator.neg)
)
ABSOLUTE = register(
    Primitive("absolute", np.absolute, (lambda x, o: np.sign(x),), scalar=operator.abs)
)
EXP = register(Primitive("exp", np.exp, (lambda x, o: o,), scalar=_ufunc_scalar(np.exp)))
LOG = register(Primitive("log", np.log, (lambda x, o: 1.0 / x,), scalar=_ufunc_scalar(np.log)))
SQRT = register(
    Primitive(
        "sqrt",
        np.sqrt,
        (lambda x, o: 0.5 / o,),
        # IEEE 754 rounds a square root correctly, in C and numpy alike; below 0 numpy's nan
        scalar=lambda x: math.sqrt(x) if x >= 0 else math.nan,
    )
)
SIN = register(Primitive("sin", np.sin, (lambda x, o: np.cos(x),), scalar=_ufunc_scalar(np.sin)))
COS = register(Primitive("cos", np.cos, (lambda x, o: -np.sin(x),), scalar=_ufunc_scalar(np.cos)))
TANH = register(
    Primitive("tanh", np.tanh, (lambda x, o: 1.0 - o * o,), scalar=_ufunc_scalar(np.tanh))
)
SIGMOID = register(
    Primitive("sigmoid", expit, (lambda x, o: o * (1.0 - o),), scalar=_ufunc_scalar(expit))
)
MAXIMUM = register(
    Primitive(
        "maximum",
        np.maximum,
        (lambda x, y, o: (x >= y) * 1.0, lambda x, y, o: (x < y) * 1.0),
        scalar=_scalar_maximum,
    )
)
MINIMUM = register(
    Primitive(
        "minimum",
        np.minimum,
        (lambda x, y, o: (x <= y) * 1.0, lambda x, y, o: (x > y) * 1.0),
        scalar=_scalar_minimum,
    )
)
WHERE = register(
    Primitive(
        "where",
        lambda c, a, b: np.where(np.asarray(c) != 0, a, b)[()],
        (None, lambda c, a, b, o: (c != 0) * 1.0, lambda c, a, b, o: (c == 0) * 1.0),
        scalar=_scalar_where,
    )
)


def _comparison(name: str, ufunc, operation) -> Primitive:
    return register(
        Primitive(
            name,
            _indicator(ufunc),
            piecewise_constant=True,
            scalar=_scalar_indicator(operation),
        )
    )


LESS = _comparison("less", np.less, operator.lt)
LESS_EQUAL = _comparison("less_equal", np.less_equal, operator.le)
GREATER = _comparison("greater", np.greater, operator.gt)
GREATER_EQUAL = _comparison("greater_equal", np.greater_equal, operator.ge)
EQUAL = _comparison("equal", np.equal, operator.eq)
NOT_EQUAL = _comparison("not_equal", np.not_equal, operator.ne)

UFUNC_PRIMITIVES = {
    np.add: ADD, np.subtract: SUBTRACT, np.multiply: MULTIPLY, np.true_divide: DIVIDE,
    np.power: POWER, np.negative: NEGATIVE, np.absolute: ABSOLUTE, np.exp: EXP, np.log: LOG,
    np.sqrt: SQRT, np.sin: SIN, np.cos: COS, np.tanh: TANH, np.maximum: MAXIMUM,
    np.minimum: MINIMUM, np.less: LESS, np.less_equal: LESS_EQUAL, np.greater: GREATER,
    np.greater_equal: GREATER_EQUAL, np.equal: EQUAL, np.not_equal: NOT_EQUAL,
}  # fmt: skip
"""numpy ufuncs that carrier types map onto primitives (``np.exp(t)`` works on triples)."""


def _public(primitive: Primitive, doc: str):
    def function(*args):
        return call(primitive, *args)

    function.__name__ = primitive.name
    function.__qualname__ = primitive.name
    function.__doc__ = doc
    return function


add = _public(ADD, "``x + y`` on floats, arrays and triples.")
subtract = _public(SUBTRACT, "``x - y`` on floats, arrays and triples.")
multiply = _public(MULTIPLY, "``x * y`` on floats, arrays and triples.")
divide = _public(DIVIDE, "``x / y`` on floats, arrays and triples.")
power = _public(POWER, "``x ** y`` on floats, arrays and triples.")
negative = _public(NEGATIVE, "``-x`` on floats, arrays and triples.")
absolute = _public(ABSOLUTE, "``abs(x)`` on floats, arrays and triples.")
less = _public(LESS, "``x < y`` as 0/1; on triples the alternates carry their own outcomes.")
less_equal = _public(LESS_EQUAL, "``x <= y`` as 0/1 (see :func:`less`).")
greater = _public(GREATER, "``x > y`` as 0/1 (see :func:`less`).")
greater_equal = _public(GREATER_EQUAL, "``x >= y`` as 0/1 (see :func:`less`).")
equal = _public(EQUAL, "``x == y`` as 0/1 (see :func:`less`).")
not_equal = _public(NOT_EQUAL, "``x != y`` as 0/1 (see :func:`less`).")

_CARRIER = "float, ndarray, Triple, TripleArray or Tracer"
_RETURNS = """\
    Returns
    -------
    numpy.float64, ndarray, Triple, TripleArray or Tracer
        The kind of the highest-priority argument (Tracer > TripleArray > Triple > ndarray >
        float); the shape is the broadcast shape of the arguments. A scalar Triple that
        meets an ndarray gives a TripleArray (pruned and smoothed backends)."""


def _unary(primitive: Primitive, summary: str, derivative: str, domain: str, examples: str):
    """The public function of ``primitive`` (one argument), with its numpy-style docstring."""
    name = primitive.name
    return _public(
        primitive,
        f"""{summary}

    Elementwise, numpy's semantics. On a stochastic triple with value ``x`` the result has
    value ``{name}(x)`` and almost-sure derivative ``{derivative}·δ``; each finite
    perturbation keeps its weight and maps its alternate value ``Y`` to ``{name}(Y)``. The
    smoothed backend and reverse mode (:func:`stochad.grad`) use the same derivative
    ``{derivative}``.

    Parameters
    ----------
    x : {_CARRIER}
        {domain}

{_RETURNS}

    See Also
    --------
    numpy.{name}

    Examples
    --------
{examples}""",
    )


exp = _unary(
    EXP,
    "Exponential ``e**x`` of a float, array, triple or tracer.",
    "exp(x)",
    "any real value.",
    """\
    >>> import stochad
    >>> t = stochad.stochastic_triple(lambda p: stochad.exp(2 * p), 0.0)
    >>> float(stochad.value(t)), float(stochad.delta(t))
    (1.0, 2.0)
    """,
)
log = _unary(
    LOG,
    "Natural logarithm of a float, array, triple or tracer.",
    "(1/x)",
    "values > 0 (on floats and arrays numpy gives ``-inf`` at 0, ``nan`` below).",
    """\
    >>> import stochad
    >>> float(stochad.delta(stochad.stochastic_triple(stochad.log, 2.0)))
    0.5
    """,
)
sqrt = _unary(
    SQRT,
    "Square root of a float, array, triple or tracer.",
    "1/(2·sqrt(x))",
    "values >= 0 (the derivative is infinite at 0).",
    """\
    >>> import stochad
    >>> float(stochad.delta(stochad.stochastic_triple(stochad.sqrt, 4.0)))
    0.25
    """,
)
sin = _unary(
    SIN,
    "Sine of a float, array, triple or tracer (radians).",
    "cos(x)",
    "any real value.",
    """\
    >>> import stochad
    >>> float(stochad.delta(stochad.stochastic_triple(stochad.sin, 0.0)))
    1.0
    """,
)
cos = _unary(
    COS,
    "Cosine of a float, array, triple or tracer (radians).",
    "−sin(x)",
    "any real value.",
    """\
    >>> import stochad
    >>> float(stochad.delta(stochad.stochastic_triple(stochad.cos, 0.5)))  # -sin(0.5)
    -0.479425538604203
    """,
)
tanh = _unary(
    TANH,
    "Hyperbolic tangent of a float, array, triple or tracer.",
    "1 − tanh(x)²",
    "any real value.",
    """\
    >>> import stochad
    >>> float(stochad.delta(stochad.stochastic_triple(stochad.tanh, 0.0)))
    1.0
    """,
)
sigmoid = _public(
    SIGMOID,
    """Logistic function ``σ(x) = 1 / (1 + exp(-x))`` of a float, array, triple or tracer.

    Elementwise (``scipy.special.expit``). On a stochastic triple the value is ``σ`` of the
    value, the almost-sure derivative is ``σ(x)(1 − σ(x))·δ``, and each finite perturbation
    keeps its weight and maps its alternate value ``Y`` to ``σ(Y)``. The smoothed backend and
    reverse mode (:func:`stochad.grad`) use the same derivative. Useful to keep a
    probability in (0, 1), e.g. ``stochad.bernoulli(stochad.sigmoid(w))``.

    Parameters
    ----------
    x : float, ndarray, Triple, TripleArray or Tracer
        any real value.

    Returns
    -------
    numpy.float64, ndarray, Triple, TripleArray or Tracer
        The kind of the argument, values in [0, 1].

    See Also
    --------
    scipy.special.expit
    stochad.surrogates.logistic : ``σ(βx)`` as an escape-noise CDF.

    Examples
    --------
    >>> import stochad
    >>> float(stochad.delta(stochad.stochastic_triple(stochad.sigmoid, 0.0)))
    0.25
    """,
)


def _binary_doc(summary: str, tie: str, examples: str) -> str:
    """The numpy-style docstring of :func:`maximum` / :func:`minimum`."""
    return f"""{summary}

    Elementwise, numpy's broadcasting. The almost-sure derivative is that of the winning
    argument ({tie}). Each finite perturbation recomputes the comparison on its alternate
    values, so a jump of one argument past the other switches the winner in that
    alternate world.

    Parameters
    ----------
    x, y : {_CARRIER}
        real values, broadcastable against each other.

{_RETURNS}

    See Also
    --------
    maximum, minimum, where

    Examples
    --------
{examples}"""


maximum = _public(
    MAXIMUM,
    _binary_doc(
        "Elementwise maximum of two floats, arrays, triples or tracers.",
        "``x`` on a tie",
        """\
    >>> import stochad
    >>> t = stochad.stochastic_triple(lambda p: stochad.maximum(stochad.bernoulli(p), 0.5), 0.3,
    ...                               rng=1)
    >>> t                       # X = 0 gives 0.5; its jump to 1 gives max(1, 0.5) = 1
    Triple(0.5 + 0.0ε [1.0 with weight 1.42857ε])
    """,
    ),
)
minimum = _public(
    MINIMUM,
    _binary_doc(
        "Elementwise minimum of two floats, arrays, triples or tracers.",
        "``x`` on a tie",
        """\
    >>> import stochad
    >>> float(stochad.minimum(2.0, 3.0))
    2.0
    >>> float(stochad.delta(stochad.stochastic_triple(lambda p: stochad.minimum(p, 3 * p), 1.0)))
    1.0
    """,
    ),
)
where = _public(
    WHERE,
    """``a`` where ``condition`` is nonzero, else ``b``; keeps every perturbation.

    Use it instead of a Python ``if`` on a random value (which raises
    :class:`~stochad.PerturbationLostError`): an alternate value of ``condition`` selects
    the other branch in its alternate world, so the jump ``w·(b − a)`` enters the
    derivative. The almost-sure derivative is that of the selected branch; ``condition``
    itself has derivative 0. In reverse mode (:func:`stochad.grad`) and with the smoothed
    backend the selection is along the sampled path only (the condition's jump is not seen).

    Parameters
    ----------
    condition : float, ndarray, Triple, TripleArray or Tracer
        nonzero means true; typically a 0/1 draw or a comparison such as ``x > 0``.
    a, b : float, ndarray, Triple, TripleArray or Tracer
        the two branches, broadcastable with ``condition``.

    Returns
    -------
    numpy.float64, ndarray, Triple, TripleArray or Tracer
        The kind of the highest-priority argument, of the broadcast shape.

    See Also
    --------
    numpy.where
    stochad.propagate : arbitrary Python control flow on triples.

    Examples
    --------
    >>> import stochad
    >>> def f(p):
    ...     x = stochad.bernoulli(p)
    ...     return stochad.where(x > 0, 10.0, 2.0)
    >>> r = stochad.expected_derivative(f, 0.3, 2000, rng=0)   # E = 2 + 8p
    >>> abs(r.mean - 8.0) < 5 * r.stderr
    True
    """,
)
