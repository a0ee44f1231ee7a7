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


@pytest.mark.parametrize("true_alpha", [0.1, 0.4, -0.3])
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


def run(*args, devices=1, **kw):
    env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}")
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, **kw
    )


def test_one_and_four_devices_agree(tmp_path):
    results = []
    for devices in (1, 4):
        out = tmp_path / f"{devices}.json"
        p = run("--steps", "400", "--per-channel", "--json", str(out), devices=devices)
        assert p.returncode == 0, p.stderr
        assert f"{devices} device(s)" in p.stdout
        results.append(json.loads(out.read_text()))
    one, four = results
    assert (one["devices"], four["devices"]) == (1, 4)
    fields = {"true_alpha", "learned_alpha", "final_loss", "steps", "backend", "devices", "seconds"}
    assert fields <= set(one)
    np.testing.assert_allclose(four["learned_alpha"], one["learned_alpha"], atol=1e-5)


def test_json_compare_and_plot(tmp_path):
    out, png = tmp_path / "r.json", tmp_path / "r.png"
    p = run("--steps", "300", "--compare", "--json", str(out), "--plot", str(png))
    assert p.returncode == 0, p.stderr
    r = json.loads(out.read_text())
    assert isinstance(r["learned_alpha"], float) and r["steps"] == 300
    assert r["relu"]["final_loss"] > r["final_loss"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    for word in ("true α", "learned α", "ReLU (α = 0)", "time"):
        assert word in p.stdout


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
