"""Collection for the whole repository (testpaths: tests and stochad's doctests)."""

import importlib.util

# stochad.distributed needs the optional dask.distributed: without it, its module (all of
# whose examples need a cluster) is not collected; tests/distributed says why it skips.
collect_ignore = [] if importlib.util.find_spec("distributed") else ["stochad/distributed"]
