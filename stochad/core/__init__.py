"""Core types: events, stochastic triples, the derivative context and random streams."""
