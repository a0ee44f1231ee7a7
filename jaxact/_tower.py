"""The derivative tower: an activation's closed forms as one JAX primitive whose rules are
closed forms all the way down.

An activation is described by its *forms*: ``forms(n, m, x, *params)`` returns the closed
form of ∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ f(x, α) (``m`` is always 0 for activations without a parameter).
:class:`Tower` turns those forms into JAX functions whose derivatives of every order are
the next closed forms, so ``jax.grad``, ``jax.jvp``, ``jax.hessian``, … never differentiate
a numerically fragile expression: each order is evaluated directly, stably, and rounded once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax.experimental import jet
from jax.extend.core import Primitive
from jax.interpreters import ad, batching, mlir

from jaxact._jax_internals import ShapedArray
from jaxact._math import _FAST_FLOAT64, FAST_FLOAT64_PLATFORMS, compute_dtype, fast_float64, wide64

Array = jax.Array
Forms = Callable[..., Array]


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


def _in_compute_dtype(
    form: Callable[..., Array],
    x: Array,
    *params: Array,
    half: Callable | None = None,
    in_float64: bool = False,
) -> Array:
    """``form`` at x in the compute dtype, rounded once to x's dtype; for 16-bit x, ``half``
    instead where it gives a value; ``in_float64``: in float64 where the compute dtype is
    float32 and the backend's float64 is fast (see :class:`Tower`)."""
    wide = compute_dtype(x.dtype)
    if in_float64 and wide == jnp.float32 and fast_float64():
        with wide64():
            y = form(x.astype(jnp.float64), *(p.astype(jnp.float64) for p in params))
            return jnp.broadcast_to(y, x.shape).astype(x.dtype)
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

    ``name`` names the primitive (default: the forms' name without ``_forms``).
    ``float64_from``, where given, is the lowest order n + m that a float32 (or 16-bit) x
    evaluates in float64 on :func:`~jaxact._math.fast_float64` backends, rounded once: the
    recurrences of the higher orders cancel by more than float32's double-length work
    covers, and CPUs and GPUs compute float64 at about half float32's rate. ``half``,
    where given, is a cheaper float32 evaluation for 16-bit x, ``half(n, m, x)``, or None
    for the orders it does not cover: a 16-bit result is within its 1-ulp contract when the
    float32 value before its one rounding is within about 2⁻¹² relative (float16: 11-bit
    significand; bfloat16: 8), so a few float32 ulp (2⁻²¹) leave it correctly rounded but
    for ties closer than that.
    """

    def __init__(
        self,
        forms: Forms,
        name: str | None = None,
        half: Forms | None = None,
        float64_from: int | None = None,
    ):
        self.forms = forms
        self.half = half
        self.float64_from = float64_from
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
        wide = self.float64_from is not None and n + m >= self.float64_from
        return functools.partial(
            _in_compute_dtype, functools.partial(self.forms, n, m), half=half, in_float64=wide
        )

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
