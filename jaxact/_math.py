"""The arithmetic under every form: XLA's most accurate elementary functions, float32's
e^t from one polynomial (``exp_parts``), the constants the tails use, and the two dtype
policies: 16-bit inputs are computed in float32 and rounded once (``compute_dtype``), and a
float32 form may carry a sensitive intermediate in float64 where the backend's float64 is
fast (``fast_float64``, ``wide64``)."""

from __future__ import annotations

import contextlib
import contextvars
import math

import jax
import jax.numpy as jnp
from jax import lax

from jaxact._compat import enable_x64

Array = jax.Array

_HALF = (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16))
_LN2 = 0.6931471805599453
#: e⁻⁴⁰ (e⁻⁸⁰): far tails take e^{x+40}·e⁻⁴⁰, normal where e^x alone would underflow.
_E40 = math.exp(-40)
_E80 = math.exp(-80)


def compute_dtype(dtype) -> jnp.dtype:
    """The dtype to compute in: float32 for 16-bit floats (then rounded once), else ``dtype``."""
    return jnp.dtype(jnp.float32) if dtype in _HALF else jnp.dtype(dtype)


# Every transcendental the forms take from XLA asks for its most accurate implementation
# (``result_accuracy = HIGHEST`` in StableHLO): on XLA:CPU that is the default code anyway
# (identical bits, measured); on TPU the default float32 exp is documented at up to 116 ulp.
# float64's eˣ and eˣ − 1 are jaxact's own (XLA:CPU's are 1.57 and 4.0 ulp off).
_HIGHEST = lax.AccuracyMode.HIGHEST


def exp(x: Array) -> Array:
    """eˣ: XLA's, at its highest accuracy (float32: within 0.94 ulp, measured), but float64's
    own (within 0.97 ulp; XLA's float64 exp is 1.57 ulp off near 0.35)."""
    if x.dtype == jnp.float64:
        return _exp64(x)
    return lax.exp(x, accuracy=_HIGHEST)


# ln 2 = _LN2_HI64 + _LN2_LO64, the first with 32 significant bits: k·_LN2_HI64 is exact.
_LN2_HI64 = 0.6931471803691238
_LN2_LO64 = 1.9082149292705877e-10


def _exp64(x: Array) -> Array:
    """float64 eˣ = 2ᵏ(1 + p): k = round(x/ln 2), r = x − k·ln 2 in [−ln 2/2, ln 2/2] (x − k·hi
    exact), p = r + r²·Σ rʲ/(j + 2)!, j ≤ 11 (truncation < 2⁻⁵⁷); 2ᵏ as two powers of two,
    so that the range ends (overflow above 709.78, subnormal results, flushed on CPU, below
    −708.4) come out of the arithmetic. ±inf give inf and 0, NaN gives NaN."""
    xc = jnp.clip(x, -746.0, 710.0)
    k = jnp.round(xc * (1 / _LN2))
    r = (xc - k * _LN2_HI64) - k * _LN2_LO64
    q = jnp.full_like(r, 1 / math.factorial(13))
    for j in range(12, 1, -1):
        q = 1 / math.factorial(j) + r * q
    p = r + (r * r) * q
    ki = k.astype(jnp.int64)
    s1, s2 = pow2(ki >> 1), pow2(ki - (ki >> 1))
    return (s1 + s1 * p) * s2


def log(x: Array) -> Array:
    """ln x, at XLA's highest accuracy."""
    return lax.log(x, accuracy=_HIGHEST)


def log1p(x: Array) -> Array:
    """ln(1 + x), at XLA's highest accuracy."""
    return lax.log1p(x, accuracy=_HIGHEST)


def tanh(x: Array) -> Array:
    """tanh x, at XLA's highest accuracy (float32 on XLA:CPU: one rational, a few ulp)."""
    return lax.tanh(x, accuracy=_HIGHEST)


def sqrt(x: Array) -> Array:
    """√x, at XLA's highest accuracy."""
    return lax.sqrt(x, accuracy=_HIGHEST)


def expm1(x: Array, exp_x: Array | None = None) -> Array:
    """eˣ − 1, to about 1 ulp; ``exp_x`` is eˣ where the caller has it already.

    XLA's float32 expm1 is off by up to 4.4 ulp near x ≈ ±0.13, its float64 expm1 by up to
    4.0 ulp near x ≈ 1e-6 (this one: 1.4 ulp below ln 2, 2.8 above, measured).
    """
    if x.dtype == jnp.float64:
        # x·Σ xᵏ/(k + 1)!, k ≤ 16, for |x| < ln 2: truncation < 2⁻⁵⁶.
        p = jnp.full_like(x, 1 / math.factorial(17))
        for k in range(15, -1, -1):
            p = 1 / math.factorial(k + 1) + x * p
    else:
        # x(1 + x/2(1 + x/3(1 + … x/10))) for |x| < ln 2: truncation < 2⁻²⁶.
        p = jnp.ones_like(x)
        for k in range(10, 1, -1):
            p = 1 + p * (x * (1.0 / k))
    # Outside, eˣ − 1 loses at most a factor 2 of eˣ's accuracy.
    return jnp.where(jnp.abs(x) < _LN2, x * p, (exp(x) if exp_x is None else exp_x) - 1)


# ln 2 = _LN2_HI + _LN2_LO, _LN2_HI with 15 significant bits: k·_LN2_HI is exact for |k| < 2⁹.
_LN2_HI = 0.693145751953125
_LN2_LO = 1.4286068203094173e-06


def exp_parts(t: Array) -> tuple[Array, Array]:
    """(m, s) with eᵗ = (1 + m)·s for float32 t in [−87, 87]: s = 2ᵏ exact, k = round(t/ln 2),
    and m = e^r − 1 to about 1 ulp of itself, r = t − k·ln 2 in [−ln 2/2, ln 2/2].

    Cheaper than XLA's exp (no special cases: the caller bounds t; NaN gives m NaN), and
    m·s + (s − 1) is eᵗ − 1 without cancellation near t = 0 (s = 1 there), so one
    polynomial serves eᵗ and eᵗ − 1 alike. k·_LN2_HI is exact, so r is contraction-immune.
    """
    k = jnp.round(t * (1 / _LN2))
    r = (t - k * _LN2_HI) - k * _LN2_LO
    return expm1_reduced(r), pow2(k.astype(jnp.int32))


def exp_parts64(t: Array, terms: int = 7) -> tuple[Array, Array]:
    """(m, k) with eᵗ = (1 + m)·2ᵏ for float64 t on a :func:`fast_float64` backend (inside
    :func:`wide64`): k = round(t/ln 2) (a float64 integer) and r = t − k·ln 2 formed in
    float64, so that t's digits beyond float32's count, m = e^r − 1 in float32 (``terms`` of
    :func:`expm1_reduced`). For float32 forms whose exponent's argument is known to float64
    precision (gelu's v, gelu_exact's x²/2)."""
    k = jnp.round(t * (1 / _LN2))
    return expm1_reduced((t - k * _LN2).astype(jnp.float32), terms), k


def expm1_reduced(r: Array, terms: int = 7) -> Array:
    """e^r − 1 for float32 r in [−ln 2/2, ln 2/2], to about an ulp: r·Σ rʲ/(j + 1)!, j ≤
    ``terms`` (7: truncation below 2⁻³⁰ relative; 6: 2⁻²⁶)."""
    q = jnp.full_like(r, 1 / math.factorial(terms + 1))
    for j in range(terms, 0, -1):
        q = 1 / math.factorial(j) + r * q
    return r * q


def pow2(k: Array) -> Array:
    """2ᵏ exactly (its bits): float32 for an int32 k in [−126, 127], float64 for an int64 k
    in [−1022, 1023]."""
    if k.dtype == jnp.int64:
        return lax.bitcast_convert_type((k + 1023) << 52, jnp.float64)
    return lax.bitcast_convert_type((k + 127) << 23, jnp.float32)


# Backends whose float64 arithmetic is fast enough to carry a float32 form's sensitive
# intermediate (an exponent's argument, say) in place of double-length float32 arithmetic:
# CPUs, and GPUs (on GPUs whose float64 rate is low, elementwise work stays memory-bound).
# TPUs have no float64 hardware: their lowering is the default, double-length float32.
FAST_FLOAT64_PLATFORMS = ("cpu", "cuda", "rocm")
_FAST_FLOAT64 = contextvars.ContextVar("jaxact_fast_float64", default=False)


def fast_float64() -> bool:
    """Whether the form being traced is lowered for a backend with fast float64 arithmetic
    (:data:`FAST_FLOAT64_PLATFORMS`). A form may then compute in float64 (inside
    :func:`wide64`) what it would otherwise compute in double-length float32; outside a
    lowering (``Tower.form`` traced directly, say) it is False."""
    return _FAST_FLOAT64.get()


def wide64() -> contextlib.AbstractContextManager:
    """Float64 arithmetic inside a form on a :func:`fast_float64` backend, whatever the
    process's x64 mode (x64 mode is a tracing setting: the lowering sees float64 ops)."""
    return enable_x64(True)
