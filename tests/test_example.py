"""examples/prelu_toy.py: PReLU's α is learned with optax, on one device or four."""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = pathlib.Path(__file__).parents[1] / "examples" / "prelu_toy.py"
spec = importlib.util.spec_from_file_location("prelu_toy", SCRIPT)
toy = importlib.util.module_from_spec(spec)
sys.modules["prelu_toy"] = toy  # dataclasses look their module up
spec.loader.exec_module(toy)

quiet = lambda _: None  # noqa: E731


@pytest.mark.parametrize("true_alpha", [-0.3])  # and a spread of α: per channel, below
def test_scalar_alpha_is_recovered(true_alpha):
    r = toy.train(toy.Config(true_alpha=true_alpha), progress=quiet)
    assert abs(r.learned_alpha - true_alpha) < 1e-3
    assert r.final_loss < 2e-4  # the noise variance is 1e-4


def test_per_channel_alpha_is_recovered():
    r = toy.train(toy.Config(per_channel=True, seed=3), progress=quiet)
    learned, true = np.array(r.learned_alpha), np.array(r.true_alpha)
    assert learned.shape == true.shape == (toy.HIDDEN,)
    assert np.ptp(true) > 0.2  # the channels really differ
    np.testing.assert_allclose(learned, true, atol=1e-2)


def test_relu_baseline_cannot_fit_and_passes_no_gradient_on_negative_inputs():
    cfg = toy.Config(steps=500)
    prelu, relu = toy.train(cfg, progress=quiet), toy.train(cfg, False, progress=quiet)
    assert relu.learned_alpha == 0.0
    assert relu.final_loss > 100 * prelu.final_loss
    assert 0.3 < relu.zero_grad_fraction < 0.7 and prelu.zero_grad_fraction == 0


def test_deterministic_for_a_seed():
    a, b = (toy.train(toy.Config(steps=200, seed=5), progress=quiet) for _ in range(2))
    assert a.learned_alpha == b.learned_alpha and a.loss_history == b.loss_history


def env(devices=1):
    """The environment of a subprocess with ``devices`` host devices: the flag is appended to
    any XLA_FLAGS already set, and only on CPU hosts (elsewhere it does not apply)."""
    flags = os.environ.get("XLA_FLAGS", "")
    if devices > 1:
        flags = f"{flags} --xla_force_host_platform_device_count={devices}".strip()
    return dict(os.environ, XLA_FLAGS=flags)


def test_xla_flags_are_appended_not_overwritten(monkeypatch):
    monkeypatch.setenv("XLA_FLAGS", "--xla_dump_to=/tmp/x")
    flags = env(4)["XLA_FLAGS"]
    assert flags.startswith("--xla_dump_to=/tmp/x ")
    assert flags.endswith("--xla_force_host_platform_device_count=4")


# Runs the example's train() on 4 devices, recording where device_put placed the batch.
SHARDED = """
import json, runpy, sys, importlib.util, jax
spec = importlib.util.spec_from_file_location("prelu_toy", sys.argv[1])
toy = importlib.util.module_from_spec(spec)
sys.modules["prelu_toy"] = toy
spec.loader.exec_module(toy)
placed, put = [], jax.device_put
def spy(x, *a, **k):
    out = put(x, *a, **k)
    placed.append(out)
    return out
jax.device_put = spy
r = toy.train(toy.Config(steps=400, per_channel=True), progress=lambda _: None)
x, y = placed[0]
print(json.dumps({
    "devices": jax.device_count(),
    "x_devices": len(x.sharding.device_set),
    "x_shards": sorted(tuple(s.data.shape) for s in x.addressable_shards),
    "x_shape": list(x.shape),
    "y_shards": sorted(tuple(s.data.shape) for s in y.addressable_shards),
    "learned": r.learned_alpha, "true": r.true_alpha, "loss": r.final_loss,
}))
# And the script itself, as `python prelu_toy.py ARGS` runs it.
sys.argv = [sys.argv[1], *sys.argv[2:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_four_devices_shard_the_batch_and_recover_alpha(tmp_path):
    import jax

    if jax.default_backend() != "cpu" and jax.device_count() < 4:
        pytest.skip("needs 4 devices: forced host devices exist only on CPU hosts")
    devices = 4 if jax.default_backend() == "cpu" else 1  # GPU/TPU hosts: their own devices
    out = tmp_path / "4.json"
    p = subprocess.run(
        [sys.executable, "-c", SHARDED, str(SCRIPT), "--steps", "50", "--json", str(out)],
        env=env(devices),
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    r = json.loads(next(line for line in p.stdout.splitlines() if line.startswith("{")))
    assert r["devices"] >= 4 and r["x_devices"] == r["devices"]
    n, d = r["x_shape"]
    assert r["x_shards"] == [[n // r["devices"], d]] * r["devices"]  # split along the batch
    assert r["y_shards"] == [[n // r["devices"]]] * r["devices"]
    np.testing.assert_allclose(r["learned"], r["true"], atol=1e-2)
    assert r["loss"] < 2e-4
    # The command line reports the devices it ran on.
    assert f"{r['devices']} device(s)" in p.stdout
    assert json.loads(out.read_text())["devices"] == r["devices"]


def test_json_compare_and_plot(tmp_path, capsys):
    out, png = tmp_path / "r.json", tmp_path / "r.png"
    assert toy.main(["--steps", "300", "--compare", "--json", str(out), "--plot", str(png)]) == 0
    r = json.loads(out.read_text())
    assert isinstance(r["learned_alpha"], float) and r["steps"] == 300
    assert r["relu"]["final_loss"] > r["final_loss"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    stdout = capsys.readouterr().out
    for word in ("true α", "learned α", "ReLU (α = 0)", "time"):
        assert word in stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["--steps", "-5"], "--steps must be a positive integer"),
        (["--steps", "x"], "invalid int value"),
        (["--true-alpha", "abc"], "invalid float value"),
        (["--true-alpha", "nan"], "--true-alpha must be a finite number"),
        (["--lr", "0"], "--lr must be a positive number"),
        (["--json", "/no/such/folder/r.json"], "--json: cannot write"),
        (["--plot", "/"], "--plot: cannot write"),
    ],
)
def test_bad_flags_exit_2_before_training(args, words, capsys):
    with pytest.raises(SystemExit) as e:
        toy.main(args)
    assert e.value.code == 2
    err = capsys.readouterr()
    assert words in err.err and "step" not in err.out


def test_non_finite_loss_stops_without_json(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert toy.main(["--lr", "1e30", "--json", str(out)]) == 1
    assert "loss is nan" in capsys.readouterr().err
    assert not out.exists()
