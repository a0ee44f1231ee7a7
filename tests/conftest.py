"""Shared helpers: which parameter values each activation is tested with, and dtypes."""

from __future__ import annotations

import contextlib
from pathlib import Path

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest

import jaxact
from jaxact import accuracy
from jaxact._compat import enable_x64

# The tests say jax.enable_x64 and jax.monitoring.unregister_event_duration_listener
# (jax ≥ 0.8); on older releases (the floor, 0.7.2) they have other names.
if not hasattr(jax, "enable_x64"):  # pragma: no cover - jax < 0.8
    jax.enable_x64 = enable_x64
if not hasattr(jax.monitoring, "unregister_event_duration_listener"):  # pragma: no cover
    from jax._src import monitoring as _monitoring

    jax.monitoring.unregister_event_duration_listener = (
        _monitoring._unregister_event_duration_listener_by_callback
    )

#: Precomputed mpmath references (tests/make_reference_table.py); rows whose definition
#: changed since it was written are computed afresh. Loaded on the first reference a test
#: asks for: a process that asks for none (xdist's controller) skips the seconds it takes.
accuracy.load_table(Path(__file__).parent / "reference_table.txt.gz", lazy=True)

NAMES = list(jaxact.ACTIVATIONS)
DTYPES = ["float16", "bfloat16", "float32", "float64"]

#: A second parameter value to test beside the default (prelu: 0.25 and 0.7).
OTHER_PARAM: dict[str, float] = {
    "leaky_relu": 0.2,
    "prelu": 0.7,
    "elu": 1.7,  # α > 1: α·eˣ is normal where eˣ underflows
    "celu": 0.5,  # α < 1: e^{x/α} underflows early, α^{1−n} > 1 scales it back
    "squareplus": 9.0,  # b = 4 and 9: √b = 2 and 3 exact
}

#: Parameter values under test: the default (or sample value), and one other.
PARAMS: dict[str, list[float | None]] = {
    name: [*act.sample_params(), OTHER_PARAM[name]] if act.params else [None]
    for name, act in jaxact.ACTIVATIONS.items()
}


def cases(with_dtypes=DTYPES):
    """(name, param, dtype) for every activation, parameter value and dtype."""
    return [
        pytest.param(name, p, dt, id=f"{name}-{p}-{dt}")
        for name in NAMES
        for p in PARAMS[name]
        for dt in with_dtypes
    ]


def x64(dtype) -> contextlib.AbstractContextManager:
    """float64 arrays need x64 mode; everything else runs in JAX's default mode."""
    return jax.enable_x64(jnp.dtype(dtype) == jnp.float64)


def param_in(param, dtype) -> float | None:
    """The parameter as the activation sees it: cast to x's dtype."""
    return None if param is None else float(np.asarray(param, jnp.dtype(dtype)).astype(np.float64))


def test_every_parameter_has_a_second_test_value():
    assert set(OTHER_PARAM) == {n for n, a in jaxact.ACTIVATIONS.items() if a.params}


def compiled_together(fns: dict, x) -> dict:
    """{key: fn(x)} for every function of ``fns``, compiled together (one XLA compilation)."""
    return jax.jit(lambda x: {k: fn(x) for k, fn in fns.items()})(jnp.asarray(x))


def evaluate_all(act, keys, param, dtype, x) -> dict:
    """{(n, m, mode): ∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ of ``act`` at x} for every key, as NumPy arrays,
    compiled together; ``mode`` is "value" (f itself) or one of
    :func:`jaxact.accuracy.autodiff`'s ("grad", "jvp", "closed", …). ``param`` is one value
    (a constant of the program), or an array like x: a value per point, passed to the
    program with x and mapped with it (traced, as a learned parameter is)."""

    def fns(args):
        return {
            (n, m, mode): (lambda x: act.fn(x, *args))
            if mode == "value"
            else accuracy.autodiff(act, n, m, *args, mode=mode)
            for n, m, mode in keys
        }

    if np.ndim(param) == 0:
        out = compiled_together(fns(() if param is None else (jnp.asarray(param, dtype),)), x)
    else:

        def at(x, p):  # one point and its parameter (vmap: every point)
            return {k: fn(x[None])[0] for k, fn in fns((p,)).items()}

        out = jax.jit(jax.vmap(at))(jnp.asarray(x), jnp.asarray(param, dtype))
    return {k: np.asarray(v) for k, v in out.items()}


def root_allowance(name, x, n, p, ref_n, dtype, bound, within=4, m=0):
    """The contract's allowance near an interior root of g = ∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ f, in ulps of the
    true value: bound·|∂ₓg(x)|·ulp(x) where g is 0 at x or changes sign within ``within``
    ulp of x (squareplus⁽⁴⁾ is 0 exactly at x = ±√b/2), else 0. Called on failing points;
    more than 32 of them are no rounding near a root (a point within 4 ulp of one is rare):
    none is excused, and the references beside them (minutes, in gelu_exact's tails) are
    not computed."""
    info = ml_dtypes.finfo(dtype)
    tiny, nmant = float(info.tiny), int(info.nmant)
    out = np.zeros(len(x))
    if len(x) > 32:
        return out
    for i, v in enumerate(np.asarray(x, np.float64)):
        if not np.isfinite(v):
            continue
        u = float(2.0 ** (np.floor(np.log2(max(abs(v), tiny))) - nmant))
        sides = [accuracy.reference(name, v + k * within * u, n, m, p) for k in (-1, 1)]
        if ref_n[i] == 0 or sides[0] * ref_n[i] <= 0 or sides[1] * ref_n[i] <= 0:
            fn1 = abs(accuracy.reference(name, float(v), n + 1, m, p))
            unit = 2.0 ** (np.floor(np.log2(max(abs(float(ref_n[i])), tiny))) - nmant)
            out[i] = float(bound * fn1 * u / unit)
    return out


def binade_points(name, dtype, per_binade=2):
    """Full-mantissa inputs in every binade 2⁻²⁰ ≤ |x| < 2⁷, of either sign, seeded per
    case: most test points are bfloat16 numbers, exact in every dtype; these fill their
    mantissas (rounded to ``dtype``)."""
    rng = np.random.default_rng([len(name), sum(map(ord, name)), DTYPES.index(dtype), 2])
    e = np.repeat(np.arange(-20, 7), 2 * per_binade)
    x = rng.uniform(1, 2, e.size) * 2.0**e * np.tile([1.0, -1.0], e.size // 2)
    return x.astype(jnp.dtype(dtype))
