"""The briefing's HTML: escaping, errors with template lines, self-containment, structure."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportgen.errors import Problems, ReportError
from reportgen.facts import open_store
from reportgen.facts.store import Store
from reportgen.render import check_templates, render_briefing
from tests.conftest import REPO, BuiltBriefing

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass(frozen=True)
class StandInChart:
    """What reportgen.charts.ChartOutput gives the renderer, with a small drawing."""

    id: str
    number: int
    title: str
    subtitle: str
    caption: str
    note: str
    source_line: str
    alt: str
    svg: str
    png_path: Path | None = None
    svg_narrow: str = ""


def stand_in_charts(project: Path) -> list[StandInChart]:
    """One stand-in per chart spec in the project, so the briefing can place all of them."""
    ids = sorted(p.stem for p in (project / "charts").glob("*.yaml"))
    return [
        StandInChart(
            id=chart_id,
            number=n,
            title=f"Chart {chart_id}",
            subtitle="Subtitle",
            caption="Caption",
            note="Note",
            source_line="Source: an article",
            alt=f"Alt text of {chart_id}",
            svg=(
                '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 40" '
                'aria-hidden="true"><rect width="60" height="30" fill="#0b5f7a"/></svg>'
            ),
        )
        for n, chart_id in enumerate(ids, start=1)
    ]


@pytest.fixture(scope="module")
def store() -> Store:
    return open_store(REPO)


@pytest.fixture(scope="module")
def html(store: Store) -> str:
    return render_briefing(store, stand_in_charts(REPO), REPO)


class _Tree(HTMLParser):
    """Collects ids, links, tag balance and the elements a test asks about."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.urls: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.elements.append((tag, found))
        if found.get("id"):
            self.ids.append(found["id"])
        for name in ("href", "src", "srcset", "xlink:href", "action", "poster", "data"):
            if found.get(name):
                (self.hrefs if name == "href" else self.urls).append(str(found[name]))
        if tag == "a" and "a" in self.stack:
            self.errors.append("a link inside a link")
        if tag in {"div", "p", "ul", "ol", "table", "figure"} and {"p", "span", "a"} & set(
            self.stack[-1:]
        ):
            self.errors.append(f"<{tag}> inside <{self.stack[-1]}>")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(found["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def parse(html: str) -> _Tree:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree


# -- structure ----------------------------------------------------------------------------


def test_document_is_well_formed_with_unique_ids(html: str) -> None:
    tree = parse(html)
    assert tree.errors == []
    assert tree.stack == []
    duplicates = {i for i in tree.ids if tree.ids.count(i) > 1}
    assert duplicates == set()
    assert html.startswith("<!DOCTYPE html>")


def test_language_title_and_metadata_come_from_the_store(html: str, store: Store) -> None:
    assert store.meta is not None
    assert re.search(r'<html lang="en">', html)
    assert f"<title>{store.meta.title}</title>".replace("'", "&#39;") in html
    assert '<meta name="author"' in html


def test_every_internal_link_has_a_target(html: str) -> None:
    tree = parse(html)
    ids = set(tree.ids)
    missing = [h for h in tree.hrefs if h.startswith("#") and h[1:] not in ids]
    assert missing == []


def test_html_is_self_contained(html: str) -> None:
    tree = parse(html)
    external = [h for h in tree.hrefs if not h.startswith("#")]
    assert external == []
    assert [u for u in tree.urls if not u.startswith("data:")] == []
    assert "<link" not in html and "<script" not in html
    for url in re.findall(r"url\(([^)]*)\)", html):
        assert url.strip("'\"").startswith("data:"), url[:60]
    assert "@import" not in html


def test_fonts_are_embedded_inter_faces(html: str) -> None:
    faces = re.findall(r"@font-face\{([^}]*)\}", html)
    assert len(faces) == 3
    assert all("font-family:Inter" in f and "data:font/woff2;base64," in f for f in faces)
    weights = sorted(re.search(r"font-weight:(\d+)", f).group(1) for f in faces)  # type: ignore[union-attr]
    assert weights == ["400", "400", "600"]


def test_every_chart_is_an_image_with_alt_text(html: str) -> None:
    tree = parse(html)
    graphics = [a for tag, a in tree.elements if "chart-graphic" in str(a.get("class"))]
    assert len(graphics) == len(stand_in_charts(REPO))
    for attrs in graphics:
        assert attrs.get("role") == "img"
        assert str(attrs.get("aria-label") or "").startswith("Alt text of")


def test_figures_are_numbered_in_reading_order(html: str) -> None:
    numbers = re.findall(r'Figure <span data-nonfact="figure-number">(\d+)</span>', html)
    assert numbers == [str(n) for n in range(1, len(stand_in_charts(REPO)) + 1)]
    tables = re.findall(r'Table <span data-nonfact="table-number">(\d+)</span></span>', html)
    assert tables == [str(n) for n in range(1, len(tables) + 1)] and len(tables) >= 3


def test_tables_mark_their_headers(html: str) -> None:
    tables = re.findall(r"<table.*?</table>", html, flags=re.S)
    assert len(tables) >= 3
    for table in tables:
        assert "<caption>" in table
        heads = re.findall(r"<th\b[^>]*>", table)
        assert heads and all('scope="col"' in h or 'scope="row"' in h for h in heads)
        assert "<thead>" in table


def test_every_fact_and_derived_metric_has_an_appendix_entry_with_its_quote(
    html: str, store: Store
) -> None:
    for fact in store.facts.values():
        entry = re.search(rf'<div class="fact" id="f-{fact.id}">(.*?)</div>', html, flags=re.S)
        assert entry, fact.id
        quote = fact.quote.replace("'", "&#39;").replace('"', "&#34;")
        # The number the fact states is marked inside its quote.
        assert '<mark class="stated">' in entry.group(1), fact.id
        shown = re.sub(r"</?mark[^>]*>", "", entry.group(1))
        assert quote in shown or fact.quote in shown, fact.id
    for metric in store.derived:
        assert f'id="f-{metric}"' in html


def test_a_figure_links_to_its_entry_shows_its_quote_and_cites_its_source(html: str) -> None:
    link = re.search(
        r'<a class="fig" href="#f-se-project-investment"[^>]*>(.*?)</a>(.*?)</sup>', html
    )
    assert link
    assert "nearly ¥10 billion" in link.group(1)
    tag = link.group(0)
    assert (
        'data-quote="“with a total investment of nearly [10 billion yuan] ($1.44 billion)”"' in tag
    )
    assert '<a href="#src-seres-2022">1</a>' in link.group(2)
    # The source's own conversion follows as the source writes it, with the status.
    assert re.search(
        r'>nearly ¥10 billion</a> \(<a class="fig" href="#f-se-project-investment-usd"[^>]*>'
        r"\$1.44 billion</a>; planned\)\u2060<sup",
        html,
    )


def test_sources_are_numbered_in_the_order_listed(html: str, store: Store) -> None:
    for number, source_id in enumerate(store.sources, start=1):
        assert f'<a href="#src-{source_id}">{number}</a>' in html
        assert f'id="src-{source_id}"' in html


def test_cover_dates_come_from_the_sources(html: str) -> None:
    cover = re.search(r'<header class="cover".*?</header>', html, flags=re.S)
    assert cover
    assert '<time datetime="2022-09" data-nonfact="date">September 2022</time>' in cover.group(0)
    assert '<time datetime="2024-01" data-nonfact="date">January 2024</time>' in cover.group(0)


def test_conflicts_and_caveats_from_the_store_are_shown(html: str, store: Store) -> None:
    for conflict in store.all_conflicts():
        assert f'id="note-{conflict.id}"' in html


def test_rendering_is_deterministic(store: Store, html: str) -> None:
    assert render_briefing(store, stand_in_charts(REPO), REPO) == html


# -- escaping and errors ------------------------------------------------------------------


def test_store_text_is_escaped(store: Store) -> None:
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    fact = store.facts["seres-2022-08-sales"]
    facts = dict(store.facts)
    facts[fact.id] = fact.model_copy(update={"quote": hostile, "note": hostile})
    meta = store.meta.model_copy(update={"title": hostile})  # type: ignore[union-attr]
    evil = replace(store, facts=facts, meta=meta)
    html = render_briefing(evil, stand_in_charts(REPO), REPO)
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _copy(tmp_path: Path) -> Path:
    from tests.conftest import copy_project

    return copy_project(tmp_path / "project")


def _edit(project: Path, name: str, old: str, new: str) -> int:
    path = project / "templates" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1


def test_undefined_name_is_an_error_at_its_template_line(tmp_path: Path, store: Store) -> None:
    project = _copy(tmp_path)
    line = _edit(project, "partials/smart.html.j2", "<h3>Speed</h3>", "<h3>{{ speed_word }}</h3>")
    with pytest.raises(ReportError) as caught:
        render_briefing(store, stand_in_charts(project), project)
    assert str(caught.value).startswith(f"templates/partials/smart.html.j2:{line}: ")
    assert "speed_word" in str(caught.value)


def test_unknown_fact_id_is_an_error_at_its_template_line(tmp_path: Path, store: Store) -> None:
    project = _copy(tmp_path)
    line = _edit(
        project,
        "partials/commercial.html.j2",
        'fig("seres-2022-08-sales")',
        'fig("seres-2022-09-sales")',
    )
    with pytest.raises(ReportError) as caught:
        render_briefing(store, stand_in_charts(project), project)
    assert str(caught.value).startswith(f"templates/partials/commercial.html.j2:{line}: ")
    assert "seres-2022-09-sales" in str(caught.value)


def test_a_built_chart_the_briefing_does_not_place_is_an_error(store: Store) -> None:
    charts = stand_in_charts(REPO)
    extra = replace(charts[0], id="orphan-chart")
    with pytest.raises(ReportError, match="orphan-chart"):
        render_briefing(store, [*charts, extra], REPO)


def test_a_placed_chart_that_was_not_built_is_an_error(store: Store) -> None:
    with pytest.raises(ReportError, match="was not built"):
        render_briefing(store, stand_in_charts(REPO)[1:], REPO)


def test_check_templates_passes_on_the_project() -> None:
    problems = Problems()
    check_templates(REPO, problems)
    assert [str(p) for p in problems] == []


def test_check_templates_reports_syntax_errors_and_missing_partials(tmp_path: Path) -> None:
    project = _copy(tmp_path)
    bad = _edit(project, "partials/targets.html.j2", "{% endcall %}", "{% endcal %}")
    missing = _edit(
        project,
        "briefing.html.j2",
        '{% include "partials/smart.html.j2" %}',
        '{% include "partials/smrt.html.j2" %}',
    )
    (project / "templates" / "css" / "print.css").write_text(
        "a{}</style><script>", encoding="utf-8"
    )
    problems = Problems()
    check_templates(project, problems)
    found = sorted(str(p) for p in problems)
    assert any(f.startswith(f"templates/partials/targets.html.j2:{bad}: ") for f in found), found
    assert (
        f"templates/briefing.html.j2:{missing}: names missing template 'partials/smrt.html.j2'"
        in found
    )
    assert any(f.startswith("templates/css/print.css") for f in found), found


def test_autoescape_is_on_for_html_j2_templates(tmp_path: Path) -> None:
    from reportgen.render import environment

    project = _copy(tmp_path)
    (project / "templates" / "probe.html.j2").write_text("{{ x }}", encoding="utf-8")
    env = environment(project)
    assert env.get_template("probe.html.j2").render(x="<b>") == "&lt;b&gt;"


# -- the PDF a reader gets ----------------------------------------------------------------


def test_pdf_contents_page_numbers_match_the_bookmarks(built_briefing: BuiltBriefing) -> None:
    import pymupdf as fitz

    with fitz.open(built_briefing.pdf) as pdf:
        bookmarks = {title: page for level, title, page in pdf.get_toc() if level == 1}
        contents = pdf[1].get_text()
        footer_first = pdf[0].get_text()
        last = pdf[len(pdf) - 1].get_text()
        total = len(pdf)
    assert "Page 1 of" not in footer_first  # the cover has no running heads
    assert f"Page {total} of {total}" in last
    entries = re.findall(r"^(?:\d+|A)\s+(.+?)\n(\d+)$", contents, flags=re.M)
    assert len(entries) >= 10, contents
    for title, page in entries:
        matching = [p for t, p in bookmarks.items() if t.endswith(title)]
        assert matching and matching[0] == int(page), (title, page, bookmarks)


def test_pdf_running_head_names_the_section(built_briefing: BuiltBriefing) -> None:
    import pymupdf as fitz

    with fitz.open(built_briefing.pdf) as pdf:
        starts: dict[int, list[str]] = {}
        for level, title, page in pdf.get_toc():
            if level == 1:
                starts.setdefault(page, []).append(title)
        heads = [p.get_text("text", clip=fitz.Rect(0, 0, 595, 60)) for p in pdf]
    current: list[str] = []
    for number, head in enumerate(heads, start=1):
        if number < min(starts):
            continue
        # The head names the section in effect at the top of the page.
        candidates = current[-1:] + starts.get(number, [])[:1]
        assert any(c[:20] in head for c in candidates), (number, head, candidates)
        current += starts.get(number, [])


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        (
            '<img src="https://example.org/x.png" alt="x">',
            "refused to fetch 'https://example.org/x.png'",
        ),
        ('<a href="file:///etc/passwd">x</a>', "refused link to 'file:///etc/passwd'"),
        ('<a rel="attachment" href="seeds/sources.yaml">x</a>', "refused attachment"),
        ('<p style="background:url(/etc/passwd)">x</p>', "refused to fetch '/etc/passwd'"),
        ("<div>" * 200 + "deep" + "</div>" * 200, "nest elements 204 deep"),
    ],
)
def test_markup_reaching_outside_the_briefing_is_refused_at_its_line(
    tmp_path: Path, store: Store, markup: str, expected: str
) -> None:
    project = _copy(tmp_path)
    line = _edit(project, "partials/smart.html.j2", "<h3>Speed</h3>", f"<h3>Speed</h3>{markup}")
    with pytest.raises(ReportError) as caught:
        render_briefing(store, stand_in_charts(project), project)
    assert expected in str(caught.value)
    if "deep" not in expected:
        assert str(caught.value).startswith(f"templates/partials/smart.html.j2:{line}: ")
