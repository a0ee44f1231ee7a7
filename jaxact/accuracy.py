"""Measure how exact the derivatives are: a high-precision reference and ulp errors.

The reference differentiates each activation's plain definition numerically, in mpmath, at
a precision raised until every cancellation is harmless; jaxact's own forms are closed-form
stable expressions, so the two are independent. Requires ``mpmath``
(``pip install "jaxact[test]"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np

from jaxact._core import Activation

#: Worst error allowed, in ulp at the true value, for derivative orders 0, 1 and 2.
BOUNDS: dict[str, tuple[float, float, float]] = {
    "float16": (1, 1, 1),
    "bfloat16": (1, 1, 1),
    "float32": (4, 4, 8),
    "float64": (4, 4, 8),
}

DTYPES = tuple(BOUNDS)


def _mp():
    try:
        import mpmath
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("jaxact.accuracy needs mpmath: pip install 'jaxact[test]'") from e
    return mpmath


def reference(name: str, x: float, n: int = 0, m: int = 0, param: float | None = None):
    """The true ∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ f(x, param) as an mpmath number.

    The activation's plain ``definition`` (its table row) is differentiated numerically by
    mpmath at a working precision raised until every cancellation in it is harmless; no
    derivative formula of jaxact's is used. At a breakpoint the left piece is taken.
    """
    from jaxact.derivatives import get

    mp = _mp()
    act = get(name)
    ax = abs(x)
    # Cancellation costs up to 2.9 bits per unit of |x| in the tails (1 − tanh² ≈ 4e^−2|x|)
    # and log2(1/|x|) bits near 0 (1 − 2σ ≈ −x/2); past |x| ≈ 800 every value is < 1e-308.
    # At x = 0, where derivatives vanish, the error of numerical differentiation (absolute,
    # about 2^−bits) must be below float64's smallest normal number.
    bits = 128 + 3 * min(ax, 800) + (max(0.0, -math.log2(ax)) if ax else 1100)
    with mp.workprec(int(bits)):
        at = mp.mpf(x)
        if not act.params:
            return +mp.diff(lambda t: act.definition(mp, t, at), at, n)
        if param is None:
            (param,) = act.sample_params()
        return +mp.diff(lambda t, a: act.definition(mp, t, at, a), (at, mp.mpf(param)), (n, m))


def ulp_error(got: np.ndarray, ref: list, dtype) -> np.ndarray:
    """|got − ref| in units of ``dtype``'s spacing at ``ref``.

    Where the true value is below the smallest normal number, any result no larger than
    that is exact (XLA flushes subnormals) and counts as 0.
    """
    mp = _mp()
    info = ml_dtypes.finfo(dtype)
    tiny, nmant = float(info.tiny), int(info.nmant)
    out = np.empty(len(ref))
    for i, (g, r) in enumerate(zip(np.asarray(got, np.float64), ref, strict=True)):
        if not math.isfinite(g):
            out[i] = np.inf
            continue
        diff = abs(mp.mpf(g) - r)
        if abs(r) < tiny:
            out[i] = 0.0 if diff <= tiny else float(diff / tiny * 2**nmant)
        else:
            ulp = mp.ldexp(1, int(mp.floor(mp.log(abs(r), 2))) - nmant)
            out[i] = float(diff / ulp)
    return out


def test_points(dtype, n_random: int = 0, seed: int = 0) -> np.ndarray:
    """Inputs over the whole normal range of ``dtype``: tails, centre, kink, and ± both.

    Magnitudes run geometrically from max(1e-30, tiny) to the largest finite value, densely
    over |x| ≤ 40 where the derivatives change and around the edges where e^−|x| and
    e^−2|x| underflow, plus 0 and ``n_random`` random values.
    """
    info = ml_dtypes.finfo(dtype)
    lo = max(float(info.tiny), 1e-30)
    edge = -math.log(float(info.tiny))  # e^−edge is the smallest normal number
    mags = np.concatenate(
        [
            np.geomspace(lo, float(info.max) / 2, 159),
            [float(info.max)],
            np.linspace(0, 40, 161)[1:],
            np.geomspace(40, min(float(info.max), 800.0), 60),
            np.linspace(edge - 2, edge + 2, 41),
            np.linspace(edge / 2 - 1, edge / 2 + 1, 21),
        ]
    )
    rng = np.random.default_rng(seed)
    x = np.concatenate([mags, -mags, [0.0], rng.normal(scale=8.0, size=n_random)])
    x = np.asarray(x, dtype=np.float64).astype(dtype)
    x = x[np.isfinite(x.astype(np.float64))]
    return np.unique(x)


def autodiff(
    act: Activation, n: int, m: int = 0, param=None, mode: str = "grad", fn: Callable | None = None
) -> Callable:
    """∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ of ``act`` computed by JAX's autodiff, elementwise over an array x.

    ``mode`` picks the transform: "grad" (reverse mode, nested ``jax.grad``), "jvp"
    (forward mode, nested ``jax.jvp``), "jacfwd", "jacrev", "hessian" (n = 2, m = 0) or
    "closed" (``jaxact.derivative``, no autodiff). ``fn`` replaces ``act.fn`` (e.g.
    ``act.jax_nn``, to measure jax.nn).
    """
    from jaxact.derivatives import derivative

    params = () if param is None else (param,)
    if mode == "closed":
        d = derivative(act.name, n, m)
        return jax.jit(lambda x: d(x, *params))

    g = act.fn if fn is None else fn
    if mode == "hessian":
        if (n, m) != (2, 0):
            raise ValueError("mode 'hessian' is for the second x-derivative")
        g = jax.hessian(g)
    elif mode == "jvp":
        for argnum in [1] * m + [0] * n:
            g = _directional(g, argnum)
    else:
        op = {"grad": jax.grad, "jacfwd": jax.jacfwd, "jacrev": jax.jacrev}[mode]
        for argnum in [1] * m + [0] * n:
            g = op(g, argnums=argnum)
    return jax.jit(jax.vmap(lambda x: g(x, *params)))


def _directional(g: Callable, argnum: int) -> Callable:
    def dg(*args):
        tangents = [jnp.zeros_like(a) for a in args]
        tangents[argnum] = jnp.ones_like(args[argnum])
        return jax.jvp(g, args, tuple(tangents))[1]

    return dg


def worst_ulp(
    name: str,
    dtype,
    order: int,
    *,
    impl: str = "jaxact",
    param=None,
    n_random: int = 200,
    kink: bool = True,
) -> float:
    """The largest ulp error of the order-``order`` x-derivative (by ``jax.grad``) over
    :func:`test_points` (without x = 0 if not ``kink``). ``impl`` is "jaxact" or "jax.nn"
    (the table's counterpart, whose kink convention differs: leaky_relu′(0) = 1 there).

    float64 needs x64 mode: run under ``jax.enable_x64(True)``.
    """
    from jaxact.derivatives import get

    act = get(name)
    if param is None and act.params:
        (param,) = act.sample_params()
    dt = jnp.dtype(dtype)
    fn = {"jaxact": act.fn, "jax.nn": act.jax_nn}[impl]
    param = None if param is None else jnp.asarray(param, dt)
    x = test_points(dt, n_random=n_random)
    x = x if kink else x[x != 0]
    got = np.asarray(autodiff(act, order, 0, param, "grad", fn)(jnp.asarray(x)))
    p = None if param is None else float(np.asarray(param).astype(np.float64))
    ref = [reference(act.name, float(v), order, 0, p) for v in x.astype(np.float64)]
    return float(ulp_error(got, ref, dt).max())
