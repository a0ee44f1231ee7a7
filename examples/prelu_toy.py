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

The whole step is one jitted function, data-parallel over every local device: a 1-D mesh
shards the batch, the parameters are replicated. The same script runs on CPU, GPU or TPU,
on 1 device or many (try XLA_FLAGS=--xla_force_host_platform_device_count=4).

    python examples/prelu_toy.py [--steps N] [--lr LR] [--seed S] [--true-alpha A]
        [--per-channel] [--compare] [--json PATH] [--plot PATH]
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
    final_loss: float
    dead_fraction: float  # units whose derivative is 0 on every sample
    zero_grad_fraction: float  # (sample, unit) pairs whose derivative is 0
    steps: int
    backend: str
    devices: int
    seconds: float
    loss_history: list[float]
    alpha_history: list[float]  # the mean α, per step


def make_task(cfg: Config):
    """Data (x, y), the fixed hidden layer (W, b), and the teacher's α and v."""
    kx, kw, kb, kv, ks, kn = jax.random.split(jax.random.key(cfg.seed), 6)
    w = jax.random.normal(kw, (INPUTS, HIDDEN)) / math.sqrt(INPUTS)
    b = 0.3 * jax.random.normal(kb, (HIDDEN,))
    v = jax.random.choice(ks, jnp.array([-1.0, 1.0]), (HIDDEN,)) * jax.random.uniform(
        kv, (HIDDEN,), minval=0.5, maxval=1.5
    )
    alpha = jnp.float32(cfg.true_alpha)
    if cfg.per_channel:  # a spread of slopes around --true-alpha
        alpha = alpha + 0.15 * jax.random.permutation(kv, jnp.linspace(-1.0, 1.0, HIDDEN))
    x = jax.random.normal(kx, (SAMPLES, INPUTS))
    y = jaxact.prelu(x @ w + b, alpha) @ v + NOISE * jax.random.normal(kn, (SAMPLES,))
    return x, y, (w, b), alpha, v


def predict(params, x, hidden, alpha=None):
    w, b = hidden
    return jaxact.prelu(x @ w + b, params["alpha"] if alpha is None else alpha) @ params["v"]


def train(cfg: Config, learn_alpha: bool = True, progress=print) -> Result:
    """Trains the student; with ``learn_alpha=False``, α stays 0 (plain ReLU)."""
    start = time.perf_counter()
    x, y, hidden, true_alpha, _ = make_task(cfg)
    mesh = Mesh(np.array(jax.devices()), ("batch",))
    x, y = jax.device_put((x, y), NamedSharding(mesh, P("batch")))
    replicated = NamedSharding(mesh, P())

    alpha0 = jnp.full((HIDDEN,) if cfg.per_channel else (), 0.25 if learn_alpha else 0.0)
    v0 = jnp.zeros((HIDDEN,))
    params = jax.device_put({"alpha": alpha0, "v": v0}, replicated)
    schedule = optax.cosine_decay_schedule(cfg.lr, cfg.steps, alpha=0.01)
    optimizer = optax.adam(schedule)
    if not learn_alpha:
        optimizer = optax.multi_transform(
            {"train": optimizer, "frozen": optax.set_to_zero()},
            {"alpha": "frozen", "v": "train"},
        )
    opt_state = optimizer.init(params)

    def loss_fn(params):
        return jnp.mean((predict(params, x, hidden) - y) ** 2)

    def step(carry, _):
        params, opt_state = carry
        loss, grads = jax.value_and_grad(loss_fn)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), (loss, params["alpha"].mean())

    @functools.partial(jax.jit, static_argnums=2)
    def run(params, opt_state, n: int):  # n optimizer steps, in one compiled loop
        return jax.lax.scan(step, (params, opt_state), length=n)

    losses, alphas, done = [], [], 0
    while done < cfg.steps:
        n = min(cfg.log_every, cfg.steps - done)
        (params, opt_state), (loss, alpha) = run(params, opt_state, n)
        losses += np.asarray(loss).tolist()
        alphas += np.asarray(alpha).tolist()
        done += n
        if not np.isfinite(losses[-1]):
            raise FloatingPointError(f"loss is {losses[-1]} at step {done}: lower --lr")
        progress(f"  step {done:>6}/{cfg.steps}  loss {losses[-1]:.3e}  α {alphas[-1]:.5f}")

    learned = np.asarray(params["alpha"])
    true = np.asarray(true_alpha)
    h = x @ hidden[0] + hidden[1]
    # Where the derivative is 0 a unit passes no gradient; a unit with 0 on every sample is dead.
    zero = jaxact.derivative("prelu")(h, params["alpha"]) == 0
    return Result(
        true_alpha=true.tolist(),
        learned_alpha=learned.tolist(),
        alpha_error=float(np.abs(learned - true).max()) if learn_alpha else float("nan"),
        final_loss=losses[-1],
        dead_fraction=float(zero.all(axis=0).mean()),
        zero_grad_fraction=float(zero.mean()),
        steps=cfg.steps,
        backend=jax.default_backend(),
        devices=jax.device_count(),
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
    parser.add_argument("--json", metavar="PATH", help="write the result as JSON")
    parser.add_argument("--plot", metavar="PATH", help="write a PNG of loss and α")
    args = parser.parse_args(argv)
    if args.steps <= 0:
        parser.error(f"--steps must be a positive integer, got {args.steps}")
    if not (math.isfinite(args.lr) and args.lr > 0):
        parser.error(f"--lr must be a positive number, got {args.lr}")
    if not math.isfinite(args.true_alpha):
        parser.error(f"--true-alpha must be a finite number, got {args.true_alpha}")
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
    cfg = Config(args.steps, args.lr, args.seed, args.true_alpha, args.per_channel)
    print(f"jaxact PReLU toy: backend {jax.default_backend()}, {jax.device_count()} device(s)")
    try:
        result = train(cfg)
        baseline = train(cfg, learn_alpha=False, progress=lambda _: None) if args.compare else None
    except FloatingPointError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    fmt = lambda a: f"{a:.5f}" if np.ndim(a) == 0 else f"{len(a)} channels, mean {np.mean(a):.5f}"  # noqa: E731
    print(f"true α    {fmt(result.true_alpha)}")
    print(f"learned α {fmt(result.learned_alpha)}")
    print(
        f"|error|   {result.alpha_error:.2e}" + (" (max over channels)" if cfg.per_channel else "")
    )
    for label, r in [("PReLU", result), ("ReLU (α = 0)", baseline)] if baseline else []:
        print(
            f"{label:<13} loss {r.final_loss:.3e}   zero-gradient share {r.zero_grad_fraction:.0%}"
            f"   dead units {r.dead_fraction:.0%}"
        )
    if not baseline:
        print(f"loss      {result.final_loss:.3e}")
    print(f"time      {result.seconds:.1f} s for {cfg.steps} steps")
    if args.json:
        keys = [
            "true_alpha",
            "learned_alpha",
            "final_loss",
            "steps",
            "backend",
            "devices",
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
    if args.plot:
        plot(result, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
