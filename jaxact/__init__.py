"""jaxact: activation functions for JAX whose derivatives are exact at every order."""

from jaxact import diagnostics, lean
from jaxact._core import Activation
from jaxact.activations import (
    ACTIVATIONS,
    celu,
    elu,
    gelu,
    gelu_exact,
    glu,
    leaky_relu,
    log1mexp,
    log_sigmoid,
    mish,
    prelu,
    relu,
    selu,
    sigmoid,
    silu,
    softplus,
    swish,
    tanh,
)
from jaxact.derivatives import derivative, get

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "celu",
    "derivative",
    "diagnostics",
    "elu",
    "gelu",
    "gelu_exact",
    "glu",
    "get",
    "leaky_relu",
    "lean",
    "log1mexp",
    "log_sigmoid",
    "mish",
    "prelu",
    "relu",
    "selu",
    "sigmoid",
    "silu",
    "softplus",
    "swish",
    "tanh",
]
__version__ = "0.1.0"
