"""The two JAX internals jaxact's primitives need, reached through public APIs, in one place.

- ``ShapedArray``, the abstract value the primitives' shape rules return:
  ``jax.core.ShapedArray``.
- ``name_p``, the primitive of :func:`jax.ad_checkpoint.checkpoint_name`, which jaxact gives
  the ``jax.experimental.jet`` rule JAX lacks: ``jax.extend.core.primitives.name_p`` from
  jax 0.8.2; on older releases, read off the jaxpr of ``checkpoint_name`` itself.

Should a JAX release move either, importing jaxact fails here with an ImportError naming the
symbol, and ``tests/test_jax_internals.py`` says which one moved.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.ad_checkpoint import checkpoint_name

__all__ = ["ShapedArray", "checkpoint_name_primitive", "name_p"]


def _moved(symbol: str, detail: str) -> ImportError:
    return ImportError(
        f"jaxact needs {symbol}, which jax {jax.__version__} does not provide ({detail}); "
        "please report it at jaxact's issue tracker, with this message"
    )


try:
    from jax.core import ShapedArray
except ImportError as e:  # pragma: no cover - a future jax
    raise _moved("jax.core.ShapedArray", str(e)) from e


def checkpoint_name_primitive():
    """The primitive ``jax.ad_checkpoint.checkpoint_name`` binds, found by tracing it.

    Tracing is abstract (no device is touched, so ``jax.distributed.initialize`` may still
    be called after importing jaxact) and takes about a millisecond.
    """
    spec = jax.ShapeDtypeStruct((), jnp.float32)
    eqns = jax.make_jaxpr(lambda x: checkpoint_name(x, "jaxact"))(spec).jaxpr.eqns
    if len(eqns) != 1:  # pragma: no cover - a future jax
        raise _moved(
            "the primitive of jax.ad_checkpoint.checkpoint_name",
            f"checkpoint_name traces to {len(eqns)} equations, not one",
        )
    return eqns[0].primitive


try:
    from jax.extend.core.primitives import name_p
except ImportError:  # pragma: no cover - jax < 0.8.2
    name_p = checkpoint_name_primitive()
