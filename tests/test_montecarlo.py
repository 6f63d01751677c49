"""The Monte Carlo driver: the seeded sample grid, chunk plans, local and duck-typed clients.

The contract under test: a block's draws depend on the root seed and the block's index
only, so any chunking, and any client that runs the chunks somewhere else, gives the same
results bit for bit. (A real dask cluster is in tests/distributed/.)
"""

from __future__ import annotations

import functools
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stochad
from stochad.montecarlo import block_seed, chunk_bounds, map_blocks, root_seed


def draws(seed, size, scale=1.0):
    """A block: ``size`` uniforms of the block's generator, scaled."""
    return scale * np.random.default_rng(seed).random(size)


def grid(n, block, **kwargs):
    return np.concatenate(map_blocks(draws, n, rng=5, block=block, **kwargs))


def test_an_int_seed_is_the_root_and_blocks_are_its_spawned_children():
    root = root_seed(11)
    assert root.entropy == 11 and root.spawn_key == ()
    children = np.random.SeedSequence(11).spawn(4)
    for j, child in enumerate(children):
        assert np.array_equal(block_seed(root, j).generate_state(4), child.generate_state(4))
    blocks = map_blocks(draws, 4, rng=11)
    assert [b[0] for b in blocks] == [np.random.default_rng(c).random() for c in children]


def test_a_generator_root_advances_the_generator_and_depends_on_its_state_only():
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    first = root_seed(a).generate_state(4)
    assert np.array_equal(first, root_seed(b).generate_state(4))
    assert not np.array_equal(first, root_seed(a).generate_state(4))


def test_none_uses_the_module_generator():
    stochad.seed(8)
    x = np.concatenate(map_blocks(draws, 6, rng=None))
    stochad.seed(8)
    assert np.array_equal(x, np.concatenate(map_blocks(draws, 6, rng=None)))


@pytest.mark.parametrize(
    "rng, error, message",
    [(-1, ValueError, "rng seed must be >= 0"), ("7", TypeError, "rng must be"),
     (True, TypeError, "rng must be")],
)  # fmt: skip
def test_bad_roots_are_refused(rng, error, message):
    with pytest.raises(error, match=message):
        root_seed(rng)


@given(
    n=st.integers(1, 40),
    block=st.integers(1, 6),
    cuts=st.lists(st.integers(1, 8), min_size=1, max_size=12),
)
@settings(max_examples=60, deadline=None)
def test_any_chunking_of_whole_blocks_gives_the_same_samples(n, block, cuts):
    """Chunk sizes drawn as whole blocks (the last chunk takes the rest)."""
    sizes, left = [], n
    for c in cuts:
        if left <= c * block:
            break
        sizes.append(c * block)
        left -= c * block
    sizes.append(left)
    reference = grid(n, block)
    assert reference.shape == (n,)
    assert np.array_equal(grid(n, block, chunks=sizes), reference)
    assert np.array_equal(grid(n, block, chunks=block * cuts[0]), reference)


def test_block_size_changes_the_draws_but_the_first_block_is_a_prefix():
    """Blocks are the unit of seeding: another block size is another (equally valid) grid."""
    assert not np.array_equal(grid(8, 2), grid(8, 4))
    assert np.array_equal(grid(8, 4)[:2], grid(8, 2)[:2])


def test_chunk_bounds():
    assert chunk_bounds(7, 1, None, client=False, progress=False) == [(0, 7)]
    assert chunk_bounds(7, 1, 3, client=False, progress=False) == [(0, 3), (3, 6), (6, 7)]
    assert chunk_bounds(7, 1, [2, 5], client=False, progress=False) == [(0, 2), (2, 7)]
    assert len(chunk_bounds(1000, 1, None, client=True, progress=False)) == 32
    assert len(chunk_bounds(1000, 1, None, client=False, progress=True)) == 100
    assert chunk_bounds(10, 4, None, client=True, progress=False) == [(0, 4), (4, 8), (8, 10)]


@pytest.mark.parametrize(
    "n, block, chunks, message",
    [
        (10, 1, 0, "chunks must be a whole number >= 1, got chunks=0"),
        (10, 1, 2.5, "chunks must be None"),
        (10, 1, [4, 4], "chunks must sum to n=10"),
        (10, 1, [4, -1, 7], r"chunks\[...\] must be a whole number >= 1"),
        (10, 4, 6, "chunks must hold whole blocks of 4 lanes"),
    ],
)
def test_bad_chunks_are_refused_with_the_rule(n, block, chunks, message):
    with pytest.raises(ValueError, match=message):
        chunk_bounds(n, block, chunks, client=False, progress=False)


def test_an_executor_is_a_client():
    """Duck typing: ``submit`` returning futures is all the driver needs."""
    with ThreadPoolExecutor(2) as pool:
        assert np.array_equal(grid(30, 3, client=pool, chunks=6), grid(30, 3))


def failing(seed, size):
    if np.random.default_rng(seed).random() < 2.0:
        raise ZeroDivisionError("a block failed")


def test_an_error_in_a_block_reaches_the_caller():
    with ThreadPoolExecutor(2) as pool, pytest.raises(ZeroDivisionError, match="a block failed"):
        map_blocks(failing, 10, rng=0, client=pool, chunks=2)
    with pytest.raises(ZeroDivisionError, match="a block failed"):
        map_blocks(failing, 10, rng=0)


class Refuses:
    """A client whose submit fails, as dask's does when it cannot pickle the task."""

    def submit(self, fn, *args):
        try:
            raise TypeError("cannot pickle '_thread.lock' object")
        except TypeError as inner:
            raise TypeError("Could not serialize object of type HighLevelGraph") from inner


def my_program(p):
    return p


def test_a_submit_failure_names_the_shipped_function_and_the_root_cause():
    with pytest.raises(TypeError) as info:
        map_blocks(draws, 4, client=Refuses(), shipped=my_program)
    text = str(info.value)
    assert "test_montecarlo.my_program cannot be sent to the workers" in text
    assert "_thread.lock" in text


def test_a_client_without_submit_is_refused():
    with pytest.raises(TypeError, match="client must be a dask.distributed.Client"):
        map_blocks(draws, 4, client=object())


def test_progress_bar_counts_the_samples(capsys):
    pytest.importorskip("tqdm", reason="tqdm (optional) is not installed")
    scaled = functools.partial(draws, scale=2.0)
    x = np.concatenate(map_blocks(scaled, 50, rng=5, progress=True, name="unit"))
    assert np.array_equal(x, 2.0 * grid(50, 1))  # the bar's chunks change nothing
    err = capsys.readouterr().err
    assert "unit" in err and "50/50" in err


def test_progress_without_tqdm_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # `import tqdm` now raises ImportError
    with pytest.raises(ImportError, match="progress=True needs tqdm.*pip install tqdm"):
        map_blocks(draws, 5, progress=True)


def test_progress_bar_with_a_client_counts_the_chunks_as_they_return(capsys):
    pytest.importorskip("tqdm", reason="tqdm (optional) is not installed")
    with ThreadPoolExecutor(2) as pool:
        x = np.concatenate(map_blocks(draws, 30, rng=5, client=pool, chunks=4, progress=True))
    assert np.array_equal(x, grid(30, 1))
    assert "30/30" in capsys.readouterr().err
