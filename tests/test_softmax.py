"""The softmax family and cross-entropy against mpmath, per component, in every dtype.

References are the plain definitions (p_i = e^{z_i}/Σe^{z_j}, the Jacobian p_i(δ_ij − p_j),
1 − p_k formed in mpmath), never jaxact's own formulas. Each dtype's values, Jacobians
(forward and reverse), Hessian and general VJPs come from one jitted function, compiled once.
"""

import functools
import inspect
import math

import jax
import jax.numpy as jnp
import ml_dtypes
import mpmath as mp
import numpy as np
import pytest

import jaxact
from conftest import DTYPES, x64
from jaxact.accuracy import ulp_error

VALUE_ULP, GRAD_ULP = 4, 8


def dps(dtype) -> int:
    # 1 − p_k is formed in mpmath: its tails (down to 1e-13 here, beside p_j ≈ 1e-17) need
    # the tail's digits plus the dtype's; float64 at 150, as the reported tails ≈ 1e-49.
    return 150 if dtype == "float64" else 40


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
    return np.asarray(z, np.float64).astype(ml_dtypes.finfo(dtype).dtype)


def err(got, ref, dtype):
    return ulp_error(np.asarray(got, np.float64).reshape(-1), list(ref), dtype)


def err_scaled(got, ref, mag, dtype):
    """|got − ref| in ulp of ``mag`` (the terms' magnitudes): the general-cotangent measure."""
    info = ml_dtypes.finfo(dtype)
    mag = np.maximum(np.asarray([float(m) for m in mag]), float(info.tiny))
    spacing = np.ldexp(1.0, np.floor(np.log2(mag)).astype(int) - int(info.nmant))
    diff = np.abs(np.asarray(got, np.float64).reshape(-1) - np.asarray([float(r) for r in ref]))
    return diff / spacing


def _everything(z, g):
    """Values, every Jacobian entry (forward and reverse), the Hessian and general VJPs."""
    sm, sm_vjp = jax.vjp(jaxact.softmax, z)
    lsm, lsm_vjp = jax.vjp(jaxact.log_softmax, z)
    return {
        "sm": sm,
        "lsm": lsm,
        "lse": jaxact.logsumexp(z, axis=-1),
        "lme": jaxact.logmeanexp(z, axis=-1),
        "sm_rev": jax.vmap(jax.jacrev(jaxact.softmax))(z),
        "sm_fwd": jax.vmap(jax.jacfwd(jaxact.softmax))(z),
        "lsm_rev": jax.vmap(jax.jacrev(jaxact.log_softmax))(z),
        "lsm_fwd": jax.vmap(jax.jacfwd(jaxact.log_softmax))(z),
        "lse_grad": jax.vmap(jax.grad(jaxact.logsumexp))(z),
        "hess": jax.vmap(jax.hessian(lambda z: jaxact.log_softmax(z)[0]))(z),
        "sm_vjp": sm_vjp(g)[0],
        "lsm_vjp": lsm_vjp(g)[0],
    }


@functools.cache
def suite(dtype):
    """(z, g, outputs as float64 numpy), one compile per dtype shared by the tests below."""
    with x64(dtype):
        z = jnp.asarray(rows(dtype), dtype)
        g = jnp.asarray(np.random.default_rng(2).normal(size=z.shape), dtype)
        out = jax.jit(_everything)(z, g)
        out = {k: np.asarray(v, np.float64) for k, v in out.items()}
        return np.asarray(z, np.float64), np.asarray(g, np.float64), out


@pytest.mark.parametrize("dtype", DTYPES)
def test_values(dtype):
    z, _, got = suite(dtype)
    with mp.workdps(dps(dtype)):
        for i in range(z.shape[0]):
            assert err(got["sm"][i], ref_softmax(z[i]), dtype).max() <= VALUE_ULP
            assert err(got["lsm"][i], ref_log_softmax(z[i]), dtype).max() <= VALUE_ULP
            lse = mp.log(mp.fsum(mp.exp(t) for t in _mpf(z[i])))
            assert err(got["lse"][i], [lse], dtype).max() <= VALUE_ULP
            lme = lse - mp.log(z.shape[1])
            assert err(got["lme"][i], [lme], dtype).max() <= VALUE_ULP


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_hot_derivatives(dtype):
    # Every Jacobian entry, forward and reverse, against p_i(δ_ij − p_j): the diagonal is
    # p_k·Σ_{j≠k} p_j, never p_k(1 − p_k); and the Hessian of log_softmax(z)[0].
    z, _, got = suite(dtype)
    n = z.shape[1]
    with mp.workdps(dps(dtype)):
        for r in range(z.shape[0]):
            jac = ref_jacobian(z[r])
            p = ref_softmax(z[r])
            lsm = [[(1 if i == j else 0) - p[j] for j in range(n)] for i in range(n)]
            flat = [v for row in jac for v in row]
            for key in ("sm_rev", "sm_fwd"):
                assert err(got[key][r], flat, dtype).max() <= GRAD_ULP, key
            for key in ("lsm_rev", "lsm_fwd"):
                assert err(got[key][r], [v for row in lsm for v in row], dtype).max() <= GRAD_ULP
            assert err(got["lse_grad"][r], p, dtype).max() <= GRAD_ULP
            assert err(got["hess"][r], [-v for v in flat], dtype).max() <= GRAD_ULP


@pytest.mark.parametrize("dtype", DTYPES)
def test_general_cotangents(dtype):
    # Error within 8 ulp of the sum of the magnitudes of the terms without cancellation;
    # and translation invariance: the VJP sums to 0 up to its components' roundings.
    z, g, got = suite(dtype)
    n = z.shape[1]
    with mp.workdps(dps(dtype)):
        for r in range(z.shape[0]):
            p, gg = ref_softmax(z[r]), _mpf(g[r])
            ref = [p[i] * (gg[i] - mp.fsum(p[j] * gg[j] for j in range(n))) for i in range(n)]
            mag = [p[i] * mp.fsum(p[j] * abs(gg[i] - gg[j]) for j in range(n)) for i in range(n)]
            sm = got["sm_vjp"][r]
            assert err_scaled(sm, ref, mag, dtype).max() <= GRAD_ULP
            info = ml_dtypes.finfo(dtype)  # subnormal components: their spacing
            tol = 8 * float(info.eps) * np.abs(sm).sum() + n * float(info.smallest_subnormal)
            assert abs(sm.sum()) <= tol
            ref = [gg[i] - p[i] * mp.fsum(gg) for i in range(n)]
            mag = [
                abs(gg[i]) * mp.fsum(p[j] for j in range(n) if j != i)
                + p[i] * mp.fsum(abs(gg[j]) for j in range(n) if j != i)
                for i in range(n)
            ]
            assert err_scaled(got["lsm_vjp"][r], ref, mag, dtype).max() <= GRAD_ULP


def test_reported_float64_vjps():
    # jax#40344, jax#40386/40384, torch#195684: the finite float64 VJP component is kept.
    def vjps(z1, z2, g):
        pairs = [(jaxact.softmax, z1), (jaxact.log_softmax, z2), (jax.nn.softmax, z1)]
        return [jax.vjp(f, z)[1](g)[0] for f, z in pairs]

    with jax.enable_x64(True), mp.workdps(150):
        z1, z2, g = jnp.array([40.0, 0.0]), jnp.array([37.43, 0.0]), jnp.array([1.0, 0.0])
        sm, lsm, theirs = jax.jit(vjps)(z1, z2, g)
        p = ref_softmax(z1)
        assert err(sm, [p[0] * p[1], -p[0] * p[1]], "float64").max() <= GRAD_ULP
        p = ref_softmax(z2)
        assert err(lsm, [p[1], -p[1]], "float64").max() <= GRAD_ULP
        for got in (sm, lsm):
            assert got[0] + got[1] == 0  # translation invariance
        assert theirs[0] == 0


def test_reported_float16_gradient_is_not_nan():
    # jax#40409: Σ log_softmax of 2^16 float16 logits; Σḡ = 65536 overflows float16.
    x = jax.random.normal(jax.random.key(0), (2**16,), jnp.float16) * 2
    got = np.asarray(jax.jit(jax.grad(lambda x: jaxact.log_softmax(x).sum()))(x), np.float64)
    z = np.asarray(x, np.float64)
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    ref = 1 - p * 2**16  # float64 is ample against float16's spacing here
    assert np.isfinite(got).all()
    assert np.abs(got - ref).max() <= 2 * np.abs(np.spacing(ref.astype(np.float16))).max()


def test_confident_cross_entropy():
    # −log_softmax(z)[k] at [30, 0, 0] (float32; [9, 0, 0] in float16): the gradient at the
    # true class is −Σ_{j≠k} p_j (−1.87e-13), where jax.nn and optax give 0.
    cases = {"float32": 30.0, "float16": 9.0}

    def all_losses(zs):
        out = []
        for z in zs:
            losses = (
                lambda z: jaxact.softmax_cross_entropy(z, jnp.array([1.0, 0, 0], z.dtype)),
                lambda z: jaxact.softmax_cross_entropy_with_integer_labels(z, jnp.array(0)),
                lambda z: -jaxact.log_softmax(z)[0],
            )
            out.append(
                [jax.value_and_grad(f)(z) for f in losses]
                + [jax.grad(lambda z: -jax.nn.log_softmax(z)[0])(z)]
            )
        return out

    zs = [jnp.asarray([top, 0.0, 0.0], dtype) for dtype, top in cases.items()]
    for (dtype, top), z, got in zip(cases.items(), zs, jax.jit(all_losses)(zs), strict=True):
        with mp.workdps(40):
            p = ref_softmax(z)
            want = [-(p[1] + p[2]), p[1], p[2]]
            for value, grad in got[:-1]:
                assert err(grad, want, dtype).max() <= GRAD_ULP
                assert err(value, [mp.log1p(2 * mp.exp(-top))], dtype).max() <= VALUE_ULP
        assert got[-1][0] == 0


def test_cross_entropy_matches_optax():
    optax = pytest.importorskip("optax")
    rng = np.random.default_rng(3)
    logits = jnp.asarray(rng.normal(size=(4, 3, 5)), jnp.float32)
    labels = jnp.asarray(rng.integers(0, 5, (4, 3)))
    hot = jax.nn.one_hot(labels, 5)
    where = jnp.asarray(rng.random((4, 3)) > 0.3)
    flat = jnp.asarray(rng.normal(size=(2, 3, 4)), jnp.float32)
    lab = jnp.asarray([3, 7])
    pairs = [
        (jaxact.softmax_cross_entropy, optax.softmax_cross_entropy, hot),
        (
            jaxact.softmax_cross_entropy_with_integer_labels,
            optax.softmax_cross_entropy_with_integer_labels,
            labels,
        ),
    ]

    def both(logits, hot, labels, where, flat, lab):
        out = []
        for (ours, theirs, _), y in zip(pairs, (hot, labels), strict=True):
            for kw in ({}, {"where": where}):
                out.append((ours(logits, y, **kw), theirs(logits, y, **kw)))
        f = (jaxact, optax)
        out.append([m.softmax_cross_entropy_with_integer_labels(flat, lab, axis=(1, 2)) for m in f])
        return out

    for ours, theirs, _ in pairs:
        assert [*inspect.signature(ours).parameters] == [*inspect.signature(theirs).parameters]
    for ours, theirs in jax.jit(both)(logits, hot, labels, where, flat, lab):
        np.testing.assert_allclose(ours, theirs, rtol=2e-6)


def test_no_nan_under_jit_with_a_fused_scaled_input():
    # XLA:CPU contracts x·(1/T) − max into an FMA: jax.nn.softmax(x / T) is NaN here. The
    # reported row [2.24e10, 0] (padded with zeros) first, then random rows at large scales.
    both = jax.jit(lambda x: (jaxact.softmax(x / 3.0), jaxact.log_softmax(x / 3.0)))
    rng = np.random.default_rng(0)
    for s in (2.0**32, 2.0**36, 2.0**60):
        x = rng.normal(size=(64, 16)) * s
        x[0] = 0
        x[0, 0] = 22410763396.202377
        x = jnp.asarray(x, jnp.float32)
        p, y = both(x)
        np.testing.assert_array_equal(p[0], np.eye(16)[0])
        assert y[0, 0] == 0
        assert np.isfinite(p).all() and np.allclose(p.sum(-1), 1)
    assert np.isnan(jax.jit(lambda x: jax.nn.softmax(x / 3.0))(x)).any()  # the report


def test_large_random_logits():
    # 50304 classes (a GPT-2 vocabulary), float32: values and the one-hot VJP at the
    # maximum and at another class. The reference sums are math.fsum of float64 e^{z_j}
    # (each within 1 ulp of float64, no cancellation: exact far beyond float32's 4 ulp).
    rng = np.random.default_rng(4)
    z = jnp.asarray(rng.normal(size=50304) * 4, jnp.float32)
    zz = np.asarray(z, np.float64)
    k = int(np.argmax(zz))
    idx = rng.integers(0, z.size, 64)
    cs = jnp.asarray([k, int(idx[0])])

    @jax.jit
    def run(z, cs):
        grads = jax.vmap(lambda c: jax.grad(lambda z: -jaxact.log_softmax(z)[c])(z))(cs)
        return jaxact.softmax(z), jaxact.log_softmax(z), grads

    got_p, got_l, grads = (np.asarray(v, np.float64) for v in run(z, cs))
    with mp.workdps(30):
        e = np.exp(zz - zz[k])
        s = math.fsum(e)
        assert err(got_p[idx], [mp.mpf(e[i]) / s for i in idx], "float32").max() <= VALUE_ULP
        ref_l = [mp.mpf(zz[i] - zz[k]) - mp.log(s) for i in idx]
        assert err(got_l[idx], ref_l, "float32").max() <= VALUE_ULP
        for c, g in zip((k, int(idx[0])), grads, strict=True):
            rest = math.fsum(np.delete(e, c))
            assert err([g[c]], [-mp.mpf(rest) / s], "float32").max() <= GRAD_ULP
            others = [i for i in idx[1:] if i != c]
            assert err(g[others], [mp.mpf(e[i]) / s for i in others], "float32").max() <= GRAD_ULP


def test_where_axes_and_empty_as_jax_nn():
    rng = np.random.default_rng(5)
    x = jnp.asarray(rng.normal(size=(3, 4, 5)), jnp.float32)
    where = jnp.asarray(rng.random((3, 4, 5)) > 0.4).at[1, 2].set(False)  # a masked row

    def both(x, where):
        out = []
        # masked along -1 and a tuple (None is all axes as a tuple: once); unmasked tuple
        # axes (-1 unmasked is everywhere above)
        for axis, ws, fs in [
            (-1, (where,), ("softmax", "log_softmax")),
            ((0, 2), (None, where), ("softmax", "log_softmax")),
            (None, (where,), ("softmax",)),
        ]:
            for f in fs:
                out += [getattr(m, f)(x, axis, w) for w in ws for m in (jaxact, jax.nn)]
        for axis, f in [((0, 2), "logsumexp"), ((0, 2), "logmeanexp"), (None, "logsumexp")]:
            out += [getattr(m, f)(x, axis, where=where, keepdims=True) for m in (jaxact, jax.nn)]
        lsm = jaxact.log_softmax
        out.append(jax.grad(lambda x: jnp.where(where, lsm(x, where=where), 0).sum())(x))
        return out

    out = jax.jit(both)(x, where)
    assert np.isfinite(out.pop()).all()
    for ours, theirs in zip(out[0::2], out[1::2], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=3e-6, atol=1e-30)
    for f in (jaxact.softmax, jaxact.log_softmax):
        assert jax.eval_shape(f, jnp.zeros((0, 3))).shape == (0, 3)
    ints = jnp.array([1, 2, 3])  # jax.nn: the default float dtype
    assert jax.eval_shape(jaxact.softmax, ints).dtype == jnp.result_type(float)


def test_jax_softmax_tests_pass():
    # JAX's own tests of jax.nn.softmax (tests/nn_test.py), run on jaxact: masked values
    # and the gradient of a masked softmax as jax.nn; +inf rows NaN, as jax.nn.
    x = jnp.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    m = jnp.array([[True, False, True], [True, True, False]])
    inf = jnp.array([jnp.inf, 1.0])

    def both(x, m, inf):
        out = []
        for mod in (jaxact, jax.nn):
            out.append(
                [
                    mod.softmax(x, where=m),
                    mod.log_softmax(x, where=m),
                    mod.softmax(inf),
                    jax.grad(lambda x, mod=mod: mod.softmax(x, where=m)[0, 0])(x),
                ]
            )
        return out

    ours, theirs = jax.jit(both)(x, m, inf)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    assert np.isfinite(np.asarray(ours[1])[np.asarray(m)]).all()
    assert np.isnan(ours[2]).all() == np.isnan(theirs[2]).all()
    np.testing.assert_allclose(ours[3], theirs[3], atol=1e-7)


def test_dtypes_kept():
    for f in (jaxact.softmax, jaxact.log_softmax):
        for dt in (jnp.bfloat16, jnp.float16, jnp.float32):
            x = jax.ShapeDtypeStruct((2, 3), dt)
            assert jax.eval_shape(f, x).dtype == dt
            g = jax.eval_shape(jax.grad(lambda x, f=f: f(x)[0, 0].astype(jnp.float32)), x)
            assert g.dtype == dt
