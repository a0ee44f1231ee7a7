"""The row of the activation table: one activation's function, parameters and math."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import jax

from jaxact._tower import Tower

Array = jax.Array


#: ``formulas`` text of a function with two pieces, ``POS_NEG.format(right, left)``.
POS_NEG = "{} if x > 0 else {}"


@dataclasses.dataclass(frozen=True)
class Activation:
    """One row of the activation table: the function, its parameters and its math.

    Attributes:
      name: the public name, e.g. ``"elu"``.
      fn: the jit-compiled activation, ``fn(x, *params)``.
      params: ``(name, default)`` of each parameter (default ``None``: required).
      output_range: the range of ``fn``, as text.
      formulas: f, f′, f″ (and ∂f/∂param) as text.
      jax_nn: the ``jax.nn`` counterpart with the same signature, for comparisons.
      tower: the closed-form derivatives (see :class:`Tower`).
      definition: the plain mathematical definition as an mpmath function
        ``(mp, x, at, *params)``, for the accuracy reference only (it is differentiated
        numerically, independently of ``tower``). Piecewise functions choose their piece by
        ``at``, the point being evaluated, so that a derivative at a breakpoint is the left
        piece's.
      switch_points: every x where the implementation changes formula (breakpoints, series
        cutoffs, far-tail thresholds, expm1's ±ln 2 in the argument), so tests can probe both
        sides of each.
      smooth: whether f is infinitely differentiable (the higher-order tests cover it).
      keep_int: whether integer inputs stay integers (relu, hard_tanh and identity, as in
        jax.nn).
      aliases: other public names of ``fn`` (``swish`` for ``silu``), which
        :func:`jaxact.get` and :func:`jaxact.derivative` accept too.
    """

    name: str
    fn: Callable[..., Array]
    params: tuple[tuple[str, float | None], ...]
    output_range: str
    formulas: dict[str, str]
    jax_nn: Callable[..., Array]
    tower: Tower
    definition: Callable[..., object]
    switch_points: tuple[float, ...] = ()
    smooth: bool = False
    keep_int: bool = False
    aliases: tuple[str, ...] = ()

    def sample_params(self) -> tuple[float, ...]:
        """Each parameter's default, or 0.25 where it has none (He et al.'s initial α)."""
        return tuple(0.25 if d is None else d for _, d in self.params)
