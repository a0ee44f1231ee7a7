"""gelu, gelu_exact and glu: what the table-driven tests do not cover.

glu is not elementwise (not a table row): its values and gradients are checked here against
the reference product a·σ(b); gelu's dispatch on the static ``approximate``; the tails.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxact
from conftest import binade_points, x64
from jaxact import accuracy

mp = pytest.importorskip("mpmath")


def _sigma(b):
    return 1 / (1 + mp.exp(-mp.mpf(b)))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_glu_values_and_gradients_match_the_reference_product(dtype):
    dt = jnp.dtype(dtype)
    b = np.array([-100.0, -30.0, -17.0, -3.0, -0.5, 0.0, 0.5, 3.0, 17.0, 30.0, 100.0])
    a = np.linspace(-2.5, 3.0, b.size)
    # and full-mantissa gates in every binade 2⁻²⁰ ≤ |b| < 2⁷, with full-mantissa a
    gates = binade_points("glu", dtype).astype(np.float64)
    b = np.concatenate([b, gates])
    a = np.concatenate([a, np.random.default_rng(len(dtype)).uniform(-3, 3, gates.size)])
    with x64(dtype), mp.workprec(400):
        x = jnp.asarray(np.stack([a, b]), dt)  # halves along axis 0: a (gate input b)
        xa, xb = np.asarray(x.astype(jnp.float32 if dt.itemsize == 2 else dt), np.float64)
        y = jaxact.glu(x, axis=0)
        assert y.dtype == dt and y.shape == (1, b.size)
        ref = [mp.mpf(float(p)) * _sigma(float(q)) for p, q in zip(xa, xb, strict=True)]
        assert accuracy.ulp_error(y[0], ref, dt).max() <= (1 if dt.itemsize == 2 else 2)
        g = jax.grad(lambda v: jaxact.glu(v, axis=0).astype(jnp.float32).sum())(x)
        ga = [_sigma(float(q)) for q in xb]
        gb = [
            mp.mpf(float(p)) * _sigma(float(q)) * _sigma(-float(q))
            for p, q in zip(xa, xb, strict=True)
        ]
        bound = 1 if dt.itemsize == 2 else 4
        assert accuracy.ulp_error(g[0], ga, dt).max() <= bound
        assert accuracy.ulp_error(g[1], gb, dt).max() <= bound


def test_glu_gradient_in_the_tail_where_jax_nn_gives_zero():
    x = jnp.array([1.0, 30.0])
    g = jax.grad(lambda v: jaxact.glu(v).sum())(x)
    assert float(jax.grad(lambda v: jax.nn.glu(v).sum())(x)[1]) == 0.0
    np.testing.assert_allclose(g[1], np.exp(-30.0), rtol=1e-6)


def test_glu_matches_jax_nn_and_splits_along_axis():
    x = jax.random.normal(jax.random.key(1), (3, 4, 6))
    for axis in (0, 1, -1, 2, -2):
        if x.shape[axis] % 2:
            continue
        np.testing.assert_allclose(jaxact.glu(x, axis), jax.nn.glu(x, axis), rtol=2e-6)
        assert jaxact.glu(x, axis=axis).shape[axis] == x.shape[axis] // 2
    np.testing.assert_allclose(jax.jit(jaxact.glu)(x), jax.nn.glu(x), rtol=2e-6)
    vm = jax.vmap(jaxact.glu)(x)
    np.testing.assert_allclose(vm, jax.nn.glu(x), rtol=2e-6)


def test_glu_errors_name_the_axis_and_size():
    with pytest.raises(ValueError, match=r"axis 0 must be even, got 3"):
        jaxact.glu(jnp.ones((3, 4)), axis=0)
    with pytest.raises(ValueError, match=r"axis -1 must be even, got 5"):
        jaxact.glu(jnp.ones((2, 5)))
    with pytest.raises(ValueError, match="out of range"):
        jaxact.glu(jnp.ones((2, 4)), axis=2)
    with pytest.raises(ValueError, match="out of range"):
        jaxact.glu(jnp.float32(1.0))
    with pytest.raises(TypeError):
        jaxact.glu("x")


def test_glu_integers_promote():
    assert jaxact.glu(jnp.array([1, 2])).dtype == jnp.float32


def test_gelu_dispatches_on_approximate():
    x = jnp.linspace(-8.0, 8.0, 33)
    np.testing.assert_array_equal(jaxact.gelu(x, approximate=False), jaxact.gelu_exact(x))
    np.testing.assert_array_equal(jaxact.gelu(x, False), jaxact.gelu_exact(x))
    np.testing.assert_array_equal(jaxact.gelu(x), jaxact.gelu(x, approximate=True))
    g = jax.grad(functools.partial(jaxact.gelu, approximate=False))
    assert g(-1.0) == jax.grad(jaxact.gelu_exact)(-1.0)
    # approximate by its truth value, as jax.nn reads it (not hashed: arrays work too)
    for a in [0, None, jnp.array(False), np.bool_(False)]:
        np.testing.assert_array_equal(jaxact.gelu(x, a), jaxact.gelu_exact(x))
    for a in [1, jnp.array(True)]:
        np.testing.assert_array_equal(jaxact.gelu(x, a), jaxact.gelu(x))
    with pytest.raises(TypeError, match="approximate must be a concrete value"):
        jax.jit(jaxact.gelu)(x, jnp.array(True))


@pytest.mark.parametrize("approximate", [True, False])
def test_gelu_agrees_with_jax_nn_in_the_centre(approximate):
    x = jnp.linspace(-3.0, 3.0, 61)
    np.testing.assert_allclose(
        jaxact.gelu(x, approximate), jax.nn.gelu(x, approximate), rtol=2e-6, atol=1e-7
    )


def test_gelu_tails():
    # jax.nn.gelu's ½(1 + tanh u) is 0 below x ≈ −5.5 (float32): x·σ(2u) keeps every digit.
    x = -10.0
    ref = accuracy.reference("gelu", x, 1)
    assert float(jax.nn.gelu(-8.0)) == 0.0 and float(jax.grad(jax.nn.gelu)(x)) == 0.0
    assert accuracy.ulp_error(np.array([jax.grad(jaxact.gelu)(x)]), [ref], np.float32)[0] <= 4
    for fn in (jaxact.gelu, jaxact.gelu_exact):
        x = np.array([-np.inf, np.inf, -3e38, 3e38, np.nan], np.float32)
        np.testing.assert_array_equal(fn(x), [0.0, np.inf, 0.0, x[3], np.nan])
        for n, lim in [(1, (0.0, 1.0)), (2, (0.0, 0.0)), (3, (0.0, 0.0))]:
            d = jaxact.derivative(fn, n)(jnp.array([-jnp.inf, jnp.inf, -1e30, 1e30]))
            np.testing.assert_array_equal(d, [*lim, *lim])
        assert jnp.isnan(jaxact.derivative(fn, 2)(jnp.nan))


@pytest.mark.parametrize("name", ["gelu", "gelu_exact"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gelu_derivative_root_near_minus_0_75(name, dtype):
    # f′ changes sign near x ≈ −0.75: the error there may grow by |x·f″/f′| (the condition).
    dt = jnp.dtype(dtype)
    with x64(dtype):
        x = np.linspace(-0.80, -0.70, 41).astype(dt)
        got = np.asarray(jaxact.derivative(name, 1)(jnp.asarray(x)))
        ref = [accuracy.reference(name, float(v), 1) for v in x.astype(np.float64)]
        ref2 = [accuracy.reference(name, float(v), 2) for v in x.astype(np.float64)]
        kappa = [max(1.0, abs(float(v * r2 / r))) for v, r, r2 in zip(x, ref, ref2, strict=True)]
        err = accuracy.ulp_error(got, ref, dt)
        assert (err <= 4 * np.array(kappa)).all(), err.max()


def _worst(name, n, dtype, xs):
    dt = jnp.dtype(dtype)
    with x64(dtype):
        x = np.asarray(xs, np.float64).astype(dt)
        got = np.asarray(jaxact.derivative(name, n)(jnp.asarray(x)))
        ref = [accuracy.reference(name, float(v), n) for v in x.astype(np.float64)]
        return accuracy.ulp_error(got, ref, dt).max()


def _around(points, dtype, k=3):
    """Each point and its k neighbours either side in ``dtype``."""
    dt = np.dtype(dtype)
    out = []
    for p in points:
        lo = hi = np.array(p, dt)
        out.append(float(lo))
        for _ in range(k):
            lo, hi = np.nextafter(lo, dt.type(-np.inf)), np.nextafter(hi, dt.type(np.inf))
            out += [float(lo), float(hi)]
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gelu_exact_higher_orders_at_their_integer_roots(dtype):
    # f‴ = −x(x − 2)(x + 2)φ and f⁽⁵⁾ = −x(x² − 2)(x² − 9)φ vanish at ±2 and ±3: the
    # Hermite difference taken as a product over its roots keeps every digit next to them
    # (the recurrence lost 21 ulp at x = −2.0000019 and 1e6 ulp at −3.0000005 in float32).
    assert _worst("gelu_exact", 3, dtype, _around([-2.0, 2.0], dtype)) <= 4
    assert _worst("gelu_exact", 5, dtype, _around([-3.0, 3.0, -(2**0.5)], dtype)) <= 4


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gelu_higher_orders_in_the_middle(dtype):
    # The Taylor tables of f⁽ⁿ⁾·e^{−v} (|x| ≤ 8.25): the composition with σ's coefficients
    # lost 13 ulp in f⁽⁴⁾(−3) (float64) and 70 ulp in f⁽⁸⁾(4.6), whose terms cancel.
    xs = [-8.25, -6.0, -4.6, -3.0, -2.0, -0.7, 0.26, 1.34, 3.44, 4.6, 7.9]
    for n in (4, 7, 8):
        assert _worst("gelu", n, dtype, xs) <= 3 + n


def test_gelu_float32_far_tail_keeps_high_orders_normal():
    # σ⁽ᵏ⁾/k! ≈ e^{−|v|}/k! underflowed for |v| just below 80 (x ≈ 9.62): f⁽⁷⁾ came out
    # negative, 2e7 ulp off. The shift to e^{S−|v|}·e^{−S} now starts at |v| = 45.
    for n in (7, 8):
        assert _worst("gelu", n, "float32", [-9.66, -9.62, 9.64, 9.66]) <= 4 + 2 * n
    jaxact.derivative("gelu", 13)(jnp.float32(1.0))  # n! beyond int32 as a float
