"""Edge inputs: the extremes of each dtype, every 16-bit value, and random bit patterns.

(NaN and ±inf are among the points of every accuracy test, tests/test_accuracy.py.)
"""

import functools

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest

import jaxact
from conftest import NAMES, PARAMS, compiled_together, param_in, x64
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
    return {k: jax.vmap(lambda x, g=g: g(x, *args)) for k, g in fns.items()}


def sweep(dtype, n=250_000, seed=0) -> np.ndarray:
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


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_no_finite_input_gives_nan_or_inf_derivatives(name, dtype):
    with x64(dtype):
        x = jnp.asarray(sweep(dtype))
        for k, y in compiled_together(derivatives(name, dtype), x).items():
            assert y.dtype == jnp.dtype(dtype)
            bad = np.flatnonzero(~np.isfinite(np.asarray(y, np.float64)))
            # ±inf is right only where the true value overflows the dtype (selu(λ·max)).
            top = float(ml_dtypes.finfo(dtype).max)
            xb = np.asarray(x, np.float64)[bad]
            bad = [
                i
                for i, v in zip(bad, xb, strict=True)
                if not (
                    k == "f"
                    and abs(float(accuracy.reference(name, float(v), 0, 0, PARAMS[name][0]))) > top
                )
            ]
            assert not bad, f"{k}({np.asarray(x)[bad][:5]}) = {np.asarray(y)[bad][:5]}"


def ulps(got: np.ndarray, want: np.ndarray, dtype) -> np.ndarray:
    """Vectorized :func:`jaxact.accuracy.ulp_error` for float64 ``want`` (same rules)."""
    info = ml_dtypes.finfo(dtype)
    tiny, nmant, top = float(info.tiny), int(info.nmant), float(info.max)
    got, a = got.astype(np.float64), np.abs(want)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.floor(np.log2(np.maximum(a, tiny)))
        err = np.abs(got - want) / np.exp2(e - nmant)
    flushed = (a < tiny) & ((got == 0) | (np.sign(got) == np.sign(want))) & (np.abs(got) <= tiny)
    flushed &= accuracy.flushes_subnormals(dtype)
    overflow = (a > top) & (got == np.where(want > 0, np.inf, -np.inf))  # rounds to ±inf
    return np.where(flushed | overflow, 0.0, err)


@functools.lru_cache(maxsize=1)
def float64_closed_forms(name) -> dict:
    """{(dtype, n): jaxact's float64 f⁽ⁿ⁾, n ≤ 2, at every finite value of dtype (with the
    parameter rounded to dtype)} for both 16-bit dtypes, from one compiled program (the
    row's two cases run one after the other)."""
    xs = {dt: sixteen_bit_inputs(dt).astype(np.float64) for dt in ("float16", "bfloat16")}
    x = np.concatenate(list(xs.values()))
    param = PARAMS[name][0]  # as each dtype's test passes it: rounded to that dtype
    p = None if param is None else np.concatenate([[param_in(param, d)] * len(xs[d]) for d in xs])
    with jax.enable_x64(True):
        fns = {n: jaxact.derivative(name, n) for n in range(3)}
        closed = jax.jit(lambda x, *a: {n: d(x, *a) for n, d in fns.items()})
        wants = {n: np.asarray(y) for n, y in closed(x, *([] if p is None else [p])).items()}
    split = len(xs["float16"])
    return {
        (dt, n): y[:split] if dt == "float16" else y[split:] for dt in xs for n, y in wants.items()
    }


def sixteen_bit_inputs(dtype) -> np.ndarray:
    """Every finite value of a 16-bit dtype, zero and the normal ones (XLA flushes the rest)."""
    x = sweep(dtype)
    return x[(np.abs(x.astype(np.float64)) >= float(ml_dtypes.finfo(dtype).tiny)) | (x == 0)]


@pytest.mark.parametrize("name,dtype", [(n, d) for n in NAMES for d in ("float16", "bfloat16")])
def test_every_16_bit_input_is_within_one_ulp(name, dtype):
    # All 65,536 values (the finite ones): f, f′, f″ by jax.grad within 1 ulp of the true
    # value. The true value is jaxact's float64 closed form, whose error (≤ 8 ulp of float64,
    # 2⁻⁴⁹ relative) is far below a 16-bit ulp; on a structured subset (every 97th value
    # below 400 in magnitude, every 997th above), that float64 value is itself checked
    # against the mpmath reference, and so are the 16-bit results.
    dt = jnp.dtype(dtype)
    param = PARAMS[name][0]
    p = param_in(param, dtype)
    x = sixteen_bit_inputs(dt)
    x64_ = x.astype(np.float64)
    small = np.abs(x64_) < 400
    subset = np.concatenate([np.flatnonzero(small)[::97], np.flatnonzero(~small)[::997]])
    fns = derivatives(name, dtype)
    results = compiled_together({k: fns[k] for k in ("f", "d1", "d2")}, x)
    for n in range(3):
        got = np.asarray(results["f" if n == 0 else f"d{n}"])
        want = float64_closed_forms(name)[dtype, n]
        ref = [accuracy.reference(name, float(v), n, 0, p) for v in x64_[subset]]
        err64 = accuracy.ulp_error(want[subset], ref, np.float64)
        assert err64.max() <= accuracy.BOUNDS["float64"][n], f"float64 order {n}"
        err = accuracy.ulp_error(got[subset], ref, dt)
        assert err.max() <= 1, f"order {n}: {err.max():.2f} ulp at x={x[subset][err.argmax()]}"
        err = ulps(got, want, dt)
        bad = np.flatnonzero(err > 1 + 1e-6)
        assert not bad.size, (
            f"{name} order {n}: {err.max():.2f} ulp at x={x[bad[:5]]}: got {got[bad[:5]]}, "
            f"want {want[bad[:5]]}"
        )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_every_positive_16_bit_input_of_log1mexp_is_within_one_ulp(dtype):
    # log1mexp is a row outside the table (its domain is x > 0): every positive finite
    # 16-bit value, f, f′ and f″ by jax.grad, within 1 ulp of its definition's closed forms
    # in NumPy's float64, written without cancellation (results that overflow the dtype,
    # f′ ≈ 1/x near 0, must be inf), and on every 97th value those and the 16-bit results
    # against the mpmath definition.
    dt = jnp.dtype(dtype)
    x = sixteen_bit_inputs(dt)
    x = x[x.astype(np.float64) > 0]
    fns = {0: jaxact.log1mexp, 1: jax.grad(jaxact.log1mexp)}
    fns[2] = jax.grad(fns[1])
    got = compiled_together({n: jax.vmap(f) for n, f in fns.items()}, x)
    x64_ = x.astype(np.float64)
    with np.errstate(over="ignore", divide="ignore"):
        want = {
            0: np.where(x64_ < np.log(2), np.log(-np.expm1(-x64_)), np.log1p(-np.exp(-x64_))),
            1: 1 / np.expm1(x64_),
            2: -np.exp(-x64_) / np.expm1(-x64_) ** 2,
        }
    subset = np.arange(0, x.size, 97)
    for n in range(3):
        g = np.asarray(got[n])
        ref = [accuracy.reference("log1mexp", float(v), n) for v in x[subset].astype(np.float64)]
        assert accuracy.ulp_error(want[n][subset], ref, np.float64).max() <= 8, n
        assert accuracy.ulp_error(g[subset], ref, dt).max() <= 1, n
        err = ulps(g, want[n], dt)
        bad = np.flatnonzero(err > 1 + 1e-6)
        assert not bad.size, (n, x[bad[:5]], g[bad[:5]], want[n][bad[:5]])
