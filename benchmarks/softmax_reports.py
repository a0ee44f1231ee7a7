"""The reported softmax cases, jax.nn/optax beside jaxact beside the truth (mpmath): the
numbers of README.md's softmax section.  python benchmarks/softmax_reports.py"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

import jax
import jax.numpy as jnp
import mpmath as mp
import optax

import jaxact

mp.mp.dps = 150


def p_ref(z):
    e = [mp.exp(mp.mpf(float(t))) for t in z]
    s = mp.fsum(e)
    return [t / s for t in e]


def row(case, theirs, ours, truth):
    print(f"| {case} | {theirs} | {ours} | {truth} |")


def main():
    print("| case | jax.nn / optax | jaxact | true value |\n|---|---|---|---|")
    with jax.enable_x64(True):
        z = jnp.array([40.0, 0.0])
        g = jnp.array([1.0, 0.0])
        p = p_ref(z)
        t, o = (jax.vjp(f, z)[1](g)[0] for f in (jax.nn.softmax, jaxact.softmax))
        row(
            "VJP of softmax(z)[0] at [40, 0], float64 (jax#40344)",
            f"{t[0]:.4g}, {t[1]:.4g}",
            f"{o[0]:.4g}, {o[1]:.4g}",
            f"{float(p[0] * p[1]):.4g}, {float(-p[0] * p[1]):.4g}",
        )
        z = jnp.array([37.43, 0.0])
        p = p_ref(z)
        t, o = (jax.vjp(f, z)[1](g)[0] for f in (jax.nn.log_softmax, jaxact.log_softmax))
        row(
            "VJP of log_softmax(z)[0] at [37.43, 0], float64 (jax#40386)",
            f"{t[0]:.4g}, {t[1]:.4g}",
            f"{o[0]:.4g}, {o[1]:.4g}",
            f"{float(p[1]):.4g}, {float(-p[1]):.4g}",
        )
    x = jax.random.normal(jax.random.key(0), (2**16,), jnp.float16) * 2
    t, o = (
        jax.grad(lambda x, f=f: f(x).sum())(x) for f in (jax.nn.log_softmax, jaxact.log_softmax)
    )
    k = int(jnp.argmax(x))
    p = p_ref(x)
    row(
        "grad of Σ log_softmax, 2^16 float16 logits (jax#40409), at the max",
        f"{float(t[k]):.4g} ({int(jnp.isnan(t).sum())} NaN)",
        f"{float(o[k]):.4g} ({int(jnp.isnan(o).sum())} NaN)",
        f"{float(1 - p[k] * 2**16):.4g}",
    )
    x = jnp.asarray([22410763396.202377, 0.0], jnp.float32)
    t, o = (jax.jit(lambda x, f=f: f(x / 3.0))(x) for f in (jax.nn.softmax, jaxact.softmax))
    row("jit(softmax(x / 3)) at x = [2.24e10, 0], float32 (XLA:CPU FMA)", f"{t}", f"{o}", "[1, 0]")
    z = jnp.array([30.0, 0.0, 0.0])
    p = p_ref(z)
    y = jnp.array([1.0, 0.0, 0.0])
    t = jax.grad(optax.softmax_cross_entropy)(z, y)
    o = jax.grad(jaxact.softmax_cross_entropy)(z, y)
    row(
        "∂ cross-entropy / ∂ true logit at [30, 0, 0], float32",
        f"{float(t[0]):.4g}",
        f"{float(o[0]):.4g}",
        f"{float(-(p[1] + p[2])):.4g}",
    )
    t = jax.nn.log_softmax(z)[0]
    o = jaxact.log_softmax(z)[0]
    row(
        "log_softmax(z)[0] at [30, 0, 0], float32",
        f"{float(t):.4g}",
        f"{float(o):.4g}",
        f"{float(-mp.log1p(2 * mp.exp(-30))):.4g}",
    )


if __name__ == "__main__":
    main()
