"""The jaxact command, through its main function and once as python -m jaxact."""

import gzip
import importlib.util
import subprocess
import sys

import numpy as np
import pytest

import jaxact
from jaxact import accuracy, cli, plotting

PNG = b"\x89PNG\r\n\x1a\n"


def test_info(capsys):
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    for name in jaxact.ACTIVATIONS:
        assert f"\n{name} " in out
    assert "(-4.58, 4.58)" in out and "(0, inf)" in out  # sigmoid's and relu's saturation
    assert "alpha=required" in out
    # the breakpoint belongs to the grid: selu's max|f′| is f′(0) = λα (left piece)
    selu = next(line.split() for line in out.splitlines() if line.startswith("selu "))
    assert selu.count("1.7581") == 2, selu  # f′(0) and max|f′|


def test_check_passes_and_can_fail(capsys, monkeypatch):
    assert cli.main(["check", "--only", "sigmoid,relu", "--points", "5"]) == 0
    assert "all within bounds" in capsys.readouterr().out
    monkeypatch.setitem(accuracy.BOUNDS, "float32", (0.1, 0.1, 0.1))
    assert cli.main(["check", "--only", "sigmoid"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_check_with_its_defaults_computes_no_reference(capsys, monkeypatch):
    def computed(*a):
        raise AssertionError(f"computed a reference afresh: {a[1:]}")

    monkeypatch.setattr(accuracy, "_reference", computed)
    # Only the shipped table: the suite's own (loaded, or queued to load) set aside, and
    # put back as it was when the test ends.
    monkeypatch.setattr(accuracy, "_TABLE", {})
    monkeypatch.setattr(accuracy, "_PENDING", [])
    assert cli.main(["check", "--only", "tanh,prelu,gelu_exact"]) == 0
    out = capsys.readouterr().out
    assert "\ntanh " in out and "\ngelu_exact " in out and "computed by mpmath" not in out


def test_the_shipped_check_table_covers_every_row():
    # Regenerate with `python tests/make_reference_table.py --check` after changing a row.
    with gzip.open(accuracy.CHECK_TABLE, "rt") as f:
        rows = [line.split() for line in f if not line.startswith("#")]
    keys = {
        (name, float.fromhex(x), int(n), None if p == "-" else float.fromhex(p))
        for name, h, x, n, m, p, _ in rows
        if h == accuracy._row_hash(jaxact.ACTIVATIONS[name])
    }
    for name, act in jaxact.ACTIVATIONS.items():
        (p,) = act.sample_params() or (None,)
        p = None if p is None else float(np.float32(p))
        for v in accuracy.check_points(act, np.float32):
            if np.isfinite(v):
                for n in range(3):
                    assert (name, float(v), n, p) in keys, (name, float(v), n, p)


def test_plot_writes_figures(tmp_path, capsys):
    out = tmp_path / "figs"
    assert cli.main(["plot", "--out", str(out), "--only", "sigmoid,relu", "--svg"]) == 0
    for stem in ("sigmoid", "relu", "overview"):
        png = out / f"{stem}.png"
        assert png.read_bytes()[:8] == PNG and png.stat().st_size > 5_000
        assert (out / f"{stem}.svg").stat().st_size > 5_000
    assert str(out / "overview.png") in capsys.readouterr().out


def test_plot_without_matplotlib(tmp_path, capsys, monkeypatch):
    def missing():
        raise ImportError('plots need matplotlib: pip install "jaxact[examples]"')

    monkeypatch.setattr(plotting, "pyplot", missing)
    assert cli.main(["plot", "--out", str(tmp_path)]) == 2
    assert "pip install" in capsys.readouterr().err
    assert cli.main(["flow", "--depth", "3", "--plot", str(tmp_path / "f.png")]) == 2


def test_flow(tmp_path, capsys):
    path = tmp_path / "flow.png"
    args = ["flow", "--depth", "6", "--width", "32", "--batch", "16", "--plot", str(path)]
    args += ["--only", "sigmoid,relu,prelu"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "layer 1" in out and "layer 6" in out and "first/last" in out
    assert path.read_bytes()[:8] == PNG


@pytest.mark.parametrize(
    "args, words",
    [
        (["plot", "--only", "nonesuch"], "unknown activation nonesuch; choose from sigmoid"),
        (["flow", "--depth", "0"], "must be positive"),
        (["flow", "--width", "many"], "not a number"),
        (["check", "--dtype", "float8"], "unknown dtype float8"),
        (["info", "--eps", "-1"], "must be positive"),
        ([], "required"),
    ],
)
def test_bad_arguments_exit_2(args, words, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(args)
    assert e.value.code == 2
    assert words in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, words",
    [
        (["flow", "--depth", "3", "--plot", "/no/such/folder/f.png"], "--plot /no/such/folder"),
        (["plot", "--out", "/proc/jaxact-figures"], "--out /proc/jaxact-figures"),
    ],
)
def test_unwritable_paths_exit_2_before_computing(args, words, capsys, monkeypatch):
    def never(*a, **k):
        raise AssertionError("computed before checking the path")

    monkeypatch.setattr(cli, "gradient_flow", never)
    monkeypatch.setattr(plotting, "activation_figures", never)
    assert cli.main(args) == 2
    assert words in capsys.readouterr().err


def test_python_dash_m():
    # The entry point only (test_info runs the command itself in-process).
    p = subprocess.run([sys.executable, "-m", "jaxact", "--help"], capture_output=True, text=True)
    assert p.returncode == 0 and "usage: jaxact" in p.stdout and "info" in p.stdout


def test_check_without_mpmath_exits_2_and_names_the_extra(capsys, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "mpmath" else real(name, *a)
    )
    assert cli.main(["check", "--only", "relu"]) == 2
    assert "pip install 'jaxact[check]'" in capsys.readouterr().err


def test_help_shows_the_defaults(capsys):
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    assert "(default: 0)" in out and "(default: all)" in out
