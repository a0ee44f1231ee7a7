"""jaxact: activation functions for JAX whose derivatives are exact at every order."""

from jaxact import diagnostics, lean
from jaxact._core import Activation
from jaxact.activations import (
    ACTIVATIONS,
    elu,
    gelu,
    gelu_exact,
    glu,
    leaky_relu,
    prelu,
    relu,
    sigmoid,
    tanh,
)
from jaxact.derivatives import derivative, get

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "derivative",
    "diagnostics",
    "elu",
    "gelu",
    "gelu_exact",
    "glu",
    "get",
    "leaky_relu",
    "lean",
    "prelu",
    "relu",
    "sigmoid",
    "tanh",
]
__version__ = "0.1.0"
