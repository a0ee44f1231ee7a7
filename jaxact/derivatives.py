"""Closed-form derivatives of the activations, as functions on arrays."""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable

import jax

from jaxact._checks import evaluate
from jaxact._row import Activation
from jaxact._tower import Array
from jaxact.activations import ACTIVATIONS, DOMAIN_ROWS


def get(f: str | Callable[..., Array]) -> Activation:
    """The table row of activation ``f``, given by name (``"elu"``, or an alias such as
    ``"swish"``) or function; log1mexp's row too (``DOMAIN_ROWS``)."""
    try:
        act = _index().get(f)
    except TypeError:  # unhashable: not a name or a row's function
        act = None
    if act is not None:
        return act
    for act in _rows():  # a row added to the table since the index was built
        if f == act.name or f in act.aliases or f is act.fn:
            return act
    names = ", ".join(act.name for act in _rows())
    raise ValueError(f"unknown activation {f!r}; choose one of {names}")


def _rows() -> list[Activation]:
    return [*ACTIVATIONS.values(), *DOMAIN_ROWS.values()]


@functools.cache
def _index() -> dict:
    """Every row by name, alias and function (first row wins, as a scan of the table finds)."""
    index: dict = {}
    for act in _rows():
        for key in (act.name, *act.aliases, act.fn):
            index.setdefault(key, act)
    return index


def derivative(f: str | Callable[..., Array], order: int = 1, param_order: int = 0):
    """The closed form of ∂ⁿf/∂xⁿ (n = ``order``), or of ∂ⁿ/∂xⁿ ∂ᵐf/∂αᵐ (m = ``param_order``).

    Any order n ≥ 0 (and m ≥ 0). The result is jit-compiled, takes the same arguments as
    ``f`` and keeps ``x``'s float dtype. It is exactly what ``jax.grad`` & co. return for
    ``f``, evaluated directly.

    Examples:
      >>> import jax.numpy as jnp, jaxact
      >>> jaxact.derivative("sigmoid")(jnp.array([0.0, 20.0]))
      Array([2.5000000e-01, 2.0611537e-09], dtype=float32)
      >>> jaxact.derivative("tanh", 6)(0.5)  # the sixth derivative
      Array(-36.27954, dtype=float32, weak_type=True)
      >>> jaxact.derivative(jaxact.elu, order=0, param_order=1)(-1.0, alpha=2.0)  # ∂f/∂α
      Array(-0.63212055, dtype=float32, weak_type=True)
    """
    get(f)  # an unknown activation is named first
    # Checked before the cache: True == 1 and hashes alike, so a cached lookup would return
    # order 1's function for order True once order 1 had been asked for.
    if not all(
        isinstance(k, numbers.Integral) and not isinstance(k, bool) and k >= 0
        for k in (order, param_order)
    ):
        raise ValueError(f"order and param_order must be integers ≥ 0, got {order}, {param_order}")
    return _derivative(f, int(order), int(param_order))  # numpy integers too


@functools.cache
def _derivative(f: str | Callable[..., Array], order: int, param_order: int):
    act = get(f)
    if param_order and not act.params:
        raise ValueError(f"{act.name} has no parameter to differentiate by")
    names = [name for name, _ in act.params]
    defaults = {name: d for name, d in act.params if d is not None}

    @jax.jit
    def d(x, *args, **kwargs) -> Array:
        params = {**defaults, **dict(zip(names, args, strict=False)), **kwargs}
        if set(params) != set(names):
            raise TypeError(f"{act.name} takes parameters {names}, got {sorted(params)}")
        return evaluate(act.tower, act.name, x, order, param_order, **params)

    what = f"∂^{order}/∂x^{order}" + (
        f" ∂^{param_order}/∂{names[0]}^{param_order}" if param_order else ""
    )
    d.__doc__ = f"{what} of jaxact.{act.name}, in closed form. Formulas: {act.formulas}"
    return d
