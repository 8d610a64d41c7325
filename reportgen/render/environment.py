"""The templates' environment: sandboxed, autoescaped and strict, its compiled code
cached, its stylesheets inlined; and where in a template an error comes from."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2 import BytecodeCache, Environment, StrictUndefined, TemplateSyntaxError
from markupsafe import Markup

from reportgen.errors import Location, ReportError, relative
from reportgen.periods import month_year, period_words
from reportgen.render.bytecode import SealedBytecodeCache
from reportgen.render.layout import template_loader
from reportgen.render.sandbox import TemplateSandbox

TEMPLATE_DIR = "templates"
BRIEFING = "briefing.html.j2"
#: Where a ``print_stylesheet()`` goes: only the HTML WeasyPrint reads gets its CSS.
PRINT_SLOT = "/*reportgen:print-css:{}*/"
PRINT_SLOTS = re.compile(r"/\*reportgen:print-css:(\d+)\*/")


#: How templates are read and compiled. A change here changes the compiled code, so
#: it also names the folder that caches it.
_TEMPLATE_OPTIONS: dict[str, Any] = {
    "undefined": StrictUndefined,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": True,
}


def environment(project: Path) -> Environment:
    """Sandboxed (:mod:`reportgen.render.sandbox`), autoescape on for every template
    whatever its suffix; undefined names are errors.

    Compiled templates are kept in ``PROJECT/.cache/jinja``: compiling every template
    is a measurable part of each build (``make bench``). Jinja reuses one only while
    the template's source is unchanged; the folder is named after the options, the
    sandbox (which compiles attribute access and operators differently) and Jinja's version."""
    env = TemplateSandbox(
        loader=template_loader(project / TEMPLATE_DIR),
        autoescape=True,
        bytecode_cache=_bytecode_cache(project),
        auto_reload=False,
        **_TEMPLATE_OPTIONS,
    )
    env.filters["period_words"] = period_words
    env.filters["month_year"] = month_year
    env.filters["oneline"] = oneline
    env.globals["stylesheet"] = _stylesheet_loader(env)
    return env


def oneline(value: Any) -> Any:
    """White space collapsed to single spaces; markup stays markup (no tag is split)."""
    words = " ".join(str(value).split())
    return Markup(words) if isinstance(value, Markup) else words  # noqa: S704


def _bytecode_cache(project: Path) -> BytecodeCache | None:
    sandbox = f"{TemplateSandbox.__qualname__} {sorted(TemplateSandbox.intercepted_binops)}"
    options = f"autoescape {sorted(_TEMPLATE_OPTIONS.items())} {sandbox} {jinja2.__version__}"
    folder = project / ".cache" / "jinja" / hashlib.sha256(options.encode()).hexdigest()[:16]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only project still builds, compiling every time
        return None
    return SealedBytecodeCache(str(folder))


def _stylesheet_loader(env: Environment) -> object:
    def stylesheet(name: str) -> Markup:
        """A CSS file from templates/, inlined into <style> (the HTML is self-contained)."""
        if not name.endswith(".css"):
            raise ReportError(f"stylesheet '{name}' is not a .css file")
        assert env.loader is not None
        source, _, _ = env.loader.get_source(env, name)
        if "</" in source:
            raise ReportError(f"stylesheet '{name}' contains '</', which would end <style>")
        # A project file, checked above not to close the <style> element.
        return Markup(source)  # noqa: S704

    return stylesheet


def print_stylesheets(env: Environment) -> tuple[Callable[[str], Markup], list[str]]:
    """``print_stylesheet(name)`` for templates, and the sheets it read (in call order).

    Paged-media CSS (``@page`` margin boxes, ``string-set``, ``bookmark-level``,
    ``target-counter``) is not CSS a browser knows: the published page would fail HTML
    validators and print oddly from a browser. It goes into the PDF's HTML only."""
    stylesheet = env.globals["stylesheet"]
    assert callable(stylesheet)
    sheets: list[str] = []

    def print_stylesheet(name: str) -> Markup:
        sheets.append(str(stylesheet(name)))
        return Markup(PRINT_SLOT.format(len(sheets) - 1))  # noqa: S704 - a constant

    return print_stylesheet, sheets


def with_print_css(html: str, sheets: Sequence[str]) -> str:
    return PRINT_SLOTS.sub(lambda m: sheets[int(m.group(1))], html)


def template_location(exc: BaseException, project: Path) -> Location | None:
    """The template line an error came from: Jinja rewrites frames to template lines."""
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        return Location(relative(Path(exc.filename), project), exc.lineno or 0)
    found: Location | None = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html", ".css")):
            found = Location(relative(Path(filename), project), tb.tb_lineno)
        tb = tb.tb_next
    return found
