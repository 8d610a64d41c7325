"""The markup audit's allow-list: what a briefing may contain, and where a refusal points."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import ReportError
from reportgen.render.audit import audit

GIF = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


def _page(body: str, head: str = "") -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
        f"{head}</head><body>{body}</body></html>"
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "templates" / "img").mkdir(parents=True)
    (tmp_path / "templates" / "img" / "logo.png").write_bytes(b"png")
    return tmp_path


def _refusals(html: str, project: Path) -> str:
    with pytest.raises(ReportError) as caught:
        audit(html, project / "templates", project)
    return str(caught.value)


def test_the_markup_a_briefing_uses_passes(project: Path) -> None:
    body = f"""
    <main id="top"><section aria-labelledby="h"><h2 id="h">Heading</h2>
    <p class="x" data-fact="f" style="color: #333; margin: calc(1em + 2px)">Text
    <a href="#top">back</a> <a href="data:text/csv;base64,YQ==" download="a.csv">csv</a></p>
    <img src="{GIF}" alt=""> <img src="templates/img/logo.png" alt="logo">
    <table><thead><tr><th scope="col" colspan="2">h</th></tr></thead>
    <tbody><tr><td>1</td><td>2</td></tr></tbody></table>
    <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
      viewBox="0 0 10 10" role="img" aria-label="chart"><title>chart</title>
      <defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient>
      <path id="p" d="M0 0L1 1"/></defs>
      <rect width="10" height="10" fill="url(#g)" transform="translate(1, 1)"/>
      <use xlink:href="#p" x="1" y="1"/><use href="#p"/></svg>
    </section></main>"""
    css = "@page { @top-left { content: string(t) } } @media print { p { color: black } }"
    audit(_page(body, f"<style>{css}</style>"), project / "templates", project)


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<script>x()</script>", "refused <script>"),
        ("<ScRiPt>x()</ScRiPt>", "refused <script>"),
        ('<iframe srcdoc="&lt;b&gt;"></iframe>', "refused <iframe>"),
        ('<object data="x.svg"></object>', "refused <object>"),
        ('<embed src="x.svg">', "refused <embed>"),
        ('<base href="https://example.org/">', "refused <base>"),
        ('<link rel="stylesheet" href="https://example.org/s.css">', "(<link>)"),
        ('<meta http-equiv="refresh" content="0">', "refused <meta http-equiv='refresh'>"),
        ("<math><mi>x</mi></math>", "refused <math>"),
        ('<p onclick="x()">a</p>', "refused event handler 'onclick' on <p>"),
        ('<svg><rect onmouseover="x()"/></svg>', "refused event handler 'onmouseover' on <rect>"),
        ('<p formaction="x">a</p>', "refused the attribute 'formaction' on <p>"),
        ('<p contenteditable="true">a</p>', "refused the attribute 'contenteditable' on <p>"),
        (f'<img src="{GIF}" srcset="https://example.org/2x.png 2x" alt="">', "<img srcset>"),
        ('<img src="https://example.org/x.png" alt="">', "refused to fetch 'https://"),
        ('<img src="//example.org/x.png" alt="">', "refused to fetch '//example.org"),
        ('<img src="/etc/passwd" alt="">', "refused to fetch '/etc/passwd'"),
        ('<img src="../outside.png" alt="">', "refused to fetch '../outside.png'"),
        ('<img src="%2E%2E/outside.png" alt="">', "refused to fetch '%2E%2E/outside.png'"),
        ('<img src="file:///etc/passwd" alt="">', "refused to fetch 'file:///etc/passwd'"),
        ('<a href="templates/img/logo.png">x</a>', "refused link to 'templates/img/logo.png'"),
        ('<a href=" JavaScript:x()">x</a>', "refused link to 'JavaScript:x()'"),
        ('<a href="jav&#x61;script:x()">x</a>', "refused link to 'javascript:x()'"),
        ('<a href="java\tscript:x()">x</a>', "refused link to 'javascript:x()'"),
        ('<q cite="https://example.org/">x</q>', "refused link to 'https://example.org/'"),
        ('<a rel="attachment" href="#x">x</a>', "refused attachment"),
        (
            '<a href="data:text/html,&lt;script&gt;x()&lt;/script&gt;">x</a>',
            "refused link to 'data:",
        ),
        ('<a href="data:image/svg+xml;base64,PHN2Zy8+">x</a>', "refused link to 'data:image/svg"),
        ('<svg><use href="https://example.org/s.svg#a"/></svg>', "(<use href>)"),
        ('<svg><use xlink:href="../s.svg#a"/></svg>', "refused to fetch '../s.svg#a'"),
        ('<svg><image href="https://example.org/i.png"/></svg>', "(<image href>)"),
        ('<svg><rect fill="url(https://example.org/p#g)"/></svg>', "the fill attribute of <rect>"),
        ("<svg><foreignObject><p>x</p></foreignObject></svg>", "refused <foreignObject>"),
        ('<p style="background: u\\72l(https://example.org/a.png)">x</p>', "'https://example"),
        ('<p style="background:URL( https://example.org/b.png )">x</p>', "'https://example"),
        ("<p style=\"background:image-set('https://example.org/c.png' 1x)\">x</p>", "image-set()"),
        ("<style>@import 'https://example.org/s.css';</style>", "(@import rule in a <style>"),
        ("<style>@\\69mport url(s.css);</style>", "@import rule in a <style>"),
        ("<style>@namespace svg url(x);</style>", "refused the @namespace rule"),
        ("<style>p::after { content: attr(data-x url) }</style>", "refused attr(... url)"),
        (
            '<svg><style>p { background: url("https://example.org/d.png") }</style></svg>',
            "'https://",
        ),
    ],
)
def test_what_the_allow_list_refuses(project: Path, markup: str, expected: str) -> None:
    assert expected in _refusals(_page(markup), project)


def test_a_project_path_that_links_outside_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path.parent / f"{tmp_path.name}-outside.png"
    outside.write_bytes(b"png")
    (project / "templates" / "img" / "link.png").symlink_to(outside)
    page = _page('<img src="templates/img/link.png" alt="">')
    assert "refused to fetch 'templates/img/link.png'" in _refusals(page, project)


def test_every_refusal_is_listed_at_the_template_line_that_wrote_it(project: Path) -> None:
    template = project / "templates" / "briefing.html.j2"
    template.write_text(
        '<p>intro</p>\n<p onclick="x()">a</p>\n<a href="jav&#x61;script:x()">b</a>\n',
        encoding="utf-8",
    )
    (project / "templates" / "base.css").write_text(
        "p { color: red }\nbody { background: u\\72l(https://example.org/a.png) }\n",
        encoding="utf-8",
    )
    css = (project / "templates" / "base.css").read_text(encoding="utf-8")
    page = _page(
        '<p onclick="x()">a</p><a href="jav&#x61;script:x()">b</a>', f"<style>{css}</style>"
    )
    lines = _refusals(page, project).splitlines()
    assert any(line.startswith("templates/briefing.html.j2:2: refused event") for line in lines)
    assert any(line.startswith("templates/briefing.html.j2:3: refused link") for line in lines)
    assert any(line.startswith("templates/base.css:2: refused to fetch") for line in lines)


def test_nesting_is_bounded_before_the_parser_slows_down(project: Path) -> None:
    shallow = _page("<div>" * 160 + "x" + "</div>" * 160)
    assert "nest elements 162 deep (at most 150)" in _refusals(shallow, project)
    deep = _page("<div>" * 50_000 + "x" + "</div>" * 50_000)
    assert "more than 600 deep" in _refusals(deep, project)
