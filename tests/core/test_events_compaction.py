"""The event table gives back the ids nothing refers to (EventTable.compact).

Compaction renumbers ids in place, keeping their order, so programs give the same
results bit for bit with or without it, while the table stays the size of what is live.
"""

from __future__ import annotations

import numpy as np
import pytest

import stochad
from stochad.core.context import Evaluation
from stochad.core.events import EventTable

N, STEPS = 200, 150


def walk(p):
    x = np.zeros(N)
    for _ in range(STEPS):
        up = stochad.exp(-abs(x) / p)
        x = x + 2 * stochad.bernoulli(up) - 1
    return stochad.mean(x * x)


def mixed(p):
    # scalar events (pinned at their ids) among array ones, and a bag at the end
    total = stochad.bernoulli(p) * np.ones(N)
    for step in range(STEPS):
        coin = stochad.bernoulli(0.5 * p) if step in (0, 40) else 1.0
        total = stochad.sqrt(total + stochad.bernoulli(p, size=N) * coin + 1.0)
    return stochad.mean(total)


@pytest.fixture
def compacting(monkeypatch):
    """A small COMPACT_FROM, and a record of each compaction and table size."""
    record = {"compacted": 0, "largest": 0}
    compact = EventTable.compact

    def counting(self):
        done = compact(self)
        record["compacted"] += done
        return done

    reserve = EventTable.reserve

    def watching(self, n):
        first = reserve(self, n)
        record["largest"] = max(record["largest"], len(self.weights))
        return first

    monkeypatch.setattr(EventTable, "COMPACT_FROM", 1024)
    monkeypatch.setattr(EventTable, "compact", counting)
    monkeypatch.setattr(EventTable, "reserve", watching)
    return record


@pytest.mark.parametrize("program", [walk, mixed])
def test_compaction_changes_no_result_and_bounds_the_table(program, compacting):
    before = {}
    with pytest.MonkeyPatch.context() as plain:
        plain.setattr(EventTable, "COMPACT_FROM", 1 << 60)
        for seed in range(3):
            before[seed] = stochad.derivative_estimate(program, 0.7, rng=seed)
    assert compacting["largest"] > 8192 and compacting["compacted"] == 0
    compacting["largest"] = 0
    for seed in range(3):
        assert stochad.derivative_estimate(program, 0.7, rng=seed) == before[seed]
    assert compacting["compacted"] > 0
    # without compaction a program needs about N·STEPS = 30 000 ids; live ones are O(N)
    assert compacting["largest"] <= 4096


def test_compaction_keeps_pinned_ids_and_the_order_of_the_others():
    table = Evaluation(stochad.core.random.RandomStreams.from_rng(0), None).events
    first = table.reserve(10)
    assert first == 0
    pinned = table.event(3)
    pinned.weight = 2.5
    table.weights[:10] = np.arange(10) + 1.0
    kept = np.array([1, 7, 9, 7, -1])
    table.track(kept)
    table.reserve(90)
    assert table.compact()
    # 3 stays; 1 moves down to 0, before it; 7 and 9 follow 3, in order
    np.testing.assert_array_equal(kept, [0, 4, 5, 4, -1])
    assert pinned.id == 3 and table.weights[3] == 4.0
    np.testing.assert_array_equal(table.weights[[0, 4, 5]], [2.0, 8.0, 10.0])
    assert not np.any(table.weights[[1, 2]])
    assert table.count == 6
    assert table.reserve(1) == 6
