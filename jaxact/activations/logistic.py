"""The logistic family: sigmoid, tanh (tanh x = 2σ(2x) − 1), softplus, log_sigmoid,
log1mexp, and glu (a·σ(b)); silu and mish, x·σ(x) and x·tanh(softplus x), are the gated
family (jaxact.activations.gated) on the same series.

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

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jaxact._checks import check_input, evaluate
from jaxact._math import _E80, _LN2, compute_dtype, exp, exp_parts, expm1, log, log1p
from jaxact._math import tanh as _xla_tanh
from jaxact._row import Activation
from jaxact._series import FAR as _FAR
from jaxact._series import factorial as _factorial
from jaxact._series import (
    sigmoid_derivative,
    sigmoid_taylor_at_0,
    sigmoid_windows,
    taylor_coefficients,
)
from jaxact._tables.logistic_roots import SIGMOID_ROOTS
from jaxact._tower import Array, Tower


def _sigmoid_forms(n: int, m: int, x: Array) -> Array:
    if n == 0:
        # jax.nn's cost: 1/(1 + e^−x) is within 2 ulp wherever σ is normal (e^−x overflows
        # only where σ is subnormal: x < −88.7 in float32, −709.8 in float64). The
        # derivatives' forms, and silu's, use the 1-ulp form above. (σ from e^−|x| would
        # share that exponential in second-order steps, but measured no faster there and
        # 10 % slower as a plain forward pass.)
        return 1 / (1 + exp(-x))
    return sigmoid_derivative(n, x)


_SIGMOID = Tower(_sigmoid_forms, float64_from=4)


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
    # the same quotient for all n; (1 + u)² as 1 + u(2 + u), not d·d, whose rounding the
    # square doubles: tanh′ was 4.1 ulp off at x = −2.076 in float32 (bound 4)
    sech2 = jnp.where(far, 4 * _E80 * big, 4 * u) / (1 + u * (2 + u))
    if n == 1:
        return sech2
    t = jnp.sign(x) * th

    inner = taylor_coefficients(t, jnp.where(near, 1 - p * p, sech2), n)[n] * _factorial(n)
    if n % 2 == 0:
        # Even orders are odd functions, tanh⁽ⁿ⁾(x) = tanh⁽ⁿ⁺¹⁾(0)·x (1 + O(x²)), with
        # tanh⁽ᵏ⁾(0) = 2ᵏ⁺¹σ⁽ᵏ⁾(0). Below |x| = 2⁻¹⁰⁰ take that directly: the even Taylor
        # coefficients are O(x) with factors below 1 (h₄ ≈ 2x/3), subnormal (flushed) near
        # the smallest normal x, and the products made from them vanish.
        slope = 2.0 ** (n + 2) * sigmoid_taylor_at_0(n + 1) * _factorial(n + 1)
        inner = jnp.where(a < 2.0**-100, slope * x, inner)
    if n in SIGMOID_ROOTS:  # tanh⁽ⁿ⁾(x) = 2ⁿ⁺¹σ⁽ⁿ⁾(2x): σ⁽ⁿ⁾'s Taylor windows at 2x
        inner = sigmoid_windows(inner, 2 * x, n, 2.0 ** (n + 1))
    # Beyond |x| = 22.5 (σ's far tail at 2x): ±2ⁿ⁺¹e^{−2|x|}, scaled like sech2 above.
    tail = 2.0 ** (n + 1) * _E80 * big
    return jnp.where(a < _FAR / 2, inner, tail if n % 2 else -jnp.sign(x) * tail)


def _tanh_half(n: int, m: int, x: Array) -> Array | None:
    # For 16-bit x, tanh itself is XLA's float32 tanh (within a few float32 ulp, far inside
    # the 2⁻¹² a 16-bit result needs), as cheap as jax.nn's; the derivatives keep their forms.
    return _xla_tanh(x) if n == m == 0 else None


_TANH = Tower(_tanh_forms, half=_tanh_half, float64_from=4)


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


# --- softplus and log_sigmoid ----------------------------------------------------------


def _softplus_forms(n: int, m: int, x: Array) -> Array:
    # max(x, 0) + log1p(e^−|x|): a sum of two non-negative terms; softplus⁽ⁿ⁾ = σ⁽ⁿ⁻¹⁾.
    if n == 0:
        return jnp.maximum(x, 0) + log1p(exp(-jnp.abs(x)))
    return sigmoid_derivative(n - 1, x)


_SOFTPLUS = Tower(_softplus_forms, float64_from=5)


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


_LOG_SIGMOID = Tower(_log_sigmoid_forms, float64_from=5)


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
