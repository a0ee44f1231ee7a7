"""Writes the generated table modules of ``jaxact._tables``, with mpmath.

    python -m jaxact._tables.generate            # rewrite the modules beside this one
    python -m jaxact._tables.generate --out DIR  # write them to DIR instead
    python -m jaxact._tables.generate --check    # exit 1 if a shipped module differs

Every value is computed by mpmath from the plain definition at the module's precision and
rounded once to the nearest float64, written as a hex float. jaxact never imports this
module (nor mpmath); ``tests/test_tables.py`` regenerates a few rows at lower precision.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import warnings
from collections.abc import Callable

import mpmath as mp

Root = tuple[tuple[float, float], tuple[float, ...]]

# --- the definitions ---------------------------------------------------------------------


def sigmoid(x: mp.mpf) -> mp.mpf:
    """σ(x) = 1/(1 + e⁻ˣ)."""
    return 1 / (1 + mp.exp(-x))


def silu(x: mp.mpf) -> mp.mpf:
    """x·σ(x)."""
    return x / (1 + mp.exp(-x))


def mish(x: mp.mpf) -> mp.mpf:
    """x·tanh(log(1 + eˣ))."""
    return x * mp.tanh(mp.log1p(mp.exp(x)))


def gelu(x: mp.mpf) -> mp.mpf:
    """The tanh GELU, x/2·(1 + tanh(√(2/π)(x + 0.044715x³))) = x·σ(2√(2/π)(x + 0.044715x³))."""
    return x / 2 * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3)))


def gelu_exact(x: mp.mpf) -> mp.mpf:
    """x·Φ(x)."""
    return x * mp.ncdf(x)


def mills_ratio(a: mp.mpf) -> mp.mpf:
    """M(a) = Φ(−a)/φ(a)."""
    return mp.ncdf(-a) / mp.npdf(a)


# --- the tables ----------------------------------------------------------------------------

#: Each root table: the function, a guess at every root of f′ and f″ that the family
#: replaces by a Taylor polynomial (findroot starts there), and the coefficients kept.
ROOT_TABLES: dict[str, tuple[Callable[[mp.mpf], mp.mpf], dict[int, tuple[float, ...]], int]] = {
    # σ⁽ⁿ⁾, n = 3 … 8: every real root but 0 (odd, σ⁽ⁿ⁾ = P(σ) is slope·x there)
    "SIGMOID_ROOTS": (
        sigmoid,
        {
            n: tuple(s * r for r in rs for s in (-1, 1))
            for n, rs in {
                3: (1.317,),
                4: (2.292,),
                5: (0.843, 3.144),
                6: (1.513, 3.936),
                7: (0.625, 2.099, 4.694),
                8: (1.143, 2.636, 5.432),
            }.items()
        },
        28,
    ),
    "SILU_ROOTS": (silu, {1: (-1.3,), 2: (-2.4, 2.4)}, 24),
    # silu⁽ⁿ⁾, n = 3 … 8: its positive roots (silu⁽ⁿ⁾ is even or odd for n ≥ 2; 0, a root of
    # the odd orders, is slope·x there)
    "SILU_HIGHER_ROOTS": (
        silu,
        {
            3: (3.436,),
            4: (1.032, 4.429),
            5: (1.820, 5.401),
            6: (0.718, 2.506, 6.362),
            7: (1.302, 3.139, 7.319),
            8: (0.554, 1.814, 3.741, 8.276),
        },
        28,
    ),
    "MISH_ROOTS": (mish, {1: (-1.2,), 2: (-2.3, 1.5)}, 24),
    # mish⁽ⁿ⁾, n = 3 … 8: every real root (mish has no parity)
    "MISH_HIGHER_ROOTS": (
        mish,
        {
            3: (-3.2673, -0.0879, 2.1148),
            4: (-4.2554, -0.8819, 0.7155, 2.6942),
            5: (-5.2332, -1.5307, 0.0079, 1.2872, 3.2448),
            6: (-6.2068, -2.1214, -0.5196, 0.5779, 1.7659, 3.7761),
            7: (-7.1795, -2.6841, -0.966, 0.0791, 1.0213, 2.1964, 4.2941),
            8: (-8.153, -3.2326, -1.3672, -0.3224, 0.5185, 1.3999, 2.5986, 4.8024),
        },
        28,
    ),
    "GELU_ROOTS": (gelu, {1: (-0.75,), 2: (-1.4, 1.4)}, 38),
    "GELU_EXACT_ROOTS": (gelu_exact, {1: (-0.75,)}, 30),
    # gelu⁽ⁿ⁾, n = 3 … 8: its positive roots (gelu − x/2 is even: gelu⁽ⁿ⁾ is even or odd)
    "GELU_HIGHER_ROOTS": (
        gelu,
        {
            3: (2.0135,),
            4: (0.7876, 2.5534),
            5: (1.406, 3.0479),
            6: (0.6244, 1.9451, 3.4999),
            7: (1.149, 2.4501, 3.9105),
            8: (0.5397, 1.6071, 2.9477, 4.2822),
        },
        38,
    ),
}
MISH_CENTRES, MISH_TERMS = tuple((j - 10) / 2 for j in range(21)), 41
#: Chebyshev fits of the Mills ratio on [k, k + 1], k = 0 … 3: coefficients per interval.
MILLS_TERMS = {"MILLS64": 17, "MILLS32": 10}


def root_row(f: Callable[[mp.mpf], mp.mpf], n: int, guess: float, terms: int, dps: int) -> Root:
    """((hi, lo), (c₁, …, c_terms)): the root r of f⁽ⁿ⁾ nearest ``guess``, hi the float64
    nearest r and lo the one nearest r − hi, and cₖ = f⁽ⁿ⁺ᵏ⁾(r)/k!."""
    with mp.workdps(dps):
        r = mp.findroot(lambda x: mp.diff(f, x, n), mp.mpf(guess))
        d = mp.taylor(f, r, n + terms)  # d[j] = f⁽ʲ⁾(r)/j!
        hi = float(r)
        coeffs = tuple(
            float(d[n + k] * mp.factorial(n + k) / mp.factorial(k)) for k in range(1, terms + 1)
        )
        return (hi, float(r - hi)), coeffs


def roots_table(name: str, dps: int) -> dict[int, tuple[Root, ...]]:
    """The table ``name`` of ``ROOT_TABLES``: order n → its roots, in the guesses' order."""
    f, guesses, terms = ROOT_TABLES[name]
    return {n: tuple(root_row(f, n, g, terms, dps) for g in gs) for n, gs in guesses.items()}


def taylor_row(
    f: Callable[[mp.mpf], mp.mpf], centre: float, terms: int, dps: int
) -> tuple[float, ...]:
    """(a₀, …, a_{terms−1}), aₖ = f⁽ᵏ⁾(centre)/k!."""
    with mp.workdps(dps):
        return tuple(float(a) for a in mp.taylor(f, mp.mpf(centre), terms - 1))


def mills_fit(k: int, terms: int, dps: int) -> tuple[tuple[float, ...], float, float]:
    """(coefficients, fit error, rounded error): the Chebyshev interpolant of degree
    terms − 1 of M(k + (t + 1)/2) on t ∈ [−1, 1] (mpmath.chebyfit) as a polynomial in t,
    lowest degree first, rounded to float64; the fit's relative error (chebyfit's estimate
    over M's least value, M(k + 1)); and the same with the coefficients as rounded (the
    estimate plus the sum of their roundings, over M(k + 1))."""
    with mp.workdps(dps), warnings.catch_warnings():
        # mpmath 1.4 deprecates the descending order in favour of asc=True, which 1.3 lacks.
        warnings.simplefilter("ignore", DeprecationWarning)
        poly, err = mp.chebyfit(lambda t: mills_ratio(k + (t + 1) / 2), [-1, 1], terms, error=True)
        exact = poly[::-1]
        coeffs = tuple(float(c) for c in exact)
        rounding = sum(abs(mp.mpf(c) - e) for c, e in zip(coeffs, exact, strict=True))
        least = mills_ratio(k + 1)
        return coeffs, float(err / least), float((err + rounding) / least)


# --- the modules ---------------------------------------------------------------------------

COMMAND = "python -m jaxact._tables.generate"

ROOT_DOC = """\
#: A root r of f⁽ⁿ⁾ as (hi, lo), hi the float64 nearest r and lo the one nearest r − hi,
#: and the Taylor coefficients of f⁽ⁿ⁾ there, cₖ = f⁽ⁿ⁺ᵏ⁾(r)/k! for k = 1, 2, …:
#: f⁽ⁿ⁾(r + d) = d·(c₁ + c₂d + c₃d² + …).
Root = tuple[tuple[float, float], tuple[float, ...]]
"""


def _float(v: float, indent: int, note: str = "") -> str:
    return f'{" " * indent}float.fromhex("{v.hex()}"),  # {note}{v!r}'


def _floats(values: tuple[float, ...], indent: int, comment: str = "") -> list[str]:
    pad = " " * indent
    head = f"{pad}(  # {comment}" if comment else f"{pad}("
    return [head, *(_float(v, indent + 4) for v in values), f"{pad}),"]


def _roots_lines(name: str, table: dict[int, tuple[Root, ...]]) -> list[str]:
    lines = [f"{name}: dict[int, tuple[Root, ...]] = {{"]
    for n, roots in table.items():
        lines.append(f"    {n}: (")
        for (hi, lo), coeffs in roots:
            lines += [
                "        (",
                "            (",
                _float(hi, 16, "r ≈ "),
                _float(lo, 16),
                "            ),",
                *_floats(coeffs, 12, f"c₁ … c{len(coeffs)}".translate(_SUBSCRIPTS)),
                "        ),",
            ]
        lines.append("    ),")
    return [*lines, "}"]


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _module(dps: int, doc: str, body: list[str]) -> str:
    header = f"# Generated by `{COMMAND}` (mpmath, {dps} digits) — do not edit."
    return "\n".join([header, f'"""{doc}"""', "", *body, ""])


def logistic_roots(dps: int = 300) -> str:
    """The module ``logistic_roots``: SIGMOID_ROOTS, SILU_ROOTS and MISH_ROOTS."""
    doc = """Roots of σ⁽ⁿ⁾, silu⁽ⁿ⁾, mish⁽ⁿ⁾ (n = 1 … 8; σ: 3 … 8), and Taylor coefficients there.

``SIGMOID_ROOTS[n]`` (n = 3 … 8, every nonzero root; 28 coefficients),
``SILU_HIGHER_ROOTS[n]`` (n = 3 … 8, the positive roots; 28 coefficients),
``MISH_HIGHER_ROOTS[n]`` (n = 3 … 8, every root; 28 coefficients), ``SILU_ROOTS[n]``,
``MISH_ROOTS[n]`` (n = 1, 2; 24 coefficients): every root of f⁽ⁿ⁾ whose neighbourhood the
logistic family evaluates as a Taylor polynomial (see ``Root``); σ(x) = 1/(1 + e⁻ˣ),
silu(x) = x·σ(x), mish(x) = x·tanh(log(1 + eˣ)). Roots by mpmath.findroot, coefficients
by mpmath.taylor.
"""
    body = [ROOT_DOC]
    for name in (
        "SIGMOID_ROOTS",
        "SILU_ROOTS",
        "SILU_HIGHER_ROOTS",
        "MISH_ROOTS",
        "MISH_HIGHER_ROOTS",
    ):
        body += _roots_lines(name, roots_table(name, dps))
    return _module(dps, doc, body)


def gaussian_roots(dps: int = 100) -> str:
    """The module ``gaussian_roots``: GELU_ROOTS and GELU_EXACT_ROOTS."""
    doc = """Roots of gelu′, gelu″, gelu⁽ⁿ⁾ (n = 3 … 8) and gelu_exact′, and Taylor coefficients.

``GELU_ROOTS[n]`` (n = 1, 2; 38 coefficients), ``GELU_EXACT_ROOTS[1]`` (30 coefficients),
``GELU_HIGHER_ROOTS[n]`` (n = 3 … 8, the positive roots; 38 coefficients):
every root of f⁽ⁿ⁾ whose neighbourhood the Gaussian family evaluates as a Taylor
polynomial (see ``Root``); gelu(x) = x/2·(1 + tanh(√(2/π)(x + 0.044715x³))) (0.044715
exactly), gelu_exact(x) = x·Φ(x). Roots by mpmath.findroot, coefficients by mpmath.taylor.
"""
    body = [ROOT_DOC]
    for name in ("GELU_ROOTS", "GELU_EXACT_ROOTS", "GELU_HIGHER_ROOTS"):
        body += _roots_lines(name, roots_table(name, dps))
    return _module(dps, doc, body)


def mish_taylor(dps: int = 120) -> str:
    """The module ``mish_taylor``: MISH_TAYLOR."""
    doc = """Taylor coefficients of mish at the centres c = −5, −4.5, …, 5.

``MISH_TAYLOR[j]`` = (a₀, …, a₄₀) at c = (j − 10)/2, j = 0 … 20: aₖ = mish⁽ᵏ⁾(c)/k!, so
mish(c + d) = Σₖ aₖdᵏ, and mish⁽ⁿ⁾(c + d) = Σₖ aₙ₊ₖ(n + k)!/k!·dᵏ; mish(x) =
x·tanh(log(1 + eˣ)). By mpmath.taylor.
"""
    body = ["MISH_TAYLOR: tuple[tuple[float, ...], ...] = ("]
    for c in MISH_CENTRES:
        body += _floats(taylor_row(mish, c, MISH_TERMS, dps), 4, f"c = {c}")
    return _module(dps, doc, [*body, ")"])


def mills(dps: int = 50) -> str:
    """The module ``mills``: MILLS64 and MILLS32, each fit's error in its comment."""
    doc = """Chebyshev fits of the Mills ratio M(a) = Φ(−a)/φ(a) on [k, k + 1], k = 0 … 3.

``MILLS64[k]`` (degree 16) and ``MILLS32[k]`` (degree 9): the interpolant of M at the
Chebyshev nodes (mpmath.chebyfit) as a polynomial in t = 2(a − k) − 1, lowest degree
first. Each interval's comment gives the fit's relative error (< 1e-18 for MILLS64, < 1e-9
for MILLS32: far below either format's ulp) and, for MILLS64, the error with the
coefficients as rounded to float64 (their rounding dominates it).
"""
    body = []
    for name, terms in MILLS_TERMS.items():
        body.append(f"{name}: tuple[tuple[float, ...], ...] = (")
        for k in range(4):
            coeffs, fit, rounded = mills_fit(k, terms, dps)
            assert fit < (1e-18 if name == "MILLS64" else 1e-9), (name, k, fit)
            note = f"[{k}, {k + 1}]: fit {fit:.1e}"
            if name == "MILLS64":
                note += f", with the coefficients rounded {rounded:.1e}"
            body += _floats(coeffs, 4, note)
        body.append(")")
    return _module(dps, doc, body)


MODULES: dict[str, Callable[[], str]] = {
    "logistic_roots": logistic_roots,
    "mish_taylor": mish_taylor,
    "gaussian_roots": gaussian_roots,
    "mills": mills,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    here = pathlib.Path(__file__).parent
    parser.add_argument("--out", type=pathlib.Path, default=here, help="where to write")
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    differ = []
    for name, make in MODULES.items():
        text, path = make(), args.out / f"{name}.py"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                differ.append(name)
            print(f"{path}: {'differs' if name in differ else 'as generated'}")
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
