"""The appendix past its limit: the first figures listed, all of them in appendix.csv."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pypdf
import pytest

from reportgen.build import build
from reportgen.facts import open_store
from reportgen.facts.export import as_csv
from tests.conftest import BuiltBriefing, copy_project, run_reportgen

LIMIT = 24


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The real project with ``appendix_limit`` below its 56 figures, built."""
    project = copy_project(tmp_path_factory.mktemp("bounded") / "project")
    report = project / "seeds" / "report.yaml"
    report.write_text(report.read_text() + f"appendix_limit: {LIMIT}\n")
    out = project / "build"
    build(project, out, {"html", "pdf"}, force=True)
    return project, out


def _appendix(html: str) -> str:
    return html[html.index('id="appendix"') :]


def _entries(html: str) -> list[str]:
    return re.findall(r'<div class="fact" id="f-([^"]+)"', _appendix(html))


def test_appendix_lists_computed_figures_and_their_inputs_first(
    bounded: tuple[Path, Path],
) -> None:
    project, out = bounded
    store = open_store(project)
    listed = _entries((out / "briefing.html").read_text())
    assert len(listed) == LIMIT
    assert set(store.derived) <= set(listed)
    inputs = {i for d in store.derived for i in store.figure(d).inputs}
    assert all(fact in inputs for fact in set(listed) - set(store.derived))


def test_every_link_in_the_bounded_briefing_has_a_target(bounded: tuple[Path, Path]) -> None:
    _, out = bounded
    html = (out / "briefing.html").read_text()
    targets = set(re.findall(r'\bid="([^"]+)"', html))
    links = re.findall(r'href="#([^"]+)"', html)
    assert links
    assert not sorted(set(links) - targets)
    unlisted = re.findall(r'href="#appendix-csv" data-fact="([^"]+)"', html)
    assert unlisted, "figures without an entry link to the note"
    assert not set(unlisted) & set(_entries(html))


def test_html_offers_the_whole_table_as_the_export_csv(bounded: tuple[Path, Path]) -> None:
    project, out = bounded
    note = _appendix((out / "briefing.html").read_text())
    href = re.search(
        r'href="(data:text/csv;charset=utf-8;base64,[^"]+)" download="appendix.csv"', note
    )
    assert href is not None
    data = base64.b64decode(unquote(href.group(1)).split(",", 1)[1]).decode("utf-8")
    assert data == as_csv(open_store(project))
    assert data.count("\n") == 56 + 1  # every figure, and the header


def test_pdf_attaches_the_csv_and_says_so(bounded: tuple[Path, Path]) -> None:
    project, out = bounded
    reader = pypdf.PdfReader(out / "briefing.pdf")
    assert list(reader.attachments) == ["appendix.csv"]
    (attached,) = reader.attachments["appendix.csv"]
    assert attached.decode("utf-8") == as_csv(open_store(project))
    text = " ".join(page.extract_text() for page in reader.pages[-3:])
    assert "attached to this PDF" in " ".join(text.split())
    # The HTML's download link is screen-only: the PDF carries no data: URI link.
    raw = (out / "briefing.pdf").read_bytes()
    assert b"data:text/csv" not in raw


def test_bounded_pdf_is_reproducible(bounded: tuple[Path, Path], tmp_path: Path) -> None:
    """Built again by another process, the attachment and its date give the same bytes."""
    project, out = bounded
    again = tmp_path / "again"
    done = run_reportgen(["build", "--project", str(project), "--out", str(again), "--force"])
    assert done.returncode == 0, done.stderr
    assert (again / "briefing.pdf").read_bytes() == (out / "briefing.pdf").read_bytes()


def test_a_briefing_under_the_limit_lists_everything_and_attaches_nothing(
    built_briefing: BuiltBriefing,
) -> None:
    store = open_store(built_briefing.project)
    listed = _entries(built_briefing.html_text)
    assert sorted(listed) == sorted([*store.facts, *store.derived])
    assert 'id="appendix-csv"' not in built_briefing.html_text
    reader = pypdf.PdfReader(io.BytesIO(built_briefing.pdf.read_bytes()))
    assert not reader.attachments
