"""Double-length arithmetic: a value carried as an unevaluated sum hi + lo.

Used by :mod:`jaxact.softmax`. ``two_prod`` never reuses the rounded product p·q: it
multiplies Veltkamp halves (Dekker's algorithm with a bit-mask split), each partial product
exact, so it is correct whether or not XLA contracts a product and a sum into an FMA.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

Array = jax.Array


def two_sum(a: Array, b: Array) -> tuple[Array, Array]:
    """(s, e) with s = fl(a + b) and s + e = a + b exactly (Knuth's TwoSum, any order)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def fast_two_sum(a: Array, b: Array) -> tuple[Array, Array]:
    """(s, e) with s = fl(a + b) and s + e = a + b exactly, for |a| ≥ |b| (or a = 0)."""
    s = a + b
    return s, b - (s - a)


def split(x: Array) -> tuple[Array, Array]:
    """x = hi + lo exactly, hi with the upper half of the significand (a bit mask)."""
    if x.dtype == jnp.float64:
        bits, mask = jnp.uint64, np.uint64(0xFFFFFFFFF8000000)  # 26 bits kept
    else:
        bits, mask = jnp.uint32, np.uint32(0xFFFFF000)  # 12 bits kept
    hi = lax.bitcast_convert_type(lax.bitcast_convert_type(x, bits) & mask, x.dtype)
    return hi, x - hi


def two_prod(p: Array, q: Array) -> tuple[Array, Array]:
    """(hi, lo) with hi + lo = p·q to a relative 2⁻⁴⁶ (float32) or 2⁻¹⁰⁴ (float64).

    hi = ph·qh and the cross terms are exact products of halves: no term is the rounded
    product p·q, so an FMA contraction cannot change the result's meaning.
    """
    ph, pl = split(p)
    qh, ql = split(q)
    return ph * qh, (ph * ql + pl * qh) + pl * ql
