"""Measure how exact the derivatives are: a high-precision reference and ulp errors.

The reference differentiates each activation's plain definition numerically, in mpmath, at
a precision raised until every cancellation is harmless; jaxact's own forms are closed-form
stable expressions, so the two are independent. Requires ``mpmath``
(``pip install "jaxact[test]"``).
"""

from __future__ import annotations

import gzip
import hashlib
import inspect
import math
import os
from collections.abc import Callable
from pathlib import Path

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np

from jaxact._row import Activation

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
        raise ImportError("jaxact.accuracy needs mpmath: pip install 'jaxact[check]'") from e
    return mpmath


def reference(name: str, x: float, n: int = 0, m: int = 0, param: float | None = None):
    """The true ∂ⁿ/∂xⁿ ∂ᵐ/∂αᵐ f(x, param) as an mpmath number (±inf at x = ±inf: the value
    far out, at ±1e300, or ±inf where that is beyond every float).

    The activation's plain ``definition`` (its table row) is differentiated numerically by
    mpmath at a working precision raised until every cancellation in it is harmless; no
    derivative formula of jaxact's is used. At a breakpoint the left piece is taken. Values
    are cached: the x-derivatives of orders 0–2 (or 0–9, for n ≥ 3) are computed together.
    """
    from jaxact.derivatives import get

    if _PENDING:  # tables queued by load_table(lazy=True)
        for path in _PENDING[:]:
            _PENDING.remove(path)
            load_table(path)
    act = get(name)
    if not act.params:
        param = None
    elif param is None:
        (param,) = act.sample_params()
    param = None if param is None else float(param)
    x = float(x)
    if not math.isinf(x):
        key = (name, x, n, m, param)
        hit = _TABLE.get(key)
        if hit is not None:
            if isinstance(hit, str):  # parsed on first use: loading stays fast
                hit = _TABLE[key] = _parse(hit)
            return hit
        v = _reference(act, x, n, m, param)
        if _RECORD and key not in _RECORDED:
            _RECORDED.add(key)
            _record(act, key, v)
        return v
    if math.isinf(x):
        v = reference(name, math.copysign(1e300, x), n, m, param)
        if abs(v) < 1e-250:  # a limit of 0 approached like 1/x (squareplus(−inf), ∂/∂b)
            return _mp().mpf(0)
        return v if abs(v) < 1e250 else _mp().inf * (1 if v > 0 else -1)
    raise AssertionError("unreachable")


def _parse(text: str):
    """A table entry as an mpf: the decimal rounded to 160 bits, as ``mp.mpf(text)`` at 160
    bits gives it (bit for bit, by integer arithmetic: mpmath's string parser is slow). A
    magnitude below 1e−400, under every float's smallest subnormal, is kept as its sign times
    2^−1400: parsing 10^−(huge) exactly takes milliseconds (gelu's tails reach e^−(10^600)),
    and only the sign matters there."""
    mp = _mp()
    mant, _, exp = text.partition("e")
    e10 = int(exp) if exp else 0
    if e10 < -400:
        with mp.workprec(160):
            return mp.ldexp(mp.mpf(mant), -1400)
    whole, _, frac = mant.partition(".")
    frac = frac.rstrip("0")
    e10 -= len(frac)
    man = int(whole + frac)
    if not man:
        return mp.make_mpf(mp.libmp.fzero)
    if abs(e10) > 400:  # mpmath parses such exponents otherwise: leave it to mpmath
        with mp.workprec(160):
            return mp.mpf(text)
    num, den = (abs(man) * 10**e10, 1) if e10 >= 0 else (abs(man), 10**-e10)
    m, e = _round_quotient(num, den, 160)
    return mp.make_mpf((int(man < 0), m, e, m.bit_length()))


def _round_quotient(num: int, den: int, prec: int) -> tuple[int, int]:
    """num/den (both > 0) rounded to ``prec`` bits, to nearest, ties to even, as mpmath
    rounds: (m, e) with num/den ≈ m·2^e and m odd (mpmath's normal form)."""
    s = prec + 2 + den.bit_length() - num.bit_length()  # a quotient of ≥ prec + 1 bits
    q, r = divmod(num << s, den) if s >= 0 else divmod(num, den << -s)
    extra = q.bit_length() - prec
    m, low, half = q >> extra, q & ((1 << extra) - 1), 1 << (extra - 1)
    if low > half or (low == half and (r or m & 1)):
        m += 1
    e = extra - s
    zeros = (m & -m).bit_length() - 1
    return m >> zeros, e + zeros


def _reference(act: Activation, x: float, n: int, m: int, param):
    if n == m == 0:
        # The value itself needs no differentiation: the definition at raised precision
        # (exact where differentiation's noise floor would round a tiny value to 0).
        mp = _mp()
        with mp.workprec(_bits(x)):
            args = () if param is None else (mp.mpf(param),)
            return +act.definition(mp, mp.mpf(x), mp.mpf(x), *args)
    if m:
        key = (act.name, x, n, m, param)
        if key not in _MIXED:
            _MIXED[key] = _reference_mixed(act, x, n, m, param)
        return _MIXED[key]
    top = 2 if n <= 2 else max(n, 9)
    key = (act.name, x, param)
    got = _CACHE.get(key)
    if got is None or len(got) <= n:
        got = _CACHE[key] = _x_derivatives(act, x, top, param)
    return got[n]


_CACHE: dict[tuple, list] = {}
_MIXED: dict[tuple, object] = {}

# A precomputed table of references (``load_table``), written by recording what the tests
# ask for (``JAXACT_REFERENCE_RECORD=path``; tests/make_reference_table.py). Each row's
# entries carry a hash of its definition and of this module's reference code: a row whose
# definition changed since the table was written is computed afresh.
_TABLE: dict[tuple, object] = {}  # str until first used, then mpf
_RECORD = os.environ.get("JAXACT_REFERENCE_RECORD")  # append what is computed afresh
_RECORDED: set[tuple] = set()
_HASHES: dict[str, str] = {}
_PENDING: list = []  # tables to load on the first reference() call (load_table(lazy=True))


def _row_hash(act: Activation) -> str:
    h = _HASHES.get(act.name)
    if h is None:
        try:
            src = inspect.getsource(act.definition)
        except (OSError, TypeError):  # pragma: no cover - no source: never tabled
            src = repr(os.urandom(8))
        ref_src = "".join(inspect.getsource(f) for f in (_bits, _x_derivatives, _reference_mixed))
        text = "\n".join([act.name, repr(act.params), str(act.smooth), src, ref_src])
        h = _HASHES[act.name] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return h


def _encode(v) -> str:
    mp = _mp()
    return "0" if v == 0 else mp.nstr(v, 30, strip_zeros=False, min_fixed=1, max_fixed=0)


def _record(act: Activation, key: tuple, v) -> None:
    name, x, n, m, param = key
    p = "-" if param is None else float(param).hex()
    with open(_RECORD, "a") as f:
        f.write(f"{name} {_row_hash(act)} {x.hex()} {n} {m} {p} {_encode(v)}\n")


def load_table(path, *, lazy: bool = False) -> int:
    """Load a table of references written by tests/make_reference_table.py; returns the
    number of entries. Entries of rows whose definition changed since are ignored.
    ``JAXACT_REFERENCE_TABLE=0`` loads nothing (to record a table afresh). ``lazy`` loads
    it on the first :func:`reference` call instead (a test process may need none; loading
    takes seconds) and returns 0."""
    from jaxact.derivatives import get

    if os.environ.get("JAXACT_REFERENCE_TABLE") == "0" or not Path(path).exists():
        return 0
    if lazy:
        _PENDING.append(path)
        return 0
    with gzip.open(path, "rt") as f:
        lines = [line for line in f.read().splitlines() if line and not line.startswith("#")]
    words = "\n".join(lines).split()  # seven a line; column by column: twice as fast
    if len(words) != 7 * len(lines):
        raise ValueError(f"{path}: a line without its seven fields")
    names, hashes, xs, ns, ms, ps, vs = (words[i::7] for i in range(7))
    valid: dict[tuple[str, str], bool] = {}
    for name, h in set(zip(names, hashes, strict=True)):
        try:
            valid[name, h] = h == _row_hash(get(name))
        except (KeyError, ValueError):
            valid[name, h] = False
    hexf = float.fromhex
    params = [None if p == "-" else hexf(p) for p in ps]
    before = len(_TABLE)
    _TABLE.update(
        ((name, hexf(x), int(n), int(m), p), v)
        for name, h, x, n, m, p, v in zip(names, hashes, xs, ns, ms, params, vs, strict=True)
        if valid[name, h]
    )
    return len(_TABLE) - before


def _bits(x: float) -> int:
    # Cancellation costs up to 2.9 bits per unit of |x| in the tails (1 − tanh² ≈ 4e^−2|x|)
    # and log2(1/|x|) bits near 0 (1 − 2σ ≈ −x/2). Past |x| = 400 such values are below
    # 2^−1154, under float64's smallest normal: 1328 bits resolve them absolutely.
    # At x = 0, where derivatives vanish, the error of numerical differentiation (absolute,
    # about 2^−bits) must be below float64's smallest normal number.
    # (Steeper tails, gelu's Gaussian ones, are handled by _x_derivatives' doubling.)
    ax = abs(x)
    return int(128 + 3 * min(ax, 400) + (max(0.0, -math.log2(ax)) if ax else 1100))


def _x_derivatives(act: Activation, x: float, top: int, param) -> list:
    mp = _mp()
    bits = _bits(x)
    while True:
        with mp.workprec(bits):
            at = mp.mpf(x)
            args = () if param is None else (mp.mpf(param),)
            f = lambda t, at=at, args=args: act.definition(mp, t, at, *args)  # noqa: E731
            ds = [+v for v in mp.diffs(f, at, top)]
            # Where a derivative is far below f itself (gelu's f″(16) ≈ e^−290·f), the
            # differences of f cancel beyond _bits' estimate and come out as 0 or noise:
            # double the precision until every derivative stands clear of f's resolution,
            # or that resolution is below every float64 (smooth rows in the tails only).
            # One-sided differences leave a bias of about h·f⁽ⁿ⁺¹⁾ (h = 2^−bits): where a
            # derivative is exactly 0 (hard_silu′(−1.5)) it comes out as ±1e-43. Below
            # 2^(32−bits) of the largest derivative at x it is that bias: 0.
            noise = max(abs(d) for d in ds) * mp.ldexp(1, 32 - bits)
            ds = [d if abs(d) > noise else mp.mpf(0) for d in ds]
            floor = abs(ds[0]) * mp.ldexp(1, 64 - bits)
            if (
                not act.smooth
                or abs(x) < 8
                or floor < mp.ldexp(1, -1100)
                or all(abs(d) > floor for d in ds[1:])
            ):
                return ds
        bits *= 2


def _reference_mixed(act: Activation, x: float, n: int, m: int, param):
    # A parameter can enter far below f's resolution (squareplus: ∂f/∂b = 1/(4√(x² + b))
    # ≈ f·b/(2x²) at huge x): raise the precision until the result stands clear of f's
    # resolution, like _x_derivatives' tails, at most twice.
    mp = _mp()
    bits = _bits(x)
    for _ in range(3):
        with mp.workprec(bits):
            at = mp.mpf(x)
            f = lambda t, a, at=at: act.definition(mp, t, at, a)  # noqa: E731
            d = +mp.diff(f, (at, mp.mpf(param)), (n, m))
            floor = abs(f(at, mp.mpf(param))) * mp.ldexp(1, 64 - bits)
            if abs(d) > floor or floor < mp.ldexp(1, -1100):
                return d
        bits *= 2
    return d


def flushes_subnormals(dtype) -> bool:
    """Whether XLA flushes ``dtype``'s subnormal results to zero: those of float32 and float64,
    and bfloat16's, which are float32's; float16's are float32 normals."""
    return float(ml_dtypes.finfo(dtype).tiny) <= float(ml_dtypes.finfo(np.float32).tiny)


def ulp_error(got: np.ndarray, ref: list, dtype) -> np.ndarray:
    """|got − ref| in units of ``dtype``'s spacing at ``ref``.

    Where the true value is below the smallest normal number ``tiny``, errors count in units
    of the subnormal spacing (the spacing at ``tiny``), signs included. Where the dtype's
    subnormals are float32's or float64's, which XLA flushes (float32, bfloat16, float64), a
    result of the true value's sign (or zero) no larger than ``tiny`` counts as exact;
    float16's subnormals are float32 normals, computed and rounded like any other value.
    An infinite true value (a limit at ±inf) must be met exactly. Where the true value is
    beyond the largest finite number (selu(65504) in float16 is 7.2e4), ±inf of its sign is
    the correctly rounded result and counts as 0.
    """
    info = ml_dtypes.finfo(dtype)
    tiny, nmant, big = float(info.tiny), int(info.nmant), float(info.max)
    g = np.asarray(got, np.float64).reshape(-1)
    hi, lo, sign = _split_references(ref)
    out = np.full(len(ref), np.nan)
    # The common case, vectorised: a finite normal reference, well inside float64's range,
    # as hi + lo (hi = ref rounded to float64, lo = the rest, so |lo| ≤ ulp(hi)/2).
    # g − hi is exact (Sterbenz) wherever the error is under a factor 2, and lo is added
    # after it: the measured error is off by at most 2⁻⁵⁰ of itself.
    plain = np.isfinite(g) & np.isfinite(hi) & (np.abs(hi) > max(tiny, 2.0**-960))
    plain &= np.abs(hi) <= 2.0**960
    with np.errstate(all="ignore"):
        diff = np.abs((g - hi) - lo)
        _, e = np.frexp(hi)  # |hi| in [2^(e−1), 2^e); a power of 2 with lo < 0: the binade below
        e = e - 1 - ((np.abs(np.ldexp(1.0, e - 1)) == np.abs(hi)) & (lo * np.sign(hi) < 0))
        out[plain] = (diff / np.ldexp(1.0, e - nmant))[plain]
    # A true value below the smallest normal number (and a float64 one at that): in units
    # of the spacing at tiny; where subnormals are flushed, a result of its sign (or 0) no
    # larger than tiny is exact.
    small = np.isfinite(g) & np.isfinite(hi) & (np.abs(hi) < tiny) & ~plain
    if nmant >= 52:  # float64: a subnormal float64 reference is not exact enough
        small &= sign == 0
    with np.errstate(all="ignore"):
        same_side = (g == 0) | (sign == 0) | ((g > 0) == (sign > 0))
        flushed = same_side & (np.abs(g) <= tiny) & flushes_subnormals(dtype)
        out[small] = np.where(flushed, 0.0, np.abs(g - hi) / tiny * 2.0**nmant)[small]
    for i in np.flatnonzero(~plain & ~small):
        out[i] = _ulp_error_one(g[i], ref[i], tiny, nmant, big, flushes_subnormals(dtype))
    return out


def _split_references(ref: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each mpmath reference as float64 hi + lo (hi its rounding; NaN where not finite),
    and its sign (−1, 0 or 1, also where hi underflows to 0)."""
    if len(_SPLIT) > 1_000_000:
        _SPLIT.clear()
    parts = []
    for r in ref:
        hit = _SPLIT.get(id(r))
        parts.append(hit[1] if hit is not None and hit[0] is r else _split_one(r))
    hi, lo, sign = np.array(parts, np.float64).reshape(-1, 3).T
    return hi, lo, sign


# id(reference) → (reference, (hi, lo, sign)): a reference is compared in several tests.
# Keyed by identity (the cached references are the same objects each time): hashing an mpf
# is slow. The entry keeps its reference alive, so its id is not reused while cached.
_SPLIT: dict[int, tuple] = {}


def _split_one(r) -> tuple[float, float, float]:
    mp = _mp()
    raw = getattr(r, "_mpf_", None)
    if raw is not None and (out := _split_raw(raw)) is not None:
        pass
    elif mp.isnan(r):
        out = (np.nan, np.nan, np.nan)
    elif not mp.isfinite(r):
        out = (np.nan, np.nan, float(mp.sign(r)))
    else:
        h = float(r)
        out = (h, float(r - h) if math.isfinite(h) else np.nan, float(mp.sign(r)))
    _SPLIT[id(r)] = (r, out)
    return out


def _split_raw(raw: tuple) -> tuple[float, float, float] | None:
    """hi, lo and sign of an mpf (its raw (sign, man, exp, bc)) by integer arithmetic, as
    mpmath rounds them (to nearest, ties to even): hi = float(r), lo = float(r − hi). None
    unless r is 0 or a number of at most 200 bits whose hi and lo are normal float64s."""
    sign, man, exp, bc = raw
    if not man:
        return (0.0, 0.0, 0.0) if raw == _mp().libmp.fzero else None
    if bc > 200 or exp < -1000 or exp + bc > 1000:
        return None
    if bc <= 53:
        hi, lo = math.ldexp(man, exp), 0.0
    else:
        extra = bc - 53
        m, low, half = man >> extra, man & ((1 << extra) - 1), 1 << (extra - 1)
        if low > half or (low == half and m & 1):
            m += 1
        hi = math.ldexp(m, exp + extra)
        lo = math.ldexp(float(man - (m << extra)), exp)  # float(int) rounds to nearest even
    return (-hi, 0.0 - lo, -1.0) if sign else (hi, lo, 1.0)  # lo = 0: +0.0, as float(0)


def _ulp_error_one(g: float, r, tiny: float, nmant: int, big: float, flushes: bool) -> float:
    """:func:`ulp_error` of one value, in mpmath: infinities, subnormals, huge values."""
    mp = _mp()
    if math.isinf(g) and not mp.isnan(r) and abs(r) > big and (g > 0) == (r > 0):
        return 0.0
    if mp.isinf(r) or not math.isfinite(g):
        return 0.0 if g == r else np.inf
    diff = abs(mp.mpf(g) - r)
    if abs(r) < tiny:
        same_side = g == 0 or r == 0 or (g > 0) == (r > 0)
        return 0.0 if flushes and same_side and abs(g) <= tiny else float(diff / tiny * 2**nmant)
    ulp = mp.ldexp(1, int(mp.floor(mp.log(abs(r), 2))) - nmant)
    return float(diff / ulp)


def test_points(
    dtype, n_random: int = 0, seed: int = 0, switch_points=(), *, sparse: bool = False
) -> np.ndarray:
    """Inputs over the whole normal range of ``dtype``: tails, centre, kink, and ± both.

    Magnitudes run geometrically from max(1e-30, tiny) to the largest finite value, densely
    over |x| ≤ 40 where the derivatives change (1/32 apart below 2) and around the edges
    where e^−|x| and e^−2|x| underflow, plus 0, both sides of every switch point
    (:func:`near`) and ``n_random`` random values. Most points are bfloat16 numbers, exact
    in every dtype, so that the cached references serve all four. ``sparse`` takes fewer
    (for the higher orders, whose references cost more).
    """
    dt = np.dtype(dtype)
    info = ml_dtypes.finfo(dt)
    lo = max(float(info.tiny), 1e-30)
    edge = -math.log(float(info.tiny))  # e^−edge is the smallest normal number
    k = 4 if sparse else 1
    geo = np.geomspace(lo, float(info.max) / 2, 160)
    if sparse:  # far magnitudes, whose references cost most, thinned out
        geo = np.concatenate([geo[geo < 400][::3], geo[geo >= 400][::12]])
    shared = np.concatenate(
        [
            geo,
            np.linspace(0, 2, 65)[1:],
            np.linspace(0, 40, 1 + 160 // min(k, 2))[1:],
            np.geomspace(40, min(float(info.max), 800.0), 60 // k),
        ]
    )
    with np.errstate(over="ignore"):
        bf = shared.astype(ml_dtypes.bfloat16).astype(np.float64)
    shared = np.where(np.isfinite(bf), bf, shared)  # float64 beyond bfloat16's range
    mags = np.concatenate(
        [
            shared,
            [float(info.max), float(info.tiny)],
            np.linspace(edge - 2, edge + 2, 1 + 40 // k),
            np.linspace(edge / 2 - 1, edge / 2 + 1, 1 + 20 // k),
        ]
    )
    rng = np.random.default_rng(seed)
    x = np.concatenate([mags, -mags, [0.0], rng.normal(scale=8.0, size=n_random)])
    with np.errstate(over="ignore"):
        x = np.asarray(x, dtype=np.float64).astype(dt)
    x = np.concatenate([x[np.isfinite(x.astype(np.float64))], near(switch_points, dt)])
    return np.unique(x)


def near(points, dtype) -> np.ndarray:
    """Both sides of each point, in ``dtype``: the point, 1, 2, 3 and 8 ulp either side, and
    a little further (±1/128, ±1/16, ±1/4 and ±1/2 relative, or absolute at 0). At 0
    the steps start from ±tiny: XLA flushes subnormal inputs."""
    dt = np.dtype(dtype)
    info = ml_dtypes.finfo(dt)
    out = []
    for p in points:
        p = float(p)
        scale = abs(p) if p else 1.0
        for r in (1 / 128, 1 / 16, 1 / 4, 1 / 2):
            out += [p - r * scale, p + r * scale]
        c = np.array(p if p else info.tiny, dt)  # 0: steps from the smallest normal
        out += [p, -float(info.tiny)]
        for k in (1, 2, 3, 8):
            out += [_step(c, k), _step(c, -k)]
    with np.errstate(over="ignore"):
        x = np.array(out, np.float64).astype(dt)
    a = np.abs(x.astype(np.float64))
    return x[np.isfinite(a) & ((a == 0) | (a >= float(info.tiny)))]  # XLA flushes subnormals


def _step(c: np.ndarray, k: int) -> float:
    """The number ``k`` representable steps above (k < 0: below) ``c`` in its dtype."""
    v = c
    for _ in range(abs(k)):
        v = np.nextafter(v, np.array(np.inf if k > 0 else -np.inf, c.dtype))
    return float(np.asarray(v).astype(np.float64))


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
    def dg(*args):  # the other arguments are constants, not zero tangents
        def along(a):
            return g(*args[:argnum], a, *args[argnum + 1 :])

        return jax.jvp(along, (args[argnum],), (jnp.ones_like(args[argnum]),))[1]

    return dg


#: The references ``jaxact check`` needs with its defaults (float32, :func:`check_points`,
#: every row's default parameter), shipped with the package so that it computes none:
#: written by ``python tests/make_reference_table.py --check``.
CHECK_TABLE = Path(__file__).parent / "data" / "check_references.txt.gz"
CHECK_DTYPE = "float32"


def check_points(act: Activation, dtype, n_random: int = 0) -> np.ndarray:
    """The points of ``jaxact check``: :func:`test_points` (sparse) with both sides of each
    of the row's switch points, and ``n_random`` random ones (seeded by the row's name)."""
    return test_points(
        dtype, n_random, seed=len(act.name), switch_points=act.switch_points, sparse=True
    )


def check(name: str, dtype, n_random: int = 0) -> list[float]:
    """The largest ulp error of f, f′ and f″ (by ``jax.grad``, compiled together) over
    :func:`check_points`, with the row's default parameter: what ``jaxact check`` prints.

    float64 needs x64 mode: run under ``jax.enable_x64(True)``.
    """
    from jaxact.derivatives import get

    act = get(name)
    dt = jnp.dtype(dtype)
    (p,) = act.sample_params() or (None,)
    param = None if p is None else jnp.asarray(p, dt)
    x = check_points(act, dt, n_random)
    fns = [autodiff(act, n, 0, param, "grad") for n in range(3)]
    got = jax.jit(lambda x: [f(x) for f in fns])(jnp.asarray(x))
    p = None if param is None else float(np.asarray(param).astype(np.float64))
    return [
        float(ulp_error(np.asarray(g), [reference(name, float(v), n, 0, p) for v in x], dt).max())
        for n, g in enumerate(got)
    ]


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
