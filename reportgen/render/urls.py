"""Where the briefing's markup and styles may point: an allow-list of URL forms.

A URL is one of three kinds of reference. A *link* (``<a href>``, ``cite``) is
followed by a reader, so it stays inside the briefing (``#id``) or carries its
target inline (``data:``). A *resource* (``<img src>``, an SVG ``<image>`` or
``<use>``, ``url()`` in CSS) is fetched by the PDF renderer, which reads only
``data:`` URIs and files inside the project; the audit refuses anything else
before the renderer sees it, so the two agree. Everything is judged after the
decoding a browser or WeasyPrint does (entities by the HTML parser, CSS escapes by
tinycss2, percent-escapes and stray whitespace here).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import tinycss2  # type: ignore[import-untyped]
from tinycss2.ast import (  # type: ignore[import-untyped]
    AtKeywordToken,
    FunctionBlock,
    Node,
    StringToken,
    URLToken,
)

from reportgen.text import shorten

#: A URL's scheme, as URL parsers read it.
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
#: Browsers drop these anywhere in a URL ("java\tscript:" is "javascript:").
_DROPPED = re.compile(r"[\t\n\r]")
#: CSS functions whose strings are URLs to fetch.
_URL_FUNCTIONS = frozenset(
    {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "-webkit-cross-fade"}
)
#: At-rules a briefing's styles may use; @import and @namespace fetch or refer outside.
_AT_RULES = frozenset(
    {"media", "page", "font-face", "supports", "counter-style", "keyframes", "layer"}
    | {
        f"{side}-{where}"
        for side in ("top", "bottom")
        for where in ("left-corner", "left", "center", "right", "right-corner")
    }
    | {f"{side}-{where}" for side in ("left", "right") for where in ("top", "middle", "bottom")}
)
#: data: links of these media types would open a document that can run script.
_ACTIVE_TYPES = ("html", "xml", "svg", "script")
RESOURCE_RULE = "the briefing may fetch only #fragments, data: URIs and files inside the project"
LINK_RULE = "links point only inside the briefing (#id) or at data: URIs of plain data"


def clean(url: str) -> str:
    """The URL as a browser reads it: outer whitespace and controls stripped, tabs and
    newlines dropped."""
    return _DROPPED.sub("", url.strip(_C0_AND_SPACE))


def link_allowed(url: str) -> bool:
    """A reader may follow it without leaving the briefing: a fragment, or data such as
    the appendix's CSV, never a document that could run script (HTML, SVG, XML)."""
    url = clean(url)
    if url.startswith("#"):
        return True
    if _scheme(url) != "data":
        return False
    media_type = url[5:].split(",", 1)[0].lower()
    return not any(kind in media_type for kind in _ACTIVE_TYPES)


def resource_allowed(url: str, project: Path) -> bool:
    """The PDF renderer may fetch it: a fragment, data:, or a project file by a
    relative path that stays inside the project."""
    url = clean(url)
    if url.startswith("#") or _scheme(url) == "data":
        return True
    if not url or _scheme(url) is not None:
        return False
    path = unquote(urlsplit(url.replace("\\", "/")).path)
    if not path or path.startswith("/") or "\x00" in path:
        return False
    root = project.resolve()
    try:
        return (root / path).resolve().is_relative_to(root)
    except (OSError, ValueError):
        return False


def _scheme(url: str) -> str | None:
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else None


Found = tuple[str, tuple[str, ...]]
"""A problem: (message, texts that would find the line that wrote it, best first)."""


def css_problems(css: str, project: Path, where: str) -> Iterator[Found]:
    """Each thing in ``css`` that reaches outside the briefing. ``where`` names the
    stylesheet or attribute. A problem's texts include its source line as written
    (escapes and all), which the templates hold verbatim."""
    if "(" not in css and "@" not in css:
        return  # no url(), no function, no at-rule, however escaped: nothing to fetch
    lines = css.splitlines()
    tokens = tinycss2.parse_component_value_list(css, skip_comments=True)
    for message, needle, token in _walk(tokens, project, where):
        line = token.source_line
        written = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        yield message, (written, needle)


def _walk(tokens: list[Node], project: Path, where: str) -> Iterator[tuple[str, str, Node]]:
    stack = [tokens]
    while stack:
        siblings = stack.pop()
        for index, token in enumerate(siblings):
            if isinstance(token, URLToken):
                yield from _resource(token.value, token, project, f"url() in {where}")
            elif isinstance(token, AtKeywordToken) and token.lower_value not in _AT_RULES:
                yield _at_rule(token, siblings[index + 1 :], where)
            elif isinstance(token, FunctionBlock):
                yield from _function(token, project, where)
                stack.append(token.arguments)
            elif getattr(token, "content", None) is not None:
                stack.append(token.content)  # {} [] () blocks


def _at_rule(token: AtKeywordToken, after: list[Node], where: str) -> tuple[str, str, Node]:
    rule = f"@{token.lower_value} rule in {where}"
    target = next((t for t in after if t.type != "whitespace"), None)
    if isinstance(target, FunctionBlock) and target.lower_name == "url":
        target = next((t for t in target.arguments if isinstance(t, StringToken)), None)
    if token.lower_value == "import" and isinstance(target, StringToken | URLToken):
        message = f"refused to fetch '{_shown(target.value)}' ({rule}): styles are inline"
        return message, target.value, token
    return f"refused the {rule}: styles are inline and fetch nothing", f"@{token.value}", token


def _function(token: FunctionBlock, project: Path, where: str) -> Iterator[tuple[str, str, Node]]:
    if token.lower_name in _URL_FUNCTIONS:
        for argument in token.arguments:
            if isinstance(argument, StringToken):
                what = f"{token.lower_name}() in {where}"
                yield from _resource(argument.value, argument, project, what)
    if token.lower_name == "attr" and any(
        getattr(argument, "lower_value", None) == "url" for argument in token.arguments
    ):
        message = f"refused attr(... url) in {where}: it fetches what an attribute names"
        yield message, "", token


def _resource(url: str, token: Node, project: Path, what: str) -> Iterator[tuple[str, str, Node]]:
    if not resource_allowed(url, project):
        yield f"refused to fetch '{_shown(url)}' ({what}): {RESOURCE_RULE}", url, token


def _shown(url: str, limit: int = 120) -> str:
    return shorten(clean(url), limit)
