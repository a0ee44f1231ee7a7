"""The double-length floor, jaxact._dd: its transformations are error-free on the backend at
hand, compiled, whether or not XLA contracts a product and a sum into an FMA."""

from fractions import Fraction

import jax
import numpy as np
import pytest

from jaxact import _dd
from jaxact._compat import enable_x64


def operands(dtype, n, span, seed):
    """Pairs with random full mantissas, signs and exponents in ±span."""
    rng = np.random.default_rng(seed)
    a, b = (rng.uniform(1, 2, n) * 2.0 ** rng.integers(-span, span, n) for _ in range(2))
    return (a * rng.choice([-1, 1], n)).astype(dtype), b.astype(dtype)


def test_xla_contracts_products_here_and_two_prod_does_not_care():
    # XLA:CPU contracts a·b − c into an FMA (a·b − fl(a·b) is then the product's rounding
    # error, not 0): an error term written with the rounded product would be double counted.
    a, b = operands(np.float32, 10_000, 8, 0)
    p = a * b  # rounded by numpy
    contracted = np.asarray(jax.jit(lambda a, b, p: a * b - p)(a, b, p)) != 0
    print(f"XLA contracts a·b − c on this backend: {contracted.mean():.0%} of the pairs")

    # two_prod beside the rounded product in one fusion, so XLA may contract or share it
    hi, lo, _ = jax.jit(lambda a, b: (*_dd.two_prod(a, b), a * b))(a, b)
    hi, lo = np.asarray(hi, np.float64), np.asarray(lo, np.float64)
    exact = a.astype(np.float64) * b.astype(np.float64)  # 48 bits: exact in float64
    inexact = exact != p
    assert inexact.mean() > 0.9  # the inputs where a contracted error term would differ
    np.testing.assert_array_equal(lo[inexact] != 0, True)
    assert np.all(np.abs(hi + lo - exact) <= 2.0**-46 * np.abs(exact))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_two_prod_two_sum_and_fast_two_sum_are_error_free(dtype):
    n, span, bound = (1500, 40, 2.0**-46) if dtype == "float32" else (600, 400, 2.0**-103)
    with enable_x64(dtype == "float64"):
        a, b = operands(dtype, n, span, 1)
        big, small = np.where(abs(a) >= abs(b), a, b), np.where(abs(a) >= abs(b), b, a)
        f = jax.jit(
            lambda a, b, c, d: (*_dd.two_prod(a, b), *_dd.two_sum(a, b), *_dd.fast_two_sum(c, d))
        )
        hi, lo, s, e, fs, fe = (np.asarray(v).tolist() for v in f(a, b, big, small))
    for i, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        ab = Fraction(x) * Fraction(y)
        assert abs(Fraction(hi[i]) + Fraction(lo[i]) - ab) <= bound * abs(ab), (x, y)
        assert Fraction(s[i]) + Fraction(e[i]) == Fraction(x) + Fraction(y), (x, y)
        assert Fraction(fs[i]) + Fraction(fe[i]) == Fraction(x) + Fraction(y), (x, y)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_parts_carry_a_constant_to_twice_the_precision(dtype):
    c = Fraction("1.0507009873554804934193349852946")  # selu's λ
    hi, lo = _dd.parts(c, np.dtype(dtype))
    assert np.asarray(hi, dtype) == hi and np.asarray(lo, dtype) == lo
    assert (
        abs(Fraction(hi) + Fraction(lo) - c) <= (2.0**-48 if dtype == "float32" else 2.0**-104) * c
    )


def test_exp_parts_gives_exp_and_expm1_within_an_ulp_or_two():
    # jaxact._math.exp_parts (float32): eᵗ = (1 + m)·2ᵏ over its whole range [−87, 87], and
    # m·s + (s − 1) = eᵗ − 1 without cancellation near 0, against float64.
    from jaxact._math import exp_parts

    rng = np.random.default_rng(7)
    t = np.concatenate([rng.uniform(-87, 87, 200_000), rng.uniform(-0.5, 0.5, 50_000)])
    t = np.concatenate([t, [0.0, -0.0, 1e-30, -87.0, 87.0]]).astype(np.float32)
    m, s = (np.asarray(v, np.float64) for v in jax.jit(exp_parts)(t))
    assert np.all(np.log2(s) == np.round(np.log2(s)))  # s is a power of 2
    t64 = t.astype(np.float64)
    for got, want in ((s + m * s, np.exp(t64)), (m * s + (s - 1), np.expm1(t64))):
        ok = want != 0
        ulp = np.spacing(np.abs(want[ok]).astype(np.float32)).astype(np.float64)
        err = np.abs(got[ok] - want[ok]) / ulp
        assert err.max() <= 2, (err.max(), t[ok][err.argmax()])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_expm1_within_an_ulp_below_ln2_and_three_above(dtype):
    # jaxact._math.expm1 against mpmath at full-mantissa points: XLA's own expm1 is 4.4 ulp
    # off in float32 near ±0.13 and 4.0 in float64 near 1e-6 (log1mexp′ = 1/(eˣ − 1) was
    # then 4.1 ulp off, over its bound).
    import mpmath as mp

    from jaxact import accuracy
    from jaxact._math import expm1

    rng = np.random.default_rng(11)
    mags = np.concatenate([10 ** rng.uniform(-12, np.log10(0.69), 1500), rng.uniform(0, 3, 500)])
    x = (mags * rng.choice([-1.0, 1.0], mags.size)).astype(dtype)
    with enable_x64(dtype == "float64"):
        got = np.asarray(jax.jit(expm1)(x))
    with mp.workprec(120):
        refs = [mp.expm1(mp.mpf(float(v))) for v in x]
    err = accuracy.ulp_error(got, refs, np.dtype(dtype))
    near = np.abs(x) < np.log(2)
    assert err[near].max() <= 1.5, (err[near].max(), x[near][err[near].argmax()])
    assert err.max() <= 3, (err.max(), x[err.argmax()])


def test_float64_exp_within_an_ulp():
    # jaxact._math.exp in float64 (its own: XLA's is 1.57 ulp off near 0.35) against mpmath
    # at full-mantissa points over its whole range, and its ends.
    import mpmath as mp

    from jaxact import accuracy
    from jaxact._math import exp

    rng = np.random.default_rng(12)
    x = np.concatenate([rng.uniform(-708, 709.7, 3000), rng.uniform(-2, 2, 3000)])
    with enable_x64(True):
        got = np.asarray(jax.jit(exp)(x))
        ends = np.asarray(jax.jit(exp)(np.array([-np.inf, np.inf, np.nan, 0.0, 709.79, -746.0])))
    with mp.workprec(120):
        refs = [mp.exp(mp.mpf(float(v))) for v in x]
    err = accuracy.ulp_error(got, refs, np.float64)
    assert err.max() <= 1, (err.max(), x[err.argmax()])
    np.testing.assert_array_equal(ends, [0.0, np.inf, np.nan, 1.0, np.inf, 0.0])
