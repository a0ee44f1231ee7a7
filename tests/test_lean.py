"""jaxact.lean: the same values, gradients from the output, and jax.nn's memory."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxact
from jaxact import accuracy

PAIRS = [("sigmoid", jaxact.lean.sigmoid, jax.nn.sigmoid), ("tanh", jaxact.lean.tanh, jnp.tanh)]


@pytest.mark.parametrize("name, lean, _", PAIRS)
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_values_equal_and_gradient_is_accurate_to_an_absolute_ulp(name, lean, _, dtype):
    x = jnp.linspace(-30.0, 30.0, 601, dtype=dtype)
    # Values against the reference (not against jaxact's exact forms, which share code).
    xs = np.asarray(x, np.float64)
    values = [accuracy.reference(name, float(v), 0) for v in xs]
    bound = accuracy.BOUNDS[dtype][0]
    assert accuracy.ulp_error(np.asarray(lean(x)), values, jnp.dtype(dtype)).max() <= bound
    grad = np.asarray(jax.vmap(jax.grad(lean))(x), np.float64)
    ref = np.array([float(accuracy.reference(name, float(v), 1)) for v in xs])
    eps = float(jnp.finfo(dtype).eps)
    assert np.abs(grad - ref).max() <= 2 * eps  # absolute: the tails are not exact
    assert jax.grad(lean)(jnp.asarray(25.0, dtype)) == 0  # … and this is what it costs


def temp_bytes(f):
    def loss(ws, x):
        for w in ws:
            x = f(x @ w)
        return jnp.mean(x**2)

    ws = [jax.ShapeDtypeStruct((256, 256), jnp.float32)] * 6
    x = jax.ShapeDtypeStruct((64, 256), jnp.float32)
    return jax.jit(jax.grad(loss)).lower(ws, x).compile().memory_analysis().temp_size_in_bytes


@pytest.mark.parametrize("name, lean, jax_nn", PAIRS)
def test_training_step_memory_matches_jax_nn(name, lean, jax_nn):
    assert temp_bytes(lean) <= temp_bytes(jax_nn) < temp_bytes(jaxact.ACTIVATIONS[name].fn)
