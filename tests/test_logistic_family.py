"""softplus, log_sigmoid, silu (swish), mish, log1mexp, selu and celu: what the table-driven
tests do not cover (jax.nn's failures, log1mexp's domain and regimes, celu's parameter,
orders above 12)."""

import functools
import math

import jax
import jax.numpy as jnp
import mpmath as mp
import numpy as np
import pytest

import jaxact
from conftest import compiled_together, evaluate_all
from jaxact import accuracy
from jaxact._checks import evaluate
from jaxact.activations import logistic


def closed(name, orders, x) -> dict:
    """{n: jaxact.derivative(name, n) at x} for every order, compiled together."""
    keys = [(n, 0, "closed") for n in orders]
    got = evaluate_all(jaxact.ACTIVATIONS[name], keys, None, jnp.asarray(x).dtype, x)
    return {n: v for (n, _, _), v in got.items()}


def nested_grad(f, n):
    for _ in range(n):
        f = jax.grad(f)
    return jax.jit(jax.vmap(f))


def test_swish_is_silu_and_not_a_row():
    assert jaxact.swish is jaxact.silu
    assert "swish" in jaxact.__all__ and "swish" not in jaxact.ACTIVATIONS


@pytest.mark.parametrize(
    "name,n,x,dtype",
    [
        ("softplus", 2, 20.0, "float32"),  # jax.nn: 0
        ("log_sigmoid", 2, -20.0, "float32"),  # jax.nn: 0
        ("selu", 1, -20.0, "float32"),  # jax.nn: 0
        ("celu", 1, -20.0, "float32"),  # jax.nn: 0
        ("silu", 1, -709.0, "float64"),  # jax.nn: 0
        ("silu", 1, -90.0, "float32"),  # e^x underflows, x·e^x does not
        ("mish", 2, -90.0, "float32"),
        ("mish", 2, 44.0, "float32"),  # e^−2x underflows, 8(1 − x)e^−2x does not
        ("mish", 3, 360.0, "float64"),
    ],
)
def test_where_jax_nn_fails(name, n, x, dtype):
    with jax.enable_x64(dtype == "float64"):
        got = nested_grad(jaxact.ACTIVATIONS[name].fn, n)(jnp.array([x], dtype))
        ref = accuracy.reference(name, x, n)
        assert ref != 0
        assert accuracy.ulp_error(np.asarray(got), [ref], jnp.dtype(dtype))[0] <= 4


# --- log1mexp --------------------------------------------------------------------------


def log1mexp_closed(n):
    """log1mexp has no table row (its domain is x > 0): its closed forms, directly."""
    return jax.jit(lambda x: evaluate(logistic._LOG1MEXP, "log1mexp", x, n))


def log1mexp_ref(x: float, n: int):
    return _log1mexp_refs(x)[n]


@functools.cache
def _log1mexp_refs(x: float) -> list:
    """Orders 0–8 of the definition log(−expm1(−x)) at x, by mpmath, together."""
    with mp.workprec(200 + int(3 * min(x, 800)) + int(max(0.0, -math.log2(x)))):
        return [+d for d in mp.diffs(lambda t: mp.log(-mp.expm1(-t)), mp.mpf(x), 8)]


def log1mexp_points(dtype):
    ln2 = math.log(2)
    dt = jnp.dtype(dtype)
    x = np.concatenate(
        [
            [float(jnp.finfo(dt).tiny) * 4, 1e-300, 1e-200, 1e-100],  # x → 0: log x − x/2
            np.geomspace(1e-30, 1e4, 68),
            np.nextafter(np.array([ln2] * 3, dt), np.array([0, 1, 9], dt)),  # both regimes
            np.linspace(0.5, 1.0, 21),
            [87.0, 88.0, 700.0, 740.0],
        ]
    ).astype(dt)
    return np.unique(x[x > 0])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log1mexp_orders_0_to_8(dtype):
    dt = jnp.dtype(dtype)
    with jax.enable_x64(dtype == "float64"):
        x = log1mexp_points(dt)
        fns = {("closed", n): log1mexp_closed(n) for n in range(9)}
        fns |= {("grad", n): nested_grad(jaxact.log1mexp, n) for n in range(4)}
        results = {k: np.asarray(v) for k, v in compiled_together(fns, x).items()}
        for n in range(9):
            got = results["closed", n]
            if n <= 3:  # the closed forms and nested jax.grad agree
                np.testing.assert_array_equal(got, results["grad", n])
            ref = [log1mexp_ref(float(v), n) for v in x.astype(np.float64)]
            ok = np.array([abs(r) < float(jnp.finfo(dt).max) for r in ref])  # ~(n−1)!/xⁿ
            assert np.isinf(got[~ok]).all()
            err = accuracy.ulp_error(got[ok], [r for r, k in zip(ref, ok, strict=True) if k], dt)
            bound = accuracy.BOUNDS[dtype][n] if n <= 2 else 4 + 2 * n
            assert err.max() <= bound, (n, err.max(), x[ok][err.argmax()])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log1mexp_orders_0_to_2_at_full_mantissa_points(dtype):
    # Random full-mantissa x, log-uniform, most of them below ln 2, where a dense sweep
    # found log1mexp′ 4.1 ulp off in float64 near 1e-7 (XLA's expm1) and log1mexp″ at 7.3
    # of 8; references from the closed forms 1/(eˣ − 1) and −eˣ/(eˣ − 1)², in mpmath.
    dt = jnp.dtype(dtype)
    rng = np.random.default_rng(5)
    small, large = rng.uniform(-12, np.log10(0.69), 4000), rng.uniform(np.log10(0.69), 1.5, 500)
    x = np.unique((10 ** np.concatenate([small, large])).astype(dt))
    with jax.enable_x64(dtype == "float64"):
        got = compiled_together({n: log1mexp_closed(n) for n in range(3)}, x)
        got |= compiled_together({"g1": nested_grad(jaxact.log1mexp, 1)}, x)
    with mp.workprec(120):
        xs = [mp.mpf(float(v)) for v in x]
        refs = {
            0: [mp.log(-mp.expm1(-v)) for v in xs],
            1: [1 / mp.expm1(v) for v in xs],
            2: [-mp.exp(v) / mp.expm1(v) ** 2 for v in xs],
        }
    for key in (0, 1, 2, "g1"):
        n = 1 if key == "g1" else key
        err = accuracy.ulp_error(np.asarray(got[key]), refs[n], dt)
        assert err.max() <= accuracy.BOUNDS[dtype][n], (key, err.max(), x[err.argmax()])


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_log1mexp_domain_matches_jax_nn(dtype):
    with jax.enable_x64(dtype == "float64"):
        x = jnp.array([-np.inf, -3.0, -1e-3, 0.0, np.inf, np.nan], dtype)
        got, want = jaxact.log1mexp(x), jax.nn.log1mexp(x)
        np.testing.assert_array_equal(np.asarray(got, np.float64), np.asarray(want, np.float64))
        np.testing.assert_array_equal(got[3:5], [-np.inf, 0.0])
        # Derivatives: NaN below 0 (the function is NaN there), the right limits at 0.
        for n, at0 in [(1, np.inf), (2, -np.inf), (3, np.inf)]:
            d = np.asarray(nested_grad(jaxact.log1mexp, n)(x), np.float64)
            assert np.isnan(d[[0, 1, 2, 5]]).all()
            assert d[3] == at0 and d[4] == 0


# --- celu's parameter ------------------------------------------------------------------


def test_celu_parameter_derivatives():
    """∂f/∂α and ∂²f/∂x∂α against the reference, α = 0.5 and 1.7, float32 and float64."""
    for dtype in ["float32", "float64"]:
        dt = jnp.dtype(dtype)
        with jax.enable_x64(dtype == "float64"):
            x = np.array([-300.0, -40.0, -5.0, -1.2, -0.3, -1e-4, 0.0, 2.0], dt)
            for a in [0.5, 1.7]:
                for n, m in [(0, 1), (1, 1), (0, 2)]:
                    got = np.asarray(jaxact.derivative("celu", n, m)(jnp.asarray(x), a))
                    pa = float(np.asarray(a, dt))  # α as celu sees it, cast to x's dtype
                    ref = [accuracy.reference("celu", float(v), n, m, pa) for v in x]
                    err = accuracy.ulp_error(got, ref, dt)
                    assert err.max() <= 8, (dtype, a, n, m, err.max(), x[err.argmax()])


def test_celu_is_nan_where_alpha_is_not_positive():
    # celu is defined for α > 0; elsewhere NaN for f and every derivative, never a number.
    x = jnp.array([-3.0, -0.5, 0.0, 2.0])
    for a in [0.0, -1.0, -0.5]:
        assert np.isnan(np.asarray(jaxact.celu(x, a))).all()
        assert np.isnan(np.asarray(jax.vmap(jax.grad(jaxact.celu))(x, jnp.full(4, a)))).all()
        assert np.isnan(np.asarray(jax.grad(lambda a: jaxact.celu(x, a).sum())(a)))
    got = np.asarray(jaxact.celu(x, jnp.array([1.0, -1.0, 0.5, 0.0])))  # per element
    assert np.isfinite(got[[0, 2]]).all() and np.isnan(got[[1, 3]]).all()


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "log_sigmoid", "silu", "mish"])
def test_orders_above_12_in_float32(name):
    """n! beyond int32 (13!) is a float: JAX refuses a Python int that large."""
    for got in closed(name, (13, 21), jnp.array([-7.0, 0.3, 9.0])).values():
        assert np.isfinite(got).all()
