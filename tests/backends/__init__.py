"""Tests of stochad.backends."""
