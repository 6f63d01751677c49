"""stochad's benchmark suite: estimator variance, speed and scaling, with stored results.

Run from the repository root::

    python -m benchmarks run variance --quick     # one part, CI-sized
    python -m benchmarks run all                  # everything, the published numbers
    python -m benchmarks plot                     # figures from the stored JSON (matplotlib)

Each part is also a script with ``--help``: ``benchmarks/variance.py``, ``speed.py``,
``scaling.py``, ``batch_overhead.py``, ``reverse_overhead.py``. Results go to
``benchmarks/results/`` as JSON (machine, versions, seeds, every number) and Markdown.
"""
