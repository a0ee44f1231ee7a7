"""The activations compose with JAX's transforms: every transform against the reference.

Each transform (jit or not, vmap, jacfwd, jacrev, hessian, jvp, linearize, vjp, checkpoint,
scan) is compared with the mpmath reference, on points that include the kink, both sides of
every switch point and the tails, and with random non-unit tangents and cotangents of both
signs: in 16-bit dtypes the chain rule's product is formed in float32 and rounded once, so a
JVP or VJP must be the exact product f′(x)·t correctly rounded (up to float32's own error).
"""

import re

import chex
import jax
import jax.numpy as jnp
import ml_dtypes
import mpmath as mp
import numpy as np
import pytest
from jax.experimental.jet import jet
from jax.test_util import check_grads

import jaxact
from conftest import NAMES, PARAMS, compiled_together, param_in, x64
from jaxact import accuracy


def call(name, dtype=jnp.float32):
    act = jaxact.ACTIVATIONS[name]
    param = PARAMS[name][-1]
    if param is None:
        return act.fn
    return lambda x: act.fn(x, jnp.asarray(param, dtype))


X = np.array([-7.5, -2.0, -0.3, 0.4, 1.5, 9.0], np.float32)  # away from the kink at 0

#: Eagerly, every primitive runs through its impl rule (Tower._impl: the primitive compiled
#: alone), the same code for every row: a row without a parameter and one with.
EAGER = ["sigmoid", "prelu"]

#: The rows of the finite-difference cross-check: a row of each family, and every row with a
#: parameter (whose derivative in α follows a rule of its own, checked here too). Every row
#: and every order is compared with the mpmath reference (jacfwd, jacrev, hessian,
#: grad(grad) below; grad, jvp and the closed forms in test_accuracy): finite differences
#: are an independent second opinion, not the only one, so a row of each kind suffices.
FAMILIES = ["sigmoid", "prelu", "celu", "soft_sign", "gelu_exact"]
CHECK_GRADS = [*FAMILIES, *(n for n in NAMES if jaxact.ACTIVATIONS[n].params and n not in FAMILIES)]


@pytest.mark.parametrize("name", CHECK_GRADS)
def test_check_grads_float64(name):
    # Finite differences, independent of the library's own derivatives.
    # f is elementwise: one check at the vector X probes every point along a random
    # direction (check_grads compares directional derivatives with finite differences).
    with jax.enable_x64(True):
        # jit: each of check_grads' jvps and vjps compiles as one program, not op by op
        act = jaxact.ACTIVATIONS[name]
        args = (X.astype(np.float64), *([0.3] if act.params else []))  # and the parameter
        check_grads(jax.jit(act.fn), args, order=2, modes=["rev"], eps=1e-4)


def points(name, dtype) -> np.ndarray:
    """The kink and switch points (both sides), the centre and the tails, in ``dtype``."""
    act = jaxact.ACTIVATIONS[name]
    base = [0.0, 1e-3, 0.3, 1.0, 3.0, 7.5, 20.0, 30.0, 60.0, 90.0, 500.0]
    x = np.concatenate([base, np.negative(base), accuracy.near(act.switch_points, dtype)])
    with np.errstate(over="ignore"):
        x = np.unique(np.asarray(x, np.float64).astype(dtype))
    return x[np.isfinite(x.astype(np.float64))]


def refs(name, x, n, dtype):
    p = param_in(PARAMS[name][-1], dtype)
    return [accuracy.reference(name, float(v), n, 0, p) for v in np.asarray(x, np.float64)]


def ulp_failure(got, x, name, n, what, dtype=np.float32):
    got = np.asarray(got).reshape(-1)
    err = accuracy.ulp_error(got, refs(name, x, n, dtype), dtype)
    bound = accuracy.BOUNDS[np.dtype(dtype).name][n]
    i = err.argmax()
    return [f"{name} {what}: {err[i]:.3g} ulp > {bound} at x={x[i]}"] if err[i] > bound else []


def every_transform(name: str, compiled: bool) -> list[str]:
    """Each transform's failures for ``name``: compiled (one program for all of them), or
    eagerly (each primitive's impl rule, op by op)."""
    f = call(name)
    x = points(name, np.float32)
    transforms = {
        "f": (f, 0),
        "vmap(jacfwd)": (jax.vmap(jax.jacfwd(f)), 1),
        "vmap(jacrev)": (jax.vmap(jax.jacrev(f)), 1),
        "diag(jacfwd)": (lambda x: jnp.diag(jax.jacfwd(f)(x)), 1),
        "vmap(hessian)": (jax.vmap(jax.hessian(f)), 2),
        "grad(grad)": (jax.vmap(jax.grad(jax.grad(f))), 2),
        "linearize": (lambda x: jax.linearize(f, x)[1](jnp.ones_like(x)), 1),
        "grad(checkpoint)": (jax.grad(jax.checkpoint(lambda x: f(x).sum())), 1),
    }
    fns = {k: fn for k, (fn, _) in transforms.items()}
    results = compiled_together(fns, x) if compiled else {k: g(x) for k, g in fns.items()}
    failures = []
    for k, (_, n) in transforms.items():
        failures += ulp_failure(results[k], x, name, n, k)
    return failures


@pytest.mark.parametrize("name", NAMES)
def test_every_transform_matches_the_reference_compiled(name):
    failures = every_transform(name, compiled=True)
    assert not failures, "; ".join(failures)


@pytest.mark.parametrize("name", EAGER)
def test_every_transform_matches_the_reference_eagerly(name):
    failures = every_transform(name, compiled=False)
    assert not failures, "; ".join(failures)


class TransformsTest(chex.TestCase):
    # with_jit only: lax.scan compiles its body either way (the eager path of the rows is
    # the test above's).
    @chex.variants(with_jit=True)
    def test_scan_of_layers(self):
        # A recurrent stack: the gradient through lax.scan against the chain rule applied to
        # the reference derivatives, layer by layer (float64: the chain is long).
        w = [0.5, 1.0, 1.5, 0.75]
        with jax.enable_x64(True):
            x = np.array([-2.0, -0.3, 0.0, 0.4, 1.5, 9.0])
            for name in NAMES:
                f = call(name, jnp.float64)

                def scanned(x, f=f):
                    def step(h, wi):
                        return f(wi * h), None

                    return jax.lax.scan(step, x, jnp.asarray(w))[0].sum()

                got = np.asarray(self.variant(jax.grad(scanned))(jnp.asarray(x)))
                p = param_in(PARAMS[name][-1], "float64")
                for i, x0 in enumerate(x):
                    hk, d = mp.mpf(float(x0)), mp.mpf(1)
                    for wk in w:
                        z = float(wk * hk)
                        d *= wk * accuracy.reference(name, z, 1, 0, p)
                        hk = accuracy.reference(name, z, 0, 0, p)
                    assert abs(got[i] - d) <= 1e-13 * (abs(d) + 1e-300), (name, x0, got[i], d)


def tangents(shape, dtype, seed):
    """Non-unit tangents of both signs over four decades, in ``dtype``."""
    rng = np.random.default_rng(seed)
    t = rng.choice([-1.0, 1.0], shape) * 10.0 ** rng.uniform(-2, 2, shape)
    return t.astype(dtype)


def assert_rounded_once(got, exact, scale, dtype, what):
    """``got`` is the exact value correctly rounded to ``dtype``: within half an ulp, plus
    float32's error on the terms (``scale``: Σ|terms|) where rounding is close to a tie."""
    got = np.asarray(got).astype(np.float64)
    info = ml_dtypes.finfo(dtype)
    tiny = float(info.tiny)
    for i, (g, e, s) in enumerate(zip(got, exact, scale, strict=True)):
        ae = abs(e)
        ulp = mp.ldexp(1, int(mp.floor(mp.log(max(ae, tiny), 2))) - int(info.nmant))
        slack = mp.mpf(2) ** -19 * s
        if ae < tiny:
            ok = (abs(g) <= tiny and (g == 0 or (g > 0) == (e > 0))) or abs(g - e) <= slack
        else:
            ok = abs(mp.mpf(g) - e) <= ulp / 2 + slack
        assert ok, f"{what}: got {g}, exact {mp.nstr(e, 12)} (point {i})"


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("name", NAMES)
def test_random_tangents_and_cotangents_are_rounded_once(name, dtype):
    act = jaxact.ACTIVATIONS[name]
    dt = jnp.dtype(dtype)
    x = points(name, dt)
    x = x[np.abs(x.astype(np.float64)) < 100]  # products of normal size
    param = PARAMS[name][-1]
    p = param_in(param, dtype)
    # Where f′ or f″ is below 2⁻¹⁰⁰ the product may involve float32 subnormals (flushed).
    big = [min(abs(refs(name, [v], n, dtype)[0]) for n in (1, 2)) for v in x]
    x = x[[b == 0 or b > 2.0**-100 for b in big]]
    t, c = tangents(x.shape, dt, 0), tangents(x.shape, dt, 1)
    args = () if param is None else (jnp.asarray(param, dt),)
    f = lambda x: act.fn(x, *args)  # noqa: E731
    xs, ts, cs = (np.asarray(v, np.float64) for v in (x, t, c))
    d1, d2 = refs(name, x, 1, dtype), refs(name, x, 2, dtype)
    prod = lambda d, t: ([mp.mpf(float(v)) * w for v, w in zip(t, d, strict=True)])  # noqa: E731
    mag = lambda d, t: [abs(v) for v in prod(d, t)]  # noqa: E731
    with x64(dtype):
        g = jax.vmap(jax.grad(f))
        s = tangents(x.shape, dt, 2)
        alpha = jnp.full(x.shape, 0.0 if param is None else param, dt)
        # jvp, vjp, linearize, (second order) the tangent of the gradient, and the jvp in
        # both arguments at once: one program.
        jt, vjp, lin, hv, both = jax.jit(
            lambda x, t, c, s, alpha: (
                jax.jvp(f, (x,), (t,))[1],
                jax.vjp(f, x)[1](c)[0],
                jax.linearize(f, x)[1](t),
                jax.jvp(g, (x,), (t,))[1],
                jax.jvp(act.fn, (x, alpha), (t, s))[1] if act.params else None,
            )
        )(*map(jnp.asarray, (x, t, c, s, alpha)))
        assert_rounded_once(jt, prod(d1, ts), mag(d1, ts), dt, f"{name} jvp")
        assert_rounded_once(vjp, prod(d1, cs), mag(d1, cs), dt, "vjp")
        assert_rounded_once(lin, prod(d1, ts), mag(d1, ts), dt, "linearize")
        assert_rounded_once(hv, prod(d2, ts), mag(d2, ts), dt, f"{name} jvp(grad)")
        if act.params:  # both arguments at once: f_x·t + f_α·s, summed before rounding
            fa = [accuracy.reference(name, float(v), 0, 1, p) for v in xs]
            ss = np.asarray(s, np.float64)
            exact = [a + b for a, b in zip(prod(d1, ts), prod(fa, ss), strict=True)]
            scale = [a + b for a, b in zip(mag(d1, ts), mag(fa, ss), strict=True)]
            assert_rounded_once(both, exact, scale, dt, f"{name} jvp in (x, α)")


def test_every_row_names_its_input_for_the_checkpoint_policy():
    for name, act in jaxact.ACTIVATIONS.items():
        jaxpr = jax.make_jaxpr(act.fn)(jnp.ones(3), *act.sample_params())
        assert f"name={jaxact.CHECKPOINT_NAME}" in str(jaxpr), name


@pytest.mark.parametrize("name", FAMILIES)  # a row of each family (every row: the test above)
def test_checkpoint_policy_saves_only_the_inputs(name, capsys):
    # jax.checkpoint with jaxact.checkpoint_policy saves one tensor per layer (the
    # activation's input) and recomputes f and f′ from it; the gradient is unchanged.
    act = jaxact.ACTIVATIONS[name]
    params = [jnp.asarray(p, jnp.float32) for p in act.sample_params()]
    ws = [jax.random.normal(jax.random.key(i), (16, 16)) / 4 for i in range(3)]
    x = jax.random.normal(jax.random.key(9), (32, 16)) * 3

    def loss(ws, x):
        for w in ws:
            x = act.fn(x @ w, *params)
        return jnp.sum(x**2)

    remat = jax.checkpoint(loss, policy=jaxact.checkpoint_policy)
    jax.ad_checkpoint.print_saved_residuals(remat, ws, x)
    saved = capsys.readouterr().out
    assert saved.count("f32[32,16]") == 1 + len(ws), saved  # x, and one per layer
    grads = jax.jit(lambda ws, x: [jax.grad(f)(ws, x) for f in (remat, loss)])(ws, x)
    chex.assert_trees_all_close(*grads, rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_vjp_is_the_derivative_times_any_cotangent(name):
    # The backward pass evaluates f′ at x + (−0 unless the cotangent is NaN): x itself, for
    # ±0 (the kink's left piece), ±inf and NaN cotangents alike.
    act = jaxact.ACTIVATIONS[name]
    params = [jnp.float32(p) for p in act.sample_params()]
    x = jnp.array([-0.0, 0.0, -2.5, 0.7, 3.0, -0.0, 0.0, 1.5], jnp.float32)
    ct = jnp.array([1.0, 1.0, np.inf, -np.inf, np.nan, -3.0, 2.0, 0.5], jnp.float32)
    _, vjp = jax.vjp(lambda x: act.fn(x, *params), x)
    got = np.asarray(vjp(ct)[0], np.float64)
    d = np.array([float(accuracy.reference(name, float(v), 1)) for v in x])  # mpmath's f′
    with np.errstate(invalid="ignore"):
        want = d * np.asarray(ct, np.float64)  # inf·0 is NaN, as in float32
    finite = np.isfinite(want)
    np.testing.assert_array_equal(got[~finite], want[~finite])  # ±inf and NaN, signs too
    err = accuracy.ulp_error(got[finite], list(want[finite]), np.float32)
    assert err.max() <= accuracy.BOUNDS["float32"][1] + 0.5, (x[finite], got[finite], want[finite])


def test_second_order_steps_share_one_exponential():
    # A PINN-like step, the gradient of a loss on f″ taken by nested jvp, needs f″ and f‴ at
    # each x: they are evaluated at x itself ("higher" mode), so XLA computes tanh's
    # e^{−2|x|} once for both. (Were they evaluated afresh, as the backward pass of a
    # first-order gradient evaluates f′, it would compute it twice.)
    def loss(w, x):
        f = lambda x: jaxact.tanh(w * x)  # noqa: E731
        ones = jnp.ones_like(x)
        d2 = jax.jvp(lambda x: jax.jvp(f, (x,), (ones,))[1], (x,), (ones,))[1]
        return jnp.sum(d2**2)

    hlo = jax.jit(jax.grad(loss)).lower(1.5, jnp.linspace(-3, 3, 64)).compile().as_text()
    assert len(re.findall(r"= \S+ exponential\(", hlo)) == 1, hlo


def test_taylor_mode_steps_share_one_exponential():
    # The same through jet, with f itself in the loss: f, f′, f″ in the forward pass and
    # f′, f″, f‴ in the backward, all from one e^{−2|x|} (were f's own gradient evaluated
    # afresh, as a first-order backward pass evaluates it, there would be two).
    def loss(w, x):
        f = lambda x: jaxact.tanh(w * x)  # noqa: E731
        y, (_, d2) = jet(f, (x,), ((jnp.ones_like(x), jnp.zeros_like(x)),))
        return jnp.sum(y**2 + d2**2)

    hlo = jax.jit(jax.grad(loss)).lower(1.5, jnp.linspace(-3, 3, 64)).compile().as_text()
    assert len(re.findall(r"= \S+ exponential\(", hlo)) == 1, hlo
