"""Outputs and caches: publishing all or nothing, self-checking cache entries, formula
cells neutralised in CSV, and formulas read without recursion."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from reportgen.cachefile import read_entry, seal, unseal, write_entry
from reportgen.errors import ReportError
from reportgen.facts.export import spreadsheet_safe
from reportgen.facts.formula import compile_formula, evaluate
from reportgen.publish import publish


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "dir"
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path]:
    """An output folder holding an old build, and a staging folder with a new one."""
    out, staging = tmp_path / "out", tmp_path / "out" / ".staging-1-x"
    (out / "charts").mkdir(parents=True)
    for name, text in {
        "briefing.html": "old page",
        "briefing.pdf": "old pdf",
        "manifest.json": "{}",
        "charts/a.svg": "old chart",
    }.items():
        (out / name).write_text(text, encoding="utf-8")
    (staging / "charts").mkdir(parents=True)
    for name in ("briefing.html", "briefing.pdf", "manifest.json", "charts/a.svg"):
        (staging / name).write_text(f"new {name}", encoding="utf-8")
    return out, staging


def _publish(out: Path, staging: Path, files: set[str] | None = None) -> None:
    publish(
        staging,
        out,
        files=files or {"briefing.html", "briefing.pdf"},
        remove=set(),
        manifest="manifest.json",
        charts="charts",
    )


def test_a_publish_replaces_every_output(published: tuple[Path, Path]) -> None:
    out, staging = published
    _publish(out, staging)
    assert (out / "briefing.html").read_text(encoding="utf-8") == "new briefing.html"
    assert (out / "charts" / "a.svg").read_text(encoding="utf-8") == "new charts/a.svg"
    assert (out / "manifest.json").read_text(encoding="utf-8") == "new manifest.json"


def test_a_publish_failing_half_way_puts_every_old_output_back(
    published: tuple[Path, Path],
) -> None:
    out, staging = published
    (staging / "manifest.json").unlink()  # the last step fails, after all the others
    before = {k: v for k, v in _tree(out).items() if not k.startswith(".staging")}
    with pytest.raises(ReportError, match="cannot publish the build"):
        _publish(out, staging)
    after = {k: v for k, v in _tree(out).items() if not k.startswith(".staging")}
    assert after == before


@pytest.mark.parametrize("name", ["briefing.pdf", "manifest.json"])
def test_a_directory_where_an_output_goes_stops_the_publish_before_any_change(
    published: tuple[Path, Path], name: str
) -> None:
    out, staging = published
    (out / name).unlink()
    (out / name).mkdir()
    before = _tree(out)
    with pytest.raises(ReportError, match="refusing to replace a directory") as caught:
        _publish(out, staging)
    assert caught.value.location is not None and caught.value.location.path.endswith(name)
    assert _tree(out) == before


def test_a_sealed_entry_reads_back_and_any_damage_is_seen() -> None:
    data = b"compiled bytes \x00\xff of a cache entry"
    sealed = seal(data)
    assert unseal(sealed) == data
    for cut in range(len(sealed)):
        assert unseal(sealed[:cut]) is None
    for index in range(len(sealed)):
        for bit in range(8):
            flipped = bytearray(sealed)
            flipped[index] ^= 1 << bit
            assert unseal(bytes(flipped)) is None, (index, bit)


@pytest.mark.parametrize("damage", ["truncated", "empty", "folder", "unsealed"])
def test_a_damaged_entry_is_a_miss_and_is_removed(tmp_path: Path, damage: str) -> None:
    entry = tmp_path / "entry.bin"
    assert write_entry(entry, b"x" * 100)
    raw = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(raw[:-1])
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "unsealed":
        entry.write_bytes(b"x" * 100)  # what a cache of an older reportgen holds
    else:
        entry.unlink()
        entry.mkdir()
    assert read_entry(entry) is None
    assert not entry.exists()
    assert write_entry(entry, b"y" * 10) and read_entry(entry) == b"y" * 10


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("+1+2", "'+1+2"),
        ("-5%", "'-5%"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("spanning about 700,000 square meters", "spanning about 700,000 square meters"),
        (-1500.5, -1500.5),
        (-7, -7),
        (None, None),
    ],
)
def test_spreadsheet_formulas_are_neutralised_and_numbers_stay_numbers(
    cell: object, shown: object
) -> None:
    assert spreadsheet_safe(cell) == shown


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("-2 ** 2", -4.0),
        ("2 ** 3 ** 2", 512.0),
        ("2 ** -1", 0.5),
        ("2 ** -1 * 3", 1.5),
        ("10 / 4 / 5", 0.5),
        ("-(1 + 2) * -3", 9.0),
        ("{a} / ({b} - 1)", 2.0),
        ("-" * 3999 + "1", -1.0),
        ("+".join(["1"] * 2000), 2000.0),
        ("(" * 1500 + "{a}" + ")" * 1500, 6.0),
    ],
)
def test_formulas_follow_arithmetic_at_any_length(formula: str, value: float) -> None:
    assert evaluate(compile_formula(formula), {"a": 6.0, "b": 4.0}) == value


@pytest.mark.parametrize(
    "formula", ["1 +", "(1", "1)", "{a} {b}", "* 3", "1 // 2", "a + 1", "{a", "1 % 2"]
)
def test_a_malformed_formula_is_a_value_error(formula: str) -> None:
    with pytest.raises(ValueError):
        compile_formula(formula)
