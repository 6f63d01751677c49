"""The Monte Carlo driver: a fixed grid of seeded blocks, run in chunks, here or on a cluster.

A Monte Carlo estimate is a mean over independent samples. This module decides where each
sample's randomness comes from and where it runs, so that the two questions are
independent:

* **The sample grid.** ``n`` samples are cut into consecutive *blocks* of ``block``
  samples (the last one may be shorter). Block ``j`` draws from its own generator,
  ``numpy.random.default_rng(root.spawn(n_blocks)[j])`` (computed directly as
  ``SeedSequence(root.entropy, spawn_key=(*root.spawn_key, j))``), where ``root`` is the
  :class:`numpy.random.SeedSequence` of the caller's ``rng`` (:func:`root_seed`). A block
  is the unit of work that runs ``f`` once: one sample (``block=1``) or one vectorized run
  over ``block`` lanes.
* **The chunks.** Consecutive blocks are grouped into chunks, the unit of work sent to a
  worker. A chunk only decides where and when its blocks run, never what they draw, so
  the samples are bit-for-bit the same for any chunking, any number of workers, with or
  without a client, and when a lost worker's chunk is run again elsewhere.

The client is duck-typed: anything with ``submit(fn, *args)`` returning a future with
``result()`` and ``cancel()`` (a ``dask.distributed.Client``; a
``concurrent.futures.Executor`` works too). This module never imports dask, so the layers
below ``stochad.distributed`` (``stochad.api``) can take a client without depending on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral

import numpy as np

from stochad.core.random import as_generator

__all__ = ["root_seed", "block_seed", "chunk_bounds", "run_blocks", "map_blocks"]

DEFAULT_CLIENT_CHUNKS = 32
"""With a client and ``chunks=None``: the blocks are spread over this many chunks (fewer
when there are fewer blocks), enough to keep a few dozen workers busy while the
per-chunk overhead (shipping ``f``, scheduling) stays small against seconds of work."""

PROGRESS_UPDATES = 100
"""Without a client, ``progress=True`` runs the blocks in about this many chunks, one bar
update per chunk (the chunking does not change the numbers)."""


def _whole(name: str, x, low: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, Integral) or x < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {name}={x!r}")
    return int(x)


def root_seed(rng) -> np.random.SeedSequence:
    """The :class:`numpy.random.SeedSequence` at the root of a sample grid.

    Parameters
    ----------
    rng : None, int, numpy.random.Generator or numpy.random.SeedSequence
        an int ``s >= 0`` gives ``SeedSequence(s)`` (so a run is reproduced from the int
        alone); a Generator (``None``: the module generator, see :func:`stochad.seed`)
        gives a SeedSequence of 128 bits drawn from it, which advances it: two calls on
        one generator give independent grids; a SeedSequence is used as it is.

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    ValueError
        for a negative int seed.
    TypeError
        for another type.

    Examples
    --------
    >>> from stochad.montecarlo import root_seed
    >>> root_seed(7).entropy
    7
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, Integral) and not isinstance(rng, bool) and rng >= 0:
        return np.random.SeedSequence(int(rng))
    generator = as_generator(rng)  # the type and sign checks and messages live there
    return np.random.SeedSequence(generator.integers(0, 2**32, size=4).tolist())


def block_seed(root: np.random.SeedSequence, j: int) -> np.random.SeedSequence:
    """Block ``j``'s seed: ``root.spawn(j + 1)[j]`` of a fresh ``root``, computed directly.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.montecarlo import block_seed
    >>> root = np.random.SeedSequence(3)
    >>> direct, spawned = block_seed(root, 2), root.spawn(3)[2]
    >>> bool(np.array_equal(direct.generate_state(4), spawned.generate_state(4)))
    True
    """
    return np.random.SeedSequence(
        root.entropy, spawn_key=(*root.spawn_key, j), pool_size=root.pool_size
    )


def chunk_bounds(n: int, block: int, chunks, *, client: bool, progress: bool) -> list:
    """``[(start, stop), ...]``: consecutive chunks covering the samples ``0 .. n``.

    Parameters
    ----------
    n, block : int
        the number of samples and of samples per block.
    chunks : None, int or sequence of int
        ``None``: one chunk, or :data:`DEFAULT_CLIENT_CHUNKS` chunks of whole blocks with a
        client (:data:`PROGRESS_UPDATES` with a progress bar); an int: samples per chunk
        (the last chunk may be shorter); a sequence: the chunk sizes, summing to ``n``.
        Every chunk but the last must hold whole blocks.
    client, progress : bool
        whether a client runs the chunks, whether a bar shows them.

    Raises
    ------
    ValueError
        for sizes that are not whole numbers >= 1, sizes that do not sum to ``n``, or a
        chunk boundary inside a block.

    Examples
    --------
    >>> from stochad.montecarlo import chunk_bounds
    >>> chunk_bounds(10, 1, 4, client=False, progress=False)
    [(0, 4), (4, 8), (8, 10)]
    >>> chunk_bounds(10, 5, None, client=True, progress=False)
    [(0, 5), (5, 10)]
    """
    n_blocks = -(-n // block)
    if chunks is None:
        parts = DEFAULT_CLIENT_CHUNKS if client else PROGRESS_UPDATES if progress else 1
        per_chunk = -(-n_blocks // min(parts, n_blocks)) * block
        sizes = [per_chunk] * (n // per_chunk) + ([n % per_chunk] if n % per_chunk else [])
    elif isinstance(chunks, Integral) and not isinstance(chunks, bool):
        per_chunk = _whole("chunks", chunks)
        sizes = [per_chunk] * (n // per_chunk) + ([n % per_chunk] if n % per_chunk else [])
    elif isinstance(chunks, Sequence) and not isinstance(chunks, str):
        sizes = [_whole("chunks[...]", c) for c in chunks]
        if sum(sizes) != n:
            raise ValueError(f"chunks must sum to n={n}, got sizes summing to {sum(sizes)}")
    else:
        raise ValueError(
            f"chunks must be None, a whole number >= 1 or a sequence of them, got {chunks!r}"
        )
    bounds, start = [], 0
    for size in sizes:
        bounds.append((start, start + size))
        start += size
    inside = [a for a, _ in bounds if a % block]
    if inside:
        raise ValueError(
            f"chunks must hold whole blocks of {block} lanes (vectorize={block}): a chunk "
            f"starts at sample {inside[0]}; use chunk sizes that are multiples of {block}"
        )
    return bounds


def run_blocks(block_fn: Callable, root: np.random.SeedSequence, block: int, start: int,
               stop: int) -> list:  # fmt: skip
    """The results of the blocks of samples ``start .. stop``: one chunk's work.

    ``block_fn(seed, size)`` runs one block of ``size`` samples on generator
    ``numpy.random.default_rng(seed)``. This is the function a client runs on a worker.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.montecarlo import run_blocks
    >>> root = np.random.SeedSequence(0)
    >>> run_blocks(lambda seed, size: size, root, 4, 0, 10)   # blocks of 4, 4 and 2
    [4, 4, 2]
    >>> def uniforms(seed, size):
    ...     return np.random.default_rng(seed).random(size)
    >>> tail = np.concatenate(run_blocks(uniforms, root, 4, 4, 10))   # a chunk's share
    >>> bool(np.array_equal(tail, np.concatenate(run_blocks(uniforms, root, 4, 0, 10))[4:]))
    True
    """
    return [
        block_fn(block_seed(root, j), min(block, stop - j * block))
        for j in range(start // block, -(-stop // block))
    ]


class _NoBar:
    def update(self, k: int) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(progress: bool, n: int, name: str):
    if not progress:
        return _NoBar()
    try:
        import tqdm  # optional: imported only when a bar is asked for
    except ImportError:
        raise ImportError(
            "progress=True needs tqdm, which is not installed: pip install tqdm "
            "(or the extra 'stochad[training]')"
        ) from None
    return tqdm.tqdm(total=n, desc=name, unit="sample")


def _describe(f) -> str:
    name = getattr(f, "__qualname__", None) or type(f).__name__
    module = getattr(f, "__module__", None)
    return f"{module}.{name}" if module else name


def _causes(error: BaseException) -> str:
    """The messages under a client's serialization error: dask wraps the pickler's
    (cloudpickle's, then plain pickle's) errors in its own."""
    chain, seen = [], {id(error)}
    error = error.__cause__ or error.__context__
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        text = f"{type(error).__name__}: {error}"
        if text not in chain:
            chain.append(text)
        error = error.__cause__ or error.__context__
    return "; ".join(chain) or "no reason given"


def map_blocks(
    block_fn: Callable,
    n: int,
    *,
    rng=None,
    block: int = 1,
    client=None,
    chunks=None,
    progress: bool = False,
    name: str = "samples",
    shipped=None,
) -> list:
    """Run ``block_fn`` on every block of an ``n``-sample grid; the results in grid order.

    Parameters
    ----------
    block_fn : callable
        ``block_fn(seed, size)``: ``size`` samples drawn from
        ``numpy.random.default_rng(seed)``. With a client it is pickled (cloudpickle) and
        run on the workers, so it must be a module-level function or a
        ``functools.partial`` of one over picklable arguments.
    n : int
        samples, >= 1.
    rng : None, int, numpy.random.Generator or numpy.random.SeedSequence
        the grid's root (:func:`root_seed`).
    block : int
        samples per block, >= 1.
    client : None or a client with ``submit``
        e.g. a ``dask.distributed.Client``: the chunks run on its workers.
    chunks : None, int or sequence of int
        see :func:`chunk_bounds`; never changes the results.
    progress : bool
        a tqdm bar counting samples (tqdm needed).
    name : str
        the bar's label.
    shipped : object, optional
        the user's function inside ``block_fn``, named in the error when the client cannot
        pickle the work.

    Returns
    -------
    list
        one ``block_fn`` result per block, block 0 first.

    Raises
    ------
    TypeError
        when the client cannot serialize the work (naming ``shipped``), or for a client
        without ``submit``.
    ImportError
        for ``progress=True`` without tqdm.
    Exception
        whatever ``block_fn`` raises, re-raised here (a dask client attaches the worker's
        traceback); the other chunks are cancelled.

    Examples
    --------
    >>> import numpy as np
    >>> from stochad.montecarlo import map_blocks
    >>> draw = lambda seed, size: np.random.default_rng(seed).random(size)
    >>> a = np.concatenate(map_blocks(draw, 10, rng=0, block=2))
    >>> b = np.concatenate(map_blocks(draw, 10, rng=0, block=2, chunks=[4, 2, 4]))
    >>> bool(np.array_equal(a, b)), a.shape
    (True, (10,))
    """
    n = _whole("n", n)
    block = _whole("block", block)
    if client is not None and not callable(getattr(client, "submit", None)):
        raise TypeError(
            "client must be a dask.distributed.Client (or have submit(fn, *args) returning "
            f"futures), got {type(client).__name__}"
        )
    bounds = chunk_bounds(n, block, chunks, client=client is not None, progress=progress)
    root = root_seed(rng)
    bar = _bar(progress, n, name)
    results: list = []
    try:
        if client is None:
            for start, stop in bounds:
                results.extend(run_blocks(block_fn, root, block, start, stop))
                bar.update(stop - start)
            return results
        futures = []
        try:
            for start, stop in bounds:
                futures.append(client.submit(run_blocks, block_fn, root, block, start, stop))
        except Exception as error:
            _cancel(futures)
            what = _describe(shipped if shipped is not None else block_fn)
            raise TypeError(
                f"{what} cannot be sent to the workers: the client failed to pickle it or "
                f"something it refers to (a closure variable, a global, an argument): "
                f"{type(error).__name__}: {error}; caused by {_causes(error)}. Define it "
                f"at module level with picklable arguments, or run without client="
            ) from error
        try:
            for future, (start, stop) in zip(futures, bounds, strict=True):
                results.extend(future.result())
                bar.update(stop - start)
        except BaseException:
            _cancel(futures)
            raise
        return results
    finally:
        bar.close()


def _cancel(futures) -> None:
    for future in futures:
        future.cancel()
