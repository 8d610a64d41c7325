"""What ``check`` does of a build short of laying out pages: render the templates.

The briefing is rendered against the store with the charts planned but not drawn,
so every error the render stage of a build would raise (an undefined name, an
unknown fact id, the layout's rules, the markup audit) is raised here, with the
template line. Two more checks catch what only WeasyPrint would otherwise notice:
every ``href="#…"`` needs an element with that id, and every id a helper is given
must exist (all of them at once, where rendering stops at the first).
"""

from __future__ import annotations

import logging
import re
from html import unescape as html_unescape
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, TemplateNotFound

from reportgen.errors import Location, Problems, ReportError, relative
from reportgen.facts.store import Store

if TYPE_CHECKING:
    from reportgen.charts import ChartOutput

log = logging.getLogger(__name__)

#: Helpers whose first argument is a fact or derived id, an entity id, a source id.
_FIGURE_HELPERS = frozenset(
    "fig value short status label describe period quote plain equivalents figure".split()  # noqa: SIM905
)
_ENTITY_HELPERS = frozenset({"entity"})
_SOURCE_HELPERS = frozenset({"source_title", "source_date", "source_number"})
_HELPER_CALL = re.compile(
    r"(?<![\w.])(?P<helper>"
    + "|".join(sorted(_FIGURE_HELPERS | _ENTITY_HELPERS | _SOURCE_HELPERS | {"chart"}))
    + r")\(\s*(?P<quote>['\"])(?P<id>[^'\"\n]*)(?P=quote)"
)
_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
#: Reported one by one up to here, then counted.
_MAX_ANCHORS = 10


def outline_charts(store: Store, project: Path, problems: Problems) -> list[ChartOutput] | None:
    """Every chart spec validated against the store, as templates see a chart before it
    is drawn (title, alt text, size); None when a spec has a problem (added to
    ``problems``). Neither the chart cache nor matplotlib is touched."""
    from reportgen.charts import outline, resolve_charts

    before = len(problems)
    outlines = [outline(chart) for chart in resolve_charts(store, project, problems)]
    return outlines if len(problems) == before else None


def check_rendering(
    store: Store, project: Path, charts: list[ChartOutput] | None, problems: Problems
) -> None:
    """Add a located problem for everything rendering the briefing would fail on.

    The ids templates name are checked whatever else is wrong; the briefing is rendered
    only when nothing is, since a broken store, chart or template fails the render
    anyway. ``charts`` is None when a chart spec has a problem."""
    from reportgen.render import TEMPLATE_DIR, environment, render
    from reportgen.render.figurescan import figure_problems

    project = project.resolve()
    env = environment(project)
    static = Problems()
    _unknown_ids(env, store, None if charts is None else {c.id for c in charts}, project, static)
    clean = not problems
    for problem in static:
        problems.extend(problem)
    if not clean or charts is None:
        return
    try:
        briefing = render(store, charts, project)
    except ReportError as exc:
        # The render stops at the first unknown id, which the scan above has reported.
        if not any(p.location == exc.location for p in static):
            problems.extend(exc)
        return
    _anchors(briefing.html, project / TEMPLATE_DIR, project, problems)
    for error in figure_problems(briefing.html, store, project):
        problems.extend(error)


def _unknown_ids(
    env: Environment, store: Store, charts: set[str] | None, project: Path, problems: Problems
) -> None:
    """Every literal id a template hands a helper names a record of the store.

    Read from the template text: parsing every template again would double what
    ``check_templates`` spends, and a helper call with a literal id is one pattern."""
    assert env.loader is not None
    figures = set(store.facts) | set(store.derived)
    for name in sorted(env.list_templates(filter_func=lambda n: n.endswith(".j2"))):
        try:
            source, filename, _ = env.loader.get_source(env, name)
        except (TemplateNotFound, UnicodeDecodeError):
            continue  # check_templates reports it
        shown = relative(Path(filename), project) if filename else name
        # Comments blanked out, line breaks kept: an example in a comment is no call.
        source = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), source)
        for match in _HELPER_CALL.finditer(source):
            message = _unknown(match["helper"], match["id"], store, figures, charts)
            if message:
                line = source.count("\n", 0, match.start()) + 1
                problems.add(message, Location(shown, line))


def _unknown(
    helper: str, record_id: str, store: Store, figures: set[str], charts: set[str] | None
) -> str | None:
    if helper in _FIGURE_HELPERS and record_id not in figures:
        return (
            f"{helper}('{record_id}'): no fact or derived metric with id '{record_id}' "
            "(`reportgen facts list` shows the ids)"
        )
    if helper in _ENTITY_HELPERS and record_id not in store.entities:
        return f"{helper}('{record_id}'): no entity with id '{record_id}'"
    if helper in _SOURCE_HELPERS and record_id not in store.sources:
        return f"{helper}('{record_id}'): no source with id '{record_id}' in seeds/sources.yaml"
    if helper == "chart" and charts is not None and record_id not in charts:
        known = ", ".join(sorted(charts)) or "none"
        return f"chart('{record_id}'): no chart with id '{record_id}' in charts/ ({known})"
    return None


#: Where no link or id can be: comments, and the text of <style> and <script>.
_INERT = re.compile(r"<!--.*?-->|<(style|script)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(
    r"<[a-zA-Z][^\s/>]*((?:\s+[^\s=/>]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>"
)
_ATTRIBUTE = re.compile(r"([^\s=/>]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+)))?")


def _targets_and_links(html: str) -> tuple[set[str], list[str]]:
    """The ids in ``html`` and the fragments its links point to, in document order.

    A tokenising pattern rather than an HTML parser: this runs on every ``check``,
    and the markup audit has parsed the same document already."""
    ids: set[str] = set()
    links: dict[str, None] = {}
    for tag in _TAG.finditer(_INERT.sub("", html)):
        for attribute in _ATTRIBUTE.finditer(tag.group(1)):
            name = attribute.group(1).lower()
            value = html_unescape(next((v for v in attribute.groups()[1:] if v is not None), ""))
            if name in ("id", "name") and value:
                ids.add(value)
            elif name in ("href", "xlink:href") and value.startswith("#") and len(value) > 1:
                links.setdefault(value[1:], None)
    return ids, list(links)


def _anchors(html: str, templates: Path, project: Path, problems: Problems) -> None:
    """Every ``href="#id"`` has an element with that id (WeasyPrint refuses the PDF)."""
    ids, links = _targets_and_links(html)
    missing = [f for f in links if f not in ids]
    # Figure links and citations miss their targets together when the layout lacks
    # the appendix or the sources list: one problem each, not one per figure.
    for prefixes, what in _WRITTEN_BY_LAYOUT:
        group = [f for f in missing if f.startswith(prefixes)]
        if group:
            more = f" (and {len(group) - 1} more like it)" if len(group) > 1 else ""
            problems.add(
                f"{what} points to #{group[0]}{more}, but no element has that id: the built-in "
                'layout writes the appendix (id="f-ID") and the sources list '
                '(id="src-ID"); extend "reportgen/base.html.j2", or write them in your '
                "own layout",
                _where(group[0], templates, project),
            )
            missing = [f for f in missing if f not in group]
    for fragment in missing[:_MAX_ANCHORS]:
        problems.add(
            f"a link points to #{fragment}, but no element has id '{fragment}': add the "
            "element, or correct the link",
            _where(fragment, templates, project),
        )
    if len(missing) > _MAX_ANCHORS:
        problems.add(
            f"… and {len(missing) - _MAX_ANCHORS} more links without a target",
            Location(relative(templates / "briefing.html.j2", project)),
        )


_WRITTEN_BY_LAYOUT = ((("f-", "appendix-csv"), "a figure link"), (("src-",), "a citation"))


def _where(fragment: str, templates: Path, project: Path) -> Location:
    """The template line that wrote the link: the fragment itself, or the id it is built
    from (a figure link is written by a helper call naming the figure)."""
    needles = [f"#{fragment}"]
    for prefix in ("f-", "src-"):
        if fragment.startswith(prefix):
            needles += [f"'{fragment[len(prefix) :]}'", f'"{fragment[len(prefix) :]}"']
    files = sorted(p for p in templates.rglob("*.j2") if p.is_file())
    for needle in needles:
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), 1):
                if needle in line:
                    return Location(relative(path, project), number)
    return Location(relative(templates / "briefing.html.j2", project))
