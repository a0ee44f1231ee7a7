"""relu6, hard_tanh, hard_sigmoid, hard_silu, sparse_plus, sparse_sigmoid, identity,
soft_sign and squareplus: breakpoints ± 1 ulp in every dtype, squareplus's far tails and
huge |x|, and squareplus's higher parameter derivatives (orders 2–8 of every row:
test_accuracy.test_higher_orders)."""

import math

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest

import jaxact
from conftest import DTYPES, evaluate_all, root_allowance, x64
from jaxact import accuracy

KINKED = ["relu6", "hard_tanh", "hard_sigmoid", "hard_silu", "sparse_plus", "sparse_sigmoid"]
KINKED += ["soft_sign"]


def neighbours(b: float, dtype) -> np.ndarray:
    """b and the dtype's next values below and above it (± its smallest normal at 0)."""
    dt = jnp.dtype(dtype)
    v = np.asarray(b, dt)
    if b == 0:
        tiny = float(ml_dtypes.finfo(dt).tiny)
        return np.array([-tiny, 0.0, tiny], dt)
    uint = {2: np.uint16, 4: np.uint32, 8: np.uint64}[dt.itemsize]
    bits = v.view(uint)
    step = uint(1)
    down, up = (bits - step, bits + step) if b > 0 else (bits + step, bits - step)
    return np.array([down.view(dt), v, up.view(dt)], dt)


def grad_n(fn, n, *args):
    g = fn
    for _ in range(n):
        g = jax.grad(g)
    return jax.jit(jax.vmap(lambda x: g(x, *args)))


def autodiff_all(name, x, dtype, orders, param=None) -> dict:
    """{(n, m): ∂ⁿ/∂xⁿ ∂ᵐ/∂bᵐ by nested jax.grad at the points x}, compiled together."""
    keys = [(n, m, "grad") for n, m in orders]
    got = evaluate_all(jaxact.ACTIVATIONS[name], keys, param, dtype, x)
    return {(n, m): v for (n, m, _), v in got.items()}


def ulps(name, x, got, dtype, n, m=0, param=None):
    """ulp errors of ``got``, ∂ⁿ/∂xⁿ ∂ᵐ/∂bᵐ at the points x."""
    p = None if param is None else float(np.asarray(param, dtype).astype(np.float64))
    ref = [accuracy.reference(name, float(v), n, m, p) for v in x.astype(np.float64)]
    return accuracy.ulp_error(got, ref, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", KINKED)
def test_breakpoints_plus_minus_one_ulp(name, dtype):
    act = jaxact.ACTIVATIONS[name]
    with x64(dtype):
        x = np.concatenate([neighbours(b, dtype) for b in act.switch_points])
        got = autodiff_all(name, x, dtype, [(n, 0) for n in range(3)])
        for n in range(3):
            err = ulps(name, x, got[n, 0], dtype, n)
            bound = accuracy.BOUNDS[dtype][n]
            assert err.max() <= bound, f"{name} order {n}: {err.max():.2f} ulp at {x[err > bound]}"


def test_left_piece_owns_the_breakpoint():
    d = lambda name, n, x: float(grad_n(jaxact.ACTIVATIONS[name].fn, n)(jnp.array([x]))[0])  # noqa: E731
    assert d("relu6", 1, 0.0) == 0 and d("relu6", 1, 6.0) == 1
    assert d("hard_tanh", 1, -1.0) == 0 and d("hard_tanh", 1, 1.0) == 1
    assert d("hard_sigmoid", 1, -3.0) == 0 and d("hard_sigmoid", 1, 3.0) == np.float32(1 / 6)
    assert d("hard_silu", 1, -3.0) == 0 and d("hard_silu", 1, 3.0) == 1.5
    assert d("hard_silu", 2, -3.0) == 0 and d("hard_silu", 2, 3.0) == np.float32(1 / 3)
    assert d("sparse_plus", 2, -1.0) == 0 and d("sparse_plus", 2, 1.0) == 0.5
    assert d("sparse_sigmoid", 1, -1.0) == 0 and d("sparse_sigmoid", 1, 1.0) == 0.5
    assert d("soft_sign", 2, 0.0) == 2 and d("soft_sign", 3, 0.0) == 6
    # The piece is chosen on x, not on the rounded x + 3: x + 3 rounds to 6 here.
    x = np.nextafter(np.float32(3), np.float32(0))
    assert d("hard_sigmoid", 1, x) == np.float32(1 / 6)
    assert d("hard_silu", 2, x) == np.float32(1 / 3)


def test_hard_swish_is_hard_silu():
    assert jaxact.hard_swish is jaxact.hard_silu
    assert "hard_swish" in jaxact.__all__ and "hard_swish" not in jaxact.ACTIVATIONS


def test_infinities_and_nan():
    x = jnp.array([-jnp.inf, jnp.inf, jnp.nan])
    want = {
        "relu6": [0, 6],
        "hard_tanh": [-1, 1],
        "hard_sigmoid": [0, 1],
        "hard_silu": [0, np.inf],
        "sparse_plus": [0, np.inf],
        "sparse_sigmoid": [0, 1],
        "identity": [-np.inf, np.inf],
        "soft_sign": [-1, 1],
        "squareplus": [0, np.inf],
    }
    for name, limits in want.items():
        got = autodiff_all(name, x, jnp.float32, [(n, 0) for n in range(5)])
        y = got[0, 0]
        np.testing.assert_array_equal(y[:2], limits, err_msg=name)
        assert np.isnan(y[2]), name
        for n in range(1, 5):
            dy = got[n, 0]
            # identity is x itself (as jax.nn's): its derivatives are 1 and 0 at NaN too
            assert np.isfinite(dy[:2]).all() and np.isnan(dy[2]) != (name == "identity"), (
                name,
                n,
                dy,
            )


@pytest.mark.parametrize("b", [4.0, 9.0, 0.01])
@pytest.mark.parametrize("dtype", DTYPES)
def test_squareplus_far_tails_and_huge_x(dtype, b):
    dt = jnp.dtype(dtype)
    big = float(ml_dtypes.finfo(dt).max)
    mags = [1e2, 1e4, 1e6, 1e10, 1e15, 1e19, 2.0**60, 1e20, 1e30, 1e38, 1e100, 1e200, 1e307]
    mags = [v for v in mags if v < big] + [big]
    with x64(dtype):
        x = np.array([s * v for v in mags for s in (-1, 1)], dt)
        x = x[np.isfinite(x.astype(np.float64))]
        orders = [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1)]
        got = autodiff_all("squareplus", x, dt, orders, b)
        for n, m in orders:
            # ∂/∂b beyond |x| = 1e100 is below the reference's resolution (b/x² < 2⁻⁶⁶⁴):
            # there ∂f/∂b = 1/(4|x|) and ∂²f/∂x∂b = −sign(x)/(4x²) to working precision.
            near = np.abs(x.astype(np.float64)) <= 1e100
            y, g = (x, got[n, m]) if m == 0 else (x[near], got[n, m][near])
            err = ulps("squareplus", y, g, dt, n, m, b)
            bound = accuracy.BOUNDS[dtype][n + m]
            assert err.max() <= bound, f"∂^{n}x∂^{m}b: {err.max():.2f} ulp at {y[err > bound]}"
        far = x[np.abs(x.astype(np.float64)) > 1e100]
        if far.size:
            got = jaxact.derivative("squareplus", 0, 1)(jnp.asarray(far), b)
            want = 0.25 / np.abs(far)
            want[want < float(ml_dtypes.finfo(dt).tiny)] = 0  # XLA flushes subnormals
            np.testing.assert_array_equal(got, want)


def higher_order_points(dtype):
    mags = np.concatenate([np.geomspace(1e-3, 1e6, 28), np.linspace(0.05, 6, 24)])
    return np.unique(np.concatenate([-mags, mags, [0.0]]).astype(dtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_squareplus_higher_parameter_derivatives(dtype):
    dt = jnp.dtype(dtype)
    with x64(dtype):
        x = higher_order_points(dt)[::3]
        orders = [(0, 2), (2, 1), (0, 3), (3, 2)]
        got = autodiff_all("squareplus", x, dt, orders, 4.0)
        for n, m in orders:
            ref = [accuracy.reference("squareplus", float(v), n, m, 4.0) for v in x]
            err = accuracy.ulp_error(got[n, m], ref, dt)
            bound = 4 + 2 * (n + m)
            bad = np.flatnonzero(err > bound)
            if bad.size:  # a root of ∂ⁿ/∂xⁿ ∂ᵐ/∂bᵐ f within 4 ulp?
                extra = root_allowance(
                    "squareplus", x[bad], n, 4.0, [ref[i] for i in bad], dt, bound, m=m
                )
                err[bad] = np.maximum(bound, err[bad] - extra)
            assert err.max() <= bound, f"∂^{n}x∂^{m}b: {err.max():.1f} ulp at {x[err.argmax()]}"


def test_squareplus_per_channel_b():
    x = jnp.array([[-3.0, 0.0, 2.0], [-100.0, 1.0, 5.0]])
    b = jnp.array([1.0, 4.0, 9.0])
    y = jaxact.squareplus(x, b)
    want = [
        [
            float(accuracy.reference("squareplus", float(v), 0, 0, float(bc)))
            for v, bc in zip(row, b, strict=True)
        ]
        for row in x
    ]
    np.testing.assert_allclose(y, want, rtol=2e-7)
    g = jax.grad(lambda bb: jaxact.squareplus(x, bb).sum())(b)
    r = np.sqrt(np.asarray(x, np.float64) ** 2 + np.asarray(b, np.float64))
    np.testing.assert_allclose(g, (1 / (4 * r)).sum(0), rtol=1e-6)
    assert math.isclose(float(jax.grad(jaxact.squareplus, 1)(0.0, 4.0)), 0.125)
