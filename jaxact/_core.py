"""Machinery shared by every activation: input checks, dtypes, and the derivative tower.

An activation is described by its *forms*: ``forms(n, m, x, *params)`` returns the closed
form of ∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ f(x, α) (``m`` is always 0 for activations without a parameter).
:class:`Tower` turns those forms into JAX functions whose derivatives of every order are
the next closed forms, so ``jax.grad``, ``jax.jvp``, ``jax.hessian``, … never differentiate
a numerically fragile expression: each order is evaluated directly, stably, and rounded once.
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax.custom_derivatives import SymbolicZero

Array = jax.Array
Forms = Callable[..., Array]

_HALF = (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16))
_LN2 = 0.6931471805599453


def check_input(x: object, fn: str, *, keep_int: bool = False) -> Array:
    """Returns ``x`` as a real floating array (integers promoted unless ``keep_int``)."""
    x = _check_real(x, fn, "x")
    if not jnp.issubdtype(x.dtype, jnp.floating) and not keep_int:
        x = x.astype(jax.dtypes.canonicalize_dtype(jnp.float64))
    return x


def check_param(p: object, x: Array, fn: str, name: str) -> Array:
    """Returns parameter ``p`` cast to ``x``'s dtype, after checking it broadcasts to ``x``."""
    p = _check_real(p, fn, name)
    try:
        shape = np.broadcast_shapes(p.shape, x.shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise ValueError(
            f"jaxact.{fn}: {name} of shape {p.shape} does not broadcast to the shape of x, "
            f"{x.shape} (use a scalar, or one value per channel along x's trailing axes)"
        )
    return p.astype(x.dtype)


def evaluate(
    tower: Tower, fn: str, x: object, n: int = 0, m: int = 0, keep_int: bool = False, **params
) -> Array:
    """∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ of activation ``fn`` at ``x``, after checking ``x`` and its parameters."""
    x = check_input(x, fn, keep_int=keep_int and n == m == 0)
    args = [check_param(v, x, fn, name) for name, v in params.items()]
    return tower(n, m)(x, *args)


def _check_real(v: object, fn: str, name: str) -> Array:
    if not isinstance(v, (jax.Array, np.ndarray, np.generic, numbers.Real)):
        raise TypeError(
            f"jaxact.{fn}: {name} must be an array or a real number, got {type(v).__name__}"
        )
    dtype = np.result_type(v) if not hasattr(v, "dtype") else v.dtype
    if dtype == np.bool_ or not (
        jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.integer)
    ):
        raise TypeError(
            f"jaxact.{fn}: {name} must have a real floating or integer dtype, got {dtype}"
        )
    return jnp.asarray(v)


def expm1(x: Array, exp_x: Array | None = None) -> Array:
    """eˣ − 1, to about 1 ulp; ``exp_x`` is eˣ where the caller has it already.

    XLA's float32 expm1 is off by up to 4.4 ulp near x ≈ ±0.13.
    """
    if x.dtype == jnp.float64:
        return jnp.expm1(x)
    # Taylor series x(1 + x/2(1 + x/3(1 + … x/10))) for |x| < ln 2: truncation < 2⁻²⁶;
    # outside, eˣ − 1 loses at most a factor 2 of eˣ's accuracy.
    p = jnp.ones_like(x)
    for k in range(10, 1, -1):
        p = 1 + p * (x * (1.0 / k))
    return jnp.where(jnp.abs(x) < _LN2, x * p, (jnp.exp(x) if exp_x is None else exp_x) - 1)


def identity(n: int, x: Array) -> Array | float:
    """∂ⁿx/∂xⁿ: the linear piece of the piecewise activations, and its derivatives."""
    return [x, 1.0, 0.0][min(n, 2)]


def branch(x: Array, pos: Array | float, neg: Array | float) -> Array:
    """``pos`` where x > 0, ``neg`` where x ≤ 0, and NaN where x is NaN."""
    return jnp.where(x > 0, pos, jnp.where(x <= 0, neg, x))


def compute_dtype(dtype) -> jnp.dtype:
    """The dtype to compute in: float32 for 16-bit floats (then rounded once), else ``dtype``."""
    return jnp.dtype(jnp.float32) if dtype in _HALF else jnp.dtype(dtype)


def _in_compute_dtype(form: Callable[..., Array], x: Array, *params: Array) -> Array:
    wide = compute_dtype(x.dtype)
    y = form(x.astype(wide), *(p.astype(wide) for p in params))
    return jnp.broadcast_to(y, x.shape).astype(x.dtype)


class Tower:
    """The partial derivatives ∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ of one activation, each a JAX function.

    ``tower(n, m)`` is a ``jax.custom_jvp`` function of ``(x, *params)`` whose JVP is
    ``tower(n + 1, m)·ẋ + tower(n, m + 1)·α̇``, so every order autodiff reaches is a closed
    form. Above ``max_order`` x-derivatives (``None``: no limit) the last closed form is
    differentiated by plain autodiff.
    """

    def __init__(self, forms: Forms, max_order: int | None = None):
        self.forms = forms
        self.max_order = max_order

    @functools.cache  # noqa: B019 -- towers are module-level singletons
    def __call__(self, n: int, m: int = 0) -> Callable[..., Array]:
        def form(x: Array, *params: Array) -> Array:
            return _in_compute_dtype(functools.partial(self.forms, n, m), x, *params)

        f = jax.custom_jvp(form)

        def jvp(primals, tangents):
            x, *params = primals
            if self.max_order is not None and n >= self.max_order:
                tangents = tuple(_instantiate(t) for t in tangents)
                return jax.jvp(form, primals, tangents)
            y = f(x, *params)
            # The chain rule's products and sum are formed in the compute dtype and rounded
            # once: for 16-bit x, the next orders are evaluated on float32 x.
            wide = compute_dtype(x.dtype)
            xw, pw = x.astype(wide), [p.astype(wide) for p in params]
            tx, *tp = tangents
            terms = []
            if not isinstance(tx, SymbolicZero):
                terms.append(self(n + 1, m)(xw, *pw) * tx.astype(wide))
            for t in tp:
                if not isinstance(t, SymbolicZero):
                    terms.append(self(n, m + 1)(xw, *pw) * t.astype(wide))
            if not terms:
                return y, jnp.zeros_like(y)
            return y, sum(terms[1:], terms[0]).astype(y.dtype)

        f.defjvp(jvp, symbolic_zeros=True)
        return f


def _instantiate(t):
    return jnp.zeros(t.shape, t.dtype) if isinstance(t, SymbolicZero) else t


#: ``formulas`` text of a function with two pieces, ``POS_NEG.format(right, left)``.
POS_NEG = "{} if x > 0 else {}"


@dataclasses.dataclass(frozen=True)
class Activation:
    """One row of the activation table: the function, its parameters and its math.

    Attributes:
      name: the public name, e.g. ``"elu"``.
      fn: the jit-compiled activation, ``fn(x, *params)``.
      params: ``(name, default)`` of each parameter (default ``None``: required).
      output_range: the range of ``fn``, as text.
      formulas: f, f′, f″ (and ∂f/∂param) as text.
      jax_nn: the ``jax.nn`` counterpart with the same signature, for comparisons.
      tower: the closed-form derivatives (see :class:`Tower`).
      definition: the plain mathematical definition as an mpmath function
        ``(mp, x, at, *params)``, for the accuracy reference only (it is differentiated
        numerically, independently of ``tower``). Piecewise functions choose their piece by
        ``at``, the point being evaluated, so that a derivative at a breakpoint is the left
        piece's.
      switch_points: every x where the implementation changes formula (breakpoints, series
        cutoffs, far-tail thresholds, expm1's ±ln 2 in the argument), so tests can probe both
        sides of each.
      smooth: whether f is infinitely differentiable (the higher-order tests cover it).
      keep_int: whether integer inputs stay integers (only ``relu``).
    """

    name: str
    fn: Callable[..., Array]
    params: tuple[tuple[str, float | None], ...]
    output_range: str
    formulas: dict[str, str]
    jax_nn: Callable[..., Array]
    tower: Tower
    definition: Callable[..., object]
    switch_points: tuple[float, ...] = ()
    smooth: bool = False
    keep_int: bool = False

    def sample_params(self) -> tuple[float, ...]:
        """Each parameter's default, or 0.25 where it has none (He et al.'s initial α)."""
        return tuple(0.25 if d is None else d for _, d in self.params)
