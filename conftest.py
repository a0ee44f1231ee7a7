"""Doctest collection: the optional modules are collected only where their library is installed."""

import importlib.util

collect_ignore = [
    f"jaxact/{name}.py" for name in ("flax", "equinox") if importlib.util.find_spec(name) is None
]
