"""stochad's benchmark suite: estimator variance, speed and scaling, with stored results.

Run from the repository root::

    python -m benchmarks run variance --quick     # one part, CI-sized
    python -m benchmarks run all                  # everything, the published numbers
    python -m benchmarks plot                     # figures from the stored JSON (matplotlib)

Each part is also a script with ``--help``: ``benchmarks/variance.py``, ``speed.py``,
``scaling.py``, ``batch_overhead.py``, ``reverse_overhead.py``. Results go to
``benchmarks/results/`` as JSON (machine, versions, seeds, every number) and Markdown.
"""

import os
import sys

# One BLAS thread unless the caller chose otherwise, set before numpy loads OpenBLAS (so only
# when numpy is not loaded yet). On this shared 2-core machine OpenBLAS runs matrix products
# above a size threshold on a second thread; when another process holds the other core the
# product waits for it: a 64x100 @ 100x100 product took 16 ms instead of 15 µs, which was the
# jump of the reverse-mode width sweep between widths 50 and 100 (docs/benchmarks.md).
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
