"""Memory-lean sigmoid and tanh: the gradient is taken from the output, as jax.nn does.

The exact ``jaxact.sigmoid`` and ``jaxact.tanh`` evaluate their derivatives from the input,
so a training step keeps one extra tensor per layer for the backward pass. These forms
compute the same values but take the derivative from the output, σ′ = σ(1 − σ) and
tanh′ = 1 − tanh², which the next layer keeps anyway: no extra memory. The price is the
accuracy the exact forms exist for: the derivative is exact only to about 2 ulp of 1 in
absolute terms, so it is 0 in the tails (|x| ≳ 17 for float32 sigmoid, ≳ 9 for tanh), and
higher orders are the textbook expressions differentiated by autodiff. Use them when
memory, not gradient accuracy in the tails, is what binds.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
from jax.typing import ArrayLike

from jaxact._checks import check_input
from jaxact._math import compute_dtype
from jaxact._tower import Array
from jaxact.activations import ACTIVATIONS


def _from_output(value: Callable[[Array], Array], derivative: Callable[[Array], Array]):
    f = jax.custom_jvp(value)

    @f.defjvp
    def jvp(primals, tangents):
        (x,), (tx,) = primals, tangents
        y = f(x)
        wide = y.astype(compute_dtype(y.dtype))  # 16-bit: round once
        return y, derivative(wide).astype(y.dtype) * tx

    return f


_SIGMOID_LEAN = _from_output(ACTIVATIONS["sigmoid"].tower(0), lambda y: y * (1 - y))
_TANH_LEAN = _from_output(ACTIVATIONS["tanh"].tower(0), lambda y: 1 - y * y)


@jax.jit
def sigmoid(x: ArrayLike) -> Array:
    r"""Logistic sigmoid whose gradient is σ(1 − σ) of the output: memory-lean, not exact.

    Same values as :func:`jaxact.sigmoid`; the derivative is exact to ~2 ulp of 1 only
    (0 for x ≳ 17 in float32). See the module docstring.

    Examples:
      >>> import jax, jaxact.lean
      >>> jax.grad(jaxact.lean.sigmoid)(20.0)  # jaxact.sigmoid: 2.0611537e-09
      Array(0., dtype=float32, weak_type=True)
    """
    return _SIGMOID_LEAN(check_input(x, "lean.sigmoid"))


@jax.jit
def tanh(x: ArrayLike) -> Array:
    r"""Hyperbolic tangent whose gradient is 1 − tanh² of the output: memory-lean, not exact.

    Same values as :func:`jaxact.tanh`; the derivative is exact to ~2 ulp of 1 only
    (0 for |x| ≳ 9 in float32). See the module docstring.

    Examples:
      >>> import jax, jaxact.lean
      >>> jax.grad(jaxact.lean.tanh)(10.0)  # jaxact.tanh: 8.244615e-09
      Array(0., dtype=float32, weak_type=True)
    """
    return _TANH_LEAN(check_input(x, "lean.tanh"))
