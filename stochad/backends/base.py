"""The backend interface and the registry of backends by name.

A backend decides what a program's randomness turns into:

* :meth:`Backend.merge_events`: which perturbations survive where the events of several
  operands meet in one scalar operation (pruned: one, chosen at random; exact: all);
* :meth:`Backend.merge_rows`: the same for rows of event ids of triple arrays;
* :meth:`Backend.draw_tangent` / :meth:`Backend.draw_tangent_array`: for a backend
  without perturbations (smoothed), what a discrete draw contributes to the tangent.

Backends register a factory under their names (:func:`register_backend`), and
``backend="name"`` anywhere in the API looks it up (:func:`get_backend`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from stochad.distributions.vectorized import flat_params

__all__ = ["Backend", "get_backend", "register_backend", "BACKENDS"]


class Backend:
    """What happens when perturbations meet, and what a discrete draw produces.

    ``carries_perturbations`` is False for a backend that folds every discrete draw into
    the tangent (smoothed); ``supports_arrays`` says whether triple arrays work with it
    (``scalar_only_reason`` says why not).
    """

    name: str = "backend"
    carries_perturbations: bool = True
    supports_arrays: bool = False
    scalar_only_reason: str = "it has no array form"
    """Why a backend without ``supports_arrays`` works on scalar programs only."""
    strategy: str | None = None
    """How a smoothing backend combines a draw's left and right jumps (None otherwise)."""

    def merge_events(self, evaluation, events: list) -> list:
        """Return the events to keep out of the distinct alive, moving ``events``."""
        raise NotImplementedError

    def merge_rows(self, evaluation, events: np.ndarray) -> np.ndarray:
        """The surviving event id of each row of the 2-d id array ``events`` (-1: none)."""
        raise NotImplementedError(
            f"backend {self.name!r} is scalar-only: {self.scalar_only_reason}"
        )

    def merge_operand_pair(self, evaluation, a: tuple, b: tuple) -> tuple:
        """Two perturbed operands meet: ``(survivor ids, a's world, b's world)``.

        ``a`` and ``b`` are ``(values, alternates, event ids)``, 1-d of one length. An
        operand's event takes part only where its alternate moves its value; an
        operand's world is its alternate where it carries the survivor, else its value.
        """
        moving = [np.where(alt != value, event, -1) for value, alt, event in (a, b)]
        chosen = self.merge_rows(evaluation, np.stack(moving, axis=-1))
        worlds = tuple(np.where(event == chosen, alt, value) for value, alt, event in (a, b))
        return (chosen,) + worlds

    def draw_tangent(self, rule, x, params, tangents):
        """The tangent of a discrete draw ``x``, for backends without perturbations."""
        raise NotImplementedError(f"backend {self.name!r} keeps perturbations, not tangents")

    def draw_tangent_array(self, rule, x, params, tangents) -> np.ndarray:
        """:meth:`draw_tangent` of each element of the 1-d draws ``x``.

        ``params`` and ``tangents`` are the kernels' two 1-d parameter arrays ``(a, b)``
        and their tangents; a backend may override this with a compiled kernel.
        """
        n = len(rule.params)
        return np.array(
            [
                self.draw_tangent(
                    rule, x[k], tuple(p[k] for p in params)[:n], tuple(t[k] for t in tangents)[:n]
                )
                for k in range(x.size)
            ]
        )

    def draw_partial(self, rule, x, values, i):
        """``∂x̃/∂θ_i``: the draw's smoothed derivative per unit tangent of parameter ``i``.

        The reverse rule of a draw ``x`` (a number or an array) with parameter values
        ``values``: :meth:`draw_tangent` with a one-hot tangent, elementwise for arrays.
        """
        unit = [1.0 if k == i else 0.0 for k in range(len(values))]
        if np.ndim(x) == 0 and all(np.ndim(v) == 0 for v in values):
            return self.draw_tangent(rule, x, values, unit)
        shape = np.shape(x)
        flat = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
        params, units = flat_params(values, shape), flat_params(unit, shape)
        return self.draw_tangent_array(rule, flat, params, units).reshape(shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


BACKENDS: dict[str, Callable[[], Backend]] = {}
"""Backend factories by name (``"pruned"``, ``"dict"``, ``"exact"``, ``"smoothed"``, ...)."""


def register_backend(name: str, factory: Callable[[], Backend]) -> None:
    """Make ``backend=name`` build ``factory()`` (a later registration of a name wins).

    Examples
    --------
    >>> import stochad
    >>> from stochad.backends import PrunedBackend, register_backend
    >>> register_backend("my-pruned", PrunedBackend)
    >>> stochad.derivative_estimate(lambda p: 3 * p, 0.5, backend="my-pruned")
    3.0
    """
    BACKENDS[name] = factory


def get_backend(backend) -> Backend:
    """Resolve a registered name (``"pruned"``, ``"dict"``, ...) or pass a Backend through.

    Raises
    ------
    ValueError
        for a name that is not registered, naming the registered ones.

    Examples
    --------
    >>> from stochad.backends import get_backend
    >>> get_backend("exact")
    ExactBackend()
    """
    if isinstance(backend, Backend):
        return backend
    factory = BACKENDS.get(backend) if isinstance(backend, str) else None
    if factory is None:
        raise ValueError(
            f"backend must be one of {tuple(BACKENDS)} or a Backend instance, got {backend!r}"
        )
    return factory()
