"""Doctest collection: the optional modules are collected only where their library is installed."""

import importlib.util
import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One test process per core: XLA's own thread pool would oversubscribe the cores
    # (its threads spin while they wait), which slowed some tests tenfold.
    os.environ["XLA_FLAGS"] = " ".join(
        [os.environ.get("XLA_FLAGS", ""), "--xla_cpu_multi_thread_eigen=false"]
    ).strip()

collect_ignore = [
    f"jaxact/{name}.py" for name in ("flax", "equinox") if importlib.util.find_spec(name) is None
]
