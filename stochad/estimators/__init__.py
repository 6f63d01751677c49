"""Estimators to compare stochastic triples against: score function and finite differences.

They run the same stochad programs, so a benchmark can put every estimator on the same
footing (docs/theory.md §5).
"""

from stochad.estimators.finite_differences import finite_difference_estimate
from stochad.estimators.score_function import ScoreFunctionBackend, score_function_estimate

__all__ = ["ScoreFunctionBackend", "score_function_estimate", "finite_difference_estimate"]
