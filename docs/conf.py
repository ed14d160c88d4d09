"""Sphinx configuration: the guide (Markdown, through MyST), the API reference from the docstrings.

Build: ``.venv/bin/python -m sphinx -W --keep-going -n -b html docs docs/_build/html``
(.ci/run does this). The performance charts are drawn from bench/results/latest.json
by bench/charts.py when the build starts.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import trio_nodestreams  # noqa: E402

project = "trio_nodestreams"
author = "The trio_nodestreams authors"
copyright = "2026, The trio_nodestreams authors"
release = version = trio_nodestreams.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]

source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
root_doc = "index"

# Every reference must resolve: a link to a page, a heading or an API name that does
# not exist fails the build (-n -W). Names of other projects are not linked (no
# network at build time), so they are allowed to stay unresolved.
nitpicky = True
nitpick_ignore_regex = [
    # Private modules are not documented; annotations and bases may still name them.
    (r"py:.*", r"trio_nodestreams(\.\w+)?\._.*"),
    (r"py:.*", r"(HeadFlags|check_invalid_header_char)"),
    (
        r"py:.*",
        r"(trio|typing|collections|contextlib|attrs?|ssl|socket|enum|types|_?io|pathlib|re|os)(\..*)?",
    ),
    (
        r"py:.*",
        r"(Any|Callable|Awaitable|AsyncIterator|Iterator|Iterable|Mapping|Sequence|Self|Protocol|TextIO)",
    ),
    (
        r"py:.*",
        r"(int|str|bytes|bool|float|dict|list|tuple|set|object|None|type|BaseException|Exception)",
    ),
]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# trio's docstring habit: say what a cancelled call leaves behind.
napoleon_custom_sections = ["Cancellation"]
# "Attributes:" of a class as fields, so that properties documented by autodoc are not twice.
napoleon_use_ivar = True

html_theme = "furo"
html_title = f"trio_nodestreams {release}"
html_static_path: list[str] = []


_SECTION = re.compile(r"^(\s*)([A-Z][a-z]+):\s*$")
_TYPED = re.compile(r"^\s*~?[A-Za-z_][\w.]*(\s*\|\s*[A-Za-z_][\w.]*)*\s*:(\s|$)")
_PARAM = re.compile(r"^\s*\*{0,2}\w+(\s*,\s*\*{0,2}\w+)*\s*(\([^)]*\))?\s*:(\s|$)")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _prose_sections(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Keep the docstrings' prose where Google-style sections expect ``name: text`` entries.

    Runs before napoleon. A ``Raises:`` section written as a sentence (``The first
    error of any stage...``) becomes a plain "Raises" rubric instead of a list of
    exception types; a sentence among ``Args:`` entries (``Other options are those
    of Readable``) moves below the list; ``a, b: text`` among ``Attributes:``
    documents both names.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _SECTION.match(lines[i])
        if not m or m.group(2) not in ("Raises", "Args", "Attributes"):
            out.append(lines[i])
            i += 1
            continue
        base = len(m.group(1))
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > base):
            j += 1
        body = lines[i + 1 : j]
        while body and not body[-1].strip():
            body.pop()
        entries = [line for line in body if line.strip()]
        if not entries:
            out.extend(lines[i:j])
        elif m.group(2) == "Raises" and not _TYPED.match(entries[0]):
            step = _indent(entries[0])
            out += [" " * base + ".. rubric:: Raises", ""]
            out += [" " * base + line[step:] if line.strip() else "" for line in body]
            out.append("")
        elif m.group(2) == "Args":
            step = _indent(entries[0])
            kept, prose = [lines[i]], []
            target = kept
            for line in body:
                if line.strip() and _indent(line) == step:
                    target = kept if _PARAM.match(line) else prose
                target.append(line if target is kept else " " * base + line.strip())
            out += kept + (["", *prose, ""] if prose else [])
        elif m.group(2) == "Attributes":
            # "a, b: text" documents two attributes; napoleon would take "b" for a type.
            step = _indent(entries[0])
            out.append(lines[i])
            k = 0
            while k < len(body):
                start = k
                k += 1
                while k < len(body) and (not body[k].strip() or _indent(body[k]) > step):
                    k += 1
                head, rest = body[start], body[start + 1 : k]
                names, sep, text = head.strip().partition(":")
                if sep and "," in names and "(" not in names:
                    for one in names.split(","):
                        out += [" " * step + f"{one.strip()}:{text}", *rest]
                else:
                    out += [head, *rest]
            out.append("")
        else:
            out.extend(lines[i:j])
        i = j
    lines[:] = out


def _every_public_name_documented(app: Any, env: Any) -> None:
    """Warn (so fail under -W) when a name in ``__all__`` has no entry in the API reference."""
    from sphinx.util import logging

    from trio_nodestreams import http

    documented = set(env.get_domain("py").objects)
    for module in (trio_nodestreams, http):
        for name in module.__all__:
            if f"{module.__name__}.{name}" not in documented:
                logging.getLogger(__name__).warning(
                    "%s.%s is public (in __all__) but not in the API reference",
                    module.__name__,
                    name,
                )


def _draw_charts(app: Any) -> None:
    import charts

    charts.draw(ROOT / "bench" / "results" / "latest.json", Path(app.srcdir) / "charts")


def setup(app: Any) -> None:
    app.connect("builder-inited", _draw_charts)
    app.connect("autodoc-process-docstring", _prose_sections, priority=100)
    app.connect("env-check-consistency", _every_public_name_documented)
