"""examples/pinn_poisson.py: a physics-informed network solves −Δu = f with jaxact's tanh."""

import importlib.util
import json
import pathlib
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

SCRIPT = pathlib.Path(__file__).parents[1] / "examples" / "pinn_poisson.py"
spec = importlib.util.spec_from_file_location("pinn_poisson", SCRIPT)
pinn = importlib.util.module_from_spec(spec)
sys.modules["pinn_poisson"] = pinn  # dataclasses look their module up
spec.loader.exec_module(pinn)

quiet = lambda _: None  # noqa: E731


@pytest.mark.parametrize("mode", ["jvp", "jet"])
def test_laplacian_matches_finite_differences(mode):
    # The network's Laplacian by autodiff against a central difference in float64.
    with jax.enable_x64(True):
        params = jax.tree.map(lambda a: a.astype(jnp.float64), pinn.init(jax.random.key(1), 8))
        u = pinn.network(pinn.jaxact.tanh)
        p = jnp.array([0.3, 0.6])
        h = 1e-4
        fd = sum(
            (u(params, p + h * e) - 2 * u(params, p) + u(params, p - h * e)) / h**2
            for e in jnp.eye(2)
        )
        np.testing.assert_allclose(pinn.laplacian(u, params, p, mode), fd, rtol=1e-6)


def test_training_reduces_the_error_matches_jax_nn_and_writes_json_and_plot(tmp_path, capsys):
    out, png = tmp_path / "r.json", tmp_path / "r.png"
    assert pinn.main(["--steps", "500", "--compare", "--json", str(out), "--plot", str(png)]) == 0
    ours, theirs = json.loads(out.read_text())
    assert (ours["implementation"], theirs["implementation"]) == ("jaxact", "jax.nn")
    keys = {"l2_error", "final_loss", "mean_loss_last_50", "compile_seconds", "step_ms"}
    assert keys | {"seconds", "backend", "activation", "devices", "processes"} <= set(ours)
    assert ours["final_loss"] == ours["loss_history"][-1]
    assert ours["mean_loss_last_50"] == pytest.approx(np.mean(ours["loss_history"][-50:]))
    assert ours["loss_history"][-1] < ours["loss_history"][0] / 20
    assert ours["l2_error"] < 0.3
    # Inside a PINN the activation never saturates: exact and textbook derivatives agree.
    assert abs(ours["l2_error"] - theirs["l2_error"]) < 1e-3 * ours["l2_error"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    for label in ("relative L2 error", "loss (last step)", "loss (mean, last 50 steps)"):
        assert label in out
    assert " s " in out and "ms/step" in out and "loss (this step)" in out


@pytest.mark.parametrize(
    "args, words",
    [
        (["--steps", "0"], "--steps must be a positive integer"),
        (["--width", "-3"], "--width must be a positive integer"),
        (["--lr", "nan"], "--lr must be a positive number"),
        (["--activation", "relu"], "invalid choice"),
        (["--laplacian", "fd"], "invalid choice"),
        (["--json", "/no/such/folder/r.json"], "--json: cannot write"),
        (["--process-id", "1"], "go together: all or none"),
        (["--coordinator", "h:x", "--num-processes", "2", "--process-id", "0"], "HOST:PORT"),
    ],
)
def test_bad_flags_exit_2(args, words, capsys):
    with pytest.raises(SystemExit) as e:
        pinn.main(args)
    assert e.value.code == 2
    assert words in capsys.readouterr().err


def test_non_finite_loss_stops_cleanly(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert pinn.main(["--steps", "20", "--lr", "1e30", "--json", str(out)]) == 1
    assert "loss is" in capsys.readouterr().err
    assert not out.exists()
