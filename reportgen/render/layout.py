"""The built-in base layout, and the loader that offers it beside a project's templates.

A briefing extends ``reportgen/base.html.j2`` (files in ``reportgen/layout/``), which
writes what a briefing cannot do without: the font faces, the style slot, the sources
list and the appendix that citations and figure links point to. The project's own
``templates/`` come first, so a project overrides a built-in file by putting one of
the same name under ``templates/reportgen/``, or ignores the built-in layout by
extending one of its own.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PrefixLoader

#: The built-in layout's files, shipped with reportgen.
LAYOUT_DIR = Path(__file__).resolve().parent.parent / "layout"
#: How templates name the built-in files: ``{% extends "reportgen/base.html.j2" %}``.
PREFIX = "reportgen"
BASE = f"{PREFIX}/base.html.j2"


def template_loader(templates: Path) -> BaseLoader:
    """The project's ``templates/`` folder first, then the built-in layout under PREFIX/."""
    return ChoiceLoader(
        [
            FileSystemLoader(str(templates)),
            PrefixLoader({PREFIX: FileSystemLoader(str(LAYOUT_DIR))}),
        ]
    )
