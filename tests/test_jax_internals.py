"""The JAX internals jaxact relies on are still where it finds them (jaxact/_jax_internals.py).

Each test fails with a message naming the symbol a JAX release moved, rather than an error
deep inside a transformation.
"""

import ast
from pathlib import Path

import jax
import jax.numpy as jnp
from jax.ad_checkpoint import checkpoint_name
from jax.experimental import jet

import jaxact
from jaxact import _jax_internals

PACKAGE = Path(jaxact.__file__).parent


def test_the_package_imports_nothing_from_jax_private_modules():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            else:
                continue
            found += [
                f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {m}"
                for m in modules
                if m.startswith("jax._src")
            ]
    assert not found, f"jaxact imports JAX's private modules (use a public API): {found}"


def test_shaped_array_is_the_abstract_value_jax_traces_with():
    aval = jax.make_jaxpr(lambda x: x)(jax.ShapeDtypeStruct((2,), jnp.float32)).in_avals[0]
    assert isinstance(aval, _jax_internals.ShapedArray), (
        f"jax {jax.__version__}: jax.core.ShapedArray is no longer the type of a traced "
        f"array's abstract value ({type(aval).__module__}.{type(aval).__qualname__} is): "
        "jaxact/_jax_internals.py must import the new one"
    )


def test_name_p_is_the_primitive_of_checkpoint_name():
    traced = _jax_internals.checkpoint_name_primitive()
    assert _jax_internals.name_p is traced, (
        f"jax {jax.__version__}: jax.extend.core.primitives.name_p ({_jax_internals.name_p}) "
        f"is no longer the primitive jax.ad_checkpoint.checkpoint_name binds ({traced}): "
        "jaxact/_jax_internals.py must find the new one"
    )
    assert traced in jet.jet_rules, (
        "jaxact registers no jax.experimental.jet rule for checkpoint_name's primitive"
    )


def test_checkpoint_name_passes_through_jet():
    """The rule registered for name_p: a series through checkpoint_name is unchanged."""
    primal, series = jet.jet(
        lambda x: checkpoint_name(x, "n") * 2.0,
        (jnp.float32(1.0),),
        ([jnp.float32(1.0), jnp.float32(0.5)],),
    )
    assert float(primal) == 2.0 and [float(s) for s in series] == [2.0, 1.0]
