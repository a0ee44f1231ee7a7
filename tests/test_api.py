"""Signatures, dtypes, broadcasting, recompilation, the table, and errors on bad input."""

import inspect
import re

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxact
from conftest import DTYPES, NAMES, PARAMS, param_in, x64
from jaxact import accuracy


def test_table_matches_the_public_functions():
    assert {"sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu"} <= set(jaxact.ACTIVATIONS)
    for name, act in jaxact.ACTIVATIONS.items():
        assert getattr(jaxact, name) is act.fn
        assert name in jaxact.__all__
        assert jaxact.get(name) is act and jaxact.get(act.fn) is act
        sig = inspect.signature(act.fn)
        names = ["x", *(p for p, _ in act.params)]
        assert list(sig.parameters)[: len(names)] == names
        # Anything after the table's parameters is a static option with a default
        # (gelu's approximate), as in jax.nn.
        assert all(
            sig.parameters[p].default is not inspect.Parameter.empty
            for p in list(sig.parameters)[len(names) :]
        )
        for p, default in act.params:
            want = inspect.Parameter.empty if default is None else default
            assert sig.parameters[p].default == want
        assert {"f", "f'", "f''"} <= set(act.formulas)
        assert act.fn.__doc__
        if not act.smooth:  # kinks: the convention (x ≤ b takes the left piece) is documented
            assert "x ≤" in act.fn.__doc__, name


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_dtype_and_shape_are_kept(name, dtype):
    act = jaxact.ACTIVATIONS[name]
    args = () if PARAMS[name][0] is None else (PARAMS[name][0],)
    # Traced, not compiled (the accuracy tests check the computed results' dtypes too).
    with x64(dtype):
        x = jnp.ones((2, 3), dtype)
        y = jax.eval_shape(act.fn, x, *args)
        assert (y.dtype, y.shape) == (jnp.dtype(dtype), (2, 3))
        d2 = jax.eval_shape(jaxact.derivative(name, 2), x, *args)
        assert d2.dtype == jnp.dtype(dtype)
        # A float32 parameter does not promote a 16-bit x.
        if args:
            assert jax.eval_shape(act.fn, x, jnp.float32(0.5)).dtype == jnp.dtype(dtype)


@pytest.mark.parametrize("name", NAMES)
def test_integers(name):
    act = jaxact.ACTIVATIONS[name]
    args = () if PARAMS[name][0] is None else (PARAMS[name][0],)
    y = act.fn(jnp.array([-2, 0, 3]), *args)
    if act.keep_int:  # as jax.nn: relu, hard_tanh and identity keep integers
        assert act.name in ("relu", "hard_tanh", "identity")
        chex.assert_type(y, jnp.int32)
        np.testing.assert_array_equal(y, act.jax_nn(jnp.array([-2, 0, 3])))
    else:
        chex.assert_type(y, jnp.float32)
        np.testing.assert_allclose(y, act.fn(jnp.array([-2.0, 0.0, 3.0]), *args))
    chex.assert_type(jaxact.derivative(name)(jnp.array([1, 2]), *args), jnp.float32)


def test_kink_convention():
    zero = jnp.float32(0.0)
    assert jax.grad(jaxact.relu)(zero) == 0
    assert jax.grad(jaxact.leaky_relu)(zero, 0.1) == jnp.float32(0.1)
    assert jax.grad(jaxact.prelu)(zero, 0.3) == jnp.float32(0.3)
    assert jax.grad(jaxact.elu)(zero, 2.0) == 2
    assert jax.grad(jax.grad(jaxact.elu))(zero, 2.0) == 2
    assert jax.grad(jaxact.prelu, argnums=1)(zero, 0.3) == 0
    assert jax.grad(jaxact.elu, argnums=1)(zero, 2.0) == 0
    np.testing.assert_array_equal(jaxact.relu(jnp.array([jnp.nan, -0.0])), [jnp.nan, 0.0])


def test_parameter_broadcasts_per_channel():
    x = jnp.arange(-6.0, 6.0).reshape(4, 3)
    alpha = jnp.array([0.1, 0.2, 0.3])
    for fn in (jaxact.prelu, jaxact.leaky_relu, jaxact.elu):
        y = fn(x, alpha)
        for c in range(3):
            np.testing.assert_array_equal(y[:, c], fn(x[:, c], alpha[c]))


class Compilations:
    """Counts XLA compilations, wherever they happen (top level, under jax.grad, inside
    derivative()), through JAX's monitoring events."""

    EVENT = "/jax/core/compile/backend_compile_duration"

    def __enter__(self):
        self.count = 0
        jax.monitoring.register_event_duration_secs_listener(self._listen)
        return self

    def _listen(self, event, duration, **kwargs):
        if event == self.EVENT:
            self.count += 1

    def __exit__(self, *exc):
        jax.monitoring.unregister_event_duration_listener(self._listen)


def test_compilation_counter_sees_a_recompile():
    # The counter itself: a static argument's new value recompiles, and is counted.
    f = jax.jit(lambda x, a: x * a, static_argnums=1)
    f(1.0, 2.0)
    with Compilations() as c:
        f(1.0, 3.0)
    assert c.count >= 1


def uses(fn, name):
    """Every way a parameter value reaches ``fn``: call, jax.grad in x and in α, jax.jvp,
    jit(grad), derivative() of orders 1 and 2, and ∂f/∂α by derivative()."""
    x = jnp.linspace(-2.0, 2.0, 8)
    loss = lambda x, a: fn(x, a).sum()  # noqa: E731
    jit_grad = jax.jit(jax.grad(loss, argnums=(0, 1)))
    d1, d2, da = (jaxact.derivative(name, n, m) for n, m in [(1, 0), (2, 0), (0, 1)])

    def run(a):
        fn(x, a), fn(x, jnp.float32(a))
        jax.grad(loss)(x, a), jax.grad(loss, argnums=1)(x, jnp.float32(a))
        jax.jvp(lambda x: fn(x, a), (x,), (jnp.ones_like(x),))
        jit_grad(x, jnp.float32(a))
        d1(x, a), d2(x, a), da(x, a)
        jax.grad(lambda x: d1(x, a).sum())(x)

    return run


@pytest.mark.parametrize("name", [n for n in NAMES if jaxact.ACTIVATIONS[n].params])
def test_new_parameter_values_do_not_recompile(name):
    fn = jaxact.ACTIVATIONS[name].fn
    run = uses(fn, name)
    run(0.1)
    with Compilations() as c:
        for a in (0.2, 0.3):
            run(a)
    assert c.count == 0, f"{name}: {c.count} compilations for new parameter values"
    # Per channel: a new shape may compile, once; new values of that shape never.
    x = jnp.linspace(-2.0, 2.0, 8)
    g = jax.grad(lambda x, a: fn(x, a).sum(), argnums=(0, 1))
    a1, a7, ramp = (jnp.asarray(v, jnp.float32) for v in ([0.1] * 8, [0.7] * 8, np.r_[1:9] / 10))
    fn(x, a1), g(x, a1), jaxact.derivative(name)(x, a1)
    with Compilations() as c:
        fn(x, a7), g(x, a7)
        jaxact.derivative(name)(x, ramp)
    assert c.count == 0, f"{name}: {c.count} compilations for new per-channel values"


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: jaxact.prelu(jnp.ones((4, 5)), jnp.ones(3)), ValueError, "alpha of shape (3,)"),
        (lambda: jaxact.prelu(jnp.ones(3), jnp.ones((2, 3))), ValueError, "alpha"),
        (lambda: jaxact.elu(jnp.ones((2, 2)), jnp.ones(3)), ValueError, "alpha"),
        (lambda: jaxact.leaky_relu(jnp.ones(2), jnp.ones(5)), ValueError, "negative_slope"),
        (lambda: jaxact.sigmoid("1.0"), TypeError, "path x"),
        (lambda: jaxact.tanh([1.0, 2.0]), TypeError, "x must be an array"),
        (lambda: jaxact.elu(jnp.ones(2) * 1j), TypeError, "x must have a real"),
        (lambda: jaxact.relu(jnp.array([True])), TypeError, "got bool"),
        (lambda: jaxact.prelu(1.0, "a"), TypeError, "path alpha"),
        (lambda: jaxact.prelu(1.0, 1j), TypeError, "alpha must have a real"),
        (lambda: jaxact.prelu(1.0), TypeError, "alpha"),
        (lambda: jaxact.derivative("nonesuch"), ValueError, "unknown activation 'nonesuch'"),
        (lambda: jaxact.derivative("relu", -1), ValueError, "order"),
        (lambda: jaxact.derivative("tanh", 0, 1), ValueError, "no parameter"),
        (lambda: jaxact.derivative("elu")(1.0, beta=2.0), TypeError, "parameters ['alpha']"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, words):
    with pytest.raises(error, match=None) as info:
        call()
    assert words in str(info.value)


def test_derivative_api():
    # Values against the reference, not against the library's own functions.
    x = jnp.array([-3.0, -1.0, 0.0, 2.0])
    for name, n, m, kw in [
        ("elu", 1, 0, {"alpha": 0.5}),
        ("prelu", 0, 1, {"alpha": 0.3}),
        ("sigmoid", 0, 0, {}),
        ("sigmoid", 4, 0, {}),
        ("tanh", 3, 0, {}),
    ]:
        got = np.asarray(jaxact.derivative(name, n, m)(x, **kw))
        p = param_in(kw.get("alpha"), "float32")
        ref = [accuracy.reference(name, float(v), n, m, p) for v in x]
        assert accuracy.ulp_error(got, ref, np.float32).max() <= 4 + 2 * n, (name, n, m)
    assert "∂^2/∂x^2" in jaxact.derivative("tanh", 2).__doc__


_TRANSCENDENTAL = re.compile(
    r"(%[\w#]+) = stablehlo\.(exponential|exponential_minus_one|log|log_plus_one|sqrt|rsqrt"
    r"|tanh|logistic|sine|cosine)\b(.*)"
)


@pytest.mark.parametrize("name", NAMES)
def test_transcendentals_ask_for_the_highest_accuracy(name):
    # TPUs' default float32 exp is documented at up to 116 ulp: every transcendental the
    # value and its derivatives rest on must carry result_accuracy = HIGHEST. (JAX also emits
    # an unused copy of each op without the attribute; XLA drops it.)
    act = jaxact.ACTIVATIONS[name]
    x = jnp.linspace(-3.0, 3.0, 8)
    params = act.sample_params()

    def orders(x):
        f = lambda x: act.fn(x, *params)  # noqa: E731
        return f(x), jax.grad(lambda x: f(x).sum())(x), jax.hessian(lambda x: f(x).sum())(x)

    text = jax.jit(orders).lower(x).as_text()
    for body in text.split("func.func")[1:]:  # SSA names are per function
        lines = body.splitlines()
        for i, line in enumerate(lines):
            m = _TRANSCENDENTAL.search(line)
            if not m or "HIGHEST" in m.group(3):
                continue
            use = re.compile(re.escape(m.group(1)) + r"(?![\w#])")
            assert not any(use.search(later) for later in lines[i + 1 :]), (
                f"{name}: {m.group(2)} without result_accuracy HIGHEST: {line.strip()}"
            )


def test_derivative_accepts_numpy_integers():
    got = jaxact.derivative("tanh", np.int64(2))(0.5)
    assert got == jaxact.derivative("tanh", 2)(0.5)
    with pytest.raises(ValueError, match="integers ≥ 0"):
        jaxact.derivative("tanh", True)


@pytest.mark.parametrize("name", NAMES)
def test_weak_types_follow_jax_nn(name):
    # A Python scalar in gives a weakly typed result exactly where jax.nn's is, so that
    # f(2.0) * a bfloat16 array stays bfloat16 (and gelu's is strong, as jax.nn's).
    # Types are decided at trace time: jax.eval_shape gives the result's, compiling nothing.
    act = jaxact.ACTIVATIONS[name]
    p = act.sample_params()
    bf16 = jnp.ones(2, jnp.bfloat16)
    for ours, theirs in [
        (act.fn, act.jax_nn),
        (jax.grad(act.fn), jax.grad(act.jax_nn)),
        (lambda *a: act.fn(*a) * bf16, lambda *a: act.jax_nn(*a) * bf16),
    ]:
        ours, theirs = (jax.eval_shape(f, 2.0, *p) for f in (ours, theirs))
        assert (ours.dtype, ours.weak_type) == (theirs.dtype, theirs.weak_type), name


def test_aliases_are_the_same_row_everywhere():
    aliases = {a: act for act in jaxact.ACTIVATIONS.values() for a in act.aliases}
    assert set(aliases) == {"swish", "hard_swish"}
    for alias, act in aliases.items():
        assert getattr(jaxact, alias) is act.fn and alias in jaxact.__all__
        assert alias not in jaxact.ACTIVATIONS and jaxact.get(alias) is act
        assert jaxact.derivative(alias, 2)(0.5) == jaxact.derivative(act.name, 2)(0.5)


def test_get_and_derivative_know_every_elementwise_public_name():
    # Every public elementwise activation, log1mexp (a row outside the table: its domain is
    # x > 0) included, is a row that get() finds and derivative() differentiates.
    rows = [*jaxact.ACTIVATIONS.values(), *jaxact.activations.DOMAIN_ROWS.values()]
    public = [n for n in jaxact.__all__ if any(getattr(jaxact, n) is a.fn for a in rows)]
    assert {"log1mexp", "swish", "hard_swish"} <= set(public)
    calls = {}
    for name in public:
        act = jaxact.get(name)
        assert act.fn is getattr(jaxact, name)
        args = [jnp.float32(p) for p in act.sample_params()]
        calls[name] = (jaxact.derivative(name, 2), jax.grad(jax.grad(act.fn)), args)
    # x = 0.75, inside every row's domain; one program for all of them
    got = jax.jit(lambda x: {k: (d(x, *a), g(x, *a)) for k, (d, g, a) in calls.items()})(0.75)
    for name, (closed, nested) in got.items():
        np.testing.assert_allclose(closed, nested, rtol=1e-6, err_msg=name)


def test_every_row_binds_a_primitive_of_its_own_name():
    # jaxprs and profiles name the activation: jaxact_<row> (prelu and leaky_relu share
    # their forms, not their primitive). identity binds none (it is x, as jax.nn's); its
    # closed forms, jaxact.derivative("identity", n), do.
    for name, act in jaxact.ACTIVATIONS.items():
        fn = jaxact.derivative(name, 0) if name == "identity" else act.fn
        jaxpr = jax.make_jaxpr(fn)(jnp.ones(3), *act.sample_params())
        prims = {e.primitive.name for e in jaxpr.jaxpr.eqns[0].params["jaxpr"].eqns}
        assert f"jaxact_{name}" in prims, (name, prims)
    jaxpr = jax.make_jaxpr(jaxact.identity)(jnp.ones(3))
    assert not {e.primitive.name for e in jaxpr.jaxpr.eqns[0].params["jaxpr"].eqns} - {"name"}
