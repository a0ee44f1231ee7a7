"""Speed of jaxact's softmax family and cross-entropy against jax.nn and optax, in one process.

    python benchmarks/softmax.py [--quick] [--reps N] [--json PATH]

Forward and forward+backward (``jax.vjp`` with a fixed cotangent) of softmax, log_softmax
(against jax.nn) and softmax_cross_entropy_with_integer_labels (against optax), at
(8192, 1024) and (64, 50304) logits, float32 and bfloat16. Calls alternate (jaxact, theirs,
jaxact, …) after a warm-up, compile excluded, as in ``bench.py``; each row reports the median
time of each and the median of the per-pair ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import jax
import jax.numpy as jnp

sys.path[:0] = [str(Path(__file__).parents[1]), str(Path(__file__).parent)]
from bench import timed  # noqa: E402

import jaxact  # noqa: E402

SHAPES = [(8192, 1024), (64, 50304)]


def pairs():
    import optax

    ce = optax.softmax_cross_entropy_with_integer_labels
    return {
        "softmax": (jaxact.softmax, jax.nn.softmax),
        "log_softmax": (jaxact.log_softmax, jax.nn.log_softmax),
        "cross_entropy": (
            lambda x, y: jaxact.softmax_cross_entropy_with_integer_labels(x, y).sum(),
            lambda x, y: ce(x, y).sum(),
        ),
    }


def run(shapes, dtypes, reps) -> list[dict]:
    rows = []
    for dtype in dtypes:
        for shape in shapes:
            key = jax.random.key(0)
            x = (jax.random.normal(key, shape, jnp.float32) * 4).astype(dtype)
            g = jax.random.normal(jax.random.key(1), shape, dtype)
            y = jax.random.randint(jax.random.key(2), shape[:1], 0, shape[1])
            for name, (ours, theirs) in pairs().items():
                if name == "cross_entropy":
                    fwd = [lambda x, f=f, y=y: f(x, y) for f in (ours, theirs)]
                    fb = [lambda x, g, f=f, y=y: jax.grad(f)(x, y) for f in (ours, theirs)]
                else:
                    fwd = [ours, theirs]
                    fb = [lambda x, g, f=f: jax.vjp(f, x)[1](g)[0] for f in (ours, theirs)]
                for mode, fns, args in [("forward", fwd, (x,)), ("fwd+bwd", fb, (x, g))]:
                    t = timed(fns, args, reps)
                    ratio = statistics.median(a / b for a, b in zip(*t, strict=True))
                    row = {
                        "function": name,
                        "mode": mode,
                        "shape": list(shape),
                        "dtype": dtype,
                        "jaxact_ms": 1e3 * statistics.median(t[0]),
                        "reference_ms": 1e3 * statistics.median(t[1]),
                        "ratio": ratio,
                    }
                    rows.append(row)
                    print(
                        f"{name:14s} {mode:8s} {shape!s:14s} {dtype:9s} "
                        f"{row['jaxact_ms']:8.2f} ms {row['reference_ms']:8.2f} ms "
                        f"{ratio:5.2f}x",
                        flush=True,
                    )
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small shapes, few repetitions")
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    shapes = [(64, 256), (4, 3000)] if args.quick else SHAPES
    rows = run(shapes, ["float32", "bfloat16"], 3 if args.quick else args.reps)
    if args.json:
        args.json.write_text(json.dumps({"device": jax.devices()[0].device_kind, "rows": rows}))
    return rows


if __name__ == "__main__":
    main()
