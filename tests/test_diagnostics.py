"""jaxact.diagnostics against independent solutions and constructed cases."""

import math

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxact
from jaxact import accuracy
from jaxact.diagnostics import dead_fraction, dead_units, gradient_flow, saturation


def root(name, eps, lo, hi, param=None):
    """Where |f′| falls to eps between lo and hi: bisection on the mpmath reference."""
    alive = lambda x: abs(accuracy.reference(name, x, 1, 0, param)) >= eps  # noqa: E731
    assert alive(lo) and not alive(hi)
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if alive(mid) else (lo, mid)
    return lo


@pytest.mark.parametrize("eps", [1e-2, 1e-4])
@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_saturation_of_sigmoid_and_tanh(name, eps):
    lo, hi = saturation(name, eps=eps)
    want = root(name, eps, 0.0, 40.0)
    assert hi == pytest.approx(want, rel=1e-5) and lo == -hi
    # The seed's "significant only for about −5 < x < 5", as a measured number:
    assert 4 < saturation("sigmoid", eps=1e-2)[1] < 5


def test_saturation_of_piecewise_activations():
    assert saturation("relu") == (0.0, math.inf)
    assert saturation("leaky_relu", eps=1e-2) == (-math.inf, math.inf)  # |f′| = 0.01 ≥ eps
    assert saturation("leaky_relu", eps=0.02) == (0.0, math.inf)
    assert saturation("prelu", 0.0) == (0.0, math.inf)
    lo, hi = saturation("elu", 2.0, eps=1e-3)
    assert hi == math.inf and lo == pytest.approx(math.log(1e-3 / 2.0), rel=1e-5)


def test_saturation_per_dtype():
    _, hi16 = saturation("sigmoid", eps=1e-3, dtype=jnp.bfloat16)
    assert hi16 == pytest.approx(root("sigmoid", 1e-3, 0.0, 40.0), abs=0.05)  # bf16 spacing


def test_dead_units_on_constructed_inputs():
    h = jnp.array([[-1.0, 2.0, -3.0, 0.0], [-0.5, -1.0, -2.0, 0.0], [-2.0, -3.0, -1.0, 0.0]])
    assert dead_units("relu", h) == pytest.approx(3 / 4)  # units 0, 2, and 3 (x = 0: dead)
    assert dead_units("leaky_relu", h) == 0
    assert dead_units("prelu", h, 0.0) == pytest.approx(3 / 4)
    # Saturating functions: fraction with |f′| < eps on every sample.
    wide = jnp.array([[10.0, 0.1], [-12.0, 3.0]])
    assert dead_units("sigmoid", wide, eps=1e-3) == 0.5
    assert dead_units("sigmoid", wide) == 0  # never exactly 0: the tails are exact
    x = jnp.zeros((4, 3, 5))  # samples over all leading axes
    assert dead_fraction(jaxact.derivative("relu")(x)) == 1


@pytest.mark.parametrize(
    "name, scale, trend",
    [
        ("sigmoid", 1.0, "vanishing"),
        ("relu", 1.0, "vanishing"),
        ("relu", math.sqrt(2), "stable"),
        ("tanh", 1.0, "vanishing"),
        ("elu", math.sqrt(2), "exploding"),
    ],
)
def test_gradient_flow_trends(name, scale, trend):
    rms = np.asarray(
        gradient_flow(jaxact.ACTIVATIONS[name].fn, jax.random.key(0), 20, 128, 128, scale)
    )
    chex.assert_shape(rms, (20,))
    assert np.isfinite(rms).all() and (rms > 0).all()
    ratio = rms[0] / rms[-1]
    if trend == "vanishing":
        assert ratio < 0.5 and (np.diff(rms) > 0).mean() > 0.8
    elif trend == "stable":
        assert 0.5 < ratio < 2
    else:
        assert ratio > 2
    if name == "sigmoid":
        assert ratio < 1e-8  # σ′ ≤ 1/4 at every layer


def test_gradient_flow_accepts_parameters():
    f = lambda x: jaxact.prelu(x, 0.25)  # noqa: E731
    rms = gradient_flow(f, jax.random.key(1), depth=4, width=16, batch=8)
    chex.assert_shape(rms, (4,))


def test_saturation_in_float64():
    with jax.enable_x64(True):
        lo, hi = saturation("tanh", eps=1e-6, dtype=jnp.float64)
    assert hi == pytest.approx(root("tanh", 1e-6, 0.0, 40.0), rel=1e-12) and lo == -hi
