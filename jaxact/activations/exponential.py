"""The exponential family: elu.

Kink convention: x ≤ 0 takes the negative branch, for the function and every derivative,
so elu′(0) = elu″(0) = alpha.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jaxact._core import (
    POS_NEG,
    Activation,
    Array,
    Tower,
    branch,
    evaluate,
    expm1,
    identity,
)

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

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.elu(jnp.array([-1.0, 0.0, 2.0]))
      Array([-0.63212055,  0.        ,  2.        ], dtype=float32)
      >>> jax.grad(jaxact.elu)(-17.0)
      Array(4.1399375e-08, dtype=float32, weak_type=True)
    """
    return evaluate(_ELU, "elu", x, alpha=alpha)


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
]
