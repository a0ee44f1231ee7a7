"""Every order autodiff reaches agrees with a high-precision reference to a few ulp.

Bounds (ulp at the true value, orders 0/1/2): float32 and float64 4/4/8, float16 and
bfloat16 1/1/1 (``jaxact.accuracy.BOUNDS``). Third derivatives: a relative tolerance.
"""

import chex
import hypothesis.extra.numpy as hnp
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import DTYPES, NAMES, PARAMS, cases, param_in, x64
from hypothesis import given, settings
from hypothesis import strategies as st

import jaxact
from jaxact import accuracy

MODES = {  # the transforms that compute each order
    (0, 0): ["value"],
    (1, 0): ["grad", "jvp", "jacfwd", "jacrev", "closed"],
    (2, 0): ["grad", "jvp", "hessian", "jacrev", "closed"],
    (0, 1): ["grad", "jvp", "closed"],  # ∂f/∂α
    (1, 1): ["grad", "jvp", "closed"],  # ∂²f/∂x∂α
}


def evaluate(act, n, m, param, dtype, x, mode):
    args = () if param is None else (jnp.asarray(param, dtype),)
    if mode == "value":
        return np.asarray(act.fn(jnp.asarray(x), *args))
    return np.asarray(accuracy.autodiff(act, n, m, *args, mode=mode)(jnp.asarray(x)))


def orders(name):
    return [k for k in MODES if PARAMS[name][0] is not None or k[1] == 0]


@pytest.mark.parametrize("name,param,dtype", cases())
def test_derivatives_match_reference_in_ulp(name, param, dtype):
    act = jaxact.ACTIVATIONS[name]
    dt = jnp.dtype(dtype)
    with x64(dtype):
        x = accuracy.test_points(dt, n_random=100, seed=len(name))
        p = param_in(param, dtype)
        worst = {}
        for n, m in orders(name):
            ref = [accuracy.reference(name, float(v), n, m, p) for v in x.astype(np.float64)]
            bound = accuracy.BOUNDS[dtype][n] if m == 0 else accuracy.BOUNDS[dtype][n + 1]
            for mode in MODES[n, m]:
                got = evaluate(act, n, m, param, dt, x, mode)
                chex.assert_shape(got, x.shape)
                assert got.dtype == dt
                err = accuracy.ulp_error(got, ref, dt)
                worst[n, m, mode] = err.max()
                bad = np.flatnonzero(err > bound)
                assert not bad.size, (
                    f"{name} ∂^{n}x ∂^{m}α via {mode}: {err.max():.2f} ulp > {bound} at "
                    f"x={x[bad[:5]]}"
                )
    print(name, dtype, {k: round(v, 2) for k, v in worst.items()})


# Third derivatives cross zero, where no relative bound can hold; measure the error against
# the scale of f‴ instead: |got − ref| ≤ 16 ε (|ref| + max|f‴|).
@pytest.mark.parametrize("name,param,dtype", cases(["float32", "float64"]))
def test_third_derivative(name, param, dtype):
    act = jaxact.ACTIVATIONS[name]
    dt = jnp.dtype(dtype)
    with x64(dtype):
        x = accuracy.test_points(dt, n_random=100)
        x = x[np.abs(x.astype(np.float64)) < 1e4]
        p = param_in(param, dtype)
        ref = np.array([float(accuracy.reference(name, float(v), 3, 0, p)) for v in x])
        for mode in ["grad", "jvp"]:
            got = evaluate(act, 3, 0, param, dt, x, mode).astype(np.float64)
            assert np.isfinite(got).all()
            scale = np.abs(ref) + (np.abs(ref).max() or 1.0)
            ratio = np.abs(got - ref) / (float(jnp.finfo(dt).eps) * scale)
            assert ratio.max() <= 16, (
                f"{name} f‴ via {mode}: {ratio.max():.1f} ε at x={x[ratio.argmax()]}"
            )
            print(name, dtype, mode, f"worst {ratio.max():.2f} ε·(|f‴| + max|f‴|)")


@pytest.mark.parametrize("name", ["prelu", "leaky_relu", "elu"])
def test_per_channel_parameter_derivative(name):
    act = jaxact.ACTIVATIONS[name]
    x = jnp.array(np.random.default_rng(0).normal(scale=3.0, size=(5, 3)), jnp.float32)
    alpha = jnp.array([0.1, 0.25, 0.9], jnp.float32)
    jac = jax.jacrev(act.fn, argnums=1)(x, alpha)  # (5, 3, 3): ∂f[b, c]/∂α[k]
    chex.assert_shape(jac, (5, 3, 3))
    off_diagonal = jac * (1 - jnp.eye(3))
    assert (off_diagonal == 0).all()
    diag = np.asarray(jnp.einsum("bcc->bc", jac))
    for (b, c), v in np.ndenumerate(diag):
        ref = accuracy.reference(name, float(x[b, c]), 0, 1, float(alpha[c]))
        assert accuracy.ulp_error(np.array([v]), [ref], np.float32)[0] <= 4
    # ∂(Σf)/∂α per channel sums the column: against the reference sum, in float64.
    with jax.enable_x64(True):
        g = jax.grad(lambda a: act.fn(x.astype(jnp.float64), a).sum())(alpha.astype(jnp.float64))
    want = [sum(float(accuracy.reference(name, float(v), 0, 1)) for v in x[:, c]) for c in range(3)]
    np.testing.assert_allclose(g, want, rtol=1e-14)


@st.composite
def arrays_of(draw, dtype):
    width = {"float16": 16, "float32": 32, "float64": 64, "bfloat16": 32}[dtype]
    x = draw(
        hnp.arrays(
            np.float64 if width == 64 else np.float32 if width == 32 else np.float16,
            16,
            elements=st.floats(-1e4, 1e4, allow_nan=False, width=width, allow_subnormal=False),
        )
    )
    return x.astype(jnp.dtype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_random_points(name, dtype):
    act = jaxact.ACTIVATIONS[name]
    param = PARAMS[name][-1]
    dt = jnp.dtype(dtype)

    @settings(max_examples=15, deadline=None, database=None)
    @given(arrays_of(dtype))
    def check(x):
        ax = np.abs(x.astype(np.float64))
        x = x[(ax == 0) | (ax >= float(jnp.finfo(dt).tiny))]  # XLA flushes subnormal inputs
        for n in range(3):
            ref = [
                accuracy.reference(name, float(v), n, 0, param_in(param, dtype))
                for v in x.astype(np.float64)
            ]
            got = evaluate(act, n, 0, param, dt, x, "value" if n == 0 else "grad")
            assert accuracy.ulp_error(got, ref, dt).max() <= accuracy.BOUNDS[dtype][n]

    with x64(dtype):
        check()
