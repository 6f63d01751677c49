"""Tests of stochad.core."""
