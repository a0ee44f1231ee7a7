"""``import jaxact as nn`` in place of ``jax.nn``: every public name of jax.nn, with its
signature, dtypes and weak types. Iterates jax.nn itself, so it stays true as jax.nn grows."""

import inspect

import jax
import jax.numpy as jnp
import pytest

import jaxact

PUBLIC = [n for n in dir(jax.nn) if not n.startswith("_")]
P = inspect.Parameter


@pytest.mark.parametrize("name", PUBLIC)
def test_every_jax_nn_name_with_its_signature(name):
    theirs = getattr(jax.nn, name)
    assert hasattr(jaxact, name), f"jaxact.{name} is missing"
    ours = getattr(jaxact, name)
    if inspect.ismodule(theirs) or not callable(theirs):
        assert ours is theirs
        return
    a = list(inspect.signature(theirs).parameters.values())
    b = list(inspect.signature(ours).parameters.values())
    assert [p.name for p in a] == [p.name for p in b][: len(a)], name
    for pa, pb in zip(a, b, strict=False):
        assert pa.default == pb.default or pa.default is pb.default, (name, pa.name)
        # the same kind, or ours also accepts by keyword what jax.nn takes by position only
        assert pa.kind == pb.kind or (pa.kind, pb.kind) == (
            P.POSITIONAL_ONLY,
            P.POSITIONAL_OR_KEYWORD,
        )
    assert all(p.default is not P.empty for p in b[len(a) :]), name


ELEMENTWISE = [n for n in PUBLIC if n in jaxact.ACTIVATIONS and n != "glu"]


def _same_types(name, inputs):
    # Types only: traced (jax.eval_shape), nothing compiled.
    bf16 = jnp.ones(2, jnp.bfloat16)
    for x in inputs:
        try:
            theirs = jax.eval_shape(getattr(jax.nn, name), x)
        except TypeError:  # jax.nn.sigmoid(2): integers refused
            continue
        ours = jax.eval_shape(getattr(jaxact, name), x)
        assert (ours.dtype, ours.weak_type) == (theirs.dtype, theirs.weak_type), (name, x)
        mixed = [
            jax.eval_shape(lambda x, m=m: getattr(m, name)(x) * bf16, x) for m in (jaxact, jax.nn)
        ]
        assert mixed[0].dtype == mixed[1].dtype, (name, x)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_dtypes_and_weak_types_as_jax_nn(name):
    _same_types(name, (2.0, -0.5, jnp.ones(2, jnp.bfloat16), jnp.float32(2.0), jnp.float16(-1.5)))


@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if n != "relu"])
def test_weak_types_of_python_ints_as_jax_nn(name):
    _same_types(name, (2,))


@pytest.mark.parametrize("approximate", [True, False, 0, 1, None, jnp.array(True)])
def test_gelu_accepts_what_jax_nn_accepts(approximate):
    x = jnp.linspace(-2.0, 2.0, 5)
    ours, theirs = jaxact.gelu(x, approximate=approximate), jax.nn.gelu(x, approximate=approximate)
    assert ours.dtype == theirs.dtype
    assert jnp.allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_the_softmax_family_keeps_dtypes_as_jax_nn():
    for name in ("softmax", "log_softmax"):
        for x in (jnp.ones(3, jnp.bfloat16), jnp.ones(3, jnp.float16), jnp.ones(3), jnp.arange(3)):
            ours = jax.eval_shape(getattr(jaxact, name), x)
            theirs = jax.eval_shape(getattr(jax.nn, name), x)
            assert ours.dtype == theirs.dtype, (name, x.dtype)
    for name in ("logsumexp", "logmeanexp"):
        for x in (jnp.ones(3, jnp.bfloat16), jnp.ones(3)):
            assert getattr(jaxact, name)(x).dtype == getattr(jax.nn, name)(x).dtype
