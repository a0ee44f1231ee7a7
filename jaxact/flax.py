"""PReLU as a flax ``nnx`` module (``pip install "jaxact[flax]"``).

Importing this module imports flax; ``import jaxact`` alone never does.
"""

from __future__ import annotations

try:
    from flax import nnx
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        'jaxact.flax needs flax (nnx): pip install "jaxact[flax]" (or pip install flax)'
    ) from e

import jax.numpy as jnp
from jax.typing import ArrayLike, DTypeLike

from jaxact.activations.piecewise import prelu

__all__ = ["PReLU"]


class PReLU(nnx.Module):
    """Parametric ReLU, f(x) = x for x > 0 and α·x for x ≤ 0, with α learned.

    α is an ``nnx.Param``: a scalar (``num_channels=None``) or one value per channel along
    x's last axis (``num_channels=C``). The forward pass is :func:`jaxact.prelu`, so ∂f/∂α
    (= x for x ≤ 0, 0 for x > 0) and ∂f/∂x are exact.

    Args:
      num_channels: ``None`` for one shared α, or the size of x's last axis.
      alpha_init: the initial α (He et al.: 0.25).
      param_dtype: α's dtype.

    Examples:
      >>> import jax.numpy as jnp
      >>> from jaxact.flax import PReLU
      >>> layer = PReLU(num_channels=2)
      >>> layer(jnp.array([[-1.0, 2.0]]))
      Array([[-0.25,  2.  ]], dtype=float32)
    """

    def __init__(
        self,
        num_channels: int | None = None,
        alpha_init: float = 0.25,
        *,
        param_dtype: DTypeLike = jnp.float32,
    ):
        if num_channels is not None and (not isinstance(num_channels, int) or num_channels < 1):
            raise ValueError(f"PReLU: num_channels must be None or ≥ 1, got {num_channels!r}")
        shape = () if num_channels is None else (num_channels,)
        self.num_channels = num_channels
        self.alpha = nnx.Param(jnp.full(shape, alpha_init, param_dtype))

    def __call__(self, x: ArrayLike) -> jnp.ndarray:
        x = jnp.asarray(x)
        if self.num_channels is not None and (x.ndim == 0 or x.shape[-1] != self.num_channels):
            raise ValueError(
                f"PReLU: x's last axis must have num_channels = {self.num_channels} entries, "
                f"got shape {x.shape}"
            )
        return prelu(x, self.alpha[...])
