"""The reference and the ulp measure are themselves checked, so the accuracy tests can fail."""

import jax
import jax.numpy as jnp
import mpmath as mp
import numpy as np
import pytest

import jaxact
from conftest import PARAMS
from jaxact import accuracy


# Textbook closed forms, evaluated at high precision: the reference (numerical
# differentiation of each row's plain definition) must reproduce them.
def textbook(name, x, a, n, m):
    if m > 1:
        return mp.mpf(0)
    if name == "sigmoid":
        s = 1 / (1 + mp.exp(-x))
        return [s, s * (1 - s), s * (1 - s) * (1 - 2 * s), s * (1 - s) * (1 - 6 * s + 6 * s * s)][n]
    if name == "tanh":
        t = mp.tanh(x)
        return [t, 1 - t * t, -2 * t * (1 - t * t), (1 - t * t) * (6 * t * t - 2)][n]
    pos = [x, mp.mpf(1), mp.mpf(0), mp.mpf(0)]  # the identity and its derivatives
    if x > 0:
        return pos[n] if m == 0 else mp.mpf(0)
    neg = {
        "relu": [mp.mpf(0)] * 4,
        "leaky_relu": pos,
        "prelu": pos,
        "elu": [mp.exp(x) - 1] + [mp.exp(x)] * 3,
    }[name]
    return a * neg[n] if m == 0 else neg[n]


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu"])
def test_reference_agrees_with_textbook_formulas(name):
    a = PARAMS[name][-1] or 1.0
    for x in [-30.0, -3.5, -0.7, -1e-6, 0.0, 1e-9, 0.3, 2.0, 12.0, 41.0]:
        for n in range(4):
            for m in range(2 if PARAMS[name][0] is not None else 1):
                got = accuracy.reference(name, x, n, m, a)
                with mp.workprec(600):
                    want = textbook(name, mp.mpf(x), mp.mpf(a), n, m)
                assert abs(got - want) <= mp.mpf(2) ** -80 * max(abs(want), 1e-60), (x, n, m)


def test_ulp_error_counts_ulps():
    x = np.float32(1.5)
    ref = [mp.mpf(float(x))]
    assert accuracy.ulp_error(np.array([x]), ref, np.float32)[0] == 0
    up3 = np.nextafter(np.nextafter(np.nextafter(x, np.inf), np.inf), np.inf)
    assert accuracy.ulp_error(np.array([up3]), ref, np.float32)[0] == pytest.approx(3)
    # Below the smallest normal number, flushing to zero is exact, and so is any result of
    # the right sign up to tiny; the wrong sign or anything larger is not.
    tiny = float(np.finfo(np.float32).tiny)
    sub = [mp.mpf("1e-40")]
    assert accuracy.ulp_error(np.array([0.0]), sub, np.float32)[0] == 0
    assert accuracy.ulp_error(np.array([tiny]), sub, np.float32)[0] == 0
    assert accuracy.ulp_error(np.array([-tiny]), sub, np.float32)[0] > 2**23
    assert accuracy.ulp_error(np.array([-1e-40]), sub, np.float32)[0] > 0
    assert accuracy.ulp_error(np.array([3 * tiny]), sub, np.float32)[0] > 2**23
    assert accuracy.ulp_error(np.array([np.inf]), ref, np.float32)[0] == np.inf
    # A limit at ±inf must be met exactly.
    assert accuracy.ulp_error(np.array([-np.inf]), [-mp.inf], np.float32)[0] == 0
    assert accuracy.ulp_error(np.array([-3e38]), [-mp.inf], np.float32)[0] == np.inf


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


def test_overflow_to_inf_of_the_right_sign_is_exact():
    big = [mp.mpf("7.2e4")]  # selu(65504) in float16: beyond the largest finite 65504
    assert accuracy.ulp_error(np.array([np.inf], np.float16), big, np.float16)[0] == 0
    assert accuracy.ulp_error(np.array([-np.inf], np.float16), big, np.float16)[0] == np.inf
    assert accuracy.ulp_error(np.array([np.inf], np.float16), [mp.mpf(6e4)], np.float16)[0] == (
        np.inf
    )


def test_reference_is_exact_where_the_true_value_is_0():
    # hard_silu′(x) = (2x + 3)/6 on [−3, 3]: 0 at −1.5 (one-sided differences left −1e-43).
    assert accuracy.reference("hard_silu", -1.5, 1) == 0
    assert abs(accuracy.reference("hard_silu", -1.5, 2) * 3 - 1) < 1e-30


@pytest.mark.parametrize("x", [1e200, 1e300, 1e307])
def test_parameter_derivative_far_below_f_is_resolved(x):
    # squareplus ∂f/∂b = 1/(4√(x² + b)) = 0.25/x at huge x, ~x⁻² relative to f.
    got = accuracy.reference("squareplus", x, 0, 1, 4.0)
    assert abs(got * x - mp.mpf(0.25)) < 1e-15


def test_selu_constants_are_those_of_its_definition():
    # The library's λ and α (decimals) against the definition's closed forms (the
    # reference's own constants), to 25 digits: a typo in either is caught.
    from jaxact.activations import exponential

    with mp.workprec(200):
        lam, alpha = exponential._selu_constants(mp)
        for ours, exact in [(exponential._SELU_SCALE, lam), (exponential._SELU_ALPHA, alpha)]:
            assert abs(mp.mpf(ours.numerator) / ours.denominator / exact - 1) < 1e-25
