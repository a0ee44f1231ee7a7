"""The activations, one module per family, and ``ACTIVATIONS``: the table of all of them.

Each family module defines its public functions and ``ROWS``, its rows of the table. The
tests, the ``jaxact`` command, the plots, the diagnostics and the benchmarks iterate the
table, so a new activation is a function and a row in its family's module.
"""

from __future__ import annotations

from jaxact._row import Activation
from jaxact.activations import algebraic, exponential, gated, gaussian, logistic, piecewise
from jaxact.activations.algebraic import soft_sign, squareplus
from jaxact.activations.exponential import celu, elu, selu
from jaxact.activations.gated import mish, silu, swish
from jaxact.activations.gaussian import gelu, gelu_exact
from jaxact.activations.logistic import glu, log1mexp, log_sigmoid, sigmoid, softplus, tanh
from jaxact.activations.piecewise import (
    hard_sigmoid,
    hard_silu,
    hard_swish,
    hard_tanh,
    identity,
    leaky_relu,
    prelu,
    relu,
    relu6,
    sparse_plus,
    sparse_sigmoid,
)

FAMILIES = (logistic, gated, piecewise, exponential, algebraic, gaussian)

#: The table: one :class:`~jaxact.Activation` row per elementwise activation, by name (its
#: math, parameters, ``jax.nn`` counterpart and switch points). The tests, the ``jaxact``
#: command, the plots and the benchmarks iterate it.
ACTIVATIONS: dict[str, Activation] = {row.name: row for fam in FAMILIES for row in fam.ROWS}

#: Rows with a domain short of the real line (log1mexp: x > 0), outside ``ACTIVATIONS``,
#: whose table-driven tests evaluate every row over the whole line; ``jaxact.get`` and
#: ``jaxact.derivative`` know them as they know the table's.
DOMAIN_ROWS: dict[str, Activation] = {logistic.LOG1MEXP_ROW.name: logistic.LOG1MEXP_ROW}

__all__ = [
    "ACTIVATIONS",
    "DOMAIN_ROWS",
    "celu",
    "elu",
    "gelu",
    "gelu_exact",
    "glu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "identity",
    "leaky_relu",
    "log1mexp",
    "log_sigmoid",
    "mish",
    "prelu",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "soft_sign",
    "softplus",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "swish",
    "tanh",
]
