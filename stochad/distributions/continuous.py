"""Continuous distributions by reparameterization: only δ parts, no jumps."""

from __future__ import annotations

from stochad.errors import check_finite, check_nonnegative

__all__ = ["sample_normal", "sample_exponential"]


def _value(x):
    # any carrier (triple, tracer): check its primal; the arithmetic below carries the rest
    return x.value if hasattr(type(x), "__stochad_priority__") else x


def sample_normal(evaluation, loc, scale):
    """``loc + scale·z`` with ``z`` a standard normal from the primal stream."""
    check_finite("loc", _value(loc))
    check_nonnegative("scale", _value(scale))
    z = evaluation.streams.primal.standard_normal()
    return loc + scale * z


def sample_exponential(evaluation, scale):
    """``scale·e`` with ``e`` a standard exponential from the primal stream."""
    check_nonnegative("scale", _value(scale))
    return scale * evaluation.streams.primal.standard_exponential()
