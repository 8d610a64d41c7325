"""`reportgen facts draft` as a user meets it: what it drafts from an article, and how
it refuses what it cannot do (each a real process in a project made by `init`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_reportgen

#: An article written for these tests.
ARTICLE = """\
Harlow Motors opens a second plant
Leeds, 4 June 2024

Harlow Motors will invest £620m in a van plant near Leeds, the company said on Tuesday.
The plant is expected to build between 40,000 and 45,000 vans a year from 2026.
Harlow sold nearly 18,000 vans in 2023, and its Harlow Courier 5 was the best seller.
The site is built to Industry 4.0 standards. Its vans use the Drivewise 3.0 software.
Hundreds of suppliers have signed up, and about a third of them are local.
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "briefing"
    assert run_reportgen(["init", str(folder)]).returncode == 0
    article = tmp_path / "harlow-2024.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    added = run_reportgen(["sources", "add", str(article), "--published", "2024-06-04"], cwd=folder)
    assert added.returncode == 0, added.stderr
    assert "facts draft harlow-2024" in added.stdout
    return folder


def _draft(project: Path) -> dict[str, list[dict[str, object]]]:
    result = run_reportgen(["facts", "draft", "harlow-2024"], cwd=project)
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(result.stdout)
    assert isinstance(data, dict)
    return data


def test_a_draft_reads_each_figure_as_the_article_states_it(project: Path) -> None:
    facts = {f["states"]: f for f in _draft(project)["facts"]}
    assert facts["£620m"]["value"] == 620_000_000
    assert facts["£620m"]["unit"] == "GBP" and facts["£620m"]["status"] == "planned"
    span = facts["40,000 and 45,000"]
    assert (span["low"], span["high"], span["unit"]) == (40000, 45000, "vans/year")
    assert span["status"] == "expected" and "value" not in span
    sold = facts["18,000"]
    assert (sold["value"], sold["precision"], sold["period"]) == (18000, "nearly", "2023")
    assert sold["quote"] == "Harlow sold nearly 18,000 vans in 2023"
    assert facts["a third"]["unit"] == "percent" and facts["a third"]["precision"] == "about"
    assert {f["source"] for f in facts.values()} == {"harlow-2024"}


def test_names_and_vague_amounts_are_proposed_as_ignore_entries(project: Path) -> None:
    ignored = {str(i["text"]): str(i["reason"]) for i in _draft(project)["ignore"]}
    by_number = {n: [t for t in ignored if n in t] for n in ("Courier 5", "4.0", "3.0")}
    assert all(len(found) == 1 for found in by_number.values()), ignored
    assert "model" in ignored[by_number["Courier 5"][0]]
    assert "version" in ignored[by_number["4.0"][0]]
    assert any("Hundreds" in text for text in ignored)
    assert "Leeds, 4 June 2024" in ignored


def test_entities_match_the_store_and_ids_are_new(project: Path) -> None:
    entities = project / "seeds" / "facts" / "entities.yaml"
    entities.write_text(
        entities.read_text(encoding="utf-8")
        + "  - id: harlow\n    name: Harlow Motors\n    aliases: [Harlow]\n    kind: company\n",
        encoding="utf-8",
    )
    draft = _draft(project)
    assert {f["entity"] for f in draft["facts"]} == {"harlow"}
    assert "entities" not in draft
    ids = [f["id"] for f in draft["facts"]]
    assert len(set(ids)) == len(ids)
    existing = (project / "seeds" / "facts" / "tallgrass.yaml").read_text(encoding="utf-8")
    assert not any(f"id: {i}\n" in existing for i in ids)


def test_an_unreviewed_draft_fails_check_at_its_markers(project: Path) -> None:
    out = project / "seeds" / "facts" / "harlow.yaml"
    result = run_reportgen(["facts", "draft", "harlow-2024", "-o", str(out)], cwd=project)
    assert result.returncode == 0 and result.stdout == ""
    lines = out.read_text(encoding="utf-8").splitlines()
    marked = [n for n, line in enumerate(lines, 1) if "# REVIEW:" in line]
    assert marked[0] == 1
    result = run_reportgen(["check"], cwd=project)
    assert result.returncode == 1
    for number in marked:
        assert f"seeds/facts/harlow.yaml:{number}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_covered_source_drafts_nothing(project: Path) -> None:
    """Once the draft is in the store, drafting again finds no number left."""
    out = project / "seeds" / "facts" / "harlow.yaml"
    assert (
        run_reportgen(["facts", "draft", "harlow-2024", "-o", str(out)], cwd=project).returncode
        == 0
    )
    again = run_reportgen(["facts", "draft", "harlow-2024"], cwd=project)
    assert again.returncode == 0, again.stderr
    assert yaml.safe_load(again.stdout) == {"facts": []}


# Hostile input: each is refused with a located message, exit 1, and nothing written.


def test_an_unknown_source_id_names_the_close_ones(project: Path) -> None:
    result = run_reportgen(["facts", "draft", "harlow-204"], cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith("seeds/sources.yaml: no source 'harlow-204'")
    assert "'harlow-2024'" in result.stderr and "Traceback" not in result.stderr


def test_a_source_whose_text_changed_is_refused(project: Path) -> None:
    article = project / "seeds" / "articles" / "harlow-2024.txt"
    article.write_text(ARTICLE.replace("£620m", "£720m"), encoding="utf-8")
    result = run_reportgen(["facts", "draft", "harlow-2024"], cwd=project)
    assert result.returncode == 1
    assert (
        "seeds/sources.yaml:" in result.stderr and "changed since it was recorded" in result.stderr
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("target", "expected"),
    [("seeds", "a directory"), (os.devnull, "a device"), ("link.yaml", "a symbolic link")],
)
def test_output_that_is_not_a_regular_file_is_refused(
    project: Path, target: str, expected: str
) -> None:
    if target == "link.yaml":
        (project / target).symlink_to(project / "seeds" / "report.yaml")
    before = (project / "seeds" / "report.yaml").read_bytes()
    result = run_reportgen(["facts", "draft", "harlow-2024", "-o", target], cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{target}: refusing to replace {expected}")
    assert (project / "seeds" / "report.yaml").read_bytes() == before
    assert (project / "seeds").is_dir()


def test_output_never_replaces_a_file(project: Path) -> None:
    mine = project / "seeds" / "facts" / "tallgrass.yaml"
    before = mine.read_bytes()
    result = run_reportgen(["facts", "draft", "harlow-2024", "-o", str(mine)], cwd=project)
    assert result.returncode == 1
    assert "already exists" in result.stderr and str(mine) in result.stderr
    assert mine.read_bytes() == before
