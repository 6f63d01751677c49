"""dask is optional: ``import stochad`` never imports it, and its absence is explained.

These run without dask; tests/distributed/test_cluster.py needs it and skips without it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


def test_import_stochad_imports_no_optional_package_and_says_which_extra_brings_dask():
    out = run(
        "import sys, stochad\n"
        "stochad.expected_derivative(stochad.bernoulli, 0.5, 10, rng=0, chunks=3)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('dask', 'distributed', 'cloudpickle', 'tqdm')))\n"
        "sys.modules['distributed'] = None  # now `import distributed` raises ImportError\n"
        "try:\n"
        "    import stochad.distributed\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    assert out.returncode == 0, out.stderr
    imported, message = out.stdout.splitlines()
    assert imported == "[]"
    assert "stochad.distributed needs dask.distributed" in message
    assert "pip install 'stochad[distributed]'" in message


def test_the_cluster_tests_skip_with_a_message_without_dask():
    """What a run without dask reports for tests/distributed/test_cluster.py."""
    code = (
        "import sys, pytest\n"
        "sys.modules['distributed'] = None\n"
        "try:\n"
        "    import tests.distributed.test_cluster\n"
        "except pytest.skip.Exception as skip:\n"
        "    print('SKIPPED:', skip.msg)\n"
    )
    out = run(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("SKIPPED: dask.distributed is not installed")
    assert "pip install 'stochad[distributed]'" in out.stdout
