"""The estimators the suite compares, each with what its expectation is known to be.

Every estimator turns a :class:`~benchmarks.programs.Program` into a sampler
``sample(rng)``: one derivative estimate from a numpy Generator (a float), or, on a batched
program (``program.batch > 1``, the SNN programs), a vector of ``batch`` independent
estimates, one per row. A program may replace an estimator's sampler (``program.samplers``)
or say why it does not apply (``program.skip``). Each estimator states the exact
expectation of one sample where it is known: the derivative for the unbiased ones, the central
difference of the exact mean for finite differences (bias ``O(h²)``), the program's closed-form
smoothed mean for the smoothed ones (``None`` where the program has none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import stochad
from stochad.backends import SmoothedBackend
from stochad.estimators import finite_difference_estimate, score_function_estimate

__all__ = ["Estimator", "ESTIMATORS", "REFERENCE", "get"]


@dataclass(frozen=True)
class Estimator:
    """One estimator of ``d/dp E[f(p)]``.

    Attributes
    ----------
    name : str
        its label in the tables (also its command-line name).
    stochad : bool
        whether it is one of stochad's own (triples or smoothing), as opposed to a
        comparison estimator.
    make : callable
        ``make(program, baseline) -> sample``, ``sample(rng) -> float``; ``baseline`` is a
        pilot estimate of ``E[f(p)]`` from independent runs (used by the score function).
    expectation : callable
        ``expectation(program) -> float or None``: the exact mean of one sample, ``None``
        where unknown.
    note : str
        what the estimator is, for the tables.
    """

    name: str
    stochad: bool
    make: Callable
    expectation: Callable
    note: str = ""

    def sampler(self, program, baseline: float) -> Callable:
        """``sample(rng)`` for ``program``: its own replacement if it has one, else generic."""
        make = program.samplers.get(self.name, self.make)
        return make(program, baseline)


def _triple(backend):
    def make(program, baseline):
        def sample(rng):
            out = stochad.derivative_estimate(program.f, program.p, backend=backend, rng=rng)
            return float(out) if program.batch == 1 else np.asarray(out, dtype=np.float64)

        return sample

    return make


def _smoothed_expectation(strategy):
    return lambda program: program.smoothed.get(strategy)


def _score(with_baseline):
    def make(program, baseline):
        b = baseline if with_baseline else 0.0
        return lambda rng: score_function_estimate(program.f, program.p, rng=rng, baseline=b)

    return make


def _finite_difference(common):
    def make(program, baseline):
        if program.batch > 1:
            return lambda rng: _rows_finite_difference(program, rng, common)
        return lambda rng: finite_difference_estimate(
            program.f, program.p, h=program.fd_step, rng=rng, common_random_numbers=common
        )

    return make


def _rows_finite_difference(program, rng, common: bool) -> np.ndarray:
    """``finite_difference_estimate`` row by row for a batched program (the library's one
    takes a scalar output): the same child generator state on both sides (common random
    numbers) or one generator running on."""
    h = program.fd_step
    if not common:
        with stochad.using_rng(rng):
            upper = np.asarray(program.f(program.p + h), dtype=np.float64)
            return (upper - np.asarray(program.f(program.p - h), dtype=np.float64)) / (2 * h)
    child = rng.spawn(1)[0]
    state = child.bit_generator.state
    with stochad.using_rng(child):
        upper = np.asarray(program.f(program.p + h), dtype=np.float64)
    child.bit_generator.state = state
    with stochad.using_rng(child):
        lower = np.asarray(program.f(program.p - h), dtype=np.float64)
    return (upper - lower) / (2 * h)


def _exact(program):
    return program.derivative


ESTIMATORS: list[Estimator] = [
    Estimator("pruned", True, _triple("pruned"), _exact,
              "stochastic triples, one perturbation kept per value (default backend)"),
    Estimator("dict", True, _triple("dict"), _exact,
              "stochastic triples, every perturbation kept"),
    Estimator("smoothed: straight-through", True, _triple("smoothed"),
              _smoothed_expectation("straight-through"),
              "the straight-through estimator = surrogate gradient (one row for both)"),
    Estimator("smoothed: symmetric", True, _triple(SmoothedBackend("symmetric")),
              _smoothed_expectation("symmetric"), "½–½ mix of left and right jumps"),
    Estimator("score function", False, _score(False), _exact, "REINFORCE, no baseline"),
    Estimator("score function + baseline", False, _score(True), _exact,
              "REINFORCE with the mean of an independent pilot run as baseline"),
    Estimator("finite diff., CRN", False, _finite_difference(True),
              lambda program: program.fd_expectation(),
              "central difference, both sides on the same random numbers"),
    Estimator("finite diff., independent", False, _finite_difference(False),
              lambda program: program.fd_expectation(),
              "central difference, independent random numbers on each side"),
]
"""Every estimator, in the order of the tables."""

REFERENCE = "score function + baseline"
"""The comparison estimator that work ratios are taken against."""


def get(names=None) -> list[Estimator]:
    """The estimators named in ``names`` (all if ``None``), in table order."""
    if names is None:
        return list(ESTIMATORS)
    names = list(names)
    known = [e.name for e in ESTIMATORS]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(f"unknown estimator(s) {unknown}; known: {known}")
    return [e for e in ESTIMATORS if e.name in names]
