"""Regenerate tests/reference_table.txt.gz, the precomputed mpmath references of the suite.

The suite is run with ``JAXACT_REFERENCE_RECORD`` set, in parallel shards: every reference
any test asks for (``jaxact.accuracy.reference``, the same code the tests would run) is
written down with a hash of its row's definition and of the reference code, and the shards'
records are merged. ``tests/conftest.py`` loads the table; a row whose definition (or the
reference code) changed since is computed afresh, so a stale table costs time, never
correctness. Run it after changing a row's definition or switch points:

    python tests/make_reference_table.py --jobs 16

To add only what the table lacks, run the suite with ``JAXACT_REFERENCE_RECORD=new.txt``
(the table loaded: only references computed afresh are written) and merge with ``--merge``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", type=Path, default=HERE / "reference_table.txt.gz")
    ap.add_argument("--deadline", type=float, default=None, help="seconds; then stop, keep")
    ap.add_argument("--merge", nargs="*", default=None, help="record files to add; no run")
    ap.add_argument(
        "--check", action="store_true", help="write jaxact check's shipped table instead"
    )
    ap.add_argument("pytest_args", nargs="*", default=[str(HERE)])
    a = ap.parse_args()
    if a.check:
        return write_check_table(a.jobs)
    if a.deadline is not None:
        a.deadline += time.monotonic()
    if a.merge is not None:
        return write(a.out, [a.out, *a.merge])
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    ids = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *a.pytest_args],
        capture_output=True,
        text=True,
        env=env,
        cwd=HERE.parent,
    ).stdout.split("\n")
    ids = [i for i in ids if "::" in i]
    with tempfile.TemporaryDirectory() as tmp:
        procs = []
        for k in range(a.jobs):
            shard = ids[k :: a.jobs]
            if not shard:
                continue
            rec = Path(tmp) / f"shard{k}.txt"
            e = dict(env, JAXACT_REFERENCE_RECORD=str(rec), JAXACT_REFERENCE_TABLE="0")
            cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *shard]
            log = open(Path(tmp) / f"log{k}.txt", "w")
            procs.append(subprocess.Popen(cmd, env=e, cwd=HERE.parent, stdout=log, stderr=log))
        for p in procs:
            try:
                p.wait(None if a.deadline is None else max(1.0, a.deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()  # what it recorded so far is kept
                p.wait()
        for log in sorted(Path(tmp).glob("log*.txt")):
            tail = log.read_text().strip().splitlines()[-1:]
            print(log.name, *tail)
        write(a.out, sorted(Path(tmp).glob("shard*.txt")))


def write_check_table(jobs: int) -> None:
    """jaxact/data/check_references.txt.gz: every reference ``jaxact check`` needs with its
    defaults (float32, accuracy.check_points, orders 0–2, each row's default parameter),
    taken from this table where it has them and computed by mpmath where not."""
    import multiprocessing

    from jaxact import ACTIVATIONS, accuracy

    out = accuracy.CHECK_TABLE
    out.parent.mkdir(exist_ok=True)
    with multiprocessing.Pool(jobs) as pool:
        lines = [line for rows in pool.map(_check_lines, list(ACTIVATIONS)) for line in rows]
    with gzip.open(out, "wt", compresslevel=9) as f:
        f.write("# jaxact check's references (name, row hash, x, n, m, parameter, value):\n")
        f.write("# written by `python tests/make_reference_table.py --check`; do not edit.\n")
        f.write("".join(sorted(lines)))
    print(f"{len(lines)} references in {out}")


def _check_lines(name: str) -> list[str]:
    import numpy as np

    from jaxact import ACTIVATIONS, accuracy

    accuracy.load_table(HERE / "reference_table.txt.gz")
    act = ACTIVATIONS[name]
    (p,) = act.sample_params() or (None,)
    dt = np.dtype(accuracy.CHECK_DTYPE)
    p = None if p is None else float(np.asarray(p, dt).astype(np.float64))
    h = accuracy._row_hash(act)
    ps = "-" if p is None else float(p).hex()
    lines = []
    for v in accuracy.check_points(act, dt).astype(np.float64):
        if np.isfinite(v):
            for n in range(3):
                ref = accuracy._encode(accuracy.reference(name, float(v), n, 0, p))
                lines.append(f"{name} {h} {float(v).hex()} {n} 0 {ps} {ref}\n")
    return lines


def write(out: Path, sources) -> None:
    """Merge record files (plain or gzip) into the table ``out``, first entry of a key kept,
    entries of rows whose definition changed since dropped."""
    from jaxact import ACTIVATIONS, accuracy

    current = {name: accuracy._row_hash(act) for name, act in ACTIVATIONS.items()}
    lines = {}
    for src in sources:
        if not Path(src).exists():
            continue
        opener = gzip.open if str(src).endswith(".gz") else open
        with opener(src, "rt") as f:
            for line in f:
                fields = line.split()
                if len(fields) == 7 and current.get(fields[0]) == fields[1]:
                    lines.setdefault(tuple(fields[:6]), line.rstrip("\n"))
    with gzip.open(out, "wt", compresslevel=9) as f:
        for key in sorted(lines):
            f.write(lines[key] + "\n")
    print(f"{len(lines)} references in {out}")


if __name__ == "__main__":
    main()
