"""The logistic family: sigmoid, tanh (tanh x = 2σ(2x) − 1), softplus, log_sigmoid, silu,
mish, log1mexp, and glu (a·σ(b)).

Every derivative of σ comes from one recurrence (in jaxact._series). With h = σ − ½ =
½·tanh(x/2), the Riccati equation h′ = ¼ − h² gives the Taylor coefficients hₖ = σ⁽ᵏ⁾/k!
at x:

    h₁ = σ(x)σ(−x),   hₖ₊₁ = −(2h₀hₖ + Σⱼ₌₁..ₖ₋₁ hⱼhₖ₋ⱼ)/(k + 1)   (k ≥ 1),

with h₀ and h₁ evaluated stably from e^−|x| (never ¼ − h₀², which cancels in the tails). In
the tails every term is O(e^−|x|) and the products O(e^−2|x|); near 0 the even orders are
O(x) and so are all the terms that make them: nothing cancels except near a root of σ⁽ⁿ⁾.
The n-th derivative costs one exponential and n²/4 multiply-adds. Far out, where e^−2|x|
is below the dtype's resolution, σ⁽ⁿ⁾ is ±e^−|x| itself, taken directly so that it stays a
normal number as long as the true value is.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

from jaxact._core import (
    _E40,
    _LN2,
    Activation,
    Array,
    Tower,
    check_input,
    compute_dtype,
    evaluate,
    exp,
    exp_parts,
    expm1,
    log,
    log1p,
)
from jaxact._core import tanh as _xla_tanh
from jaxact._series import FAR as _FAR
from jaxact._series import Window, taylor_coefficients
from jaxact._series import factorial as _factorial
from jaxact._tables.logistic_roots import (
    MISH_HIGHER_ROOTS,
    MISH_ROOTS,
    SIGMOID_ROOTS,
    SILU_HIGHER_ROOTS,
    SILU_ROOTS,
)
from jaxact._tables.mish_taylor import MISH_TAYLOR

#: σ⁽ⁿ⁾ (n = 3 … 8) is its Taylor polynomial within a radius of each nonzero root
#: (jaxact._tables.logistic_roots): the recurrence's terms cancel near a root (σ⁽⁷⁾ at
#: x = −0.625 was 18,000 ulp off). 3/8 and 28 terms for orders ≥ 4 (at 1/4, 18.3 ulp
#: remained at −5.03, 0.34 from a root of σ⁽⁷⁾); order 3, which a PINN's training step
#: evaluates on every element, the narrowest window its bound allows. σ⁽ⁿ⁾ is even for odd
#: n, odd for even n.
_SIGMOID_WINDOWS = {
    n: Window(0.2, 9, 18, parity="even")
    if n == 3
    else Window(0.375, 12, parity="odd" if n % 2 == 0 else "even")
    for n in SIGMOID_ROOTS
}


def _sigmoid_windows(value: Array, x: Array, n: int, scale: float = 1.0) -> Array:
    """``value`` (σ⁽ⁿ⁾(x)·scale) near σ⁽ⁿ⁾'s roots."""
    return _SIGMOID_WINDOWS[n].apply(value, x, SIGMOID_ROOTS[n], scale)


def sigmoid_derivative(n: int, x: Array) -> Array:
    """σ⁽ⁿ⁾(x) for any n ≥ 0, from e^−|x| and the recurrence; ±e^−|x| in the far tail."""
    a = jnp.abs(x)
    z = exp(-a)
    d = 1 + z
    if n == 0:
        return jnp.where(x > 0, 1, z) / d
    if n == 1:
        return z / (d * d)
    h0 = jnp.sign(x) * (-0.5 * expm1(-a, z)) / d
    near = taylor_coefficients(h0, z / (d * d), n)[n] * _factorial(n)
    far = z if n % 2 else -jnp.sign(x) * z
    if n % 2 == 0:
        # Even orders are odd functions, σ⁽ⁿ⁾(x) = σ⁽ⁿ⁺¹⁾(0)·x (1 + O(x²)) near 0; below
        # |x| = 2⁻¹⁰⁰ take that directly: h₀ ≈ x/4 is subnormal (flushed) for float32 there.
        slope = _sigmoid_taylor_at_0(n + 1) * _factorial(n + 1)
        near = jnp.where(a < 2.0**-100, slope * x, near)
    if n in SIGMOID_ROOTS:  # near its roots but 0, where the recurrence cancels
        near = _sigmoid_windows(near, x, n)
    return jnp.where(a < _FAR, near, far)


@functools.cache
def _sigmoid_taylor_at_0(k: int) -> float:
    """σ⁽ᵏ⁾(0)/k!, exactly (the recurrence with h₀ = 0, h₁ = ¼, in rationals)."""
    return float(taylor_coefficients(Fraction(0), Fraction(1, 4), k)[k])


def _sigmoid_forms(n: int, m: int, x: Array) -> Array:
    if n == 0:
        # jax.nn's cost: 1/(1 + e^−x) is within 2 ulp wherever σ is normal (e^−x overflows
        # only where σ is subnormal: x < −88.7 in float32, −709.8 in float64). The
        # derivatives' forms, and silu's, use the 1-ulp form above. (σ from e^−|x| would
        # share that exponential in second-order steps, but measured no faster there and
        # 10 % slower as a plain forward pass.)
        return 1 / (1 + exp(-x))
    return sigmoid_derivative(n, x)


_SIGMOID = Tower(_sigmoid_forms)


@jax.jit
def sigmoid(x: ArrayLike) -> Array:
    r"""Logistic sigmoid, with exact derivatives of every order.

    .. math::
        σ(x) = \frac{1}{1 + e^{-x}}, \quad σ'(x) = σ(x)\,(1 - σ(x)),
        \quad σ''(x) = σ'(x)\,(1 - 2σ(x))

    Output in (0, 1). Derivatives are evaluated from e^{-|x|}, so they stay accurate in
    the tails, where σ′(x) ≈ e^{-|x|} (``jax.nn.sigmoid``'s gradient is 0 beyond x ≈ 17).

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `Y. LeCun et al., Efficient BackProp, 1998
        <http://yann.lecun.com/exdb/publis/pdf/lecun-98b.pdf>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.sigmoid(jnp.array([-1.0, 0.0, 1.0]))
      Array([0.26894143, 0.5       , 0.7310586 ], dtype=float32)
      >>> jax.grad(jaxact.sigmoid)(20.0)  # jax.grad(jax.nn.sigmoid) gives 0 here
      Array(2.0611537e-09, dtype=float32, weak_type=True)
    """
    return evaluate(_SIGMOID, "sigmoid", x)


# --- tanh ------------------------------------------------------------------------------


_E80 = math.exp(-80)
# Taylor coefficients of tanh a = a·Σₖ cₖ a²ᵏ; for a < 0.35 each term is < 0.05× the last.
_TANH_TAYLOR = (
    1.0, -0.3333333333333333, 0.13333333333333333, -0.05396825396825397,
    0.021869488536155203, -0.008863235529902197, 0.003592128036572481,
    -0.0014558343870513183, 0.000590027440945586, -0.00023912911424355248,
    9.691537956929451e-05, -3.927832388331683e-05, 1.5918905069328964e-05,
)  # fmt: skip
_TANH_NEAR, _TANH_FAR = 0.35, 20.0


def _tanh_forms(n: int, m: int, x: Array) -> Array:
    # Near 0 (|x| < 0.35) tanh is its Taylor series p. Elsewhere, with u = e^{−2|x|} ≤ 1/2:
    # tanh|x| = (1 − u)/(1 + u) and sech² = 4u/(1 + u)² (well conditioned in u everywhere,
    # so no Taylor branch) — never 1 − tanh², which cancels to 0 in the tails. Far out
    # (|x| ≥ 20) u is e^{80−2|x|}·e^{−80}, 80 − 2|x| being exact there: k·sech² is then
    # k·4e^{−80}·e^{80−2|x|}, a normal number as long as the true value is, although u
    # underflows. Orders n ≥ 2 come from the same recurrence as σ's (tanh′ = 1 − tanh²
    # is Riccati too) from tanh x and sech²x, unscaled so that nothing near 0 becomes
    # subnormal. One exponential for every order, the same one (float32 tanh itself
    # excepted: below); orders 0 and 1, which training evaluates on every element, skip
    # the recurrence.
    a = jnp.abs(x)
    if n == 0 and x.dtype == jnp.float32:
        # float32 tanh itself, as a training step's forward pass needs it: e^{−2|x|} =
        # (1 + m)·s from one polynomial (exp_parts), so that u − 1 = m·s + (s − 1) is accurate
        # down to x = 0 and tanh|x| = −(u − 1)/((u − 1) + 2) needs no Taylor branch: 1.3×
        # jax.nn's cost, where the Taylor branch and XLA's exp cost 2× (within 2.5 ulp, was
        # 2.1). The derivatives keep XLA's exp, which XLA computes once for all of them.
        m_, s_ = exp_parts(-2 * jnp.minimum(a, 10.0))  # tanh(10) rounds to 1
        um1 = m_ * s_ + (s_ - 1)
        return jnp.copysign(-um1 / (um1 + 2), x)
    near, far = a < _TANH_NEAR, a >= _TANH_FAR
    a2 = a * a
    p = jnp.zeros_like(a)
    for c in _TANH_TAYLOR[: 13 if x.dtype == jnp.float64 else 7][::-1]:
        p = c + a2 * p
    p = a * p
    # Every order starts from the same e^{−2|x|} (scaled far out) and the same 1 + u, so
    # that XLA computes them once where a transform needs several orders at one x.
    big = exp(jnp.where(far, 80 - 2 * a, -2 * a))
    u = jnp.where(far, 0.0, big)  # far out u < 2⁻¹¹⁵: 1 ± u rounds to 1
    d = 1 + u
    th = jnp.where(near, p, (1 - u) / d)  # tanh|x|
    if n == 0:
        return jnp.copysign(th, x)
    sech2 = jnp.where(far, 4 * _E80 * big, 4 * u) / (d * d)  # the same quotient for all n
    if n == 1:
        return sech2
    t = jnp.sign(x) * th

    inner = taylor_coefficients(t, jnp.where(near, 1 - p * p, sech2), n)[n] * _factorial(n)
    if n % 2 == 0:
        # Even orders are odd functions, tanh⁽ⁿ⁾(x) = tanh⁽ⁿ⁺¹⁾(0)·x (1 + O(x²)), with
        # tanh⁽ᵏ⁾(0) = 2ᵏ⁺¹σ⁽ᵏ⁾(0). Below |x| = 2⁻¹⁰⁰ take that directly: the even Taylor
        # coefficients are O(x) with factors below 1 (h₄ ≈ 2x/3), subnormal (flushed) near
        # the smallest normal x, and the products made from them vanish.
        slope = 2.0 ** (n + 2) * _sigmoid_taylor_at_0(n + 1) * _factorial(n + 1)
        inner = jnp.where(a < 2.0**-100, slope * x, inner)
    if n in SIGMOID_ROOTS:  # tanh⁽ⁿ⁾(x) = 2ⁿ⁺¹σ⁽ⁿ⁾(2x): σ⁽ⁿ⁾'s Taylor windows at 2x
        inner = _sigmoid_windows(inner, 2 * x, n, 2.0 ** (n + 1))
    # Beyond |x| = 22.5 (σ's far tail at 2x): ±2ⁿ⁺¹e^{−2|x|}, scaled like sech2 above.
    tail = 2.0 ** (n + 1) * _E80 * big
    return jnp.where(a < _FAR / 2, inner, tail if n % 2 else -jnp.sign(x) * tail)


def _tanh_half(n: int, m: int, x: Array) -> Array | None:
    # For 16-bit x, tanh itself is XLA's float32 tanh (within a few float32 ulp, far inside
    # the 2⁻¹² a 16-bit result needs), as cheap as jax.nn's; the derivatives keep their forms.
    return _xla_tanh(x) if n == m == 0 else None


_TANH = Tower(_tanh_forms, half=_tanh_half)


@jax.jit
def tanh(x: ArrayLike) -> Array:
    r"""Hyperbolic tangent, with exact derivatives of every order.

    .. math::
        \tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}, \quad
        \tanh' x = 1 - \tanh^2 x = \operatorname{sech}^2 x, \quad
        \tanh'' x = -2 \tanh x \operatorname{sech}^2 x

    Output in (−1, 1), zero-centred. The derivative is evaluated as sech², not 1 − tanh²,
    so it stays accurate in the tails (``jax.grad(jnp.tanh)`` is 0 beyond |x| ≈ 9).

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `Y. LeCun et al., Efficient BackProp, 1998
        <http://yann.lecun.com/exdb/publis/pdf/lecun-98b.pdf>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.tanh(jnp.array([-1.0, 0.0, 1.0]))
      Array([-0.76159424,  0.        ,  0.76159424], dtype=float32)
      >>> jax.grad(jaxact.tanh)(10.0)  # jax.grad(jnp.tanh) gives 0 here
      Array(8.244615e-09, dtype=float32, weak_type=True)
    """
    return evaluate(_TANH, "tanh", x)


# --- roots of f′ and f″ --------------------------------------------------------------------

#: Near a root r of silu′, silu″, mish′ or mish″ the order is its Taylor polynomial at r
#: (roots and coefficients in jaxact._tables.logistic_roots): the general forms lose the
#: digits that cancel there (up to 150 ulp). 24 terms (14 in float32). The windows' widths
#: are measured: the general forms are within 4.5 ulp at their edges, the polynomials within
#: 2.5 (mish's series converges within ≈ 2.4 of its roots, silu's within 3.9).
_SILU_WINDOW, _MISH_WINDOW = Window(0.6, 14), Window(0.4, 14)


# --- softplus and log_sigmoid ----------------------------------------------------------


def _softplus_forms(n: int, m: int, x: Array) -> Array:
    # max(x, 0) + log1p(e^−|x|): a sum of two non-negative terms; softplus⁽ⁿ⁾ = σ⁽ⁿ⁻¹⁾.
    if n == 0:
        return jnp.maximum(x, 0) + log1p(exp(-jnp.abs(x)))
    return sigmoid_derivative(n - 1, x)


_SOFTPLUS = Tower(_softplus_forms)


@jax.jit
def softplus(x: ArrayLike) -> Array:
    r"""Softplus, log(1 + eˣ), with exact derivatives of every order.

    .. math::
        f(x) = \log(1 + e^{x}) = \max(x, 0) + \log(1 + e^{-|x|}), \quad
        f'(x) = σ(x), \quad f^{(n)}(x) = σ^{(n-1)}(x)

    Smooth (no kink: the max(x, 0) split is exact at x ≤ 0 and x > 0 alike), output in
    (0, ∞). The derivatives are σ's, evaluated from e^{-|x|}: ``jax.nn.softplus``'s second
    derivative is 0 beyond x ≈ 17 (true: 2.06e-9 at x = 20).

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `X. Glorot, A. Bordes, Y. Bengio, Deep Sparse Rectifier Neural Networks, AISTATS 2011
        <https://proceedings.mlr.press/v15/glorot11a/glorot11a.pdf>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.softplus(jnp.array([-1.0, 0.0, 1.0]))
      Array([0.3132617, 0.6931472, 1.3132617], dtype=float32)
      >>> jax.grad(jax.grad(jaxact.softplus))(20.0)
      Array(2.0611537e-09, dtype=float32, weak_type=True)
    """
    return evaluate(_SOFTPLUS, "softplus", x)


def _log_sigmoid_forms(n: int, m: int, x: Array) -> Array:
    # log σ(x) = −softplus(−x); its n-th derivative is (−1)ⁿ⁺¹σ⁽ⁿ⁻¹⁾(−x).
    if n == 0:
        return -_softplus_forms(0, 0, -x)
    return sigmoid_derivative(n - 1, -x) * (1.0 if n % 2 else -1.0)


_LOG_SIGMOID = Tower(_log_sigmoid_forms)


@jax.jit
def log_sigmoid(x: ArrayLike) -> Array:
    r"""Log-sigmoid, log σ(x) = −softplus(−x), with exact derivatives of every order.

    .. math::
        f(x) = -\log(1 + e^{-x}), \quad f'(x) = σ(-x), \quad
        f^{(n)}(x) = (-1)^{n+1} σ^{(n-1)}(-x)

    Smooth, output in (−∞, 0); evaluated as −(max(−x, 0) + log1p(e^{-|x|})), with no
    special case at x ≤ 0. ``jax.nn.log_sigmoid``'s second derivative is 0 below x ≈ −17.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.log_sigmoid(jnp.array([-1.0, 0.0, 1.0]))
      Array([-1.3132617, -0.6931472, -0.3132617], dtype=float32)
      >>> jax.grad(jax.grad(jaxact.log_sigmoid))(-20.0)
      Array(-2.0611537e-09, dtype=float32, weak_type=True)
    """
    return evaluate(_LOG_SIGMOID, "log_sigmoid", x)


# --- silu (swish) ------------------------------------------------------------------------


def _left_tail(n: int, x: Array, e40: Array | None = None) -> Array:
    """(x + n)·eˣ, as ((x + n)·e^{x+40})·e^{−40}: normal as long as the true value is.
    ``e40`` is e^{x+40} where the caller has it already."""
    xc = jnp.clip(x, -2000.0, 0.0)  # ±inf: 0, not inf·0
    return ((xc + n) * (exp(xc + 40) if e40 is None else e40)) * _E40


def _silu_forms(n: int, m: int, x: Array) -> Array:
    # silu⁽ⁿ⁾ = x·σ⁽ⁿ⁾ + n·σ⁽ⁿ⁻¹⁾. Both terms are O(e^−|x|) in the tails and O(1) or O(x)
    # near 0 with the same sign: the sum cancels only near a root of silu⁽ⁿ⁾. Far out
    # (|x| ≥ 45, σ⁽ᵏ⁾ = ±e^−|x|) it is (x + n)eˣ on the left and ±(x − n)e^−x on the right
    # (n ≥ 2), scaled by e^{∓40} so that it stays normal where e^−|x| alone underflows.
    a = jnp.abs(x)
    xc = jnp.clip(x, -2000.0, 2000.0)
    far_left = x <= -_FAR
    if n == 0:
        # x/(1 + e^−x), jax.nn's arithmetic: within 2.5 ulp wherever e^−x is finite (1.7×
        # jax.nn's cost from e^−|x| and a select, 1.25× this way). Beyond −45 the left tail
        # (x·e^{x+40})·e^−40, normal as long as the true value is (e^−x overflows there
        # in float32 from −88.7, where x·eˣ is normal to −91.8).
        e = exp(jnp.where(far_left, xc + 40, -x))
        return jnp.where(far_left, (xc * e) * _E40, x / (1 + e))
    if n == 1:
        # One exponential for every branch: z = e^−|x|, times e⁴⁰ beyond −45, where the
        # left tail is (x + 1)·(e^{x+40})·e^−40 (normal as long as the true value is).
        z = exp(jnp.where(far_left, 40 - jnp.minimum(a, 2000.0), -a))
        tail = _left_tail(n, x, z)
        d = 1 + z
        # σ(x)(1 + x·σ(−x)) with d = 1 + z: (d + x·z)/d² for x > 0 (all terms positive)
        # and z·((1 + x) + z)/d² for x ≤ 0: the only cancellation is at silu′'s root, inside
        # its Taylor window. 1 + z = d + dl exactly, and d² is formed with dl: d's rounding,
        # doubled by the square, took f′ to 4.9 ulp in float32 at x ≈ −4.8 (now 3.6; 4.2 →
        # 3.3 in float64).
        d = jax.lax.optimization_barrier(d)  # else XLA folds z − (d − 1) to 0
        dl = z - (d - 1)
        num = jnp.where(x > 0, d + (xc * z + dl), z * ((1 + xc) + z))
        near = num / (d * d + 2 * d * dl)
        near = _SILU_WINDOW.apply(near, x, SILU_ROOTS[1])
        return jnp.where(far_left, tail, near)
    near = xc * sigmoid_derivative(n, x) + n * sigmoid_derivative(n - 1, x)
    xr = jnp.clip(x, 0.0, 2000.0)
    right = ((xr - n) * exp(40 - xr)) * (_E40 if n % 2 else -_E40)
    if n % 2 and n >= 3:
        # silu⁽ⁿ⁾(x) = (n + 1)σ⁽ⁿ⁾(0)·x (1 + O(x²)) for odd n ≥ 3: below |x| = 2⁻¹⁰⁰ take it
        # directly (x·σ⁽ⁿ⁾ and n·σ⁽ⁿ⁻¹⁾ are each subnormal, flushed, where the sum is not).
        slope = (n + 1) * _sigmoid_taylor_at_0(n) * _factorial(n)
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
    return jnp.where(a < _FAR, near, jnp.where(x > 0, right, _left_tail(n, x)))


def _silu_windows(n: int) -> list[tuple[Window, list]]:
    """[(window, roots)] of silu⁽ⁿ⁾ (n ≥ 3, odd for odd n): 3/8 and 12 float32 terms, as
    σ⁽ⁿ⁾'s, but 3/4 and 16 at silu⁽⁷⁾'s roots beyond 2 (float32 was 18.3 ulp at x = ±3.81,
    0.67 from the root 3.139, over its bound of 18; 3/4 at the root 1.302 would reach where
    28 terms fall short)."""
    roots, parity = SILU_HIGHER_ROOTS[n], "odd" if n % 2 else "even"
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


_SILU = Tower(_silu_forms)


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
    if n == 0:
        near, right = x * _mish_taylor(0, xc)[0], x
    elif n in (1, 2):
        # mish′ = t + x·t′ and mish″ = 2t′ + x·t″ over a common denominator: with
        # g = e^−|x| and D = g² + 2g + 2 (x ≤ 0) or 2g² + 2g + 1 (x > 0), the numerators'
        # leading terms are 4(1 + x) and 4 + 2x (x ≤ 0), 2 − 2x (mish″, x > 0): they cancel
        # only at the roots, never between t and x·t′ as the sum does.
        left = xc <= 0
        g = exp(-jnp.abs(xc))
        g2 = g * g
        d0 = jnp.where(left, g2 + 2 * g + 2, 2 * g2 + 2 * g + 1)
        if n == 1:
            t = _mish_taylor(1, xc)
            nl = 4 * (1 + xc) + g * (6 + 4 * xc) + 4 * g2 + g2 * g
            near = jnp.where(left, g * nl / (d0 * d0), t[0] + xc * t[1])
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
    return jnp.where(a < _FAR, near, jnp.where(x > 0, right, _left_tail(n, x)))


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
      Array([-0.30340147,  0.        ,  0.8650984 ], dtype=float32)
    """
    return evaluate(_MISH, "mish", x)


# --- log1mexp ----------------------------------------------------------------------------


def _log1p(y: Array) -> Array:
    """log(1 + y) for y in [−½, 1] (Kahan: log(u)·y/(u − 1), u = 1 + y, u − 1 exact).

    XLA's float64 log1p is off by up to 78 ulp near y = −0.41. The barrier keeps XLA from
    folding (1 + y) − 1 into y.
    """
    u = jax.lax.optimization_barrier(1 + y)
    return jnp.where(u == 1, y, log(u) * (y / (u - 1)))


def _log1mexp_forms(n: int, m: int, x: Array) -> Array:
    # f = log(1 − e^−x), x > 0: log(−expm1(−x)) below ln 2, log1p(−e^−x) above. f′ = q =
    # 1/(eˣ − 1), and p = q + ½ = ½coth(x/2) obeys σ's Riccati equation p′ = ¼ − p², with
    # p′ = −q(1 + q): f⁽ⁿ⁾ = (n − 1)!·pₙ₋₁ by the same recurrence. Every Taylor coefficient
    # pⱼ (j ≥ 1) has the sign (−1)ʲ (q⁽ʲ⁾ = (−1)ʲΣₖ kʲe^−kx), so all the terms of the
    # recurrence have one sign: nothing cancels anywhere. x < 0: NaN (jax.nn: NaN value).
    xp = jnp.maximum(x, 0)
    small = xp < _LN2
    z = exp(-xp)
    if n == 0:
        return jnp.where(small, log(-expm1(-xp)), _log1p(-z)) + jnp.where(x < 0, jnp.nan, 0)
    em = expm1(jnp.where(small, xp, 0.0))
    q = jnp.where(small, 1 / em, z / (1 - z))
    if n == 1:
        out = q
    else:
        h1 = jnp.where(small, -(1 + q) * q, -z / ((1 - z) * (1 - z)))
        out = taylor_coefficients(0.5 + q, h1, n - 1)[n - 1] * _factorial(n - 1)
        # Far out, f⁽ⁿ⁾ = (−1)ⁿ⁻¹e^−x to working precision, taken directly (the scaled
        # Taylor coefficients e^−x/k! would underflow first).
        out = jnp.where(xp < _FAR, out, z if n % 2 else -z)
    return jnp.where(x < 0, jnp.nan, out)


_LOG1MEXP = Tower(_log1mexp_forms)


@jax.jit
def log1mexp(x: ArrayLike) -> Array:
    r"""log(1 − e^{−x}) for x > 0, with exact derivatives of every order.

    .. math::
        f(x) = \log(1 - e^{-x}), \quad f'(x) = \frac{1}{e^{x} - 1}, \quad
        f''(x) = -\frac{e^{x}}{(e^{x} - 1)^2}

    Evaluated as log(−expm1(−x)) for x < ln 2 and log1p(−e^{−x}) above (Mächler). Domain
    x > 0: like ``jax.nn.log1mexp``, f(0) = −inf and f(x) = NaN for x < 0, so for x ≤ 0 the
    value is not a number; every derivative is NaN for x < 0 (``jax.nn``'s gradient there is
    1/(eˣ − 1), the derivative of log|1 − e^{−x}|) and ±inf at x = 0 (the limits from the
    right: f′(0) = +inf, f″(0) = −inf, …).

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `M. Mächler, Accurately Computing log(1 − exp(−|a|)), 2012
        <https://cran.r-project.org/web/packages/Rmpfr/vignettes/log1mexp-note.pdf>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.log1mexp(jnp.array([0.5, 1.0, 20.0]))
      Array([-9.3275213e-01, -4.5867515e-01, -2.0611537e-09], dtype=float32)
    """
    return evaluate(_LOG1MEXP, "log1mexp", x)


# --- glu (not elementwise: not a row of the table) ---------------------------------------


@functools.partial(jax.jit, static_argnames=("axis",))
def glu(x: ArrayLike, axis: int = -1) -> Array:
    r"""Gated linear unit: x split in two halves a, b along ``axis``, then a·σ(b).

    .. math::
        \mathrm{glu}(x) = a\,σ(b), \quad \frac{∂}{∂a} = σ(b), \quad
        \frac{∂}{∂b} = a\,σ'(b)

    σ is :func:`jaxact.sigmoid`, so every derivative is exact (``jax.nn.glu``'s gradient in
    b is 0 beyond b ≈ 17 in float32). 16-bit inputs are computed in float32 and rounded
    once. Not elementwise: the output has half of x's size along ``axis``.

    Args:
      x: input array; integers are promoted to the default float dtype.
      axis: the axis to split (static); its size must be even.

    Returns:
      An array like ``x`` with half its size along ``axis``, in its float dtype.

    Raises:
      ValueError: if x is a scalar, ``axis`` is out of range or x's size along it is odd.

    References:
      - `Y. N. Dauphin et al., Language Modeling with Gated Convolutional Networks, 2017
        <https://arxiv.org/abs/1612.08083>`_.

    Examples:
      >>> import jax.numpy as jnp, jaxact
      >>> jaxact.glu(jnp.array([1.0, 2.0, 0.0, 20.0]))
      Array([0.5, 2. ], dtype=float32)
    """
    x = check_input(x, "glu")
    if not -x.ndim <= axis < x.ndim or x.ndim == 0:
        raise ValueError(f"jaxact.glu: axis {axis} is out of range for x of shape {x.shape}")
    size = x.shape[axis]
    if size % 2:
        raise ValueError(
            f"jaxact.glu: the size of x along axis {axis} must be even, got {size} "
            f"(shape {x.shape})"
        )
    wide = compute_dtype(x.dtype)
    a, b = jnp.split(x.astype(wide), 2, axis)
    return (a * sigmoid(b)).astype(x.dtype)


# --- the rows ----------------------------------------------------------------------------

ROWS = [
    Activation(
        name="sigmoid",
        fn=sigmoid,
        params=(),
        output_range="(0, 1)",
        formulas={"f": "1/(1 + e^-x)", "f'": "σ(1 - σ)", "f''": "σ'(1 - 2σ)"},
        jax_nn=jax.nn.sigmoid,
        tower=_SIGMOID,
        definition=lambda mp, x, at: 1 / (1 + mp.exp(-x)),
        switch_points=(-_FAR, -math.log(2), math.log(2), _FAR),  # expm1's ln 2; the far tail
        smooth=True,
    ),
    Activation(
        name="tanh",
        fn=tanh,
        params=(),
        output_range="(-1, 1)",
        formulas={"f": "tanh x", "f'": "1 - tanh² x = sech² x", "f''": "-2 tanh x sech² x"},
        jax_nn=jnp.tanh,
        tower=_TANH,
        definition=lambda mp, x, at: mp.tanh(x),
        switch_points=(-_TANH_FAR, -_TANH_NEAR, _TANH_NEAR, _TANH_FAR, -_FAR / 2, _FAR / 2),
        smooth=True,
    ),
    Activation(
        name="softplus",
        fn=softplus,
        params=(),
        output_range="(0, ∞)",
        formulas={"f": "log(1 + eˣ)", "f'": "σ(x)", "f''": "σ'(x) = σ(x)σ(-x)"},
        jax_nn=jax.nn.softplus,
        tower=_SOFTPLUS,
        definition=lambda mp, x, at: mp.log1p(mp.exp(x)),
        switch_points=(-_FAR, -math.log(2), 0.0, math.log(2), _FAR),
        smooth=True,
    ),
    Activation(
        name="log_sigmoid",
        fn=log_sigmoid,
        params=(),
        output_range="(-∞, 0)",
        formulas={"f": "-log(1 + e^-x)", "f'": "σ(-x)", "f''": "-σ'(x)"},
        jax_nn=jax.nn.log_sigmoid,
        tower=_LOG_SIGMOID,
        definition=lambda mp, x, at: -mp.log1p(mp.exp(-x)),
        switch_points=(-_FAR, -math.log(2), 0.0, math.log(2), _FAR),
        smooth=True,
    ),
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

#: log1mexp's row. Not in ``ROWS``: its domain is x > 0 (NaN below, as jax.nn), and the
#: table-driven tests evaluate every row over the whole real line.
LOG1MEXP_ROW = Activation(
    name="log1mexp",
    fn=log1mexp,
    params=(),
    output_range="(-∞, 0) on x > 0",
    formulas={"f": "log(1 - e^-x)", "f'": "1/(eˣ - 1)", "f''": "-eˣ/(eˣ - 1)²"},
    jax_nn=jax.nn.log1mexp,
    tower=_LOG1MEXP,
    definition=lambda mp, x, at: mp.log(-mp.expm1(-x)),
    switch_points=(math.log(2), _FAR),
    smooth=True,
)
