"""Signatures, dtypes, broadcasting, recompilation, the table, and errors on bad input."""

import inspect

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import DTYPES, NAMES, PARAMS, x64

import jaxact


def test_table_matches_the_public_functions():
    assert {"sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu"} <= set(jaxact.ACTIVATIONS)
    for name, act in jaxact.ACTIVATIONS.items():
        assert getattr(jaxact, name) is act.fn
        assert name in jaxact.__all__
        assert jaxact.get(name) is act and jaxact.get(act.fn) is act
        sig = inspect.signature(act.fn)
        assert list(sig.parameters) == ["x", *(p for p, _ in act.params)]
        for p, default in act.params:
            want = inspect.Parameter.empty if default is None else default
            assert sig.parameters[p].default == want
        assert {"f", "f'", "f''"} <= set(act.formulas)
        assert act.fn.__doc__
        if name not in ("sigmoid", "tanh"):  # piecewise: the kink convention is documented
            assert "x ≤ 0" in act.fn.__doc__, name


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_dtype_and_shape_are_kept(name, dtype):
    act = jaxact.ACTIVATIONS[name]
    args = () if PARAMS[name][0] is None else (PARAMS[name][0],)
    with x64(dtype):
        x = jnp.ones((2, 3), dtype)
        chex.assert_type(act.fn(x, *args), jnp.dtype(dtype))
        chex.assert_shape(act.fn(x, *args), (2, 3))
        d2 = jaxact.derivative(name, 2)(x, *args)
        chex.assert_type(d2, jnp.dtype(dtype))
        # A float32 parameter does not promote a 16-bit x.
        if args:
            chex.assert_type(act.fn(x, jnp.float32(0.5)), jnp.dtype(dtype))


@pytest.mark.parametrize("name", NAMES)
def test_integers(name):
    act = jaxact.ACTIVATIONS[name]
    args = () if PARAMS[name][0] is None else (PARAMS[name][0],)
    y = act.fn(jnp.array([-2, 0, 3]), *args)
    if name == "relu":
        chex.assert_type(y, jnp.int32)
        np.testing.assert_array_equal(y, [0, 0, 3])
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


def test_new_parameter_values_do_not_recompile():
    x = jnp.linspace(-2.0, 2.0, 8)
    for fn in (jaxact.prelu, jaxact.leaky_relu, jaxact.elu):
        grad = jax.grad(lambda a, fn=fn: fn(x, a).sum())
        fn(x, 0.1), fn(x, jnp.float32(0.1)), grad(0.1)
        before = fn._cache_size()
        for a in (0.2, 0.3):
            fn(x, a), fn(x, jnp.float32(a)), grad(a)
        assert fn._cache_size() == before
        fn(x, jnp.full((8,), 0.1))  # a new shape may compile, once
        n = fn._cache_size()
        fn(x, jnp.full((8,), 0.7))
        assert fn._cache_size() == n


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
        (lambda: jaxact.derivative("gelu"), ValueError, "unknown activation 'gelu'"),
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
    x = jnp.array([-3.0, -1.0, 0.0, 2.0])
    chex.assert_trees_all_equal(
        jaxact.derivative("elu", 1)(x, 0.5), jax.vmap(jax.grad(jaxact.elu))(x, 0.5 * jnp.ones(4))
    )
    chex.assert_trees_all_equal(
        jaxact.derivative(jaxact.prelu, 0, 1)(x, alpha=0.3), jnp.minimum(x, 0)
    )
    chex.assert_trees_all_equal(jaxact.derivative("sigmoid", 0)(x), jaxact.sigmoid(x))
    assert "∂^2/∂x^2" in jaxact.derivative("tanh", 2).__doc__
