"""The activations compose with JAX's transforms, and their gradients pass finite differences."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import NAMES, PARAMS
from jax.test_util import check_grads

import jaxact


def call(name):
    act = jaxact.ACTIVATIONS[name]
    param = PARAMS[name][-1]
    return (lambda x: act.fn(x, param)) if param is not None else act.fn


X = np.array([-7.5, -2.0, -0.3, 0.4, 1.5, 9.0], np.float32)  # away from the kink at 0


@pytest.mark.parametrize("name", NAMES)
def test_check_grads_float64(name):
    with jax.enable_x64(True):
        f = call(name)
        for x in X.astype(np.float64):
            check_grads(f, (x,), order=2, modes=["fwd", "rev"], eps=1e-4)
        act = jaxact.ACTIVATIONS[name]
        if act.params:  # with respect to the parameter too
            check_grads(lambda a: act.fn(X.astype(np.float64), a), (0.3,), order=2, eps=1e-4)


class TransformsTest(chex.TestCase):
    @chex.variants(with_jit=True, without_jit=True)
    def test_transforms_agree(self):
        for name in NAMES:
            self._check_transforms(call(name))

    def _check_transforms(self, f):
        scalar_d1 = jax.grad(f)
        d1 = jax.vmap(scalar_d1)(X)
        d2 = jax.vmap(jax.grad(scalar_d1))(X)
        chex.assert_trees_all_close(self.variant(f)(X), jax.vmap(f)(X))
        chex.assert_trees_all_equal(self.variant(jax.vmap(jax.jacfwd(f)))(X), d1)
        chex.assert_trees_all_equal(self.variant(jax.vmap(jax.jacrev(f)))(X), d1)
        chex.assert_trees_all_equal(jnp.diag(self.variant(jax.jacfwd(f))(X)), d1)
        chex.assert_trees_all_equal(self.variant(jax.vmap(jax.hessian(f)))(X), d2)
        _, tangent = self.variant(lambda x: jax.jvp(f, (x,), (jnp.ones_like(x),)))(X)
        chex.assert_trees_all_equal(tangent, d1)
        y, f_lin = jax.linearize(f, X)
        chex.assert_trees_all_equal(f_lin(jnp.ones_like(X)), d1)
        _, f_vjp = jax.vjp(f, X)
        chex.assert_trees_all_equal(f_vjp(jnp.ones_like(y))[0], d1)
        twice = lambda x: f(f(x)).sum()  # noqa: E731
        chex.assert_trees_all_close(
            self.variant(jax.grad(jax.checkpoint(twice)))(X), jax.grad(twice)(X)
        )

    @chex.variants(with_jit=True, without_jit=True)
    def test_scan_of_layers(self):
        # A small recurrent stack: the gradient through lax.scan equals the unrolled one.
        for name in NAMES:
            self._check_scan(call(name), jnp.linspace(0.5, 1.5, 4))

    def _check_scan(self, f, w):
        def scanned(x):
            return jax.lax.scan(lambda h, wi: (f(wi * h), None), x, w)[0].sum()

        def unrolled(x):
            for wi in w:
                x = f(wi * x)
            return x.sum()

        chex.assert_trees_all_close(
            self.variant(jax.grad(scanned))(X), jax.grad(unrolled)(X), rtol=1e-6
        )
