"""PReLU modules for flax nnx and equinox: training moves α toward the truth; shapes; jit/vmap."""

from __future__ import annotations

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxact

optax = pytest.importorskip("optax")

TRUE_ALPHA = np.array([0.05, 0.6], np.float32)


def _data():
    x = jax.random.normal(jax.random.key(0), (256, 2)) * 3  # half the inputs negative
    return x, jnp.where(x > 0, x, TRUE_ALPHA * x)


def test_import_jaxact_does_not_import_flax_equinox_or_mpmath():
    # mpmath: only jaxact.accuracy (on call) and the tables' generator use it.
    code = "import sys, jaxact; print(bool({'flax', 'equinox', 'mpmath'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_flax_prelu_trains():
    nnx = pytest.importorskip("flax.nnx")
    from jaxact.flax import PReLU

    model = PReLU(num_channels=2)
    opt = nnx.Optimizer(model, optax.sgd(0.1), wrt=nnx.Param)
    x, y = _data()

    @nnx.jit
    def step(model, opt):
        loss, grads = nnx.value_and_grad(lambda m: jnp.mean((m(x) - y) ** 2))(model)
        opt.update(model, grads)
        return loss

    before = np.abs(np.asarray(model.alpha[...]) - TRUE_ALPHA)
    losses = [float(step(model, opt)) for _ in range(20)]
    after = np.abs(np.asarray(model.alpha[...]) - TRUE_ALPHA)
    assert losses[-1] < losses[0]
    assert np.all(after < 0.5 * before)


def test_equinox_prelu_trains():
    eqx = pytest.importorskip("equinox")
    from jaxact.equinox import PReLU

    model = PReLU(num_channels=2)
    opt = optax.sgd(0.1)
    state = opt.init(eqx.filter(model, eqx.is_array))
    x, y = _data()

    @eqx.filter_jit
    def step(model, state):
        loss, grads = eqx.filter_value_and_grad(lambda m: jnp.mean((m(x) - y) ** 2))(model)
        updates, state = opt.update(grads, state)
        return eqx.apply_updates(model, updates), state, loss

    before = np.abs(np.asarray(model.alpha) - TRUE_ALPHA)
    losses = []
    for _ in range(20):
        model, state, loss = step(model, state)
        losses.append(float(loss))
    after = np.abs(np.asarray(model.alpha) - TRUE_ALPHA)
    assert losses[-1] < losses[0]
    assert np.all(after < 0.5 * before)


@pytest.mark.parametrize("lib", ["flax", "equinox"])
def test_shapes_jit_vmap_and_exact_alpha_gradient(lib):
    pytest.importorskip(lib)
    mod = pytest.importorskip(f"jaxact.{lib}")
    scalar, per_channel = mod.PReLU(), mod.PReLU(num_channels=3, alpha_init=0.1)
    alpha = (lambda m: m.alpha[...]) if lib == "flax" else (lambda m: m.alpha)
    assert alpha(scalar).shape == () and alpha(per_channel).shape == (3,)
    x = jnp.array([[-2.0, 1.0, -1e-30], [3.0, -4.0, 0.0]])
    np.testing.assert_allclose(per_channel(x), jnp.where(x > 0, x, 0.1 * x), rtol=1e-7)
    np.testing.assert_allclose(scalar(x), jnp.where(x > 0, x, 0.25 * x), rtol=1e-7)
    np.testing.assert_allclose(jax.jit(lambda v: per_channel(v))(x), per_channel(x))
    np.testing.assert_allclose(jax.vmap(lambda v: per_channel(v))(x), per_channel(x))
    with pytest.raises(ValueError, match="num_channels"):
        per_channel(jnp.ones((2, 4)))
    # ∂/∂α of Σ f is Σ x over x ≤ 0, per channel: exact.
    if lib == "equinox":
        import equinox as eqx

        g = eqx.filter_grad(lambda m: m(x).sum())(per_channel).alpha
    else:
        from flax import nnx

        g = nnx.grad(lambda m: m(x).sum())(per_channel).alpha[...]
    np.testing.assert_array_equal(g, jnp.array([-2.0, -4.0, -1e-30]))


def test_the_floors_import_only_downwards():
    # The generated tables at the bottom (they import nothing of jaxact), then the floors:
    # _dd and _math (the arithmetic), _checks, _tower (the primitive), _row (the table's
    # row type), _series (on the arithmetic and the root tables); each family above all,
    # nothing of one family in another (their shared arithmetic lives in the floors).
    import ast
    import pathlib

    root = pathlib.Path(jaxact.__file__).parent
    tables = sorted((root / "_tables").glob("*.py"))
    # What the families may import of them: the generated modules, not the generator.
    generated = [path.stem for path in tables if path.stem not in ("__init__", "generate")]
    table_modules = {f"jaxact._tables.{stem}" for stem in generated}
    assert {"jaxact._tables.logistic_roots", "jaxact._tables.mills"} <= table_modules
    floors = {
        "jaxact._dd": set(),
        "jaxact._math": {"jaxact._compat"},
        "jaxact._checks": {"jaxact._jax_internals", "jaxact._tower"},  # a type hint only
        "jaxact._tower": {"jaxact._jax_internals", "jaxact._math"},
        "jaxact._row": {"jaxact._tower"},
        "jaxact._series": {"jaxact._dd", "jaxact._math", "jaxact._tables.logistic_roots"},
    }
    families = sorted((root / "activations").glob("[!_]*.py"))
    assert len(families) == 6
    family_allowed = set(floors) | {"jaxact._jax_internals"} | table_modules
    for path in [*tables, *(root / f"{m.split('.')[-1]}.py" for m in floors), *families]:
        nodes = list(ast.walk(ast.parse(path.read_text())))
        imported = {n.module or "" for n in nodes if isinstance(n, ast.ImportFrom)} | {
            alias.name for n in nodes if isinstance(n, ast.Import) for alias in n.names
        }
        imported = {name for name in imported if name.startswith("jaxact")}
        if path.parent.name == "_tables":
            allowed = set()
        else:
            allowed = floors.get(f"jaxact.{path.stem}", family_allowed)
        assert imported <= allowed, (path.name, imported - allowed)
