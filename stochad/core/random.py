"""Where randomness comes from.

Every sampler draws its primal uniforms from the *primal stream*: the user's
``numpy.random.Generator``. Coupled alternate samples and the pruning backend's random
choices come from a separate *auxiliary stream* derived from its state, so that for a given seed
the primal sample path is the same for every backend and the same as running the program
without differentiation.
"""

from __future__ import annotations

import hashlib
from numbers import Integral

import numpy as np

__all__ = ["seed", "as_generator", "module_generator", "RandomStreams"]

_module_generator = np.random.default_rng()


def seed(n: int | None) -> None:
    """Reseed the module-level generator used by samplers outside a derivative.

    It also serves ``rng=None`` in :func:`stochad.derivative_estimate` and friends.

    Parameters
    ----------
    n : None or int
        a seed >= 0 for ``numpy.random.default_rng``; ``None`` takes fresh OS entropy.

    Raises
    ------
    ValueError
        for a negative seed (numpy's error).
    TypeError
        for a seed that is not an integer (numpy's error).

    See Also
    --------
    using_rng : a generator for one block only.

    Examples
    --------
    >>> import stochad
    >>> stochad.seed(1); a = stochad.bernoulli(0.5)
    >>> stochad.seed(1); b = stochad.bernoulli(0.5)
    >>> a == b
    True
    """
    global _module_generator
    _module_generator = np.random.default_rng(n)


def as_generator(rng) -> np.random.Generator:
    """Turn ``None`` (the module generator), an int seed or a Generator into a Generator."""
    if rng is None:
        return _module_generator
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng seed must be >= 0, got rng={rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be None, an int seed or a numpy.random.Generator, got {type(rng).__name__}"
    )


def auxiliary_generator(primal: np.random.Generator) -> np.random.Generator:
    """A generator for coupling and pruning, derived from ``primal``'s state alone.

    It draws nothing from ``primal`` (so the primal sample path is the program's own), and
    it depends only on ``primal.bit_generator.state``: a generator restored from a
    checkpointed state gives the same pruning again (``spawn`` would not: its counter is
    not part of the state).
    """
    digest = hashlib.sha256(repr(primal.bit_generator.state).encode()).digest()
    seed = np.random.SeedSequence(int.from_bytes(digest[:16], "little"))
    return np.random.Generator(type(primal.bit_generator)(seed))


class RandomStreams:
    """The primal stream and the auxiliary stream (coupling, pruning) of one evaluation."""

    __slots__ = ("primal", "aux")

    def __init__(self, primal: np.random.Generator, aux: np.random.Generator | None = None):
        self.primal = primal
        self.aux = aux if aux is not None else auxiliary_generator(primal)

    def uniform(self) -> float:
        """One primal uniform on ``(0, 1]``: ``1 − random()``, the inverse-CDF argument.

        Every scalar discrete draw is ``F⁻¹(uniform())``, so ``X = min{k: F(k) ≥ U}`` and a
        Bernoulli is ``random() < p``; array draws use ``1 − random(shape)`` alike.
        """
        return 1.0 - self.primal.random()

    @classmethod
    def from_rng(cls, rng) -> RandomStreams:
        return cls(as_generator(rng))


def module_generator() -> np.random.Generator:
    """The generator samplers use outside any ``using_rng`` block or derivative."""
    return _module_generator
