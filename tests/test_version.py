"""The version is written once (jaxact.__version__), and the changelog has its entry."""

import importlib.metadata
import json
import re
import tomllib
from pathlib import Path

import pytest

import jaxact

ROOT = Path(__file__).parents[1]


def test_pyproject_reads_the_version_from_the_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in config["project"], "pyproject.toml writes the version a second time"
    assert "version" in config["project"]["dynamic"]
    assert config["tool"]["hatch"]["version"]["path"] == "jaxact/__init__.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", jaxact.__version__)


def test_the_changelog_has_the_version_and_an_unreleased_section():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert headings[0] == "Unreleased"
    assert jaxact.__version__ in headings, f"CHANGELOG.md has no entry for {jaxact.__version__}"


def test_the_installed_metadata_has_the_version():
    """Meaningful where jaxact is installed non-editable from this tree (CI's fresh venv);
    an editable install keeps the metadata of the version it was installed at."""
    try:
        dist = importlib.metadata.distribution("jaxact")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("jaxact is not installed (imported from the source tree)")
    direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
    if direct_url.get("dir_info", {}).get("editable"):
        pytest.skip("editable install: its metadata is that of the version it was installed at")
    assert dist.version == jaxact.__version__, (
        f"installed jaxact {dist.version}, source {jaxact.__version__}: reinstall"
    )
