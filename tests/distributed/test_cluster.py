"""expected_derivative on a dask LocalCluster (2 worker processes) against one process.

One cluster serves the module (starting one takes seconds). The contract: the samples are
bit-for-bit those of the single-process run for every seed, chunking and backend, and
after a worker is killed mid-run; an error in ``f`` on a worker reaches the caller with
the worker's traceback; an ``f`` that cannot be pickled gets an error naming it.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback

import numpy as np
import pytest

pytest.importorskip(
    "distributed",
    reason="dask.distributed is not installed (the optional extra: "
    "pip install 'stochad[distributed]'); CI installs it",
)

import stochad  # noqa: E402
from stochad.distributed import local_client  # noqa: E402
from tests.test_api import walk  # noqa: E402  (6 steps of the state-dependent walk)


@pytest.fixture(scope="module")
def client():
    with local_client(n_workers=2) as c:
        yield c


def interacting(P):
    return stochad.bernoulli(P[0]) * stochad.bernoulli(P[1]) + P[0] ** 2


CASES = [  # (f, p, n, options of both runs, chunks alone, chunks on the cluster)
    (walk, 0.5, 40, {"rng": 0}, None, 7),
    (walk, 0.5, 40, {"rng": 1, "backend": "dict"}, 1, [1, 30, 9]),
    (walk, 0.7, 40, {"rng": 2, "backend": "smoothed"}, 5, None),  # 32 default chunks
    (interacting, np.array([0.3, 0.6]), 40, {"rng": 3}, None, 9),
    (walk, 0.5, 2000, {"rng": 4, "vectorize": 500}, None, 1000),
    (walk, 0.5, 2000, {"rng": 5, "vectorize": 1000, "backend": "smoothed"}, 2000, 1000),
]


def test_the_samples_equal_the_single_process_run(client):
    """Several seeds, chunkings (even, uneven, default), backends and both modes."""
    for f, p, n, options, alone_chunks, cluster_chunks in CASES:
        alone = stochad.expected_derivative(f, p, n, chunks=alone_chunks, **options)
        spread = stochad.expected_derivative(
            f, p, n, client=client, chunks=cluster_chunks, **options
        )
        assert np.array_equal(spread.samples, alone.samples), (f.__name__, options)


def fails_sometimes(p):
    x = stochad.bernoulli(p)
    if stochad.value(x) == 1:
        raise ZeroDivisionError("a sample hit the bad branch")
    return x


def test_an_error_on_a_worker_is_raised_here_with_the_workers_traceback(client):
    with pytest.raises(ZeroDivisionError, match="a sample hit the bad branch") as info:
        stochad.expected_derivative(fails_sometimes, 0.5, 40, rng=0, client=client)
    frames = [frame.name for frame in traceback.extract_tb(info.value.__traceback__)]
    # the frames of the worker: the chunk runner, the sample, and f itself
    assert {"run_blocks", "_sample_block", "fails_sometimes"} <= set(frames), frames
    # the single-process run raises the same error
    with pytest.raises(ZeroDivisionError, match="a sample hit the bad branch"):
        stochad.expected_derivative(fails_sometimes, 0.5, 40, rng=0)


def test_an_unpicklable_program_gets_an_error_naming_it(client):
    lock = threading.Lock()

    def guarded_program(p):
        with lock:
            return stochad.bernoulli(p)

    with pytest.raises(TypeError) as info:
        stochad.expected_derivative(guarded_program, 0.5, 10, rng=0, client=client)
    text = str(info.value)
    assert "guarded_program cannot be sent to the workers" in text
    assert "_thread.lock" in text


def slow_walk(p):
    time.sleep(0.02)  # about 2 s of work in all, so that the kill lands mid-run
    return walk(p)


def test_a_worker_killed_mid_run_is_replaced_and_the_numbers_stay_the_same(client):
    alone = stochad.expected_derivative(slow_walk, 0.5, 120, rng=9)
    pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    killed = []

    def kill():
        os.kill(victim, signal.SIGKILL)
        killed.append(time.monotonic())

    timer = threading.Timer(0.8, kill)
    timer.start()
    spread = stochad.expected_derivative(slow_walk, 0.5, 120, rng=9, client=client, chunks=4)
    finished = time.monotonic()
    timer.join()
    assert killed and killed[0] < finished, "the worker was not killed during the run"
    assert np.array_equal(spread.samples, alone.samples)
    client.wait_for_workers(2, timeout=120)  # the nanny restarts it; leave 2 for others
    assert victim not in client.run(os.getpid).values()
