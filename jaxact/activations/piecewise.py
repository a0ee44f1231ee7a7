"""The piecewise-linear family: relu, leaky_relu and prelu.

Kink convention, for every piecewise activation and all its derivatives: x > 0 takes the
positive branch and x ≤ 0 the negative one, so relu′(0) = 0 and leaky_relu′(0) =
negative_slope (``jax.nn.leaky_relu`` takes the positive branch at 0: 1 there).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jaxact._core import POS_NEG, Activation, Array, Tower, branch, evaluate, identity

# --- relu ------------------------------------------------------------------------------


def _relu_forms(n: int, m: int, x: Array) -> Array:
    if n == 0:
        return jnp.maximum(x, 0)  # propagates NaN, keeps integers
    return branch(x, identity(n, x), 0.0)


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
        return branch(x, identity(n, x), alpha * identity(n, x))
    return branch(x, 0.0, identity(n, x) if m == 1 else 0.0)


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


# --- the rows ----------------------------------------------------------------------------

ROWS = [
    Activation(
        name="relu",
        fn=relu,
        params=(),
        output_range="[0, ∞)",
        formulas={"f": "max(0, x)", "f'": POS_NEG.format(1, 0), "f''": "0"},
        jax_nn=jax.nn.relu,
        tower=_RELU,
        keep_int=True,
        definition=lambda mp, x, at: x if at > 0 else 0 * x,
        switch_points=(0.0,),
    ),
    Activation(
        name="leaky_relu",
        fn=leaky_relu,
        params=(("negative_slope", 0.01),),
        output_range="(-∞, ∞)",
        formulas={
            "f": POS_NEG.format("x", "s·x"),
            "f'": POS_NEG.format(1, "s"),
            "f''": "0",
            "∂f/∂s": POS_NEG.format(0, "x"),
        },
        jax_nn=jax.nn.leaky_relu,
        tower=_LEAKY,
        definition=lambda mp, x, at, s: x if at > 0 else s * x,
        switch_points=(0.0,),
    ),
    Activation(
        name="prelu",
        fn=prelu,
        params=(("alpha", None),),
        output_range="(-∞, ∞)",
        formulas={
            "f": POS_NEG.format("x", "α·x"),
            "f'": POS_NEG.format(1, "α"),
            "f''": "0",
            "∂f/∂α": POS_NEG.format(0, "x"),
        },
        jax_nn=jax.nn.leaky_relu,
        tower=_LEAKY,
        definition=lambda mp, x, at, a: x if at > 0 else a * x,
        switch_points=(0.0,),
    ),
]
