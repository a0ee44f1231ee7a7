"""The exponential family: elu.

Kink convention: x ≤ 0 takes the negative branch, for the function and every derivative,
so elu′(0) = elu″(0) = alpha.
"""

from __future__ import annotations

import math
from fractions import Fraction

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jaxact._checks import evaluate
from jaxact._dd import parts, two_prod
from jaxact._math import _E40, exp, expm1
from jaxact._row import POS_NEG, Activation
from jaxact._tower import Array, Tower, branch, identity

# --- elu -------------------------------------------------------------------------------


def _elu_forms(n: int, m: int, x: Array, alpha: Array) -> Array:
    # x for x > 0, α(eˣ − 1) for x ≤ 0; every derivative of the negative branch is α·eˣ.
    # Below x = −64, α·eˣ is taken as (α·e^{−40})·e^{x+40} (x + 40 is exact there), so that
    # for α > 1 it stays a normal number while eˣ alone would underflow.
    xn = jnp.minimum(x, 0)  # the positive tail never reaches exp, not even in the VJP
    far = xn < -64
    if n == 0:
        neg, scale = expm1(xn), 1.0
    else:
        neg, scale = exp(jnp.where(far, xn + 40, xn)), jnp.where(far, _E40, 1.0)
    if m == 0:
        return branch(x, identity(n, x), neg * (alpha * scale))
    return branch(x, 0.0, neg * scale if m == 1 else 0.0)


_ELU = Tower(_elu_forms)


@jax.jit
def elu(x: ArrayLike, alpha: ArrayLike = 1.0) -> Array:
    r"""Exponential linear unit.

    .. math::
        f(x) = \begin{cases} x & x > 0 \\ α(e^{x} - 1) & x \le 0 \end{cases}, \quad
        f'(x) = \begin{cases} 1 & x > 0 \\ α e^{x} & x \le 0 \end{cases}, \quad
        \frac{∂f}{∂α} = \begin{cases} 0 & x > 0 \\ e^{x} - 1 & x \le 0 \end{cases}

    Smooth for α = 1, no dead units, output in (−α, ∞). Kink: x ≤ 0 takes the negative
    branch, so f′(0) = f″(0) = α. The derivative is α·eˣ evaluated directly
    (``jax.grad(jax.nn.elu)`` derives it from the output and is off by 44 % at x = −17).

    Args:
      x: input array; integers are promoted to the default float dtype.
      alpha: α, a scalar or an array that broadcasts to ``x``'s shape; traced, so a new
        value never recompiles, and cast to ``x``'s dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `D.-A. Clevert, T. Unterthiner, S. Hochreiter, Fast and Accurate Deep Network Learning by
        Exponential Linear Units (ELUs), 2015 <https://arxiv.org/abs/1511.07289>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.elu(jnp.array([-1.0, 0.0, 2.0]))
      Array([-0.63212055,  0.        ,  2.        ], dtype=float32)
      >>> jax.grad(jaxact.elu)(-17.0)
      Array(4.1399375e-08, dtype=float32, weak_type=True)
    """
    return evaluate(_ELU, "elu", x, alpha=alpha)


# --- selu ------------------------------------------------------------------------------

#: jax.nn.selu's constants, exactly as written there (decimal), and their product.
_SELU_ALPHA = Fraction("1.6732632423543772848170429916717")
_SELU_SCALE = Fraction("1.0507009873554804934193349852946")


def _selu_forms(n: int, m: int, x: Array) -> Array:
    # λx for x > 0, λα(eˣ − 1) for x ≤ 0, λ and λα carried as hi + lo; every derivative of
    # the negative branch is λα·eˣ, scaled below x = −64 like elu's.
    lam, lam_lo = parts(_SELU_SCALE, x.dtype)
    la, la_lo = parts(_SELU_SCALE * _SELU_ALPHA, x.dtype)
    xn = jnp.minimum(x, 0)
    far = xn < -64
    if n == 0:
        neg, scale = expm1(xn), 1.0
        pos = jnp.where(jnp.isinf(x), x, x * lam + x * lam_lo)  # not inf − inf
    else:
        neg, scale = exp(jnp.where(far, xn + 40, xn)), jnp.where(far, _E40, 1.0)
        pos = lam if n == 1 else 0.0
    return branch(x, pos, (neg * la + neg * la_lo) * scale)


_SELU = Tower(_selu_forms)


@jax.jit
def selu(x: ArrayLike) -> Array:
    r"""Scaled exponential linear unit, with jax.nn's constants exactly.

    .. math::
        f(x) = λ\begin{cases} x & x > 0 \\ α(e^{x} - 1) & x \le 0 \end{cases}, \quad
        f'(x) = \begin{cases} λ & x > 0 \\ λα e^{x} & x \le 0 \end{cases}

    with λ = 1.0507009873554804934193349852946 and α = 1.6732632423543772848170429916717
    (λ and λα carried in two parts, hi + lo). Output in (−λα, ∞). Kink: x ≤ 0 takes the
    negative branch, so f′(0) = f″(0) = λα (as ``jax.nn.selu``). Every derivative of the
    negative branch is λα·eˣ, evaluated directly: ``jax.grad(jax.nn.selu)(-20.0)`` is 0 in
    float32, the true value 3.6e-9.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `G. Klambauer et al., Self-Normalizing Neural Networks, 2017
        <https://arxiv.org/abs/1706.02515>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.selu(jnp.array([-1.0, 0.0, 2.0]))
      Array([-1.1113307,  0.       ,  2.101402 ], dtype=float32)
      >>> jax.grad(jaxact.selu)(-20.0)
      Array(3.6237129e-09, dtype=float32, weak_type=True)
    """
    return evaluate(_SELU, "selu", x)


# --- celu ------------------------------------------------------------------------------


def _celu_poly(k: int, m: int) -> list[float]:
    """Coefficients (in u) of Pₘ: ∂ᵐ/∂αᵐ [αᵏe^{x/α}] = α^{k−m}e^u·Pₘ(u), u = x/α."""
    p = [1.0]
    for j in range(m):
        # Pⱼ₊₁ = (k − j − u)Pⱼ − u·Pⱼ′
        nxt = [0.0] * (len(p) + 1)
        for i, c in enumerate(p):
            nxt[i] += (k - j - i) * c
            nxt[i + 1] -= c
        p = nxt
    return p


#: expm1(v) − v = Σₖ≥₂ vᵏ/k! by its series for v < 2.5 (all terms positive).
_CELU_SERIES = 2.5


def _celu_forms(n: int, m: int, x: Array, alpha: Array) -> Array:
    # celu is defined for α > 0 (its negative branch tends to −α): NaN, for f and every
    # derivative, where α ≤ 0 (jax.nn.celu evaluates its formula there).
    return jnp.where(alpha > 0, _celu_positive_forms(n, m, x, alpha), jnp.nan)


def _celu_positive_forms(n: int, m: int, x: Array, alpha: Array) -> Array:
    # x for x > 0, α(e^{x/α} − 1) for x ≤ 0. u = x/α is carried as u_hi + u_lo (the
    # rounding of x/α would cost |u|/2 ulp in e^u), e^u = e^{u_hi}(1 + u_lo). ∂ⁿₓ of the
    # negative branch is α^{1−n}e^u (n ≥ 1), and ∂ᵐ_α of αᵏe^u is α^{k−m}e^u·Pₘ(u), Pₘ a
    # polynomial; ∂f/∂α = e^u − 1 − u·e^u = −e^{−v}(expm1(v) − v), v = −u, whose series
    # has positive terms. Below u = −64, e^u is scaled by e^{−40} like elu's.
    xn = jnp.maximum(jnp.minimum(x, 0), -1e4 * alpha)
    u = xn / alpha
    h, lo = two_prod(u, alpha)  # xn − u·α exactly, with no rounded product to contract
    ulo = ((xn - h) - lo) / alpha
    far = u < -64
    eu = exp(jnp.where(far, u + 40, u)) * (1 + ulo)
    scale = jnp.where(far, _E40, 1.0)
    if m == 0:
        if n == 0:
            neg = alpha * (expm1(u) + exp(u) * ulo)
        else:
            neg = eu * alpha ** (1 - n) * scale
        return branch(x, identity(n, x), neg)
    if n == 0 and m == 1:
        v = -(u + ulo)
        s = jnp.zeros_like(v)
        for j in range(30 if x.dtype == jnp.float64 else 16, 1, -1):
            s = (s + 1.0 / math.factorial(j)) * v
        s = s * v
        near = -exp(-v) * s
        tail = expm1(-v) + v * exp(-v)
        return branch(x, 0.0, jnp.where(v < _CELU_SERIES, near, tail))
    k = 1 - n if n else 1
    poly = jnp.zeros_like(u)
    for c in reversed(_celu_poly(k, m)):
        poly = poly * u + c
    return branch(x, 0.0, eu * poly * alpha ** (k - m) * scale)


_CELU = Tower(_celu_forms)


@jax.jit
def celu(x: ArrayLike, alpha: ArrayLike = 1.0) -> Array:
    r"""Continuously differentiable exponential linear unit.

    .. math::
        f(x) = \begin{cases} x & x > 0 \\ α(e^{x/α} - 1) & x \le 0 \end{cases}, \quad
        f'(x) = \begin{cases} 1 & x > 0 \\ e^{x/α} & x \le 0 \end{cases}, \quad
        \frac{∂f}{∂α} = \begin{cases} 0 & x > 0 \\ e^{x/α} - 1 - \frac{x}{α} e^{x/α}
        & x \le 0 \end{cases}

    C¹ for every α > 0, output in (−α, ∞). Kink (of f″): x ≤ 0 takes the negative branch,
    so f″(0) = 1/α (``jax.nn.celu``'s f″(0) is 0). x/α is carried in two parts, so e^{x/α}
    stays exact far out; ``jax.grad(jax.nn.celu)(-20.0)`` is 0 in float32, the true value
    2.1e-9.

    Args:
      x: input array; integers are promoted to the default float dtype.
      alpha: α > 0, a scalar or an array that broadcasts to ``x``'s shape; traced, so a new
        value never recompiles, and cast to ``x``'s dtype. Where α ≤ 0 the result and
        every derivative are NaN (``jax.nn.celu`` evaluates its formula there).

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `J. T. Barron, Continuously Differentiable Exponential Linear Units, 2017
        <https://arxiv.org/abs/1704.07483>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.celu(jnp.array([-1.0, 0.0, 2.0]), 0.5)
      Array([-0.43233237,  0.        ,  2.        ], dtype=float32)
      >>> jax.grad(jaxact.celu)(-20.0)
      Array(2.0611537e-09, dtype=float32, weak_type=True)
    """
    return evaluate(_CELU, "celu", x, alpha=alpha)


def _selu_definition(mp, x, at):
    # λ and α from their definition (Klambauer et al., the fixed point of mean 0 and
    # variance 1), not from the library's constants. λ·x uses λ rounded to 64 bits (2⁻⁶⁵
    # relative, 1/2048 ulp in float64): a product that mpmath forms exactly, so that its
    # numerical derivatives of order ≥ 2 are exactly 0 (the exact λ leaves noise there).
    lam, alpha = _selu_constants(mp)
    if at > 0:
        return x * mp.ldexp(int(mp.nint(lam * 2**63)), -63)
    return lam * alpha * (mp.exp(x) - 1)


def _selu_constants(mp) -> tuple:
    """(λ, α) of selu at mpmath's working precision (cached per precision):
    α = −√(2/π)/(erfc(1/√2)·√e − 1) and λ = (1 − erfc(1/√2)·√e)·√(2π)·(2·erfc(√2)·e² +
    π·erfc(1/√2)²·e − 2(2 + π)·erfc(1/√2)·√e + π + 2)^(−1/2)."""
    key = mp.mp.prec
    if key not in _SELU_MP:
        with mp.workprec(key + 20):
            c, e = mp.erfc(1 / mp.sqrt(2)), mp.e
            alpha = -mp.sqrt(2 / mp.pi) / (c * mp.sqrt(e) - 1)
            q = 2 * mp.erfc(mp.sqrt(2)) * e**2 + mp.pi * c**2 * e
            q += -2 * (2 + mp.pi) * c * mp.sqrt(e) + mp.pi + 2
            lam = (1 - c * mp.sqrt(e)) * mp.sqrt(2 * mp.pi) / mp.sqrt(q)
        _SELU_MP[key] = (+lam, +alpha)
    return _SELU_MP[key]


_SELU_MP: dict[int, tuple] = {}


# --- the rows ----------------------------------------------------------------------------

ROWS = [
    Activation(
        name="elu",
        fn=elu,
        params=(("alpha", 1.0),),
        output_range="(-α, ∞)",
        formulas={
            "f": POS_NEG.format("x", "α(eˣ - 1)"),
            "f'": POS_NEG.format(1, "α·eˣ"),
            "f''": POS_NEG.format(0, "α·eˣ"),
            "∂f/∂α": POS_NEG.format(0, "eˣ - 1"),
        },
        jax_nn=jax.nn.elu,
        tower=_ELU,
        definition=lambda mp, x, at, a: x if at > 0 else a * (mp.exp(x) - 1),
        switch_points=(-64.0, -math.log(2), 0.0),  # far tail; expm1's ln 2; the kink
    ),
    Activation(
        name="selu",
        fn=selu,
        params=(),
        output_range="(-λα, ∞)",
        formulas={
            "f": POS_NEG.format("λx", "λα(eˣ - 1)"),
            "f'": POS_NEG.format("λ", "λα·eˣ"),
            "f''": POS_NEG.format(0, "λα·eˣ"),
        },
        jax_nn=jax.nn.selu,
        tower=_SELU,
        definition=_selu_definition,
        switch_points=(-64.0, -math.log(2), 0.0),
    ),
    Activation(
        name="celu",
        fn=celu,
        params=(("alpha", 1.0),),
        output_range="(-α, ∞)",
        formulas={
            "f": POS_NEG.format("x", "α(e^(x/α) - 1)"),
            "f'": POS_NEG.format(1, "e^(x/α)"),
            "f''": POS_NEG.format(0, "e^(x/α)/α"),
            "∂f/∂α": POS_NEG.format(0, "e^(x/α) - 1 - (x/α)e^(x/α)"),
        },
        jax_nn=jax.nn.celu,
        tower=_CELU,
        definition=lambda mp, x, at, a: x if at > 0 else a * (mp.exp(x / a) - 1),
        # far tail and expm1's ln 2 at α = 1 and α = 1.7; ∂f/∂α's series cutoff; the kink
        switch_points=(-64.0, -108.8, -math.log(2), -1.7 * math.log(2), -2.5, -4.25, 0.0),
    ),
]
