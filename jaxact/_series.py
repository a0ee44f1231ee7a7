"""Series shared by the families: the Taylor recurrence of the logistic function, which
σ-based rows (sigmoid, tanh, softplus, silu, mish, log1mexp) and the tanh GELU's σ(v)
evaluate at their own argument, the threshold beyond which that series is a pure
exponential, and the Taylor polynomials that replace an order near its roots (silu, mish,
gelu, gelu_exact; the roots and coefficients in ``jaxact._tables``)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping

import jax
import jax.numpy as jnp

from jaxact._dd import traced_parts

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
