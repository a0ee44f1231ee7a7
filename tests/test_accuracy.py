"""Every order autodiff reaches agrees with a high-precision reference to a few ulp.

Bounds (ulp at the true value, orders 0/1/2): float32 and float64 4/4/8, float16 and
bfloat16 1/1/1 (``jaxact.accuracy.BOUNDS``); orders n = 2…8 of every row: (4 + 2n) ulp in
float32 and float64. The points cover the whole normal range, both sides of every switch
point of the row (``switch_points``), x → 0, the tails, and ±inf (expected: the reference
far out). References are cached across tests (``jaxact.accuracy.reference``) and
precomputed in tests/reference_table.txt.gz (tests/make_reference_table.py; a row whose
definition changed since is computed afresh). Near an interior root of f⁽ⁿ⁾ (0 at x, or a
sign change within 4 ulp of x) the bound adds bound·|f⁽ⁿ⁺¹⁾(x)|·ulp(x), as the contract
allows (``root_allowance``); nowhere else.
"""

import functools

import chex
import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest

import jaxact
from conftest import (
    DTYPES,
    NAMES,
    PARAMS,
    binade_points,
    cases,
    evaluate_all,
    param_in,
    root_allowance,
    x64,
)
from jaxact import _math, accuracy

MODES = {  # the transforms that compute each order (jacfwd, jacrev, hessian: test_transforms)
    (0, 0): ["value"],
    (1, 0): ["grad", "jvp", "closed"],
    (2, 0): ["grad", "jvp", "closed"],
    (0, 1): ["grad", "closed"],  # ∂f/∂α
    (1, 1): ["grad", "closed"],  # ∂²f/∂x∂α
}


def nan_at_nan(name: str, n: int, mode: str) -> bool:
    """Whether order n at x = NaN is NaN: always, but for identity's autodiff orders
    (jaxact.identity is x itself, as jax.nn's: the derivatives of x are 1 and 0 whatever x
    is; its closed forms give NaN)."""
    closed = mode == "closed" or "derivative" in mode
    return not (name == "identity" and n > 0 and not closed)


def orders(name):
    return [k for k in MODES if PARAMS[name][0] is not None or k[1] == 0]


def points(act, dtype, **kw):
    """The test points of ``act`` in ``dtype``, with ±inf."""
    x = accuracy.test_points(dtype, switch_points=act.switch_points, **kw)
    return np.concatenate([x, np.array([-np.inf, np.inf], dtype)])


def case_points(act, param, dtype):
    """The points of a case: the row's test points, and for its last parameter value random
    magnitudes too, seeded per case."""
    x = points(act, jnp.dtype(dtype), n_random=50, seed=len(act.name))
    if param == PARAMS[act.name][-1]:
        x = np.concatenate([x, random_points(act.name, dtype), binade_points(act.name, dtype)])
    return x


@functools.lru_cache(maxsize=1)
def evaluate_row(name, dtype):
    """{param: {(n, m, mode): values at case_points, and at NaN last}} for each parameter
    value of the row, from one compiled program: the points of every value concatenated,
    the parameter passed with them, one per point. One compile per (row, dtype), not per
    parameter value; the cases of a (row, dtype) run one after the other (ULP_CASES)."""
    act = jaxact.ACTIVATIONS[name]
    dt = jnp.dtype(dtype)
    params = PARAMS[name]
    xs = [np.append(case_points(act, p, dtype), np.array(np.nan, dt)) for p in params]
    per_point = None if params == [None] else np.repeat(params, [len(x) for x in xs])
    keys = [(n, m, mode) for n, m in orders(name) for mode in MODES[n, m]]
    results = evaluate_all(act, keys, per_point, dt, np.concatenate(xs))
    ends = np.cumsum([len(x) for x in xs])
    return {
        p: {k: y[end - len(x) : end] for k, y in results.items()}
        for p, x, end in zip(params, xs, ends, strict=True)
    }


#: cases(), each (row, dtype)'s parameter values next to each other: they share a program.
ULP_CASES = sorted(cases(), key=lambda c: (NAMES.index(c.values[0]), DTYPES.index(c.values[2])))


@pytest.mark.parametrize("name,param,dtype", ULP_CASES)
def test_derivatives_match_reference_in_ulp(name, param, dtype):
    act = jaxact.ACTIVATIONS[name]
    dt = jnp.dtype(dtype)
    with x64(dtype):
        x = case_points(act, param, dtype)
        p = param_in(param, dtype)
        worst = {}
        refs = {  # all first: a failure must not hide the later references from recording
            k: [accuracy.reference(name, float(v), *k, p) for v in x.astype(np.float64)]
            for k in orders(name)
        }
        # NaN in, NaN out, for every order and transform (evaluated with the rest).
        results = dict(evaluate_row(name, dtype)[param])
        for k, y in results.items():
            assert np.isnan(y[-1]) == nan_at_nan(name, k[0], k[2]), f"{name} {k} at NaN: {y[-1]}"
            results[k] = y[:-1]
        for n, m in orders(name):
            ref = refs[n, m]
            bound = accuracy.BOUNDS[dtype][n] if m == 0 else accuracy.BOUNDS[dtype][n + 1]
            for mode in MODES[n, m]:
                got = results[n, m, mode]
                chex.assert_shape(got, x.shape)
                assert got.dtype == dt
                err = accuracy.ulp_error(got, ref, dt)
                bad = np.flatnonzero(err > bound)
                if bad.size and m == 0:  # a root of f⁽ⁿ⁾ within a few ulp of x?
                    extra = root_allowance(name, x[bad], n, p, [ref[i] for i in bad], dt, bound)
                    err[bad] = np.maximum(bound, err[bad] - extra)
                    bad = np.flatnonzero(err > bound)
                worst[n, m, mode] = err.max()
                assert not bad.size, (
                    f"{name} ∂^{n}x ∂^{m}α via {mode}: {err.max():.2f} ulp > {bound} at "
                    f"x={x[bad[:5]]}, got {got[bad[:5]]}"
                )
    print(name, dtype, {k: round(v, 2) for k, v in worst.items()})


# --- orders 2 to 8 ---------------------------------------------------------------------

HIGHER = range(2, 9)

#: How far out the roots of f⁽ⁿ⁾ (n ≤ 9) lie, and the Taylor windows and tail series
#: around them: σ⁽ⁿ⁾'s within |x| < 6 (tanh's within 3), silu⁽ⁿ⁾'s and mish⁽ⁿ⁾'s within
#: 10, gelu⁽ⁿ⁾'s within 5, squareplus⁽ⁿ⁾'s within 2√b (6 for b = 9; its grid reaches twice as
#: far). A grid of step 1/64 there, and
#: random float32 numbers (full mantissas) in the same range; the windows' edges are not
#: switch points (those feed every order's tests), this grid probes them.
ROOT_REACH = {
    **{"sigmoid": 6.0, "softplus": 6.0, "log_sigmoid": 6.0, "tanh": 3.0},
    **{"silu": 10.0, "mish": 10.0, "gelu": 5.0, "gelu_exact": 5.0, "squareplus": 12.0},
}

#: Points every row's orders 2–8 are checked at, besides its test points: the tails where a
#: recurrence's terms cancel or underflow (±700 in float64), x → 0, and just above the
#: smallest normal number, where the O(x) terms of f⁽ⁿ⁾(x) ≈ f⁽ⁿ⁾(0) + f⁽ⁿ⁺¹⁾(0)·x are
#: subnormal (tanh⁽⁶⁾(tiny) was 0).
HIGHER_POINTS = [-700.0, -90.0, -40.0, -12.0, -3.0, -1.3, -0.7, -1e-3, 0.0, 1e-3, 0.24, 0.7]
HIGHER_POINTS += [1.3, 3.0, 3.8, 12.0, 40.0, 90.0, 2.0**-100, -(2.0**-99)]
HIGHER_POINTS += [*np.geomspace(1e-3, 1e6, 28), *np.linspace(0.05, 6, 24)]

#: mish beyond its Taylor table (|x| > 5.25): the series in e^−|x|, near the roots of
#: mish⁽ⁿ⁾ (x ≈ −n, where x + n cancels) and across the float32 right tail's switch (22.5).
MISH_OUT = [-44.0, -30.0, -12.0, -9.0625, -8.125, -7.1875, -6.1875, -5.3125, -5.25]
MISH_OUT += [5.25, 5.3125, 6.0, 9.0, 15.0, 22.25, 22.75, 30.0, 44.0]


def higher_points(act, dtype) -> np.ndarray:
    """The row's sparse test points (±inf included), :data:`HIGHER_POINTS` of both signs,
    tiny·{±1, 2, 1000}, and the grid and random numbers over :data:`ROOT_REACH`."""
    tiny = float(ml_dtypes.finfo(dtype).tiny)
    extra = [*HIGHER_POINTS, *(-v for v in HIGHER_POINTS), tiny, -tiny, 2 * tiny, 1e3 * tiny]
    if act.name == "mish":
        extra += MISH_OUT
    reach = ROOT_REACH.get(act.name)
    if reach is not None:
        rng = np.random.default_rng(sum(map(ord, act.name)))
        grid = np.arange(-64 * reach, 64 * reach + 1) / 64
        extra += [*grid, *rng.uniform(-reach, reach, 256).astype(np.float32)]
    extra = np.array(extra, np.float64)
    extra = extra[np.abs(extra) <= float(ml_dtypes.finfo(dtype).max)].astype(dtype)
    x = np.unique(np.concatenate([points(act, dtype, sparse=True), extra]))
    if act.name == "gelu_exact":  # see GELU_EXACT_FAR
        x = x[(x <= 40) | np.isin(x, np.array(GELU_EXACT_FAR, dtype))]
    return x


#: gelu_exact's right tail beyond x = 40, where f⁽ⁿ⁾ (n ≥ 2) ≈ xⁿ⁻¹e^−x²/2 is below 1e-330
#: beside f ≈ x: mpmath resolves it only at thousands of bits (a minute a point), and the
#: correctly rounded result there is 0 in every dtype: a few points stand for the rest.
GELU_EXACT_FAR = [46.415889739990234, 49.5, 100.0, 1000.0, 1e6, np.inf]


def higher_order_modes(n, dtype):
    """derivative(f, n), and in float32 nested jax.grad from f itself up to order 4 (deeper
    nests compile for tens of seconds), two jax.grad levels over derivative(f, n − 2) above.
    The nests call the primitives derivative(f, n) calls, with a cotangent of 1: one dtype
    checks how they are wired, the closed forms are checked in each. Order 2's transforms
    are test_derivatives_match_reference_in_ulp's."""
    if n == 2 or dtype != "float32":
        return ["closed"]
    return ["closed", "grad"] if n <= 4 else ["closed", "grad∘grad∘derivative"]


def higher(name, n, mode, args):
    """f⁽ⁿ⁾ of one point by ``mode``, with the parameter ``args``."""
    if mode == "closed":
        g = jaxact.derivative(name, n)
    else:
        g = jaxact.ACTIVATIONS[name].fn if mode == "grad" else jaxact.derivative(name, n - 2)
        for _ in range(n if mode == "grad" else 2):
            g = jax.grad(g)
    return lambda x: g(x, *args)


@functools.lru_cache(maxsize=1)
def evaluate_higher(name, dtype):
    """{param: (x, {(n, mode): f⁽ⁿ⁾ at x, and at NaN last})} for each parameter value, from
    one compiled program (a parameter value per point, as in :func:`evaluate_row`)."""
    act = jaxact.ACTIVATIONS[name]
    dt = jnp.dtype(dtype)
    params = PARAMS[name]
    xs = [np.append(higher_points(act, dt), np.array(np.nan, dt)) for _ in params]
    keys = [(n, mode) for n in HIGHER for mode in higher_order_modes(n, dtype)]

    def at(x, p):
        args = () if params == [None] else (p,)
        return {k: higher(name, *k, args)(x) for k in keys}

    per_point = np.repeat([0.0 if p is None else p for p in params], [len(x) for x in xs])
    x = np.concatenate(xs)
    out = jax.jit(jax.vmap(at))(jnp.asarray(x), jnp.asarray(per_point, dt))
    out = {k: np.asarray(v) for k, v in out.items()}
    ends = np.cumsum([len(x) for x in xs])
    return {
        p: (x[:-1], {k: y[end - len(x) : end] for k, y in out.items()})
        for p, x, end in zip(params, xs, ends, strict=True)
    }


#: (row, dtype)'s parameter values next to each other: they share a program.
HIGHER_CASES = [c for c in ULP_CASES if c.values[2] in ("float32", "float64")]


@pytest.mark.parametrize("name,param,dtype", HIGHER_CASES)
def test_higher_orders(name, param, dtype):
    # Orders 2–8 within (4 + 2n) ulp at every point (order 2's bound is the contract's 8);
    # the only allowance is root_allowance's, within 4 ulp of a root of f⁽ⁿ⁾.
    dt = jnp.dtype(dtype)
    failures = []
    with x64(dtype):
        x, results = evaluate_higher(name, dtype)[param]
        p = param_in(param, dtype)
        x64_ = x.astype(np.float64)
        for n in HIGHER:
            ref = [accuracy.reference(name, float(v), n, 0, p) for v in x64_]
            bound = 4 + 2 * n
            for mode in higher_order_modes(n, dtype):
                got = results[n, mode]
                if np.isnan(got[-1]) != nan_at_nan(name, n, mode):
                    failures.append(f"order {n} via {mode}: {got[-1]} at NaN")
                err = accuracy.ulp_error(got[:-1], ref, dt)
                bad = np.flatnonzero(err > bound)
                if bad.size:
                    extra = root_allowance(name, x[bad], n, p, [ref[i] for i in bad], dt, bound)
                    err[bad] = np.maximum(bound, err[bad] - extra)
                    bad = np.flatnonzero(err > bound)
                if bad.size:
                    i = bad[np.argmax(err[bad])]
                    failures.append(
                        f"order {n} via {mode}: {err[i]:.3g} ulp at x={x[i]!r} ({bad.size} points)"
                    )
    assert not failures, f"{name} {param} {dtype}: " + "; ".join(failures)


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
    want = [
        sum(float(accuracy.reference(name, float(v), 0, 1, float(alpha[c]))) for v in x[:, c])
        for c in range(3)
    ]
    np.testing.assert_allclose(g, want, rtol=1e-14)


def random_points(name, dtype, size=24):
    """Random inputs, seeded per case: uniform over ±1e4, and log-uniform magnitudes
    10⁻⁶…10⁴ of either sign, in ``dtype`` (subnormals dropped: XLA flushes them)."""
    rng = np.random.default_rng([len(name), sum(map(ord, name)), DTYPES.index(dtype)])
    half = size // 2
    mags = 10.0 ** rng.uniform(-6, 4, half) * rng.choice([-1.0, 1.0], half)
    x = np.concatenate([rng.uniform(-1e4, 1e4, size - half), mags]).astype(jnp.dtype(dtype))
    ax = np.abs(x.astype(np.float64))
    return x[(ax == 0) | (ax >= float(jnp.finfo(jnp.dtype(dtype)).tiny))]


def forms_differ_on_fast_float64(act, n: int) -> bool:
    """Whether ``act``'s float32 form of order n is traced differently for backends with fast
    float64 arithmetic (CPU, GPU: the lowering this machine runs) and for the others (TPU)."""
    spec = [jax.ShapeDtypeStruct((4,), jnp.float32)] * (1 + len(act.params))
    default = str(jax.make_jaxpr(act.tower.form(n, 0))(*spec))
    token = _math._FAST_FLOAT64.set(True)
    try:  # a new function: make_jaxpr caches traces by function
        fast = str(jax.make_jaxpr(act.tower.form(n, 0))(*spec))
    finally:
        _math._FAST_FLOAT64.reset(token)
    return fast != default


#: (row, order) whose float32 forms differ on fast-float64 backends: the primitives (every
#: other test) run the fast form on this machine, so the default form (TPU's) is run here.
#: Written out (tracing every form twice takes seconds, in every test process); the test
#: below checks it.
DEFAULT_FORMS = [
    *[("mish", n) for n in (0, 1)],
    *[("gelu", n) for n in (0, 1, 2)],
    *[("gelu_exact", n) for n in (0, 1)],
]


def test_default_forms_are_the_forms_that_differ_on_fast_float64():
    differ = [
        (name, n)
        for name in NAMES
        for n in range(3)
        if forms_differ_on_fast_float64(jaxact.ACTIVATIONS[name], n)
    ]
    assert differ == DEFAULT_FORMS


@pytest.mark.parametrize("name,n", DEFAULT_FORMS)
def test_the_default_lowering_is_exact_too(name, n):
    # Tower.form traced outside a lowering is the default form; jax.jit of it lowers its
    # jaxpr as it is, so this runs TPU's arithmetic on this CPU.
    act = jaxact.ACTIVATIONS[name]
    param = PARAMS[name][-1]
    x = np.concatenate([case_points(act, param, "float32"), random_points(name, "float32", 400)])
    p = param_in(param, "float32")
    args = () if param is None else (jnp.full(x.shape, param, jnp.float32),)
    got = np.asarray(jax.jit(act.tower.form(n, 0))(jnp.asarray(x), *args))
    ref = [accuracy.reference(name, float(v), n, 0, p) for v in x.astype(np.float64)]
    err = accuracy.ulp_error(got, ref, np.float32)
    bound = accuracy.BOUNDS["float32"][n]
    bad = np.flatnonzero(err > bound)
    if bad.size:
        extra = root_allowance(name, x[bad], n, p, [ref[i] for i in bad], np.float32, bound)
        err[bad] = np.maximum(bound, err[bad] - extra)
    assert err.max() <= bound, f"{name} order {n}: {err.max():.2f} ulp at x={x[err.argmax()]}"


@pytest.mark.parametrize(
    "name, dtype, n, points",
    [
        # silu′ was 4.9 ulp (float32) and 4.2 (float64) off here before 1 + e^−|x| was
        # carried in two parts
        ("silu", "float32", 1, [-4.7807994, -3.7560718]),
        ("silu", "float64", 1, [-9.107122390229328, -4.79065509932904]),
        # mish′ was 4.0–4.4 ulp off here (float64) before its D = g² + 2g + 2 was
        ("mish", "float64", 1, [-11.365135381359584, -10.044564380640047, -5.070541443319323]),
        # mish and mish′ were 4.3 and 4.6 ulp off here (float32) before their rational
        # functions of e^−|x| were formed in float64
        ("mish", "float32", 0, [-5.9635596, -7.6239934, -3.253]),
        ("mish", "float32", 1, [-0.21021572, -0.26106212, -0.18914715]),
        # gelu″ at 0.84 from its root 1.4185, beyond the root's window: the closed form's
        # terms cancel (8.3 ulp, bound 8) before g₂'s Taylor table took over |x| ≤ 8.25
        ("gelu", "float64", 2, [2.262664696651692, -2.262664696651692]),
        # gelu′ was 4.1 ulp off here (float32) before its rational part was formed in float64
        # from an e^{−|v|} within 0.8 ulp (XLA's exp and a correction: 1.4)
        ("gelu", "float32", 1, [-1.6475682, -1.6328533, -1.6479988]),
        # gelu″ was 9.2 and 8.5 ulp off here (float32; bound 8) before it was formed in float64
        ("gelu", "float32", 2, [2.25812, -8.76447, 8.76447]),
        # σ′ and tanh′ were 4.1 ulp off here (float32) before (1 + z)² was formed as
        # 1 + z(2 + z), not (1 + z)·(1 + z) with 1 + z rounded (z = e^−|x|, e^−2|x|)
        ("sigmoid", "float32", 1, [4.8371954]),
        ("tanh", "float32", 1, [-2.0756204]),
        # gelu_exact and its f′ were 4.8 and 4.2 ulp off here (float32) before e^{−x²/2}
        # was reduced in float64 and the products formed there
        ("gelu_exact", "float32", 0, [-11.695941]),
        ("gelu_exact", "float32", 1, [-1.6634973]),
        # silu″ was 8.4 ulp off here (float32, bound 8) when formed as xσ″ + 2σ′
        ("silu", "float32", 2, [-4.124143]),
        # orders 3–8 in float32 (random sweeps of 600,000 points a row): σ‴ and tanh‴ just
        # beyond their roots' windows (10.9 and 11.4 ulp, bound 10), silu‴ (12.9 at 2.97),
        # and orders ≥ 4 where the recurrence's terms cancel (σ⁽⁸⁾ 27 ulp at 5.9, bound 20)
        ("sigmoid", "float32", 3, [1.1102009, 1.6989009]),
        ("sigmoid", "float32", 4, [-2.6922982]),
        ("sigmoid", "float32", 7, [5.1749482]),
        ("sigmoid", "float32", 8, [5.898984]),
        ("softplus", "float32", 8, [5.1749482]),
        ("tanh", "float32", 3, [0.5282441, 0.558032]),
        ("tanh", "float32", 8, [-2.9176424]),
        ("silu", "float32", 3, [2.9656043, -2.921859]),
    ],
)
def test_where_dense_sweeps_found_them_worst(name, dtype, n, points):
    # Full-mantissa points between the test grids'. Orders above 2 by their closed forms
    # (what nested jax.grad calls, compiled in a fraction of the time).
    if n <= 2:
        f = jaxact.ACTIVATIONS[name].fn
        for _ in range(n):
            f = jax.grad(f)
    else:
        f = jaxact.derivative(name, n)
    with jax.enable_x64(dtype == "float64"):
        # 256 copies: the vectorised loop a batch runs (one element may take a scalar
        # path, contracted into FMAs differently: tanh⁽⁸⁾ differed by 6 ulp)
        x = np.resize(np.array(points, dtype), 256)
        got = np.asarray(jax.jit(jax.vmap(f))(jnp.asarray(x)))
        ref = [accuracy.reference(name, float(v), n) for v in x]
        err = accuracy.ulp_error(got, ref, dtype)
        bound = accuracy.BOUNDS[dtype][n] if n <= 2 else 4 + 2 * n
        assert err.max() <= bound, (points, err[: len(points)])
