"""The ``jaxact`` command: plot, check, info and flow. ``jaxact COMMAND --help`` for each."""

from __future__ import annotations

import argparse
import functools
import importlib.util
import math
import os
import sys
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from jaxact._compat import enable_x64
from jaxact.activations import ACTIVATIONS
from jaxact.derivatives import derivative
from jaxact.diagnostics import _saturation, gradient_flow

DTYPES = ("float16", "bfloat16", "float32", "float64")


def _names(text: str | None) -> list[str]:
    names = text.split(",") if text else list(ACTIVATIONS)
    unknown = [n for n in names if n not in ACTIVATIONS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown activation {', '.join(unknown)}; choose from {', '.join(ACTIVATIONS)}"
        )
    return names


def _positive(kind):
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not (math.isfinite(v) and v > 0):
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return v

    return parse


def _nonnegative_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return v


def _line(row: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(f"{c!s:<{w}}" for c, w in zip(row, widths, strict=True))


def _table(header: Sequence[str], rows: list[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join(_line(r, widths) for r in lines)


def _x64(dtype: str):
    return enable_x64(dtype == "float64")


# --- info ------------------------------------------------------------------------------


def info(args) -> int:
    rows = []
    for name, values in _values(tuple(args.only), args.eps).items():
        act = ACTIVATIONS[name]
        f, d1, lo, hi = map(np.asarray, values)
        lo, hi = float(lo) + 0.0, float(hi) + 0.0  # + 0.0: no −0
        rows.append(
            [
                name,
                act.output_range,
                "yes" if f[-1] == 0 and f.min() < 0 < f.max() else "no",
                "yes" if (d1 >= 0).all() else "no",
                f"{d1[-1]:g}",
                f"{np.abs(d1).max():g}",
                f"({lo:.3g}, {hi:.3g})",
                ", ".join(f"{p}={'required' if d is None else d}" for p, d in act.params) or "-",
            ]
        )
    print(f"properties with default parameters (prelu: α = 0.25); saturation: |f′| < {args.eps:g}")
    header = ["function", "range", "zero-centred", "monotone", "f′(0)", "max|f′|",
              "saturation outside", "parameters"]  # fmt: skip
    print(_table(header, rows))
    return 0


@functools.partial(jax.jit, static_argnums=0)
def _values(names: tuple[str, ...], eps) -> dict[str, tuple[jax.Array, ...]]:
    """{name: (f, f′, lo, hi)}: f and f′ with the default parameters on a grid over ±40 with
    the row's breakpoints (which the left piece owns: selu's f′(0) = λα, hard_silu's
    f′(3) = 3/2) and 0 last, and the saturation interval (see :func:`saturation`); every
    row in one program (one compilation)."""
    out = {}
    for name in names:
        act = ACTIVATIONS[name]
        kinks = [s for s in act.switch_points if abs(s) <= 40]
        x = jnp.concatenate([jnp.linspace(-40.0, 40.0, 16001), jnp.array([*kinks, 0.0])])
        params = act.sample_params()
        lo, hi = _saturation(name, eps, jnp.dtype(jnp.float32), params)
        out[name] = (act.fn(x, *params), derivative(name)(x, *params), lo, hi)
    return out


# --- check -----------------------------------------------------------------------------


def check(args) -> int:
    if importlib.util.find_spec("mpmath") is None:
        print(
            "error: jaxact check needs mpmath for its reference: pip install 'jaxact[check]'",
            file=sys.stderr,
        )
        return 2
    from jaxact import accuracy

    device = jax.devices()[0]
    print(f"jaxact check on {device.platform} ({device.device_kind}); worst error in ulp of")
    print("f, f′, f″ by jax.grad against an mpmath reference, over the whole normal range\n")
    shipped = accuracy.load_table(accuracy.CHECK_TABLE)  # the defaults' references
    if not shipped or args.points or args.dtype != [accuracy.CHECK_DTYPE]:
        print("(references beyond the shipped float32 ones are computed by mpmath: slower)\n")
    failed = False
    header = ["function", "dtype", "f", "f′", "f″", ""]
    widths = [max(len(n) for n in args.only), 8, 14, 14, 14, 4]
    print(_line(header, widths), _line(["-" * w for w in widths], widths), sep="\n", flush=True)
    for dtype in args.dtype:
        bounds = accuracy.BOUNDS[dtype]
        with _x64(dtype):
            for name in args.only:  # a line per function as it goes
                worst = accuracy.check(name, dtype, n_random=args.points)
                ok = all(w <= b for w, b in zip(worst, bounds, strict=True))
                failed |= not ok
                cells = [
                    f"{w:.3g} (≤ {b:g})" if w >= 1e-3 else f"0 (≤ {b:g})"
                    for w, b in zip(worst, bounds, strict=True)
                ]
                print(_line([name, dtype, *cells, "ok" if ok else "FAIL"], widths), flush=True)
    print(
        "\nFAIL: some derivative is off by more than its bound" if failed else "\nall within bounds"
    )
    return 1 if failed else 0


# --- plot ------------------------------------------------------------------------------


def plot(args) -> int:
    from jaxact import plotting

    try:
        plotting.pyplot()
    except ImportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:  # before computing anything
        os.makedirs(args.out, exist_ok=True)
        if not os.access(args.out, os.W_OK):
            raise PermissionError("not writable")
    except OSError as e:
        print(f"error: --out {args.out}: cannot write there ({e})", file=sys.stderr)
        return 2
    formats = ("png", "svg") if args.svg else ("png",)
    with _x64(args.dtype):
        paths = plotting.activation_figures(args.only, args.out, jnp.dtype(args.dtype), formats)
    print("\n".join(paths))
    return 0


# --- flow ------------------------------------------------------------------------------


def flow(args) -> int:
    if args.plot:
        from jaxact import plotting

        try:
            plotting.pyplot()
        except ImportError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        folder = os.path.dirname(os.path.abspath(args.plot))
        if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
            print(f"error: --plot {args.plot}: cannot write there", file=sys.stderr)
            return 2
    key = jax.random.key(args.seed)
    norms = {}
    for name in args.only:
        names = [p for p, _ in ACTIVATIONS[name].params]
        kwargs = dict(zip(names, ACTIVATIONS[name].sample_params(), strict=True))
        f = functools.partial(ACTIVATIONS[name].fn, **kwargs)
        norms[name] = np.asarray(
            gradient_flow(f, key, args.depth, args.width, args.batch, args.init_scale)
        )
    print(
        f"RMS gradient reaching each layer: MLP depth {args.depth}, width {args.width}, "
        f"batch {args.batch}, W ~ N(0, {args.init_scale:g}²/width)\n"
    )
    layers = sorted({0, args.depth // 4, args.depth // 2, 3 * args.depth // 4, args.depth - 1})
    header = ["function", *[f"layer {i + 1}" for i in layers], "first/last"]
    rows = [
        [name, *[f"{rms[i]:.3g}" for i in layers], f"{rms[0] / rms[-1]:.3g}"]
        for name, rms in norms.items()
    ]
    print(_table(header, rows))
    print("\nfirst/last ≪ 1: vanishing towards the input; ≫ 1: exploding")
    if args.plot:
        from jaxact import plotting

        title = f"gradient flow, depth {args.depth}, init scale {args.init_scale:g}"
        print(plotting.flow_figure(norms, args.plot, title))
    return 0


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Each option's default in ``--help``, unless its help says it already."""

    def _get_help_string(self, action):
        text = action.help or ""
        return text if "default" in text else super()._get_help_string(action)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jaxact", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser = functools.partial(sub.add_parser, formatter_class=_Formatter)
    only = dict(type=_names, default=list(ACTIVATIONS), help="comma-separated names (default: all)")

    s = sub.add_parser("info", help="a table of each activation's properties")
    s.add_argument("--only", **only)
    s.add_argument("--eps", type=_positive(float), default=1e-2, help="saturation threshold")
    s.set_defaults(run=info)

    s = sub.add_parser("check", help="derivative accuracy on this backend, in ulp")
    s.add_argument("--only", **only)
    s.add_argument("--dtype", type=lambda t: t.split(","), default=["float32"],
                   help=f"comma-separated, from {', '.join(DTYPES)}")  # fmt: skip
    s.add_argument("--points", type=_nonnegative_int, default=0,
                   help="random points beyond the fixed ones (references computed)")  # fmt: skip
    s.set_defaults(run=check)

    s = sub.add_parser("plot", help="figures of f, f′, f″ with the saturation band")
    s.add_argument("--only", **only)
    s.add_argument("--out", default="jaxact-plots", help="folder for the figures")
    s.add_argument("--dtype", choices=DTYPES, default="float32")
    s.add_argument("--svg", action="store_true", help="SVG as well as PNG")
    s.set_defaults(run=plot)

    s = sub.add_parser("flow", help="gradient norm per layer of a random deep MLP")
    s.add_argument("--only", **only)
    s.add_argument("--depth", type=_positive(int), default=20)
    s.add_argument("--width", type=_positive(int), default=256)
    s.add_argument("--batch", type=_positive(int), default=256)
    s.add_argument("--init-scale", type=_positive(float), default=1.0)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--plot", metavar="PATH", help="write a figure of the norms")
    s.set_defaults(run=flow)
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command == "check":
        bad = [d for d in args.dtype if d not in DTYPES]
        if bad:
            p.error(f"unknown dtype {', '.join(bad)}; choose from {', '.join(DTYPES)}")
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
