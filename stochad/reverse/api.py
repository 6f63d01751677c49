"""``grad`` and ``value_and_grad``: smoothed gradients in one backward pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from stochad._docstrings import fill_doc
from stochad.backends import Backend, get_backend
from stochad.core.context import Evaluation, evaluation
from stochad.core.primitives import is_carrier
from stochad.core.random import RandomStreams
from stochad.errors import check_callable, is_real
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
        ``f(*args, **kwargs)`` returning a scalar (or, with ``has_aux``, a pair
        ``(scalar, aux)``); the positional arguments ``argnums`` are differentiated.
    argnums : int or tuple of int
        which positional arguments to differentiate (JAX's meaning; negative numbers
        count from the end). An int gives one gradient, a tuple a tuple of gradients.
    has_aux : bool
        ``f`` returns ``(value, aux)``; ``aux`` is passed through, with every tracer in it
        (in nested lists, tuples and dicts) replaced by its value.
    rng : None, int or numpy.random.Generator
        every sampler inside ``f`` draws from it; an int seed gives the same draws on
        every call.
    backend : "smoothed" or a Backend without perturbations
        how a discrete draw's derivative is smoothed: ``"smoothed"`` is
        ``SmoothedBackend("straight-through")`` (the derivative of the draw's mean, the
        surrogate gradient); ``SmoothedBackend("symmetric")`` averages each draw's left
        and right jumps at the drawn value, as in forward mode.
    """
)


def _smoothing_backend(backend) -> Backend:
    backend = get_backend(backend)
    if backend.carries_perturbations:
        raise ValueError(
            f"grad needs a smoothing backend (backend='smoothed' or a SmoothedBackend), got "
            f"backend={backend.name!r}: perturbations cannot run backwards; use "
            "derivative_estimate for unbiased derivatives"
        )
    return backend


def _check_argnums(argnums) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, (int, np.integer)) else argnums
    if (
        not isinstance(nums, tuple)
        or not nums
        or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in nums)
    ):
        raise TypeError(f"argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    return tuple(int(a) for a in nums)


def _positions(nums: tuple[int, ...], n_args: int) -> list[int]:
    positions = []
    for a in nums:
        if not -n_args <= a < n_args:
            raise ValueError(
                f"argnums={a} is out of range for a call with {n_args} positional argument(s)"
            )
        positions.append(a % n_args)
    if len(set(positions)) != len(positions):
        raise ValueError(f"argnums must not repeat an argument, got {nums}")
    return positions


def _concrete(aux):
    """``aux`` with every tracer replaced by its primal value."""
    if isinstance(aux, Tracer):
        return aux.value
    if isinstance(aux, (list, tuple)):
        return type(aux)(_concrete(a) for a in aux)
    if isinstance(aux, dict):
        return {k: _concrete(v) for k, v in aux.items()}
    return aux


@_parameters
def value_and_grad(
    f: Callable, argnums=0, has_aux: bool = False, *, rng=None, backend="smoothed"
) -> Callable:
    """Turn scalar-valued ``f`` into a function returning ``(f(x), smoothed gradient)``.

    The gradient is the smoothed stochastic derivative (docs/theory.md §3-4) of ``f`` along
    the random draws ``f`` makes: discrete samplers contribute the derivative of their mean
    (straight-through), continuous ones reparameterize, :func:`stochad.heaviside`
    contributes its surrogate derivative. For the same ``rng`` it equals
    ``derivative_estimate(lambda t: f(x + t*v), 0.0, backend="smoothed", rng=rng)`` in
    every direction ``v``, from one forward and one backward pass.

    %(parameters)s

    Returns
    -------
    callable
        ``(*args, **kwargs) -> (value, gradient)``, or ``((value, aux), gradient)`` with
        ``has_aux``. A differentiated argument may be a float, an ndarray or a (nested)
        list/tuple/dict of them; its gradient has the same structure, with floats for
        floats and float64 arrays of the same shapes for arrays. A tuple ``argnums``
        gives a tuple of gradients.

    Raises
    ------
    TypeError
        for an argument of another type, a non-callable ``f``, ``argnums`` that is not
        an int or tuple of ints, or (with ``has_aux``) an output that is not a pair.
    ValueError
        if ``f`` does not return a scalar, or ``argnums`` is out of range or repeats.

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
    >>> def net(w, x):
    ...     y = w * x
    ...     return stochad.sum(y * y), y
    >>> (v, y), (gw, gx) = stochad.value_and_grad(net, argnums=(0, 1), has_aux=True)(2.0, 3.0)
    >>> v, float(y), gw, gx
    (36.0, 6.0, 36.0, 24.0)
    """
    check_callable("f", f)
    nums = _check_argnums(argnums)
    backend = _smoothing_backend(backend)

    def value_and_gradient(*args, **kwargs):
        positions = _positions(nums, len(args))
        ev = Evaluation(RandomStreams.from_rng(rng), backend)
        tape = Tape(ev)
        call_args = list(args)
        traced = []  # per differentiated argument: (leaves, rebuild, tracers)
        for i in positions:
            leaves, rebuild = flatten(args[i])
            tracers = [Tracer(leaf, tape, tape.new_input()) for leaf in leaves]
            call_args[i] = unflatten(rebuild, tracers)
            traced.append((leaves, rebuild, tracers))
        with evaluation(ev):
            out = f(*call_args, **kwargs)
        if has_aux:
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise TypeError(
                    "with has_aux=True, f must return a pair (scalar, aux), got "
                    f"{type(out).__name__}"
                )
            out, aux = out[0], _concrete(out[1])
        own = isinstance(out, Tracer) and out.tape is tape
        value = _scalar_output(out.value if own else out)
        slots = [t.slot for _, _, tracers in traced for t in tracers]
        cotangents = (
            tape.backward(out.slot, np.ones(()), slots)
            if own
            else [None] * len(slots)
        )
        gradients, k = [], 0
        for leaves, rebuild, _ in traced:
            g = [_gradient_leaf(c, leaf) for c, leaf in zip(cotangents[k:], leaves, strict=False)]
            k += len(leaves)
            gradients.append(unflatten(rebuild, g))
        gradient = gradients[0] if isinstance(argnums, (int, np.integer)) else tuple(gradients)
        return ((value, aux), gradient) if has_aux else (value, gradient)

    value_and_gradient.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    value_and_gradient.__doc__ = f"Value and smoothed gradient of {f!r}."
    return value_and_gradient


@_parameters
def grad(
    f: Callable, argnums=0, has_aux: bool = False, *, rng=None, backend="smoothed"
) -> Callable:
    """Turn scalar-valued ``f`` into a function returning its smoothed gradient.

    The second output of :func:`value_and_grad`: one forward and one backward pass give the
    smoothed stochastic derivative by every coordinate of the differentiated arguments.

    %(parameters)s

    Returns
    -------
    callable
        ``(*args, **kwargs) -> gradient`` (``(gradient, aux)`` with ``has_aux``), with
        the structure of the differentiated argument(s) (see :func:`value_and_grad`).

    Raises
    ------
    TypeError
        at once if ``f`` is not callable or ``argnums`` is not an int or tuple of ints;
        when called, for a differentiated leaf that is not a float or ndarray.
    ValueError
        when called, if ``f`` does not return a scalar or ``argnums`` is out of range.

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
    >>> stochad.grad(lambda w, x: w * x, argnums=1)(2.0, 5.0)
    2.0
    """
    both = value_and_grad(f, argnums, has_aux, rng=rng, backend=backend)

    def gradient(*args, **kwargs):
        out, g = both(*args, **kwargs)
        return (g, out[1]) if has_aux else g

    gradient.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    gradient.__doc__ = f"Smoothed gradient of {f!r}."
    return gradient


def _scalar_output(out) -> float:
    value = out
    if isinstance(value, (list, tuple, dict)) or np.shape(value) != ():
        shape = (
            f"shape {np.shape(value)}" if isinstance(value, np.ndarray) else type(value).__name__
        )
        raise ValueError(
            f"f must return a scalar to be differentiated by grad, got a non-scalar output "
            f"({shape}); reduce it first (e.g. stochad.sum or stochad.mean)"
        )
    if not is_carrier(value) and not is_real(value):
        raise TypeError(
            f"f must return a real scalar (a float or a 0-d array) to be differentiated by "
            f"grad, got {type(value).__name__}"
            + (" with a complex value" if np.iscomplexobj(value) else "")
        )
    return value if is_carrier(value) else float(value)


def _gradient_leaf(cotangent, leaf):
    if cotangent is None:
        return 0.0 if np.ndim(leaf) == 0 else np.zeros(np.shape(leaf))
    if is_carrier(cotangent):  # the gradient of a nested derivative: the enclosing one's carrier
        return cotangent
    if np.ndim(leaf) == 0:
        return float(cotangent)
    return np.array(np.broadcast_to(cotangent, np.shape(leaf)), dtype=np.float64)
