"""Double-length arithmetic: a value carried as an unevaluated sum hi + lo.

The one home of jaxact's error-free transformations (the families and the softmax use
nothing else), after SLEEF's dd.h. The FMA decision, made once here: XLA may contract a
product and a sum into an FMA, in one fusion and not in another, so no error term ever
uses a rounded product. ``two_prod`` multiplies bit-mask halves, whose partial products
are exact: a contraction cannot change any of them (tests/test_dd.py checks it on the
backend at hand, against the classic Dekker product that does rely on the rounded p·q).
"""

from __future__ import annotations

from fractions import Fraction

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


def add_to_constant(k: Array | float, b: Array) -> tuple[Array, Array]:
    """(s, e) with s + e = k + b exactly, for a constant k (1 or 2 in the forms) and b ≥ 0
    with s − k exact: fast_two_sum's error term, s behind an optimization barrier, since
    XLA's simplifier folds (k + b) − k to b and so e to 0."""
    s = lax.optimization_barrier(k + b)
    return s, b - (s - k)


def square(s: Array, e: Array) -> Array:
    """(s + e)² as s² + 2se, for a value carried in two parts: squaring s alone doubles its
    rounding (silu′, mish′ and gelu′ at 4.4–5.4 ulp, over their bound of 4, until their
    1 + e^−|x| was carried so)."""
    return s * s + 2 * s * e


def split(x: Array) -> tuple[Array, Array]:
    """x = hi + lo exactly, hi with the upper half of the significand (a bit mask)."""
    if x.dtype == jnp.float64:
        bits, mask = jnp.uint64, np.uint64(0xFFFFFFFFF8000000)  # 26 bits kept
    else:
        bits, mask = jnp.uint32, np.uint32(0xFFFFF000)  # 12 bits kept
    hi = lax.bitcast_convert_type(lax.bitcast_convert_type(x, bits) & mask, x.dtype)
    return hi, x - hi


def two_prod(p: Array, q: Array | float) -> tuple[Array, Array]:
    """(hi, lo) with hi + lo = p·q to a relative 2⁻⁴⁶ (float32) or 2⁻¹⁰³ (float64).

    Dekker's product without the rounded p·q: the four products of bit-mask halves are
    exact (a contraction into an FMA cannot change them), their sum is formed with
    two_sum and fast_two_sum (hi is fl(p·q) or its neighbour), and only lo's last two
    additions round. Where p·q is below 2⁻¹⁰⁰ (float32) or 2⁻⁹⁶⁰ (float64) the smallest
    terms are subnormal, and flushed to zero on CPU.
    """
    q = jnp.asarray(q, p.dtype)
    ph, pl = split(p)
    qh, ql = split(q)
    mid, mid_lo = two_sum(ph * ql, pl * qh)
    hi, lo = fast_two_sum(ph * qh, mid)
    return hi, lo + (mid_lo + pl * ql)


def parts(c: Fraction | tuple[float, float] | float, dtype) -> tuple[float, float]:
    """A constant as (hi, lo) in ``dtype``: hi = c rounded to ``dtype``, lo = the rest
    rounded. ``c`` exact (a Fraction), or already a float64 pair (hi, lo)."""
    exact = sum(map(Fraction, c), Fraction(0)) if isinstance(c, tuple) else Fraction(c)
    hi = float(np.asarray(float(exact), dtype))
    return hi, float(np.asarray(float(exact - Fraction(hi)), dtype))


def traced_parts(c: Fraction | tuple[float, float], dtype) -> tuple[Array, Array]:
    """:func:`parts` as arrays behind an optimization barrier: XLA's simplifier would
    otherwise fold (x − hi) − lo into x − (hi + lo), losing lo."""
    hi, lo = parts(c, dtype)
    return lax.optimization_barrier((jnp.asarray(hi, dtype), jnp.asarray(lo, dtype)))
