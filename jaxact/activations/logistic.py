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

import math

import jax
import jax.numpy as jnp
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


def _sigmoid_forms(n: int, m: int, x: Array) -> Array:
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
    return jnp.where(a < _FAR, near, far)


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
]
