"""The reference and the ulp measure are themselves checked, so the accuracy tests can fail."""

import jax
import jax.numpy as jnp
import mpmath as mp
import numpy as np
import pytest
from conftest import NAMES, PARAMS

import jaxact
from jaxact import accuracy

# The plain definitions, differentiated numerically by mpmath (no derivative formula at all).
DEFINITIONS = {
    "sigmoid": (lambda x, a: 1 / (1 + mp.exp(-x)),) * 2,
    "tanh": (lambda x, a: mp.tanh(x),) * 2,
    "relu": (lambda x, a: x, lambda x, a: 0 * x),
    "leaky_relu": (lambda x, a: x, lambda x, a: a * x),
    "prelu": (lambda x, a: x, lambda x, a: a * x),
    "elu": (lambda x, a: x, lambda x, a: a * (mp.exp(x) - 1)),
}


@pytest.mark.parametrize("name", NAMES)
def test_reference_agrees_with_numerical_differentiation(name):
    assert set(DEFINITIONS) == set(NAMES)
    a = PARAMS[name][-1] or 1.0
    for x in [-30.0, -3.5, -0.7, -1e-6, 0.0, 1e-9, 0.3, 2.0, 12.0, 41.0]:
        pos, neg = DEFINITIONS[name]
        piece = pos if x > 0 else neg
        for n in range(4):
            for m in range(2 if PARAMS[name][0] is not None else 1):
                want = accuracy.reference(name, x, n, m, a)
                with mp.workprec(400):
                    got = mp.diff(piece, (mp.mpf(x), mp.mpf(a)), (n, m))
                assert abs(got - want) <= mp.mpf(2) ** -100 * max(abs(want), 1e-60), (x, n, m)


def test_ulp_error_counts_ulps():
    x = np.float32(1.5)
    ref = [mp.mpf(float(x))]
    assert accuracy.ulp_error(np.array([x]), ref, np.float32)[0] == 0
    up3 = np.nextafter(np.nextafter(np.nextafter(x, np.inf), np.inf), np.inf)
    assert accuracy.ulp_error(np.array([up3]), ref, np.float32)[0] == pytest.approx(3)
    # Below the smallest normal number, flushing to zero is exact; anything larger is not.
    assert accuracy.ulp_error(np.array([0.0]), [mp.mpf("1e-40")], np.float32)[0] == 0
    assert accuracy.ulp_error(np.array([np.inf]), ref, np.float32)[0] == np.inf


def test_the_measure_sees_jax_nn_errors():
    # jax.grad(jax.nn.sigmoid)(20.) is 0: the measure must report that as a large error.
    got = jax.vmap(jax.grad(jax.nn.sigmoid))(jnp.array([20.0, 30.0]))
    ref = [accuracy.reference("sigmoid", x, 1) for x in (20.0, 30.0)]
    assert accuracy.ulp_error(np.asarray(got), ref, np.float32).min() > 1e6
    got = jaxact.derivative("sigmoid")(jnp.array([20.0, 30.0]))
    assert accuracy.ulp_error(np.asarray(got), ref, np.float32).max() <= 4


def test_points_cover_tails_centre_and_kink():
    for dt in [jnp.float16, jnp.bfloat16, jnp.float32, jnp.float64]:
        x = accuracy.test_points(dt).astype(np.float64)
        info = jnp.finfo(dt)
        assert x.max() == float(info.max) and x.min() == -float(info.max)
        assert 0.0 in x
        assert np.abs(x[x != 0]).min() <= max(float(info.tiny), 1e-30) * 1.01
