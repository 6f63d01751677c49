"""Distributions: each discrete rule (sampling, jumps, coupling, smoothing) in one place."""
