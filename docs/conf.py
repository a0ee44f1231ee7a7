"""Sphinx configuration of jaxact's documentation site.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (see the README).
The API page lists ``jaxact.__all__`` as it is at build time (``_api_members.rst`` is
written below), so a new public name appears without editing the docs.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
import types
from pathlib import Path

DOCS = Path(__file__).parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import jaxact  # noqa: E402

project = "jaxact"
author = "jaxact's authors"
copyright = "jaxact's authors"
release = version = jaxact.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.napoleon",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_api_members.rst"]
templates_path: list[str] = []

# Docstrings are Google style (Args:, Returns:, Examples:), their math in ``.. math::``.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_type_aliases = {"ArrayLike": "jax.typing.ArrayLike", "DTypeLike": "jax.typing.DTypeLike"}
autosummary_generate = False
# The optional modules are documented even where their library is not installed.
autodoc_mock_imports = [m for m in ("flax", "equinox") if importlib.util.find_spec(m) is None]

myst_heading_anchors = 3
# A page that includes a README section keeps the README's heading levels: "### ..." may
# follow the page's "# ..." title.
suppress_warnings = ["myst.header"]

html_theme = "sphinx_book_theme"
html_title = f"jaxact {release}"
html_theme_options = {"show_toc_level": 2}


# The README is included section by section (``start-after``/``end-before`` its headings).
# Its links to repository files (sources, benchmark results) do not exist on the site: they
# become plain text; its images (``docs/...``) are found from the including page.
_REPO_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\((?!https?:|#|docs/)([^)]+)\)")


def _include_read(app, relative_path, parent_docname, content):
    if Path(relative_path).name == "README.md":
        content[0] = _REPO_LINK.sub(r"\1", content[0])


_LITERAL = re.compile(r"(``.*?``|:math:`[^`]*`)")


def _escape_bars(app, what, name, obj, options, lines):
    """The docstrings write |x| in prose, which reStructuredText reads as a substitution:
    escape those bars, outside ``.. math::`` blocks, literals and doctests."""
    math_indent = None
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if math_indent is not None and (not line.strip() or indent > math_indent):
            continue
        math_indent = indent if line.lstrip().startswith(".. math::") else None
        if math_indent is not None or line.lstrip().startswith((">>>", "...")):
            continue
        parts = _LITERAL.split(line)
        parts[::2] = [p.replace("|", r"\|") for p in parts[::2]]
        lines[i] = "".join(parts)


def _attribute_doc(name: str, obj) -> list[str]:
    """The ``#:`` comment above ``name``'s assignment in the jaxact module that defines it."""
    from sphinx.pycode import ModuleAnalyzer

    for modname in sorted(m for m in sys.modules if m.split(".")[0] == "jaxact"):
        if getattr(sys.modules[modname], name, None) is not obj:
            continue
        docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        if ("", name) in docs:
            return list(docs[("", name)])
    return []


def _write_api_members() -> None:
    """``_api_members.rst``: every name of ``jaxact.__all__``, grouped by kind."""
    groups: dict[str, list[str]] = {"activations": [], "functions": [], "objects": []}
    modules = []
    for name in jaxact.__all__:
        obj = getattr(jaxact, name)
        if isinstance(obj, types.ModuleType):
            modules.append(name)
        elif inspect.isroutine(obj) or hasattr(obj, "__wrapped__"):
            in_table = obj.__module__.startswith("jaxact.activations")
            groups["activations" if in_table else "functions"].append(name)
        else:
            groups["objects"].append(name)

    def directive(name: str) -> list[str]:
        obj = getattr(jaxact, name)
        if inspect.isroutine(obj) or hasattr(obj, "__wrapped__"):
            return [f".. autofunction:: {name}"]
        if inspect.isclass(obj):
            return [f".. autoclass:: {name}", "   :members:"]
        return [f".. data:: {name}", ""] + [f"   {line}" for line in _attribute_doc(name, obj)]

    lines = [".. currentmodule:: jaxact", ""]
    for title, key in [
        ("Activations", "activations"),
        ("Derivatives", "functions"),
        ("The table and checkpointing", "objects"),
    ]:
        lines += [title, "-" * len(title), ""]
        if key != "objects":  # autosummary reads a data object's type's docstring
            lines += [".. autosummary::", ""] + [f"   {n}" for n in groups[key]] + [""]
        for n in groups[key]:
            lines += [*directive(n), ""]
    lines += ["Modules", "-------", ""]
    for n in [*modules, "accuracy", "flax", "equinox"]:
        lines += [f".. automodule:: jaxact.{n}", "   :members:", ""]
    text = "\n".join(lines)
    path = DOCS / "_api_members.rst"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def setup(app):
    _write_api_members()
    app.connect("include-read", _include_read)
    app.connect("autodoc-process-docstring", _escape_bars)
