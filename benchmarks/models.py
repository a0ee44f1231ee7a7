"""The training steps users run, jaxact against jax.nn, side by side in one process.

    python benchmarks/models.py [--runs 3] [--reps 30] [--only WORKLOADS] [--dtypes ...]
        [--json PATH] [--quick]

Each workload is one optax Adam step (``jax.jit``-compiled, compile excluded), built once
with jaxact's activation and once with jax.nn's; calls alternate (jaxact, jax.nn, …) after
a warm-up. A run reports the median of the per-pair ratios jaxact / jax.nn; ``--runs``
repeats the whole measurement and the table shows the range of the run medians.

- ``pinn-<act>-jvp`` / ``pinn-<act>-jet``: the physics-informed loss of
  ``examples/pinn_poisson.py`` — the squared residual of the Laplacian of a 2 → 32 → 32 → 1
  MLP at 512 points, by nested ``jax.jvp`` or by ``jax.experimental.jet`` — differentiated
  with respect to the weights (the activation's orders 0–3 on every element);
- ``mlp-<act>``: a PINN-sized MLP, 64 wide, 4 layers, batch 8192, squared error;
- ``gpt2`` / ``vit`` / ``llama``: one pre-norm transformer block (width 256, 4 heads,
  sequence 128, batch 8) whose MLP is tanh-GELU, erf-GELU or SwiGLU (SiLU);
- ``cnn``: three 3 × 3 relu convolutions (16, 32, 32 channels) on 32 × 32 × 3 images,
  batch 64, then a linear readout.

The PINN workloads run in float32 only (their inputs are coordinates); the others in every
``--dtypes`` (parameters and activations in that dtype, the loss in float32).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import pathlib
import statistics
import sys
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax

import jaxact

# --- the workloads: each is (init(key, dtype) -> params, loss(act, params, data), data) ----


def _dense(key, m: int, n: int, dtype) -> tuple[jax.Array, jax.Array]:
    return (jax.random.normal(key, (m, n)) / math.sqrt(m)).astype(dtype), jnp.zeros(n, dtype)


def _example(name: str):
    """examples/<name>.py as a module: the benchmark steps the example's own loss."""
    path = pathlib.Path(__file__).parents[1] / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_example_{name}", path)
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pinn(mode: str):
    """The Laplacian residual loss of examples/pinn_poisson.py (2 → 32 → 32 → 1)."""
    ex = _example("pinn_poisson")

    def init(key, dtype):
        return jax.tree.map(lambda a: a.astype(dtype), ex.init(key, 32))

    def loss(act, params, data):
        interior, boundary = data
        u = ex.network(act)
        lap = jax.vmap(lambda p: ex.laplacian(u, params, p, mode))(interior)
        f = 2 * jnp.pi**2 * ex.exact(interior)
        wall = jax.vmap(lambda p: u(params, p))(boundary)
        return jnp.mean((lap + f) ** 2) + 100.0 * jnp.mean(wall**2)

    def data(key, dtype):
        ki, kb = jax.random.split(key)
        return (
            jax.random.uniform(ki, (ex.INTERIOR, 2), dtype),
            jax.random.uniform(kb, (ex.BOUNDARY, 2), dtype),
        )

    return init, loss, data


def mlp(width: int = 64, depth: int = 4, batch: int = 8192):
    def init(key, dtype):
        keys = jax.random.split(key, depth)
        return [_dense(k, width, width, dtype) for k in keys]

    def loss(act, params, data):
        x, y = data
        for w, b in params:
            x = act(x @ w + b)
        return jnp.mean((x.astype(jnp.float32) - y) ** 2)

    def data(key, dtype):
        x = jax.random.normal(key, (batch, width), dtype)
        return x, jnp.sin(x.astype(jnp.float32))

    return init, loss, data


def transformer(mlp_kind: str, d: int = 256, heads: int = 4, seq: int = 128, batch: int = 8):
    """A pre-norm block: x + attn(norm(x)), then + mlp(norm(x)); ``mlp_kind`` "gelu" (GPT-2,
    tanh-GELU), "gelu_exact" (ViT, erf-GELU) or "swiglu" (LLaMA, SiLU-gated)."""
    hidden = 4 * d if mlp_kind != "swiglu" else (8 * d) // 3 // 8 * 8

    def init(key, dtype):
        k = jax.random.split(key, 6)
        p = {
            "qkv": _dense(k[0], d, 3 * d, dtype),
            "out": _dense(k[1], d, d, dtype),
            "up": _dense(k[2], d, hidden, dtype),
            "down": _dense(k[3], hidden, d, dtype),
            "g1": jnp.ones(d, dtype),
            "g2": jnp.ones(d, dtype),
        }
        if mlp_kind == "swiglu":
            p["gate"] = _dense(k[4], d, hidden, dtype)
        return p

    def norm(x, g):
        x32 = x.astype(jnp.float32)
        x32 = x32 * jax.lax.rsqrt(jnp.mean(x32**2, -1, keepdims=True) + 1e-6)
        return x32.astype(x.dtype) * g

    def linear(x, wb):
        return x @ wb[0] + wb[1]

    def loss(act, p, data):
        x, y = data
        h = norm(x, p["g1"])
        q, k, v = jnp.split(linear(h, p["qkv"]), 3, -1)
        split = lambda t: t.reshape(batch, seq, heads, d // heads)  # noqa: E731
        a = jax.nn.dot_product_attention(split(q), split(k), split(v), is_causal=True)
        x = x + linear(a.reshape(batch, seq, d), p["out"])
        h = norm(x, p["g2"])
        if mlp_kind == "swiglu":
            h = act(linear(h, p["gate"])) * linear(h, p["up"])
        else:
            h = act(linear(h, p["up"]))
        x = x + linear(h, p["down"])
        return jnp.mean((x.astype(jnp.float32) - y) ** 2)

    def data(key, dtype):
        x = jax.random.normal(key, (batch, seq, d), dtype)
        return x, jnp.tanh(x.astype(jnp.float32))

    return init, loss, data


def cnn(batch: int = 64):
    chans = (3, 16, 32, 32)

    def init(key, dtype):
        keys = jax.random.split(key, len(chans))
        convs = [
            (jax.random.normal(k, (3, 3, m, n)) / math.sqrt(9 * m)).astype(dtype)
            for k, m, n in zip(keys, chans[:-1], chans[1:], strict=False)
        ]
        return convs, _dense(keys[-1], chans[-1], 10, dtype)

    def loss(act, params, data):
        x, labels = data
        convs, (w, b) = params
        for k in convs:
            dims = ("NHWC", "HWIO", "NHWC")
            x = jax.lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=dims)
            x = act(x)
        logits = (x.mean((1, 2)) @ w + b).astype(jnp.float32)
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), labels[:, None], 1))

    def data(key, dtype):
        kx, ky = jax.random.split(key)
        images = jax.random.normal(kx, (batch, 32, 32, 3), dtype)
        return images, jax.random.randint(ky, (batch,), 0, 10)

    return init, loss, data


#: name → (workload, activation name in jaxact.ACTIVATIONS, float32 only?)
WORKLOADS: dict[str, tuple[Callable, str, bool]] = {
    "pinn-tanh-jvp": (lambda: pinn("jvp"), "tanh", True),
    "pinn-sigmoid-jvp": (lambda: pinn("jvp"), "sigmoid", True),
    "pinn-elu-jvp": (lambda: pinn("jvp"), "elu", True),
    "pinn-tanh-jet": (lambda: pinn("jet"), "tanh", True),
    "pinn-sigmoid-jet": (lambda: pinn("jet"), "sigmoid", True),
    "mlp-tanh": (mlp, "tanh", False),
    "mlp-sigmoid": (mlp, "sigmoid", False),
    "gpt2": (lambda: transformer("gelu"), "gelu", False),
    "vit": (lambda: transformer("gelu_exact"), "gelu_exact", False),
    "llama": (lambda: transformer("swiglu"), "silu", False),
    "cnn": (cnn, "relu", False),
}


def adam_step(act: Callable, loss: Callable) -> Callable:
    opt = optax.adam(1e-3)

    @jax.jit
    def step(params, state, data):
        grads = jax.grad(lambda p: loss(act, p, data))(params)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    return step, opt


def measure(name: str, dtype: str, reps: int) -> dict:
    """One run: the median per-pair ratio of jaxact's step to jax.nn's, and their times."""
    make, act_name, _ = WORKLOADS[name]
    init, loss, data = make()
    act = jaxact.ACTIVATIONS[act_name]
    params = init(jax.random.key(0), jnp.dtype(dtype))
    batch = data(jax.random.key(1), jnp.dtype(dtype))
    steps = []
    for f in (act.fn, act.jax_nn):
        step, opt = adam_step(f, loss)
        steps.append((step, opt.init(params)))
    for step, state in steps:  # compile and warm up
        for _ in range(3):
            jax.block_until_ready(step(params, state, batch))
    times: list[list[float]] = [[], []]
    for _ in range(reps):
        for (step, state), t in zip(steps, times, strict=True):
            start = time.perf_counter()
            jax.block_until_ready(step(params, state, batch))
            t.append(time.perf_counter() - start)
    ratios = [a / b for a, b in zip(*times, strict=True)]
    return {
        "workload": name,
        "activation": act_name,
        "dtype": dtype,
        "jaxact_ms": statistics.median(times[0]) * 1e3,
        "jax_nn_ms": statistics.median(times[1]) * 1e3,
        "ratio": statistics.median(ratios),
    }


def markdown(rows: list[dict]) -> str:
    """The README's table: the range of the run medians of each (workload, dtype)."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["workload"], r["dtype"]), []).append(r)
    lines = [
        "| workload | activation | dtype | jaxact ms | jax.nn ms | ratio (range over runs) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for (name, dtype), rs in groups.items():
        lo, hi = min(r["ratio"] for r in rs), max(r["ratio"] for r in rs)
        ms = lambda k, rs=rs: statistics.median(r[k] for r in rs)  # noqa: E731
        span = f"{lo:.2f}" if f"{lo:.2f}" == f"{hi:.2f}" else f"{lo:.2f}–{hi:.2f}"
        lines.append(
            f"| {name} | {rs[0]['activation']} | {dtype} | {ms('jaxact_ms'):.2f}"
            f" | {ms('jax_nn_ms'):.2f} | {span} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description="training steps: jaxact against jax.nn")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the whole run (3)")
    parser.add_argument("--reps", type=int, default=30, help="timed steps per run (30)")
    parser.add_argument("--only", help=f"comma-separated workloads of {list(WORKLOADS)}")
    parser.add_argument("--dtypes", default="float32,bfloat16", help="(float32,bfloat16)")
    parser.add_argument("--quick", action="store_true", help="1 run of 3 steps: a smoke test")
    parser.add_argument("--json", metavar="PATH", help="write the rows as JSON")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(WORKLOADS)
    unknown = set(names) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workloads {sorted(unknown)}; choose from {list(WORKLOADS)}")
    runs, reps = (1, 3) if args.quick else (args.runs, args.reps)
    device = jax.devices()[0]
    print(f"jax {jax.__version__}, {device.platform}: {device.device_kind}")
    print(f"{'workload':<18} {'dtype':<9} {'jaxact ms':>10} {'jax.nn ms':>10} {'ratio':>7}")
    rows = []
    for run in range(runs):
        for name in names:
            for dtype in args.dtypes.split(","):
                if WORKLOADS[name][2] and dtype != "float32":
                    continue
                r = measure(name, dtype, reps)
                r["run"] = run
                rows.append(r)
                print(
                    f"{name:<18} {dtype:<9} {r['jaxact_ms']:>10.2f} {r['jax_nn_ms']:>10.2f}"
                    f" {r['ratio']:>7.3f}",
                    flush=True,
                )
    print()
    print(markdown(rows))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"jax": jax.__version__, "device": str(device), "rows": rows}, f, indent=1)
    return rows


if __name__ == "__main__":
    main()
