"""Run stochad's Monte Carlo on a dask cluster (the optional extra ``stochad[distributed]``).

The scaling itself needs nothing from this module: pass any ``dask.distributed.Client`` as
``client=`` to :func:`stochad.expected_derivative`, and its chunks of samples run on the
cluster's workers (:mod:`stochad.montecarlo` drives them through ``client.submit`` and
never imports dask, so ``import stochad`` does not either). This module adds what a user
needs around it: a local cluster set up the way stochad runs best, and a clear error when
dask is missing. See docs/distributed.md for a remote scheduler and for reproducing a
cluster run on a laptop.

Examples
--------
>>> import stochad
>>> from stochad.distributed import local_client
>>> with local_client(n_workers=1) as client:                     # doctest: +SKIP
...     r = stochad.expected_derivative(lambda p: 3 * stochad.bernoulli(p), 0.4, 1000,
...                                     rng=0, client=client)
>>> r.samples.tolist() == stochad.expected_derivative(              # doctest: +SKIP
...     lambda p: 3 * stochad.bernoulli(p), 0.4, 1000, rng=0).samples.tolist()
True
"""

from __future__ import annotations

try:
    import distributed
except ImportError as error:  # dask is optional: say which extra brings it
    raise ImportError(
        "stochad.distributed needs dask.distributed, which is not installed: "
        "pip install 'stochad[distributed]' (or pip install 'dask[distributed]')"
    ) from error

__all__ = ["local_client"]


def local_client(
    n_workers: int = 2, *, threads_per_worker: int = 1, **kwargs
) -> distributed.Client:
    """A ``dask.distributed.Client`` of a new local cluster of worker processes.

    One thread per worker process: stochad's scalar path is Python (it holds the GIL),
    so threads would take turns instead of running in parallel; processes scale it. The
    cluster closes with the client (``client.close()`` or a ``with`` block).

    Parameters
    ----------
    n_workers : int
        worker processes, >= 1 (use the machine's cores).
    threads_per_worker : int
        threads in each worker, >= 1.
    **kwargs
        passed on to ``dask.distributed.LocalCluster`` (``memory_limit``, ...); the
        dashboard is off unless ``dashboard_address`` is given.

    Returns
    -------
    dask.distributed.Client

    Raises
    ------
    ValueError
        for ``n_workers`` or ``threads_per_worker`` < 1.

    Notes
    -----
    Start it under ``if __name__ == "__main__":`` in a script: worker processes are
    spawned, and they re-import the main module.

    Examples
    --------
    >>> import stochad
    >>> from stochad.distributed import local_client
    >>> def f(p):
    ...     return 2 * stochad.bernoulli(p)
    >>> with local_client(1) as client:
    ...     remote = stochad.expected_derivative(f, 0.3, 200, rng=0, client=client, chunks=4)
    >>> local = stochad.expected_derivative(f, 0.3, 200, rng=0)
    >>> bool((remote.samples == local.samples).all())   # the same numbers, bit for bit
    True
    """
    for name, value in (("n_workers", n_workers), ("threads_per_worker", threads_per_worker)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {name}={value!r}")
    kwargs.setdefault("dashboard_address", None)
    return distributed.Client(
        n_workers=n_workers, threads_per_worker=threads_per_worker, processes=True, **kwargs
    )
