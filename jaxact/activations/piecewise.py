"""The piecewise family: relu, leaky_relu, prelu, relu6, hard_tanh, hard_sigmoid, hard_silu
(alias hard_swish), sparse_plus, sparse_sigmoid and identity.

Kink convention, for every piecewise activation and all its derivatives: the left piece owns
each breakpoint b (x ≤ b takes the left piece, x > b the right one), so relu′(0) = 0 and
leaky_relu′(0) = negative_slope (``jax.nn.leaky_relu`` takes the positive branch at 0: 1
there). The piece is chosen on x itself, never on a rounded x + 3 or x + 1. Each function's
docstring lists where ``jax.nn`` differs.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jaxact._checks import evaluate, named_input
from jaxact._row import POS_NEG, Activation
from jaxact._tower import Array, Tower, branch
from jaxact._tower import identity as _linear

# --- relu ------------------------------------------------------------------------------


def _relu_forms(n: int, m: int, x: Array) -> Array:
    if n == 0:
        return jnp.maximum(x, 0)  # propagates NaN, keeps integers
    return branch(x, _linear(n, x), 0.0)


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

    References:
      - `V. Nair, G. E. Hinton, Rectified Linear Units Improve Restricted Boltzmann Machines, ICML
        2010 <https://www.cs.toronto.edu/~hinton/absps/reluICML.pdf>`_.
      - `D. Bertoin et al., Numerical influence of ReLU′(0) on backpropagation, NeurIPS 2021
        <https://dl.acm.org/doi/10.5555/3540261.3540297>`_.

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
        return branch(x, _linear(n, x), alpha * _linear(n, x))
    return branch(x, 0.0, _linear(n, x) if m == 1 else 0.0)


_LEAKY = Tower(_leaky_forms, name="leaky_relu")
_PRELU = Tower(_leaky_forms, name="prelu")  # the same forms, its own primitive


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

    References:
      - `A. L. Maas, A. Y. Hannun, A. Y. Ng, Rectifier Nonlinearities Improve Neural Network
        Acoustic Models, ICML 2013
        <https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf>`_.

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

    References:
      - `K. He et al., Delving Deep into Rectifiers, 2015 <https://arxiv.org/abs/1502.01852>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> x = jnp.array([[-2.0, 3.0], [-1.0, -4.0]])
      >>> jaxact.prelu(x, jnp.array([0.25, 0.5]))  # one α per channel
      Array([[-0.5 ,  3.  ],
             [-0.25, -2.  ]], dtype=float32)
      >>> jax.grad(lambda a: jaxact.prelu(x, a).sum())(0.25)
      Array(-7., dtype=float32, weak_type=True)
    """
    return evaluate(_PRELU, "prelu", x, alpha=alpha)


# --- relu6, hard_tanh, hard_sigmoid, hard_silu, sparse_plus, sparse_sigmoid, identity ------
#
# Each is a list of breakpoints b₁ < b₂ < … and of pieces, ``piece(n, x)`` = the n-th
# derivative of the polynomial piece at x; x ≤ bₖ takes the piece left of bₖ.


def _pieces(x: Array, breaks: tuple[float, ...], values: list) -> Array:
    """values[k] where b_k < x ≤ b_(k+1) (b₀ = −∞, b_last = ∞), NaN where x is NaN."""
    out = (
        values[-1]
        if not jnp.issubdtype(x.dtype, jnp.floating)
        else jnp.where(jnp.isnan(x), jnp.nan, values[-1])
    )  # NaN as a constant: see _tower.branch
    for b, v in zip(breaks[::-1], values[-2::-1], strict=True):
        out = jnp.where(x <= b, v, out)
    return out


def _const(c: float):
    # An integer constant for integer x (hard_tanh keeps integers, as jax.nn's does).
    def piece(n: int, x: Array) -> Array | float:
        if n:
            return 0.0
        return int(c) if jnp.issubdtype(x.dtype, jnp.integer) else c

    return piece


def _piecewise(name: str, breaks: tuple[float, ...], *pieces) -> Tower:
    def forms(n: int, m: int, x: Array) -> Array:
        return _pieces(x, breaks, [p(n, x) for p in pieces])

    return Tower(forms, name=name)


def _hard_sigmoid_mid(n: int, x: Array) -> Array | float:
    # (x + 3)/6: x + 3 is exact for x ∈ [−6, −1.5] (Sterbenz), so nothing cancels near −3.
    return [(x + 3) / 6, 1 / 6, 0.0][min(n, 2)]


def _hard_silu_mid(n: int, x: Array) -> Array | float:
    # x(x + 3)/6, (2x + 3)/6, 1/3: x + 3 and 2x + 3 are exact near their roots −3 and −1.5.
    return [x * (x + 3) / 6, (2 * x + 3) / 6, 1 / 3, 0.0][min(n, 3)]


def _sparse_plus_mid(n: int, x: Array) -> Array | float:
    # (x + 1)²/4: x + 1 is exact for x ∈ [−2, −0.5], so nothing cancels near −1.
    return [(x + 1) * (x + 1) / 4, (x + 1) / 2, 0.5, 0.0][min(n, 3)]


def _sparse_sigmoid_mid(n: int, x: Array) -> Array | float:
    # (x + 1)/2 is correctly rounded: x + 1 is rounded once and halving is exact.
    return [(x + 1) / 2, 0.5, 0.0][min(n, 2)]


def _relu6_forms(n: int, m: int, x: Array) -> Array:
    if n == 0:
        return jnp.minimum(jnp.maximum(x, 0), 6)  # propagates NaN
    return _pieces(x, (0.0, 6.0), [0.0, _linear(n, x), 0.0])


_RELU6 = Tower(_relu6_forms)
_HARD_TANH = _piecewise("hard_tanh", (-1.0, 1.0), _const(-1.0), _linear, _const(1.0))
_HARD_SIGMOID = _piecewise("hard_sigmoid", (-3.0, 3.0), _const(0.0), _hard_sigmoid_mid, _const(1.0))
_HARD_SILU = _piecewise("hard_silu", (-3.0, 3.0), _const(0.0), _hard_silu_mid, _linear)
_SPARSE_PLUS = _piecewise("sparse_plus", (-1.0, 1.0), _const(0.0), _sparse_plus_mid, _linear)
_SPARSE_SIGMOID = _piecewise(
    "sparse_sigmoid", (-1.0, 1.0), _const(0.0), _sparse_sigmoid_mid, _const(1.0)
)
_IDENTITY = _piecewise("identity", (), _linear)


@jax.jit
def relu6(x: ArrayLike) -> Array:
    r"""Rectified linear unit capped at 6.

    .. math::
        \mathrm{relu6}(x) = \min(\max(x, 0), 6), \quad
        \mathrm{relu6}'(x) = \begin{cases} 0 & x \le 0 \\ 1 & 0 < x \le 6 \\ 0 & x > 6
        \end{cases}

    Kinks: the left piece owns each breakpoint: x ≤ 0 takes 0, so relu6′(0) = 0 (as
    ``jax.nn.relu6``), and 0 < x ≤ 6 takes x, so relu6′(6) = 1 (``jax.nn.relu6`` gives 0
    there). NaN gives NaN, and NaN derivatives.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `A. Krizhevsky, Convolutional Deep Belief Networks on CIFAR-10, 2010
        <https://www.cs.toronto.edu/~kriz/conv-cifar10-aug2010.pdf>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.relu6(jnp.array([-2.0, 3.0, 8.0]))
      Array([0., 3., 6.], dtype=float32)
      >>> jax.grad(jaxact.relu6)(6.0)
      Array(1., dtype=float32, weak_type=True)
    """
    return evaluate(_RELU6, "relu6", x)


@jax.jit
def hard_tanh(x: ArrayLike) -> Array:
    r"""Hard tanh: x clipped to [−1, 1].

    .. math::
        f(x) = \begin{cases} -1 & x \le -1 \\ x & -1 < x \le 1 \\ 1 & x > 1 \end{cases},
        \quad f'(x) = \begin{cases} 0 & x \le -1 \\ 1 & -1 < x \le 1 \\ 0 & x > 1
        \end{cases}

    Kinks: the left piece owns each breakpoint (x ≤ −1 takes −1, −1 < x ≤ 1 takes x), so
    f′(−1) = 0 and f′(1) = 1. ``jax.nn.hard_tanh`` gives f′(−1) = 1 (its middle piece is
    closed at both ends). NaN gives NaN, and NaN derivatives.

    Args:
      x: input array; integers stay integers, as in ``jax.nn.hard_tanh``.

    Returns:
      An array like ``x``, in its dtype.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.hard_tanh(jnp.array([-2.0, 0.5, 2.0]))
      Array([-1. ,  0.5,  1. ], dtype=float32)
      >>> jax.grad(jaxact.hard_tanh)(-1.0), jax.grad(jaxact.hard_tanh)(1.0)
      (Array(0., dtype=float32, weak_type=True), Array(1., dtype=float32, weak_type=True))
    """
    return evaluate(_HARD_TANH, "hard_tanh", x, keep_int=True)


@jax.jit
def hard_sigmoid(x: ArrayLike) -> Array:
    r"""Hard sigmoid: relu6(x + 3)/6.

    .. math::
        f(x) = \begin{cases} 0 & x \le -3 \\ (x + 3)/6 & -3 < x \le 3 \\ 1 & x > 3
        \end{cases}, \quad
        f'(x) = \begin{cases} 0 & x \le -3 \\ 1/6 & -3 < x \le 3 \\ 0 & x > 3 \end{cases}

    Kinks: the left piece owns each breakpoint (x ≤ −3 takes 0, −3 < x ≤ 3 takes
    (x + 3)/6), so f′(−3) = 0 and f′(3) = 1/6
    (``jax.nn.hard_sigmoid`` gives 0 at 3). The piece is chosen on x, not on the rounded
    x + 3: ``jax.grad(jax.nn.hard_sigmoid)`` is 0 at the float32 x = 3 − 2⁻²², where x + 3
    rounds to 6. NaN gives NaN, and NaN derivatives.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `A. Howard et al., Searching for MobileNetV3, 2019 <https://arxiv.org/abs/1905.02244>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.hard_sigmoid(jnp.array([-4.0, 0.0, 1.5, 4.0]))
      Array([0.  , 0.5 , 0.75, 1.  ], dtype=float32)
      >>> jax.grad(jaxact.hard_sigmoid)(3.0)
      Array(0.16666667, dtype=float32, weak_type=True)
    """
    return evaluate(_HARD_SIGMOID, "hard_sigmoid", x)


@jax.jit
def hard_silu(x: ArrayLike) -> Array:
    r"""Hard SiLU (hard swish): x·hard_sigmoid(x). ``hard_swish`` is the same function.

    .. math::
        f(x) = \begin{cases} 0 & x \le -3 \\ x(x + 3)/6 & -3 < x \le 3 \\ x & x > 3
        \end{cases}, \quad
        f'(x) = \begin{cases} 0 & x \le -3 \\ (2x + 3)/6 & -3 < x \le 3 \\ 1 & x > 3
        \end{cases}, \quad
        f''(x) = \begin{cases} 1/3 & -3 < x \le 3 \\ 0 & \text{else} \end{cases}

    Kinks: the left piece owns each breakpoint (x ≤ −3 takes 0, −3 < x ≤ 3 takes
    x(x + 3)/6), so f′(−3) = f″(−3) = 0, f′(3) = 3/2 and
    f″(3) = 1/3 (``jax.nn.hard_silu`` gives f′(3) = 1 and f″(3) = 0, and f(−3) = −0).
    The piece is chosen on x, not on the rounded x + 3. NaN gives NaN, and NaN derivatives.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `A. Howard et al., Searching for MobileNetV3, 2019 <https://arxiv.org/abs/1905.02244>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.hard_silu(jnp.array([-4.0, -1.5, 0.0, 3.0, 4.0]))
      Array([ 0.   , -0.375,  0.   ,  3.   ,  4.   ], dtype=float32)
      >>> jax.grad(jaxact.hard_silu)(3.0)
      Array(1.5, dtype=float32, weak_type=True)
    """
    return evaluate(_HARD_SILU, "hard_silu", x)


hard_swish = hard_silu


@jax.jit
def sparse_plus(x: ArrayLike) -> Array:
    r"""Sparse plus: 0, then (x + 1)²/4, then x; the twin of softplus.

    .. math::
        f(x) = \begin{cases} 0 & x \le -1 \\ (x + 1)^2/4 & -1 < x \le 1 \\ x & x > 1
        \end{cases}, \quad
        f'(x) = \mathrm{sparse\_sigmoid}(x), \quad
        f''(x) = \begin{cases} 1/2 & -1 < x \le 1 \\ 0 & \text{else} \end{cases}

    f and f′ are continuous; f″ jumps at ±1, where the left piece owns the breakpoint
    (x ≤ −1 takes 0, −1 < x ≤ 1 takes (x + 1)²/4):
    f″(−1) = 0 and f″(1) = 1/2 (``jax.nn.sparse_plus`` takes x at x = 1, so its f″(1) = 0;
    its gradient is NaN for float32 |x| > 1.7e38, where the unselected piece overflows).
    NaN gives NaN, and NaN derivatives.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `M. Blondel, A. F. T. Martins, V. Niculae, Learning with Fenchel-Young Losses, 2019
        <https://arxiv.org/abs/1901.02324>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.sparse_plus(jnp.array([-2.0, 0.0, 1.0, 2.0]))
      Array([0.  , 0.25, 1.  , 2.  ], dtype=float32)
      >>> jax.grad(jax.grad(jaxact.sparse_plus))(1.0)
      Array(0.5, dtype=float32, weak_type=True)
    """
    return evaluate(_SPARSE_PLUS, "sparse_plus", x)


@jax.jit
def sparse_sigmoid(x: ArrayLike) -> Array:
    r"""Sparse sigmoid: 0, then (x + 1)/2, then 1; the derivative of sparse_plus.

    .. math::
        f(x) = \begin{cases} 0 & x \le -1 \\ (x + 1)/2 & -1 < x \le 1 \\ 1 & x > 1
        \end{cases}, \quad
        f'(x) = \begin{cases} 0 & x \le -1 \\ 1/2 & -1 < x \le 1 \\ 0 & x > 1 \end{cases}

    Kinks: the left piece owns each breakpoint (x ≤ −1 takes 0, −1 < x ≤ 1 takes
    (x + 1)/2), so f′(−1) = 0 and f′(1) = 1/2
    (``jax.nn.sparse_sigmoid`` clips x + 1 and gives 1/4 at both). The piece is chosen on
    x, not on the rounded x + 1. NaN gives NaN, and NaN derivatives.

    Args:
      x: input array; integers are promoted to the default float dtype.

    Returns:
      An array like ``x``, in its float dtype.

    References:
      - `M. Blondel, A. F. T. Martins, V. Niculae, Learning with Fenchel-Young Losses, 2019
        <https://arxiv.org/abs/1901.02324>`_.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.sparse_sigmoid(jnp.array([-2.0, 0.0, 0.5, 2.0]))
      Array([0.  , 0.5 , 0.75, 1.  ], dtype=float32)
      >>> jax.grad(jaxact.sparse_sigmoid)(1.0)
      Array(0.5, dtype=float32, weak_type=True)
    """
    return evaluate(_SPARSE_SIGMOID, "sparse_sigmoid", x)


@jax.jit
def identity(x: ArrayLike) -> Array:
    r"""The identity activation: f(x) = x, f′ = 1, f″ = 0.

    No kink. Integers stay integers, as in ``jax.nn.identity`` (and relu, hard_tanh). NaN
    gives NaN. x is returned as it is, as jax.nn does: autodiff of x is exact at every order
    with no primitive (which cost a copy, and in 16-bit two conversions and a product:
    1.5–2.6× jax.nn's time); ``jaxact.derivative("identity", n)`` is the closed form.

    Args:
      x: input array.

    Returns:
      An array like ``x``, in its dtype.

    Examples:
      >>> import jax, jax.numpy as jnp, jaxact
      >>> jaxact.identity(jnp.array([-2.0, 0.5]))
      Array([-2. ,  0.5], dtype=float32)
      >>> jax.grad(jaxact.identity)(3.0)
      Array(1., dtype=float32, weak_type=True)
    """
    return named_input(x, "identity", keep_int=True)


# --- the rows ----------------------------------------------------------------------------


def _sixth(mp):
    """1/6 to 100 bits, a dyadic number: (x + 3)·_sixth is then exact at the reference's
    working precision, so its derivatives above the degree come out exactly 0 (1/6 rounded
    to the working precision leaves noise of 2⁻¹⁸⁰ there, above float64's smallest normal).
    hard_silu's x(x + 3)/6 is written (x + 1.5)²/6 − 3/8, even about its vertex, so that
    central differences give exactly 0 for f′(−1.5) (mp.diffs' one-sided ones give −2h/3)."""
    with mp.workprec(100):
        return 1 / mp.mpf(6)


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
        tower=_PRELU,
        definition=lambda mp, x, at, a: x if at > 0 else a * x,
        switch_points=(0.0,),
    ),
    Activation(
        name="relu6",
        fn=relu6,
        params=(),
        output_range="[0, 6]",
        formulas={
            "f": "min(max(x, 0), 6)",
            "f'": "1 if 0 < x ≤ 6 else 0",
            "f''": "0",
        },
        jax_nn=jax.nn.relu6,
        tower=_RELU6,
        definition=lambda mp, x, at: 0 * x if at <= 0 else x if at <= 6 else 0 * x + 6,
        switch_points=(0.0, 6.0),
    ),
    Activation(
        name="hard_tanh",
        fn=hard_tanh,
        params=(),
        output_range="[-1, 1]",
        formulas={
            "f": "-1 if x ≤ -1 else x if x ≤ 1 else 1",
            "f'": "1 if -1 < x ≤ 1 else 0",
            "f''": "0",
        },
        jax_nn=jax.nn.hard_tanh,
        tower=_HARD_TANH,
        definition=lambda mp, x, at: 0 * x - 1 if at <= -1 else x if at <= 1 else 0 * x + 1,
        switch_points=(-1.0, 1.0),
        keep_int=True,
    ),
    Activation(
        name="hard_sigmoid",
        fn=hard_sigmoid,
        params=(),
        output_range="[0, 1]",
        formulas={
            "f": "0 if x ≤ -3 else (x + 3)/6 if x ≤ 3 else 1",
            "f'": "1/6 if -3 < x ≤ 3 else 0",
            "f''": "0",
        },
        jax_nn=jax.nn.hard_sigmoid,
        tower=_HARD_SIGMOID,
        definition=lambda mp, x, at: (
            0 * x if at <= -3 else (x + 3) * _sixth(mp) if at <= 3 else 0 * x + 1
        ),
        switch_points=(-3.0, 3.0),
    ),
    Activation(
        name="hard_silu",
        aliases=("hard_swish",),
        fn=hard_silu,
        params=(),
        output_range="[-3/8, ∞)",
        formulas={
            "f": "0 if x ≤ -3 else x(x + 3)/6 if x ≤ 3 else x",
            "f'": "0 if x ≤ -3 else (2x + 3)/6 if x ≤ 3 else 1",
            "f''": "1/3 if -3 < x ≤ 3 else 0",
        },
        jax_nn=jax.nn.hard_silu,
        tower=_HARD_SILU,
        definition=lambda mp, x, at: (
            0 * x if at <= -3 else ((x + 1.5) ** 2 - 2.25) / 6 if at <= 3 else x
        ),
        switch_points=(-3.0, 3.0),
    ),
    Activation(
        name="sparse_plus",
        fn=sparse_plus,
        params=(),
        output_range="[0, ∞)",
        formulas={
            "f": "0 if x ≤ -1 else (x + 1)²/4 if x ≤ 1 else x",
            "f'": "0 if x ≤ -1 else (x + 1)/2 if x ≤ 1 else 1",
            "f''": "1/2 if -1 < x ≤ 1 else 0",
        },
        jax_nn=jax.nn.sparse_plus,
        tower=_SPARSE_PLUS,
        definition=lambda mp, x, at: 0 * x if at <= -1 else (x + 1) ** 2 / 4 if at <= 1 else x,
        switch_points=(-1.0, 1.0),
    ),
    Activation(
        name="sparse_sigmoid",
        fn=sparse_sigmoid,
        params=(),
        output_range="[0, 1]",
        formulas={
            "f": "0 if x ≤ -1 else (x + 1)/2 if x ≤ 1 else 1",
            "f'": "1/2 if -1 < x ≤ 1 else 0",
            "f''": "0",
        },
        jax_nn=jax.nn.sparse_sigmoid,
        tower=_SPARSE_SIGMOID,
        definition=lambda mp, x, at: 0 * x if at <= -1 else (x + 1) / 2 if at <= 1 else 0 * x + 1,
        switch_points=(-1.0, 1.0),
    ),
    Activation(
        name="identity",
        fn=identity,
        params=(),
        output_range="(-∞, ∞)",
        formulas={"f": "x", "f'": "1", "f''": "0"},
        jax_nn=jax.nn.identity,
        tower=_IDENTITY,
        definition=lambda mp, x, at: x,
        smooth=True,
        keep_int=True,
    ),
]
