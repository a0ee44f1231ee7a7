"""The benchmark runs in --quick mode and its output is well-formed (no timing thresholds)."""

import importlib.util
import json
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).parents[1] / "benchmarks"


def load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_bench_quick(tmp_path, capsys):
    bench = load("bench")
    out = tmp_path / "bench.json"
    result = bench.main(
        ["--quick", "--only", "tanh,prelu,squareplus", "--dtypes", "float32", "--json", str(out)]
    )
    assert json.loads(out.read_text()) == json.loads(json.dumps(result))
    rows = result["speed"]
    assert {(r["name"], r["mode"]) for r in rows} == {
        (n, m) for n in ("tanh", "prelu", "squareplus") for m in ("forward", "fwd+bwd")
    }
    for r in rows:
        assert r["jaxact_us"] > 0 and r["jax_nn_us"] > 0 and r["roofline_us"] > 0
        assert r["ratio"] > 0 and r["bw_jaxact"] > 0
    names = [r["name"] for r in result["memory"]["rows"]]
    assert names == ["tanh", "prelu", "squareplus", "tanh (lean)"]
    per_layer = {r["name"]: (r["jaxact"], r["jax_nn"]) for r in result["memory"]["rows"]}
    assert all(v > 0 for pair in per_layer.values() for v in pair)
    assert per_layer["prelu"][0] == pytest.approx(2, abs=0.1)  # its input and its output
    # x and f(x), not the exponential f shares with f′, nor squareplus's intermediates
    assert per_layer["tanh"][0] <= 2 + 0.1 and per_layer["squareplus"][0] <= 2 + 0.1
    for r in result["memory"]["rows"][:3]:  # jaxact.checkpoint_policy: JAX saves x alone
        assert r["saved_policy"] == pytest.approx(1, abs=0.1), r
    out = capsys.readouterr().out
    assert "tensors a training step keeps per layer" in out
    assert "| tanh | float32 | " in out and "| tanh (lean) | " in out


def test_bench_rejects_unknown_names():
    with pytest.raises(SystemExit) as e:
        load("bench").main(["--quick", "--only", "nonesuch"])
    assert e.value.code == 2


def test_accuracy_table_is_markdown():
    acc = load("accuracy")
    table = {(n, o, "bfloat16"): (0.5, 256.0) for n in ("sigmoid", "tanh") for o in range(3)}
    text = acc.markdown(table, ["bfloat16"], ["sigmoid", "tanh"])
    assert text.splitlines()[0] == "| function | order | bfloat16 |"
    assert "| sigmoid | f′ | 0.5 / 256 |" in text
    assert len(text.splitlines()) == 2 + 6  # header, rule, 3 orders of each row asked for
    with pytest.raises(SystemExit):
        acc.main(["--only", "sigmoid,nosuch"])


def test_models_quick(tmp_path, capsys):
    models = load("models")
    out = tmp_path / "models.json"
    rows = models.main(["--quick", "--only", "pinn-tanh-jvp", "--json", str(out)])
    assert [(r["workload"], r["dtype"]) for r in rows] == [("pinn-tanh-jvp", "float32")]
    assert rows[0]["ratio"] > 0 and json.loads(out.read_text())["rows"] == rows
    assert "| pinn-tanh-jvp | tanh | float32 |" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        models.main(["--only", "nonesuch"])
    assert e.value.code == 2
