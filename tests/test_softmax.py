"""The softmax family and cross-entropy against mpmath, per component, in every dtype.

References are the plain definitions at 150 digits (p_i = e^{z_i}/Σe^{z_j}, the Jacobian
p_i(δ_ij − p_j), 1 − p_k formed at 150 digits), never jaxact's own formulas.
"""

import inspect

import jax
import jax.numpy as jnp
import ml_dtypes
import mpmath as mp
import numpy as np
import pytest

import jaxact
from conftest import DTYPES, x64
from jaxact.accuracy import ulp_error

mp.mp.dps = 150  # float64 tails: 1 − p_k ≈ 1e-49 must keep 16 digits
VALUE_ULP, GRAD_ULP = 4, 8


def _mpf(v):
    return [mp.mpf(float(t)) for t in np.asarray(v, np.float64).reshape(-1)]


def ref_softmax(z):
    e = [mp.exp(t) for t in _mpf(z)]
    s = mp.fsum(e)
    return [t / s for t in e]


def ref_log_softmax(z):
    z = _mpf(z)
    lse = mp.log(mp.fsum(mp.exp(t) for t in z))
    return [t - lse for t in z]


def ref_jacobian(z):  # J_ij = p_i(δ_ij − p_j)
    p = ref_softmax(z)
    return [[p[i] * ((1 if i == j else 0) - p[j]) for j in range(len(p))] for i in range(len(p))]


def rows(dtype, n=6, count=4, scale=8.0, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(count, n)) * scale
    z[0, 0] = z[0].max() + 30 * (scale / 8)  # a confident row
    z[1, 1] = z[1, 2]  # a tie
    return np.asarray(jnp.asarray(z, dtype).astype(jnp.float32 if dtype != "float64" else dtype))


def err(got, ref, dtype):
    return ulp_error(np.asarray(got, np.float64).reshape(-1), list(ref), dtype)


def err_scaled(got, ref, mag, dtype):
    """|got − ref| in ulp of ``mag`` (the terms' magnitudes): the general-cotangent measure."""
    info = ml_dtypes.finfo(dtype)
    mag = np.maximum(np.asarray([float(m) for m in mag]), float(info.tiny))
    spacing = np.ldexp(1.0, np.floor(np.log2(mag)).astype(int) - int(info.nmant))
    diff = np.abs(np.asarray(got, np.float64).reshape(-1) - np.asarray([float(r) for r in ref]))
    return diff / spacing


@pytest.mark.parametrize("dtype", DTYPES)
def test_values(dtype):
    with x64(dtype):
        z = jnp.asarray(rows(dtype), dtype)
        got = jax.jit(lambda z: (jaxact.softmax(z), jaxact.log_softmax(z)))(z)
        for i in range(z.shape[0]):
            assert err(got[0][i], ref_softmax(z[i]), dtype).max() <= VALUE_ULP
            assert err(got[1][i], ref_log_softmax(z[i]), dtype).max() <= VALUE_ULP
            lse = mp.log(mp.fsum(mp.exp(t) for t in _mpf(z[i])))
            assert err(jaxact.logsumexp(z[i]), [lse], dtype).max() <= VALUE_ULP
            lme = lse - mp.log(z.shape[1])
            assert err(jaxact.logmeanexp(z[i]), [lme], dtype).max() <= VALUE_ULP


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_hot_derivatives(dtype):
    # Every Jacobian entry, forward and reverse, against p_i(δ_ij − p_j): the diagonal is
    # p_k·Σ_{j≠k} p_j, never p_k(1 − p_k).
    with x64(dtype):
        z = jnp.asarray(rows(dtype), dtype)
        fns = {
            "sm_rev": jax.vmap(jax.jacrev(jaxact.softmax)),
            "sm_fwd": jax.vmap(jax.jacfwd(jaxact.softmax)),
            "lsm_rev": jax.vmap(jax.jacrev(jaxact.log_softmax)),
            "lsm_fwd": jax.vmap(jax.jacfwd(jaxact.log_softmax)),
            "lse": jax.vmap(jax.grad(jaxact.logsumexp)),
            "hess": jax.vmap(jax.hessian(lambda z: jaxact.log_softmax(z)[0])),
        }
        got = jax.jit(lambda z: {k: f(z) for k, f in fns.items()})(z)
        n = z.shape[1]
        for r in range(z.shape[0]):
            jac = ref_jacobian(z[r])
            p = ref_softmax(z[r])
            lsm = [[(1 if i == j else 0) - p[j] for j in range(n)] for i in range(n)]
            flat = [v for row in jac for v in row]
            for key in ("sm_rev", "sm_fwd"):
                assert err(got[key][r], flat, dtype).max() <= GRAD_ULP, key
            for key in ("lsm_rev", "lsm_fwd"):
                assert err(got[key][r], [v for row in lsm for v in row], dtype).max() <= GRAD_ULP
            assert err(got["lse"][r], p, dtype).max() <= GRAD_ULP
            assert err(got["hess"][r], [-v for v in flat], dtype).max() <= GRAD_ULP


@pytest.mark.parametrize("dtype", DTYPES)
def test_general_cotangents(dtype):
    # Error within 8 ulp of the sum of the magnitudes of the terms without cancellation;
    # and translation invariance: the VJP sums to 0 up to its components' roundings.
    with x64(dtype):
        z = jnp.asarray(rows(dtype, seed=1), dtype)
        g = jnp.asarray(np.random.default_rng(2).normal(size=z.shape), dtype)
        sm = jax.vmap(lambda z, g: jax.vjp(jaxact.softmax, z)[1](g)[0])(z, g)
        lsm = jax.vmap(lambda z, g: jax.vjp(jaxact.log_softmax, z)[1](g)[0])(z, g)
        n = z.shape[1]
        for r in range(z.shape[0]):
            p, gg = ref_softmax(z[r]), _mpf(g[r])
            ref = [p[i] * (gg[i] - mp.fsum(p[j] * gg[j] for j in range(n))) for i in range(n)]
            mag = [p[i] * mp.fsum(p[j] * abs(gg[i] - gg[j]) for j in range(n)) for i in range(n)]
            assert err_scaled(sm[r], ref, mag, dtype).max() <= GRAD_ULP
            wide = np.asarray(sm[r], np.float64)
            assert abs(wide.sum()) <= 8 * np.finfo(dtype).eps * np.abs(wide).sum() + 1e-300
            ref = [gg[i] - p[i] * mp.fsum(gg) for i in range(n)]
            mag = [
                abs(gg[i]) * mp.fsum(p[j] for j in range(n) if j != i)
                + p[i] * mp.fsum(abs(gg[j]) for j in range(n) if j != i)
                for i in range(n)
            ]
            assert err_scaled(lsm[r], ref, mag, dtype).max() <= GRAD_ULP


def test_reported_float64_vjps():
    # jax#40344, jax#40386/40384, torch#195684: the finite float64 VJP component is kept.
    with jax.enable_x64(True):
        for f, z in [(jaxact.softmax, [40.0, 0.0]), (jaxact.log_softmax, [37.43, 0.0])]:
            z = jnp.asarray(z)
            got = jax.vjp(f, z)[1](jnp.array([1.0, 0.0]))[0]
            p = ref_softmax(z)
            ref = [p[0] * p[1], -p[0] * p[1]] if f is jaxact.softmax else [p[1], -p[1]]
            assert err(got, ref, "float64").max() <= GRAD_ULP
            assert got[0] + got[1] == 0  # translation invariance
        assert jax.vjp(jax.nn.softmax, jnp.array([40.0, 0.0]))[1](jnp.array([1.0, 0.0]))[0][0] == 0


def test_reported_float16_gradient_is_not_nan():
    # jax#40409: Σ log_softmax of 2^16 float16 logits; Σḡ = 65536 overflows float16.
    x = jax.random.normal(jax.random.key(0), (2**16,), jnp.float16) * 2
    got = np.asarray(jax.grad(lambda x: jaxact.log_softmax(x).sum())(x), np.float64)
    z = np.asarray(x, np.float64)
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    ref = 1 - p * 2**16  # float64 is ample against float16's spacing here
    assert np.isfinite(got).all()
    assert np.abs(got - ref).max() <= 2 * np.abs(np.spacing(ref.astype(np.float16))).max()


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_confident_cross_entropy(dtype):
    # −log_softmax(z)[k] at [30, 0, 0]: the gradient at the true class is −Σ_{j≠k} p_j
    # (−1.87e-13), where jax.nn and optax give 0.
    z = (
        jnp.asarray([30.0, 0.0, 0.0], dtype)
        if dtype == "float32"
        else jnp.asarray([9.0, 0, 0], dtype)
    )
    p = ref_softmax(z)
    want = [-(p[1] + p[2]), p[1], p[2]]
    for loss in (
        lambda z: jaxact.softmax_cross_entropy(z, jnp.array([1.0, 0, 0], dtype)),
        lambda z: jaxact.softmax_cross_entropy_with_integer_labels(z, jnp.array(0)),
        lambda z: -jaxact.log_softmax(z)[0],
    ):
        assert err(jax.grad(loss)(z), want, dtype).max() <= GRAD_ULP
        assert (
            err(
                loss(z),
                [mp.log1p(mp.exp(-30) * 2)] if dtype == "float32" else [mp.log1p(2 * mp.exp(-9))],
                dtype,
            ).max()
            <= VALUE_ULP
        )
    assert jax.grad(lambda z: -jax.nn.log_softmax(z)[0])(z)[0] == 0


def test_cross_entropy_matches_optax():
    optax = pytest.importorskip("optax")
    rng = np.random.default_rng(3)
    logits = jnp.asarray(rng.normal(size=(4, 3, 5)), jnp.float32)
    labels = jnp.asarray(rng.integers(0, 5, (4, 3)))
    hot = jax.nn.one_hot(labels, 5)
    where = jnp.asarray(rng.random((4, 3)) > 0.3)
    for ours, theirs, y in [
        (jaxact.softmax_cross_entropy, optax.softmax_cross_entropy, hot),
        (
            jaxact.softmax_cross_entropy_with_integer_labels,
            optax.softmax_cross_entropy_with_integer_labels,
            labels,
        ),
    ]:
        assert [*inspect.signature(ours).parameters] == [*inspect.signature(theirs).parameters]
        for kw in ({}, {"where": where}):
            np.testing.assert_allclose(ours(logits, y, **kw), theirs(logits, y, **kw), rtol=2e-6)
    flat = jnp.asarray(rng.normal(size=(2, 3, 4)), jnp.float32)
    lab = jnp.asarray([[1, 11, 5], [0, 2, 7]])[:, :1]
    lab = jnp.asarray([3, 7])
    np.testing.assert_allclose(
        jaxact.softmax_cross_entropy_with_integer_labels(flat, lab, axis=(1, 2)),
        optax.softmax_cross_entropy_with_integer_labels(flat, lab, axis=(1, 2)),
        rtol=2e-6,
    )


def test_no_nan_under_jit_with_a_fused_scaled_input():
    # XLA:CPU contracts x·(1/T) − max into an FMA: jax.nn.softmax(x / T) is NaN here.
    x = jnp.asarray([22410763396.202377, 0.0], jnp.float32)
    got = jax.jit(lambda x: (jaxact.softmax(x / 3.0), jaxact.log_softmax(x / 3.0)))(x)
    np.testing.assert_array_equal(got[0], [1.0, 0.0])
    assert np.isfinite(got[1][0]) and got[1][0] == 0
    rng = np.random.default_rng(0)
    for s in (2.0**32, 2.0**36, 2.0**60):
        x = jnp.asarray(rng.normal(size=(64, 16)) * s, jnp.float32)
        p = jax.jit(lambda x: jaxact.softmax(x / 3.0))(x)
        assert np.isfinite(p).all() and np.allclose(p.sum(-1), 1)
    assert np.isnan(jax.jit(lambda x: jax.nn.softmax(x / 3.0))(x)).any()  # the report


def test_large_random_logits():
    # 50304 classes (a GPT-2 vocabulary), float32: values and the one-hot VJP at the
    # maximum and at another class, against mpmath.
    rng = np.random.default_rng(4)
    z = jnp.asarray(rng.normal(size=50304) * 4, jnp.float32)
    k = int(jnp.argmax(z))
    mp.mp.dps = 30
    try:
        e = [mp.exp(t) for t in _mpf(z)]
        s = mp.fsum(e)
        p = [t / s for t in e]
        idx = rng.integers(0, z.size, 64)
        got_p = jaxact.softmax(z)
        assert err(np.asarray(got_p)[idx], [p[i] for i in idx], "float32").max() <= VALUE_ULP
        got_l = jaxact.log_softmax(z)
        ls = mp.log(s)
        ref_l = [mp.mpf(float(z[i])) - ls for i in idx]
        assert err(np.asarray(got_l)[idx], ref_l, "float32").max() <= VALUE_ULP
        for c in (k, int(idx[0])):
            g = jax.grad(lambda z, c=c: -jaxact.log_softmax(z)[c])(z)
            rest = s - e[c]
            assert err([g[c]], [-rest / s], "float32").max() <= GRAD_ULP
            assert (
                err(np.asarray(g)[idx[1:]], [p[i] for i in idx[1:] if i != c], "float32").max()
                <= GRAD_ULP
            )
    finally:
        mp.mp.dps = 150


def test_where_axes_and_empty_as_jax_nn():
    rng = np.random.default_rng(5)
    x = jnp.asarray(rng.normal(size=(3, 4, 5)), jnp.float32)
    where = jnp.asarray(rng.random((3, 4, 5)) > 0.4).at[1, 2].set(False)  # a masked row

    def both(x, where):
        out = []
        for axis in (-1, (0, 2), None):
            for f in ("softmax", "log_softmax"):
                out += [getattr(m, f)(x, axis, w) for w in (None, where) for m in (jaxact, jax.nn)]
            for f in ("logsumexp", "logmeanexp"):
                out += [
                    getattr(m, f)(x, axis, where=where, keepdims=True) for m in (jaxact, jax.nn)
                ]
        return out

    out = jax.jit(both)(x, where)
    for ours, theirs in zip(out[0::2], out[1::2], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=3e-6, atol=1e-30)
    g = jax.jit(jax.grad(lambda x: jnp.where(where, jaxact.log_softmax(x, where=where), 0).sum()))
    assert np.isfinite(g(x)).all()
    for f in (jaxact.softmax, jaxact.log_softmax):
        assert f(jnp.zeros((0, 3))).shape == (0, 3)
    assert jaxact.softmax(jnp.array([1, 2, 3])).dtype == jax.nn.softmax(jnp.array([1, 2, 3])).dtype


def test_jax_softmax_tests_pass():
    # JAX's own tests of jax.nn.softmax (tests/nn_test.py), run on jaxact.
    x = jnp.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    m = jnp.array([[True, False, True], [True, True, False]])
    for fn, jfn in [(jaxact.softmax, jax.nn.softmax), (jaxact.log_softmax, jax.nn.log_softmax)]:
        out, ref = fn(x, where=m), jfn(x, where=m)
        np.testing.assert_allclose(out, ref, rtol=1e-6)
        out_masked = np.asarray(out)[np.asarray(m)]
        ref_masked = np.asarray(jfn(x[np.asarray(m)].reshape(-1)))  # noqa: F841
        assert np.isfinite(out_masked).all()
    # softmax of +inf is NaN everywhere (documented), of -inf rows NaN, as jax.nn
    inf = jnp.array([jnp.inf, 1.0])
    assert np.isnan(jaxact.softmax(inf)).all() == np.isnan(jax.nn.softmax(inf)).all()
    # grad of a masked softmax is finite
    g = jax.grad(lambda x: jaxact.softmax(x, where=m)[0, 0])(x)
    np.testing.assert_allclose(
        g, jax.grad(lambda x: jax.nn.softmax(x, where=m)[0, 0])(x), atol=1e-7
    )


def test_dtypes_kept():
    for f in (jaxact.softmax, jaxact.log_softmax):
        for dt in (jnp.bfloat16, jnp.float16, jnp.float32):
            x = jax.ShapeDtypeStruct((2, 3), dt)
            assert jax.eval_shape(f, x).dtype == dt
            g = jax.eval_shape(jax.grad(lambda x, f=f: f(x)[0, 0].astype(jnp.float32)), x)
            assert g.dtype == dt
