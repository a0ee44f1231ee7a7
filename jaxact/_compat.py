"""What differs between the JAX releases jaxact supports (jax ≥ 0.7.2): one place."""

from __future__ import annotations

import jax

#: ``jax.enable_x64`` (a context manager) is public from jax 0.8; before, it is
#: ``jax.experimental.enable_x64``.
enable_x64 = getattr(jax, "enable_x64", None)
if enable_x64 is None:  # pragma: no cover - jax < 0.8
    from jax.experimental import enable_x64
