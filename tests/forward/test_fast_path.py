"""The scalar fast path gives the general path's numbers bit for bit.

Two checks: (i) programs using every elementwise operation and draw reproduce, under fixed
seeds, the results recorded on the code before the fast path existed (commit a8c16d2,
``scalar_golden.json``: every value, δ, alternate and weight as ``float.hex``); (ii) random
programs (hypothesis) give identical triples, kinds (int or float), event weights and
errors with the fast path on and off (``use_fast_path(False)`` is the general path, the
reference), on every backend, including inf/nan, division by zero, big integers and
numpy scalars, where the fast path must step aside.
"""

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import stochad
from stochad.forward.triple import use_fast_path
from tests.forward.scalar_programs import backend_of, fingerprint, results

GOLDEN = Path(__file__).with_name("scalar_golden.json")


def test_results_are_those_recorded_before_the_fast_path():
    with GOLDEN.open() as fh:
        recorded = json.load(fh)
    now = json.loads(json.dumps(results()))  # tuples as lists, as recorded
    assert now.keys() == recorded.keys()
    assert [k for k in recorded if now[k] != recorded[k]] == []


def test_the_general_path_also_reproduces_the_recording():
    # the reference switch really switches: the general path alone gives the same numbers
    with GOLDEN.open() as fh:
        recorded = json.load(fh)
    with use_fast_path(False):
        now = json.loads(json.dumps(results(seeds=range(2))))
    assert all(now[k] == recorded[k] for k in now)


def test_the_fast_path_is_taken():
    # without it a walk step makes several general-path calls; with it none
    calls = []
    original = stochad.Triple.__dict__["__stochad_apply__"].__func__

    def counting(cls, primitive, args, kwargs, evaluation):
        calls.append(primitive.name)
        return original(cls, primitive, args, kwargs, evaluation)

    from tests.forward.scalar_programs import walk

    stochad.Triple.__stochad_apply__ = classmethod(counting)
    try:
        stochad.derivative_estimate(lambda p: walk(p, 10), 1.0, rng=0)
        fast = len(calls)
        calls.clear()
        with use_fast_path(False):
            stochad.derivative_estimate(lambda p: walk(p, 10), 1.0, rng=0)
        general = len(calls)
    finally:
        stochad.Triple.__stochad_apply__ = classmethod(original)
    assert general >= 50  # every operation of the 10 steps
    assert fast <= 10  # only stochad.exp goes through call(), and it takes the fast path


# -- random programs -------------------------------------------------------------------
UNARY = {
    "neg": lambda a: -a, "abs": abs, "exp": stochad.exp, "log": stochad.log,
    "sqrt": stochad.sqrt, "sin": stochad.sin, "cos": stochad.cos, "tanh": stochad.tanh,
    "sigmoid": stochad.sigmoid, "np.exp": np.exp,
}  # fmt: skip
BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a**b, "max": stochad.maximum,
    "min": stochad.minimum, "lt": lambda a, b: a < b, "ge": lambda a, b: a >= b,
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
}  # fmt: skip
DRAWS = {
    "bernoulli": lambda q: stochad.bernoulli(stochad.sigmoid(q)),
    "binomial": lambda q: stochad.binomial(3, stochad.sigmoid(q)),
    "geometric": lambda q: stochad.geometric(0.2 + 0.6 * stochad.sigmoid(q)),
    "poisson": lambda q: stochad.poisson(2 * stochad.sigmoid(q)),
    "categorical": lambda q: stochad.categorical([stochad.sigmoid(q), 1 - stochad.sigmoid(q)]),
    "count": lambda q: stochad.binomial(stochad.poisson(1.5 * stochad.sigmoid(q)), 0.5),
}
CONSTANTS = st.one_of(
    st.sampled_from([0, 1, -1, 2, 0.0, -0.0, 0.5, 2**31, 2**40, math.inf, math.nan, 1e308]),
    st.floats(-3, 3),
    st.integers(-5, 5),
    st.sampled_from([np.float64(1.5), np.int64(3), True]),
)

instruction = st.one_of(
    st.tuples(st.just("unary"), st.sampled_from(sorted(UNARY)), st.integers(0, 99)),
    st.tuples(
        st.just("binary"), st.sampled_from(sorted(BINARY)), st.integers(0, 99),
        st.integers(0, 99),
    ),
    st.tuples(st.just("const"), st.sampled_from(sorted(BINARY)), st.integers(0, 99), CONSTANTS,
              st.booleans()),
    st.tuples(st.just("draw"), st.sampled_from(sorted(DRAWS)), st.integers(0, 99)),
    st.tuples(st.just("where"), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)),
)  # fmt: skip


def interpret(program, p):
    registers = [p, 2 * p]
    for op in program:
        kind, name = op[0], op[1]
        pick = lambda i: registers[i % len(registers)]  # noqa: E731
        if kind == "unary":
            out = UNARY[name](pick(op[2]))
        elif kind == "binary":
            out = BINARY[name](pick(op[2]), pick(op[3]))
        elif kind == "const":
            a, c = pick(op[2]), op[3]
            out = BINARY[name](a, c) if op[4] else BINARY[name](c, a)
        elif kind == "draw":
            out = DRAWS[name](pick(op[2]))
        else:
            out = stochad.where(pick(op[1]), pick(op[2]), pick(op[3]))
        registers.append(out)
    return registers


def _kind(x):
    v = stochad.value(x) if isinstance(x, stochad.Triple) else x
    alts = [q.alternate for q in stochad.perturbations(x)] if isinstance(x, stochad.Triple) else []
    # the general path gives numpy scalars, the fast path Python numbers: the same kinds
    return [type(u).__name__.replace("64", "") for u in [v, *alts]]


def outcome(program, p, backend, seed, fast: bool):
    """Every register's numbers and kinds, the event weights, or the error raised."""
    with use_fast_path(fast), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            registers = []

            def f(q):
                registers.extend(interpret(program, q))
                return registers[-1]

            stochad.stochastic_triple(f, p, backend=backend_of(backend), rng=seed)
        except Exception as err:  # noqa: BLE001 - the same error on both paths is the check
            return ("raised", type(err).__name__, str(err))
        events = registers[0].evaluation.events
        weights = [float(w).hex() for w in events.weights[: events.count]]
        return [(fingerprint(r), _kind(r)) for r in registers], weights


@pytest.mark.parametrize("backend", ["pruned", "dict", "smoothed", "symmetric"])
@given(
    program=st.lists(instruction, min_size=1, max_size=12),
    p=st.sampled_from([0.3, -1.2, 2.0]),
    seed=st.integers(0, 2**16),
)
def test_fast_and_general_paths_agree_bit_for_bit(backend, program, p, seed):
    assert outcome(program, p, backend, seed, True) == outcome(program, p, backend, seed, False)


def test_an_unsafe_operation_steps_aside_before_pruning():
    # 1 / 0 on the fast path: numpy's inf (with its warning) from the general path, and the
    # pruned backend's random choice is made once, not twice
    def f(p):
        a = stochad.bernoulli(p)
        b = stochad.bernoulli(p)
        return (a + b) / (a * 0)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fast = stochad.stochastic_triple(f, 0.4, rng=3)
    with warnings.catch_warnings(record=True), use_fast_path(False):
        warnings.simplefilter("always")
        general = stochad.stochastic_triple(f, 0.4, rng=3)
    assert fingerprint(fast) == fingerprint(general)
    assert any(issubclass(w.category, RuntimeWarning) for w in caught)


def test_numpy_scalars_and_big_integers_keep_numpy_semantics():
    def f(p):
        big = stochad.bernoulli(p) * 0 + 2**40  # an int beyond 2³¹
        return big * big + np.float64(0.5) * p

    with use_fast_path(False):
        general = stochad.stochastic_triple(f, 0.3, rng=1)
    fast = stochad.stochastic_triple(f, 0.3, rng=1)
    assert fingerprint(fast) == fingerprint(general)
    assert isinstance(stochad.value(fast), float)  # widened as numpy's int64 would not wrap


class _AskedBackend(stochad.PrunedBackend):
    """A pruned backend that logs every merge it is asked for (a user's backend)."""

    def __init__(self):
        self.log = []

    def merge_events(self, evaluation, events):
        self.log.append([e.id for e in events])
        return super().merge_events(evaluation, events)


@given(program=st.lists(instruction, min_size=1, max_size=10), seed=st.integers(0, 2**16))
def test_a_users_backend_is_asked_exactly_as_on_the_general_path(program, seed):
    logs = []
    for fast in (True, False):
        backend = _AskedBackend()
        with use_fast_path(fast), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                stochad.stochastic_triple(lambda q: interpret(program, q)[-1], 0.3,
                                          backend=backend, rng=seed)
            except Exception:  # noqa: BLE001, S110 - the errors are compared in the test above
                pass
        logs.append(backend.log)
    assert logs[0] == logs[1]


# -- the exact backend's many-event operations, and the two-event prune ------------------
def _long_program(p, steps=250):
    """Walks whose every step's perturbation stays live under the exact backend, with the
    cases where its C-level loops must step aside or filter: alternates equal to the
    value, an alternate world dividing by zero, numpy scalars, integers beyond 2³¹."""
    x, y, out = 0.0, 1, []
    for k in range(steps):
        b = stochad.bernoulli(stochad.sigmoid(p - 0.004 * k))
        x = x + 2 * b - 1
        y = y * (b + 1) - b  # ints 1 and 2: some alternates equal the value
        if k % 60 == 59:  # an alternate world at 1 / 0, then numpy scalars and big ints
            out += [1.0 / (x - (stochad.value(x) + 2.0)), x - y, -y, y * 2**40]
            x = x * np.float64(0.5) + stochad.exp(-x / 40)
    return [x * x, x + y, x * b, *out]


def _fingerprints(f, p, backend, seed, fast):
    with use_fast_path(fast), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs = []
        stochad.stochastic_triple(lambda q: outs.extend(f(q)) or outs[0], p, backend=backend,
                                  rng=seed)  # fmt: skip
    return [(fingerprint(t), _kind(t)) for t in outs]


@pytest.mark.parametrize("seed", [0, 1])
def test_the_exact_backends_many_event_operations_are_the_general_ones_bit_for_bit(
    seed, monkeypatch
):
    import stochad.forward.triple as triple

    spread = []
    for name in ("_spread", "_spread_pair"):
        original = getattr(triple, name)

        def counting(*args, original=original, name=name):
            out = original(*args)
            spread.append((name, out is not None))
            return out

        monkeypatch.setattr(triple, name, counting)
    fast = _fingerprints(_long_program, 0.4, "dict", seed, True)
    taken = list(spread)
    assert fast == _fingerprints(_long_program, 0.4, "dict", seed, False)
    assert len(fast[0][0][2]) > 50  # x carries many live perturbations at the end
    assert ("_spread", True) in taken and ("_spread_pair", True) in taken
    assert ("_spread", False) in taken  # and it stepped aside where it must


def test_pruning_two_events_is_the_pruned_backends_rule_bit_for_bit():
    from stochad.core.context import Evaluation
    from stochad.core.random import RandomStreams
    from stochad.forward.triple import prune_pair

    generator = np.random.default_rng(8)
    for trial in range(300):
        w = generator.normal(size=2) * 10.0 ** generator.integers(-3, 4, size=2)
        outcomes = []
        for merge in (prune_pair, lambda ev, a, b: ev.backend.merge_events(ev, [a, b])[0]):
            ev = Evaluation(RandomStreams(np.random.default_rng(trial)), stochad.PrunedBackend())
            a, b = ev.new_event(float(w[0])), ev.new_event(float(w[1]))
            kept = merge(ev, a, b)
            outcomes.append((kept.id, a.weight, b.weight, ev.streams.aux.random()))
        assert outcomes[0] == outcomes[1]
    # weights whose sum overflows: the backend's own answer (fsum raises there)
    ev = Evaluation(RandomStreams(np.random.default_rng(0)), stochad.PrunedBackend())
    with pytest.raises(OverflowError):
        prune_pair(ev, ev.new_event(1e308), ev.new_event(-1e308))
