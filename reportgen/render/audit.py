"""What the rendered briefing may contain: nothing that reaches outside it.

The HTML is one self-contained file and the PDF renderer's input, so a template
that links to a file, attaches one or imports a stylesheet is refused here, with
the template line that does it, before anything is fetched. Markup nested
deeper than any layout needs is refused too: it would exhaust the renderer.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from reportgen.errors import Location, ReportError, relative

#: Far beyond any sane layout, well before the PDF renderer's recursion gives out.
MAX_DEPTH = 150
_VOID = frozenset(
    "area base br col embed hr img input link meta source track wbr".split()  # noqa: SIM905
)
#: Attributes whose value is a URL a browser or the PDF renderer would follow.
_URL_ATTRIBUTES = frozenset(
    "href src srcset xlink:href data poster action formaction background manifest ping".split()  # noqa: SIM905
)
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]*)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]*)", re.IGNORECASE)


def _inside(url: str) -> bool:
    """A fragment of this document, or data carried inline."""
    return url.startswith("#") or url.lower().startswith("data:")


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.deepest = 0
        #: (what was refused, the text to look for in the templates)
        self.refused: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.open.append(tag)
            self.deepest = max(self.deepest, len(self.open))
        found = {name: value or "" for name, value in attrs}
        if tag == "link":
            url = found.get("href", "")
            self.refused.append((f"refused to fetch '{url}' (<link>): styles are inline", "<link"))
        if "attachment" in found.get("rel", "").lower().split():
            url = found.get("href", "")
            self.refused.append(
                (f"refused attachment '{url}': the briefing attaches no files", url)
            )
        for name, value in found.items():
            if name in _URL_ATTRIBUTES and value and not _inside(value.strip()):
                # A link is followed by the reader; anything else would be fetched.
                what = "link to" if tag == "a" and name == "href" else "to fetch"
                self.refused.append(
                    (
                        f"refused {what} '{value}': the briefing is one self-contained file, "
                        "so it points only inside itself (#id) or at data: URIs",
                        value,
                    )
                )
            if name == "style":
                self._css(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] == "style":
            self._css(data)

    def _css(self, css: str) -> None:
        for match in _CSS_IMPORT.finditer(css):
            self.refused.append(
                (
                    f"refused to fetch '{match.group(1)}' (@import rule): styles are inline",
                    "@import",
                )
            )
        for match in _CSS_URL.finditer(css):
            if not _inside(match.group(1)):
                self.refused.append(
                    (
                        f"refused to fetch '{match.group(1)}' (url() in a stylesheet): "
                        "fonts and images are inline",
                        match.group(1) or "url(",
                    )
                )


def audit(html: str, templates: Path, project: Path) -> None:
    """Raise ReportError for the first thing in ``html`` that reaches outside it."""
    parser = _Audit()
    parser.feed(html)
    parser.close()
    if parser.deepest > MAX_DEPTH:
        raise ReportError(
            f"the templates nest elements {parser.deepest} deep (at most {MAX_DEPTH}): "
            "the PDF renderer cannot lay out markup that deep",
            Location(relative(templates / "briefing.html.j2", project)),
        )
    if parser.refused:
        message, needle = parser.refused[0]
        raise ReportError(message, _find(needle, templates, project))


def _find(needle: str, templates: Path, project: Path) -> Location:
    """The template line that wrote ``needle``, if a template holds it verbatim."""
    for path in sorted(templates.rglob("*")):
        if not path.is_file() or path.suffix not in (".j2", ".css", ".html"):
            continue
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        ):
            if needle and needle in line:
                return Location(relative(path, project), number)
    return Location(relative(templates, project))
