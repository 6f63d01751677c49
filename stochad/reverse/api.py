"""``grad`` and ``value_and_grad``: smoothed gradients in one backward pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from stochad._docstrings import fill_doc
from stochad.backends.smoothed import SmoothedBackend
from stochad.core.context import Evaluation, evaluation
from stochad.core.random import RandomStreams
from stochad.errors import check_callable
from stochad.reverse.pytree import flatten, unflatten
from stochad.reverse.tape import Tape
from stochad.reverse.tracer import Tracer

__all__ = ["grad", "value_and_grad"]

# the Parameters section of both entry points
_parameters = fill_doc(
    parameters="""
    Parameters
    ----------
    f : callable
        ``f(x, *args, **kwargs)`` returning a scalar; only ``x`` is differentiated.
    rng : None, int or numpy.random.Generator
        every sampler inside ``f`` draws from it; an int seed gives the same draws on
        every call.
    """
)


@_parameters
def value_and_grad(f: Callable, *, rng=None) -> Callable:
    """Turn scalar-valued ``f`` into a function returning ``(f(x), smoothed gradient)``.

    The gradient is the smoothed stochastic derivative (THEORY.md §3-4) of ``f`` along
    the random draws ``f`` makes: discrete samplers contribute the derivative of their mean
    (straight-through), continuous ones reparameterize, :func:`stochad.heaviside`
    contributes its surrogate derivative. For the same ``rng`` it equals
    ``derivative_estimate(lambda t: f(x + t*v), 0.0, backend="smoothed", rng=rng)`` in
    every direction ``v``, from one forward and one backward pass.

    %(parameters)s

    Returns
    -------
    callable
        ``(x, *args, **kwargs) -> (value, gradient)``. ``x`` may be a float, an ndarray
        or a (nested) list/tuple/dict of them; the gradient has the same structure, with
        floats for floats and float64 arrays of the same shapes for arrays.

    Raises
    ------
    TypeError
        for an argument of another type, or a non-callable ``f``.
    ValueError
        if ``f`` does not return a scalar.

    See Also
    --------
    grad, stochad.derivative_estimate, stochad.SmoothedBackend

    Examples
    --------
    >>> import numpy as np, stochad
    >>> def loss(w):
    ...     h = stochad.bernoulli(stochad.sigmoid(w), size=(1000, 2))
    ...     return stochad.mean(h)
    >>> value, g = stochad.value_and_grad(loss, rng=0)(np.zeros(2))
    >>> np.allclose(g, 0.125)   # d mean / dw = sigmoid'(0) / 2 each, straight-through
    True
    """
    check_callable("f", f)

    def value_and_gradient(x, *args, **kwargs):
        leaves, rebuild = flatten(x)
        ev = Evaluation(RandomStreams.from_rng(rng), SmoothedBackend())
        tape = Tape(ev)
        tracers = [Tracer(leaf, tape, tape.new_input()) for leaf in leaves]
        with evaluation(ev):
            out = f(unflatten(rebuild, tracers), *args, **kwargs)
        value = _scalar_output(out)
        cotangents = (
            tape.backward(out.slot, np.ones(()), [t.slot for t in tracers])
            if isinstance(out, Tracer)
            else [None] * len(leaves)
        )
        gradient = [_gradient_leaf(g, leaf) for g, leaf in zip(cotangents, leaves, strict=True)]
        return value, unflatten(rebuild, gradient)

    value_and_gradient.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    value_and_gradient.__doc__ = f"Value and smoothed gradient of {f!r}."
    return value_and_gradient


@_parameters
def grad(f: Callable, *, rng=None) -> Callable:
    """Turn scalar-valued ``f`` into a function returning its smoothed gradient.

    The second output of :func:`value_and_grad`: one forward and one backward pass give the
    smoothed stochastic derivative by every coordinate of ``x``.

    %(parameters)s

    Returns
    -------
    callable
        ``(x, *args, **kwargs) -> gradient``, with the structure of ``x`` (see
        :func:`value_and_grad`).

    Raises
    ------
    TypeError
        at once if ``f`` is not callable; when called, for an ``x`` leaf that is not a
        float or ndarray.
    ValueError
        when called, if ``f`` does not return a scalar.

    See Also
    --------
    value_and_grad, stochad.derivative_estimate

    Examples
    --------
    >>> import numpy as np, stochad
    >>> stochad.grad(lambda x: stochad.sum(x * x))(np.array([1.0, -2.0])).tolist()
    [2.0, -4.0]
    >>> g = stochad.grad(lambda p: {"a": p["a"] * p["b"], "b": 0.0}["a"])
    >>> g({"a": 3.0, "b": 2.0})
    {'a': 2.0, 'b': 3.0}
    >>> stochad.grad(lambda p: stochad.geometric(p))(0.5)   # d(1/p)/dp, straight-through
    -4.0
    """
    both = value_and_grad(f, rng=rng)

    def gradient(x, *args, **kwargs):
        return both(x, *args, **kwargs)[1]

    gradient.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    gradient.__doc__ = f"Smoothed gradient of {f!r}."
    return gradient


def _scalar_output(out) -> float:
    value = out.value if isinstance(out, Tracer) else out
    if isinstance(value, (list, tuple, dict)) or np.shape(value) != ():
        shape = (
            f"shape {np.shape(value)}" if isinstance(value, np.ndarray) else type(value).__name__
        )
        raise ValueError(
            f"f must return a scalar to be differentiated by grad, got a non-scalar output "
            f"({shape}); reduce it first (e.g. stochad.sum or stochad.mean)"
        )
    return float(value)


def _gradient_leaf(cotangent, leaf):
    if cotangent is None:
        return 0.0 if np.ndim(leaf) == 0 else np.zeros(np.shape(leaf))
    if np.ndim(leaf) == 0:
        return float(cotangent)
    return np.array(np.broadcast_to(cotangent, np.shape(leaf)), dtype=np.float64)
