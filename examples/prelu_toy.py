"""Learn PReLU's negative slope α with optax, on a toy task whose true α is known.

The task: inputs x ~ N(0, I₂₄) pass through fixed random hidden weights, h = xW + b
(16 units), then a PReLU with the true α, then output weights v*; y = prelu(h, α*)·v* plus
a little noise. A student with the same fixed W, b learns v and α from (x, y).

Why α is identifiable: prelu(h, α)·v = Σⱼ vⱼ·max(hⱼ, 0) + (α·vⱼ)·min(hⱼ, 0) is linear in
the features max(hⱼ, 0) and min(hⱼ, 0). With no more hidden units than inputs, these 32
features are linearly independent (their sums hⱼ are), so the data pin down both
coefficients vⱼ and α·vⱼ; every unit sees inputs of both signs and |v*ⱼ| ≥ 0.5, so each α
is their ratio. (With more units than inputs, per-channel α would not be identifiable.)

``--compare`` trains the same student with α fixed at 0 (plain ReLU): it cannot express the
negative part, and on every sample where a unit's input is ≤ 0 its gradient is exactly 0
(dying ReLU); the summary shows the loss, the share of (sample, unit) pairs with zero
gradient, and the units with zero gradient on every sample.

The whole step is one jitted function, data-parallel over a 1-D mesh of every device: the
batch is sharded along it, the parameters are replicated. The same script runs on CPU, GPU
or TPU, on 1 device or many (try XLA_FLAGS=--xla_force_host_platform_device_count=4), and as
several processes through jax.distributed: with ``--coordinator HOST:PORT --num-processes N
--process-id I`` (run once per process, I = 0 … N−1) the mesh spans every process's
devices, each process generates only the rows of the batch its own devices hold, and
process 0 alone prints and writes ``--json`` / ``--plot``. Row i of the batch is drawn by
its own numpy generator, seeded with (seed, 1, i), so the batch is the same however it is
split, and so is the learned α, up to the order of floating-point sums. When the device
count does not divide the 4096 samples, the batch is padded with zero-weight rows (x = 0,
y = 0), which the loss and the gradient statistics leave out.

Timing: the training loop is compiled ahead of time and the compile is timed on its own;
the steady-state time per step is measured over the compiled steps only.

    python examples/prelu_toy.py [--steps N] [--lr LR] [--seed S] [--true-alpha A]
        [--per-channel] [--compare] [--json PATH] [--plot PATH]
        [--coordinator HOST:PORT --num-processes N --process-id I]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import math
import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

import jaxact

INPUTS, HIDDEN, SAMPLES, NOISE = 24, 16, 4096, 0.01


@dataclasses.dataclass(frozen=True)
class Config:
    steps: int = 2000
    lr: float = 0.05
    seed: int = 0
    true_alpha: float = 0.1
    per_channel: bool = False
    log_every: int = 200


@dataclasses.dataclass
class Result:
    true_alpha: float | list[float]
    learned_alpha: float | list[float]
    alpha_error: float  # max |learned − true| over the channels
    final_loss: float  # the loss at the last step
    dead_fraction: float  # units whose derivative is 0 on every sample
    zero_grad_fraction: float  # (sample, unit) pairs whose derivative is 0
    steps: int
    backend: str
    devices: int
    processes: int
    padding_rows: int  # zero-weight rows added so that the devices split the batch evenly
    compile_seconds: float  # compiling the training loop, ahead of time
    step_ms: float  # steady state: the compiled loop's time per step
    seconds: float  # all of train(): data, compile, training and the gradient statistics
    loss_history: list[float]
    alpha_history: list[float]  # the mean α, per step


@dataclasses.dataclass(frozen=True)
class Task:
    seed: int  # row i of the batch is drawn from numpy's generator seeded with (seed, 1, i)
    hidden: tuple[np.ndarray, np.ndarray]  # the fixed hidden layer (W, b)
    alpha: np.ndarray  # the teacher's α
    v: np.ndarray  # the teacher's output weights


def make_task(cfg: Config) -> Task:
    """The fixed hidden layer (W, b) and the teacher's α and v, the same in every process.

    The task is drawn with numpy: it is data, and needs no compiling."""
    rng = np.random.default_rng([cfg.seed, 0])
    w = rng.standard_normal((INPUTS, HIDDEN), np.float32) / np.float32(math.sqrt(INPUTS))
    b = np.float32(0.3) * rng.standard_normal(HIDDEN, np.float32)
    v = rng.choice(np.float32([-1.0, 1.0]), HIDDEN) * rng.uniform(0.5, 1.5, HIDDEN)
    alpha = np.float32(cfg.true_alpha)
    if cfg.per_channel:  # a spread of slopes around --true-alpha
        alpha = alpha + np.float32(0.15) * rng.permutation(np.linspace(-1, 1, HIDDEN))
    return Task(cfg.seed, (w, b), np.asarray(alpha, np.float32), v.astype(np.float32))


def rows(task: Task, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows start … stop − 1 of the batch: x, y and the weight (1 for a sample, 0 for the
    padding). Row i has its own generator, so it is the same whichever process draws it."""
    real = range(start, min(stop, SAMPLES))
    z = np.zeros((stop - start, INPUTS + 1), np.float32)
    for k, i in enumerate(real):
        z[k] = np.random.default_rng([task.seed, 1, i]).standard_normal(INPUTS + 1, np.float32)
    x, noise = z[:, :INPUTS], z[:, INPUTS]
    w, b = task.hidden
    h = x @ w + b
    y = (np.maximum(h, 0) + task.alpha * np.minimum(h, 0)) @ task.v + np.float32(NOISE) * noise
    weight = np.zeros(stop - start, np.float32)
    weight[: len(real)] = 1
    return x, y * weight, weight


def global_batch(task: Task, mesh: Mesh) -> tuple[jax.Array, jax.Array, jax.Array]:
    """x, y and the row weights as global arrays sharded along the mesh's batch axis.

    The batch is padded to a multiple of the device count; each process draws only the rows
    that its own devices hold (jax.make_array_from_callback asks for each of them)."""
    n = -(-SAMPLES // mesh.size) * mesh.size
    sharding = NamedSharding(mesh, P("batch"))
    drawn = functools.cache(lambda start, stop: rows(task, start, stop))
    return tuple(
        jax.make_array_from_callback(
            shape, sharding, lambda index, k=k: drawn(*index[0].indices(n)[:2])[k]
        )
        for k, shape in enumerate([(n, INPUTS), (n,), (n,)])
    )


def predict(params, x, hidden, alpha=None):
    w, b = hidden
    return jaxact.prelu(x @ w + b, params["alpha"] if alpha is None else alpha) @ params["v"]


def train(cfg: Config, learn_alpha: bool = True, progress=print) -> Result:
    """Trains the student; with ``learn_alpha=False``, α stays 0 (plain ReLU)."""
    start = time.perf_counter()
    task = make_task(cfg)
    hidden = task.hidden
    mesh = Mesh(np.array(jax.devices()), ("batch",))
    batch = x, _, weight = global_batch(task, mesh)
    replicated = NamedSharding(mesh, P())

    schedule = optax.cosine_decay_schedule(cfg.lr, cfg.steps, alpha=0.01)
    optimizer = optax.adam(schedule)
    if not learn_alpha:
        optimizer = optax.multi_transform(
            {"train": optimizer, "frozen": optax.set_to_zero()},
            {"alpha": "frozen", "v": "train"},
        )

    @functools.partial(jax.jit, out_shardings=replicated)  # the same on every device
    def init():
        alpha = jnp.full((HIDDEN,) if cfg.per_channel else (), 0.25 if learn_alpha else 0.0)
        params = {"alpha": alpha, "v": jnp.zeros((HIDDEN,))}
        return params, optimizer.init(params)

    params, opt_state = init()

    def loss_fn(params, batch):  # the mean squared error over the samples; padding weighs 0
        x, y, weight = batch
        return jnp.sum(weight * (predict(params, x, hidden) - y) ** 2) / SAMPLES

    # The batch is an argument, not a constant closed over: a global array that spans other
    # processes' devices can only enter a compiled function as an argument.
    @functools.partial(jax.jit, static_argnums=3)
    def run(params, opt_state, batch, n: int):  # n optimizer steps, in one compiled loop
        def step(carry, _):
            params, opt_state = carry
            loss, grads = jax.value_and_grad(loss_fn)(params, batch)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            new = optax.apply_updates(params, updates)
            return (new, opt_state), (loss, params["alpha"].mean())

        return jax.lax.scan(step, (params, opt_state), length=n)

    # Compile ahead of time, once per chunk length, and time it apart from the steps.
    chunks = [min(cfg.log_every, cfg.steps - s) for s in range(0, cfg.steps, cfg.log_every)]
    tic = time.perf_counter()
    compiled = {n: run.lower(params, opt_state, batch, n).compile() for n in sorted(set(chunks))}
    compile_seconds = time.perf_counter() - tic

    losses, alphas, done, stepping = [], [], 0, 0.0
    for n in chunks:
        tic = time.perf_counter()
        (params, opt_state), (loss, alpha) = compiled[n](params, opt_state, batch)
        losses += np.asarray(loss).tolist()  # waits for the chunk
        alphas += np.asarray(alpha).tolist()
        stepping += time.perf_counter() - tic
        done += n
        if not np.isfinite(losses[-1]):
            raise FloatingPointError(f"loss is {losses[-1]} at step {done}: lower --lr")
        progress(
            f"  step {done:>6}/{cfg.steps}  loss (this step) {losses[-1]:.3e}  "
            f"α{' (mean over channels)' if cfg.per_channel else ''} {alphas[-1]:.5f}"
        )

    @jax.jit
    def gradient_statistics(alpha, x, weight):
        # Where the derivative is 0 a unit passes no gradient; with 0 on every sample, it is dead.
        zero = jaxact.derivative("prelu")(x @ hidden[0] + hidden[1], alpha) == 0
        real = weight[:, None] > 0
        share = jnp.sum(zero & real) / (SAMPLES * HIDDEN)
        return jnp.mean(jnp.all(zero | ~real, axis=0)), share

    dead, share = gradient_statistics(params["alpha"], x, weight)
    learned = np.asarray(params["alpha"])
    true = np.asarray(task.alpha)
    return Result(
        true_alpha=true.tolist(),
        learned_alpha=learned.tolist(),
        alpha_error=float(np.abs(learned - true).max()) if learn_alpha else float("nan"),
        final_loss=losses[-1],
        dead_fraction=float(dead),
        zero_grad_fraction=float(share),
        steps=cfg.steps,
        backend=jax.default_backend(),
        devices=jax.device_count(),
        processes=jax.process_count(),
        padding_rows=x.shape[0] - SAMPLES,
        compile_seconds=compile_seconds,
        step_ms=1e3 * stepping / cfg.steps,
        seconds=time.perf_counter() - start,
        loss_history=losses,
        alpha_history=alphas,
    )


def plot(result: Result, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax1.semilogy(result.loss_history)
    ax1.set(xlabel="step", ylabel="loss (MSE)", title="loss")
    ax2.plot(result.alpha_history, label="learned α (mean over channels)")
    ax2.axhline(np.mean(result.true_alpha), color="k", ls="--", label="true α (mean)")
    ax2.set(xlabel="step", ylabel="α", title="PReLU negative slope")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def add_distributed_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "several processes (jax.distributed)",
        "run the script once per process, all with the same flags but --process-id",
    )
    group.add_argument("--coordinator", metavar="HOST:PORT", help="process 0's address")
    group.add_argument("--num-processes", type=int, metavar="N", help="how many processes")
    group.add_argument("--process-id", type=int, metavar="I", help="this process: 0 … N−1")


def check_distributed_flags(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    given = [args.coordinator, args.num_processes, args.process_id]
    if any(a is not None for a in given) and any(a is None for a in given):
        parser.error("--coordinator, --num-processes and --process-id go together: all or none")
    if args.coordinator is None:
        return
    host, _, port = args.coordinator.rpartition(":")
    if not (host and port.isdigit() and 0 < int(port) < 65536):
        parser.error(f"--coordinator must be HOST:PORT, got {args.coordinator!r}")
    if args.num_processes < 1:
        parser.error(f"--num-processes must be a positive integer, got {args.num_processes}")
    if not 0 <= args.process_id < args.num_processes:
        parser.error(f"--process-id must be in 0 … {args.num_processes - 1}, got {args.process_id}")


def start_distributed(args: argparse.Namespace) -> None:
    """Joins the other processes; before any other JAX call, as jax.distributed requires.
    On the CPU, the processes' collectives go through gloo, jax's default (0.7.2 to 0.10.2)."""
    if args.coordinator is not None:
        jax.distributed.initialize(
            coordinator_address=args.coordinator,
            num_processes=args.num_processes,
            process_id=args.process_id,
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Learn PReLU's α with optax on a toy task with a known answer."
    )
    parser.add_argument("--steps", type=int, default=Config.steps)
    parser.add_argument("--lr", type=float, default=Config.lr, help="peak learning rate")
    parser.add_argument("--seed", type=int, default=Config.seed)
    parser.add_argument("--true-alpha", type=float, default=Config.true_alpha)
    parser.add_argument("--per-channel", action="store_true", help="one α per hidden unit")
    parser.add_argument("--compare", action="store_true", help="also train plain ReLU (α = 0)")
    parser.add_argument("--json", metavar="PATH", help="write the result as JSON (process 0)")
    parser.add_argument("--plot", metavar="PATH", help="write a PNG of loss and α (process 0)")
    add_distributed_flags(parser)
    args = parser.parse_args(argv)
    if args.steps <= 0:
        parser.error(f"--steps must be a positive integer, got {args.steps}")
    if not (math.isfinite(args.lr) and args.lr > 0):
        parser.error(f"--lr must be a positive number, got {args.lr}")
    if not math.isfinite(args.true_alpha):
        parser.error(f"--true-alpha must be a finite number, got {args.true_alpha}")
    check_distributed_flags(parser, args)
    writes = args.process_id in (None, 0)  # only process 0 writes files
    for flag in ("json", "plot"):
        path = getattr(args, flag)
        if path is not None and writes:
            folder = os.path.dirname(os.path.abspath(path))
            if os.path.isdir(path) or not os.access(folder, os.W_OK):
                parser.error(f"--{flag}: cannot write {path!r}")
    if args.plot and writes:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            parser.error('--plot needs matplotlib: pip install "jaxact[examples]"')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start_distributed(args)
    lead = jax.process_index() == 0  # process 0 alone prints and writes
    say = print if lead else lambda *_, **__: None
    cfg = Config(args.steps, args.lr, args.seed, args.true_alpha, args.per_channel)
    devices, processes = jax.device_count(), jax.process_count()
    say(
        f"jaxact PReLU toy: backend {jax.default_backend()}, {devices} device(s) in "
        f"{processes} process(es)"
    )
    padding = -SAMPLES % devices
    say(
        f"batch: {SAMPLES} samples"
        + (f" + {padding} zero-weight padding rows (left out of the loss)" if padding else "")
        + f", {(SAMPLES + padding) // devices} rows per device"
    )
    try:
        result = train(cfg, progress=say)
        baseline = train(cfg, learn_alpha=False, progress=lambda _: None) if args.compare else None
    except FloatingPointError as e:
        say(f"error: {e}", file=sys.stderr)
        return 1

    fmt = lambda a: f"{a:.5f}" if np.ndim(a) == 0 else f"{len(a)} channels, mean {np.mean(a):.5f}"  # noqa: E731
    say(f"true α                {fmt(result.true_alpha)}")
    say(f"learned α             {fmt(result.learned_alpha)}")
    say(
        f"|learned − true α|    {result.alpha_error:.2e}"
        + (" (max over channels)" if cfg.per_channel else "")
    )
    for label, r in [("PReLU", result), ("ReLU (α = 0)", baseline)] if baseline else []:
        say(
            f"{label:<13} loss (last step) {r.final_loss:.3e}   zero-gradient share "
            f"{r.zero_grad_fraction:.0%}   dead units {r.dead_fraction:.0%}"
        )
    if not baseline:
        say(f"loss (last step)      {result.final_loss:.3e}")
    say(f"compile               {result.compile_seconds:.2f} s (the PReLU training loop, once)")
    say(f"steady state          {result.step_ms:.3f} ms/step (PReLU, over {cfg.steps} steps)")
    say(f"total                 {result.seconds:.1f} s (data, compile, steps, statistics)")
    if args.json and lead:
        keys = [
            "true_alpha",
            "learned_alpha",
            "final_loss",
            "steps",
            "backend",
            "devices",
            "processes",
            "padding_rows",
            "compile_seconds",
            "step_ms",
            "seconds",
        ]
        out = {k: getattr(result, k) for k in keys} | {"alpha_error": result.alpha_error}
        if baseline:
            out["relu"] = {
                k: getattr(baseline, k)
                for k in ("final_loss", "zero_grad_fraction", "dead_fraction")
            }
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    if args.plot and lead:
        plot(result, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
