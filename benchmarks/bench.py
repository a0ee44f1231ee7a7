"""Speed and memory of jaxact against jax.nn, side by side, in one process.

    python benchmarks/bench.py [--quick] [--json PATH] [--only NAMES] [--dtypes ...]

For every activation of ``jaxact.ACTIVATIONS`` and its ``jax.nn`` counterpart (prelu:
``jax.nn.leaky_relu`` with an array slope, one per channel of the last axis):

- forward ``f(x)`` and forward+backward (``jax.vjp``: the gradient for a given cotangent),
  at 2^10, 2^16, 2^20 and 2^22 elements, float32 and bfloat16. Calls alternate
  (jaxact, jax.nn, jaxact, …) after a warm-up, compile excluded; each row reports the median
  time of each and the median of the per-pair ratios jaxact / jax.nn.
- a roofline: a jitted elementwise pass that reads and writes the same bytes (``x * 1.5``;
  ``x * g`` for forward+backward), timed in the same loop, so each figure is also shown as a
  fraction of the bandwidth that pass reaches (``bw``: roofline time / activation time).
- training steps: an optax Adam step of an MLP (512 wide, 3 layers, batch 1024; 64 wide, 4
  layers, batch 8192), jaxact against jax.nn, interleaved like the rest.
- memory: the tensors a training step keeps per layer, in units of one activation tensor:
  the growth of XLA's temp bytes (``compiled.memory_analysis()``) of
  ``jax.jit(jax.grad(loss))`` from a 4-layer to an 8-layer MLP (width 256, batch 8192,
  float32), divided by 4 layers and one tensor — see ``tensors_per_layer``.

``--quick`` runs small sizes and few repetitions (a smoke test, not a measurement). The run
ends with the Markdown summary that README.md shows.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import time
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

import jaxact

CHANNELS = 128  # x has shape (n / 128, 128); prelu's α has one slope per channel


def pair(name: str, channels: int = CHANNELS) -> tuple[Callable, Callable]:
    """(jaxact, jax.nn) versions of activation ``name``, as functions of x alone; prelu
    gets one slope per channel of x's last axis."""
    act = jaxact.ACTIVATIONS[name]
    if name == "prelu":
        alpha = jnp.linspace(0.1, 0.3, channels)
        return (lambda x: act.fn(x, alpha.astype(x.dtype))), (
            lambda x: act.jax_nn(x, alpha.astype(x.dtype))
        )
    return act.fn, act.jax_nn


def forward_backward(f: Callable) -> Callable:
    return lambda x, g: jax.vjp(f, x)[1](g)[0]


def timed(fns: list[Callable], args: tuple, reps: int) -> list[list[float]]:
    """Times each of ``fns`` on ``args``, interleaved, after a warm-up: seconds per call."""
    fns = [jax.jit(f) for f in fns]
    for f in fns:  # compile and warm up
        for _ in range(3):
            jax.block_until_ready(f(*args))
    times = [[] for _ in fns]
    for _ in range(reps):
        for f, t in zip(fns, times, strict=True):
            start = time.perf_counter()
            jax.block_until_ready(f(*args))
            t.append(time.perf_counter() - start)
    return times


def speed(names, sizes, dtypes, reps) -> list[dict]:
    rows = []
    for dtype in dtypes:
        for n in sizes:
            x = jax.random.normal(jax.random.key(0), (n // CHANNELS, CHANNELS), dtype) * 4
            g = jax.random.normal(jax.random.key(1), x.shape, dtype)
            for name in names:
                ours, theirs = pair(name)
                for mode in ("forward", "fwd+bwd"):
                    if mode == "forward":
                        fns, args = [ours, theirs, lambda x: x * 1.5], (x,)
                    else:
                        fns = [forward_backward(ours), forward_backward(theirs), jnp.multiply]
                        args = (x, g)
                    t_ours, t_theirs, t_roof = timed(fns, args, reps)
                    ratios = [a / b for a, b in zip(t_ours, t_theirs, strict=True)]
                    med = statistics.median
                    rows.append(
                        {
                            "name": name,
                            "mode": mode,
                            "dtype": dtype,
                            "n": n,
                            "jaxact_us": med(t_ours) * 1e6,
                            "jax_nn_us": med(t_theirs) * 1e6,
                            "ratio": med(ratios),
                            "roofline_us": med(t_roof) * 1e6,
                            "bw_jaxact": med(t_roof) / med(t_ours),
                            "bw_jax_nn": med(t_roof) / med(t_theirs),
                        }
                    )
                    print(format_row(rows[-1]), flush=True)
    return rows


def format_row(r: dict) -> str:
    return (
        f"{r['name']:<11} {r['mode']:<8} {r['dtype']:<8} 2^{int(np.log2(r['n'])):<3}"
        f" {r['jaxact_us']:>10.1f} {r['jax_nn_us']:>10.1f} {r['ratio']:>7.3f}"
        f" {r['roofline_us']:>10.1f} {r['bw_jaxact']:>6.2f} {r['bw_jax_nn']:>6.2f}"
    )


HEADER = (
    f"{'function':<11} {'mode':<8} {'dtype':<8} {'n':<5} {'jaxact µs':>10} {'jax.nn µs':>10}"
    f" {'ratio':>7} {'roof µs':>10} {'bw':>6} {'bw nn':>6}"
)


#: The training steps the issue measured: (width, depth, batch).
STEPS = ((512, 3, 1024), (64, 4, 8192))


def training_steps(names, reps, steps=STEPS) -> list[dict]:
    """An optax Adam step of an MLP (float32), jaxact against jax.nn: median per-pair ratio."""
    import optax

    rows = []
    for width, depth, batch in steps:
        key = jax.random.key(0)
        params = [
            jax.random.normal(jax.random.fold_in(key, i), (width, width)) / width**0.5
            for i in range(depth)
        ]
        x = jax.random.normal(jax.random.fold_in(key, 99), (batch, width))
        y = jnp.sin(x)
        opt = optax.adam(1e-3)
        state = opt.init(params)
        for name in names:
            fns = [_adam_step(f, opt) for f in pair(name, channels=width)]
            t_ours, t_theirs = timed(fns, (params, state, x, y), reps)
            ratios = [a / b for a, b in zip(t_ours, t_theirs, strict=True)]
            row = {
                "name": name,
                "mlp": f"{width}x{depth}, batch {batch}",
                "jaxact_ms": statistics.median(t_ours) * 1e3,
                "jax_nn_ms": statistics.median(t_theirs) * 1e3,
                "ratio": statistics.median(ratios),
            }
            rows.append(row)
            print(
                f"{name:<15} {row['mlp']:<20} {row['jaxact_ms']:>8.2f} {row['jax_nn_ms']:>8.2f}"
                f" {row['ratio']:>7.3f}",
                flush=True,
            )
    return rows


def _adam_step(f: Callable, opt) -> Callable:
    import optax

    def step(params, state, x, y):
        def loss(params):
            h = x
            for w in params:
                h = f(h @ w)
            return jnp.mean((h - y) ** 2)

        grads = jax.grad(loss)(params)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    return step


def _mlp(f: Callable, depth: int, width: int, batch: int, policy=None):
    params = [jax.ShapeDtypeStruct((width, width), jnp.float32) for _ in range(depth)]
    x = jax.ShapeDtypeStruct((batch, width), jnp.float32)

    def loss(params, x):
        for w in params:
            x = f(x @ w)
        return jnp.mean(x**2)

    return (loss if policy is None else jax.checkpoint(loss, policy=policy)), params, x


def mlp_temp_bytes(f: Callable, depth: int, width: int, batch: int, policy=None) -> int:
    """Temp bytes of one compiled gradient step of a depth × width MLP with activation f."""
    loss, params, x = _mlp(f, depth, width, batch, policy)
    compiled = jax.jit(jax.grad(loss)).lower(params, x).compile()
    return compiled.memory_analysis().temp_size_in_bytes


def mlp_residuals(f: Callable, depth: int, width: int, batch: int, policy=None) -> int:
    """The batch × width tensors JAX saves for the backward pass (before XLA optimises)."""
    loss, params, x = _mlp(f, depth, width, batch, policy)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        jax.ad_checkpoint.print_saved_residuals(loss, params, x)
    return out.getvalue().count(f"f32[{batch},{width}]")


def tensors_per_layer(
    f: Callable, width: int, batch: int, policy=None, count=mlp_temp_bytes
) -> float:
    """The tensors a training step keeps per layer, in units of one activation tensor.

    Measured as the growth of XLA's temp bytes from a 4-layer to an 8-layer MLP, divided by
    4 layers and by one batch × width float32 tensor. At a batch where the activations
    dwarf the weights this counts what the backward pass keeps per layer; the temp bytes of
    a single MLP mislead, since XLA places some saved tensors in the output buffers. With
    ``count=mlp_residuals``: the tensors JAX's jaxpr saves per layer, before XLA.
    """
    grow = count(f, 8, width, batch, policy) - count(f, 4, width, batch, policy)
    return grow / 4 / (1 if count is mlp_residuals else width * batch * 4)


def memory(names, width, batch) -> list[dict]:
    variants = [(name, *pair(name, channels=width)) for name in names]
    for name in ("sigmoid", "tanh"):  # the opt-in forms with jax.nn's memory
        if name in names:
            act = jaxact.ACTIVATIONS[name]
            variants.append((f"{name} (lean)", getattr(jaxact.lean, name), act.jax_nn))
    rows = []
    policy = jaxact.checkpoint_policy
    for label, ours, theirs in variants:
        named = "lean" not in label  # the lean forms do not name their input
        row = {
            "name": label,
            "jaxact": tensors_per_layer(ours, width, batch),
            "jax_nn": tensors_per_layer(theirs, width, batch),
            "jaxact_policy": (named and tensors_per_layer(ours, width, batch, policy)) or None,
            "saved_jaxact": tensors_per_layer(ours, width, batch, count=mlp_residuals),
            "saved_jax_nn": tensors_per_layer(theirs, width, batch, count=mlp_residuals),
            "saved_policy": (named and tensors_per_layer(ours, width, batch, policy, mlp_residuals))
            or None,
        }
        rows.append(row)
        print(f"{label:<15}", *(_cell(row[k], 8) for k in _MEMORY[:3]), "  ", end=" ")
        print(*(_cell(row[k], 6) for k in _MEMORY[3:]), flush=True)
    return rows


_MEMORY = ("jaxact", "jax_nn", "jaxact_policy", "saved_jaxact", "saved_jax_nn", "saved_policy")


def _cell(v: float | None, width: int = 0) -> str:
    return f"{'-' if v is None else f'{v:.1f}':>{width}}"


def markdown(result: dict) -> str:
    """The README's summary: ratios at the two largest sizes, bandwidth, memory."""
    sizes = sorted({r["n"] for r in result["speed"]})[-2:]
    names = list(dict.fromkeys(r["name"] for r in result["speed"]))
    dtypes = list(dict.fromkeys(r["dtype"] for r in result["speed"]))
    get = {(r["name"], r["dtype"], r["mode"], r["n"]): r for r in result["speed"]}
    cols = [f"{m} 2^{int(np.log2(n))}" for m in ("forward", "fwd+bwd") for n in sizes]
    lines = [
        "| function | dtype | "
        + " | ".join(cols)
        + f" | bw, forward 2^{int(np.log2(sizes[-1]))} |",
        "| --- | --- | " + " | ".join("---" for _ in cols) + " | --- |",
    ]
    for dtype in dtypes:
        for name in names:
            ratios = [
                f"{get[name, dtype, m, n]['ratio']:.2f}"
                for m in ("forward", "fwd+bwd")
                for n in sizes
            ]
            big = get[name, dtype, "forward", sizes[-1]]
            bw = f"{big['bw_jaxact']:.2f} / {big['bw_jax_nn']:.2f}"
            lines.append(f"| {name} | {dtype} | " + " | ".join(ratios) + f" | {bw} |")
    mlps = list(dict.fromkeys(r["mlp"] for r in result["steps"]))
    step = {(r["name"], r["mlp"]): r["ratio"] for r in result["steps"]}
    lines += ["", "| function | " + " | ".join(f"step, MLP {m}" for m in mlps) + " |"]
    lines.append("| --- | " + " | ".join("---" for _ in mlps) + " |")
    for name in dict.fromkeys(r["name"] for r in result["steps"]):
        lines.append(f"| {name} | " + " | ".join(f"{step[name, m]:.2f}" for m in mlps) + " |")
    lines += [
        "",
        "| function | XLA keeps: jaxact | jax.nn | jaxact + checkpoint_policy"
        " | JAX saves: jaxact | jax.nn | jaxact + checkpoint_policy |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for m in result["memory"]["rows"]:
        lines.append(f"| {m['name']} | " + " | ".join(_cell(m[k]) for k in _MEMORY) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description="jaxact against jax.nn: speed and memory")
    parser.add_argument("--quick", action="store_true", help="small sizes, few repetitions")
    parser.add_argument("--only", help="comma-separated activation names")
    parser.add_argument("--dtypes", default="float32,bfloat16")
    parser.add_argument("--reps", type=int, help="timed calls per function (default 100)")
    parser.add_argument("--sizes", help="comma-separated log2 sizes (default 10,16,20,22)")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(jaxact.ACTIVATIONS)
    unknown = set(names) - set(jaxact.ACTIVATIONS)
    if unknown:
        parser.error(
            f"unknown activations {sorted(unknown)}; choose from {list(jaxact.ACTIVATIONS)}"
        )
    sizes = [2**10] if args.quick else [2**10, 2**16, 2**20, 2**22]
    if args.sizes:
        sizes = [2 ** int(k) for k in args.sizes.split(",")]
    reps = args.reps or (5 if args.quick else 100)
    width, batch = (64, 256) if args.quick else (256, 8192)

    device = jax.devices()[0]
    where = f"{device.platform}: {device.device_kind}, {jax.device_count()} device(s)"
    print(f"jax {jax.__version__}, {where}")
    print("\ntime per call (median); ratio = median of per-pair jaxact / jax.nn;")
    print("bw = roofline time / time (1.0: as fast as a pass that moves the same bytes)\n")
    print(HEADER)
    rows = speed(names, sizes, args.dtypes.split(","), reps)
    print("\nan optax Adam step of an MLP, float32: ms per step, ratio jaxact / jax.nn")
    print(f"{'function':<15} {'mlp':<20} {'jaxact':>8} {'jax.nn':>8} {'ratio':>7}")
    steps = training_steps(names, reps, ((32, 2, 64),) if args.quick else STEPS)
    print(f"\ntensors a training step keeps per layer (MLP width {width}, batch {batch})")
    print(f"{'':<15} {'XLA keeps':^26}   {'JAX saves':^20}")
    cols = ("jaxact", "jax.nn", "+policy")
    print(f"{'function':<15}", *(f"{c:>8}" for c in cols), "  ", *(f"{c:>6}" for c in cols))
    mem = memory(names, width, batch)
    result = {
        "jax": jax.__version__,
        "device": f"{device.platform}: {device.device_kind}",
        "quick": args.quick,
        "speed": rows,
        "steps": steps,
        "memory": {"width": width, "batch": batch, "rows": mem},
    }
    print("\nratios jaxact / jax.nn; bw: jaxact / jax.nn\n")
    print(markdown(result))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return result


if __name__ == "__main__":
    main()
