"""Starting and extending a briefing as a new user would: `init`, `sources add`, `check`,
`build`, each a real process in a temporary folder, and the errors met on the way."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pypdf
import pytest

from tests.conftest import run_reportgen

#: An article written for these tests (a made-up company; the starter project's).
ARTICLE = """\
Tallgrass Motors lifts its van sales
Eastbrook, 9 October 2024

Tallgrass Motors sold 14,500 vans in the third quarter, the company said on Wednesday. \
It holds orders for a further 8,200 vans and plans to open 12 stores over the coming year.
"""


def _ok(result: object) -> None:
    assert getattr(result, "returncode", None) == 0, (
        f"{getattr(result, 'args', '')}\nstdout: {getattr(result, 'stdout', '')}\n"
        f"stderr: {getattr(result, 'stderr', '')}"
    )


def _edit(path: Path, old: str, new: str) -> int:
    """Replace one passage as a user would in an editor; how many lines they typed."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return len(new.splitlines())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "briefing"
    _ok(run_reportgen(["init", str(folder)], cwd=tmp_path))
    return folder


def test_a_new_briefing_from_an_empty_folder(tmp_path: Path) -> None:
    """init -> sources add -> facts draft (accepted as drafted) -> check -> build: five
    commands, and three hand-typed lines beyond reviewing the draft (the date's basis and
    a sentence of the template), as the README says."""
    commands = typed = 0
    folder = tmp_path / "vans"
    folder.mkdir()
    result = run_reportgen(["init", str(folder), "--title", "Tallgrass Motors in 2024"])
    commands += 1
    _ok(result)
    assert "created" in result.stdout
    article = tmp_path / "tallgrass-sales-2024.txt"
    article.write_text(ARTICLE, encoding="utf-8")

    result = run_reportgen(
        ["sources", "add", str(article), "--publisher", "Example Wire"], cwd=folder
    )
    commands += 1
    _ok(result)
    copied = folder / "seeds" / "articles" / "tallgrass-sales-2024.txt"
    assert copied.read_bytes() == article.read_bytes()
    sources = (folder / "seeds" / "sources.yaml").read_text(encoding="utf-8")
    assert hashlib.sha256(article.read_bytes()).hexdigest() in sources
    assert 'title: "Tallgrass Motors lifts its van sales"' in sources
    assert 'date: "2024-10-09"' in sources
    # What is left to fill names sources.yaml and a line, and the date's basis in the text.
    assert "seeds/sources.yaml:" in result.stdout
    assert "9 October 2024" in result.stdout

    # The draft of every number in the article, for review.
    result = run_reportgen(
        ["facts", "draft", "tallgrass-sales-2024", "-o", "seeds/facts/sales.yaml"], cwd=folder
    )
    commands += 1
    _ok(result)
    drafted = folder / "seeds" / "facts" / "sales.yaml"
    text = drafted.read_text(encoding="utf-8")
    assert 'quote: "Tallgrass Motors sold 14,500 vans in the third quarter"' in text
    assert 'period: "2024-Q3"' in text and "status: planned" in text
    assert 'text: "Eastbrook, 9 October 2024"' in text
    # Unreviewed, it fails check at its markers: the first line, then each guess.
    result = run_reportgen(["check"], cwd=folder)
    assert result.returncode == 1
    assert "seeds/facts/sales.yaml:1:3:" in result.stderr
    # Reviewed and accepted as drafted: the markers go (not counted as hand-edited).
    kept = [re.sub(r"\s+# REVIEW:.*$", "", line) for line in text.splitlines()]
    drafted.write_text(
        "\n".join(line for line in kept if not line.startswith("# REVIEW:")) + "\n", "utf-8"
    )
    assert "REVIEW:" not in drafted.read_text(encoding="utf-8")

    # Before the date is confirmed, check names the line that still says REVIEW.
    result = run_reportgen(["check"], cwd=folder)
    assert result.returncode == 1
    review_line = next(n for n, line in enumerate(sources.splitlines(), 1) if "REVIEW:" in line)
    assert f"seeds/sources.yaml:{review_line}:" in result.stderr
    # Nor does build publish a date nobody confirmed.
    result = run_reportgen(["build", "--format", "html"], cwd=folder)
    assert result.returncode == 1
    assert f"seeds/sources.yaml:{review_line}:" in result.stderr
    assert not (folder / "build" / "briefing.html").exists()

    typed += _edit(
        folder / "seeds" / "sources.yaml",
        sources.splitlines()[review_line - 1].split("basis: ")[1],
        '"The article\'s dateline."',
    )
    typed += _edit(
        folder / "templates" / "briefing.html.j2",
        "  {{ rg.chart_figure(",
        '  <p>In {{ period("tallgrass-sales-2024-q3") }} it sold'
        ' {{ fig("tallgrass-sales-2024-q3") }}.</p>\n  {{ rg.chart_figure(',
    )
    result = run_reportgen(["check"], cwd=folder)
    commands += 1
    _ok(result)
    assert "2 sources" in result.stdout

    result = run_reportgen(["build"], cwd=folder)
    commands += 1
    _ok(result)
    assert commands <= 5
    assert typed <= 20
    html = (folder / "build" / "briefing.html").read_text(encoding="utf-8")
    assert "Tallgrass Motors in 2024" in html
    assert "14,500" in html
    reader = pypdf.PdfReader(folder / "build" / "briefing.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Tallgrass Motors in 2024" in text
    assert "14,500" in text
    assert reader.metadata is not None and reader.metadata.title == "Tallgrass Motors in 2024"


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = run_reportgen(["init", str(folder)])
    assert result.returncode == 1
    assert str(folder) in result.stderr and "not empty" in result.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_every_starter_file_says_what_it_is_for(project: Path) -> None:
    for path in sorted(project.rglob("*")):
        if not path.is_file() or "articles" in path.parts:
            continue  # an article is a source text, quoted verbatim
        first = path.read_text(encoding="utf-8").lstrip()
        assert first.startswith(("#", "{#")), f"{path} has no comment first"


def test_check_catches_an_undefined_name_and_unknown_fact_ids(project: Path) -> None:
    briefing = project / "templates" / "briefing.html.j2"
    lines = briefing.read_text(encoding="utf-8").splitlines()
    header = next(n for n, line in enumerate(lines, 1) if "<h1>" in line)
    lines[header - 1] = "  <h1>{{ meta.title }} ({{ meta_typo.language }})</h1>"
    summary = next(n for n, line in enumerate(lines, 1) if 'fig("eastbrook-capacity")' in line)
    lines[summary - 1] = lines[summary - 1].replace("eastbrook-capacity", "eastbrook-capacty")
    briefing.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run_reportgen(["check"], cwd=project)
    assert result.returncode == 1, result.stdout
    assert f"templates/briefing.html.j2:{summary}:" in result.stderr
    assert "eastbrook-capacty" in result.stderr
    assert "Traceback" not in result.stderr

    # With the id fixed, the undefined name is what is left, at its line.
    lines[summary - 1] = lines[summary - 1].replace("eastbrook-capacty", "eastbrook-capacity")
    briefing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_reportgen(["check"], cwd=project)
    assert result.returncode == 1
    assert f"templates/briefing.html.j2:{header}:" in result.stderr
    assert "meta_typo" in result.stderr


def test_check_catches_a_layout_without_the_targets_of_figure_links(project: Path) -> None:
    """A project's own base layout that drops the appendix: WeasyPrint would refuse the
    PDF ("No anchor"); check says so first."""
    own = project / "templates" / "reportgen" / "base.html.j2"
    own.parent.mkdir()
    own.write_text(
        "{# A layout without the sources list and appendix. #}\n"
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>x</title>\n'
        "<style>\n{{ font_faces }}\n{% block style %}{% endblock %}\n</style></head>\n"
        "<body>\n{% block body %}{% endblock %}\n</body>\n</html>\n",
        encoding="utf-8",
    )
    result = run_reportgen(["check"], cwd=project)
    assert result.returncode == 1
    assert "#f-" in result.stderr and "#src-" in result.stderr
    assert "templates/briefing.html.j2:" in result.stderr

    # Without the font slot, the layout's rule fails in check too.
    own.write_text(own.read_text(encoding="utf-8").replace("{{ font_faces }}", ""), "utf-8")
    result = run_reportgen(["check"], cwd=project)
    assert result.returncode == 1
    assert "font_faces" in result.stderr


def test_check_refuses_an_article_no_source_declares(project: Path) -> None:
    stray = project / "seeds" / "articles" / "forgotten.txt"
    stray.write_text("An article nobody declared.\n", encoding="utf-8")
    result = run_reportgen(["check"], cwd=project)
    assert result.returncode == 1
    assert "seeds/articles/forgotten.txt:" in result.stderr
    assert "sources add" in result.stderr


def test_project_option_before_or_after_the_verb_and_from_the_environment(
    project: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for args, env in (
        (["--project", str(project), "check"], None),
        (["check", "--project", str(project)], None),
        (["-q", "--project", str(project), "facts", "list"], None),
        (["check"], {"REPORTGEN_PROJECT": str(project)}),
    ):
        result = run_reportgen(args, cwd=elsewhere, env=env)
        _ok(result)
    # --project wins over the environment.
    result = run_reportgen(
        ["--project", str(project), "check"],
        cwd=elsewhere,
        env={"REPORTGEN_PROJECT": "/nonexistent"},
    )
    _ok(result)
    result = run_reportgen(["check"], cwd=elsewhere, env={"REPORTGEN_PROJECT": str(elsewhere)})
    assert result.returncode == 1


def test_a_mistyped_verb_gets_did_you_mean(tmp_path: Path) -> None:
    result = run_reportgen(["chekc"], cwd=tmp_path)
    assert result.returncode == 2
    assert "did you mean" in result.stderr and "'check'" in result.stderr
    result = run_reportgen(["sources", "ad", "x.txt"], cwd=tmp_path)
    assert result.returncode == 2
    assert "'add'" in result.stderr


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("latin1.txt", "Café prices rose by 4%.\n".encode("latin-1"), "latin1.txt:1:4"),
        ("binary.txt", b"PK\x03\x04\x00\x00 zip", "binary.txt:1:3"),
        ("empty.txt", b"\n\n", "empty.txt"),
        ("Not An Id.txt", b"A headline\n", "--id not-an-id"),
    ],
)
def test_sources_add_refuses_what_is_not_an_article(
    project: Path, tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    before = (project / "seeds" / "sources.yaml").read_bytes()
    article = tmp_path / name
    article.write_bytes(data)
    result = run_reportgen(["sources", "add", str(article)], cwd=project)
    assert result.returncode in (1, 2)
    assert expected in result.stderr
    assert (project / "seeds" / "sources.yaml").read_bytes() == before
    assert not (project / "seeds" / "articles" / name).exists()


def test_sources_add_refuses_an_article_over_the_size_cap(project: Path, tmp_path: Path) -> None:
    report = project / "seeds" / "report.yaml"
    report.write_text(report.read_text(encoding="utf-8") + "max_source_bytes: 100\n", "utf-8")
    article = tmp_path / "long-2024.txt"
    article.write_text("A long article\n" + "Words and more words.\n" * 10, encoding="utf-8")
    result = run_reportgen(["sources", "add", str(article)], cwd=project)
    assert result.returncode == 1
    assert "long-2024.txt" in result.stderr and "max_source_bytes" in result.stderr
    assert not (project / "seeds" / "articles" / "long-2024.txt").exists()


def test_sources_add_never_replaces_another_text_or_id(project: Path, tmp_path: Path) -> None:
    sources = project / "seeds" / "sources.yaml"
    before = sources.read_bytes()
    other = tmp_path / "tallgrass-2024.txt"  # the starter article's name, other text
    other.write_text("A different article\n", encoding="utf-8")
    result = run_reportgen(["sources", "add", str(other), "--id", "another"], cwd=project)
    assert result.returncode == 1
    assert "seeds/articles/tallgrass-2024.txt" in result.stderr
    assert "never replaced" in result.stderr
    renamed = tmp_path / "renamed.txt"
    renamed.write_text("A different article\n", encoding="utf-8")
    result = run_reportgen(["sources", "add", str(renamed), "--id", "tallgrass-2024"], cwd=project)
    assert result.returncode == 1
    assert "seeds/sources.yaml:5:" in result.stderr and "already declared" in result.stderr
    assert sources.read_bytes() == before


def test_sources_add_keeps_the_file_as_written_and_takes_what_it_is_told(
    project: Path, tmp_path: Path
) -> None:
    sources = project / "seeds" / "sources.yaml"
    before = sources.read_text(encoding="utf-8") + "# A comment of the analyst's own.\n"
    sources.write_text(before, encoding="utf-8")
    article = tmp_path / "undated.txt"
    article.write_text("A note with no date\n\nNothing here is dated.\n", encoding="utf-8")
    result = run_reportgen(
        [
            "sources", "add", str(article), "--id", "note-1", "--title", "A note",
            "--published", "2024-05", "--url", "https://example.com/note",
        ],
        cwd=project,
    )  # fmt: skip
    _ok(result)
    after = sources.read_text(encoding="utf-8")
    assert after.startswith(before)
    added = after[len(before) :]
    assert 'title: "A note"' in added and 'date: "2024-05"' in added
    assert "precision: month" in added and "REVIEW" not in added
    _ok(run_reportgen(["check"], cwd=project))
