"""Higher derivatives, orders 1–8: accuracy and cost of jaxact against jax.nn and a peer.

    python benchmarks/orders.py [--quick] [--json PATH] [--only NAMES] [--orders 1,2,...]

For each smooth activation of ``jaxact.ACTIVATIONS`` and each order n:

- nested ``jax.grad`` n times, vmapped over 2^16 float32 points: run time and compile time
  of jaxact against its jax.nn counterpart (ratios jaxact / jax.nn; interleaved calls);
- the closed form ``jaxact.derivative(f, n)`` over 2^20 float32 points against the peer
  omnibias-jax's closed form ``get_activation(name).fastpath(x, n)`` where it is installed
  (``pip install omnibias-jax``; optional): run-time ratio jaxact / peer;
- accuracy: worst ulp error over ``jaxact.accuracy.test_points`` (the whole normal range)
  in float32 and float64 of jaxact's nested grad, jax.nn's nested grad and the peer's
  closed form, against the mpmath reference.

Prints a Markdown table (the one README.md shows) and returns the rows.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

import jaxact
from jaxact import accuracy
from jaxact._compat import enable_x64

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
from bench import timed

#: jaxact's rows under the peer's names (its "gelu" is x·Φ(x); it has no tanh-GELU).
PEER_NAMES = {"gelu_exact": "gelu", "gelu": None}


def peer(name: str) -> Callable | None:
    """omnibias-jax's closed form of ``name`` as ``f(x, n)``, or None if unavailable."""
    try:
        import omnibias.jax as ob

        spec = ob.get_activation(PEER_NAMES.get(name, name))
    except Exception:  # not installed, or no such activation there
        return None
    return lambda x, n: spec.fastpath(x, n)


def nested(f: Callable, n: int) -> Callable:
    for _ in range(n):
        f = jax.grad(f)
    return jax.vmap(f)


def compile_seconds(f: Callable, x: jax.Array) -> float:
    """Tracing, lowering and compiling a fresh jit of ``f`` (no cache can answer)."""
    start = time.perf_counter()
    jax.jit(lambda x: f(x)).lower(x).compile()
    return time.perf_counter() - start


def worst_ulp(fn: Callable, name: str, order: int, dtype, n_random: int) -> float:
    """Worst ulp error of ``fn`` (the order-``order`` derivative), divided near a root r of
    f⁽ⁿ⁾ (x/r in [1/2, 2]) by the condition number |x·f⁽ⁿ⁺¹⁾/f⁽ⁿ⁾|: the accuracy contract."""
    with enable_x64(jnp.dtype(dtype) == jnp.float64):
        x = accuracy.test_points(jnp.dtype(dtype), n_random=n_random)
        x = x[np.abs(x.astype(np.float64)) < 1e4]  # past that every derivative is 0 or ±inf·0
        got = np.asarray(jax.jit(fn)(jnp.asarray(x)))
        xs = x.astype(np.float64)
        ref = [accuracy.reference(name, float(v), order) for v in xs]
        nxt = np.array([float(accuracy.reference(name, float(v), order + 1)) for v in xs])
        err = accuracy.ulp_error(got, ref, jnp.dtype(dtype))
    r = np.array([float(v) for v in ref])
    i = np.argsort(xs)
    roots = [
        (a + b) / 2
        for a, b, fa, fb in zip(xs[i], xs[i][1:], r[i], r[i][1:], strict=False)
        if a * b > 0 and fa * fb < 0
    ]
    for k, v in enumerate(xs):
        if r[k] and any(0.5 <= v / root <= 2 for root in roots):
            err[k] /= max(1.0, abs(v * nxt[k] / r[k]))
    return float(err.max())


def measure(names, orders, reps, n_grad, n_closed, n_random, accurate=True) -> list[dict]:
    rows = []
    for name in names:
        act = jaxact.ACTIVATIONS[name]
        theirs = peer(name)
        for n in orders:
            x = jax.random.normal(jax.random.key(0), (n_grad,)) * 3
            ours_g, theirs_g = nested(act.fn, n), nested(act.jax_nn, n)
            row = {
                "name": name,
                "order": n,
                "compile_jaxact_s": compile_seconds(ours_g, x),
                "compile_jax_nn_s": compile_seconds(theirs_g, x),
            }
            t_ours, t_theirs = timed([ours_g, theirs_g], (x,), reps)
            row["grad_ratio"] = statistics.median(
                a / b for a, b in zip(t_ours, t_theirs, strict=True)
            )
            for dt in ("float32", "float64") if accurate else ():
                row[f"ulp_jaxact_{dt}"] = worst_ulp(ours_g, name, n, dt, n_random)
                row[f"ulp_jax_nn_{dt}"] = worst_ulp(theirs_g, name, n, dt, n_random)
            if theirs is not None:
                xc = jax.random.normal(jax.random.key(1), (n_closed,)) * 3
                closed = jaxact.derivative(name, n)
                peer_n = lambda x, n=n, f=theirs: f(x, n)  # noqa: E731
                t_c, t_p = timed([closed, peer_n], (xc,), reps)
                row["closed_vs_peer_ratio"] = statistics.median(
                    a / b for a, b in zip(t_c, t_p, strict=True)
                )
                for dt in ("float32", "float64") if accurate else ():
                    row[f"ulp_peer_{dt}"] = worst_ulp(peer_n, name, n, dt, n_random)
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def fmt(v: float | None) -> str:
    return "-" if v is None else "∞" if v == float("inf") else f"{v:.3g}"


def markdown(rows: list[dict]) -> str:
    lines = [
        "| function | n | worst ulp f32: jaxact / jax.nn / peer | f64: jaxact / jax.nn / peer "
        "| nested grad time ratio | compile s: jaxact / jax.nn | closed form vs peer time |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        cells = [
            " / ".join(fmt(r.get(f"ulp_{who}_{dt}")) for who in ("jaxact", "jax_nn", "peer"))
            for dt in ("float32", "float64")
        ]
        lines.append(
            f"| {r['name']} | {r['order']} | {cells[0]} | {cells[1]} | {r['grad_ratio']:.2f} "
            f"| {r['compile_jaxact_s']:.2f} / {r['compile_jax_nn_s']:.2f} "
            f"| {fmt(r.get('closed_vs_peer_ratio'))} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    smooth = [n for n, a in jaxact.ACTIVATIONS.items() if a.smooth and not a.params]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--only", default=",".join(smooth), help="comma-separated names")
    parser.add_argument("--orders", default="1,2,3,4,5,6,7,8")
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--no-accuracy", action="store_true", help="time only")
    args = parser.parse_args(argv)
    names = args.only.split(",")
    bad = [n for n in names if n not in smooth]
    if bad:
        parser.error(f"not smooth activations without parameters: {bad}; choose from {smooth}")
    orders = [int(o) for o in args.orders.split(",")]
    sizes = (2**10, 2**12, 20) if args.quick else (2**16, 2**20, 100)
    reps = 3 if args.quick else args.reps
    print(f"jax {jax.__version__}, {jax.default_backend()} ({jax.devices()[0].device_kind})")
    rows = measure(names, orders, reps, *sizes, accurate=not args.no_accuracy)
    print()
    print(markdown(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    return rows


if __name__ == "__main__":
    main()
