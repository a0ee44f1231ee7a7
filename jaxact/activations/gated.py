"""The self-gated activations x·g(x): silu (swish), x·σ(x), and mish, x·tanh(softplus x).

Both rest on σ's series (jaxact._series): silu⁽ⁿ⁾ = x·σ⁽ⁿ⁾ + n·σ⁽ⁿ⁻¹⁾, whose two terms
cancel only near a root of silu⁽ⁿ⁾ (and in the tails at high orders, where a series in
e^−|x| replaces them); mish⁽ⁿ⁾ = n!(x·tₙ + tₙ₋₁) from the Taylor coefficients of
t = tanh(softplus x), with a generated Taylor table over |x| ≤ 5.25 and series in e^−|x|
beyond. Near every root of every order the order is its Taylor polynomial there
(``Window``); far out, (x + n)eˣ on the left (``left_tail``), scaled so that it stays
normal as long as the true value is.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxact._checks import evaluate
from jaxact._dd import add_to_constant, square
from jaxact._math import _E40, _E80, exp, expm1, fast_float64, wide64
from jaxact._row import Activation
from jaxact._series import FAR as _FAR
from jaxact._series import Window, left_tail, sigmoid_derivative, sigmoid_taylor_at_0
from jaxact._series import factorial as _factorial
from jaxact._tables.logistic_roots import (
    MISH_HIGHER_ROOTS,
    MISH_ROOTS,
    SILU_HIGHER_ROOTS,
    SILU_ROOTS,
)
from jaxact._tables.mish_taylor import MISH_TAYLOR
from jaxact._tower import Array, Tower

# --- the windows at the roots of f′ and f″ ---------------------------------------------

#: Near a root r of silu′, silu″, mish′ or mish″ the order is its Taylor polynomial at r
#: (roots and coefficients in jaxact._tables.logistic_roots): the general forms lose the
#: digits that cancel there (up to 150 ulp). 24 terms (14 in float32). The windows' widths
#: are measured: the general forms are within 4.5 ulp at their edges, the polynomials within
#: 2.5 (mish's series converges within ≈ 2.4 of its roots, silu's within 3.9).
_SILU_WINDOW, _MISH_WINDOW = Window(0.6, 14), Window(0.4, 14)


# --- silu (swish) ------------------------------------------------------------------------


def _silu_forms(n: int, m: int, x: Array) -> Array:
    # silu⁽ⁿ⁾ = x·σ⁽ⁿ⁾ + n·σ⁽ⁿ⁻¹⁾. Both terms are O(e^−|x|) in the tails and O(1) or O(x)
    # near 0 with the same sign: the sum cancels only near a root of silu⁽ⁿ⁾. Far out
    # (|x| ≥ 45, σ⁽ᵏ⁾ = ±e^−|x|) it is (x + n)eˣ on the left and ±(x − n)e^−x on the right
    # (n ≥ 2), scaled by e^{∓40} so that it stays normal where e^−|x| alone underflows.
    a = jnp.abs(x)
    xc = jnp.clip(x, -2000.0, 2000.0)
    far_left = x <= -_FAR
    if n == 0:
        # x/(1 + e^−x), jax.nn's arithmetic: within 2.6 ulp (float32; 3.0 in float64, on
        # dense sweeps) wherever e^−x is finite (1.6–1.7× jax.nn's cost from e^−|x| and a
        # select, 1.2–1.4× this way). Beyond −45 the left tail
        # (x·e^{x+40})·e^−40, normal as long as the true value is (e^−x overflows there
        # in float32 from −88.7, where x·eˣ is normal to −91.8).
        e = exp(jnp.where(far_left, xc + 40, -x))
        return jnp.where(far_left, (xc * e) * _E40, x / (1 + e))
    if n == 1:
        # One exponential for every branch: z = e^−|x|, times e⁴⁰ beyond −45, where the
        # left tail is (x + 1)·(e^{x+40})·e^−40 (normal as long as the true value is).
        z = exp(jnp.where(far_left, 40 - jnp.minimum(a, 2000.0), -a))
        tail = left_tail(n, x, z)
        # σ(x)(1 + x·σ(−x)) = (1 + z(1 + x))/(1 + z)² for x > 0 (all terms positive) and
        # z·((1 + x) + z)/(1 + z)² for x ≤ 0: the only cancellation is at silu′'s root,
        # inside its Taylor window. (1 + z)² is formed as 1 + z(2 + z): d·d with d = 1 + z
        # rounded doubles d's rounding (f′ was 4.9 ulp in float32 at x ≈ −4.8, 4.2 in float64).
        num = jnp.where(x > 0, 1 + z * (1 + xc), z * ((1 + xc) + z))
        near = num / (1 + z * (2 + z))
        near = _SILU_WINDOW.apply(near, x, SILU_ROOTS[1])
        return jnp.where(far_left, tail, near)
    if n == 2:
        # σ′(2 + x(1 − 2σ)) = z(2(1 + z) − |x|(1 − z))/(1 + z)³, z = e^−|x|: one bracket,
        # which cancels only at silu″'s roots (inside their windows), not xσ″ + 2σ′, whose
        # terms cancel by half near x = −4 (8.4 ulp at −4.124 in float32, bound 8).
        z = exp(-a)
        near = z * ((2 + 2 * z) - a * -expm1(-a, z)) / (1 + z * (3 + z * (3 + z)))
    else:
        near = xc * sigmoid_derivative(n, x) + n * sigmoid_derivative(n - 1, x)
    xr = jnp.clip(x, 0.0, 2000.0)
    right = ((xr - n) * exp(40 - xr)) * (_E40 if n % 2 else -_E40)
    if n % 2 and n >= 3:
        # silu⁽ⁿ⁾(x) = (n + 1)σ⁽ⁿ⁾(0)·x (1 + O(x²)) for odd n ≥ 3: below |x| = 2⁻¹⁰⁰ take it
        # directly (x·σ⁽ⁿ⁾ and n·σ⁽ⁿ⁻¹⁾ are each subnormal, flushed, where the sum is not).
        slope = (n + 1) * sigmoid_taylor_at_0(n) * _factorial(n)
        near = jnp.where(a < 2.0**-100, slope * x, near)
    if n in SILU_ROOTS:
        near = _SILU_WINDOW.apply(near, x, SILU_ROOTS[n])
    if n in SILU_HIGHER_ROOTS:
        # In the tails x·σ⁽ⁿ⁾ and n·σ⁽ⁿ⁻¹⁾ cancel by up to (|x| + n)/||x| − n| (28 ulp at
        # x = −9.4 for n = 8): from |x| = max(n − 3/2, 7/2) on, the series in z = e^{−|x|}
        # instead; near every root (silu⁽ⁿ⁾ is even or odd with n), its Taylor polynomial.
        near = jnp.where(a >= _silu_series_from(n), _silu_series(n, x), near)
        for window, roots in _silu_windows(n):
            near = window.apply(near, x, roots)
    return jnp.where(a < _FAR, near, jnp.where(x > 0, right, left_tail(n, x)))


def _silu_windows(n: int) -> list[tuple[Window, list]]:
    """[(window, roots)] of silu⁽ⁿ⁾ (n ≥ 3, odd for odd n): 3/8 and 12 float32 terms, as
    σ⁽ⁿ⁾'s, but 3/4 and 16 at silu⁽⁷⁾'s roots beyond 2 (float32 was 18.3 ulp at x = ±3.81,
    0.67 from the root 3.139, over its bound of 18; 3/4 at the root 1.302 would reach where
    28 terms fall short), and 3/4 and 16 at silu‴'s root 3.436 in float32 (12.9 ulp at
    x = ±2.97, 0.47 from it, over its bound of 10; float64 keeps 3/8)."""
    roots, parity = SILU_HIGHER_ROOTS[n], "odd" if n % 2 else "even"
    if n == 3:
        return [(Window(0.75, 16, radius64=0.375, parity=parity), list(roots))]
    if n != 7:
        return [(Window(0.375, 12, parity=parity), list(roots))]
    near0 = [r for r in roots if abs(r[0][0]) < 2]
    far = [r for r in roots if r not in near0]
    return [(Window(0.375, 12, parity=parity), near0), (Window(0.75, 16, parity=parity), far)]


def _silu_series_from(n: int) -> float:
    return max(n - 1.5, 3.5)


def _silu_series(n: int, x: Array) -> Array:
    """silu⁽ⁿ⁾ for |x| ≥ max(n − 3/2, 7/2) (n ≥ 3): with a = |x| and z = e^−a, σ⁽ᵏ⁾(−a) =
    Σⱼ (−1)ʲ⁺¹jᵏzʲ, so silu⁽ⁿ⁾(−a) = z·[(n − a) + Σⱼ≥₂ (−1)ʲ⁺¹jⁿ⁻¹(n − ja)zʲ⁻¹] (n − a exact
    near a = n), and silu⁽ⁿ⁾(a) = (−1)ⁿ silu⁽ⁿ⁾(−a). Terms to j = 16 (float32: 9), whose
    rest is below 2⁻⁵⁴ (2⁻²⁶) of the sum from there on."""
    a = jnp.abs(x)
    z = exp(-a)
    p = jnp.zeros_like(a)
    for j in range(16 if x.dtype == jnp.float64 else 9, 1, -1):
        p = (-1) ** (j + 1) * j ** (n - 1) * (n - j * a) + z * p
    left = z * ((n - a) + z * p)
    return left if n % 2 == 0 else jnp.where(x > 0, -left, left)


_SILU = Tower(_silu_forms, float64_from=4)


@jax.jit
def silu(x: ArrayLike) -> Array:
    r"""SiLU (aka swish), x·σ(x), with exact derivatives of every order.

    .. math::
        f(x) = x σ(x), \quad f'(x) = σ(x) + x σ'(x) = σ(x)(1 + x σ(-x)), \quad
        f^{(n)}(x) = x σ^{(n)}(x) + n σ^{(n-1)}(x)

    Smooth (no special case at x ≤ 0), output in [−0.2785, ∞). ``swish`` is the same
    function. Far out, (x + n)eˣ is evaluated with a scaled exponential: in float64
    ``jax.grad(jax.nn.silu)(-709.0)`` is 0, the true value −5.8e-306.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `S. Elfwing, E. Uchibe, K. Doya, Sigmoid-Weighted Linear Units for Neural Network Function
        Approximation in Reinforcement Learning, 2017 <https://arxiv.org/abs/1702.03118>`_.
      - `P. Ramachandran, B. Zoph, Q. V. Le, Searching for Activation Functions, 2017
        <https://arxiv.org/abs/1710.05941>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.silu(jnp.array([-1.0, 0.0, 1.0]))
      Array([-0.26894143,  0.        ,  0.7310586 ], dtype=float32)
      >>> jax.grad(jaxact.silu)(-90.0)
      Array(-7.292671e-38, dtype=float32, weak_type=True)
    """
    return evaluate(_SILU, "silu", x)


swish = silu


# --- mish --------------------------------------------------------------------------------


def _mish_taylor(n: int, x: Array) -> list[Array]:
    """[t₀, …, tₙ]: Taylor coefficients of t = tanh(softplus(x)) at x, for |x| < _FAR.

    With g = e^−|x|: for x ≤ 0, t = N/D with N = g² + 2g, D = N + 2; for x > 0,
    1 − t = N/D with N = 2g², D = N + 2g + 1 (no cancellation in either tail). t₀, t₁, t₂
    are closed forms; higher coefficients come from the series quotient
    qₖ = (Nₖ − Σⱼ₌₁..ₖ Dⱼqₖ₋ⱼ)/D₀, the series of g(x + ε) being g·(±1)ᵏ/k!.
    """
    left = x <= 0
    g = exp(-jnp.abs(x))
    g2 = g * g
    d0 = jnp.where(left, g2 + 2 * g + 2, 2 * g2 + 2 * g + 1)
    t0 = jnp.where(left, g * (g + 2), 1 + 2 * g) / d0
    t1 = 4 * jnp.where(left, g, g2) * (1 + g) / (d0 * d0)
    if n <= 1:
        return [t0, t1][: n + 1]
    pl = -2 * g2 * g - 3 * g2 + 2 * g + 2
    pr = 2 * g2 * g + 2 * g2 - 3 * g - 2
    t2 = 2 * jnp.where(left, g * pl, g2 * pr) / (d0 * d0 * d0)
    t = [t0, t1, t2]
    if n == 2:
        return t
    c = jnp.where(left, 1.0, -1.0)
    sgn = jnp.where(left, 1.0, -1.0)  # q = t on the left, 1 − t on the right
    q = [None, t1 * sgn, t2 * sgn]
    q[0] = jnp.where(left, t0, 2 * g2 / d0)
    e1, e2 = [g], [g2]  # Taylor coefficients of g and g²
    for k in range(1, n + 1):
        e1.append(e1[-1] * c * (1.0 / k))
        e2.append(e2[-1] * 2 * c * (1.0 / k))
    num = [jnp.where(left, e2[k] + 2 * e1[k], 2 * e2[k]) for k in range(n + 1)]
    den = [None] + [jnp.where(left, num[k], num[k] + 2 * e1[k]) for k in range(1, n + 1)]
    for k in range(3, n + 1):
        s = num[k]
        for j in range(1, k + 1):
            s = s - den[j] * q[k - j]
        q.append(s / d0)
        t.append(q[k] * sgn)
    return t


# Orders n ≥ 3 over |x| ≤ 5.25 come from Taylor polynomials at the 21 centres c = j/2: the
# series quotient loses up to 1e4 ulp there (t⁽⁴⁾(0) = −0.009 is made of terms 100× larger).
# mish⁽ⁿ⁾(c + d) = Σₖ aₙ₊ₖ(n + k)!/k!·dᵏ, |d| ≤ 1/4 (d = x − c is exact); the nearest
# singularity is 2.36 away: the k-th term is ≈ C(n + k, k)·(1/4 / 2.36)ᵏ of the first, so
# 32 terms (16 in float32) reach 2⁻⁶⁰ for n ≤ 9 (n ≤ 25 in float32; above, the series
# quotient). Coefficients aₖ = mish⁽ᵏ⁾(c)/k!, k ≤ 40: jaxact._tables.mish_taylor.


@functools.cache
def _mish_exp_coefficients(n: int, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    """The constants of mish⁽ⁿ⁾ as series in g = e^−|x| (see ``_mish_exp_series``), cut
    where the terms at |x| = 5.25 (the slowest convergence) fall below 2⁻⁶⁴ (float64) or
    2⁻³² (float32) of the largest."""
    size = 80
    b = [Fraction(1), Fraction(-1)]  # 1/(1 + g + g²/2) = Σ bₖgᵏ; t = −Σₖ≥₁ bₖgᵏ (x ≤ 0)
    e = [Fraction(1), Fraction(-2)]  # 1/(1 + 2g + 2g²) = Σ eₖgᵏ; 1 − t = Σₖ≥₂ 2eₖ₋₂gᵏ (x > 0)
    while len(b) < size:
        b.append(-b[-1] - b[-2] / 2)
        e.append(-2 * e[-1] - 2 * e[-2])
    left = [-b[k] * k ** (n - 1) for k in range(1, size)]  # × (kx + n) gᵏ, k ≥ 1
    right = [2 * e[k - 2] * (-k) ** (n - 1) for k in range(2, size)]  # × (kx − n) gᵏ, k ≥ 2
    eps = 2.0**-64 if dtype == "float64" else 2.0**-32
    g = math.exp(-5.25)
    cut = []
    for coeffs, k0 in ((left, 1), (right, 2)):
        terms = [abs(float(c)) * (k0 + j) * 5.25 * g ** (k0 + j) for j, c in enumerate(coeffs)]
        cut.append(1 + max(j for j, t in enumerate(terms) if t > eps * max(terms)))
    k = max(cut)
    return np.array([float(c) for c in left[:k]]), np.array([float(c) for c in right[:k]])


def _mish_exp_series(n: int, x: Array) -> Array:
    """mish⁽ⁿ⁾(x), n ≥ 3, for 5.25 ≤ |x| < 45 as a series in g = e^−|x|.

    For x ≤ 0, t = tanh(softplus x) = (g² + 2g)/(g² + 2g + 2) = Σₖ≥₁ aₖgᵏ (g = eˣ), so
    mish⁽ⁿ⁾ = x·t⁽ⁿ⁾ + n·t⁽ⁿ⁻¹⁾ = Σₖ aₖkⁿ⁻¹(kx + n)gᵏ; for x > 0, 1 − t = Σₖ≥₂ cₖgᵏ
    (g = e^−x) and mish⁽ⁿ⁾ = Σₖ cₖ(−k)ⁿ⁻¹(kx − n)gᵏ. The terms fall by ≈ 200× each (the
    series converge for g < 1/√2), so a few do: the first, (x + n)eˣ or
    (−2)ⁿ(n − 2x)e^−2x, is the far tails' formula, and cancels only at the roots of
    mish⁽ⁿ⁾ (where x + n or n − 2x is computed with one rounding). The leading power of g
    comes from its own exponential (e^x, e^−2x: exact arguments).
    """
    left = x <= 0
    a = jnp.abs(x)
    g = exp(-a)
    lead = exp(jnp.where(left, x, -2 * a))
    cl, cr = _mish_exp_coefficients(n, jnp.dtype(x.dtype).name)
    p = jnp.zeros_like(x)
    for j in range(len(cl) - 1, -1, -1):
        # left: k = j + 1, coefficient cl[j], factor kx + n; right: k = j + 2, kx − n.
        c = jnp.where(left, cl[j], cr[j])
        k = jnp.where(left, float(j + 1), float(j + 2))
        p = p * g + c * (k * x + jnp.where(left, float(n), float(-n)))
    return lead * p


#: mish⁽ⁿ⁾ (n = 3 … 8) near its roots: float32 1/2 and 20 terms (at 3/8 float32 was 60 ulp
#: off at x = 0.156 between two roots of mish⁽⁸⁾), float64 3/8 and all 28 (at 1/2 they fall
#: short).
_MISH_HIGHER_WINDOW = Window(0.5, 20, radius64=0.375)


def _mish_forms(n: int, m: int, x: Array) -> Array:
    # mish⁽ⁿ⁾ = n!(x·tₙ + tₙ₋₁) from the Taylor coefficients of t = tanh(softplus x); far
    # out (|x| ≥ 45): (x + n)eˣ on the left, x, 1 and (−2)ⁿ(n − 2x)e^−2x on the right, the
    # exponentials scaled so they stay normal as long as the true value is. Orders n ≥ 3:
    # Taylor polynomials over |x| ≤ 5.25, series in e^−|x| beyond (the Taylor coefficients'
    # series quotient only for orders above the table's reach).
    a = jnp.abs(x)
    xc = jnp.clip(x, -2000.0, 2000.0)
    xr = jnp.clip(x, 0.0, 2000.0)
    right = ((n - 2 * xr) * exp(80 - 2 * xr)) * ((-2.0) ** n * _E80)
    terms = 32 if x.dtype == jnp.float64 else 16
    wide = n <= 1 and x.dtype == jnp.float32 and fast_float64()
    if n == 0:
        near, right = _mish_wide(0, xc) if wide else x * _mish_taylor(0, xc)[0], x
    elif n in (1, 2):
        # mish′ = t + x·t′ and mish″ = 2t′ + x·t″ over a common denominator: with
        # g = e^−|x| and D = g² + 2g + 2 (x ≤ 0) or 2g² + 2g + 1 (x > 0), the numerators'
        # leading terms are 4(1 + x) and 4 + 2x (x ≤ 0), 2 − 2x (mish″, x > 0): they cancel
        # only at the roots, never between t and x·t′ as the sum does.
        left = xc <= 0
        g = exp(-jnp.abs(xc))
        g2 = g * g
        c, k = jnp.where(left, g2 + 2 * g, 2 * g2 + 2 * g), jnp.where(left, 2.0, 1.0)
        d0 = c + k
        if n == 1 and wide:
            near, right = _mish_wide(1, xc), jnp.ones_like(x)
        elif n == 1:
            t = _mish_taylor(1, xc)
            nl = 4 * (1 + xc) + g * (6 + 4 * xc) + 4 * g2 + g2 * g
            # D = d0 + dl exactly, and D² is formed with dl: d0's rounding, doubled by the
            # square, took mish′ to 4.4 ulp in float64 at x ≈ −11.4 (bound 4).
            d0, dl = add_to_constant(k, c)
            near = jnp.where(left, g * nl / square(d0, dl), t[0] + xc * t[1])
            right = jnp.ones_like(x)
        else:
            nl = (4 + 2 * xc) + g * (8 + 2 * xc) + g2 * (6 - 3 * xc) + g2 * g * (2 - 2 * xc)
            nr = (2 - 2 * xc) + g * (6 - 3 * xc) + g2 * (8 + 2 * xc) + g2 * g * (4 + 2 * xc)
            near = 4 * jnp.where(left, g * nl, g2 * nr) / (d0 * d0 * d0)
        near = _MISH_WINDOW.apply(near, x, MISH_ROOTS[n])
    elif n + terms <= len(MISH_TAYLOR[0]):
        # One polynomial per element: the centre's coefficients are gathered by its index.
        j = jnp.clip(jnp.round(xc * 2), -10, 10)
        d = xc - j * 0.5
        row = (j + 10).astype(jnp.int32)
        p = jnp.zeros_like(x)
        for k in range(terms - 1, -1, -1):
            scale = math.factorial(n + k) / math.factorial(k)
            col = np.array([r[n + k] * scale for r in MISH_TAYLOR])
            p = p * d + jnp.asarray(col, x.dtype)[row]
        xs = jnp.clip(x, -_FAR, _FAR)
        near = jnp.where(a <= 5.25, p, _mish_exp_series(n, xs))
    else:
        t = _mish_taylor(n, xc)
        near = (xc * t[n] + t[n - 1]) * _factorial(n)
    if n in MISH_HIGHER_ROOTS:  # near its roots, where the polynomials and series cancel
        near = _MISH_HIGHER_WINDOW.apply(near, x, MISH_HIGHER_ROOTS[n])
    # e^−2x underflows in float32 beyond x ≈ 43.6: the right tail starts at 22.5 there.
    far_right = _FAR if x.dtype == jnp.float64 else _FAR / 2
    near = jnp.where(x < far_right, near, right)
    return jnp.where(a < _FAR, near, jnp.where(x > 0, right, left_tail(n, x)))


def _mish_wide(n: int, x: Array) -> Array:
    """float32 mish (n = 0) or mish′ (n = 1) on fast_float64 backends: g = e^−|x| from
    float32's exp (within 0.94 ulp), the rational function of g in float64, rounded once.
    mish = x·t with t = N/(N + 2), N = g(g + 2) (x ≤ 0), 1 − t = 2g²/(2g² + 2g + 1)
    (x > 0); mish′ as in _mish_forms for x ≤ 0, ((1 + 2g)D + 4xg²(1 + g))/D² above. The
    float32 forms round too often: 4.3 and 4.6 ulp at x = −5.96 and −0.21 (bound 4)."""
    left = x <= 0
    g32 = exp(-jnp.abs(x))
    with wide64():
        g, x64 = g32.astype(jnp.float64), x.astype(jnp.float64)
        g2 = g * g
        if n == 0:
            nl = g * (g + 2)
            y = x64 * jnp.where(left, nl / (nl + 2), 1 - 2 * g2 / (2 * g2 + 2 * g + 1))
        else:
            d = jnp.where(left, g2 + 2 * g + 2, 2 * g2 + 2 * g + 1)
            nl = g * (4 * (1 + x64) + g * (6 + 4 * x64) + 4 * g2 + g2 * g)
            nr = (1 + 2 * g) * d + 4 * x64 * g2 * (1 + g)
            y = jnp.where(left, nl, nr) / (d * d)
        return y.astype(jnp.float32)


_MISH = Tower(_mish_forms)


@jax.jit
def mish(x: ArrayLike) -> Array:
    r"""Mish, x·tanh(softplus(x)), with exact derivatives of every order.

    .. math::
        f(x) = x \tanh(\log(1 + e^{x})) = x \frac{e^{2x} + 2e^{x}}{e^{2x} + 2e^{x} + 2},
        \quad f^{(n)}(x) = x\,t^{(n)}(x) + n\,t^{(n-1)}(x),\ t = \tanh∘\mathrm{softplus}

    Smooth (no special case at x ≤ 0), output in [−0.3088, ∞). t and its derivatives are
    rational in e^{-|x|} (t = 1 − 2e^{-2x}/(1 + 2e^{-x} + 2e^{-2x}) for x > 0), so nothing
    cancels in either tail; ``jax.nn.mish``'s derivatives lose every digit there.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `D. Misra, Mish: A Self Regularized Non-Monotonic Activation Function, 2019
        <https://arxiv.org/abs/1908.08681>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.mish(jnp.array([-1.0, 0.0, 1.0]))
      Array([-0.30340147,  0.        ,  0.86509836], dtype=float32)
    """
    return evaluate(_MISH, "mish", x)


# --- the rows ----------------------------------------------------------------------------

ROWS = [
    Activation(
        name="silu",
        aliases=("swish",),
        fn=silu,
        params=(),
        output_range="[-0.2785, ∞)",
        formulas={"f": "x·σ(x)", "f'": "σ(x)(1 + x·σ(-x))", "f''": "x·σ''(x) + 2σ'(x)"},
        jax_nn=jax.nn.silu,
        tower=_SILU,
        definition=lambda mp, x, at: x / (1 + mp.exp(-x)),
        switch_points=(
            -_FAR,
            -math.log(2),
            math.log(2),
            _FAR,
            *_SILU_WINDOW.edges(SILU_ROOTS),
        ),
        smooth=True,
    ),
    Activation(
        name="mish",
        fn=mish,
        params=(),
        output_range="[-0.3088, ∞)",
        formulas={
            "f": "x·tanh(softplus(x))",
            "f'": "t + x·t', t = tanh(softplus(x))",
            "f''": "2t' + x·t''",
        },
        jax_nn=jax.nn.mish,
        tower=_MISH,
        definition=lambda mp, x, at: x * mp.tanh(mp.log1p(mp.exp(x))),
        switch_points=(
            -_FAR,
            0.0,
            _FAR / 2,
            _FAR,
            *_MISH_WINDOW.edges(MISH_ROOTS),
            *(k / 2 + 0.25 for k in range(-11, 11)),  # the Taylor table's cells, ±5.25 included
        ),
        smooth=True,
    ),
]
