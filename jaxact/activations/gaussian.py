"""The Gaussian family: gelu (the tanh approximation) and gelu_exact (x·Φ(x)).

Both are written so that nothing cancels and nothing overflows, in the tails included:

* ``gelu_exact(x) = x·Φ(x)`` with Φ(−a) = φ(a)·M(a), M the Mills ratio (piecewise
  polynomials on [0, 4], a continued fraction beyond) and φ(x) = e^{−x²/2}/√(2π), where x²
  is split exactly, x² = hi + lo (hi the square of x's upper half), so that e^{−x²/2} is
  e^{−hi/2}·(1 + expm1(−lo/2)) to about an ulp (XLA's erfc rounds x² first: 57 ulp off in
  float32, 486 in float64). Derivatives: f′ = Φ + xφ and, for n ≥ 2,
  f⁽ⁿ⁾ = (−1)ⁿ⁻¹(Heₙ − Heₙ₋₂)(x)·φ(x) (probabilists' Hermite polynomials), the polynomial
  taken as the product Π(x − rᵢ) over its real roots (two parts each), exact next to them.
* ``gelu(x) = x·σ(v)``, v = 2√(2/π)(x + 0.044715x³), never ½x(1 + tanh u), which cancels
  for x < 0. v is carried in two parts (hi + lo): in the tail σ(v) ≈ e^v and an error of one
  ulp in v would cost |v| ulp. Every order composes σ's Taylor coefficients at v
  (:func:`jaxact._series.taylor_coefficients`) with the cubic's Taylor series;
  over |x| ≤ 8.25, where that composition cancels, orders n ≥ 3 are Taylor polynomials of
  f⁽ⁿ⁾·e^{−v} (tabulated at y = −j/2) times e^{−|v|}.

Far out, e^{−x²/2} and e^{−|v|} are taken as e^{S−…}·e^{−S} (the shift exact there), so a
derivative stays a normal number as long as the true value is.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxact._checks import evaluate
from jaxact._dd import add_to_constant, split, square, traced_parts, two_prod, two_sum
from jaxact._math import exp, exp_parts64, expm1, fast_float64, pow2, wide64
from jaxact._row import Activation
from jaxact._series import FAR as _FAR
from jaxact._series import Window, taylor_coefficients
from jaxact._tables.gaussian_roots import GELU_EXACT_ROOTS, GELU_HIGHER_ROOTS, GELU_ROOTS
from jaxact._tables.mills import MILLS32, MILLS64
from jaxact._tower import Array, Tower, branch

# --- exact arithmetic helpers ----------------------------------------------------------

# Exact real constants in two parts, (hi, lo) with hi = the float64 value: the float32
# parts are (float32(hi), float32(hi − float32(hi))).
_A = (1.5957691216057308, -9.96930880911092e-17)  # 2√(2/π) = 4/√(2π)
_B = (0.07135481627260025, -6.175149918155315e-19)  # 2√(2/π)·0.044715
_RS2PI = (0.3989422804014327, -2.49232720227773e-17)  # 1/√(2π)


def _shift(dtype) -> tuple[float, float]:
    """(S, threshold): beyond the threshold e^{−t} is taken as e^{S−t}·e^{−S}.

    float32: from t = 45 (= logistic's _FAR) on: σ⁽ᵏ⁾/k! ≈ e^{−t}/k! must stay normal
    (e^{−79}/7! is not: gelu's 7th derivative was 0 there, 2e7 ulp off).
    """
    return (300.0, 600.0) if dtype == jnp.float64 else (40.0, 45.0)


def _exp_neg(t: Array, t_lo: Array, terms: int = 5) -> tuple[Array, Array]:
    """(E, scale) with E·scale = e^{−(t + t_lo)}, t ≥ 0, |t_lo| < 2⁻⁴; E stays normal.

    S − t is exact where it is used (Sterbenz up to t = 2S; beyond, S is on t's grid).
    e^{−t_lo} − 1 is its series to u^terms/terms! (no second exponential, as expm1 would
    take in float32): 5 terms for gelu_exact, whose x²/2 is split into 12-bit halves in
    float32 (|t_lo| < 2⁻⁴ for |x| ≲ 14.5, where its results are normal; below 2⁻¹⁵ in
    float64), so the rest, u⁶/6!, is below 2⁻³³ and 2⁻¹⁰⁰ relative; 1 term for gelu, whose
    v is carried to 2⁻²⁴ relative in float32 (|t_lo| < 2⁻¹⁶ wherever e^{−t} is not 0) and
    2⁻⁵³ in float64 (< 2⁻⁴⁵), so the rest, u²/2, is below 2⁻³³ and 2⁻⁹¹.
    """
    s, thr = _shift(t.dtype)
    far = t > thr
    e = exp(jnp.where(far, s - t, -t))
    u = -t_lo
    p = jnp.ones_like(u)
    for k in range(terms, 1, -1):
        p = 1 + (u * (1 / k)) * p
    e = e + e * (u * p)
    return e, jnp.where(far, math.exp(-s), 1.0).astype(t.dtype)


#: Within 3/4 (gelu_exact: 1/2) of a root of f′ or f″, f⁽ⁿ⁾ is its Taylor polynomial in
#: d = x − root (roots and coefficients d¹ … d³⁸, gelu_exact d³⁰, in
#: jaxact._tables.gaussian_roots; truncation < 1e-19; float32: the first 24 or 17 terms,
#: < 1e-10), not a difference of nearly equal terms: the cancellation reaches farther in
#: gelu.
_ROOT_WINDOW = {"gelu": Window(3 / 4, 24), "gelu_exact": Window(1 / 2, 17)}
#: gelu⁽ⁿ⁾ (n = 3 … 8) near its roots (odd for odd n: f − x/2 is even).
_HIGHER_WINDOW = {n: Window(1 / 4, 16, parity="odd" if n % 2 else "even") for n in range(3, 9)}
#: gelu′ and gelu″ in float32 on fast_float64 backends (_gelu_derivative_wide, _gelu_second_wide)
_FAST_WINDOW_1 = Window(1 / 8, 6)
_FAST_WINDOW_2 = Window(1 / 8, 7)


# --- gelu_exact --------------------------------------------------------------------------

#: Beyond a = 4, M(a) = 1/(a + 1/(a + 2/(a + 3/(a + …)))), truncated after this many terms
#: (M within 1.0 ulp of mpmath's over [4, 40] in float64, 1.4 in float32; 8 float32 terms
#: give 2.4 ulp at a = 4, 32 float64 terms 2.0).
_CF_TERMS = {"float64": 40, "float32": 10}
_GAUSS_CLIP = 40.0  # beyond, φ(x) and every x-polynomial times it are below 1e-300


def _mills(a: Array) -> Array:
    """M(a) = Φ(−a)/φ(a) for a ≥ 0: below 4, Chebyshev fits on [k, k + 1] as polynomials
    in t = 2(a − k) − 1 (jaxact._tables.mills; the fits' relative error < 1e-18 in float64,
    degree 16, and < 2.5e-10 in float32, degree 9); from 4 on, the continued fraction."""
    f64 = a.dtype == jnp.float64
    table = MILLS64 if f64 else MILLS32
    k = jnp.clip(jnp.floor(a), 0, 3)
    t = 2 * (a - k) - 1
    polys = []
    for coeffs in table:
        p = jnp.zeros_like(a)
        for c in coeffs[::-1]:
            p = c + t * p
        polys.append(p)
    # Nested selects, not jnp.select (an argmax over the stacked conditions: a reduction
    # that XLA writes out as two arrays, outside the elementwise loop).
    near = jnp.where(k == 0, polys[0], jnp.where(k == 1, polys[1], jnp.where(k == 2, *polys[2:])))
    # a ≥ 4: the continued fraction M = 1/(b + 1/(b + 2/(b + 3/(b + …)))), its tail from 2
    # on as one ratio of polynomials (positive coefficients: no cancellation), the last two
    # levels divided out (they damp the ratio's rounding errors 20-fold): 3 divisions, not
    # one per term, and the same accuracy.
    b = jnp.maximum(a, 4.0)
    num, den = _mills_tail(_CF_TERMS["float64" if f64 else "float32"])
    p, q = jnp.zeros_like(a), jnp.zeros_like(a)
    for cp, cq in zip(num[::-1], den[::-1], strict=True):
        p, q = cp + b * p, cq + b * q
    return jnp.where(a < 4, near, 1 / (b + 1 / (b + p / q)))


@functools.cache
def _mills_tail(terms: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Numerator and denominator, as coefficients in b (lowest first, padded to one
    length), of 2/(b + 3/(b + … + terms/b)): the convergents' recurrence Aₖ = b·Aₖ₋₁ +
    aₖ·Aₖ₋₂ (and Bₖ), in integers."""
    a_prev, a_cur, b_prev, b_cur = [1], [0], [0], [1]
    for k in range(2, terms + 1):
        a_prev, a_cur = a_cur, _poly_step(a_cur, a_prev, k)
        b_prev, b_cur = b_cur, _poly_step(b_cur, b_prev, k)
    n = max(len(a_cur), len(b_cur))
    return tuple(float(c) for c in a_cur + [0] * (n - len(a_cur))), tuple(
        float(c) for c in b_cur + [0] * (n - len(b_cur))
    )


def _poly_step(p1: list[int], p2: list[int], k: int) -> list[int]:
    """b·p1 + k·p2, polynomials in b as coefficient lists."""
    out = [0] * max(len(p1) + 1, len(p2))
    for i, c in enumerate(p1):
        out[i + 1] += c
    for i, c in enumerate(p2):
        out[i] += k * c
    return out


def _gauss(x: Array) -> tuple[Array, Array, Array]:
    """(xc, E, scale): x clipped to ±40, and e^{−xc²/2} = E·scale, xc² split exactly."""
    xc = jnp.clip(x, -_GAUSS_CLIP, _GAUSS_CLIP)
    xh, xl = split(xc)
    e, scale = _exp_neg(0.5 * (xh * xh), 0.5 * (xl * (2 * xh + xl)))
    return xc, e, scale


def _times_phi(p: Array, e: Array, scale: Array) -> Array:
    """p·φ(x) from (E, scale) of :func:`_gauss`, 1/√(2π) carried in two parts."""
    hi, lo = traced_parts(_RS2PI, e.dtype)
    pe = p * e
    return (pe * hi + pe * lo) * scale


def _gelu_exact_wide(n: int, x: Array) -> Array:
    """float32 gelu_exact (n = 0) and f′ (n = 1) on fast_float64 backends: e^{−x²/2} from x²
    and its range reduction in float64 (x² is exact there) and a float32 polynomial (about
    0.4 ulp; the float32 form's was 2.2 ulp off at x = −11.7, its far scale e^{−40} itself
    rounded), the Mills ratio in float32 (1.0 ulp), and the products in float64, rounded
    once: f was 4.83 ulp off at −11.70 and f′ 4.16 at −1.66 (bound 4). Beyond |x| = 14.8
    (x²/2 > 110) the float32 result is x or 0 (f), 1 or 0 (f′) whatever e^{−x²/2} is."""
    xc = jnp.clip(x, -_GAUSS_CLIP, _GAUSS_CLIP)
    mills = _mills(jnp.abs(xc))
    with wide64():
        x64 = xc.astype(jnp.float64)
        m, k = exp_parts64(-jnp.minimum(0.5 * (x64 * x64), 110.0))
        phi = ((1 + m.astype(jnp.float64)) * pow2(k.astype(jnp.int64))) * _RS2PI[0]
        mills64 = mills.astype(jnp.float64)
        if n == 0:  # x(1 − φM) for x > 0 (x itself: f(∞) = ∞), xφM below
            y = branch(x, x.astype(jnp.float64) * (1 - phi * mills64), x64 * (phi * mills64))
        else:  # 1 − φ(M − x) for x > 0, φ(M + x) below
            y = branch(x, 1 - phi * (mills64 - x64), phi * (mills64 + x64))
        return y.astype(jnp.float32)


def _gelu_exact_forms(n: int, m: int, x: Array) -> Array:
    if n <= 1 and x.dtype == jnp.float32 and fast_float64():
        y = _gelu_exact_wide(n, x)
        return _ROOT_WINDOW["gelu_exact"].apply(y, x, GELU_EXACT_ROOTS[1]) if n else y
    xc, e, scale = _gauss(x)
    mills = _mills(jnp.abs(xc))
    if n == 0:  # x·Φ(−|x|) for x ≤ 0; x·(1 − Φ(−x)) for x > 0
        return branch(x, x * (1 - _times_phi(mills, e, scale)), _times_phi(xc * mills, e, scale))
    if n == 1:  # Φ + xφ
        d1 = branch(x, 1 - _times_phi(mills - xc, e, scale), _times_phi(mills + xc, e, scale))
        return _ROOT_WINDOW["gelu_exact"].apply(d1, x, GELU_EXACT_ROOTS[1])
    if n == 2:  # (2 − x²)φ, with 2 − x² = (2 − hi) − lo exact near ±√2 (Sterbenz)
        xh, xl = split(xc)
        return _times_phi((2 - xh * xh) - xl * (2 * xh + xl), e, scale)
    roots = _hermite_difference_roots(n)
    if roots is None:  # beyond the root table's reach: the recurrence
        he = [jnp.ones_like(xc), xc]  # Heₖ₊₁ = x·Heₖ − k·Heₖ₋₁
        for k in range(1, n):
            he.append(xc * he[k] - k * he[k - 1])
        p = he[n] - he[n - 2]
    else:  # Heₙ − Heₙ₋₂ = Π(x − rᵢ): each factor exact to an ulp, near its root included
        p = xc if n % 2 else jnp.ones_like(xc)
        for r in roots:
            for sign in (1, -1):
                rh, rl = traced_parts((sign * r[0], sign * r[1]), xc.dtype)
                p = p * ((xc - rh) - rl)
    return _times_phi(p if n % 2 else -p, e, scale)


_HERMITE_ROOTS_MAX = 40  # beyond, the recurrence (numpy's starting roots lose accuracy)


@functools.cache
def _hermite_difference_roots(n: int) -> tuple[tuple[float, float], ...] | None:
    """The positive roots r of Heₙ − Heₙ₋₂ (n ≥ 3) as (hi, lo) float64 pairs, r = hi + lo
    to 2⁻¹⁰⁰ relative; the roots are real and simple, symmetric about 0, and 0 is one for
    odd n. Newton's method in exact integer coefficients with ``decimal`` (no mpmath at run
    time), from numpy's roots. None above ``_HERMITE_ROOTS_MAX``."""
    if n > _HERMITE_ROOTS_MAX:
        return None
    import decimal

    he = [[1], [0, 1]]  # coefficients, lowest first
    for k in range(1, n):
        nxt = [0, *he[k]]
        for i, c in enumerate(he[k - 1]):
            nxt[i] -= k * c
        he.append(nxt)
    coeffs = [a - (he[n - 2][i] if i < len(he[n - 2]) else 0) for i, a in enumerate(he[n])]
    start = sorted(r.real for r in np.roots(coeffs[::-1]) if r.real > 1e-6)
    out = []
    with decimal.localcontext() as ctx:
        ctx.prec = 60
        cs = [decimal.Decimal(c) for c in coeffs]
        for r0 in start:
            r = decimal.Decimal(r0)
            for _ in range(8):
                p = dp = decimal.Decimal(0)
                for c in cs[::-1]:
                    dp = dp * r + p
                    p = p * r + c
                r -= p / dp
            hi = float(r)
            out.append((hi, float(r - decimal.Decimal(hi))))
    assert len(out) == n // 2, (n, out)
    return tuple(out)


def _gelu_exact_half(n: int, m: int, x: Array) -> Array | None:
    """For 16-bit x, gelu_exact itself from XLA's float32 erfc, ½x·erfc(−x/√2), cheaper than
    jax.nn's erf form and relatively accurate in the left tail (a few float32 ulp), down to
    x = −12; below, where erfc nears float32's subnormals although x·Φ(x) is normal (to
    x ≈ −13.2), the asymptotic series −φ(x)(1 − x⁻² + 3x⁻⁴ − 15x⁻⁶) (next term < 2⁻²¹)."""
    if n or m:
        return None
    r = 1 / (x * x)
    tail = -exp(-0.5 * (x * x)) * _RS2PI[0] * (1 - r * (1 - r * (3 - 15 * r)))
    return jnp.where(x < -12, tail, 0.5 * x * jax.lax.erfc(x * -math.sqrt(0.5)))


_GELU_EXACT = Tower(_gelu_exact_forms, half=_gelu_exact_half)


@jax.jit
def gelu_exact(x: ArrayLike) -> Array:
    r"""Exact Gaussian error linear unit, x·Φ(x), with exact derivatives of every order.

    .. math::
        f(x) = x\,Φ(x) = \frac{x}{2}\operatorname{erfc}\!\left(-\frac{x}{\sqrt 2}\right),
        \quad f'(x) = Φ(x) + x\,φ(x), \quad f''(x) = (2 - x^2)\,φ(x)

    with φ(x) = e^{−x²/2}/√(2π). This is ``gelu(x, approximate=False)``. Accurate in the
    negative tail, where f(x) ≈ −φ(x) is tiny: ``jax.nn.gelu(x, approximate=False)`` goes
    through XLA's erfc, whose e^{−x²} rounds x² first (erfc 57 ulp off in float32, 486 in
    float64; the GELU 113 and 1010 ulp), and its second derivative is NaN at x = 3e38.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `D. Hendrycks, K. Gimpel, Gaussian Error Linear Units (GELUs), 2016
        <https://arxiv.org/abs/1606.08415>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.gelu_exact(jnp.array([-1.0, 0.0, 1.0]))
      Array([-0.15865526,  0.        ,  0.8413448 ], dtype=float32)
      >>> jax.grad(jax.grad(jaxact.gelu_exact))(0.0)  # 2φ(0) = √(2/π)
      Array(0.7978846, dtype=float32, weak_type=True)
    """
    y = evaluate(_GELU_EXACT, "gelu_exact", x)
    return y.astype(y.dtype)  # strongly typed even for x = 2.0, as jax.nn.gelu's result


# --- gelu (tanh approximation) --------------------------------------------------------------

_TANH_CLIP = 50.0  # beyond, |v| > 9000: σ(v) is 0 or 1 and every derivative underflows;
# within, v′ⁿ stays finite in float32 for n ≤ 14


def _x_poly64(x: Array, k: int) -> Array:
    """x·(A + k·B·x²) formed in float64 (fast_float64 backends), to about 2⁻⁵⁰ relative."""
    with wide64():
        x64 = x.astype(jnp.float64)
        return x64 * (_A[0] + (k * _B[0]) * (x64 * x64))


def _x_poly(xc: Array, k: int) -> tuple[Array, Array]:
    """x·(A + k·B·x²) in two parts (hi, lo): v for k = 1, x·v′ for k = 3. float32 on a
    fast_float64 backend: formed in float64 (to about 2⁻⁵⁰ relative) and split in two."""
    if xc.dtype == jnp.float32 and fast_float64():
        p = _x_poly64(xc, k)
        with wide64():
            hi = p.astype(jnp.float32)
            return hi, (p - hi.astype(jnp.float64)).astype(jnp.float32)
    ah, al = traced_parts(_A, xc.dtype)
    bh, bl = traced_parts(_B, xc.dtype)
    s, se = two_prod(xc, xc)  # x² = s + se
    r, re = two_prod(s, bh)  # B·x² = r + re + (bh·se + bl·s)
    re = re + (bh * se + bl * s)
    if k != 1:
        r, e = two_sum(r, (k - 1) * r)  # k·r exactly ((k − 1)·r = 2r is exact)
        re = e + k * re
    q, qe = two_sum(ah, r)
    v, ve = two_prod(xc, q)
    return v, ve + xc * (qe + (al + re))


def _cubic(xc: Array) -> tuple[Array, Array]:
    """v = x·(A + B·x²) in two parts (hi, lo)."""
    return _x_poly(xc, 1)


def _x_dv(xc: Array) -> tuple[Array, Array]:
    """x·v′(x) = x·(A + 3B·x²) in two parts (hi, lo)."""
    return _x_poly(xc, 3)


def _exp_neg_wide(x: Array, terms: int) -> tuple[Array, Array, Array]:
    """float32 (E, far, pos) with e^{−|v|} = E·2^{−64 if far}, v = x(A + Bx²) and its range
    reduction formed in float64 (fast_float64 backends): e^{−|v|} = (1 + m)·2ᵏ with
    r = −|v| − k·ln 2 in float64 (v to about 2⁻⁴⁵ absolute, where float32 v would be |v| ulp
    off) and m = e^r − 1 in float32 (``terms`` of its series): no double-length float32
    arithmetic and no second range reduction (XLA's exp). E is within about 0.8 ulp (XLA's
    exp and a correction for v's low part: 1.4). Beyond k = −100 the power of two is taken
    as 2^{k+64} (``far``), so that products with E stay normal as long as they are."""
    v = _x_poly64(x, 1)
    with wide64():
        # e^{−126} = 2^{−182}: k + 64 stays in range
        m, k = exp_parts64(-jnp.minimum(jnp.abs(v), 126.0), terms)
        pos = v > 0
    k = k.astype(jnp.int32)
    far = k < -100
    return pow2(jnp.where(far, k + 64, k)) * (1 + m), far, pos


def _gelu_value_wide(x: Array) -> Array:
    """float32 f = x·σ(v) from :func:`_exp_neg_wide` (fast_float64 backends). Within 3.3
    ulp (float32; 3.9 for the double-length form)."""
    e, far, pos = _exp_neg_wide(x, terms=6)
    xc = jnp.maximum(x, -_TANH_CLIP)  # f(−∞) = −0
    y = xc * (jnp.where(pos, 1, e) / (1 + jnp.where(far, 0, e)))
    return jnp.where(far & ~pos, y * 2.0**-64, y)


def _gelu_derivative_wide(x: Array) -> Array:
    """float32 f′ = σ(v) + x·v′·σ′(v) from :func:`_exp_neg_wide`, its rational part in
    float64 and rounded once (fast_float64 backends): (d + x·v′·z)/d² for v > 0 and
    z(d + x·v′)/d² below, z = e^{−|v|}, d = 1 + z. Near its root, where d + x·v′ cancels
    (z is a float32), the root's Taylor window (1/8 wide, 6 terms: the general form is
    within 2.2 ulp from 0.1 off the root on, 3.2 from 0.06). Within 2.4 ulp (dense sweeps);
    the double-length float32 form was 4.14 ulp off at x = −1.6476 (e^{−|v|} from XLA's
    exp, 1.4 ulp, and six roundings).
    """
    xc = jnp.clip(x, -_TANH_CLIP, _TANH_CLIP)
    e, far, pos = _exp_neg_wide(xc, terms=7)
    xv = _x_poly64(xc, 3)
    with wide64():
        z = e.astype(jnp.float64) * jnp.where(far, 2.0**-64, 1.0)
        d = 1 + z
        value = (jnp.where(pos, d + xv * z, z * (d + xv)) / (d * d)).astype(jnp.float32)
    return _FAST_WINDOW_1.apply(value, x, GELU_ROOTS[1])


def _gelu_second_wide(x: Array) -> Array:
    """float32 f″ = σ′(v)·(2(A + 6Bx²) − sign(v)·x·v′²·(1 − z)/d), σ′ = z/d², from
    :func:`_exp_neg_wide`, in float64 and rounded once (fast_float64 backends). The float32
    form's products round too often where its two terms are comparable (9.2 ulp at x = 2.258,
    8.5 at −8.76; bound 8). Near its roots ±1.4185, where the terms cancel, the roots'
    Taylor windows (``_FAST_WINDOW_2``)."""
    xc = jnp.clip(x, -_TANH_CLIP, _TANH_CLIP)
    e, far, pos = _exp_neg_wide(xc, terms=7)
    with wide64():
        x64 = xc.astype(jnp.float64)
        z = e.astype(jnp.float64) * jnp.where(far, 2.0**-64, 1.0)
        d = 1 + z
        bx2 = _B[0] * (x64 * x64)
        v1 = _A[0] + 3 * bx2
        term = x64 * (v1 * v1) * ((1 - z) / d)
        inner = 2 * (_A[0] + 6 * bx2) - jnp.where(pos, term, -term)
        value = (z / (d * d) * inner).astype(jnp.float32)
    return _FAST_WINDOW_2.apply(value, x, GELU_ROOTS[2])


def _gelu_forms(n: int, m: int, x: Array) -> Array:
    if n <= 2 and x.dtype == jnp.float32 and fast_float64():
        return (_gelu_value_wide, _gelu_derivative_wide, _gelu_second_wide)[n](x)
    xc = jnp.clip(x, -_TANH_CLIP, _TANH_CLIP)
    v, vl = _cubic(xc)
    av, sgn = jnp.abs(v), jnp.sign(v)
    z, scale = _exp_neg(av, sgn * vl, terms=1)  # e^{−|v|} = z·scale
    near = av < _FAR
    zs = z * scale  # e^{−|v|} itself (0 far out); z is unscaled wherever av < _FAR
    d = 1 + zs
    shift, thr = _shift(x.dtype)
    inv_scale = jnp.where(av > thr, math.exp(shift), 1.0).astype(x.dtype)  # 1/scale
    sig = jnp.where(v > 0, inv_scale - z, z)  # σ(v)/scale, far
    sig = jnp.where(near, jnp.where(v > 0, 1, z) / d, sig)
    if n == 0:
        xs = jnp.where(x > _TANH_CLIP, x, xc)  # f(∞) = ∞, f(−∞) = −0
        return jnp.where(v > 0, xs * (sig * scale), (xs * sig) * scale)
    bx2 = traced_parts(_B, x.dtype)[0] * (xc * xc)
    v1 = traced_parts(_A, x.dtype)[0] + 3 * bx2  # v′
    if n in (1, 2):
        # With σ′ = z/d² (d = 1 + z), the fewest roundings: f′ = σ + x·v′·σ′ and
        # f″ = σ′·(2(v′ + x·v″) + x·v′²·(1 − 2σ)), 1 − 2σ = −sign(v)·(1 − z)/d.
        # d = 1 + z is carried in two parts (d + dl exact): its rounding cost f′ 5.4 ulp in
        # float32 (x ≈ −2.6), now 3.7.
        d, dl = add_to_constant(1, zs)
        dd = square(d, dl)
        if n == 1:
            xv, xv_lo = _x_dv(xc)
            # one division for both signs: (d + x·v′·e^{−|v|})/d², z(d + x·v′)/d²·scale
            pos = v > 0
            num = jnp.where(pos, d + ((xv + xv_lo) * zs + dl), z * ((d + xv) + (xv_lo + dl)))
            value = num / dd * jnp.where(pos, 1.0, scale).astype(x.dtype)
            return _ROOT_WINDOW["gelu"].apply(value, x, GELU_ROOTS[1])
        one_m_z = -expm1(-(av + sgn * vl), zs)
        inner = 2 * (traced_parts(_A, x.dtype)[0] + 6 * bx2) - sgn * xc * (v1 * v1) * one_m_z / d
        value = (z / dd * inner) * scale
        if x.dtype == jnp.float64:
            # inner's terms still cancel beyond the window (8.3 ulp at x = 2.263, 0.84 from
            # the root 1.4185; bound 8): g₂'s Taylor table over |x| ≤ 8.25 (within 2.9).
            value = jnp.where(jnp.abs(x) <= _G_REACH, _g_tabulated(2, x, xc, z, scale), value)
        return _ROOT_WINDOW["gelu"].apply(value, x, GELU_ROOTS[2])
    # σ's Taylor coefficients at v, divided by scale: hₖ = σ⁽ᵏ⁾(v)/k!.
    h0 = sgn * (-0.5 * expm1(-(av + sgn * vl), zs)) / d
    h = taylor_coefficients(h0, z / (d * d), n)
    far = [
        jnp.where(v > 0, (-1.0) ** (k + 1), 1.0) * z / float(math.factorial(k))
        for k in range(n + 1)
    ]
    h = [jnp.where(near, h[k], far[k]) for k in range(n + 1)]  # σ⁽ᵏ⁾ = ±e^{−|v|} far out
    # Taylor series of w(t) = v(x + t) − v(x) = v₁t + v₂t² + v₃t³, and of σ(v + w) = Σ cⱼtʲ.
    ah, _ = traced_parts(_A, x.dtype)
    bh, _ = traced_parts(_B, x.dtype)
    w1 = [jnp.zeros_like(xc), ah + 3 * bh * (xc * xc), 3 * bh * xc, jnp.full_like(xc, bh)]
    w1 = (w1 + [jnp.zeros_like(xc)] * n)[: n + 1]
    c = [sig] + [jnp.zeros_like(xc) for _ in range(n)]
    wk = w1
    for k in range(1, n + 1):
        for j in range(k, n + 1):
            c[j] = c[j] + h[k] * wk[j]
        if k < n:
            wk = [
                sum((wk[i] * w1[j - i] for i in range(k, j)), jnp.zeros_like(xc))
                for j in range(n + 1)
            ]
    value = float(math.factorial(n)) * (xc * c[n] + c[n - 1]) * scale
    if n > _G_ORDERS:
        if n % 2:  # f − x/2 is even: near 0, f⁽ⁿ⁾ = f⁽ⁿ⁺¹⁾(0)·x (h₀ ≈ v/4 flushes to 0)
            value = jnp.where(jnp.abs(x) < 2.0**-60, _gelu_even_at_0(n + 1) * x, value)
        return value
    # |x| ≤ 8.25: the Taylor tables of gₙ (the composition above loses up to 70 ulp there,
    # f⁽⁸⁾(4.6): its terms cancel).
    value = jnp.where(jnp.abs(x) <= _G_REACH, _g_tabulated(n, x, xc, z, scale), value)
    if n in GELU_HIGHER_ROOTS:  # near its roots (f − x/2 is even), where the above cancels
        value = _HIGHER_WINDOW[n].apply(value, x, GELU_HIGHER_ROOTS[n])
    return value


#: The Taylor tables of gₙ(y) = f⁽ⁿ⁾(y)·e^{−v(y)} of the tanh GELU: centres y = −j/2,
#: j = 0 … 16 (reach |x| ≤ 8.25), orders 3 ≤ n ≤ 60 (above, the composition alone), and
#: order 2 in float64. gₙ has
#: no exponential factor left (polynomial-like in the tail) and its nearest singularities
#: (those of σ(v)) lie ≥ 2.75 off the real axis: 21 + n/2 terms (float32: 12 + n/2) reach
#: 2⁻⁵⁶ (2⁻²⁸) over |y + j/2| ≤ 1/4. Coefficients: exact series arithmetic in ``decimal``
#: (100 digits), at the first trace of each order.
_G_CENTRES, _G_REACH, _G_ORDERS = 17, 8.25, 60
_PI_DIGITS = "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899863"


def _g_terms(n: int, dtype) -> int:
    return (21 if dtype == jnp.float64 else 12) + n // 2


def _g_tabulated(n: int, x: Array, xc: Array, z: Array, scale: Array) -> Array:
    """f⁽ⁿ⁾(x) = (±1)ⁿ·gₙ(y)·e^{−|v|} for |x| ≤ 8.25, y = −|x| (f − x/2 is even), from the
    Taylor polynomial of gₙ = f⁽ⁿ⁾·e^{−v} at the nearest centre −j/2 (|y + j/2| ≤ 1/4,
    exact); ``z·scale`` is e^{−|v|}."""
    terms = _g_terms(n, x.dtype)
    table = _g_table(n, terms)
    y = -jnp.abs(xc)
    j = jnp.clip(jnp.round(-2 * y), 0, _G_CENTRES - 1)
    dy = y + 0.5 * j
    row = j.astype(jnp.int32)
    p = jnp.zeros_like(xc)
    for k in range(terms - 1, -1, -1):
        p = p * dy + jnp.asarray(table[:, k], x.dtype)[row]
    tab = (p * z) * scale
    return jnp.where(x > 0, -tab, tab) if n % 2 else tab


@functools.cache
def _g_table(n: int, terms: int) -> np.ndarray:
    """Rows j = 0 … 16: the Taylor coefficients G₀ … G_{terms−1} of gₙ at y = −j/2."""
    import decimal

    big = decimal.Decimal
    out = np.zeros((_G_CENTRES, terms))
    top = n + terms
    with decimal.localcontext() as ctx:
        ctx.prec = 100
        a_ = 4 / (2 * big(_PI_DIGITS)).sqrt()  # v = A·y + B·y³
        b_ = a_ * big("0.044715")
        for j in range(_G_CENTRES):
            c = -big(j) / 2
            w = [a_ + 3 * b_ * c * c, 3 * b_ * c, b_]  # v(c + t) − v(c) = w₀t + w₁t² + w₂t³
            e = [(-(a_ * c + b_ * c**3)).exp()]  # e^{−v(c + t)}
            for m in range(top):
                s = w[0] * e[m]
                if m >= 1:
                    s += 2 * w[1] * e[m - 1]
                if m >= 2:
                    s += 3 * w[2] * e[m - 2]
                e.append(-s / (m + 1))
            r = [1 / (1 + e[0])]  # σ(v(c + t)) = 1/(1 + e^{−v(c + t)})
            for m in range(1, top + 1):
                r.append(-sum(e[i] * r[m - i] for i in range(1, m + 1)) / (1 + e[0]))
            a = [c * r[0]] + [c * r[m] + r[m - 1] for m in range(1, top + 1)]  # f = (c + t)σ
            b = [a[n + i] * math.factorial(n + i) / math.factorial(i) for i in range(terms)]
            g = [sum(b[i] * e[k - i] for i in range(k + 1)) for k in range(terms)]
            if j == 0 and n % 2:
                g[0] = big(0)  # f⁽ⁿ⁾(0) = 0 for odd n ≥ 3, exactly
            out[j] = [float(v) for v in g]
    return out


@functools.cache
def _gelu_even_at_0(m: int) -> float:
    """f⁽ᵐ⁾(0) of the tanh GELU: m!·cₘ₋₁, from σ's Taylor coefficients at 0 and v = At + Bt³."""
    h = taylor_coefficients(0.0, 0.25, m)
    w1 = [0.0, _A[0], 0.0, _B[0]] + [0.0] * m
    c, wk = [0.0] * m, w1[:m]
    for k in range(1, m):
        for j in range(k, m):
            c[j] += h[k] * wk[j]
        wk = [sum(wk[i] * w1[j - i] for i in range(k, j)) for j in range(m)]
    return math.factorial(m) * c[m - 1]


def _gelu_half(n: int, m: int, x: Array) -> Array | None:
    """For 16-bit x, f and f′ by their plain float32 formulas, x·σ(v) and σ + x·v′·σ′(v),
    v rounded in float32 (e^{−|v|} taken as e^{40−|v|}·e⁻⁴⁰ beyond |v| = 45, so that it stays
    normal where x·σ(v) is): within a few float32 ulp, but for the ~|v| ulp of v's rounding
    and the cancellation next to f′'s root, both far inside a 16-bit ulp (every 16-bit input
    is checked)."""
    if m or n > 1:
        return None
    xc = jnp.clip(x, -_TANH_CLIP, _TANH_CLIP)
    a, b = _A[0], _B[0]
    x2 = xc * xc
    v = xc * (a + b * x2)
    av = jnp.abs(v)
    far = av > 45
    e = exp(jnp.where(far, 40 - av, -av))  # e^{−|v|}, times e⁴⁰ far out
    scale = jnp.where(far, math.exp(-40), 1.0).astype(x.dtype)
    d = 1 + e * scale
    if n == 0:
        y = jnp.where(v > 0, xc / d, (xc * e) / d * scale)
        return jnp.where(x > _TANH_CLIP, x, y)  # f(∞) = ∞
    xv1 = xc * (a + 3 * b * x2)  # x·v′
    pos = 1 / d + xv1 * (e * scale) / (d * d)
    return jnp.where(v > 0, pos, (e / d + xv1 * e / (d * d)) * scale)  # the scale last


_GELU = Tower(_gelu_forms, half=_gelu_half)


def gelu(x: ArrayLike, approximate: bool = True) -> Array:
    r"""Gaussian error linear unit, with exact derivatives of every order.

    With ``approximate=True`` (the default, as ``jax.nn.gelu``), the tanh approximation

    .. math::
        f(x) = \frac{x}{2}\left(1 + \tanh u\right) = x\,σ(2u), \quad
        u = \sqrt{2/π}\,(x + 0.044715\,x^3),

    evaluated as x·σ(2u), which does not cancel for x < 0 (``jax.nn.gelu``'s ½(1 + tanh u)
    is 0 below x ≈ −4.87 in float32 and its gradient is 0 at x = −10). With
    ``approximate=False``, the exact x·Φ(x): see :func:`gelu_exact`. ``approximate`` is
    read by its truth value, as ``jax.nn.gelu`` reads it (0, None, ``jnp.array(False)``:
    the exact form); it must be concrete, not traced.

    Args:
      x: input array; integers are promoted to the default float dtype.
      approximate: whether to use the tanh approximation (True) or x·Φ(x) (False).

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `D. Hendrycks, K. Gimpel, Gaussian Error Linear Units (GELUs), 2016
        <https://arxiv.org/abs/1606.08415>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.gelu(jnp.array([-1.0, 0.0, 1.0]))
      Array([-0.15880801,  0.        ,  0.841192  ], dtype=float32)
      >>> jax.grad(jaxact.gelu)(-10.0)  # jax.grad(jax.nn.gelu) gives 0 here
      Array(-2.757638e-36, dtype=float32, weak_type=True)
    """
    try:
        approximate = bool(approximate)
    except jax.errors.ConcretizationTypeError:
        raise TypeError(
            "jaxact.gelu: approximate must be a concrete value (it picks the formula), "
            "not a traced one"
        ) from None
    return _gelu_tanh(x) if approximate else gelu_exact(x)


@jax.jit
def _gelu_tanh(x: ArrayLike) -> Array:
    y = evaluate(_GELU, "gelu", x)
    return y.astype(y.dtype)  # strongly typed even for x = 2.0, as jax.nn.gelu's result


def _v_at(target: float) -> float:
    """The x where v(x) = 2√(2/π)(x + 0.044715x³) equals ``target``."""
    return float(
        np.real(next(r for r in np.roots([_B[0], 0, _A[0], -target]) if abs(r.imag) < 1e-9))
    )


# --- the rows ----------------------------------------------------------------------------

ROWS = [
    Activation(
        name="gelu",
        fn=gelu,
        params=(),
        output_range="(-0.17, ∞)",
        formulas={
            "f": "x·σ(v), v = 2√(2/π)(x + 0.044715x³)",
            "f'": "σ(v) + x·v′·σ′(v)",
            "f''": "2v′σ′(v) + x(v″σ′(v) + v′²σ″(v))",
        },
        jax_nn=jax.nn.gelu,
        tower=_GELU,
        definition=lambda mp, x, at: (
            x / (1 + mp.exp(-2 * mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3)))
        ),
        switch_points=tuple(
            sorted(
                s * x
                for s in (-1, 1)
                for x in [_TANH_CLIP, *(_v_at(t) for t in (math.log(2), _FAR, 600.0))]
            )
            + sorted(_ROOT_WINDOW["gelu"].edges(GELU_ROOTS))
            + sorted(_FAST_WINDOW_1.edges({1: GELU_ROOTS[1]}))
            + sorted(_FAST_WINDOW_2.edges({2: GELU_ROOTS[2]}))
            # orders ≥ 3: the Taylor table's cells (|x| = 1/4, 3/4, …, 7.75) and its reach
            + [s * (k / 2 + 0.25) for s in (-1, 1) for k in range(17)]
        ),
        smooth=True,
    ),
    Activation(
        name="gelu_exact",
        fn=gelu_exact,
        params=(),
        output_range="(-0.17, ∞)",
        formulas={"f": "x·Φ(x)", "f'": "Φ(x) + x·φ(x)", "f''": "(2 - x²)·φ(x)"},
        jax_nn=functools.partial(jax.nn.gelu, approximate=False),
        tower=_GELU_EXACT,
        # Beyond |x| = 10⁹ erfc(|x|/√2) < e^(−10¹⁷) (and mpmath's erfc overflows there).
        definition=lambda mp, x, at: (
            x * mp.erfc(-x / mp.sqrt(2)) / 2 if abs(at) < 1e9 else (x if at > 0 else 0 * x)
        ),
        switch_points=tuple(
            sorted(s * x for s in (-1, 1) for x in (1.0, 2.0, 3.0, 4.0, 90**0.5, 1200**0.5, 40.0))
            + sorted(_ROOT_WINDOW["gelu_exact"].edges(GELU_EXACT_ROOTS))
        ),
        smooth=True,
    ),
]
