"""What every public activation does before its closed forms: check x and the parameters
(a clear error that names the problem, at trace time), name x for the checkpoint policy,
and bind the derivative tower (``evaluate``)."""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np
from jax.ad_checkpoint import checkpoint_name
from jax.experimental import jet

from jaxact._jax_internals import name_p

if TYPE_CHECKING:
    from jaxact._tower import Tower

Array = jax.Array


def check_input(x: object, fn: str, *, keep_int: bool = False) -> Array:
    """Returns ``x`` as a real floating array (integers promoted unless ``keep_int``)."""
    x = _check_real(x, fn, "x")
    if not jnp.issubdtype(x.dtype, jnp.floating) and not keep_int:
        # A Python int stays weakly typed (as in jax.nn): int·1.0 is a weak float.
        x = x * 1.0 if x.weak_type else x.astype(jax.dtypes.canonicalize_dtype(jnp.float64))
    return x


def check_param(p: object, x: Array, fn: str, name: str) -> Array:
    """Returns parameter ``p`` cast to ``x``'s dtype, after checking it broadcasts to ``x``."""
    p = _check_real(p, fn, name)
    try:
        shape = np.broadcast_shapes(p.shape, x.shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise ValueError(
            f"jaxact.{fn}: {name} of shape {p.shape} does not broadcast to the shape of x, "
            f"{x.shape} (use a scalar, or one value per channel along x's trailing axes)"
        )
    return p.astype(x.dtype)


#: The name every activation gives its input (``jax.ad_checkpoint.checkpoint_name``).
CHECKPOINT_NAME = "jaxact_input"

#: A ``jax.checkpoint`` policy that saves only the activations' inputs: the backward pass
#: recomputes f(x) and f′(x) from them, one tensor per layer (see the README's recipe).
checkpoint_policy = jax.checkpoint_policies.save_only_these_names(CHECKPOINT_NAME)


def _name_jet(primals, series, **params):
    """jet has no rule for checkpoint_name's primitive, an identity: the series pass."""
    (x,), (s,) = primals, series
    return name_p.bind(x, **params), s


jet.jet_rules.setdefault(name_p, _name_jet)


def named_input(x: object, fn: str, *, keep_int: bool = False) -> Array:
    """``x`` checked (:func:`check_input`) and named for :data:`checkpoint_policy`."""
    return checkpoint_name(check_input(x, fn, keep_int=keep_int), CHECKPOINT_NAME)


def evaluate(
    tower: Tower, fn: str, x: object, n: int = 0, m: int = 0, keep_int: bool = False, **params
) -> Array:
    """∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ of activation ``fn`` at ``x``, after checking ``x`` and its parameters."""
    x = named_input(x, fn, keep_int=keep_int and n == m == 0)
    args = [check_param(v, x, fn, name) for name, v in params.items()]
    return tower(n, m)(x, *args)


def _check_real(v: object, fn: str, name: str) -> Array:
    if not isinstance(v, (jax.Array, np.ndarray, np.generic, numbers.Real)):
        raise TypeError(
            f"jaxact.{fn}: {name} must be an array or a real number, got {type(v).__name__}"
        )
    dtype = np.result_type(v) if not hasattr(v, "dtype") else v.dtype
    if dtype == np.bool_ or not (
        jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.integer)
    ):
        raise TypeError(
            f"jaxact.{fn}: {name} must have a real floating or integer dtype, got {dtype}"
        )
    return jnp.asarray(v)
