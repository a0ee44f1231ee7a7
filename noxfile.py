"""Sessions for nox (not a dependency of jaxact): ``pipx run nox -s floor``, or
``pip install nox && nox -s tests floor docs``.

- ``tests``: the whole suite on the latest jax (what ``.ci/run`` runs).
- ``floor``: the quick subset ``tests/floor.args`` on the oldest jax that pyproject.toml
  allows (its ``jax>=`` bound), with only what that subset needs.
- ``docs``: the documentation site, warnings as errors, into ``docs/_build/html``.

Extra arguments go to pytest or Sphinx: ``nox -s tests -- tests/test_api.py -n 0``.
"""

from __future__ import annotations

import re

import nox

nox.options.sessions = ["tests", "floor", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
#: The jax floor, as pyproject.toml declares it (jaxlib has the same version).
FLOOR = next(
    m.group(1)
    for dep in PYPROJECT["project"]["dependencies"]
    if (m := re.fullmatch(r"jax>=([\d.]+)", dep.replace(" ", "")))
)
#: What the floor's subset imports beside jaxact (no flax, equinox, optax or folx, whose
#: recent releases need a newer jax).
FLOOR_TEST_DEPS = ["pytest>=8.2", "pytest-xdist>=3.2", "chex>=0.1.86", "mpmath>=1.3"]
#: The docs build: warnings are errors.
SPHINX_ARGS = ["-W", "--keep-going", "-b", "html", "docs", "docs/_build/html"]


@nox.session
def tests(session: nox.Session) -> None:
    session.install(".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def floor(session: nox.Session) -> None:
    session.install(".", f"jax=={FLOOR}", f"jaxlib=={FLOOR}", *FLOOR_TEST_DEPS)
    session.run("python", "-c", f"import jax; assert jax.__version__ == {FLOOR!r}")
    session.run("python", "-m", "pytest", "@tests/floor.args", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    session.install(".[docs]")
    session.run("python", "-m", "sphinx", *SPHINX_ARGS, *session.posargs)
