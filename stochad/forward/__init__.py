"""Forward mode: scalar stochastic triples and the draws that make them."""
