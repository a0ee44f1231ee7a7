"""Edge inputs: NaN, ±inf, the extremes of each dtype, and a sweep of random bit patterns."""

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest
from conftest import DTYPES, NAMES, PARAMS, x64

import jaxact
from jaxact import accuracy


def derivatives(name, dtype, max_order=2):
    """f and its derivatives by autodiff (x up to max_order, and ∂/∂α), elementwise."""
    act = jaxact.ACTIVATIONS[name]
    param = PARAMS[name][0]
    args = () if param is None else (jnp.asarray(param, dtype),)
    f = lambda x, *a: act.fn(x, *a)  # noqa: E731
    fns = {"f": f}
    g = f
    for n in range(1, max_order + 1):
        g = jax.grad(g)
        fns[f"d{n}"] = g
    if args:
        fns["dα"] = jax.grad(f, argnums=1)
        fns["dxdα"] = jax.grad(jax.grad(f), argnums=1)
    return {k: jax.jit(jax.vmap(lambda x, g=g: g(x, *args))) for k, g in fns.items()}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_nan_in_nan_out(name, dtype):
    with x64(dtype):
        x = jnp.full((3,), jnp.nan, dtype)
        for k, fn in derivatives(name, dtype, max_order=3).items():
            assert jnp.isnan(fn(x)).all(), k


def limit(name, sign):
    """f(±inf): the reference far out, where every activation has reached its limit."""
    v = float(accuracy.reference(name, sign * 1e300, 0, 0, PARAMS[name][0]))
    return v if abs(v) < 1e250 else sign * np.inf if v * sign > 0 else -sign * np.inf


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_infinities_give_limits_and_finite_derivatives(name, dtype):
    with x64(dtype):
        x = jnp.array([-np.inf, np.inf], dtype)
        fns = derivatives(name, dtype, max_order=3)
        want = [limit(name, -1), limit(name, 1)]
        np.testing.assert_array_equal(np.asarray(fns.pop("f")(x), np.float64), want)
        fns.pop("dα", None)  # ∂(αx)/∂α = x = −inf is the true value
        for k, fn in fns.items():
            assert jnp.isfinite(fn(x)).all(), k


def sweep(dtype, n=1_000_000, seed=0) -> np.ndarray:
    """Every finite value of a 16-bit dtype; n random finite bit patterns otherwise."""
    dt = jnp.dtype(dtype)
    if dt.itemsize == 2:
        x = np.arange(2**16, dtype=np.uint16).view(dt)
    else:
        bits = np.random.default_rng(seed).integers(0, 2 ** (8 * dt.itemsize), n, dtype=np.uint64)
        x = bits.astype(np.uint32 if dt.itemsize == 4 else np.uint64).view(dt)
    info = ml_dtypes.finfo(dt)
    extremes = np.array([info.max, -info.max, info.tiny, -info.tiny, 0.0, 1.0, -1.0], dt)
    with np.errstate(invalid="ignore"):
        return np.concatenate([x[np.isfinite(x)], extremes])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_no_finite_input_gives_nan_or_inf_derivatives(name, dtype):
    with x64(dtype):
        x = jnp.asarray(sweep(dtype))
        for k, fn in derivatives(name, dtype).items():
            y = fn(x)
            assert y.dtype == jnp.dtype(dtype)
            bad = ~jnp.isfinite(y)
            assert not bad.any(), f"{k}({np.asarray(x[bad][:5])}) = {np.asarray(y[bad][:5])}"
