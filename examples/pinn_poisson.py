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

    python examples/pinn_poisson.py [--steps N] [--lr LR] [--seed S] [--width W]
        [--activation NAME] [--laplacian jvp|jet] [--compare] [--json PATH] [--plot PATH]
"""

from __future__ import annotations

import argparse
import dataclasses
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
    final_loss: float
    steps: int
    seconds: float
    backend: str
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


def sample(key: jax.Array) -> tuple[jax.Array, jax.Array]:
    ki, kb, ks = jax.random.split(key, 3)
    interior = jax.random.uniform(ki, (INTERIOR, 2))
    t = jax.random.uniform(kb, (BOUNDARY,))
    side = jax.random.randint(ks, (BOUNDARY,), 0, 4)
    boundary = jnp.stack(
        [jnp.where(side < 2, t, (side == 3) * 1.0), jnp.where(side < 2, (side == 1) * 1.0, t)], -1
    )
    return interior, boundary


def train(cfg: Config, act: Callable | None = None, label: str = "jaxact", progress=print):
    act = act or jaxact.ACTIVATIONS[cfg.activation].fn
    u = network(act)
    key, init_key = jax.random.split(jax.random.key(cfg.seed))
    params = init(init_key, cfg.width)
    schedule = optax.cosine_decay_schedule(cfg.lr, cfg.steps, alpha=0.01)
    opt = optax.adam(schedule)
    opt_state = opt.init(params)

    def loss_fn(params, interior, boundary):
        lap = jax.vmap(lambda p: laplacian(u, params, p, cfg.laplacian))(interior)
        f = 2 * jnp.pi**2 * exact(interior)
        residual = jnp.mean((lap + f) ** 2)
        wall = jnp.mean(jax.vmap(lambda p: u(params, p))(boundary) ** 2)
        return residual + 100.0 * wall

    def step(carry, key):
        params, opt_state = carry
        loss, grads = jax.value_and_grad(loss_fn)(params, *sample(key))
        updates, opt_state = opt.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), loss

    @jax.jit
    def run(params, opt_state, keys):
        (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), keys)
        return params, opt_state, losses

    start, history = time.perf_counter(), []
    keys = jax.random.split(key, cfg.steps)
    done = 0
    while done < cfg.steps:
        n = min(cfg.log_every, cfg.steps - done)
        params, opt_state, losses = run(params, opt_state, keys[done : done + n])
        losses = np.asarray(losses)
        if not np.isfinite(losses).all():
            raise FloatingPointError(f"loss is {losses[~np.isfinite(losses)][0]} at step ~{done}")
        done += n
        history += losses.tolist()
        progress(f"  {label:<7} step {done:>6}/{cfg.steps}  loss {losses[-1]:.3e}")
    seconds = time.perf_counter() - start

    g = jnp.linspace(0.0, 1.0, GRID)
    grid = jnp.stack(jnp.meshgrid(g, g, indexing="ij"), -1).reshape(-1, 2)
    pred = jax.vmap(lambda p: u(params, p))(grid)
    truth = exact(grid)
    err = float(jnp.linalg.norm(pred - truth) / jnp.linalg.norm(truth))
    return Result(
        cfg.activation,
        label,
        err,
        float(np.mean(history[-50:])),
        cfg.steps,
        seconds,
        jax.default_backend(),
        history,
    ), (params, u)


def plot(results: list[Result], solution, path: str) -> None:
    from jaxact.plotting import pyplot

    plt = pyplot()
    params, u = solution
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
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument("--plot", metavar="PATH", help="write a PNG of loss, u_θ and its error")
    args = parser.parse_args(argv)
    for flag in ("steps", "width"):
        if getattr(args, flag) <= 0:
            parser.error(f"--{flag} must be a positive integer, got {getattr(args, flag)}")
    if not (math.isfinite(args.lr) and args.lr > 0):
        parser.error(f"--lr must be a positive number, got {args.lr}")
    for flag in ("json", "plot"):
        path = getattr(args, flag)
        if path is not None:
            folder = os.path.dirname(os.path.abspath(path))
            if os.path.isdir(path) or not os.access(folder, os.W_OK):
                parser.error(f"--{flag}: cannot write {path!r}")
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            parser.error('--plot needs matplotlib: pip install "jaxact[examples]"')
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    cfg = Config(args.steps, args.lr, args.seed, args.width, args.activation, args.laplacian)
    print(
        f"jaxact PINN, −Δu = 2π² sin(πx) sin(πy) on [0, 1]²: {cfg.activation} MLP "
        f"2-{cfg.width}-{cfg.width}-1, Laplacian by {cfg.laplacian}, backend "
        f"{jax.default_backend()}"
    )
    try:
        result, solution = train(cfg)
        results = [result]
        if args.compare:
            theirs = jaxact.ACTIVATIONS[cfg.activation].jax_nn
            results.append(train(cfg, theirs, "jax.nn")[0])
    except FloatingPointError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for r in results:
        print(
            f"{r.implementation:<7} {r.activation}: relative L2 error {r.l2_error:.3e}, "
            f"loss {r.final_loss:.3e}, time {r.seconds:.1f} s for {r.steps} steps"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump([dataclasses.asdict(r) for r in results], f, indent=1)
    if args.plot:
        plot(results, solution, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
