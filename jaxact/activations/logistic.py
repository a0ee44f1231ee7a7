"""The logistic family: sigmoid and tanh (tanh x = 2σ(2x) − 1).

Every derivative of σ comes from one recurrence. With h = σ − ½ = ½·tanh(x/2), the Riccati
equation h′ = ¼ − h² gives the Taylor coefficients hₖ = σ⁽ᵏ⁾/k! at x:

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

from jaxact._core import Activation, Array, Tower, evaluate, expm1

# --- the shared recurrence -------------------------------------------------------------


def taylor_coefficients(h0: Array, h1: Array, n: int) -> list[Array]:
    """[h₀, …, hₙ]: the Taylor coefficients of σ − ½ at a point, from h₀ = σ − ½ and h₁ = σ′."""
    h = [h0, h1]
    for k in range(1, n):
        s = 2 * h0 * h[k]
        for j in range(1, k):
            s = s + h[j] * h[k - j]
        h.append(s * (-1.0 / (k + 1)))
    return h[: n + 1]


#: Beyond this |y| (argument of σ) the quadratic terms of the recurrence are below 2⁻⁶⁴
#: relative, and σ⁽ⁿ⁾(y) = sign(y)ⁿ⁺¹(−1)ⁿ⁺¹e^−|y| to working precision.
_FAR = 45.0


def sigmoid_derivative(n: int, x: Array) -> Array:
    """σ⁽ⁿ⁾(x) for any n ≥ 0, from e^−|x| and the recurrence; ±e^−|x| in the far tail."""
    a = jnp.abs(x)
    z = jnp.exp(-a)
    d = 1 + z
    if n == 0:
        return jnp.where(x > 0, 1, z) / d
    if n == 1:
        return z / (d * d)
    h0 = jnp.sign(x) * (-0.5 * expm1(-a, z)) / d
    near = taylor_coefficients(h0, z / (d * d), n)[n] * math.factorial(n)
    far = z if n % 2 else -jnp.sign(x) * z
    if n % 2 == 0:
        # Even orders are odd functions, σ⁽ⁿ⁾(x) = σ⁽ⁿ⁺¹⁾(0)·x (1 + O(x²)) near 0; below
        # |x| = 2⁻¹⁰⁰ take that directly: h₀ ≈ x/4 is subnormal (flushed) for float32 there.
        slope = _sigmoid_taylor_at_0(n + 1) * math.factorial(n + 1)
        near = jnp.where(a < 2.0**-100, slope * x, near)
    return jnp.where(a < _FAR, near, far)


@functools.cache
def _sigmoid_taylor_at_0(k: int) -> float:
    """σ⁽ᵏ⁾(0)/k!, exactly (the recurrence with h₀ = 0, h₁ = ¼, in rationals)."""
    return float(taylor_coefficients(Fraction(0), Fraction(1, 4), k)[k])


def _sigmoid_forms(n: int, m: int, x: Array) -> Array:
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
    # Near 0 (|x| < 0.35) tanh is its Taylor series p and sech² = 1 − p² (p² ≤ 0.12: no
    # cancellation). Elsewhere, with u = e^{−2|x|} ≤ 1/2: tanh|x| = (1 − u)/(1 + u) and
    # sech² = 4u/(1 + u)² — never 1 − tanh², which cancels to 0 in the tails. Far out
    # (|x| ≥ 20) u is e^{80−2|x|}·e^{−80}, 80 − 2|x| being exact there: k·sech² is then
    # k·4e^{−80}·e^{80−2|x|}, a normal number as long as the true value is, although u
    # underflows. Orders n ≥ 2 come from the same recurrence as σ's (tanh′ = 1 − tanh²
    # is Riccati too) from tanh x and sech²x, unscaled so that nothing near 0 becomes
    # subnormal. One exponential for every order.
    a = jnp.abs(x)
    near, far = a < _TANH_NEAR, a >= _TANH_FAR
    big = jnp.exp(jnp.where(far, 80 - 2 * a, -2 * a))
    u = jnp.where(far, big * _E80, big)
    d = 1 + u
    a2 = a * a
    p = jnp.zeros_like(a)
    for c in _TANH_TAYLOR[: 13 if x.dtype == jnp.float64 else 7][::-1]:
        p = c + a2 * p
    p = a * p
    t = jnp.sign(x) * jnp.where(near, p, (1 - u) / d)
    if n == 0:
        return t

    def sech2(k: float) -> Array:  # k·sech²x, with k applied before anything can underflow
        tail = jnp.where(far, 4 * k * _E80 * big, 4 * k * u) / (d * d)
        return jnp.where(near, k * (1 - p * p), tail)

    if n == 1:
        return sech2(1)
    inner = taylor_coefficients(t, sech2(1), n)[n] * math.factorial(n)
    # Beyond |x| = 22.5 (σ's far tail at 2x): ±2ⁿ⁺¹e^{−2|x|}, scaled like sech2 above.
    tail = 2.0 ** (n + 1) * _E80 * big
    return jnp.where(a < _FAR / 2, inner, tail if n % 2 else -jnp.sign(x) * tail)


_TANH = Tower(_tanh_forms)


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

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.tanh(jnp.array([-1.0, 0.0, 1.0]))
      Array([-0.7615941,  0.       ,  0.7615941], dtype=float32)
      >>> jax.grad(jaxact.tanh)(10.0)  # jax.grad(jnp.tanh) gives 0 here
      Array(8.244615e-09, dtype=float32, weak_type=True)
    """
    return evaluate(_TANH, "tanh", x)


# fmt: off
_SILU_ROOTS = {
    1: (
        ("-1.27846454276107379510935873902298016", (
            0.2178117057198001, 0.1466487969969469, 0.018874814223782312,
            -0.015222655223188032, -0.006606589138356696, 0.000126627410081122,
            0.0007985218818397998, 0.00018570724361186496, -4.090534237428612e-05,
            -2.9733542213263917e-05, -2.942631888842464e-06, 2.346029682463866e-06,
            8.599695028268575e-07, -3.051244750055421e-08, -9.266646309267441e-08,
            -1.8877622907727957e-08, 4.619379769031606e-09, 2.9177603026903803e-09,
            2.3648315053103244e-10, -2.251366201881081e-10, -7.50344609385287e-11,
            3.998547874723996e-12, 8.04274075537398e-12, 1.4842855116792256e-12,
        )),
    ),
    2: (
        ("-2.39935728051546766783273969728228389", (
            0.09153052016419229, 0.07629586548655085, 0.022487259234225326,
            -0.001836670144762844, -0.003862816776830254, -0.0013663696912367745,
            -0.0001151307019584522, 9.644059294156357e-05, 4.74507427928072e-05,
            8.432377564571459e-06, -1.2461615072251882e-06, -1.190460513336088e-06,
            -3.144649318871996e-07, -9.904149230625922e-09, 2.2618098624368472e-08,
            8.62206138174272e-09, 1.139313959706701e-09, -2.9644608896956503e-10,
            -1.9015500324901384e-10, -4.116934082133455e-11, 8.137678287238519e-13,
            3.4204279894581383e-12, 1.0799583236973915e-12, 1.0153261980172398e-13,
        )),
        ("2.39935728051546766783273969728228389", (
            -0.09153052016419229, 0.07629586548655085, -0.022487259234225326,
            -0.001836670144762844, 0.003862816776830254, -0.0013663696912367745,
            0.0001151307019584522, 9.644059294156357e-05, -4.74507427928072e-05,
            8.432377564571459e-06, 1.2461615072251882e-06, -1.190460513336088e-06,
            3.144649318871996e-07, -9.904149230625922e-09, -2.2618098624368472e-08,
            8.62206138174272e-09, -1.139313959706701e-09, -2.9644608896956503e-10,
            1.9015500324901384e-10, -4.116934082133455e-11, -8.137678287238519e-13,
            3.4204279894581383e-12, -1.0799583236973915e-12, 1.0153261980172398e-13,
        )),
    ),
}
_MISH_ROOTS = {
    1: (
        ("-1.19243121451549521213758834042073941", (
            0.2669479140495345, 0.20473126408010586, 0.04190782104360987,
            -0.020271822716684245, -0.01582112656173338, -0.0033606849270232685,
            0.0010924055409445854, 0.0009898181021289196, 0.00025412936386191073,
            -4.1961496031696126e-05, -5.582891567360688e-05, -1.72992708103044e-05,
            9.427361327376651e-07, 2.9088199364912223e-06, 1.071676702702074e-06,
            2.6879417855557728e-08, -1.4117255919499382e-07, -6.174424363104907e-08,
            -5.460186173028381e-09, 6.3895954615089855e-09, 3.3604012383661332e-09,
            4.817646300218697e-10, -2.6751871594311224e-10, -1.7442209713382678e-10,
        )),
    ),
    2: (
        ("-2.25637639636079312000574854395016391", (
            0.1087544107316427, 0.09898193805255845, 0.03736189561023729,
            0.0033540526593358656, -0.003860493935188506, -0.002480068109334893,
            -0.0007927886724150866, -0.00010538381919454746, 3.978333053066292e-05,
            3.2238496830115364e-05, 1.1646398837640038e-05, 2.1972274370071305e-06,
            -1.9166311947636233e-07, -3.2886827478945233e-07, -1.3816841246787867e-07,
            -3.179194815463423e-08, -9.041836791970716e-10, 2.7897687645450417e-09,
            1.3947241287864647e-09, 3.7278297023353565e-10, 3.5985149601048556e-11,
            -1.9587615834869195e-11, -1.2454763156836604e-11, -3.825711124112797e-12,
        )),
        ("1.49057117948542845929441890819790982", (
            -0.23069451159746054, 0.28127277803034306, -0.0797073551654253,
            -0.06665173991852782, 0.05998888116276497, -0.008932244292082872,
            -0.011535248884490047, 0.0070027488703032735, -0.00026852183677313475,
            -0.0014013096671622836, 0.0006082701059370484, 4.5850287012401906e-05,
            -0.00013717566879765472, 4.3428925985047434e-05, 9.503876307943976e-06,
            -1.1636938135269531e-05, 2.5942176688726364e-06, 1.1453549858100461e-06,
            -8.865033422620115e-07, 1.222151382038124e-07, 1.1103700734940431e-07,
            -6.16810624585734e-08, 3.1677243749092252e-09, 9.442493225813562e-09,
        )),
    ),
}
# fmt: on

# --- roots of f′ and f″ --------------------------------------------------------------------

#: Near a root r of silu′, silu″, mish′ or mish″ the order is its Taylor polynomial at r,
#: d·(c₁ + c₂d + …), d = (x − r_hi) − r_lo (x − r_hi is exact): the general forms lose the
#: digits that cancel there (up to 150 ulp). The coefficients cₖ = f⁽ⁿ⁺ᵏ⁾(r)/k! were
#: computed with mpmath at 300 digits; 24 terms (14 in float32). The windows' widths are
#: measured: the general forms are within 4.5 ulp at their edges, the polynomials within
#: 2.5 (mish's series converges within ≈ 2.4 of its roots, silu's within 3.9).
_SILU_WIDTH, _MISH_WIDTH = 0.6, 0.4


def _window_edges(roots: dict, width: float) -> tuple[float, ...]:
    """The switch points of the root windows: r ± width for every root."""
    return tuple(float(r) + s * width for rs in roots.values() for r, _ in rs for s in (-1, 1))


def _at_roots(value: Array, x: Array, roots, width: float) -> Array:
    """``value``, replaced within ``width`` of each root by its Taylor polynomial there."""
    terms = 24 if x.dtype == jnp.float64 else 14
    for r, coeffs in roots:
        hi = float(np.asarray(float(Fraction(r)), x.dtype))
        # The barrier keeps XLA from folding (x − hi) − lo into x − (hi + lo) = x − hi.
        d = jax.lax.optimization_barrier(x - hi) - float(Fraction(r) - Fraction(hi))
        p = jnp.zeros_like(x)
        for c in coeffs[:terms][::-1]:
            p = p * d + c
        value = jnp.where(jnp.abs(d) < width, d * p, value)
    return value


# --- softplus and log_sigmoid ----------------------------------------------------------


def _softplus_forms(n: int, m: int, x: Array) -> Array:
    # max(x, 0) + log1p(e^−|x|): a sum of two non-negative terms; softplus⁽ⁿ⁾ = σ⁽ⁿ⁻¹⁾.
    if n == 0:
        return jnp.maximum(x, 0) + jnp.log1p(jnp.exp(-jnp.abs(x)))
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

_E40 = math.exp(-40)


def _left_tail(n: int, x: Array) -> Array:
    """(x + n)·eˣ, as ((x + n)·e^{x+40})·e^{−40}: normal as long as the true value is."""
    xc = jnp.clip(x, -2000.0, 0.0)  # ±inf: 0, not inf·0
    return ((xc + n) * jnp.exp(xc + 40)) * _E40


def _silu_forms(n: int, m: int, x: Array) -> Array:
    # silu⁽ⁿ⁾ = x·σ⁽ⁿ⁾ + n·σ⁽ⁿ⁻¹⁾. Both terms are O(e^−|x|) in the tails and O(1) or O(x)
    # near 0 with the same sign: the sum cancels only near a root of silu⁽ⁿ⁾. Far out
    # (|x| ≥ 45, σ⁽ᵏ⁾ = ±e^−|x|) it is (x + n)eˣ on the left and ±(x − n)e^−x on the right
    # (n ≥ 2), scaled by e^{∓40} so that it stays normal where e^−|x| alone underflows.
    a = jnp.abs(x)
    if n == 0:
        return jnp.where(
            a < _FAR, x * sigmoid_derivative(0, x), jnp.where(x > 0, x, _left_tail(0, x))
        )
    xc = jnp.clip(x, -2000.0, 2000.0)
    near = xc * sigmoid_derivative(n, x) + n * sigmoid_derivative(n - 1, x)
    if n == 1:
        right = near
    else:
        xr = jnp.clip(x, 0.0, 2000.0)
        right = ((xr - n) * jnp.exp(40 - xr)) * (_E40 if n % 2 else -_E40)
    if n in _SILU_ROOTS:
        near = _at_roots(near, x, _SILU_ROOTS[n], _SILU_WIDTH)
    return jnp.where(a < _FAR, near, jnp.where(x > 0, right, _left_tail(n, x)))


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
    g = jnp.exp(-jnp.abs(x))
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


# Taylor coefficients of mish at 0 (mpmath, 80 digits): near 0 the series quotient of the
# orders n ≥ 3 loses up to 1e3 ulp (t⁽⁴⁾(0) = −0.009 is made of terms 100× larger), so
# within |x| < 1/2 they are the Taylor polynomial Σₖ aₙ₊ₖ(n + k)!/k!·xᵏ (radius 2.38).
# fmt: off
_MISH_AT_0 = (
    0.0, 0.6, 0.32,
    -0.016, -0.04586666666666667, -0.0003733333333333333,
    0.007818666666666666, 0.0008579555555555555, -0.0012696279365079365,
    -0.0002957376507936508, 0.0001879577114638448, 7.443550419753087e-05,
    -2.4089052362353696e-05, -1.6026317269114425e-05, 2.2934651877281567e-06,
    3.103463470365674e-06, -2.5512528721935637e-08, -5.50156573585028e-07,
    -6.270319334073847e-08, 8.932875129686503e-08, 2.196972095818993e-08,
    -1.3064433716893278e-08, -5.469954171614517e-09, 1.6349159375808912e-09,
    1.164209460772523e-09, -1.4597652819232304e-10, -2.2310303830921812e-10,
    -1.5280409428578768e-12, 3.9148935676895474e-11, 5.053805513076917e-12,
    -6.284795311192518e-12, -1.6591115330725944e-12, 9.053240200092617e-13,
    4.0316089818161976e-13, -1.1034907781351947e-13,
)
# fmt: on


def _mish_forms(n: int, m: int, x: Array) -> Array:
    # mish⁽ⁿ⁾ = n!(x·tₙ + tₙ₋₁) from the Taylor coefficients of t = tanh(softplus x); far
    # out (|x| ≥ 45): (x + n)eˣ on the left, x, 1 and (−2)ⁿ(n − 2x)e^−2x on the right, the
    # exponentials scaled so they stay normal as long as the true value is.
    a = jnp.abs(x)
    xc = jnp.clip(x, -2000.0, 2000.0)
    t = _mish_taylor(n, xc)
    near = xc * t[n] + (t[n - 1] if n else 0.0)
    if n == 0:
        near, right = x * t[0], x
    elif n in (1, 2):
        # mish′ = t + x·t′ and mish″ = 2t′ + x·t″ over a common denominator: with
        # g = e^−|x| and D = g² + 2g + 2 (x ≤ 0) or 2g² + 2g + 1 (x > 0), the numerators'
        # leading terms are 4(1 + x) and 4 + 2x (x ≤ 0), 2 − 2x (mish″, x > 0): they cancel
        # only at the roots, never between t and x·t′ as the sum does.
        left = xc <= 0
        g = jnp.exp(-jnp.abs(xc))
        g2 = g * g
        d0 = jnp.where(left, g2 + 2 * g + 2, 2 * g2 + 2 * g + 1)
        if n == 1:
            nl = 4 * (1 + xc) + g * (6 + 4 * xc) + 4 * g2 + g2 * g
            near = jnp.where(left, g * nl / (d0 * d0), t[0] + xc * t[1])
            right = jnp.ones_like(x)
        else:
            nl = (4 + 2 * xc) + g * (8 + 2 * xc) + g2 * (6 - 3 * xc) + g2 * g * (2 - 2 * xc)
            nr = (2 - 2 * xc) + g * (6 - 3 * xc) + g2 * (8 + 2 * xc) + g2 * g * (4 + 2 * xc)
            near = 4 * jnp.where(left, g * nl, g2 * nr) / (d0 * d0 * d0)
            xr = jnp.clip(x, 0.0, 2000.0)
            right = ((n - 2 * xr) * jnp.exp(80 - 2 * xr)) * ((-2.0) ** n * _E80)
    else:
        near = near * math.factorial(n)
        xr = jnp.clip(x, 0.0, 2000.0)
        right = ((n - 2 * xr) * jnp.exp(80 - 2 * xr)) * ((-2.0) ** n * _E80)
    if n in _MISH_ROOTS:
        near = _at_roots(near, x, _MISH_ROOTS[n], _MISH_WIDTH)
    terms = 24 if x.dtype == jnp.float64 else 14
    if n >= 3 and n + terms <= len(_MISH_AT_0):
        p = jnp.zeros_like(x)
        for k in range(terms - 1, -1, -1):
            p = p * xc + _MISH_AT_0[n + k] * (math.factorial(n + k) / math.factorial(k))
        near = jnp.where(jnp.abs(x) < 0.5, p, near)
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
    return jnp.where(u == 1, y, jnp.log(u) * (y / (u - 1)))


def _log1mexp_forms(n: int, m: int, x: Array) -> Array:
    # f = log(1 − e^−x), x > 0: log(−expm1(−x)) below ln 2, log1p(−e^−x) above. f′ = q =
    # 1/(eˣ − 1), and p = q + ½ = ½coth(x/2) obeys σ's Riccati equation p′ = ¼ − p², with
    # p′ = −q(1 + q): f⁽ⁿ⁾ = (n − 1)!·pₙ₋₁ by the same recurrence. Every Taylor coefficient
    # pⱼ (j ≥ 1) has the sign (−1)ʲ (q⁽ʲ⁾ = (−1)ʲΣₖ kʲe^−kx), so all the terms of the
    # recurrence have one sign: nothing cancels anywhere. x < 0: NaN (jax.nn: NaN value).
    xp = jnp.maximum(x, 0)
    small = xp < _LN2
    z = jnp.exp(-xp)
    if n == 0:
        return jnp.where(small, jnp.log(-expm1(-xp)), _log1p(-z)) + jnp.where(x < 0, jnp.nan, 0)
    em = expm1(jnp.where(small, xp, 0.0))
    q = jnp.where(small, 1 / em, z / (1 - z))
    if n == 1:
        out = q
    else:
        h1 = jnp.where(small, -(1 + q) * q, -z / ((1 - z) * (1 - z)))
        out = taylor_coefficients(0.5 + q, h1, n - 1)[n - 1] * math.factorial(n - 1)
        # Far out, f⁽ⁿ⁾ = (−1)ⁿ⁻¹e^−x to working precision, taken directly (the scaled
        # Taylor coefficients e^−x/k! would underflow first).
        out = jnp.where(xp < _FAR, out, z if n % 2 else -z)
    return jnp.where(x < 0, jnp.nan, out)


_LOG1MEXP = Tower(_log1mexp_forms)
_LN2 = math.log(2)


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

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.log1mexp(jnp.array([0.5, 1.0, 20.0]))
      Array([-9.3275213e-01, -4.5867515e-01, -2.0611537e-09], dtype=float32)
    """
    return evaluate(_LOG1MEXP, "log1mexp", x)


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
            *_window_edges(_SILU_ROOTS, _SILU_WIDTH),
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
            -0.5,
            0.0,
            0.5,
            _FAR / 2,
            _FAR,
            *_window_edges(_MISH_ROOTS, _MISH_WIDTH),
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
