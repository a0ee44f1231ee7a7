"""The algebraic family: soft_sign and squareplus, built from 1 + |x| and √(x² + b).

Their derivatives of every order have closed forms, evaluated without cancellation:

- soft_sign = x/(1 + |x|): on each side of 0 it is ±(1 − 1/(1 + |x|)), so
  f⁽ⁿ⁾(x) = sₙ·n!/(1 + |x|)ⁿ⁺¹ (n ≥ 1), with sₙ = 1 for x ≤ 0 and (−1)ⁿ⁺¹ for x > 0.
- squareplus = (x + r)/2 with r = √(x² + b) and u = x/r ∈ [−1, 1]: f′ = (1 + u)/2,
  f″ = b/(2r³), and with the Gegenbauer polynomials C_k^λ (the Taylor coefficients of
  (1 − 2ut + t²)^−λ), ∂ᵏ/∂xᵏ (x² + b)^−λ = (−1)ᵏ k! C_k^λ(u)/r^(2λ+k). Hence
  f⁽ⁿ⁾ = (b/2)(−1)ⁿ(n − 2)! C_(n−2)^(3/2)(u)/rⁿ⁺¹ for n ≥ 2, and for m ≥ 1
  ∂ⁿ/∂xⁿ ∂ᵐ/∂bᵐ f = (c_m/2)(−1)ⁿ n! C_n^(m−1/2)(u)/r^(2m−1+n), c_m = ∏ⱼ₌₀..ₘ₋₁ (1/2 − j).
  The polynomials come from their three-term recurrence, run in double length on r and u
  in double length (x² + b, √ and x/r with error-free transformations): near the roots of
  C_k, which crowd towards u = ±1, the recurrence cancels and the rounding of u alone
  would be magnified up to ~30-fold at order 7. The powers of r are applied as successive
  divisions, so nothing overflows or underflows before the result does; beyond |x| = 2⁶⁰,
  r = |x|·√(1 + b/x²) so that x² never overflows. f and f′ need none of this: from r as
  rounded they are within 3 ulp, at about jax.nn's cost (`_squareplus_low`).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jaxact._checks import evaluate
from jaxact._dd import fast_two_sum, two_prod, two_sum
from jaxact._math import sqrt
from jaxact._row import Activation
from jaxact._tower import Array, Tower

# --- soft_sign -------------------------------------------------------------------------


def _divide(y: Array, d: Array, k: int) -> Array:
    """y/dᵏ as (y/d)·r·…·r, r = 1/d: the partial products are monotone, so none overflows
    or underflows before the result does; about k ulp. (XLA folds a chain of divisions
    into one by dᵏ, which overflows; a barrier between them would split the fusion.)"""
    y = y / d
    if k > 1:
        r = 1 / d
        for _ in range(k - 1):
            y = y * r
    return y


def _soft_sign_forms(n: int, m: int, x: Array) -> Array:
    u, du = two_sum(jnp.ones_like(x), jnp.abs(x))  # 1 + |x| = u + du exactly
    if n == 0:
        return jnp.where(jnp.isinf(x), jnp.sign(x), x / u)
    y = _divide(jnp.full_like(x, math.factorial(n)), u, n + 1)  # n!/uⁿ⁺¹
    # 1/(u + du)ⁿ⁺¹ = u⁻ⁿ⁻¹(1 − (n + 1)du/u + O(du²)); du/u is NaN at ±inf.
    y = y - y * jnp.where(jnp.isinf(x), 0, (n + 1) * du / u)
    return y if n % 2 else jnp.where(x > 0, -y, y)


_SOFT_SIGN = Tower(_soft_sign_forms)


@jax.jit
def soft_sign(x: ArrayLike) -> Array:
    r"""Soft sign, with exact derivatives of every order.

    .. math::
        f(x) = \frac{x}{1 + |x|}, \quad f'(x) = \frac{1}{(1 + |x|)^2}, \quad
        f''(x) = \frac{-2\,\mathrm{sign}(x)}{(1 + |x|)^3}, \quad
        f^{(n)}(x) = \frac{\pm n!}{(1 + |x|)^{n+1}}

    Output in (−1, 1). f and f′ are continuous; f″ (and every even order) jumps at 0,
    where the left piece owns the breakpoint: x ≤ 0 takes x/(1 − x), so f″(0) = 2
    (``jax.grad(jax.grad(jax.nn.soft_sign))(0.0)`` is −2, the right piece's). ±inf give ±1
    (``jax.nn.soft_sign`` gives NaN there) and derivatives 0. NaN gives NaN.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `X. Glorot, Y. Bengio, Understanding the difficulty of training deep feedforward
        neural networks, AISTATS 2010 <https://proceedings.mlr.press/v9/glorot10a.html>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.soft_sign(jnp.array([-3.0, 0.0, 1.0, jnp.inf]))
      Array([-0.75,  0.  ,  0.5 ,  1.  ], dtype=float32)
      >>> jax.grad(jax.grad(jaxact.soft_sign))(0.0)
      Array(2., dtype=float32, weak_type=True)
    """
    return evaluate(_SOFT_SIGN, "soft_sign", x)


# --- squareplus ------------------------------------------------------------------------

#: Beyond |x| = 2⁶⁰, r = |x|·√(1 + (b/|x|)/|x|), as x² may overflow (float32 x² > 3.4e38
#: from |x| ≈ 1.8e19); below it x² + b is formed directly (2¹²⁰ fits every wide dtype).
_BIG = 2.0**60


def _root(x: Array, b: Array) -> tuple[Array, Array]:
    """√(x² + b) = r + dr in double length, for |x| ≤ 2⁶⁰: x² + b is formed in double
    length and the square root corrected by one Newton step on the exact residual."""
    p, e = two_prod(x, x)
    s, ds = two_sum(p, b)
    r0 = sqrt(s)
    q, dq = two_prod(r0, r0)
    corr = (((s - q) - dq) + (ds + e)) / (2 * r0)
    r = r0 + corr
    return r, corr - (r - r0)


def _gegenbauer(k: int, lam: float, u: Array, du: Array) -> Array:
    """C_k^λ(u + du) by the recurrence k·C_k = 2u(k + λ − 1)C_(k−1) − (k + 2λ − 2)C_(k−2),
    in double length (its coefficients are integers for λ ∈ ½ + ℕ): near the roots of C_k,
    which crowd towards u = ±1, the recurrence cancels and the rounding of u is magnified."""

    def mul(a, b):  # (double) × (double)
        p, e = two_prod(a[0], b[0])
        return fast_two_sum(p, e + (a[0] * b[1] + a[1] * b[0]))

    def scale(a, c):  # (double) × small integer c
        p, e = two_prod(a[0], jnp.full_like(a[0], c))
        return fast_two_sum(p, e + a[1] * c)

    def sub(a, b):
        s, e = two_sum(a[0], -b[0])
        return fast_two_sum(s, e + (a[1] - b[1]))

    def div(a, j):  # (double) / small integer j
        q = a[0] / j
        p, e = two_prod(q, jnp.full_like(q, j))
        return fast_two_sum(q, (((a[0] - p) - e) + a[1]) / j)

    uu = (u, du)
    c0, c1 = (jnp.ones_like(u), jnp.zeros_like(u)), scale(uu, 2 * lam)
    if k == 0:
        return c0[0]
    for j in range(2, k + 1):
        t = scale(mul(c1, uu), 2 * (j + lam - 1))
        c0, c1 = c1, div(sub(t, scale(c0, j + 2 * lam - 2)), j)
    return c1[0] + c1[1]


def _squareplus_low(n: int, x: Array, b: Array) -> Array:
    """f and f′ from r = √(x² + b) as rounded (x² and the sum each to half an ulp, so r to
    about 1 ulp): neither cancels, and f, f′ are within 3 ulp (bounds 4 and 4) with none of
    the double-length arithmetic the higher orders need.

    Beyond |x| = 2⁶⁰, where x² may overflow, b/x² is below 2⁻⁶⁰ once b ≤ 2⁶⁰ and drops
    out: f = x or b/(4|x|), f′ = 1 or b/(4x²). A larger b is brought below 2⁶⁰ first by
    f(x, b) = 2ᵏf(2⁻ᵏx, 4⁻ᵏb), f′(x, b) = f′(2⁻ᵏx, 4⁻ᵏb) (exact scalings). One square
    root and one division: f and a gradient are each one loop on XLA:CPU."""
    k = jnp.where(b > 2.0**60, (jnp.frexp(b)[1] - 59) // 2, 0)  # b·4⁻ᵏ ≤ 2⁶⁰
    x = x * jnp.ldexp(jnp.ones_like(b), -k)
    b = jnp.ldexp(b, -2 * k)
    a = jnp.abs(x)
    big = a > _BIG
    q = x * x + b
    r = sqrt(q)
    if n == 0:  # x ≤ 0: b/(2(r + |x|)) without cancellation
        pos = jnp.where(big, x, 0.5 * x + 0.5 * r)
        f = jnp.where(x > 0, pos, (0.25 * b) / jnp.where(big, a, 0.5 * (r + a)))
        return f * jnp.ldexp(jnp.ones_like(b), k)
    # With s = |x|·r: x ≥ 0, (1 + x/r)/2 = (q + s)/(2q); x < 0, (1 + x/r)/2 = b/(2(q + s)),
    # which does not cancel. One division, and r's only use is s: with x/r beside s (XLA
    # rewrites it as x·rsqrt(q)), XLA:CPU does not fuse a gradient's x + (−0 unless t is NaN)
    # into this loop, and the gradient cost two passes (1.9–2.1× jax.nn's time; now 1.1–1.3×).
    # Beyond 2⁶⁰: 1, or b/(4x²) = b/(4(|x|c)²)·c·c, c a power of two (no overflow).
    neg = x < 0
    c = jnp.where(big & neg, 2.0 ** (-514 if x.dtype == jnp.float64 else -66), 1.0)
    c = c.astype(x.dtype)
    s = a * r
    num = jnp.where(neg, b, jnp.where(big, 1.0, q + s))
    den = jnp.where(big, jnp.where(neg, 4 * (a * c) * (a * c), 1.0), 2 * jnp.where(neg, q + s, q))
    return num / den * c * c


def _squareplus_forms(n: int, m: int, x: Array, b: Array) -> Array:
    if m == 0 and n <= 1:
        return _squareplus_low(n, x, b)
    a = jnp.abs(x)
    big = a > _BIG
    ab = jnp.where(big, a, 1)
    xs = jnp.where(big, 0, x)  # keeps the double-length arithmetic finite
    r_near, dr = _root(xs, b)
    r = jnp.where(big, a * sqrt(1 + b / ab / ab), r_near)
    dr = jnp.where(big, 0, dr)  # r + dr = √(x² + b) to about 2⁻⁴⁸ relative (float32)
    # u = x/(r + dr), corrected to about half an ulp with the exact residual x − u₀r: its
    # error is magnified near the roots of the Gegenbauer polynomials.
    u0 = jnp.where(jnp.isinf(x), jnp.sign(x), x / r)
    pu, eu = two_prod(jnp.where(big, 0, u0), jnp.where(big, 1, r))
    u, du = fast_two_sum(u0, jnp.where(big, 0, (((xs - pu) - eu) - u0 * dr) / r))
    if m == 0:  # (b/2)·∂ⁿ⁻²(x² + b)^(−3/2)
        k, lam, coef, powers = n - 2, 1.5, 0.5 * b, n + 1
    else:  # (c_m/2)·∂ⁿ(x² + b)^(1/2 − m)
        c_m = math.prod(0.5 - j for j in range(m))
        k, lam, coef, powers = n, m - 0.5, 0.5 * c_m, 2 * m - 1 + n
    scale = (-1) ** k * math.factorial(k)
    # y/(r + dr)ᵖ = (y/rᵖ)(1 − p·dr/r + O(dr²))
    y = _divide(coef * scale * _gegenbauer(k, lam, u, du), r, powers)
    y = y - y * (powers * dr / r)
    if k % 2 == 0:
        return y
    # Odd C_k(u) ≈ C_k′(0)·u for |u| < 2⁻³⁰; taken as C_k′(0)·x/r, since u = x/r underflows
    # for |x| below 2√b times the smallest normal number while the result need not.
    j = (k - 1) // 2
    slope = 2 * lam * (-1) ** j * math.prod(lam + 1 + i for i in range(j)) / math.factorial(j)
    small = jnp.abs(u) < 2.0**-30
    lin = _divide(coef * (scale * slope) * jnp.where(small, x, 0), r, powers + 1)
    return jnp.where(small, lin - lin * ((powers + 1) * dr / r), y)


_SQUAREPLUS = Tower(_squareplus_forms)


@jax.jit
def squareplus(x: ArrayLike, b: ArrayLike = 4) -> Array:
    r"""Squareplus, a smooth ReLU built from a square root, exact at every order in x and b.

    .. math::
        f(x, b) = \frac{x + \sqrt{x^2 + b}}{2}, \quad
        f'(x) = \frac{1}{2}\Big(1 + \frac{x}{r}\Big), \quad
        f''(x) = \frac{b}{2 r^3}, \quad
        \frac{∂f}{∂b} = \frac{1}{4r}, \quad r = \sqrt{x^2 + b}

    Smooth for b > 0 (no kink), output in (0, ∞). For x ≤ 0 the value is b/(2(r − x)) and
    f′ = b/(2r(r − x)) (while x/r < −1/2), which do not cancel: in float32
    ``jax.nn.squareplus`` is 0 from x ≈ −6e3, and its gradient is tens of % off at x = −1e4,
    noise of either sign (±2e-8) beyond. r is formed without overflowing x²: finite up to
    float32's 3.4e38, where ``jax.nn.squareplus`` is inf from |x| ≈ 1.9e19 and its gradient
    NaN. Orders ≥ 3 come from Gegenbauer polynomials in x/r (see the module docstring).
    NaN gives NaN; ±inf give 0 and inf, with derivatives 0 and 1, 0, ….

    Args:
      x: input array; integers are promoted to the default float dtype.
      b: the smoothness b > 0 (f → relu as b → 0), a scalar or an array that broadcasts to
        ``x``'s shape; traced, so a new value never recompiles, and cast to ``x``'s dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `J. T. Barron, Squareplus: A Softplus-Like Algebraic Rectifier, 2021
        <https://arxiv.org/abs/2112.11687>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.squareplus(jnp.array([-1.5, 0.0, 1.5]))
      Array([0.5, 1. , 2. ], dtype=float32)
      >>> jaxact.squareplus(-1e6), jax.nn.squareplus(-1e6)  # the true value is 1e-6
      (Array(1.e-06, dtype=float32, weak_type=True), Array(0., dtype=float32, weak_type=True))
      >>> jax.grad(jaxact.squareplus, argnums=1)(0.0, 4.0)  # ∂f/∂b = 1/(4r)
      Array(0.125, dtype=float32, weak_type=True)
    """
    return evaluate(_SQUAREPLUS, "squareplus", x, b=b)


# --- the rows ----------------------------------------------------------------------------


def _squareplus_definition(mp, x, at, b):
    # (x + r)/2 as x + b/(2(r + x)) or b/(2(r − x)): the same function, no cancellation, and
    # b explicit, so that ∂/∂b resolves even where b is below x²'s precision (|x| = 1e300).
    r = mp.sqrt(x * x + b)
    return x + b / (2 * (r + x)) if at > 0 else b / (2 * (r - x))


ROWS = [
    Activation(
        name="soft_sign",
        fn=soft_sign,
        params=(),
        output_range="(-1, 1)",
        formulas={
            "f": "x/(1 + |x|)",
            "f'": "1/(1 + |x|)²",
            "f''": "-2/(1 + x)³ if x > 0 else 2/(1 - x)³",
        },
        jax_nn=jax.nn.soft_sign,
        tower=_SOFT_SIGN,
        definition=lambda mp, x, at: x / (1 + x) if at > 0 else x / (1 - x),
        switch_points=(0.0,),
    ),
    Activation(
        name="squareplus",
        fn=squareplus,
        params=(("b", 4),),
        output_range="(0, ∞)",
        formulas={
            "f": "(x + r)/2, r = √(x² + b)",
            "f'": "(1 + x/r)/2",
            "f''": "b/(2r³)",
            "∂f/∂b": "1/(4r)",
        },
        jax_nn=jax.nn.squareplus,
        tower=_SQUAREPLUS,
        definition=_squareplus_definition,
        switch_points=(-_BIG, 0.0, _BIG),
        smooth=True,
    ),
]
