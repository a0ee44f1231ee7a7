"""Figures of f, f′ and f″ with the saturation band, and of gradient flow (needs matplotlib)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import jax.numpy as jnp
import numpy as np

from jaxact.activations import ACTIVATIONS
from jaxact.derivatives import derivative
from jaxact.diagnostics import saturation

X_RANGE = (-6.0, 6.0)


def pyplot():
    """matplotlib.pyplot on a file-only backend, or an ImportError that says what to install."""
    try:
        import matplotlib
    except ImportError as e:
        raise ImportError('plots need matplotlib: pip install "jaxact[examples]"') from e
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def draw(ax, name: str, dtype=jnp.float32, eps: float = 1e-2) -> None:
    """f, f′ and f″ of activation ``name`` on ``ax``, the band where |f′| < eps shaded."""
    params = ACTIVATIONS[name].sample_params()
    x = jnp.linspace(*X_RANGE, 1201, dtype=dtype)
    for order, style in [(0, "-"), (1, "--"), (2, ":")]:
        y = np.asarray(derivative(name, order)(x, *params), np.float64)
        ax.plot(np.asarray(x, np.float64), y, style, label=["f", "f′", "f″"][order])
    lo, hi = saturation(name, *params, eps=eps, dtype=dtype)
    for a, b in [(X_RANGE[0], lo), (hi, X_RANGE[1])]:
        a, b = max(a, X_RANGE[0]), min(b, X_RANGE[1])
        if a < b:
            ax.axvspan(a, b, color="0.85", zorder=0)
    label = ", ".join(
        f"{p}={v:g}" for (p, _), v in zip(ACTIVATIONS[name].params, params, strict=True)
    )
    ax.set_title(f"{name}({label})" if label else name)
    ax.axhline(0, color="0.5", lw=0.5)
    ax.set_xlim(*X_RANGE)
    ax.grid(alpha=0.3)


def activation_figures(
    names: Sequence[str], out: str, dtype=jnp.float32, formats=("png",), eps: float = 1e-2
) -> list[str]:
    """One figure per activation and an overview of all; returns the paths written."""
    plt = pyplot()
    paths = []
    for name in names:
        fig, ax = plt.subplots(figsize=(5, 3.6))
        draw(ax, name, dtype, eps)
        ax.legend(loc="upper left")
        fig.tight_layout()
        paths += _save(fig, f"{out}/{name}", formats)
        plt.close(fig)
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        draw(ax, name, dtype, eps)
    for ax in axes.flat[len(names) :]:
        ax.axis("off")
    axes.flat[0].legend(loc="upper left")
    fig.suptitle(f"f, f′, f″; shaded: |f′| < {eps:g} ({jnp.dtype(dtype).name})")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / fig.get_figheight()))
    paths += _save(fig, f"{out}/overview", formats)
    plt.close(fig)
    return paths


def flow_figure(norms: dict[str, np.ndarray], path: str, title: str) -> str:
    """RMS gradient per layer, one line per activation, on a log scale."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for name, rms in norms.items():
        ax.semilogy(np.arange(1, len(rms) + 1), rms, marker="o", ms=3, label=name)
    ax.set(xlabel="layer (1 = input side)", ylabel="RMS gradient", title=title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _save(fig, stem: str, formats) -> list[str]:
    paths = [f"{stem}.{fmt}" for fmt in formats]
    for p in paths:
        fig.savefig(p, dpi=110)
    return paths
