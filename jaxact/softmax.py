"""The softmax family with exact derivatives, exact cross-entropy, and the rest of jax.nn.

``softmax``, ``log_softmax``, ``logsumexp`` and ``logmeanexp`` have jax.nn's signatures and
semantics (``axis`` an int, a tuple or ``None``; ``where`` masks), but every output component
and every component of their JVPs and VJPs is computed without cancellation:

- the shifted logits d = x − max are carried as d_hi + d_lo (float32 and float64) and
  e^d = e^{d_hi}(1 + d_lo), so a logit far below the maximum keeps its digits;
- the sum Σe^d is split into the entries equal to the maximum (c of them, each e^0 = 1,
  counted exactly) and the rest R, so 1 − p_max = R/(c + R) and log Σ = log1p(c − 1 + R)
  never cancel: log_softmax of the dominant class is −log1p(Σ_{j≠k} e^{d_j}), not 0;
- the derivatives are three linear maps, each one JAX primitive with its own transpose:
  softmax's Jacobian J t = p ⊙ (t·Σp − Σ p·t) (symmetric), log_softmax's K t = t·Σp − Σ p·t
  and its transpose Kᵀ g = g·Σp − p·Σg. Each splits the sums into the entries at the maximum
  and the rest, so a one-hot component is p_k·Σ_{j≠k} p_j, never p_k(1 − p_k), and the true
  class's cross-entropy gradient is −Σ_{j≠k} p_j. Their JVPs are written with these maps again,
  so the Hessian of log_softmax is exact too.

16-bit inputs are computed in float32 and rounded once. ``dot_product_attention``,
``one_hot``, ``standardize``, ``initializers`` and the ``scaled_*`` helpers are jax.nn's own.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.extend.core import Primitive
from jax.interpreters import ad, batching, mlir

from jaxact import _dd
from jaxact._math import compute_dtype, exp, expm1, log1p

Array = jax.Array
Axis = int | Sequence[int] | None

# jax.nn's own, re-exported unchanged (not elementwise activations; not made exact here).
dot_product_attention = jax.nn.dot_product_attention
one_hot = jax.nn.one_hot
standardize = jax.nn.standardize
initializers = jax.nn.initializers
scaled_matmul = jax.nn.scaled_matmul
scaled_dot_general = jax.nn.scaled_dot_general
get_scaled_dot_general_config = jax.nn.get_scaled_dot_general_config


# --- helpers --------------------------------------------------------------------------


def _axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int | np.integer):
        axis = (int(axis),)
    return tuple(sorted(int(a) % ndim if ndim else int(a) for a in axis))


def _float(name: str, x) -> Array:
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        if jnp.issubdtype(x.dtype, jnp.complexfloating):
            raise TypeError(f"jaxact.{name}: complex input is not supported, got {x.dtype}")
        x = x.astype(jnp.result_type(float))
    return x


def _mask(where, x: Array) -> Array | None:
    return None if where is None else jnp.broadcast_to(jnp.asarray(where, bool), x.shape)


def _sum(v: Array, axes) -> Array:
    return jnp.sum(v, axes, keepdims=True)


def _gap_scale(dtype) -> float:
    """2^(p+1) for a p-bit significand: (a − b)·a⁻¹·2^(p+1) ≥ 1 for floats 0 ≤ b < a."""
    return 2.0 ** (jnp.finfo(dtype).nmant + 2)


def _below(v: Array, top: Array, dtype) -> Array:
    """1 where v < top, 0 where v = top (0 ≤ v ≤ top, per row), by arithmetic alone.

    Written without compare and select, so that XLA:CPU keeps the whole row computation (max,
    sums, elementwise work) in one fusion, as jax.nn's softmax; an equality test would split it
    into several passes over the array.
    """
    return jnp.minimum(jnp.abs(top - v) * (_gap_scale(dtype) / top), 1)


def _stats(x: Array, axes, where):
    """Per row, in the compute dtype: m = max, d = x − m as h + lo (lo = 0 for 16-bit x, whose
    differences float32 holds well enough), e = e^d, c = #{e = 1} (the maximum's entries, and
    any whose e^d rounds to 1) and R = Σ_{e < 1} e, so that Σe = c + R exactly."""
    wide = compute_dtype(x.dtype)
    half = wide != x.dtype
    x = x.astype(wide)
    if where is None:  # no compare or select: one fusion (see _below)
        xs = x
        m = jnp.max(x, axes, keepdims=True)  # a −inf row: NaN, as jax.nn
    else:
        xs = jnp.where(where, x, -jnp.inf)
        m = jnp.max(xs, axes, keepdims=True, initial=-jnp.inf, where=where)
        m = jnp.where(m == -jnp.inf, 0, m)  # a masked or −inf row: NaN/0 as jax.nn, no inf − inf
    # x − m ≤ 0, and = 0 at the maximum, even where XLA would contract the producer of x
    # (x = a·b, fused) and x − m into an FMA: min(x, m) − m is not a product's sum (and needs
    # no select). +inf in a row: NaN, as jax.nn.
    h = jnp.minimum(xs, m) - m
    e = exp(h)
    lo = jnp.zeros((), wide)
    if not half:
        # the rounding of x − m, |lo| ≤ ulp(h)/2. Its operands are max(x, ·) and m, never x's
        # producer, so XLA cannot contract a product into it (no bound needed); x is raised to
        # m − 256 − |m|/1024 first (e^{x − m} is 0 below it) so that x = −inf gives lo finite
        # (e = 0), not inf − inf.
        floor = m - (256 + jnp.abs(m) * 2.0**-10)
        _, lo = _dd.two_sum(jnp.maximum(xs, floor), -m)
        e = e + e * lo
    # top = 1 where e = 1 (the maximum's entries), else 0, by arithmetic (no select: one
    # fusion): e ≤ 1 − ε below 1, so (e − (1 − ε))/ε is 1 or ≤ 0.
    eps = float(jnp.finfo(wide).epsneg)
    top = jnp.maximum((e - (1 - eps)) * (1 / eps), 0)
    c = _sum(top, axes)  # exact (integers)
    r = _sum(e - top, axes)  # e at the top is 1: e − top is e off it, 0 on it
    return m, h, lo, e, c, r


def _softmax_values(x: Array, axes, where) -> tuple[Array, Array]:
    _, _, _, e, c, r = _stats(x, axes, where)
    inv = 1 / (c + r)  # per row; no double-length work here (its bit masks split the fusion)
    p = e * inv
    pmax = inv  # p at the maximum (e = 1): p == pmax there, exactly
    s_rest = r * inv  # Σ p off the maximum's entries
    if where is not None:
        p = jnp.where(where, p, 0)
        pmax = jnp.where(c > 0, pmax, 0)  # 0 on a row with no maximum (all masked)
        s_rest = jnp.where(c > 0, s_rest, 0)
    # the per-row residuals of the linear maps: pmax as p is stored (p == pmax at the
    # maximum), c and Σ_rest p in the compute dtype
    pmax = pmax.astype(x.dtype).astype(inv.dtype)
    return p.astype(x.dtype), jnp.concatenate([pmax, c, s_rest], axes[0])


def _log_sum(c: Array, r: Array) -> Array:
    """log(c + r), c ≥ 1 an integer: log1p(c − 1 + r) (no cancellation when c + r ≈ 1)."""
    return log1p((c - 1) + r)


def _log_softmax_values(x: Array, axes, where) -> Array:
    _, h, lo, _, c, r = _stats(x, axes, where)
    y = (h - _log_sum(c, r)) + lo  # h ≤ 0 and −log Σ ≤ 0: no cancellation
    if where is not None:
        y = jnp.where(where, y, -jnp.inf)
    return y.astype(x.dtype)


# --- the linear maps: J (softmax), K (log_softmax) and Kᵀ ----------------------------

_lin_p = Primitive("jaxact_softmax_linear")


def _lin(p: Array, rows: Array, t: Array, axes, kind: str) -> Array:
    return _lin_p.bind(p, rows, t.astype(p.dtype), axes=axes, kind=kind)


def _lin_impl(p: Array, rows: Array, t: Array, *, axes, kind: str) -> Array:
    """``rows``: (pmax, c, Σ_rest p) per row, stacked along ``axes[0]`` (from the forward)."""
    wide = compute_dtype(t.dtype)
    pw, tw = p.astype(wide), t.astype(wide)
    mw, c, s_rest = (lax.slice_in_dim(rows, i, i + 1, axis=axes[0]) for i in range(3))
    # rest = 1 off the maximum's entries (p < pmax), 0 on them; no select (one fusion)
    rest = _below(pw, jnp.maximum(mw, jnp.finfo(wide).tiny), wide)
    top = 1 - rest
    a_top = c * mw
    if kind == "KT":  # g·Σp − p·Σg
        g_top = _sum(tw * top, axes)
        g_rest = _sum(tw * rest, axes)
        out = ((tw * a_top - pw * g_top) - pw * g_rest) + tw * s_rest
    else:  # t·Σp − Σp·t, the maximum's entries centred on their mean cotangent
        t_top = _sum(tw * top, axes) / jnp.maximum(c, 1)
        b_rest = _sum(pw * tw * rest, axes)
        out = a_top * (tw - t_top) + (tw * s_rest - b_rest)
        if kind == "J":
            out = pw * out
    return out.astype(t.dtype)


_TRANSPOSE = {"J": "J", "K": "KT", "KT": "K"}


def _lin_jvp(primals, tangents, *, axes, kind):
    p, rows, t = primals
    dp, _, dt = tangents
    out = _lin_p.bind(p, rows, t, axes=axes, kind=kind)
    terms = []
    if type(dt) is not ad.Zero:
        terms.append(_lin_p.bind(p, rows, dt, axes=axes, kind=kind))
    if type(dp) is not ad.Zero:  # on the simplex (Σp = 1, Σṗ = 0)
        if kind == "J":  # ṗ ⊙ K t − p·Σṗt
            terms.append(dp * _lin_p.bind(p, rows, t, axes=axes, kind="K") - p * _sum(dp * t, axes))
        elif kind == "K":
            terms.append(jnp.broadcast_to(-_sum(dp * t, axes), t.shape))
        else:
            terms.append(-dp * _sum(t, axes))
    if not terms:
        return out, ad.Zero.from_primal_value(out)
    return out, functools.reduce(jnp.add, terms)


def _lin_transpose(ct, p, rows, t, *, axes, kind):
    if ad.is_undefined_primal(p) or ad.is_undefined_primal(rows):
        raise ValueError("jaxact_softmax_linear is linear in its last argument only")
    if type(ct) is ad.Zero:
        return [None, None, ad.Zero(t.aval)]
    return [None, None, _lin_p.bind(p, rows, ct, axes=axes, kind=_TRANSPOSE[kind])]


def _lin_batch(args, dims, *, axes, kind):
    size = next(a.shape[d] for a, d in zip(args, dims, strict=True) if d is not None)
    args = [batching.bdim_at_front(a, d, size) for a, d in zip(args, dims, strict=True)]
    return _lin_p.bind(*args, axes=tuple(a + 1 for a in axes), kind=kind), 0


_lin_p.def_impl(lambda *args, **kw: jax.jit(functools.partial(_lin_impl, **kw))(*args))
_lin_p.def_abstract_eval(lambda p, rows, t, **_: jax.core.ShapedArray(t.shape, t.dtype))
mlir.register_lowering(_lin_p, mlir.lower_fun(_lin_impl, multiple_results=False))
ad.primitive_jvps[_lin_p] = _lin_jvp
ad.primitive_transposes[_lin_p] = _lin_transpose
batching.primitive_batchers[_lin_p] = _lin_batch


# --- the functions and their rules --------------------------------------------------


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _softmax_pair(x: Array, axes, where) -> tuple[Array, Array]:
    return _softmax_values(x, axes, where)


@_softmax_pair.defjvp
def _softmax_pair_jvp(axes, primals, tangents):
    x, where = primals
    dx = tangents[0]
    p, rows = _softmax_pair(x, axes, where)
    return (p, rows), (_lin(p, rows, dx, axes, "J"), jnp.zeros_like(rows))


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _log_softmax(x: Array, axes, where) -> Array:
    return _log_softmax_values(x, axes, where)


@_log_softmax.defjvp
def _log_softmax_jvp(axes, primals, tangents):
    x, where = primals
    dx = tangents[0]
    y = _log_softmax(x, axes, where)
    p, rows = _softmax_pair(x, axes, where)
    dy = _lin(p, rows, dx, axes, "K")
    if where is not None:
        dy = jnp.where(where, dy, 0)
    return y, dy


@functools.partial(jax.jit, static_argnames=("axis",))
def softmax(x, axis: Axis = -1, where=None) -> Array:
    r"""Softmax function, with exact derivatives.

    .. math::
        \mathrm{softmax}(x)_i = \frac{\exp(x_i)}{\sum_j \exp(x_j)}

    Args:
        x: input array.
        axis: the axis or axes along which the softmax is computed (an int, a tuple of
            ints, or ``None`` for all axes); the outputs along them sum to 1.
        where: elements to include; the output at a masked-out element is 0.

    Returns:
        An array of x's shape and (floating) dtype.

    References:
        - `P. Blanchard, D. J. Higham, N. J. Higham, Accurately computing the log-sum-exp
          and softmax functions, IMA J. Numer. Anal. 41, 2021
          <https://doi.org/10.1093/imanum/draa038>`_.

    Where jaxact differs from jax.nn: each output and each component of its JVP and VJP is
    within a few ulp of the true value, tails included: ∂softmax(x)_k/∂x_k is computed as
    p_k·Σ_{j≠k} p_j, not p_k(1 − p_k), and no finite input gives NaN (also under jit with a
    fused producer, ``softmax(x / T)``).

    >>> import jax, jax.numpy as jnp, jaxact
    >>> z = jnp.array([30.0, 0.0, 0.0])
    >>> jaxact.softmax(z)
    Array([1.000000e+00, 9.357623e-14, 9.357623e-14], dtype=float32)
    >>> jax.grad(lambda z: jaxact.softmax(z)[0])(z)  # jax.nn: [0, -9.4e-14, -9.4e-14]
    Array([ 1.8715246e-13, -9.35762...e-14, -9.35762...e-14], dtype=float32)
    """
    x = _float("softmax", x)
    if x.size == 0:
        return jax.nn.softmax(x, axis, where)
    return _softmax_pair(x, _axes(axis, x.ndim), _mask(where, x))[0]


@functools.partial(jax.jit, static_argnames=("axis",))
def log_softmax(x, axis: Axis = -1, where=None) -> Array:
    r"""Log-softmax function, with exact derivatives.

    .. math::
        \mathrm{log\_softmax}(x)_i = x_i - \log \sum_j \exp(x_j)

    Args:
        x: input array.
        axis: the axis or axes along which it is computed (an int, a tuple of ints, or
            ``None`` for all axes).
        where: elements to include; the output at a masked-out element is −inf.

    Returns:
        An array of x's shape and (floating) dtype.

    References:
        - `P. Blanchard, D. J. Higham, N. J. Higham, Accurately computing the log-sum-exp
          and softmax functions, IMA J. Numer. Anal. 41, 2021
          <https://doi.org/10.1093/imanum/draa038>`_.

    Where jaxact differs from jax.nn: the dominant class gets −log1p(Σ_{j≠k} e^{x_j − x_k})
    (jax.nn: 0 once that is below half an ulp of 1... or a rounding of it), and the gradient
    of −log_softmax(x)_k, the cross-entropy of class k, is −Σ_{j≠k} p_j at k, never 0.

    >>> import jax, jax.numpy as jnp, jaxact
    >>> z = jnp.array([30.0, 0.0, 0.0])
    >>> jaxact.log_softmax(z)
    Array([-1.8715246e-13, -3.0000000e+01, -3.0000000e+01], dtype=float32)
    >>> jax.grad(lambda z: -jaxact.log_softmax(z)[0])(z)  # jax.nn: [0, 9.4e-14, 9.4e-14]
    Array([-1.8715246e-13,  9.35762...e-14,  9.35762...e-14], dtype=float32)
    """
    x = _float("log_softmax", x)
    if x.size == 0:
        return jax.nn.log_softmax(x, axis, where)
    return _log_softmax(x, _axes(axis, x.ndim), _mask(where, x))


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _lse(x: Array, axes, mean: bool, where) -> Array:
    m, h, lo, e, c, r = _stats(x, axes, where)
    if not mean:
        out = m + _log_sum(c, r)
    else:  # log(Σe/n) = log1p(Σ(e − 1)/n): Σ expm1(d) has no cancellation (all ≤ 0)
        wide = h.dtype
        n = _sum(jnp.ones_like(h) if where is None else where.astype(wide), axes)
        q = jnp.where(jnp.isfinite(h), expm1(h) + e * lo, -1.0)  # e^{h + lo} − 1
        q = _sum(q if where is None else jnp.where(where, q, 0), axes)
        out = m + log1p(q / n)
        out = jnp.where(c > 0, out, jnp.where(n > 0, -jnp.inf, jnp.nan))
    return out.astype(x.dtype)


@_lse.defjvp
def _lse_jvp(axes, mean, primals, tangents):
    x, where = primals
    dx = tangents[0]
    out = _lse(x, axes, mean, where)
    p = _softmax_pair(x, axes, where)[0]
    prod = p * dx if where is None else jnp.where(where, p * dx, 0)
    return out, _sum(prod, axes).astype(out.dtype)


def _reduce(name: str, x, axis: Axis, where, keepdims: bool, mean: bool) -> Array:
    x = _float(name, x)
    axes = _axes(axis, x.ndim)
    if x.size == 0:
        return getattr(jax.nn, name)(x, axis=axis, where=where, keepdims=keepdims)
    out = _lse(x, axes, mean, _mask(where, x))
    return out if keepdims else jnp.squeeze(out, axes)


@functools.partial(jax.jit, static_argnames=("axis", "keepdims", "return_sign"))
def logsumexp(
    a,
    axis: Axis = None,
    b=None,
    keepdims: bool = False,
    return_sign: bool = False,
    where=None,
):
    r"""Log-sum-exp reduction, with exact derivatives.

    .. math::
        \mathrm{logsumexp}(a) = \log \sum_i b_i \exp a_i

    Args:
        a: the input array.
        axis: the axis or axes to reduce (``None``: all).
        b: scaling factors for the exponentials, broadcastable to ``a`` (with ``b``, this
            is jax.nn's own logsumexp).
        keepdims: keep the reduced axes as dimensions of size 1.
        return_sign: also return the sign of the sum (1, or 0 for an empty sum).
        where: elements to include in the reduction.

    Returns:
        An array, or ``(result, sign)`` with ``return_sign``.

    References:
        - `P. Blanchard, D. J. Higham, N. J. Higham, Accurately computing the log-sum-exp
          and softmax functions, IMA J. Numer. Anal. 41, 2021
          <https://doi.org/10.1093/imanum/draa038>`_.

    Where jaxact differs from jax.nn: the value is max + log1p(Σ_{not max} e^{a_i − max})
    and its gradient is softmax(a) from :func:`softmax`, exact at every order.

    >>> import jax.numpy as jnp, jaxact
    >>> jaxact.logsumexp(jnp.array([30.0, 0.0, 0.0])) - 30
    Array(0., dtype=float32)
    """
    if b is not None or jnp.iscomplexobj(a):
        return jax.nn.logsumexp(a, axis, b, keepdims, return_sign, where)
    out = _reduce("logsumexp", a, axis, where, keepdims, mean=False)
    if return_sign:
        return out, jnp.where(out == -jnp.inf, 0, 1).astype(out.dtype)
    return out


@functools.partial(jax.jit, static_argnames=("axis", "keepdims"))
def logmeanexp(x, axis: Axis = None, where=None, keepdims: bool = False) -> Array:
    r"""Log-mean-exp reduction, with exact derivatives.

    .. math::
        \mathrm{logmeanexp}(x) = \log \frac{1}{n} \sum_{i=1}^n \exp x_i

    Args:
        x: input array.
        axis: the axis or axes to reduce (``None``: all).
        where: elements to include in the reduction.
        keepdims: keep the reduced axes as dimensions of size 1.

    Returns:
        An array.

    References:
        - `P. Blanchard, D. J. Higham, N. J. Higham, Accurately computing the log-sum-exp
          and softmax functions, IMA J. Numer. Anal. 41, 2021
          <https://doi.org/10.1093/imanum/draa038>`_.

    Where jaxact differs from jax.nn: computed as max + log1p(Σ expm1(x_i − max)/n), so an
    almost constant x gives its value to the last ulp (jax.nn: logsumexp − log n).

    >>> import jax.numpy as jnp, jaxact
    >>> jaxact.logmeanexp(jnp.array([1e-3, 1e-3, 1e-3]))
    Array(0.001, dtype=float32)
    """
    return _reduce("logmeanexp", x, axis, where, keepdims, mean=True)


# --- cross-entropy (optax's signatures) -------------------------------------------------


@functools.partial(jax.jit, static_argnames=("axis",))
def softmax_cross_entropy(logits, labels, axis: Axis = -1, where=None) -> Array:
    r"""Cross-entropy between softmax(logits) and a distribution ``labels`` (optax's).

    .. math::
        \ell = -\sum_j y_j \log \mathrm{softmax}(x)_j

    Args:
        logits: unnormalized log probabilities.
        labels: a distribution over the classes (one-hot, or smoothed), logits' shape.
        axis: the axis or axes of the classes.
        where: elements to include (the shape of ``logits`` or of the batch).

    Returns:
        The loss per example (logits' shape without ``axis``).

    Where jaxact differs from optax: its gradient comes from :func:`log_softmax`'s exact
    rules, so a confidently right example has the gradient −Σ_{j≠k} p_j at its true
    class, not 0.

    >>> import jax, jax.numpy as jnp, jaxact
    >>> logits, labels = jnp.array([30.0, 0.0, 0.0]), jnp.array([1.0, 0.0, 0.0])
    >>> jax.grad(jaxact.softmax_cross_entropy)(logits, labels)  # optax: [0, 9.4e-14, ...]
    Array([-1.8715246e-13,  9.35762...e-14,  9.35762...e-14], dtype=float32)
    """
    logits = jnp.asarray(logits)
    if where is not None:
        where = jnp.asarray(where)
        if where.ndim != logits.ndim:
            where = jnp.expand_dims(where, axis)
    log_probs = log_softmax(logits, axis, where)
    return -(labels * log_probs).sum(axis, where=where)


@functools.partial(jax.jit, static_argnames=("axis",))
def softmax_cross_entropy_with_integer_labels(
    logits, labels, axis: int | tuple[int, ...] = -1, where=None
) -> Array:
    r"""Cross-entropy between softmax(logits) and integer class labels (optax's).

    .. math::
        \ell = -\log \mathrm{softmax}(x)_{y}

    Args:
        logits: unnormalized log probabilities.
        labels: the true class of each example, an integer array of the batch shape
            (with a tuple ``axis``, the index into the flattened class axes).
        axis: the axis or axes of the classes.
        where: elements to include (the shape of ``logits`` or of the batch).

    Returns:
        The loss per example.

    Where jaxact differs from optax: the value is log1p(Σ_{j≠k} e^{x_j − x_k}) for a
    confidently right example (optax: logsumexp − x_k, which cancels), and the gradient
    at the true class is −Σ_{j≠k} p_j (optax: 0 once p_k rounds to 1).

    >>> import jax, jax.numpy as jnp, jaxact
    >>> logits = jnp.array([30.0, 0.0, 0.0])
    >>> ce = jaxact.softmax_cross_entropy_with_integer_labels
    >>> ce(logits, 0)
    Array(1.8715246e-13, dtype=float32)
    """
    logits = jnp.asarray(logits)
    labels = jnp.asarray(labels)
    if not jnp.issubdtype(labels.dtype, jnp.integer):
        raise TypeError(f"labels must be integers, got {labels.dtype}")
    if where is not None:
        where = jnp.asarray(where)
        if where.ndim != logits.ndim:
            where = jnp.expand_dims(where, axis)
    if isinstance(axis, tuple):  # the class axes to the end, flattened (as optax)
        class_axes = _axes(axis, logits.ndim)
        batch = tuple(a for a in range(logits.ndim) if a not in class_axes)
        logits = logits.transpose(batch + class_axes).reshape(
            [logits.shape[a] for a in batch] + [-1]
        )
        if where is not None:
            where = where.transpose(batch + class_axes).reshape(logits.shape)
        axis = len(batch)
    axis = int(axis) % logits.ndim
    if where is None:  # per row: no log_softmax array (as optax: logsumexp − x_k)
        x = _float("softmax_cross_entropy_with_integer_labels", logits)
        return _nll(x, jnp.expand_dims(labels, axis), axis)
    log_probs = log_softmax(logits, axis, where)
    out = -jnp.take_along_axis(log_probs, jnp.expand_dims(labels, axis), axis=axis).squeeze(axis)
    return jnp.where(jnp.any(where, axis), out, 0.0)


@functools.partial(jax.custom_jvp, nondiff_argnums=(2,))
def _nll(x: Array, labels: Array, axis: int) -> Array:
    """−log_softmax(x)[label] along ``axis`` (labels with a size-1 ``axis``), computed at the
    label only: log_softmax's formula, (h_k − log Σ) + lo_k, on the gathered logit."""
    m, _, _, _, c, r = _stats(x, (axis,), None)
    wide = m.dtype
    xk = jnp.take_along_axis(x, labels, axis=axis).astype(wide)
    hk = jnp.minimum(xk, m) - m
    lo = jnp.zeros((), wide)
    if wide == x.dtype:
        _, lo = _dd.two_sum(jnp.maximum(xk, m - (256 + jnp.abs(m) * 2.0**-10)), -m)
    return (-((hk - _log_sum(c, r)) + lo)).squeeze(axis).astype(x.dtype)


@_nll.defjvp
def _nll_jvp(axis, primals, tangents):
    x, labels = primals
    dx = tangents[0]
    p, rows = _softmax_pair(x, (axis,), None)
    dy = _lin(p, rows, dx, (axis,), "K")  # log_softmax's JVP, taken at the label
    return _nll(x, labels, axis), -jnp.take_along_axis(dy, labels, axis=axis).squeeze(axis)


__all__ = [
    "dot_product_attention",
    "get_scaled_dot_general_config",
    "initializers",
    "log_softmax",
    "logmeanexp",
    "logsumexp",
    "one_hot",
    "scaled_dot_general",
    "scaled_matmul",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_with_integer_labels",
    "standardize",
]
