"""Gradient-descent optimizers on parameter pytrees: SGD (with momentum), Adam and SMORMS3.

The interface is optax's, so that an optimizer is a pair of pure functions and its state an
ordinary value (easy to copy, print or save):

- ``state = opt.init(params)``;
- ``updates, state = opt.update(grads, state, params)``: ``updates`` is what to *add* to
  the parameters (already negated and scaled by the learning rate);
- ``params = apply_updates(params, updates)``.

A parameter pytree is a float, an ndarray, or dicts/lists/tuples (namedtuples too) of them,
nested; ``grads`` must have the same structure (what :func:`stochad.grad` returns). The state
mirrors the parameters' structure leaf by leaf. Nothing is modified in place.

Examples
--------
>>> import numpy as np
>>> from stochad.snn.optimizers import SGD, apply_updates
>>> opt = SGD(lr=0.1)
>>> params = {"w": np.array([1.0, -2.0])}
>>> state = opt.init(params)
>>> updates, state = opt.update({"w": np.array([1.0, 1.0])}, state, params)
>>> apply_updates(params, updates)
{'w': array([ 0.9, -2.1])}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from numbers import Real
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "tree_map", "apply_updates", "Optimizer", "SGD", "Adam", "SMORMS3",
    "SGDState", "AdamState", "SMORMS3State",
]  # fmt: skip

PyTree = Any


# -- pytrees --------------------------------------------------------------------------
def _is_leaf(x) -> bool:
    return isinstance(x, np.ndarray) or (isinstance(x, Real) and not isinstance(x, bool))


def tree_map(function: Callable, tree: PyTree, *rest: PyTree) -> PyTree:
    """``function`` applied leaf by leaf to ``tree`` and the trees ``rest`` of the same structure.

    Leaves are floats (and other real numbers) and ndarrays; containers are dicts, lists and
    tuples (namedtuples rebuilt by field).

    Parameters
    ----------
    function : callable
        called as ``function(leaf, *leaves_of_rest)``.
    tree, *rest : pytrees of one structure

    Returns
    -------
    pytree
        the structure of ``tree`` with the results as leaves.

    Raises
    ------
    TypeError
        for a leaf of another type, or trees whose structures differ.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.snn.optimizers import tree_map
    >>> tree_map(lambda a, b: a + b, {"x": 1.0, "y": [np.ones(2)]}, {"x": 2.0, "y": [np.ones(2)]})
    {'x': 3.0, 'y': [array([2., 2.])]}
    """
    if _is_leaf(tree):
        for other in rest:
            if not (_is_leaf(other) or hasattr(other, "shape")):
                raise TypeError(f"tree structures differ: a leaf meets {type(other).__name__}")
        return function(tree, *rest)
    if isinstance(tree, dict):
        for other in rest:
            if not isinstance(other, dict) or other.keys() != tree.keys():
                raise TypeError(
                    f"tree structures differ: dict with keys {sorted(map(str, tree))} meets "
                    f"{type(other).__name__}"
                    + (f" with keys {sorted(map(str, other))}" if isinstance(other, dict) else "")
                )
        return {k: tree_map(function, tree[k], *(o[k] for o in rest)) for k in tree}
    if isinstance(tree, (list, tuple)):
        for other in rest:
            if not isinstance(other, (list, tuple)) or len(other) != len(tree):
                raise TypeError(
                    f"tree structures differ: {type(tree).__name__} of length {len(tree)} meets "
                    f"{type(other).__name__}"
                    + (f" of length {len(other)}" if isinstance(other, (list, tuple)) else "")
                )
        children = [tree_map(function, *items) for items in zip(tree, *rest, strict=True)]
        if hasattr(tree, "_fields"):
            return type(tree)(*children)
        return type(tree)(children)
    raise TypeError(
        f"a parameter pytree holds floats, ndarrays and dicts/lists/tuples of them, "
        f"got {type(tree).__name__}"
    )


def _leafwise(function: Callable) -> Callable:
    """``function`` on leaves, giving a Python float where the first leaf is not an array
    (numpy would turn a float parameter into ``np.float64``)."""

    def apply(first, *rest):
        out = function(first, *rest)
        if isinstance(first, np.ndarray):
            return out
        if isinstance(out, tuple):
            return type(out)(float(o) for o in out)
        return float(out)

    return apply


def _map(function: Callable, tree: PyTree, *rest: PyTree) -> PyTree:
    return tree_map(_leafwise(function), tree, *rest)


def apply_updates(params: PyTree, updates: PyTree) -> PyTree:
    """``params + updates``, leaf by leaf (a new tree; ``params`` is not modified).

    Examples
    --------
    >>> from stochad.snn.optimizers import apply_updates
    >>> apply_updates([1.0, 2.0], [0.5, -1.0])
    [1.5, 1.0]
    """
    return _map(lambda p, u: p + u, params, updates)


def _zeros_like(tree: PyTree) -> PyTree:
    return tree_map(lambda p: np.zeros(np.shape(p)) if np.ndim(p) else 0.0, tree)


def _check_rate(lr, name: str = "lr") -> float:
    if not (isinstance(lr, Real) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"{name} must be a positive finite number, got {lr!r}")
    return float(lr)


def _check_unit(x, name: str, closed_low: bool = True) -> float:
    ok = isinstance(x, Real) and (0 <= x < 1 if closed_low else 0 < x < 1)
    if not ok:
        interval = "[0, 1)" if closed_low else "(0, 1)"
        raise ValueError(f"{name} must lie in {interval}, got {x!r}")
    return float(x)


def _check_eps(eps) -> float:
    if not (isinstance(eps, Real) and np.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps must be a finite number ≥ 0, got {eps!r}")
    return float(eps)


class Optimizer:
    """Base of the optimizers: ``init(params)`` and ``update(grads, state, params)``.

    Subclasses implement both; :meth:`step` is the common ``update`` + ``apply_updates``.
    """

    def init(self, params: PyTree):  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, grads: PyTree, state, params: PyTree | None = None):  # pragma: no cover
        raise NotImplementedError

    def step(self, params: PyTree, grads: PyTree, state):
        """One descent step: ``(new_params, new_state)``.

        Examples
        --------
        >>> from stochad.snn.optimizers import SGD
        >>> opt = SGD(lr=0.5)
        >>> opt.step(2.0, 1.0, opt.init(2.0))[0]
        1.5
        """
        updates, state = self.update(grads, state, params)
        return apply_updates(params, updates), state


# -- SGD ------------------------------------------------------------------------------
class SGDState(NamedTuple):
    """SGD's state: the momentum buffer ``v`` (zeros, one per parameter)."""

    velocity: PyTree


@dataclass(frozen=True)
class SGD(Optimizer):
    """Stochastic gradient descent, with optional heavy-ball momentum.

    With momentum ``μ`` (PyTorch's convention): ``v ← μ v + G``, ``θ ← θ − lr·v``, ``v``
    starting at 0; ``μ = 0`` is plain ``θ ← θ − lr·G`` (what Gygax & Zenke use for spike-train
    matching).

    Parameters
    ----------
    lr : float
        learning rate, positive.
    momentum : float
        ``μ`` in ``[0, 1)``.

    Raises
    ------
    ValueError
        for ``lr ≤ 0`` or ``momentum`` outside ``[0, 1)``.

    Examples
    --------
    >>> from stochad.snn.optimizers import SGD
    >>> opt = SGD(lr=0.1, momentum=0.5)
    >>> theta, state = 1.0, opt.init(1.0)
    >>> theta, state = opt.step(theta, 2.0, state)   # v = 2,   θ = 1 − 0.2
    >>> theta, state = opt.step(theta, 2.0, state)   # v = 3,   θ = 0.8 − 0.3
    >>> round(theta, 12)
    0.5
    """

    lr: float
    momentum: float = 0.0

    def __post_init__(self):
        _check_rate(self.lr)
        _check_unit(self.momentum, "momentum")

    def init(self, params: PyTree) -> SGDState:
        return SGDState(_zeros_like(params))

    def update(self, grads: PyTree, state: SGDState, params: PyTree | None = None):
        velocity = _map(lambda v, g: self.momentum * v + g, state.velocity, grads)
        return _map(lambda v: -self.lr * v, velocity), SGDState(velocity)


# -- Adam -----------------------------------------------------------------------------
class AdamState(NamedTuple):
    """Adam's state: step count, first and second moment estimates."""

    count: int
    mu: PyTree
    nu: PyTree


@dataclass(frozen=True)
class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), with bias correction.

    At step ``t = 1, 2, …``: ``m ← β₁m + (1−β₁)G``, ``v ← β₂v + (1−β₂)G²``,
    ``m̂ = m/(1−β₁ᵗ)``, ``v̂ = v/(1−β₂ᵗ)``, ``θ ← θ − lr·m̂/(√v̂ + eps)``; ``m = v = 0`` at start.

    Parameters
    ----------
    lr : float
        learning rate, positive.
    betas : (float, float)
        ``(β₁, β₂)``, each in ``[0, 1)``.
    eps : float
        added to ``√v̂``, ``≥ 0``.

    Raises
    ------
    ValueError
        for parameters out of range.

    Examples
    --------
    >>> from stochad.snn.optimizers import Adam
    >>> opt = Adam(lr=0.1)
    >>> theta, state = opt.step(1.0, 4.0, opt.init(1.0))   # first step: θ − lr·sign(G)
    >>> round(theta, 6)
    0.9
    """

    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8

    def __post_init__(self):
        _check_rate(self.lr)
        if not (isinstance(self.betas, (tuple, list)) and len(self.betas) == 2):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {self.betas!r}")
        _check_unit(self.betas[0], "betas[0]")
        _check_unit(self.betas[1], "betas[1]")
        _check_eps(self.eps)

    def init(self, params: PyTree) -> AdamState:
        return AdamState(0, _zeros_like(params), _zeros_like(params))

    def update(self, grads: PyTree, state: AdamState, params: PyTree | None = None):
        b1, b2 = self.betas
        count = state.count + 1
        mu = _map(lambda m, g: b1 * m + (1 - b1) * g, state.mu, grads)
        nu = _map(lambda v, g: b2 * v + (1 - b2) * g * g, state.nu, grads)
        c1, c2 = 1 - b1**count, 1 - b2**count
        updates = _map(lambda m, v: -self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps), mu, nu)
        return updates, AdamState(count, mu, nu)


# -- SMORMS3 --------------------------------------------------------------------------
class SMORMS3State(NamedTuple):
    """SMORMS3's state, per parameter: ``mem`` (starts at 1), ``g`` and ``g2`` (start at 0)."""

    mem: PyTree
    g: PyTree
    g2: PyTree


@dataclass(frozen=True)
class SMORMS3(Optimizer):
    """SMORMS3 (Funk 2015), as the stork library implements it (used by Gygax & Zenke on SHD).

    Per parameter, with state ``mem = 1``, ``g = g2 = 0`` at start and gradient ``G``::

        r    = 1 / (mem + 1)
        g    ← (1 − r) g  + r G
        g2   ← (1 − r) g2 + r G²
        mem  ← mem · (1 − g²/(g2 + eps)) + 1
        lr_t = min(g²/(g2 + eps), lr)
        θ    ← θ − lr_t · G / (√g2 + eps)

    (``g`` and ``g2`` are the updated ones throughout.) The effective rate ``g²/g2`` is
    near 1 for a consistent gradient and near 0 for a noisy one, and ``mem`` grows with the
    consistency, lengthening the averaging window.

    Parameters
    ----------
    lr : float
        the largest step size, positive.
    eps : float
        added to ``g2`` and to ``√g2``, ``≥ 0``.

    Raises
    ------
    ValueError
        for ``lr ≤ 0`` or ``eps < 0``.

    Examples
    --------
    >>> from stochad.snn.optimizers import SMORMS3
    >>> opt = SMORMS3(lr=0.1)
    >>> theta, state = opt.step(1.0, 2.0, opt.init(1.0))  # g = 1, g2 = 2: θ − 0.1·2/√2
    >>> round(theta, 6), round(state.mem, 6)                # mem = 1·(1 − ½) + 1
    (0.858579, 1.5)
    """

    lr: float = 1e-3
    eps: float = 1e-16

    def __post_init__(self):
        _check_rate(self.lr)
        _check_eps(self.eps)

    def init(self, params: PyTree) -> SMORMS3State:
        ones = tree_map(lambda p: np.ones(np.shape(p)) if np.ndim(p) else 1.0, params)
        return SMORMS3State(ones, _zeros_like(params), _zeros_like(params))

    def update(self, grads: PyTree, state: SMORMS3State, params: PyTree | None = None):
        def leaf(mem, g, g2, grad):
            r = 1.0 / (mem + 1.0)
            g = (1.0 - r) * g + r * grad
            g2 = (1.0 - r) * g2 + r * grad * grad
            ratio = g * g / (g2 + self.eps)
            mem = mem * (1.0 - ratio) + 1.0
            rate = np.minimum(ratio, self.lr)
            return _Results((-rate * grad / (np.sqrt(g2) + self.eps), mem, g, g2))

        results = _map(leaf, state.mem, state.g, state.g2, grads)
        pick = [_pick(results, i) for i in range(4)]
        return pick[0], SMORMS3State(pick[1], pick[2], pick[3])


class _Results(tuple):
    """Several results computed at one leaf (told apart from the tree's own tuples)."""


def _pick(tree: PyTree, index: int) -> PyTree:
    """Component ``index`` of the :class:`_Results` at the leaves of ``tree``."""
    if isinstance(tree, _Results):
        return tree[index]
    if isinstance(tree, dict):
        return {k: _pick(v, index) for k, v in tree.items()}
    children = [_pick(v, index) for v in tree]
    return type(tree)(*children) if hasattr(tree, "_fields") else type(tree)(children)
