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

from jaxact._core import Activation, Array, Tower, evaluate, exp, expm1, log, log1p

# --- the shared recurrence -------------------------------------------------------------


def _factorial(k: int) -> float:
    """k! as a float (inf beyond float64's range): a Python int multiplying a traced array
    must fit in int32 where x64 is off (13! does not), or JAX refuses it."""
    return float(math.factorial(k)) if k < 171 else math.inf


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
    # subnormal. One exponential for every order, the same one; orders 0 and 1, which
    # training evaluates on every element, skip the recurrence.
    a = jnp.abs(x)
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
    return ((xc + n) * exp(xc + 40)) * _E40


def _silu_forms(n: int, m: int, x: Array) -> Array:
    # silu⁽ⁿ⁾ = x·σ⁽ⁿ⁾ + n·σ⁽ⁿ⁻¹⁾. Both terms are O(e^−|x|) in the tails and O(1) or O(x)
    # near 0 with the same sign: the sum cancels only near a root of silu⁽ⁿ⁾. Far out
    # (|x| ≥ 45, σ⁽ᵏ⁾ = ±e^−|x|) it is (x + n)eˣ on the left and ±(x − n)e^−x on the right
    # (n ≥ 2), scaled by e^{∓40} so that it stays normal where e^−|x| alone underflows.
    a = jnp.abs(x)
    xc = jnp.clip(x, -2000.0, 2000.0)
    if n <= 1:
        # One exponential for every branch: z = e^−|x|, times e⁴⁰ beyond −45, where the
        # left tail is (x + n)·(e^{x+40})·e^−40 (normal as long as the true value is).
        far_left = x <= -_FAR
        z = exp(jnp.where(far_left, 40 - jnp.minimum(a, 2000.0), -a))
        tail = ((xc + n) * z) * _E40
        d = 1 + z
        if n == 0:
            near = xc * (jnp.where(x > 0, 1, z) / d)
            return jnp.where(far_left, tail, jnp.where(a < _FAR, near, x))
        # σ(x)(1 + x·σ(−x)) with d = 1 + z: (d + x·z)/d² for x > 0 (all terms positive)
        # and z·((1 + x) + z)/d² for x ≤ 0, where 1 + x is exact on [−2, −½]: the only
        # cancellation left is at silu′'s root, inside its Taylor window.
        near = jnp.where(x > 0, d + xc * z, z * ((1 + xc) + z)) / (d * d)
        return jnp.where(far_left, tail, _at_roots(near, x, _SILU_ROOTS[1], _SILU_WIDTH))
    near = xc * sigmoid_derivative(n, x) + n * sigmoid_derivative(n - 1, x)
    xr = jnp.clip(x, 0.0, 2000.0)
    right = ((xr - n) * exp(40 - xr)) * (_E40 if n % 2 else -_E40)
    if n % 2 and n >= 3:
        # silu⁽ⁿ⁾(x) = (n + 1)σ⁽ⁿ⁾(0)·x (1 + O(x²)) for odd n ≥ 3: below |x| = 2⁻¹⁰⁰ take it
        # directly (x·σ⁽ⁿ⁾ and n·σ⁽ⁿ⁻¹⁾ are each subnormal, flushed, where the sum is not).
        slope = (n + 1) * _sigmoid_taylor_at_0(n) * _factorial(n)
        near = jnp.where(a < 2.0**-100, slope * x, near)
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
# quotient). Coefficients: mpmath, 120 digits.
# fmt: off
_MISH_TABLE = (  # row j: Taylor coefficients a₀ … a₄₀ of mish at (j − 10)/2
    (
        -0.033576237730161704, -0.026747498019901932, -0.009925339131304181,
        -0.00214007220695318, -0.00023536947049315358, 1.5117179199169161e-05,
        1.3383832355297034e-05, 3.533296254904868e-06, 6.430620385824192e-07,
        8.932097973511653e-08, 8.939125650189243e-09, 3.20198560042865e-10,
        -1.2729824536682855e-10, -4.4292427625710527e-11, -9.709908407298215e-12,
        -1.747849712568736e-12, -2.736345266568141e-13, -3.700251409138621e-14,
        -3.942498113917398e-15, -1.8396381634228232e-16, 5.821524255248758e-17,
        2.4460657495737636e-17, 6.1521871756946344e-18, 1.239056200512763e-18,
        2.103797508608696e-19, 2.9557404038447256e-20, 3.028418834280523e-21,
        6.744811928158612e-23, -6.977999044432106e-23, -2.4018410770413924e-23,
        -5.47444082961683e-24, -1.0058194519426315e-24, -1.5349553922825678e-25,
        -1.8447865950202636e-26, -1.268404032534898e-27, 1.4259419304589362e-28,
        8.138893265901488e-29, 2.122308442400555e-29, 4.2507242266101084e-30,
        7.08769756856507e-31, 9.754234024164378e-32,
    ),
    (
        -0.049712829307341215, -0.0383879124916281, -0.013454431048211889,
        -0.002530578423343506, -0.00012873404403982713, 7.909497156873693e-05,
        3.130905766235909e-05, 7.04547482294577e-06, 1.1458968670270168e-06,
        1.3216680124116922e-07, 6.204289695578048e-09, -1.943718379754172e-09,
        -7.749581206251418e-10, -1.838726162464162e-10, -3.4926267115843814e-11,
        -5.581553561370437e-12, -7.177728263345516e-13, -5.5175105934509735e-14,
        5.828359803817985e-15, 3.928185952021226e-15, 1.1432631446742004e-15,
        2.5238107495281776e-16, 4.5535195368961344e-17, 6.517800681512171e-18,
        5.928899634578426e-19, -3.0438154368793186e-20, -3.116960669462378e-20,
        -9.403504081521916e-21, -2.062031887715919e-21, -3.6239216030992417e-22,
        -4.9525194075942084e-23, -3.9979692602197584e-24, 3.7329925094589598e-25,
        2.6147500512436877e-25, 7.416215413119983e-26, 1.570597565771959e-26,
        2.684250295989459e-27, 3.5516888095815484e-28, 2.62409202750692e-29,
        -3.441825407783477e-30, -2.0482127937331896e-30,
    ),
    (
        -0.07259174079202536, -0.053773209793480325, -0.01731001587462724,
        -0.0024944415012155734, 0.0002227835622913523, 0.0002191019325848835,
        6.541649422553418e-05, 1.2846334661718812e-05, 1.7370284684450946e-06,
        1.0424402902149747e-07, -2.665151652039295e-08, -1.234986122182008e-08,
        -3.1704919044942593e-09, -6.291526604521271e-10, -9.947900031863181e-11,
        -1.0811293978050475e-11, 8.557136108171561e-14, 4.714643644942203e-13,
        1.679038794233945e-13, 4.1408760982917393e-14, 7.997954364571712e-15,
        1.1572392838914343e-15, 8.201582169076017e-17, -1.897006812473893e-17,
        -1.0234800494595446e-17, -2.8743274321525467e-18, -6.022946829444052e-19,
        -9.599415437087531e-20, -9.378700122114179e-21, 6.042985702016288e-22,
        5.982683871275174e-22, 1.8759416897500124e-22, 4.213540943672468e-23,
        7.296949669728063e-24, 8.709402442768157e-25, 1.1520574017930574e-26,
        -3.1446152156568525e-26, -1.1641397766713193e-26, -2.8527894187729184e-27,
        -5.384750854974462e-28, -7.486102342006584e-29,
    ),
    (
        -0.10409575448637122, -0.07276041344326704, -0.020373083970373927,
        -0.0013063348349872988, 0.001079936518599838, 0.0004954525620246251,
        0.00012304884811229324, 1.9979892358503815e-05, 1.5230147278483408e-06,
        -3.211242231581449e-07, -1.764991423295897e-07, -4.8930061692776493e-08,
        -9.9674870162415e-09, -1.4648657183151887e-09, -8.482389211813292e-11,
        3.795165139590578e-11, 1.8703371932459196e-11, 5.318622112621437e-12,
        1.114165620667935e-12, 1.6186670234806744e-13, 6.2099360105082986e-15,
        -5.732845695499922e-15, -2.496978707171485e-15, -6.643476836318891e-16,
        -1.2817506203824377e-16, -1.5670692626778766e-17, 4.0061304935074945e-19,
        9.236338726669669e-19, 3.2917010796746186e-19, 7.8904603268382e-20,
        1.3627047379067488e-20, 1.2723493254771292e-21, -1.8822946464288648e-22,
        -1.335222016388623e-22, -4.120150395261385e-23, -9.013622339981275e-24,
        -1.3835371320794568e-24, -8.030705064545182e-26, 3.759924487492929e-26,
        1.8160474570125557e-26, 5.0189323609212764e-27,
    ),
    (
        -0.14564746127562458, -0.09339311453232084, -0.019964356621064626,
        0.0024455398360521343, 0.0028720852440572435, 0.0009758134370726902,
        0.00019708080712244552, 1.9238409450071587e-05, -3.284952097202211e-06,
        -2.2160172323723026e-06, -6.60824600518799e-07, -1.3401636388315085e-07,
        -1.5719807413179312e-08, 1.4007799979905336e-09, 1.4789982831388625e-09,
        5.144475601662345e-10, 1.1976644559790574e-10, 1.750559075474525e-11,
        -1.5803556521962588e-13, -1.122521631854505e-12, -4.425808247342797e-13,
        -1.1016792422880568e-13, -1.755237519700613e-14, -4.1225070876219403e-16,
        8.874993492749129e-16, 3.7941273504653563e-16, 9.850088653939573e-17,
        1.6670777554655784e-17, 7.759794048903098e-19, -6.849810900623938e-19,
        -3.1979413922065346e-19, -8.683653682274341e-20, -1.5601641750881995e-20,
        -1.0507520520738752e-21, 5.111708122086821e-22, 2.669112148757369e-22,
        7.613062642645149e-23, 1.448694307005113e-23, 1.2441784148390042e-24,
        -3.6764074161998134e-25, -2.2117343204359813e-25,
    ),
    (
        -0.19681620390653334, -0.10974357275018569, -0.01057295563937389,
        0.011154660831274544, 0.006109202237063666, 0.001621357631674773,
        0.00020735944991187417, -2.6817943021067106e-05, -2.3783340023793023e-05,
        -7.587596387811782e-06, -1.449091535649515e-06, -7.066312925203e-08,
        7.25210384588456e-08, 3.535601815999868e-08, 9.59229962784975e-09,
        1.4516219940319773e-09, -9.409739643296988e-11, -1.4654244807040725e-10,
        -5.458417953207747e-11, -1.2074746974661841e-11, -1.0327064744853173e-12,
        4.56811308904728e-13, 2.666604462097329e-13, 7.773243127482841e-14,
        1.285806124522656e-14, -3.3746874165181485e-16, -1.0827926320110507e-15,
        -4.266026766387122e-16, -9.851643856482777e-17, -9.826345043429432e-18,
        3.1172754172201286e-18, 2.0189170045152983e-18, 6.133923802280476e-19,
        1.0789067281846713e-19, 6.506555072976561e-23, -7.873473330994192e-21,
        -3.2874645839412522e-21, -7.940760858392354e-22, -9.033025155359436e-23,
        2.049123050054109e-23, 1.5159033310103016e-23,
    ),
    (
        -0.2525014826957089, -0.10835509242039394, 0.017513540926329618,
        0.027833253014083934, 0.010684200317998462, 0.0018651521307246686,
        -0.000151050201899173, -0.0002104027963938413, -7.151304994365962e-05,
        -1.1545361654789604e-05, 1.3135787385030261e-06, 1.5558182346275452e-06,
        5.434747830710442e-07, 9.258515444206526e-08, -9.359703935219713e-09,
        -1.2359756330791014e-08, -4.426072892622295e-09, -7.66075976818328e-10,
        7.52186809528578e-11, 1.0147588483528732e-10, 3.632244419026603e-11,
        6.238663726429628e-12, -6.397545834470012e-13, -8.363057444566183e-13,
        -2.9708601461950125e-13, -5.0429083696080116e-14, 5.469999733318218e-15,
        6.882025757433256e-15, 2.4258476278354112e-15, 4.0712913997687876e-16,
        -4.658612057760815e-17, -5.658609229576141e-17, -1.9802070049266446e-17,
        -3.286980331678926e-18, 3.9568085553964415e-19, 4.651702979991095e-19,
        1.6164025664192158e-19, 2.6535800668096273e-20, -3.3552819122971496e-21,
        -3.8236887451383365e-21, -1.3193891733698115e-21,
    ),
    (
        -0.29809974216680674, -0.06409781589225864, 0.07730737678077158,
        0.05288884149991045, 0.0135112825781883, -0.0002588037977275422,
        -0.0014607562387350527, -0.0005333096660347806, -5.737448241742214e-05,
        3.3497152910054784e-05, 1.977070838094224e-05, 4.451598316602977e-06,
        -3.4017855908423e-07, -6.330028175071561e-07, -2.2380822556425212e-07,
        -2.1983780965006422e-08, 1.5886857905467146e-08, 9.015338725927107e-09,
        1.9469676244580784e-09, -2.035686647910021e-10, -3.013738696207936e-10,
        -1.0153126038175359e-10, -8.209965960054532e-12, 7.949289899297881e-12,
        4.192599625205439e-12, 8.407054555644702e-13, -1.2141839233232078e-13,
        -1.4385499184588437e-13, -4.57343519184816e-14, -2.794702561614354e-15,
        3.9517194786379326e-15, 1.940393017969095e-15, 3.5868972817377376e-16,
        -6.870492843416182e-17, -6.83396257518321e-17, -2.049692502930692e-17,
        -8.211338453129825e-19, 1.9488200055715068e-18, 8.947632643910937e-19,
        1.5127773349631194e-19, -3.750180615792976e-20,
    ),
    (
        -0.3034014613741089, 0.05921675587739495, 0.1748528368353225,
        0.07441049188885261, 0.00500867330415531, -0.007397127806237955,
        -0.0030695326529009844, -0.00010435327441727034, 0.0003612984781507311,
        0.00014260734302108373, 3.5288529179293357e-06, -1.7788532853258282e-05,
        -6.9649716896131675e-06, -1.4514531775571867e-07, 8.894027746738166e-07,
        3.4522186838561425e-07, 5.707134608029149e-09, -4.476727904123848e-08,
        -1.7155419215033606e-08, -1.9756939552184252e-10, 2.2572682570205357e-09,
        8.524333643178497e-10, 5.241377048421618e-12, -1.1383366161461295e-10,
        -4.2339862334498486e-11, -2.6229342391586307e-14, 5.7394191535609626e-12,
        2.102328236520427e-12, -1.0534076927761752e-14, -2.893058710184057e-13,
        -1.0436090769768401e-13, 1.1198314820672376e-15, 1.4579521043438405e-14,
        5.179278236321316e-15, -8.567305151058593e-17, -7.345651619520357e-16,
        -2.569776962184658e-16, 5.768773713553025e-18, 3.700163649533887e-17,
        1.2747206981299323e-17, -3.6273778711846916e-19,
    ),
    (
        -0.22074377465173, 0.2895106779135122, 0.2819854615566333,
        0.0588413633221921, -0.023356108088241668, -0.013641487114116354,
        0.0002921990912784654, 0.002165636317043776, 0.000511123711236202,
        -0.00020487150316220976, -0.00013490009571663189, -3.7034227869434446e-06,
        2.0403024935873595e-05, 6.086376849810393e-06, -1.605279664741744e-06,
        -1.4030194068820796e-06, -1.2306496965891558e-07, 1.904690925730635e-07,
        7.108001112540946e-08, -1.117927197831287e-08, -1.4358388962555701e-08,
        -2.095267664414578e-09, 1.72457983767805e-09, 8.001031665180853e-10,
        -5.900210241219345e-11, -1.4357919645326472e-10, -2.9370027810588294e-11,
        1.497225560621357e-11, 8.72964897797896e-12, -3.057355575338377e-14,
        -1.4009165323695828e-12, -3.7352584686787036e-13, 1.2259744651556917e-13,
        9.270422339532832e-14, 5.482226964461417e-15, -1.3308471484848115e-14,
        -4.4693543392263435e-15, 9.159040174313744e-16, 9.60400271295952e-16,
        1.1329874613347937e-16, -1.226112354645867e-16,
    ),
    (
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
        4.0316089818161976e-13, -1.1034907781351947e-13, -8.456785068659944e-14,
        9.120811681065466e-15, 1.602497686560549e-14, 3.5030643422606357e-16,
        -2.782583701534791e-15, -4.0182310035892957e-16,
    ),
    (
        0.37524521130489513, 0.8864243753577272, 0.2340266889224433,
        -0.08964313961290281, -0.019701713315517354, 0.01817566809997373,
        0.0018615937088373644, -0.0034248011549256174, -0.00010337643991013352,
        0.0006233309890131175, -1.85267205855872e-05, -0.00011094895313582308,
        9.611345323611098e-06, 1.937853052050979e-05, -2.802428609098735e-06,
        -3.321827924311907e-06, 6.862656300153557e-07, 5.580505951216379e-07,
        -1.538574296071812e-07, -9.162609027629902e-08, 3.264302661489474e-08,
        1.4637835028855511e-08, -6.660907244343978e-09, -2.2589079634578764e-09,
        1.319081458930464e-09, 3.3256935507608044e-10, -2.549034863759697e-10,
        -4.562192876871906e-11, 4.8232058385056953e-11, 5.5283742493707436e-12,
        -8.955471369828046e-12, -4.987020693771856e-13, 1.6337554631104796e-12,
        -4.700467690721175e-16, -2.930143491150987e-13, 1.6211520248445468e-14,
        5.166455170583016e-14, -5.751359561179893e-15, -8.950315937509952e-15,
        1.5242146100232047e-15, 1.5214913119248263e-15,
    ),
    (
        0.8650983882673103, 1.0490362200997922, 0.09234288223666413,
        -0.08588808959092258, 0.01943131418009507, 0.009156821368125144,
        -0.005807816306982995, -0.00017293548979609145, 0.0010353625484248036,
        -0.00020494606242404565, -0.00012939528476496996, 6.312153013478588e-05,
        7.86355638234297e-06, -1.2313388391277948e-05, 1.3781512947141535e-06,
        1.7604801637252451e-06, -6.156288549798406e-07, -1.6000540779904787e-07,
        1.379748694109456e-07, -3.391933194023832e-09, -2.2338767869329165e-08,
        5.4502031503010005e-09, 2.5452411753623425e-09, -1.4679786873353093e-09,
        -1.0485063528157071e-10, 2.6845817526075143e-10, -4.114359267070262e-11,
        -3.590966136208446e-11, 1.473118001067845e-11, 2.786300272269774e-12,
        -3.0730276839170896e-12, 2.0568149101415328e-13, 4.6904351767824e-13,
        -1.3692998020702248e-13, -4.8522280537216597e-14, 3.350965540680599e-14,
        7.911685728393627e-16, -5.777855776249711e-15, 1.1306354966279123e-15,
        7.192767918071182e-16, -3.4633826688396613e-16,
    ),
    (
        1.4033782663958025, 1.0884879850078477, -0.0010751192916175032,
        -0.03756864170346929, 0.02324859063929862, -0.004108398276882066,
        -0.0021278621337491132, 0.0014157702529102934, -0.00017278893357618405,
        -0.00015288925497258866, 7.749378291423561e-05, -3.615153616617736e-06,
        -1.0136251603232642e-05, 3.926410214113208e-06, 1.6148807646540496e-07,
        -6.255218838926555e-07, 1.8604350099656484e-07, 2.860454845484611e-08,
        -3.662172256557245e-08, 8.114768684936202e-09, 2.6019070544548826e-09,
        -2.051101931891244e-09, 3.0939353352049543e-10, 1.943263433701122e-10,
        -1.1009062531008991e-10, 8.665101342894858e-12, 1.3092081036425442e-11,
        -5.647487593488406e-12, -9.318816811625762e-15, 8.237320156397469e-13,
        -2.7475960409826635e-13, -2.7593667397275964e-14, 4.9173445823356535e-14,
        -1.2473366452689136e-14, -2.9641196279134812e-15, 2.8060196447271415e-15,
        -5.098710986520511e-16, -2.3682232087543247e-16, 1.534697001596225e-16,
        -1.7031232414544694e-17, -1.659116647001672e-17,
    ),
    (
        1.9439589595339946, 1.0693179342794896, -0.02886233370414703,
        -0.004001127905708113, 0.010064819865242445, -0.004932323093852761,
        0.0008809539562389757, 0.0002837094722128677, -0.00023361019696445468,
        5.94603151920164e-05, 5.142992021164253e-06, -9.379085264675211e-06,
        3.1126704448615454e-06, -1.0025049367280261e-07, -3.3695567374521423e-07,
        1.462637219733408e-07, -1.7578472044398173e-08, -1.064314428656494e-08,
        6.363397276162595e-09, -1.2537429618113597e-09, -2.675588398774644e-10,
        2.580130432411354e-10, -7.067152642252706e-11, -2.9316365983327685e-12,
        9.698431133924861e-12, -3.5168895600725037e-12, 2.3316123465949287e-13,
        3.313930521793694e-13, -1.604052888912843e-13, 2.402404720212342e-14,
        9.771353240985961e-15, -6.799452318202833e-15, 1.5344361686485776e-15,
        2.0823095504699226e-16, -2.6830449923068916e-16, 8.195231906582471e-17,
        -3.258393949849168e-19, -9.761047432858537e-18, 3.935104623409654e-18,
        -3.924656319089168e-19, -3.183016724447012e-19,
    ),
    (
        2.471392304557881, 1.0411295301313532, -0.025005514649892525,
        0.006289968041880626, 0.0014892306423996459, -0.0019763929267668204,
        0.0008359852179744686, -0.0001634071464329301, -1.898145009220728e-05,
        2.5590670195626227e-05, -8.991397445973225e-06, 1.2209425720782124e-06,
        3.829392064605724e-07, -2.818683810029037e-07, 8.077201211068143e-08,
        -6.299927223293029e-09, -5.263348566192355e-09, 2.8340076378392244e-09,
        -6.794561820313948e-10, 9.106110669811451e-12, 6.273194494947633e-11,
        -2.7390353140195396e-11, 5.421913789465317e-12, 3.9521078860961133e-13,
        -6.98982267586044e-13, 2.566858257634924e-13, -3.991252176569131e-14,
        -8.319425865067843e-15, 7.434083077769606e-15, -2.3260265446670816e-15,
        2.536099734148584e-16, 1.2109195315816594e-16, -7.607818903368887e-17,
        2.0273834078815296e-17, -1.1029521065701274e-18, -1.5235975987960438e-18,
        7.52278347827809e-19, -1.6845294938879296e-19, -2.628204248098758e-21,
        1.7643957831312156e-20, -7.2001573544846e-21,
    ),
    (
        2.9865350049679575, 1.0211069109294437, -0.015133248319663496,
        0.006052783856218783, -0.0010399292880012303, -0.00031841987334501394,
        0.0003021161796413665, -0.00011485224424228555, 2.403193737779816e-05,
        -3.4438158198369285e-07, -1.907450723338464e-06, 8.361354458114049e-07,
        -1.9562491625728869e-07, 1.4571329380709456e-08, 9.507439385921632e-09,
        -5.125071530902429e-09, 1.3906462776354423e-09, -1.7743822481240023e-10,
        -3.54090475113324e-11, 2.8882405013912826e-11, -9.340168677971825e-12,
        1.6437558711115898e-12, 4.784324233374827e-14, -1.5047661114194931e-13,
        5.961561710697521e-14, -1.3183902067362825e-14, 8.2421021677794565e-16,
        6.995065879735497e-16, -3.603253108478437e-16, 9.632676608450684e-17,
        -1.1982965096038873e-17, -2.600121965288629e-18, 2.0476116109320514e-18,
        -6.56479892667942e-19, 1.1405296004209277e-19, 4.069353736583434e-21,
        -1.0772642348809804e-20, 4.21680288824908e-21, -9.216006571011998e-22,
        5.352075885986479e-23, 5.063203451056594e-23,
    ),
    (
        3.493990715117519, 1.0099393249951332, -0.007793969434182653,
        0.0037212025514355655, -0.001106192773627524, 0.00014036826738378832,
        4.921945268533467e-05, -3.748789792512406e-05, 1.3051833263660365e-05,
        -2.8132574185833102e-06, 2.430554934542932e-07, 9.460137759805196e-08,
        -5.4822460861619696e-08, 1.5890958433448576e-08, -2.825635604427128e-09,
        1.1114731024803766e-10, 1.3633169202533962e-10, -6.193809131344715e-11,
        1.6262280109354888e-11, -2.6132088182911606e-12, 1.7871714715387e-14,
        1.6009835072632052e-13, -6.614670776531557e-14, 1.659864933212022e-14,
        -2.4957173103261813e-15, -5.357524263909082e-17, 1.8275100970365895e-16,
        -7.096732550115902e-17, 1.7105862820642707e-17, -2.3844757928037377e-18,
        -1.3349969680728787e-19, 2.0831858432131866e-19, -7.619398189999859e-20,
        1.7569238301180422e-20, -2.233166462188521e-21, -2.2508651541189724e-22,
        2.3575225619838237e-22, -8.142583911770846e-23, 1.792550588288007e-23,
        -2.0407799964421135e-24, -3.2621236247158527e-25,
    ),
    (
        3.9974128069762385, 1.00443287690375, -0.003669483782934775,
        0.001920199072579893, -0.0006877291772271332, 0.00016275072272074417,
        -1.6218412840960087e-05, -6.004552490649207e-06, 3.898265787535898e-06,
        -1.2551670886647941e-06, 2.7052426301374197e-07, -3.3597225835225886e-08,
        -2.2058281114000008e-09, 2.694858887633565e-09, -9.107030788108943e-10,
        2.0358051747311752e-10, -2.9520110379773764e-11, 5.93161479517879e-13,
        1.3100377461915686e-12, -5.30464320901988e-13, 1.3467621384339715e-13,
        -2.3979994112162986e-14, 2.1779987705592796e-15, 4.1771556288338657e-16,
        -2.755815806047194e-16, 8.446409502659694e-17, -1.8119542091837656e-17,
        2.5470768571842224e-18, -2.7183840265178866e-20, -1.2434079213893195e-19,
        4.9572163822143073e-20, -1.2599270626594215e-20, 2.2492984649942634e-21,
        -2.0281403994771212e-22, -4.0682210702316797e-23, 2.647459485354523e-23,
        -8.084039233565076e-24, 1.7243757325348313e-24, -2.388371331284471e-25,
        1.082839022216346e-27, 1.221942922379517e-26,
    ),
    (
        4.498913714953316, 1.0019070441688078, -0.0016350894239317386,
        0.0009033427182433886, -0.00035502887258786147, 0.00010185972634733123,
        -2.006480386869041e-05, 1.6546554250669762e-06, 6.066969924849299e-07,
        -3.4829264051810025e-07, 1.0435864012374079e-07, -2.2060429617900276e-08,
        3.152880964379316e-09, -1.2353413901958307e-10, -9.84610784894181e-11,
        4.083432869665064e-11, -1.0283318122175026e-11, 1.8995133638354037e-12,
        -2.3521825366400135e-13, 2.6237595401153073e-15, 9.122003809288011e-15,
        -3.3850365918517134e-15, 8.26873104915452e-16, -1.528162403492084e-16,
        1.960898079902141e-17, -4.916272355161073e-19, -6.743192204095019e-19,
        2.670777813019757e-19, -6.788887191738841e-20, 1.3065196393858236e-20,
        -1.7890165921189273e-21, 7.904171683941836e-23, 4.979489246860812e-23,
        -2.1648717827038122e-23, 5.709479520529666e-24, -1.1309432064404719e-24,
        1.6150747999494517e-25, -9.200803689932703e-27, -3.737694510543408e-27,
        1.7656337152155237e-27, -4.792225433718525e-28,
    ),
    (
        4.999552077529406, 1.0008002248320826, -0.0007028352395938751,
        0.00040208134789869297, -0.00016680915364592147, 5.2537508543030754e-05,
        -1.2589456174330138e-05, 2.13010362077427e-06, -1.5201131154690613e-07,
        -5.2373394869467086e-08, 2.7267892035883504e-08, -7.640354398608935e-09,
        1.5657467981234631e-09, -2.3651851377628604e-10, 1.9997170227220088e-11,
        2.1999623719084145e-12, -1.483589176604471e-12, 4.1627236817182317e-13,
        -8.537658217980377e-14, 1.3560225637750426e-14, -1.4812197813547095e-15,
        1.271441775680809e-17, 4.845881898129967e-17, -1.675337973738551e-17,
        3.920994988122725e-18, -7.261119435615634e-19, 1.0519926016565758e-19,
        -9.515090777294052e-21, -5.822888908134634e-22, 5.473915598977079e-22,
        -1.662604484478963e-22, 3.689936874806476e-23, -6.536803304689457e-24,
        8.822960439235485e-25, -6.14840113686422e-26, -1.1479901315209612e-26,
        6.205983579294081e-27, -1.7035466200436527e-27, 3.547737763117612e-28,
        -5.87099777017589e-29, 7.031057320140407e-30,
    ),
)
# fmt: on


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
        near = _at_roots(near, x, _MISH_ROOTS[n], _MISH_WIDTH)
    elif n + terms <= len(_MISH_TABLE[0]):
        # One polynomial per element: the centre's coefficients are gathered by its index.
        j = jnp.clip(jnp.round(xc * 2), -10, 10)
        d = xc - j * 0.5
        row = (j + 10).astype(jnp.int32)
        p = jnp.zeros_like(x)
        for k in range(terms - 1, -1, -1):
            scale = math.factorial(n + k) / math.factorial(k)
            col = np.array([r[n + k] * scale for r in _MISH_TABLE])
            p = p * d + jnp.asarray(col, x.dtype)[row]
        xs = jnp.clip(x, -_FAR, _FAR)
        near = jnp.where(a <= 5.25, p, _mish_exp_series(n, xs))
    else:
        t = _mish_taylor(n, xc)
        near = (xc * t[n] + t[n - 1]) * _factorial(n)
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
            0.0,
            _FAR / 2,
            _FAR,
            *_window_edges(_MISH_ROOTS, _MISH_WIDTH),
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
