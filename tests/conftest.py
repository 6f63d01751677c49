"""Shared test settings: a hypothesis profile without deadlines (numba compiles on first call)."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "stochad",
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile("stochad")
