"""Worst derivative error of jaxact and of jax.nn, in ulp, per function, order and dtype.

    python benchmarks/accuracy.py [--json PATH] [--dtypes float32,bfloat16,...] [--only NAMES]

Prints the Markdown table that README.md shows (each cell: jaxact / jax.nn; ∞: NaN or inf
where the true value is finite). Errors are measured with jax.grad over the inputs of
jaxact.accuracy.test_points (the whole normal range, tails and centre; x = 0 left out, since
jax.nn's leaky_relu takes the positive branch there) against an mpmath reference.
Needs ``pip install ".[test]"``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import jax

import jaxact
from jaxact import accuracy
from jaxact._compat import enable_x64


def measure(dtypes: list[str], names: list[str]) -> dict:
    # The tests' precomputed references serve the structured points; the rest is computed.
    accuracy.load_table(Path(__file__).parents[1] / "tests" / "reference_table.txt.gz")
    table = {}
    for name in names:
        for order in range(3):
            for dt in dtypes:
                with enable_x64(dt == "float64"):
                    table[name, order, dt] = tuple(
                        accuracy.worst_ulp(name, dt, order, impl=impl, kink=False)
                        for impl in ("jaxact", "jax.nn")
                    )
    return table


def fmt(v: float) -> str:
    return "∞" if v == float("inf") else f"{v:.3g}"


def markdown(table: dict, dtypes: list[str], names: list[str]) -> str:
    lines = [
        "| function | order | " + " | ".join(dtypes) + " |",
        "| --- | --- | " + " | ".join("---" for _ in dtypes) + " |",
    ]
    for name in names:
        for order in range(3):
            cells = [" / ".join(fmt(v) for v in table[name, order, dt]) for dt in dtypes]
            lines.append(f"| {name} | {['f', 'f′', 'f″'][order]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dtypes", default=",".join(accuracy.DTYPES))
    parser.add_argument("--json", help="also write the numbers to this file")
    parser.add_argument("--only", help="comma-separated activation names (default: all)")
    args = parser.parse_args(argv)
    dtypes = args.dtypes.split(",")
    names = args.only.split(",") if args.only else list(jaxact.ACTIVATIONS)
    unknown = sorted(set(names) - set(jaxact.ACTIVATIONS))
    if unknown:
        parser.error(f"unknown activations: {', '.join(unknown)}")
    start = time.perf_counter()
    table = measure(dtypes, names)
    print(f"jax {jax.__version__}, {jax.default_backend()}; worst ulp, jaxact / jax.nn\n")
    print(markdown(table, dtypes, names))
    print(f"\n({time.perf_counter() - start:.0f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({f"{n}/{o}/{d}": v for (n, o, d), v in table.items()}, f, indent=1)


if __name__ == "__main__":
    main()
