"""numba is imported on first compile: helpers declared before that still reach kernels.

``stochad.kernels.register_jitable`` / ``overload`` record a registration and return the
function unchanged; :func:`stochad.kernels.numba_module` imports numba and makes every
pending registration, in order, before :func:`stochad.kernels.cached_njit` compiles.
"""

import stochad.kernels as K


def plus_one(x):
    return x + 1.0


def test_a_helper_declared_before_numba_loads_is_registered_on_first_use(monkeypatch):
    monkeypatch.setattr(K, "_numba", [])  # as if numba had not been imported yet
    monkeypatch.setattr(K, "_pending", [])
    assert K.register_jitable(plus_one) is plus_one
    assert plus_one(1.0) == 2.0 and len(K._pending) == 1  # plain Python, nothing compiled
    numba = K.numba_module()
    assert K._pending == []

    @numba.njit(cache=False)
    def kernel(x):
        return plus_one(x) * 2.0

    assert kernel(1.5) == 5.0


def test_a_declaration_after_numba_loaded_registers_at_once(monkeypatch):
    monkeypatch.setattr(K, "_pending", [])
    K.numba_module()
    K.register_jitable(plus_one)
    assert K._pending == []
