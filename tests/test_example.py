"""examples/prelu_toy.py: PReLU's α is learned with optax, on one device, three, or two
processes of two devices each."""

import importlib.util
import json
import os
import pathlib
import socket
import subprocess
import sys
import time

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
    """The environment of a subprocess on the CPU with ``devices`` host devices: the flag is
    appended to any XLA_FLAGS already set; JAX_PLATFORMS=cpu, so that forced host devices
    exist on GPU and TPU hosts too."""
    flags = os.environ.get("XLA_FLAGS", "")
    if devices > 1:
        flags = f"{flags} --xla_force_host_platform_device_count={devices}".strip()
    return dict(os.environ, XLA_FLAGS=flags, JAX_PLATFORMS="cpu")


def test_xla_flags_are_appended_not_overwritten(monkeypatch):
    monkeypatch.setenv("XLA_FLAGS", "--xla_dump_to=/tmp/x")
    flags = env(4)["XLA_FLAGS"]
    assert flags.startswith("--xla_dump_to=/tmp/x ")
    assert flags.endswith("--xla_force_host_platform_device_count=4")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_all(commands, folder, timeout=60):
    """Runs the (argv, env) pairs at once, their output in files in ``folder`` (no pipe to
    fill and block on); returns their (returncode, stdout, stderr). Every process is killed
    if they are not all done within ``timeout`` seconds, or if the test is interrupted."""
    procs, deadline = [], time.monotonic() + timeout
    try:
        for i, (argv, e) in enumerate(commands):
            out, err = (open(folder / f"{i}.{name}", "w+") for name in ("out", "err"))
            procs.append((subprocess.Popen(argv, env=e, stdout=out, stderr=err), out, err))
        results = []
        for p, out, err in procs:
            p.wait(timeout=max(deadline - time.monotonic(), 0.1))
            out.seek(0), err.seek(0)
            results.append((p.returncode, out.read(), err.read()))
        return results
    finally:
        for p, out, err in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            out.close(), err.close()


def test_run_all_kills_every_process_when_time_runs_out(tmp_path):
    sleeper = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(60)"
    pids = [tmp_path / f"pid{i}" for i in range(2)]
    fast = ([sys.executable, "-c", "pass"], env())
    slow = [([sys.executable, "-c", sleeper, str(p)], env()) for p in pids]
    with pytest.raises(subprocess.TimeoutExpired):
        run_all([fast, *slow], tmp_path, timeout=2)
    for p in pids:
        if p.exists():  # else it was killed before it wrote its id
            with pytest.raises(ProcessLookupError):  # killed and reaped
                os.kill(int(p.read_text()), 0)


# Runs the script as `python prelu_toy.py ARGS` does, recording the shards of the batch.
SHARDS = """
import json, sys, importlib.util
spec = importlib.util.spec_from_file_location("prelu_toy", sys.argv[1])
toy = importlib.util.module_from_spec(spec)
sys.modules["prelu_toy"] = toy
spec.loader.exec_module(toy)
make, shards = toy.global_batch, []
def spy(*args):
    out = make(*args)
    shards.append([sorted(list(s.data.shape) for s in a.addressable_shards) for a in out])
    return out
toy.global_batch = spy
code = toy.main(sys.argv[2:])
print(json.dumps({"shards": shards[0]}))
sys.exit(code)
"""


def test_two_processes_learn_the_alpha_of_one_process_and_three_devices_pad(tmp_path):
    # 2 processes × 2 CPU devices through jax.distributed, and 1 process with 3 devices (4096
    # rows do not split in 3: 2 zero-weight rows pad the batch), on the same task at once.
    args = [str(SCRIPT), "--steps", "200", "--per-channel", "--json"]
    coordinator = ["--coordinator", f"127.0.0.1:{free_port()}", "--num-processes", "2"]
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    (rc3, out3, err3), (rc0, out0, err0), (rc1, out1, err1) = run_all(
        [
            ([sys.executable, "-c", SHARDS, *args, str(one)], env(3)),
            *(
                ([sys.executable, *args, str(two), *coordinator, "--process-id", str(i)], env(2))
                for i in range(2)
            ),
        ],
        tmp_path,
    )
    assert rc3 == rc0 == rc1 == 0, err3 + err0 + err1
    # Three devices: the batch is padded to 4098 rows, 1366 on each device, and says so.
    assert (
        "3 device(s) in 1 process(es)" in out3
        and "4096 samples + 2 zero-weight padding rows" in out3
    )
    shards = json.loads(next(line for line in out3.splitlines() if line.startswith("{")))
    assert shards["shards"] == [[[1366, toy.INPUTS]] * 3, [[1366]] * 3, [[1366]] * 3]
    # Two processes: process 0 alone prints and writes the JSON, for 4 devices.
    assert "4 device(s) in 2 process(es)" in out0 and "learned α" in out0
    assert "learned α" not in out1 and "step" not in out1
    r1, r2 = json.loads(one.read_text()), json.loads(two.read_text())
    assert (r1["devices"], r1["processes"], r1["padding_rows"]) == (3, 1, 2)
    assert (r2["devices"], r2["processes"], r2["padding_rows"]) == (4, 2, 0)
    # The same α as one process, up to the order of the floating-point sums.
    np.testing.assert_allclose(r2["learned_alpha"], r1["learned_alpha"], rtol=0, atol=1e-6)
    # 200 steps bring every channel's α near its true value (2000 steps: below 1e-2).
    np.testing.assert_allclose(r2["learned_alpha"], r2["true_alpha"], atol=5e-2)


def test_json_compare_and_plot(tmp_path, capsys):
    out, png = tmp_path / "r.json", tmp_path / "r.png"
    assert toy.main(["--steps", "300", "--compare", "--json", str(out), "--plot", str(png)]) == 0
    r = json.loads(out.read_text())
    assert isinstance(r["learned_alpha"], float) and r["steps"] == 300
    assert r["relu"]["final_loss"] > r["final_loss"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    stdout = capsys.readouterr().out
    for word in ("true α", "learned α", "ReLU (α = 0)", "loss (last step)", "compile", "ms/step"):
        assert word in stdout


TWO = ["--num-processes", "2", "--process-id"]


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
        (["--coordinator", "localhost:1234"], "go together: all or none"),
        (["--num-processes", "2", "--process-id", "0"], "go together: all or none"),
        (["--coordinator", "localhost", *TWO, "0"], "--coordinator must be HOST:PORT"),
        (["--coordinator", "h:1", *TWO, "2"], "--process-id must be in 0 … 1, got 2"),
        (["--coordinator", "h:1", "--num-processes", "0", "--process-id", "0"], "positive"),
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
