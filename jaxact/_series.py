"""Series shared by the families: the Taylor recurrence of the logistic function, which
σ-based rows (sigmoid, tanh, softplus, silu, mish, log1mexp) and the tanh GELU's σ(v)
evaluate at their own argument, and the threshold beyond which that series is a pure
exponential."""

from __future__ import annotations

import math

import jax

Array = jax.Array


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
