"""What the rendered briefing may contain: known markup that reaches nothing outside it.

The HTML is one self-contained file and the PDF renderer's input, so the audit
reads it as WeasyPrint does (its own HTML5 parser, tinyhtml5, and tinycss2 for
every stylesheet, style attribute and SVG paint) and allows only listed elements
and attributes, and only the URL forms of :mod:`reportgen.render.urls`. Anything
else (scripts, event handlers, frames, ``<object>``, ``<base>``, ``<meta
http-equiv>``, ``<link>``, ``srcset``, ``@import``, a remote ``url()`` however it is
escaped) is refused with the template line that wrote it, all at once, before
anything is fetched. Markup nested deeper than any layout needs is refused too: it
would exhaust the renderer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from tinyhtml5 import inputstream  # type: ignore[import-untyped]
from tinyhtml5.parser import HTMLParser  # type: ignore[import-untyped]

from reportgen.errors import Location, ReportError, ReportErrors, relative
from reportgen.render.urls import (
    LINK_RULE,
    RESOURCE_RULE,
    clean,
    css_problems,
    link_allowed,
    resource_allowed,
)

#: Far beyond any sane layout, well before the PDF renderer's recursion gives out.
MAX_DEPTH = 150
#: The parser stops here: HTML5 tree building slows with the square of the depth.
_PARSE_LIMIT = 4 * MAX_DEPTH
#: At most this many problems are listed; past it the markup is hostile anyway.
_MAX_FINDINGS = 20

_SVG_NS = "{http://www.w3.org/2000/svg}"
_ATTRIBUTE_NS = {
    "{http://www.w3.org/1999/xlink}": "xlink:",
    "{http://www.w3.org/2000/xmlns/}": "xmlns:",
    "{http://www.w3.org/XML/1998/namespace}": "xml:",
}
_HTML = frozenset(
    """html head body title meta style header footer main section article aside nav div
    span p a h1 h2 h3 h4 h5 h6 ul ol li dl dt dd table thead tbody tfoot tr th td caption
    colgroup col figure figcaption blockquote q cite abbr em strong b i u s small sub sup br
    hr wbr code pre kbd samp var mark time data details summary address dfn del ins img
    bdi bdo ruby rt rp""".split()  # noqa: SIM905
)
_SVG = frozenset(
    """svg g path rect circle ellipse line polyline polygon text tspan title desc defs
    clipPath mask linearGradient radialGradient stop use symbol image style pattern
    marker""".split()  # noqa: SIM905
)
_GLOBAL = frozenset("class id title lang dir role style hidden tabindex translate".split())  # noqa: SIM905
_HTML_ATTRIBUTES: dict[str, frozenset[str]] = {
    tag: frozenset(names.split())
    for tag, names in {
        "html": "xmlns",
        "meta": "charset name content",
        "a": "href rel download hreflang type",
        "img": "src alt width height loading decoding",
        "td": "colspan rowspan headers",
        "th": "colspan rowspan headers scope abbr",
        "col": "span",
        "colgroup": "span",
        "ol": "start reversed type",
        "li": "value",
        "time": "datetime",
        "data": "value",
        "q": "cite",
        "blockquote": "cite",
        "del": "cite datetime",
        "ins": "cite datetime",
        "details": "open",
        "bdo": "dir",
        "style": "media type",
    }.items()
}
_SVG_ATTRIBUTES = frozenset(
    """xmlns xmlns:xlink xml:space version viewBox preserveAspectRatio width height x y x1
    y1 x2 y2 cx cy r rx ry d points transform pathLength href xlink:href fill fill-opacity
    fill-rule stroke stroke-width stroke-opacity stroke-linecap stroke-linejoin
    stroke-miterlimit stroke-dasharray stroke-dashoffset opacity clip-path clip-rule mask
    color font-family font-size font-weight font-style text-anchor dominant-baseline
    alignment-baseline letter-spacing word-spacing text-decoration dx dy rotate
    textLength lengthAdjust visibility display offset stop-color stop-opacity
    gradientUnits gradientTransform spreadMethod fx fy fr clipPathUnits maskUnits
    maskContentUnits patternUnits patternContentUnits patternTransform markerWidth
    markerHeight markerUnits refX refY orient marker-start marker-mid marker-end
    vector-effect shape-rendering text-rendering paint-order type""".split()  # noqa: SIM905
)
#: Attributes whose value is a URL somewhere in HTML or SVG, allowed or not.
_URL_ATTRIBUTES = frozenset(
    """href src srcset xlink:href data poster action formaction background manifest ping
    cite codebase longdesc lowsrc dynsrc usemap icon archive classid profile
    imagesrcset""".split()  # noqa: SIM905
)
#: Followed by a reader, not fetched: (element, attribute).
_LINKS = frozenset({("a", "href"), ("q", "cite"), ("blockquote", "cite")})
_LINKS |= {("del", "cite"), ("ins", "cite")}
_WHY = {
    "script": "the briefing runs no scripts",
    "noscript": "the briefing runs no scripts",
    "template": "the briefing runs no scripts",
    "iframe": "the briefing embeds no other documents",
    "frame": "the briefing embeds no other documents",
    "frameset": "the briefing embeds no other documents",
    "object": "the briefing embeds no other documents",
    "embed": "the briefing embeds no other documents",
    "portal": "the briefing embeds no other documents",
    "foreignObject": "the briefing embeds no other documents",
    "base": "relative URLs resolve against the project",
    "form": "the briefing sends nothing anywhere",
}

Finding = tuple[str, tuple[str, ...]]
"""(message, texts to look for in the templates, best first)"""


class _TooDeep(Exception):
    pass


class _BoundedStack(list[Any]):
    def append(self, item: Any) -> None:
        if len(self) >= _PARSE_LIMIT:
            raise _TooDeep
        super().append(item)


class _CharacterRuns(dict[tuple[Any, bool], re.Pattern[str]]):
    """tinyhtml5's cache of the patterns that scan runs of characters, filled under
    the key it looks up. tinyhtml5 2.1 stores each pattern under the pattern itself
    (a chained assignment), so every lookup misses and rebuilds it: 40% of a parse."""

    def __missing__(self, key: tuple[Any, bool]) -> re.Pattern[str]:
        characters, opposite = key
        # As tinyhtml5.inputstream builds it.
        escaped = "".join(f"\\x{ord(character):02x}" for character in characters)
        pattern = re.compile(f"[{escaped}]+" if opposite else f"[^{escaped}]+")
        self[key] = pattern
        return pattern


if isinstance(getattr(inputstream, "characters_until_regex", None), dict):
    inputstream.characters_until_regex = _CharacterRuns()


class _Parser(HTMLParser):  # type: ignore[misc]
    """WeasyPrint's HTML5 parser, stopped once elements nest past _PARSE_LIMIT."""

    def reset(self) -> None:
        super().reset()
        self.tree.open_elements = _BoundedStack(self.tree.open_elements)


def audit(html: str, templates: Path, project: Path) -> None:
    """Raise ReportError(s) for everything in ``html`` that is not allowed."""
    briefing = Location(relative(templates / "briefing.html.j2", project))
    try:
        root = _Parser(namespace_html_elements=False).parse(html)
    except _TooDeep:
        raise ReportError(
            f"the templates nest elements more than {_PARSE_LIMIT} deep (at most {MAX_DEPTH}): "
            "the PDF renderer cannot lay out markup that deep",
            briefing,
        ) from None
    findings: dict[str, tuple[str, ...]] = {}
    deepest = 0
    for element, depth in _elements(root):
        deepest = max(deepest, depth)
        for message, needles in _element_problems(element, project):
            findings.setdefault(message, needles)
    if deepest > MAX_DEPTH:
        raise ReportError(
            f"the templates nest elements {deepest} deep (at most {MAX_DEPTH}): "
            "the PDF renderer cannot lay out markup that deep",
            briefing,
        )
    if findings:
        raise ReportErrors(
            ReportError(message, _find(needles, templates, project))
            for message, needles in list(findings.items())[:_MAX_FINDINGS]
        )


def _elements(root: Element) -> Iterator[tuple[Element, int]]:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if isinstance(element.tag, str):  # comments are not elements
            yield element, depth
        stack.extend((child, depth + 1) for child in reversed(element))


def _element_problems(element: Element, project: Path) -> Iterator[Finding]:
    svg = element.tag.startswith(_SVG_NS)
    tag = element.tag.rpartition("}")[2]  # MathML and other namespaces by local name
    attributes = {_attribute_name(k): v for k, v in element.attrib.items()}
    known = tag in _SVG if svg else (tag in _HTML and not element.tag.startswith("{"))
    if tag == "link":
        url = attributes.pop("href", "")
        yield f"refused to fetch '{clean(url)}' (<link>): styles are inline", (url, "<link")
    elif tag == "meta" and "http-equiv" in attributes:
        what = f"<meta http-equiv='{attributes.pop('http-equiv')}'>"
        yield f"refused {what}: the briefing sets no headers and redirects nowhere", ("http-equiv",)
    elif not known:
        why = _WHY.get(tag, "not an element the briefing may contain")
        yield f"refused <{tag}>: {why}", (f"<{tag}",)
    if tag == "style":
        yield from _css("".join(element.itertext()), project, "a <style> element", ())
    allowed = (_SVG_ATTRIBUTES if svg else _HTML_ATTRIBUTES.get(tag, frozenset())) | _GLOBAL
    for name, value in attributes.items():
        yield from _attribute_problems(tag, svg, name, value, project)
        # Named only on markup that is itself allowed: the element's refusal says enough.
        if known and not (
            name in allowed or name.startswith(("aria-", "data-")) or name.lower().startswith("on")
        ):
            message = f"refused the attribute '{name}' on <{tag}>: not in the briefing's markup"
            yield message, (f"{name}=",)


def _attribute_name(name: str) -> str:
    """``{namespace}local`` as written: ``xlink:href``, ``xmlns:xlink``, ``xmlns``."""
    for namespace, prefix in _ATTRIBUTE_NS.items():
        if name.startswith(namespace):
            local = name.removeprefix(namespace)
            return "xmlns" if prefix == "xmlns:" and local == "xmlns" else prefix + local
    return name


def _attribute_problems(
    tag: str, svg: bool, name: str, value: str, project: Path
) -> Iterator[Finding]:
    if name.lower().startswith("on"):
        message = f"refused event handler '{name}' on <{tag}>: the briefing runs no scripts"
        yield message, (f"{name}=", value)
    elif name == "rel" and "attachment" in value.lower().split():
        yield "refused attachment: the briefing attaches no files", (value,)
    elif name in _URL_ATTRIBUTES:
        yield from _url_problems(tag, name, value, project)
    elif name == "style" or (svg and "(" in value):
        yield from _css(value, project, f"the {name} attribute of <{tag}>", (value,))


def _url_problems(tag: str, name: str, value: str, project: Path) -> Iterator[Finding]:
    urls = [c.split()[0] for c in value.split(",") if c.split()] if "srcset" in name else [value]
    for url in urls:
        if (tag, name) in _LINKS:
            if not link_allowed(url):
                yield f"refused link to '{clean(url)}' (<{tag} {name}>): {LINK_RULE}", (url,)
        elif not resource_allowed(url, project):
            yield f"refused to fetch '{clean(url)}' (<{tag} {name}>): {RESOURCE_RULE}", (url,)


def _css(css: str, project: Path, where: str, needles: tuple[str, ...]) -> Iterator[Finding]:
    for message, found in css_problems(css, project, where):
        yield message, (*found, *needles)


def _find(needles: tuple[str, ...], templates: Path, project: Path) -> Location:
    """The template line that wrote the first of ``needles`` found (any case, as
    written or with its character references decoded as the parser decodes them)."""
    files = [
        (path, path.read_text(encoding="utf-8", errors="replace").lower().splitlines())
        for path in sorted(templates.rglob("*"))
        if path.is_file() and path.suffix in (".j2", ".css", ".html")
    ]
    for needle in (n.lower() for n in needles if n.strip()):
        for path, lines in files:
            for number, line in enumerate(lines, 1):
                if needle in line or ("&" in line and needle in unescape(line)):
                    return Location(relative(path, project), number)
    return Location(relative(templates, project))
