"""The activations: each one's math (its closed-form derivatives) and its public function.

Kink convention, for every piecewise activation and all its derivatives: x > 0 takes the
positive branch and x ≤ 0 the negative one, so relu′(0) = 0, leaky_relu′(0) = negative_slope
and elu′(0) = alpha.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jaxact._core import Activation, Array, Tower, branch, evaluate, expm1

# --- sigmoid ---------------------------------------------------------------------------


def _sigmoid_forms(n: int, m: int, x: Array) -> Array:
    # With z = e^−|x| ∈ (0, 1], nothing overflows and no difference cancels:
    # σ = [x > 0 ? 1 : z]/(1 + z), σ′ = z/(1 + z)², σ″ = −sign(x)·z(1 − z)/(1 + z)³,
    # σ‴ = z(1 − 4z + z²)/(1 + z)⁴. One exponential for every order.
    z = jnp.exp(-jnp.abs(x))
    d = 1 + z
    if n == 0:
        return jnp.where(x > 0, 1, z) / d
    if n == 1:
        return z / (d * d)
    if n == 2:
        return jnp.sign(x) * z * expm1(-jnp.abs(x), z) / (d * d * d)
    return z * (1 - 4 * z + z * z) / ((d * d) * (d * d))


_SIGMOID = Tower(_sigmoid_forms, max_order=3)


@jax.jit
def sigmoid(x: ArrayLike) -> Array:
    r"""Logistic sigmoid, with exact derivatives.

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


def _tanh_forms(n: int, m: int, x: Array) -> Array:
    # Near 0 (|x| < 0.35) tanh is its Taylor series p and sech² = 1 − p² (p² ≤ 0.12: no
    # cancellation). Elsewhere, with u = e^{−2|x|} ≤ 1/2: tanh|x| = (1 − u)/(1 + u) and
    # sech² = 4u/(1 + u)² — never 1 − tanh², which cancels to 0 in the tails. Far out
    # (|x| ≥ 20) u is e^{80−2|x|}·e^{−80}, 80 − 2|x| being exact there: k·sech² is then
    # k·4e^{−80}·e^{80−2|x|}, a normal number as long as the true value is, although u
    # underflows. One exponential for every order.
    a = jnp.abs(x)
    near, far = a < 0.35, a >= 20
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
    if n == 2:
        return -t * sech2(2)
    return sech2(2) * (2 - sech2(3))


_TANH = Tower(_tanh_forms, max_order=3)


@jax.jit
def tanh(x: ArrayLike) -> Array:
    r"""Hyperbolic tangent, with exact derivatives.

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


# --- relu ------------------------------------------------------------------------------


def _identity(n: int, x: Array) -> Array | float:
    """∂ⁿx/∂xⁿ: the positive branch of every piecewise activation, and its derivatives."""
    return [x, 1.0, 0.0][min(n, 2)]


def _relu_forms(n: int, m: int, x: Array) -> Array:
    if n == 0:
        return jnp.maximum(x, 0)  # propagates NaN, keeps integers
    return branch(x, _identity(n, x), 0.0)


_RELU = Tower(_relu_forms)


@jax.jit
def relu(x: ArrayLike) -> Array:
    r"""Rectified linear unit.

    .. math::
        \mathrm{relu}(x) = \max(0, x), \quad
        \mathrm{relu}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    Kink: x ≤ 0 takes the negative branch, so relu′(0) = 0 (as ``jax.nn.relu``).
    NaN gives NaN, and NaN derivatives. Integer inputs stay integers.

    Args:
      x: input array.

    Returns:
      An array like ``x``, in its dtype.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.relu(jnp.array([-2.0, 0.0, 3.0]))
      Array([0., 0., 3.], dtype=float32)
      >>> jax.grad(jaxact.relu)(0.0)
      Array(0., dtype=float32, weak_type=True)
    """
    return evaluate(_RELU, "relu", x, keep_int=True)


# --- leaky_relu and prelu ------------------------------------------------------------


def _leaky_forms(n: int, m: int, x: Array, alpha: Array) -> Array:
    # x for x > 0, α·x for x ≤ 0: linear in α, so ∂²/∂α² = 0.
    if m == 0:
        return branch(x, _identity(n, x), alpha * _identity(n, x))
    return branch(x, 0.0, _identity(n, x) if m == 1 else 0.0)


_LEAKY = Tower(_leaky_forms)


@jax.jit
def leaky_relu(x: ArrayLike, negative_slope: ArrayLike = 0.01) -> Array:
    r"""Leaky rectified linear unit.

    .. math::
        f(x) = \begin{cases} x & x > 0 \\ s\,x & x \le 0 \end{cases}, \quad
        f'(x) = \begin{cases} 1 & x > 0 \\ s & x \le 0 \end{cases}, \quad
        \frac{∂f}{∂s} = \begin{cases} 0 & x > 0 \\ x & x \le 0 \end{cases}

    A small slope s for negative inputs keeps units from dying. Kink: x ≤ 0 takes the
    negative branch, so f′(0) = s.

    Args:
      x: input array; integers are promoted to the default float dtype.
      negative_slope: s, a scalar or an array that broadcasts to ``x``'s shape; traced,
        so a new value never recompiles, and cast to ``x``'s dtype.

    Returns:
      An array like ``x``, in its float dtype.

    Examples:
      >>> import jax.numpy as jnp, jaxact
      >>> jaxact.leaky_relu(jnp.array([-2.0, 0.0, 3.0]), negative_slope=0.1)
      Array([-0.2,  0. ,  3. ], dtype=float32)
    """
    return evaluate(_LEAKY, "leaky_relu", x, negative_slope=negative_slope)


@jax.jit
def prelu(x: ArrayLike, alpha: ArrayLike) -> Array:
    r"""Parametric rectified linear unit: a leaky ReLU whose slope α is learned.

    .. math::
        f(x, α) = \begin{cases} x & x > 0 \\ α x & x \le 0 \end{cases}, \quad
        \frac{∂f}{∂x} = \begin{cases} 1 & x > 0 \\ α & x \le 0 \end{cases}, \quad
        \frac{∂f}{∂α} = \begin{cases} 0 & x > 0 \\ x & x \le 0 \end{cases}

    Kink: x ≤ 0 takes the negative branch, so ∂f/∂x(0) = α. Differentiate with respect to
    ``alpha`` to learn it (see ``examples/prelu_toy.py``).

    Args:
      x: input array; integers are promoted to the default float dtype.
      alpha: α, a scalar or an array that broadcasts to ``x``'s shape (e.g. one α per
        channel on the last axis); traced, so a new value never recompiles.

    Returns:
      An array like ``x``, in its float dtype.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> x = jnp.array([[-2.0, 3.0], [-1.0, -4.0]])
      >>> jaxact.prelu(x, jnp.array([0.25, 0.5]))  # one α per channel
      Array([[-0.5 ,  3.  ],
             [-0.25, -2.  ]], dtype=float32)
      >>> jax.grad(lambda a: jaxact.prelu(x, a).sum())(0.25)
      Array(-7., dtype=float32, weak_type=True)
    """
    return evaluate(_LEAKY, "prelu", x, alpha=alpha)


# --- elu -------------------------------------------------------------------------------


_E40 = math.exp(-40)


def _elu_forms(n: int, m: int, x: Array, alpha: Array) -> Array:
    # x for x > 0, α(eˣ − 1) for x ≤ 0; every derivative of the negative branch is α·eˣ.
    # Below x = −64, α·eˣ is taken as (α·e^{−40})·e^{x+40} (x + 40 is exact there), so that
    # for α > 1 it stays a normal number while eˣ alone would underflow.
    xn = jnp.minimum(x, 0)  # the positive tail never reaches exp, not even in the VJP
    far = xn < -64
    if n == 0:
        neg, scale = expm1(xn), 1.0
    else:
        neg, scale = jnp.exp(jnp.where(far, xn + 40, xn)), jnp.where(far, _E40, 1.0)
    if m == 0:
        return branch(x, _identity(n, x), neg * (alpha * scale))
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

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.elu(jnp.array([-1.0, 0.0, 2.0]))
      Array([-0.63212055,  0.        ,  2.        ], dtype=float32)
      >>> jax.grad(jaxact.elu)(-17.0)
      Array(4.1399375e-08, dtype=float32, weak_type=True)
    """
    return evaluate(_ELU, "elu", x, alpha=alpha)


# --- the table ---------------------------------------------------------------------------

_POS_NEG = "{} if x > 0 else {}"

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            name="sigmoid",
            fn=sigmoid,
            params=(),
            output_range="(0, 1)",
            formulas={"f": "1/(1 + e^-x)", "f'": "σ(1 - σ)", "f''": "σ'(1 - 2σ)"},
            jax_nn=jax.nn.sigmoid,
            tower=_SIGMOID,
        ),
        Activation(
            name="tanh",
            fn=tanh,
            params=(),
            output_range="(-1, 1)",
            formulas={"f": "tanh x", "f'": "1 - tanh² x = sech² x", "f''": "-2 tanh x sech² x"},
            jax_nn=jnp.tanh,
            tower=_TANH,
        ),
        Activation(
            name="relu",
            fn=relu,
            params=(),
            output_range="[0, ∞)",
            formulas={"f": "max(0, x)", "f'": _POS_NEG.format(1, 0), "f''": "0"},
            jax_nn=jax.nn.relu,
            tower=_RELU,
            keep_int=True,
        ),
        Activation(
            name="leaky_relu",
            fn=leaky_relu,
            params=(("negative_slope", 0.01),),
            output_range="(-∞, ∞)",
            formulas={
                "f": _POS_NEG.format("x", "s·x"),
                "f'": _POS_NEG.format(1, "s"),
                "f''": "0",
                "∂f/∂s": _POS_NEG.format(0, "x"),
            },
            jax_nn=jax.nn.leaky_relu,
            tower=_LEAKY,
        ),
        Activation(
            name="prelu",
            fn=prelu,
            params=(("alpha", None),),
            output_range="(-∞, ∞)",
            formulas={
                "f": _POS_NEG.format("x", "α·x"),
                "f'": _POS_NEG.format(1, "α"),
                "f''": "0",
                "∂f/∂α": _POS_NEG.format(0, "x"),
            },
            jax_nn=jax.nn.leaky_relu,
            tower=_LEAKY,
        ),
        Activation(
            name="elu",
            fn=elu,
            params=(("alpha", 1.0),),
            output_range="(-α, ∞)",
            formulas={
                "f": _POS_NEG.format("x", "α(eˣ - 1)"),
                "f'": _POS_NEG.format(1, "α·eˣ"),
                "f''": _POS_NEG.format(0, "α·eˣ"),
                "∂f/∂α": _POS_NEG.format(0, "eˣ - 1"),
            },
            jax_nn=jax.nn.elu,
            tower=_ELU,
        ),
    ]
}
