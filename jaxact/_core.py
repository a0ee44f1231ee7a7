"""Machinery shared by every activation: input checks, dtypes, and the derivative tower.

An activation is described by its *forms*: ``forms(n, m, x, *params)`` returns the closed
form of ∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ f(x, α) (``m`` is always 0 for activations without a parameter).
:class:`Tower` turns those forms into JAX functions whose derivatives of every order are
the next closed forms, so ``jax.grad``, ``jax.jvp``, ``jax.hessian``, … never differentiate
a numerically fragile expression: each order is evaluated directly, stably, and rounded once.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import math
import numbers
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.ad_checkpoint import checkpoint_name
from jax.experimental import jet
from jax.extend.core import Primitive
from jax.interpreters import ad, batching, mlir

from jaxact._compat import enable_x64
from jaxact._jax_internals import ShapedArray, name_p

Array = jax.Array
Forms = Callable[..., Array]

_HALF = (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16))
_LN2 = 0.6931471805599453
#: e⁻⁴⁰: far tails take e^{x+40}·e⁻⁴⁰, normal where e^x alone would underflow.
_E40 = math.exp(-40)
_E80 = math.exp(-80)


def check_input(x: object, fn: str, *, keep_int: bool = False) -> Array:
    """Returns ``x`` as a real floating array (integers promoted unless ``keep_int``)."""
    x = _check_real(x, fn, "x")
    if not jnp.issubdtype(x.dtype, jnp.floating) and not keep_int:
        # A Python int stays weakly typed (as in jax.nn): int·1.0 is a weak float.
        x = x * 1.0 if x.weak_type else x.astype(jax.dtypes.canonicalize_dtype(jnp.float64))
    return x


def check_param(p: object, x: Array, fn: str, name: str) -> Array:
    """Returns parameter ``p`` cast to ``x``'s dtype, after checking it broadcasts to ``x``."""
    p = _check_real(p, fn, name)
    try:
        shape = np.broadcast_shapes(p.shape, x.shape)
    except ValueError:
        shape = None
    if shape != x.shape:
        raise ValueError(
            f"jaxact.{fn}: {name} of shape {p.shape} does not broadcast to the shape of x, "
            f"{x.shape} (use a scalar, or one value per channel along x's trailing axes)"
        )
    return p.astype(x.dtype)


#: The name every activation gives its input (``jax.ad_checkpoint.checkpoint_name``).
CHECKPOINT_NAME = "jaxact_input"

#: A ``jax.checkpoint`` policy that saves only the activations' inputs: the backward pass
#: recomputes f(x) and f′(x) from them, one tensor per layer (see the README's recipe).
checkpoint_policy = jax.checkpoint_policies.save_only_these_names(CHECKPOINT_NAME)


def _name_jet(primals, series, **params):
    """jet has no rule for checkpoint_name's primitive, an identity: the series pass."""
    (x,), (s,) = primals, series
    return name_p.bind(x, **params), s


jet.jet_rules.setdefault(name_p, _name_jet)


def evaluate(
    tower: Tower, fn: str, x: object, n: int = 0, m: int = 0, keep_int: bool = False, **params
) -> Array:
    """∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ of activation ``fn`` at ``x``, after checking ``x`` and its parameters."""
    x = checkpoint_name(check_input(x, fn, keep_int=keep_int and n == m == 0), CHECKPOINT_NAME)
    args = [check_param(v, x, fn, name) for name, v in params.items()]
    return tower(n, m)(x, *args)


def _check_real(v: object, fn: str, name: str) -> Array:
    if not isinstance(v, (jax.Array, np.ndarray, np.generic, numbers.Real)):
        raise TypeError(
            f"jaxact.{fn}: {name} must be an array or a real number, got {type(v).__name__}"
        )
    dtype = np.result_type(v) if not hasattr(v, "dtype") else v.dtype
    if dtype == np.bool_ or not (
        jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.integer)
    ):
        raise TypeError(
            f"jaxact.{fn}: {name} must have a real floating or integer dtype, got {dtype}"
        )
    return jnp.asarray(v)


# Every transcendental the forms use asks XLA for its most accurate implementation
# (``result_accuracy = HIGHEST`` in StableHLO): on XLA:CPU that is the default code anyway
# (identical bits, measured); on TPU the default float32 exp is documented at up to 116 ulp.
_HIGHEST = lax.AccuracyMode.HIGHEST


def exp(x: Array) -> Array:
    """eˣ, at XLA's highest accuracy."""
    return lax.exp(x, accuracy=_HIGHEST)


def log(x: Array) -> Array:
    """ln x, at XLA's highest accuracy."""
    return lax.log(x, accuracy=_HIGHEST)


def log1p(x: Array) -> Array:
    """ln(1 + x), at XLA's highest accuracy."""
    return lax.log1p(x, accuracy=_HIGHEST)


def tanh(x: Array) -> Array:
    """tanh x, at XLA's highest accuracy (float32 on XLA:CPU: one rational, a few ulp)."""
    return lax.tanh(x, accuracy=_HIGHEST)


def sqrt(x: Array) -> Array:
    """√x, at XLA's highest accuracy."""
    return lax.sqrt(x, accuracy=_HIGHEST)


def expm1(x: Array, exp_x: Array | None = None) -> Array:
    """eˣ − 1, to about 1 ulp; ``exp_x`` is eˣ where the caller has it already.

    XLA's float32 expm1 is off by up to 4.4 ulp near x ≈ ±0.13.
    """
    if x.dtype == jnp.float64:
        return lax.expm1(x, accuracy=_HIGHEST)
    # Taylor series x(1 + x/2(1 + x/3(1 + … x/10))) for |x| < ln 2: truncation < 2⁻²⁶;
    # outside, eˣ − 1 loses at most a factor 2 of eˣ's accuracy.
    p = jnp.ones_like(x)
    for k in range(10, 1, -1):
        p = 1 + p * (x * (1.0 / k))
    return jnp.where(jnp.abs(x) < _LN2, x * p, (exp(x) if exp_x is None else exp_x) - 1)


# ln 2 = _LN2_HI + _LN2_LO, _LN2_HI with 15 significant bits: k·_LN2_HI is exact for |k| < 2⁹.
_LN2_HI = 0.693145751953125
_LN2_LO = 1.4286068203094173e-06


def exp_parts(t: Array) -> tuple[Array, Array]:
    """(m, s) with eᵗ = (1 + m)·s for float32 t in [−87, 87]: s = 2ᵏ exact, k = round(t/ln 2),
    and m = e^r − 1 to about 1 ulp of itself, r = t − k·ln 2 in [−ln 2/2, ln 2/2].

    Cheaper than XLA's exp (no special cases: the caller bounds t; NaN gives m NaN), and
    m·s + (s − 1) is eᵗ − 1 without cancellation near t = 0 (s = 1 there), so one
    polynomial serves eᵗ and eᵗ − 1 alike. k·_LN2_HI is exact, so r is contraction-immune.
    """
    k = jnp.round(t * (1 / _LN2))
    r = (t - k * _LN2_HI) - k * _LN2_LO
    return expm1_reduced(r), pow2(k.astype(jnp.int32))


def expm1_reduced(r: Array, terms: int = 7) -> Array:
    """e^r − 1 for float32 r in [−ln 2/2, ln 2/2], to about an ulp: r·Σ rʲ/(j + 1)!, j ≤
    ``terms`` (7: truncation below 2⁻³⁰ relative; 6: 2⁻²⁶)."""
    q = jnp.full_like(r, 1 / math.factorial(terms + 1))
    for j in range(terms, 0, -1):
        q = 1 / math.factorial(j) + r * q
    return r * q


def pow2(k: Array) -> Array:
    """The float32 2ᵏ of an int32 k in [−126, 127], exactly (its bits)."""
    return lax.bitcast_convert_type((k + 127) << 23, jnp.float32)


# Backends whose float64 arithmetic is fast enough to carry a float32 form's sensitive
# intermediate (an exponent's argument, say) in place of double-length float32 arithmetic:
# CPUs, and GPUs (on GPUs whose float64 rate is low, elementwise work stays memory-bound).
# TPUs have no float64 hardware: their lowering is the default, double-length float32.
FAST_FLOAT64_PLATFORMS = ("cpu", "cuda", "rocm")
_FAST_FLOAT64 = contextvars.ContextVar("jaxact_fast_float64", default=False)


def fast_float64() -> bool:
    """Whether the form being traced is lowered for a backend with fast float64 arithmetic
    (:data:`FAST_FLOAT64_PLATFORMS`). A form may then compute in float64 (inside
    :func:`wide64`) what it would otherwise compute in double-length float32; outside a
    lowering (``Tower.form`` traced directly, say) it is False."""
    return _FAST_FLOAT64.get()


def wide64() -> contextlib.AbstractContextManager:
    """Float64 arithmetic inside a form on a :func:`fast_float64` backend, whatever the
    process's x64 mode (x64 mode is a tracing setting: the lowering sees float64 ops)."""
    return enable_x64(True)


def _on_fast_float64(rule: Callable) -> Callable:
    """A lowering rule that traces its forms with :func:`fast_float64` True."""

    def lowered(*args, **params):
        token = _FAST_FLOAT64.set(True)
        try:
            return rule(*args, **params)
        finally:
            _FAST_FLOAT64.reset(token)

    return lowered


def _register_lowering(primitive: Primitive, fn: Callable) -> None:
    """``fn`` as the lowering of ``primitive``: by default, and with :func:`fast_float64`
    True on :data:`FAST_FLOAT64_PLATFORMS`."""
    rule = mlir.lower_fun(fn, multiple_results=False)
    mlir.register_lowering(primitive, rule)
    for platform in FAST_FLOAT64_PLATFORMS:
        mlir.register_lowering(primitive, _on_fast_float64(rule), platform=platform)


def identity(n: int, x: Array) -> Array | float:
    """∂ⁿx/∂xⁿ: the linear piece of the piecewise activations, and its derivatives."""
    return [x, 1.0, 0.0][min(n, 2)]


def branch(x: Array, pos: Array | float, neg: Array | float) -> Array:
    """``pos`` where x > 0, ``neg`` where x ≤ 0, and NaN where x is NaN.

    The NaN is a constant, not x itself: x as a value operand here keeps XLA from fusing
    a gradient's x + (−0 unless t is NaN) into the loop (an extra pass, measured)."""
    if not jnp.issubdtype(x.dtype, jnp.floating):
        return jnp.where(x > 0, pos, neg)
    return jnp.where(x > 0, pos, jnp.where(x <= 0, neg, jnp.nan))


def compute_dtype(dtype) -> jnp.dtype:
    """The dtype to compute in: float32 for 16-bit floats (then rounded once), else ``dtype``."""
    return jnp.dtype(jnp.float32) if dtype in _HALF else jnp.dtype(dtype)


def _in_compute_dtype(
    form: Callable[..., Array], x: Array, *params: Array, half: Callable | None = None
) -> Array:
    """``form`` at x in the compute dtype, rounded once to x's dtype; for 16-bit x, ``half``
    instead where it gives a value (see :class:`Tower`)."""
    wide = compute_dtype(x.dtype)
    args = (x.astype(wide), *(p.astype(wide) for p in params))
    y = half(*args) if half is not None and wide != x.dtype else None
    y = form(*args) if y is None else y
    return jnp.broadcast_to(y, x.shape).astype(x.dtype)


def _is_zero(t) -> bool:
    return type(t) is ad.Zero


def _like(x) -> ShapedArray:
    return ShapedArray(x.shape, x.dtype, weak_type=x.weak_type)


class Tower:
    """The partial derivatives ∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ of one activation, as one JAX primitive.

    ``tower(n, m)`` is a function of ``(x, *params)`` that binds the primitive
    ``jaxact_<name>[n, m]``, whose rules are closed forms all the way down:

    - JVP: ``tower(n + 1, m)·ẋ + tower(n, m + 1)·α̇``, each product one application of a
      second, linear primitive ``jaxact_<name>_linear[n, m](x, α, t)`` (transposable, so a
      gradient saves x and evaluates the derivative in the backward pass), formed in the
      compute dtype and rounded once, so every order autodiff reaches is a closed form;
    - Taylor mode (``jax.experimental.jet``): Faà di Bruno's formula over the closed forms
      of orders n + 1, …, n + K, so jet is exact too (jet would otherwise differentiate the
      primal's arithmetic);
    - batching: elementwise; lowering: the form itself.

    ``name`` names the primitive (default: the forms' name without ``_forms``). ``half``,
    where given, is a cheaper float32 evaluation for 16-bit x, ``half(n, m, x)``, or None
    for the orders it does not cover: a 16-bit result is within its 1-ulp contract when the
    float32 value before its one rounding is within about 2⁻¹² relative (float16: 11-bit
    significand; bfloat16: 8), so a few float32 ulp (2⁻²¹) leave it correctly rounded but
    for ties closer than that.
    """

    def __init__(self, forms: Forms, name: str | None = None, half: Forms | None = None):
        self.forms = forms
        self.half = half
        name = name or forms.__name__.strip("_").removesuffix("_forms")
        self.primitive = p = Primitive(f"jaxact_{name}")
        p.def_impl(functools.partial(self._impl, p))
        # Weak types pass through, as in jax.nn: f(2.0) * bfloat16 array stays bfloat16.
        p.def_abstract_eval(lambda x, *_, n, m: _like(x))
        _register_lowering(p, self._lowered)
        ad.primitive_jvps[p] = self._jvp
        batching.primitive_batchers[p] = functools.partial(self._batch, p)
        jet.jet_rules[p] = self._jet
        self.linear = q = Primitive(f"jaxact_{name}_linear")
        q.def_impl(functools.partial(self._impl, q))
        q.def_abstract_eval(lambda *args, n, m, mode: _like(args[-1]))
        _register_lowering(q, self._linear_lowered)
        ad.primitive_jvps[q] = self._linear_jvp
        ad.primitive_transposes[q] = self._linear_transpose
        batching.primitive_batchers[q] = functools.partial(self._batch, q)
        jet.jet_rules[q] = self._linear_jet

    def __call__(self, n: int, m: int = 0) -> Callable[..., Array]:
        return functools.partial(self._bind, n=n, m=m)

    def _bind(self, x: Array, *params: Array, n: int, m: int) -> Array:
        params = [jnp.broadcast_to(p, x.shape).astype(x.dtype) for p in params]
        return self.primitive.bind(x, *params, n=n, m=m)

    def form(self, n: int, m: int) -> Callable[..., Array]:
        """The plain JAX function of order (n, m), in x's dtype (no custom rules)."""
        half = None if self.half is None else functools.partial(self.half, n, m)
        return functools.partial(_in_compute_dtype, functools.partial(self.forms, n, m), half=half)

    def _lowered(self, *args: Array, n: int, m: int) -> Array:
        return self.form(n, m)(*args)

    @staticmethod
    @functools.cache
    def _compiled(primitive: Primitive, params: tuple) -> Callable[..., Array]:
        return jax.jit(functools.partial(primitive.bind, **dict(params)))

    def _impl(self, primitive: Primitive, *args: Array, **params) -> Array:
        return self._compiled(primitive, tuple(params.items()))(*args)

    def _jvp(self, primals, tangents, *, n: int, m: int):
        x, *params = primals
        y = self.primitive.bind(x, *params, n=n, m=m)
        # Each term of the chain rule is one application of the linear primitive: its
        # product is formed in the compute dtype (for 16-bit x, the next orders are
        # evaluated on float32 x), and the sum is rounded once.
        # (A derivative's own JVP, n + m ≥ 1, is second-order: its terms are "higher".)
        mode = "tangent" if n == m == 0 else "higher"
        terms = self._chain(primals, tangents, n, m, compute_dtype(x.dtype), mode=mode)
        if not terms:
            return y, ad.Zero.from_primal_value(y)
        return y, sum(terms[1:], terms[0]).astype(y.dtype)

    def _chain(
        self, xp, tangents, n: int, m: int, dtype, scale=None, mode: str = "tangent"
    ) -> list[Array]:
        """The chain rule's terms ∂ⁿ⁺¹∂ᵐf·(s·ẋ) and ∂ⁿ∂ᵐ⁺¹f·(s·α̇) at ``xp`` = (x, α), each
        one application of the linear primitive in ``mode``, in ``dtype``; ``s`` is
        ``scale`` or 1."""
        terms = []
        orders = [(n + 1, m)] + [(n, m + 1)] * (len(tangents) - 1)
        for t, (nk, mk) in zip(tangents, orders, strict=True):
            if not _is_zero(t):
                t = t.astype(dtype) if scale is None else scale * t.astype(dtype)
                terms.append(self.linear.bind(*xp, t, n=nk, m=mk, mode=mode))
        return terms

    # --- the linear primitive: (x, α, t) ↦ ∂ⁿ∂ᵐf(x, α)·t -----------------------------
    #
    # Its ``mode`` says where it came from, and so how it is evaluated:
    #
    # - "tangent": a term of f's own JVP (a jvp of f, the first step of a gradient).
    #   Evaluated at x: XLA may share e^−|x| and the recurrence with f and with the other
    #   orders at the same x, as forward mode (a PINN's Laplacian) needs them together.
    # - "cotangent": the transpose of a "tangent" term, the backward pass of a gradient.
    #   Evaluated at x + (−0 unless t is NaN), which is x exactly but depends on the
    #   cotangent t, so XLA cannot compute any part of it in the forward pass and keep it:
    #   a first-order training step keeps x and f(x) per layer. (An optimization barrier
    #   does not do it: XLA:CPU drops barriers before fusion. Without either, XLA computes
    #   parts of f′ in the forward pass, or shares them with f, and keeps them: up to 7
    #   tensors per layer.)
    # - "higher": a term of the JVP of a derivative (second-order training: a PINN's
    #   Laplacian, a gradient penalty, a Hessian), and its transpose. Evaluated at x, so
    #   that the backward pass shares e^−|x| with the forward pass's derivatives at the
    #   same x: faster, and it may keep those intermediates (the PINN's networks are small).

    def _linear_lowered(self, x: Array, *args: Array, n: int, m: int, mode: str) -> Array:
        *params, t = args
        wide = compute_dtype(x.dtype)
        xw, pw = x.astype(wide), [p.astype(wide) for p in params]
        if mode == "cotangent":
            xw = xw + jnp.where(t == t, -0.0, 0.0).astype(wide)
        # For 16-bit x the product is formed in float32 and rounded once: the half form,
        # where it covers (n, m), is accurate enough for that too (see the class docstring).
        y = self.half(n, m, xw, *pw) if self.half is not None and wide != x.dtype else None
        y = self.form(n, m)(xw, *pw) if y is None else jnp.broadcast_to(y, xw.shape)
        return (y * t.astype(wide)).astype(t.dtype)

    def _linear_jvp(self, primals, tangents, *, n: int, m: int, mode: str):
        # d[∂ⁿ∂ᵐf·t] = ∂ⁿ⁺¹∂ᵐf·t·ẋ + ∂ⁿ∂ᵐ⁺¹f·t·α̇ + ∂ⁿ∂ᵐf·ṫ
        *xp, t = primals
        *txp, tt = tangents
        # A derivative is being differentiated again: a second-order step, whose forward
        # pass evaluates the next orders at x. The term itself joins them ("higher"), so
        # its own backward pass shares their exponential rather than evaluating it afresh.
        out = self.linear.bind(*xp, t, n=n, m=m, mode="higher")
        terms = self._chain(xp, txp, n, m, t.dtype, scale=t, mode="higher")
        if not _is_zero(tt):
            terms.append(self.linear.bind(*xp, tt, n=n, m=m, mode="higher"))
        if not terms:
            return out, ad.Zero.from_primal_value(out)
        return out, sum(terms[1:], terms[0])

    def _linear_transpose(self, ct, *args, n: int, m: int, mode: str):
        *xp, t = args
        if any(ad.is_undefined_primal(v) for v in xp):
            raise ValueError(f"{self.linear.name}: linear in its last argument only")
        if type(ct) is ad.Zero:
            return [None] * len(xp) + [ad.Zero(t.aval)]
        mode = "cotangent" if mode == "tangent" else mode
        return [None] * len(xp) + [self.linear.bind(*xp, ct, n=n, m=m, mode=mode)]

    def _linear_jet(self, primals, series, *, n: int, m: int, mode: str):
        # (c·t)(s) with c(s) = ∂ⁿ∂ᵐf(x(s), α(s)) from the primitive's jet rule.
        *xp, t = primals
        *sxp, st = series
        order = max((len(s) for s in series if s is not jet.zero_series), default=0)
        out = self.linear.bind(*xp, t, n=n, m=m, mode=mode)
        if order == 0:
            return out, jet.zero_series
        wide = t.dtype
        c0, cs = self._jet(xp, sxp, n=n, m=m)
        cs = [None] * order if cs is jet.zero_series else [v.astype(wide) for v in cs]
        ts = [None] * order if st is jet.zero_series else list(st)
        ts = [None if v is jet.zero_term else v.astype(wide) for v in ts]
        prod = _series_product([c0.astype(wide), *cs], [t, *ts], order)
        return out, [jnp.zeros_like(out) if v is None else v.astype(out.dtype) for v in prod[1:]]

    @staticmethod
    def _batch(primitive: Primitive, args, dims, **params):
        size = next(a.shape[d] for a, d in zip(args, dims, strict=True) if d is not None)
        args = [batching.bdim_at_front(a, d, size) for a, d in zip(args, dims, strict=True)]
        return primitive.bind(*args, **params), 0

    def _jet(self, primals, series, *, n: int, m: int):
        # Taylor coefficients (not factorial-scaled) in and out:
        # y(t) = f(x(t), α(t)) = Σ_{j,l} ∂ˣʲ∂ᵅˡf/(j! l!) · δx(t)ʲ δα(t)ˡ, truncated at tᴷ.
        x, *params = primals
        order = max((len(s) for s in series if s is not jet.zero_series), default=0)
        if order and n == m == 0:
            # f itself as the order-0 term of the linear primitive in "higher" mode (f·1,
            # the product folded away): Taylor mode is higher-order, so the gradient of a
            # loss on this series (a PINN's) evaluates f′ at x, sharing the exponential with
            # the coefficients below instead of evaluating it afresh as a first-order
            # backward pass does.
            y = self.linear.bind(x, *params, jnp.ones_like(x), n=0, m=0, mode="higher")
        else:
            y = self.primitive.bind(x, *params, n=n, m=m)
        if order == 0:
            return y, jet.zero_series
        wide = compute_dtype(x.dtype)
        xw, pw = x.astype(wide), [p.astype(wide) for p in params]
        px = _powers(series[0], xw, order)
        pa = _powers(series[1] if params else jet.zero_series, xw, order)
        out: list = [None] * (order + 1)
        for j, sx in enumerate(px):
            for k, sa in enumerate(pa):
                prod = _series_product(sx, sa, order) if j or k else [None]
                if all(v is None for v in prod[1:]):
                    continue
                scale = 1.0 / (math.factorial(j) * math.factorial(k))
                c = self.primitive.bind(xw, *pw, n=n + j, m=m + k) * scale
                for i, v in enumerate(prod):
                    if i and v is not None:
                        out[i] = c * v if out[i] is None else out[i] + c * v
        return y, [jnp.zeros_like(y) if v is None else v.astype(y.dtype) for v in out[1:]]


def _powers(series, like: Array, order: int) -> list[list]:
    """[[tᵏ] δ(t)ʲ for k ≤ order] for j = 0, 1, …: the powers of δ(t) = Σᵢ sᵢ tⁱ (i ≥ 1)."""
    one = [jnp.ones_like(like)] + [None] * order
    if series is jet.zero_series:
        return [one]
    delta = [None] + [None if t is jet.zero_term else t.astype(like.dtype) for t in series]
    out = [one]
    for _ in range(order):
        out.append(_series_product(out[-1], delta, order))
    return out


def _series_product(a: list, b: list, order: int) -> list:
    """The product of two truncated power series; ``None`` stands for a zero coefficient."""
    out: list = [None] * (order + 1)
    for i, u in enumerate(a):
        for j, v in enumerate(b[: order + 1 - i]):
            if u is not None and v is not None:
                out[i + j] = u * v if out[i + j] is None else out[i + j] + u * v
    return out


#: ``formulas`` text of a function with two pieces, ``POS_NEG.format(right, left)``.
POS_NEG = "{} if x > 0 else {}"


@dataclasses.dataclass(frozen=True)
class Activation:
    """One row of the activation table: the function, its parameters and its math.

    Attributes:
      name: the public name, e.g. ``"elu"``.
      fn: the jit-compiled activation, ``fn(x, *params)``.
      params: ``(name, default)`` of each parameter (default ``None``: required).
      output_range: the range of ``fn``, as text.
      formulas: f, f′, f″ (and ∂f/∂param) as text.
      jax_nn: the ``jax.nn`` counterpart with the same signature, for comparisons.
      tower: the closed-form derivatives (see :class:`Tower`).
      definition: the plain mathematical definition as an mpmath function
        ``(mp, x, at, *params)``, for the accuracy reference only (it is differentiated
        numerically, independently of ``tower``). Piecewise functions choose their piece by
        ``at``, the point being evaluated, so that a derivative at a breakpoint is the left
        piece's.
      switch_points: every x where the implementation changes formula (breakpoints, series
        cutoffs, far-tail thresholds, expm1's ±ln 2 in the argument), so tests can probe both
        sides of each.
      smooth: whether f is infinitely differentiable (the higher-order tests cover it).
      keep_int: whether integer inputs stay integers (relu, hard_tanh and identity, as in
        jax.nn).
      aliases: other public names of ``fn`` (``swish`` for ``silu``), which
        :func:`jaxact.get` and :func:`jaxact.derivative` accept too.
    """

    name: str
    fn: Callable[..., Array]
    params: tuple[tuple[str, float | None], ...]
    output_range: str
    formulas: dict[str, str]
    jax_nn: Callable[..., Array]
    tower: Tower
    definition: Callable[..., object]
    switch_points: tuple[float, ...] = ()
    smooth: bool = False
    keep_int: bool = False
    aliases: tuple[str, ...] = ()

    def sample_params(self) -> tuple[float, ...]:
        """Each parameter's default, or 0.25 where it has none (He et al.'s initial α)."""
        return tuple(0.25 if d is None else d for _, d in self.params)
