"""Series and tails shared by the families: the Taylor recurrence of the logistic function,
which the σ-based rows (sigmoid, tanh, softplus, log_sigmoid, silu, mish, log1mexp) and the
tanh GELU's σ(v) evaluate at their own argument, σ⁽ⁿ⁾ itself (``sigmoid_derivative``), the
threshold beyond which that series is a pure exponential and the far left tail (x + n)eˣ,
scaled so that it stays normal; and the Taylor polynomials that replace an order near its
roots (``Window``: σ⁽ⁿ⁾, silu, mish, gelu, gelu_exact; the roots and coefficients in
``jaxact._tables``)."""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction

import jax
import jax.numpy as jnp

from jaxact._dd import traced_parts
from jaxact._math import _E40, exp, expm1
from jaxact._tables.logistic_roots import SIGMOID_ROOTS

Array = jax.Array

#: A root r of f⁽ⁿ⁾ as (hi, lo) float64s and the Taylor coefficients cₖ = f⁽ⁿ⁺ᵏ⁾(r)/k!,
#: k = 1, 2, … (the tables of ``jaxact._tables``).
Root = tuple[tuple[float, float], tuple[float, ...]]


def factorial(k: int) -> float:
    """k! as a float (inf beyond float64's range): a Python int multiplying a traced array
    must fit in int32 where x64 is off (13! does not), or JAX refuses it."""
    return float(math.factorial(k)) if k < 171 else math.inf


def taylor_coefficients(h0: Array, h1: Array, n: int) -> list[Array]:
    """[h₀, …, hₙ]: the Taylor coefficients of σ − ½ at a point, from h₀ = σ − ½ and h₁ = σ′
    (σ′ = ¼ − (σ − ½)² gives (k + 1)hₖ₊₁ = −Σⱼ hⱼhₖ₋ⱼ, j = 0…k)."""
    h = [h0, h1]
    for k in range(1, n):
        s = 2 * h0 * h[k]
        for j in range(1, k):
            s = s + h[j] * h[k - j]
        h.append(s * (-1.0 / (k + 1)))
    return h[: n + 1]


#: Beyond this |y| (argument of σ) the quadratic terms of the recurrence are below 2⁻⁶⁴
#: relative, and σ⁽ⁿ⁾(y) = sign(y)ⁿ⁺¹(−1)ⁿ⁺¹e^−|y| to working precision.
FAR = 45.0


def taylor_at_roots(
    value: Array,
    x: Array,
    roots: Iterable[Root],
    radius: float,
    terms32: int,
    scale: float = 1.0,
    terms64: int | None = None,
) -> Array:
    """``value``, replaced within ``radius`` of each root r by ``scale`` times the Taylor
    polynomial there, d·(c₁ + c₂d + …) with d = (x − r_hi) − r_lo (x − r_hi exact near r):
    the general forms lose the digits that cancel near a root. float64 takes every
    coefficient (or the first ``terms64``), float32 the first ``terms32``; r's float32 parts
    are those of :func:`jaxact._dd.traced_parts`."""
    for r, coeffs in roots:
        rh, rl = traced_parts(r, x.dtype)
        d = (x - rh) - rl
        p = jnp.zeros_like(x)
        for c in coeffs[: terms64 if x.dtype == jnp.float64 else terms32][::-1]:
            p = c + d * p
        value = jnp.where(jnp.abs(d) < radius, (d * p) * scale if scale != 1 else d * p, value)
    return value


def taylor_at_roots_symmetric(
    value: Array,
    x: Array,
    roots: Iterable[Root],
    odd: bool,
    radius: float,
    terms32: int,
    scale: float = 1.0,
    terms64: int | None = None,
) -> Array:
    """:func:`taylor_at_roots` for an f⁽ⁿ⁾ even or ``odd`` in x: at |x| and the positive
    ``roots`` only, so one polynomial serves each pair ±r."""
    roots = [root for root in roots if root[0][0] > 0]
    sign = jnp.where(x < 0, -1.0, 1.0).astype(x.dtype) if odd else 1.0
    at_abs = taylor_at_roots(value * sign, jnp.abs(x), roots, radius, terms32, scale, terms64)
    return at_abs * sign


@dataclasses.dataclass(frozen=True)
class Window:
    """Where an order f⁽ⁿ⁾ is its Taylor polynomial at each of its roots (the general forms
    cancel near a root): within ``radius`` of it, with the first ``terms32`` coefficients in
    float32 and ``terms64`` (None: all of the table's) in float64; ``radius64``, where given,
    is float64's radius. ``parity`` "even" or "odd": f⁽ⁿ⁾'s symmetry in x, so that one
    polynomial, at |x|, serves each pair of roots ±r. Every family states its windows so."""

    radius: float
    terms32: int
    terms64: int | None = None
    radius64: float | None = None
    parity: str | None = None

    def apply(self, value: Array, x: Array, roots: Iterable[Root], scale: float = 1.0) -> Array:
        """``value`` (f⁽ⁿ⁾ at x, times ``scale``), replaced near ``roots`` by the polynomials."""
        wide = x.dtype == jnp.float64 and self.radius64 is not None
        radius = self.radius64 if wide else self.radius
        args = (radius, self.terms32, scale, self.terms64)
        if self.parity is None:
            return taylor_at_roots(value, x, roots, *args)
        return taylor_at_roots_symmetric(value, x, roots, self.parity == "odd", *args)

    def edges(self, roots: Mapping[int, Iterable[Root]]) -> tuple[float, ...]:
        """The switch points r ± radius of every root of every order in ``roots``."""
        return tuple(
            hi + s * self.radius for rs in roots.values() for (hi, _), _ in rs for s in (-1, 1)
        )


# --- σ⁽ⁿ⁾, and the far left tail of the σ-based rows -----------------------------------

#: σ⁽ⁿ⁾ (n = 3 … 8) is its Taylor polynomial within a radius of each nonzero root
#: (jaxact._tables.logistic_roots): the recurrence's terms cancel near a root (σ⁽⁷⁾ at
#: x = −0.625 was 18,000 ulp off). 3/8 and 28 terms for orders ≥ 4 (at 1/4, 18.3 ulp
#: remained at −5.03, 0.34 from a root of σ⁽⁷⁾; float32 orders ≥ 4 are the float64 forms
#: on CPUs and GPUs); order 3, which a PINN's training step evaluates in float32 on every
#: element: 0.45 and 12 terms in float32 (at 0.2, σ‴ and tanh‴ were 10.9 and 11.4 ulp just
#: beyond, bound 10), 0.2 and 18 in float64. σ⁽ⁿ⁾ is even for odd n, odd for even n.
SIGMOID_WINDOWS = {
    n: Window(0.45, 12, 18, radius64=0.2, parity="even")
    if n == 3
    else Window(0.375, 12, parity="odd" if n % 2 == 0 else "even")
    for n in SIGMOID_ROOTS
}


def sigmoid_windows(value: Array, x: Array, n: int, scale: float = 1.0) -> Array:
    """``value`` (σ⁽ⁿ⁾(x)·scale) near σ⁽ⁿ⁾'s roots."""
    return SIGMOID_WINDOWS[n].apply(value, x, SIGMOID_ROOTS[n], scale)


def sigmoid_derivative(n: int, x: Array) -> Array:
    """σ⁽ⁿ⁾(x) for any n ≥ 0, from e^−|x| and the recurrence; ±e^−|x| in the far tail."""
    a = jnp.abs(x)
    z = exp(-a)
    d = 1 + z
    if n == 0:
        return jnp.where(x > 0, 1, z) / d
    if n == 1:
        # (1 + z)² as 1 + z(2 + z), not d·d, whose rounding the square doubles: σ′ was 4.1
        # ulp off at x = 4.837 in float32 (bound 4)
        return z / (1 + z * (2 + z))
    h0 = jnp.sign(x) * (-0.5 * expm1(-a, z)) / d
    near = taylor_coefficients(h0, z / (d * d), n)[n] * factorial(n)
    far = z if n % 2 else -jnp.sign(x) * z
    if n % 2 == 0:
        # Even orders are odd functions, σ⁽ⁿ⁾(x) = σ⁽ⁿ⁺¹⁾(0)·x (1 + O(x²)) near 0; below
        # |x| = 2⁻¹⁰⁰ take that directly: h₀ ≈ x/4 is subnormal (flushed) for float32 there.
        slope = sigmoid_taylor_at_0(n + 1) * factorial(n + 1)
        near = jnp.where(a < 2.0**-100, slope * x, near)
    if n in SIGMOID_ROOTS:  # near its roots but 0, where the recurrence cancels
        near = sigmoid_windows(near, x, n)
    return jnp.where(a < FAR, near, far)


@functools.cache
def sigmoid_taylor_at_0(k: int) -> float:
    """σ⁽ᵏ⁾(0)/k!, exactly (the recurrence with h₀ = 0, h₁ = ¼, in rationals)."""
    return float(taylor_coefficients(Fraction(0), Fraction(1, 4), k)[k])


def left_tail(n: int, x: Array, e40: Array | None = None) -> Array:
    """(x + n)·eˣ, as ((x + n)·e^{x+40})·e^{−40}: normal as long as the true value is.
    ``e40`` is e^{x+40} where the caller has it already."""
    xc = jnp.clip(x, -2000.0, 0.0)  # ±inf: 0, not inf·0
    return ((xc + n) * (exp(xc + 40) if e40 is None else e40)) * _E40
