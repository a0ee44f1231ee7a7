"""What an activation does to gradients: saturation, dead units, and gradient flow.

Everything here is pure JAX and jit-able, and uses the closed-form derivatives, so a tail
derivative of 1e-30 is measured as such, not as 0.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from jaxact._tower import Array
from jaxact.derivatives import derivative, get


def saturation(
    f: str | Callable, *params: ArrayLike, eps: float = 1e-2, dtype=jnp.float32
) -> tuple[float, float]:
    """The interval (lo, hi) outside which the gradient vanishes: |f′(x)| < eps.

    ±inf where it never does on that side (relu's right, leaky_relu with slope ≥ eps);
    lo = hi = 0 where |f′| < eps everywhere. Found by bisection on each side of 0, with f′
    evaluated in ``dtype`` (|f′| is non-increasing away from 0 for every jaxact activation).

    Examples:
      >>> import jaxact
      >>> lo, hi = jaxact.diagnostics.saturation("sigmoid", eps=1e-2)
      >>> print(f"{lo:.3f} {hi:.3f}")
      -4.585 4.585
      >>> jaxact.diagnostics.saturation("relu")
      (0.0, inf)
    """
    lo, hi = _saturation(get(f).name, eps, jnp.dtype(dtype), tuple(params))
    return float(lo) + 0.0, float(hi) + 0.0  # + 0.0: no −0


@functools.partial(jax.jit, static_argnums=(0, 2))
def _saturation(name: str, eps, dtype, params) -> tuple[Array, Array]:
    d1 = derivative(name)
    wide = jnp.promote_types(dtype, jnp.float32)  # bisect in float32, or float64
    big = jnp.asarray(jnp.finfo(dtype).max, wide)

    def alive(x):  # |f′(x)| ≥ eps
        return jnp.abs(d1(x.astype(dtype), *params).astype(wide)) >= eps

    def edge(sign):
        # The outermost t ≥ 0 with alive(sign·t), bisected geometrically then linearly.
        def step(i, bounds):
            lo, hi = bounds
            mid = jnp.where(i < 60, jnp.sqrt(jnp.maximum(lo, 1e-30) * hi), (lo + hi) / 2)
            up = alive(sign * mid)
            return jnp.where(up, mid, lo), jnp.where(up, hi, mid)

        lo, _ = jax.lax.fori_loop(0, 200, step, (jnp.zeros((), wide), big))
        tiny = jnp.asarray(1e-30, wide)
        t = jnp.where(alive(sign * big), jnp.inf, jnp.where(alive(sign * tiny), lo, 0))
        return sign * t

    return edge(-1.0), edge(1.0)


@jax.jit
def dead_fraction(derivative_values: ArrayLike, eps: float = 0.0) -> Array:
    """The fraction of units (last axis) whose |f′| ≤ eps on every sample (other axes).

    With eps = 0 it counts dead units: for relu, those whose input is ≤ 0 on the whole
    batch, which pass no gradient and so never learn. With eps > 0 it counts saturated
    units too. Pass f′ of the layer's pre-activations, e.g. ``jaxact.derivative("relu")(h)``,
    or use :func:`dead_units`.
    """
    d = jnp.abs(jnp.asarray(derivative_values))
    return jnp.mean(jnp.all(d.reshape(-1, d.shape[-1]) <= eps, axis=0))


def dead_units(f: str | Callable, pre_activations: ArrayLike, *params, eps: float = 0.0):
    """:func:`dead_fraction` of activation ``f`` at ``pre_activations`` (samples × units).

    Examples:
      >>> import jax.numpy as jnp, jaxact
      >>> h = jnp.array([[-1.0, 2.0, -3.0], [-0.5, -1.0, -2.0]])  # unit 0 and 2 never > 0
      >>> jaxact.diagnostics.dead_units("relu", h)
      Array(0.6666667, dtype=float32)
      >>> jaxact.diagnostics.dead_units("leaky_relu", h)
      Array(0., dtype=float32)
    """
    return dead_fraction(derivative(get(f).name)(pre_activations, *params), eps)


@functools.partial(jax.jit, static_argnames=("f", "depth", "width", "batch"))
def gradient_flow(
    f: Callable,
    key: Array,
    depth: int = 20,
    width: int = 256,
    batch: int = 256,
    init_scale: float = 1.0,
) -> Array:
    """The RMS gradient reaching each layer of a random deep MLP, first layer to last.

    Layer l computes zₗ = hₗ₋₁Wₗ and hₗ = f(zₗ), with Wₗ ~ N(0, init_scale²/width) and
    inputs x ~ N(0, 1). A fixed random direction g is backpropagated from the output
    (loss = ⟨g, h_depth⟩); the result is the RMS of ∂loss/∂zₗ for l = 1 … depth. Entries
    that shrink towards the first layer are a vanishing gradient, growing ones an exploding
    gradient. ``f`` is a function of x alone (``functools.partial`` a parameter in).

    Examples:
      >>> import jax, jaxact
      >>> rms = jaxact.diagnostics.gradient_flow(jaxact.sigmoid, jax.random.key(0), depth=8)
      >>> bool(rms[0] < rms[-1] / 100)  # sigmoid: the gradient vanishes towards the input
      True
    """
    kx, kg, kw = jax.random.split(key, 3)
    x = jax.random.normal(kx, (batch, width))
    g = jax.random.normal(kg, (batch, width))
    ws = init_scale * jax.random.normal(kw, (depth, width, width)) / jnp.sqrt(width)

    def loss(shifts):  # shifts are 0: their gradients are those of the pre-activations
        def layer(h, w_s):
            w, s = w_s
            return f(h @ w + s), None

        h, _ = jax.lax.scan(layer, x, (ws, shifts))  # one layer compiled, not depth of them
        return jnp.vdot(g, h)

    grads = jax.grad(loss)(jnp.zeros((depth, batch, width)))
    return jnp.sqrt(jnp.mean(grads**2, axis=(1, 2)))
