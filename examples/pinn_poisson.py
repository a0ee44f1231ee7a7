"""A physics-informed network solves a 2-D Poisson problem whose solution is known.

The problem: −Δu = f on the unit square, u = 0 on its boundary, with
f = 2π² sin(πx) sin(πy), so the solution is u* = sin(πx) sin(πy). A small MLP u_θ(x, y)
(2 → width → width → 1, the activation chosen by ``--activation``) is trained with optax
(Adam, cosine schedule) on the residual of the equation at random interior points plus the
boundary values; the Laplacian Δu_θ = ∂²u/∂x² + ∂²u/∂y² is taken by autodiff of the network,
nested forward mode (``--laplacian jvp``, the default) or Taylor mode
(``--laplacian jet``, jax.experimental.jet). The error reported is the relative L2 error
‖u_θ − u*‖/‖u*‖ on a 101 × 101 grid.

Training differentiates the Laplacian once more with respect to θ, so the activation is
differentiated three times: jaxact's closed forms are exact at every order.
``--compare`` also trains the same network, from the same initial weights and points, with
the jax.nn counterpart of the activation, and prints both.

Data-parallel over a 1-D mesh of every device: each step's collocation points are drawn
inside the compiled step, sharded along the mesh (each device draws its own; with
jax_threefry_partitionable, the default, the points do not depend on how they are split),
the parameters are replicated, and the devices' gradients are summed as one flat array
(one all-reduce a step). When the device count does not divide the 512 interior or
128 boundary points, zero-weight points pad them, left out of the loss. With
``--coordinator HOST:PORT --num-processes N --process-id I`` (once per process) it runs as N
processes through jax.distributed, the mesh spanning every process's devices, and process 0
alone prints and writes ``--json`` / ``--plot``. The training loop is compiled ahead of
time; the compile and the steady-state time per step are reported apart.

    python examples/pinn_poisson.py [--steps N] [--lr LR] [--seed S] [--width W]
        [--activation NAME] [--laplacian jvp|jet] [--compare] [--json PATH] [--plot PATH]
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
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.experimental.jet import jet
from jax.flatten_util import ravel_pytree
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

import jaxact

INTERIOR, BOUNDARY, GRID = 512, 128, 101
SMOOTH = [name for name, act in jaxact.ACTIVATIONS.items() if act.smooth and not act.params]


@dataclasses.dataclass(frozen=True)
class Config:
    steps: int = 3000
    lr: float = 3e-3
    seed: int = 0
    width: int = 32
    activation: str = "tanh"
    laplacian: str = "jvp"
    log_every: int = 500


@dataclasses.dataclass
class Result:
    activation: str
    implementation: str
    l2_error: float
    final_loss: float  # the loss at the last step
    mean_loss_last_50: float  # the mean loss over the last 50 steps (fewer if fewer)
    steps: int
    compile_seconds: float  # compiling the training loop, ahead of time
    step_ms: float  # steady state: the compiled loop's time per step
    seconds: float  # all of train(): compile, steps and the error on the grid
    backend: str
    devices: int
    processes: int
    loss_history: list[float]


def exact(p: jax.Array) -> jax.Array:
    return jnp.sin(jnp.pi * p[..., 0]) * jnp.sin(jnp.pi * p[..., 1])


def init(key: jax.Array, width: int) -> list[tuple[jax.Array, jax.Array]]:
    sizes = [2, width, width, 1]
    keys = jax.random.split(key, len(sizes) - 1)
    return [
        (jax.random.normal(k, (m, n)) * math.sqrt(1.0 / m), jnp.zeros(n))
        for k, m, n in zip(keys, sizes[:-1], sizes[1:], strict=True)
    ]


def network(act: Callable[[jax.Array], jax.Array]):
    def u(params, p: jax.Array) -> jax.Array:  # one point p = (x, y) → a scalar
        h = p
        for w, b in params[:-1]:
            h = act(h @ w + b)
        w, b = params[-1]
        return (h @ w + b)[0]

    return u


def laplacian(u, params, p: jax.Array, mode: str) -> jax.Array:
    """∂²u/∂x² + ∂²u/∂y² at one point, by nested jvp or by jet (second-order Taylor)."""
    total = 0.0
    for e in jnp.eye(2, dtype=p.dtype):
        f = lambda q: u(params, q)  # noqa: E731
        if mode == "jet":
            _, (_, d2) = jet(f, (p,), ((e, jnp.zeros_like(e)),))
        else:
            d2 = jax.jvp(lambda q: jax.jvp(f, (q,), (e,))[1], (p,), (e,))[1]  # noqa: B023
        total = total + d2
    return total


def sample(
    key: jax.Array, interior: int = INTERIOR, boundary: int = BOUNDARY
) -> tuple[jax.Array, jax.Array]:
    """``interior`` points in the unit square and ``boundary`` points on its sides; with more
    than INTERIOR or BOUNDARY, the first ones are those drawn without padding."""
    ki, kb, ks = jax.random.split(key, 3)
    inside = jax.random.uniform(ki, (interior, 2))
    t = jax.random.uniform(kb, (boundary,))
    side = jax.random.randint(ks, (boundary,), 0, 4)
    wall = jnp.stack(
        [jnp.where(side < 2, t, (side == 3) * 1.0), jnp.where(side < 2, (side == 1) * 1.0, t)], -1
    )
    return inside, wall


def padded(n: int, devices: int) -> int:
    return -(-n // devices) * devices


def train(cfg: Config, act: Callable | None = None, label: str = "jaxact", progress=print):
    start = time.perf_counter()
    act = act or jaxact.ACTIVATIONS[cfg.activation].fn
    u = network(act)
    mesh = Mesh(np.array(jax.devices()), ("batch",))
    sharded, replicated = NamedSharding(mesh, P("batch")), NamedSharding(mesh, P())
    n_in, n_wall = padded(INTERIOR, mesh.size), padded(BOUNDARY, mesh.size)
    schedule = optax.cosine_decay_schedule(cfg.lr, cfg.steps, alpha=0.01)
    opt = optax.adam(schedule)

    @functools.partial(jax.jit, out_shardings=replicated)  # the same on every device
    def initial():
        key, init_key = jax.random.split(jax.random.key(cfg.seed))
        params = init(init_key, cfg.width)
        return params, opt.init(params), jax.random.split(key, cfg.steps)

    params, opt_state, keys = initial()

    def loss_fn(params, interior, w_in, boundary, w_wall):  # on some points; padding weighs 0
        lap = jax.vmap(lambda p: laplacian(u, params, p, cfg.laplacian))(interior)
        f = 2 * jnp.pi**2 * exact(interior)
        residual = jnp.sum(jnp.where(w_in, (lap + f) ** 2, 0.0)) / INTERIOR
        on_wall = jax.vmap(lambda p: u(params, p))(boundary)
        wall = jnp.sum(jnp.where(w_wall, on_wall**2, 0.0)) / BOUNDARY
        return residual + 100.0 * wall

    unravel = ravel_pytree(params)[1]

    def loss_and_grads(params, key):
        """The loss and its gradient, one share of the points per device (each device draws
        its own); the devices' gradients, flattened into one array, are summed in one go."""
        interior, boundary = sample(key, n_in, n_wall)
        w_in, w_wall = jnp.arange(n_in) < INTERIOR, jnp.arange(n_wall) < BOUNDARY
        shares = [  # (devices, points per device, ...), the first axis sharded
            jax.lax.with_sharding_constraint(a.reshape(mesh.size, -1, *a.shape[1:]), sharded)
            for a in (interior, w_in, boundary, w_wall)
        ]
        losses, grads = jax.vmap(jax.value_and_grad(loss_fn), (None, 0, 0, 0, 0))(params, *shares)
        # One array, so one all-reduce. Left to itself, XLA all-reduces the 29 partial
        # gradients as one tuple, which gloo (the CPU collectives) takes about as long over
        # as 29 all-reduces: 10× slower steps across 2 CPU processes.
        flat = jnp.concatenate([jax.vmap(lambda g: ravel_pytree(g)[0])(grads), losses[:, None]], 1)
        total = flat.sum(0)
        return total[-1], unravel(total[:-1])

    def step(carry, key):
        params, opt_state = carry
        loss, grads = loss_and_grads(params, key)
        updates, opt_state = opt.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), loss

    @jax.jit
    def run(params, opt_state, keys):
        (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), keys)
        return params, opt_state, losses

    # Compile ahead of time, once per chunk length, and time it apart from the steps.
    chunks = [min(cfg.log_every, cfg.steps - s) for s in range(0, cfg.steps, cfg.log_every)]
    tic = time.perf_counter()
    compiled = {n: run.lower(params, opt_state, keys[:n]).compile() for n in sorted(set(chunks))}
    compile_seconds = time.perf_counter() - tic

    history, done, stepping = [], 0, 0.0
    for n in chunks:
        tic = time.perf_counter()
        params, opt_state, losses = compiled[n](params, opt_state, keys[done : done + n])
        losses = np.asarray(losses)  # waits for the chunk
        stepping += time.perf_counter() - tic
        if not np.isfinite(losses).all():
            raise FloatingPointError(f"loss is {losses[~np.isfinite(losses)][0]} at step ~{done}")
        done += n
        history += losses.tolist()
        progress(f"  {label:<7} step {done:>6}/{cfg.steps}  loss (this step) {losses[-1]:.3e}")

    @jax.jit
    def l2_error(params):  # ‖u_θ − u*‖ / ‖u*‖ on the grid
        g = jnp.linspace(0.0, 1.0, GRID)
        grid = jnp.stack(jnp.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
        pred, truth = jax.vmap(lambda p: u(params, p))(grid), exact(grid)
        return jnp.linalg.norm(pred - truth) / jnp.linalg.norm(truth)

    err = float(l2_error(params))
    return Result(
        activation=cfg.activation,
        implementation=label,
        l2_error=err,
        final_loss=history[-1],
        mean_loss_last_50=float(np.mean(history[-50:])),
        steps=cfg.steps,
        compile_seconds=compile_seconds,
        step_ms=1e3 * stepping / cfg.steps,
        seconds=time.perf_counter() - start,
        backend=jax.default_backend(),
        devices=jax.device_count(),
        processes=jax.process_count(),
        loss_history=history,
    ), (params, u)


def plot(results: list[Result], solution, path: str) -> None:
    from jaxact.plotting import pyplot

    plt = pyplot()
    params, u = solution
    params = jax.tree.map(np.asarray, params)  # replicated: every process holds all of it
    g = jnp.linspace(0.0, 1.0, GRID)
    grid = jnp.stack(jnp.meshgrid(g, g, indexing="ij"), -1)
    pred = np.asarray(jax.vmap(jax.vmap(lambda p: u(params, p)))(grid))
    err = np.abs(pred - np.asarray(exact(grid)))
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for r in results:
        axes[0].semilogy(r.loss_history, label=f"{r.implementation} {r.activation}", lw=0.8)
    axes[0].set(xlabel="step", ylabel="loss", title="training loss")
    axes[0].legend()
    for ax, data, title in [(axes[1], pred, "u_θ"), (axes[2], err, "|u_θ − u*|")]:
        im = ax.imshow(data.T, origin="lower", extent=(0, 1, 0, 1), cmap="viridis")
        ax.set_title(title)
        fig.colorbar(im, ax=ax)
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
        description="Solve −Δu = f on the unit square with a physics-informed network."
    )
    parser.add_argument("--steps", type=int, default=Config.steps)
    parser.add_argument("--lr", type=float, default=Config.lr, help="peak learning rate")
    parser.add_argument("--seed", type=int, default=Config.seed)
    parser.add_argument("--width", type=int, default=Config.width, help="hidden units per layer")
    parser.add_argument("--activation", default=Config.activation, choices=SMOOTH)
    parser.add_argument("--laplacian", default=Config.laplacian, choices=["jvp", "jet"])
    parser.add_argument("--compare", action="store_true", help="also train with jax.nn's")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON (process 0)")
    parser.add_argument(
        "--plot", metavar="PATH", help="write a PNG of loss, u_θ and its error (process 0)"
    )
    add_distributed_flags(parser)
    args = parser.parse_args(argv)
    for flag in ("steps", "width"):
        if getattr(args, flag) <= 0:
            parser.error(f"--{flag} must be a positive integer, got {getattr(args, flag)}")
    if not (math.isfinite(args.lr) and args.lr > 0):
        parser.error(f"--lr must be a positive number, got {args.lr}")
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
    cfg = Config(args.steps, args.lr, args.seed, args.width, args.activation, args.laplacian)
    devices = jax.device_count()
    say(
        f"jaxact PINN, −Δu = 2π² sin(πx) sin(πy) on [0, 1]²: {cfg.activation} MLP "
        f"2-{cfg.width}-{cfg.width}-1, Laplacian by {cfg.laplacian}, backend "
        f"{jax.default_backend()}, {devices} device(s) in {jax.process_count()} process(es)"
    )
    pad = [padded(n, devices) - n for n in (INTERIOR, BOUNDARY)]
    say(
        f"points per step: {INTERIOR} interior, {BOUNDARY} boundary, sharded over the devices"
        + (
            f" (padded with {pad[0]} + {pad[1]} zero-weight points, left out of the loss)"
            if any(pad)
            else ""
        )
    )
    try:
        result, solution = train(cfg, progress=say)
        results = [result]
        if args.compare:
            theirs = jaxact.ACTIVATIONS[cfg.activation].jax_nn
            results.append(train(cfg, theirs, "jax.nn", progress=say)[0])
    except FloatingPointError as e:
        say(f"error: {e}", file=sys.stderr)
        return 1
    columns = [
        ("", lambda r: f"{r.implementation} {r.activation}"),
        ("relative L2 error", lambda r: f"{r.l2_error:.3e}"),
        ("loss (last step)", lambda r: f"{r.final_loss:.3e}"),
        ("loss (mean, last 50 steps)", lambda r: f"{r.mean_loss_last_50:.3e}"),
        ("compile", lambda r: f"{r.compile_seconds:.2f} s"),
        ("steady state", lambda r: f"{r.step_ms:.2f} ms/step"),
    ]
    table = [[name for name, _ in columns]] + [[f(r) for _, f in columns] for r in results]
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    for row in table:
        say("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    say(
        f"(compile: the training loop, once; steady state: the mean over {cfg.steps} compiled "
        f"steps; the error on a {GRID} × {GRID} grid)"
    )
    if args.json and lead:
        with open(args.json, "w") as f:
            json.dump([dataclasses.asdict(r) for r in results], f, indent=1)
    if args.plot and lead:
        plot(results, solution, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
