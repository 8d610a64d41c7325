"""The email's templates in the briefing's sandbox, and what their HTML may hold.

The HTML part renders in :func:`reportgen.render.environment` itself (immutable sandbox,
autoescape, StrictUndefined, the project's templates before the built-in ones). The
text part renders in an overlay of it that does not escape and prints any markup a
helper returns as its words; it keeps no compiled code, so a ``.txt.j2`` compiled for
one never serves the other.

A message is opened on other people's machines, so its HTML may fetch nothing: no
script, frame, form, embedded object or stylesheet link, no event handler, and no
image but the chart that travels with it (``cid:``). Links a reader follows are
``https:`` or ``mailto:``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from reportgen.errors import Location, ReportError

#: Elements that run code, fetch, or take input: never in a message.
_REFUSED = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input"}
    | {"button", "textarea", "select", "link", "base", "svg", "math", "audio", "video"}
    | {"source", "track", "portal", "noscript"}
)
#: Attributes whose value a mail client fetches or follows.
_URL_ATTRIBUTES = frozenset(
    {"src", "srcset", "href", "background", "poster", "action", "formaction", "data"}
    | {"cite", "longdesc"}
)
_LINKS = ("https:", "mailto:")
_CSS_URL = re.compile(r"url\s*\(|@import|expression\s*\(", re.I)


def _as_text(value: Any) -> Any:
    """What the text part prints for a value: markup as the words a reader sees."""
    return value.striptags() if isinstance(value, Markup) else value


def environments(project: Path) -> tuple[Environment, Environment]:
    """(HTML, text) environments for the email's templates."""
    from reportgen.render import environment

    html = environment(project)
    text = html.overlay(autoescape=False, finalize=_as_text, bytecode_cache=None)
    return html, text


def render_email_template(
    project: Path, names: list[str], context: dict[str, object], *, html: bool
) -> str:
    """The first of ``names`` that exists, rendered; ReportError with the template line."""
    html_env, text_env = environments(project)
    env = html_env if html else text_env
    return str(_guarded(project, lambda: env.select_template(names).render(context)))


def content_module(project: Path, names: list[str], context: dict[str, object]) -> tuple[str, Any]:
    """The first of ``names`` that exists, and it as a module: its top-level names and
    macros."""
    env, _ = environments(project)
    template = _guarded(project, lambda: env.select_template(names))
    return str(template.name), _guarded(project, lambda: template.make_module(context))


def _guarded(project: Path, run: Any) -> Any:
    from reportgen.render.environment import template_location as _template_location
    from reportgen.render.sandbox import SANDBOX

    try:
        return run()
    except ReportError as exc:
        raise ReportError(exc.message, exc.location or _template_location(exc, project)) from None
    except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        where = _template_location(exc, project)
        if where is None and not isinstance(exc, TemplateError):
            raise
        message = str(getattr(exc, "message", None) or exc)
        if isinstance(exc, SecurityError):
            message = f"{SANDBOX}: {message}"
        raise ReportError(f"email template: {message}", where) from None


class _Audit(HTMLParser):
    def __init__(self, chart_src: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.chart_src = chart_src
        self.problems: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        if tag in _REFUSED:
            self.problems.append(f"<{tag}> (a message may run or fetch nothing)")
        for name, value in attrs:
            self._attribute(tag, name, (value or "").strip())

    def _attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.problems.append(f"<{tag} {name}> (an event handler)")
        elif name == "style" and _CSS_URL.search(value):
            self.problems.append(f"<{tag} style> fetching a URL")
        elif name in _URL_ATTRIBUTES and not self._allowed(tag, name, value):
            self.problems.append(f"<{tag} {name}={value[:60]!r}> (fetches or links elsewhere)")
        elif tag == "meta" and name == "http-equiv":
            self.problems.append(f"<meta http-equiv={value[:40]!r}>")

    def _allowed(self, tag: str, name: str, value: str) -> bool:
        if name == "src" and tag == "img":
            return self.chart_src is not None and value == self.chart_src
        return tag == "a" and name == "href" and value.lower().startswith(_LINKS)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style and _CSS_URL.search(data):
            self.problems.append("a stylesheet fetching a URL (url(), @import)")


def check_email_html(html: str, chart_cid: str | None) -> None:
    """Refuse an email whose HTML would run or fetch anything (every problem at once)."""
    audit = _Audit(f"cid:{chart_cid}" if chart_cid else None)
    audit.feed(html)
    audit.close()
    if audit.problems:
        found = "; ".join(dict.fromkeys(audit.problems))
        raise ReportError(
            f"the email's HTML may not hold {found}",
            Location("templates/email/email.html.j2"),
        )
