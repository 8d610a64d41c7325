"""What changed between two snapshots of the store, as text, JSON or Markdown.

New and removed sources; new, changed and removed facts (a fact that ``supersedes:``
one of the earlier edition is that fact's change, old value to new, both quotes and
both sources); status changes; derived metrics that moved, with the delta; charts
whose data changed. Figures are worded by :mod:`reportgen.numbers`, as the briefing
words them.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from reportgen.editions.snapshot import DerivedRecord, FactRecord, Snapshot, SourceRecord
from reportgen.facts.store import Figure
from reportgen.numbers import format_figure
from reportgen.units import UNITS

#: Derived values closer than this (relative) are the same figure computed again.
_SAME = 1e-9


@dataclass(frozen=True)
class FactChange:
    """A fact that is new, gone, edited, or replaced by a newer one (``supersedes:``)."""

    old_id: str | None
    new_id: str | None
    old: FactRecord | None
    new: FactRecord | None

    @property
    def id(self) -> str:
        return self.new_id or self.old_id or ""

    @property
    def superseded(self) -> bool:
        return self.old_id is not None and self.new_id is not None and self.old_id != self.new_id

    @property
    def status_changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.status != self.new.status


@dataclass(frozen=True)
class DerivedChange:
    id: str
    old: DerivedRecord | None
    new: DerivedRecord | None

    @property
    def delta(self) -> float | None:
        if self.old is None or self.new is None:
            return None
        return self.new.value - self.old.value


@dataclass(frozen=True)
class ChartChange:
    id: str
    title: str
    #: "changed", "added" or "removed".
    how: str
    #: Labels of the marks whose figure or value changed.
    marks: tuple[str, ...] = ()


@dataclass
class Changes:
    old: Snapshot
    new: Snapshot
    old_name: str
    new_name: str
    sources_added: list[str] = field(default_factory=list)
    sources_removed: list[str] = field(default_factory=list)
    facts: list[FactChange] = field(default_factory=list)
    derived: list[DerivedChange] = field(default_factory=list)
    charts: list[ChartChange] = field(default_factory=list)

    @property
    def figures_changed(self) -> int:
        """Facts new, changed or gone, and derived metrics new, moved or gone."""
        return len(self.facts) + len(self.derived)

    @property
    def empty(self) -> bool:
        return not (self.sources_added or self.sources_removed or self.facts or self.derived) and (
            not self.charts
        )

    def source(self, source_id: str) -> SourceRecord | None:
        return self.new.sources.get(source_id) or self.old.sources.get(source_id)


def unchanged(last: Snapshot | None, current: Snapshot) -> bool:
    """The store is still the last recorded edition: no source, figure or chart data
    a reader would see changed. A reworded chart title or a source's new file name is
    not a new edition; it would be one that says '0 figures changed'."""
    return last is not None and compare(last, current, "", "").empty


def compare(old: Snapshot, new: Snapshot, old_name: str, new_name: str) -> Changes:
    changes = Changes(old, new, old_name, new_name)
    changes.sources_added = sorted(set(new.sources) - set(old.sources))
    changes.sources_removed = sorted(set(old.sources) - set(new.sources))
    changes.facts = _facts(old, new)
    for did in sorted(set(old.derived) | set(new.derived)):
        before, after = old.derived.get(did), new.derived.get(did)
        if before is None or after is None or _moved(before, after):
            changes.derived.append(DerivedChange(did, before, after))
    changes.charts = _charts(old, new)
    return changes


def _facts(old: Snapshot, new: Snapshot) -> list[FactChange]:
    found: list[FactChange] = []
    replaced: set[str] = set()
    for fid in sorted(new.facts):
        record = new.facts[fid]
        if fid in old.facts:
            if old.facts[fid].stated() != record.stated():
                found.append(FactChange(fid, fid, old.facts[fid], record))
            continue
        gone = record.supersedes
        if gone is not None and gone in old.facts and old.facts[gone].superseded_by is None:
            replaced.add(gone)
            found.append(FactChange(gone, fid, old.facts[gone], record))
        else:
            found.append(FactChange(None, fid, None, record))
    for fid in sorted(set(old.facts) - set(new.facts) - replaced):
        found.append(FactChange(fid, None, old.facts[fid], None))
    return found


def _moved(before: DerivedRecord, after: DerivedRecord) -> bool:
    scale = max(abs(before.value), abs(after.value), 1e-300)
    return abs(after.value - before.value) / scale > _SAME or before.unit != after.unit


def _charts(old: Snapshot, new: Snapshot) -> list[ChartChange]:
    found: list[ChartChange] = []
    for cid in sorted(set(old.charts) | set(new.charts)):
        before, after = old.charts.get(cid), new.charts.get(cid)
        if after is None:
            assert before is not None
            found.append(ChartChange(cid, before.title, "removed"))
        elif before is None:
            found.append(ChartChange(cid, after.title, "added"))
        elif before.marks != after.marks:
            was = {(m.group, m.label): m for m in before.marks}
            moved = tuple(
                f"{m.group}: {m.label}" if m.group else m.label
                for m in after.marks
                if was.get((m.group, m.label)) is None
                or (was[(m.group, m.label)].figure, was[(m.group, m.label)].value)
                != (m.figure, m.value)
            )
            found.append(ChartChange(cid, after.title, "changed", tuple(dict.fromkeys(moved))))
    return found


# -- words -------------------------------------------------------------------------------


def _words(fig: Figure) -> str:
    if fig.unit not in UNITS:  # a unit the project no longer declares
        return f"{fig.value:g} {fig.unit}"
    return format_figure(fig, "text")


def fact_words(fact_id: str, record: FactRecord) -> str:
    return _words(record.figure(fact_id))


def derived_words(metric_id: str, record: DerivedRecord, value: float | None = None) -> str:
    return _words(record.figure(metric_id, value))


def delta_words(change: DerivedChange) -> str:
    """The move of a derived metric in its own unit, signed, one decimal finer than the
    figure (so that 21.7% -> 21.6% reads -0.15, not a rounded -0.2); percent moves in
    percentage points."""
    assert change.new is not None and change.delta is not None
    points = change.new.unit == "percent"
    unit = "percentage_points" if points else change.new.unit
    fig = dataclasses.replace(
        change.new.figure(change.id, abs(change.delta), unit),
        precision="exact",
        decimals=change.new.decimals + 1,
    )
    text = (
        format_figure(fig, "text", status=False) if fig.unit in UNITS else f"{abs(change.delta):g}"
    )
    if points:
        text += " percentage point" if text == "1" else " percentage points"
    return ("+" if change.delta >= 0 else "−") + text


def _source_line(changes: Changes, source_id: str) -> str:
    source = changes.source(source_id)
    if source is None:
        return source_id
    by = f"{source.publisher}, " if source.publisher else ""
    return f"{source_id}: “{source.title}” ({by}{source.published})"


def heading(changes: Changes) -> str:
    span = f"from {changes.old_name} to {changes.new_name}"
    if changes.empty:
        return f"no changes {span}"
    return (
        f"{changes.figures_changed} figure{'s' if changes.figures_changed != 1 else ''} "
        f"changed {span}"
    )


def as_text(changes: Changes) -> str:
    lines = [heading(changes)]
    if changes.empty:
        return lines[0] + "\n"
    for title, rows in _sections(changes):
        lines += ["", title, *(f"  {row}" for row in rows)]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def as_markdown(changes: Changes) -> str:
    lines = [f"### {_md(heading(changes)).capitalize()}"]
    for title, rows in _sections(changes):
        lines += ["", f"**{_md(title)}**", ""]
        for row in rows:
            indent = len(row) - len(row.lstrip(" "))
            lines.append(f"{'  ' * (indent // 4)}- {_md(row.strip())}")
    return "\n".join(lines) + "\n"


def _sections(changes: Changes) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    if changes.sources_added:
        sections.append(("New sources", [_source_line(changes, s) for s in changes.sources_added]))
    if changes.sources_removed:
        rows = [_source_line(changes, s) for s in changes.sources_removed]
        sections.append(("Removed sources", rows))
    for title, kind in (
        ("Changed facts", "changed"),
        ("New facts", "new"),
        ("Removed facts", "gone"),
    ):
        rows = [row for c in changes.facts if _kind(c) == kind for row in _fact_rows(changes, c)]
        if rows:
            sections.append((title, rows))
    status = [
        f"{f'{c.old_id} → {c.new_id}' if c.superseded else c.id}: {c.old.status} → {c.new.status}"
        for c in changes.facts
        if c.status_changed and c.old and c.new
    ]
    if status:
        sections.append(("Status changes", status))
    if changes.derived:
        sections.append(("Derived metrics", [_derived_row(c) for c in changes.derived]))
    if changes.charts:
        rows = [
            f"{c.id} ({c.how}): {c.title}" + (f" — {'; '.join(c.marks)}" if c.marks else "")
            for c in changes.charts
        ]
        sections.append(("Charts whose data changed", rows))
    return sections


def _kind(change: FactChange) -> str:
    if change.old is None:
        return "new"
    if change.new is None:
        return "gone"
    return "changed"


def _fact_rows(changes: Changes, change: FactChange) -> list[str]:
    old, new = change.old, change.new
    if old is not None and new is not None:
        assert change.old_id is not None and change.new_id is not None
        how = f"{change.old_id} → {change.new_id} (supersedes)" if change.superseded else change.id
        return [
            f"{how}: {fact_words(change.old_id, old)} → {fact_words(change.new_id, new)}",
            f"    was: “{old.quote}” [{_source_line(changes, old.source)}]",
            f"    now: “{new.quote}” [{_source_line(changes, new.source)}]",
        ]
    record = new or old
    assert record is not None
    return [
        f"{change.id}: {fact_words(change.id, record)}",
        f"    “{record.quote}” [{_source_line(changes, record.source)}]",
    ]


def _derived_row(change: DerivedChange) -> str:
    if change.old is None:
        assert change.new is not None
        return f"{change.id} (new): {derived_words(change.id, change.new)}"
    if change.new is None:
        return f"{change.id} (removed): was {derived_words(change.id, change.old)}"
    return (
        f"{change.id}: {derived_words(change.id, change.old)} → "
        f"{derived_words(change.id, change.new)} ({delta_words(change)})"
    )


def as_json(changes: Changes) -> str:
    def fact(fid: str | None, record: FactRecord | None) -> object:
        if fid is None or record is None:
            return None
        return {"id": fid, "text": fact_words(fid, record), **record.model_dump(exclude_none=True)}

    old, new = changes.old, changes.new
    data = {
        "from": changes.old_name,
        "to": changes.new_name,
        "changed": not changes.empty,
        "figures_changed": changes.figures_changed,
        "sources_added": {s: new.sources[s].model_dump() for s in changes.sources_added},
        "sources_removed": {s: old.sources[s].model_dump() for s in changes.sources_removed},
        "facts": [
            {
                "kind": _kind(c),
                "superseded": c.superseded,
                "status_changed": c.status_changed,
                "old": fact(c.old_id, c.old),
                "new": fact(c.new_id, c.new),
            }
            for c in changes.facts
        ],
        "derived": [
            {
                "id": c.id,
                "old": None if c.old is None else c.old.value,
                "new": None if c.new is None else c.new.value,
                "delta": c.delta,
                "unit": c.new.unit if c.new is not None else c.old.unit if c.old else None,
            }
            for c in changes.derived
        ],
        "charts": [
            {"id": c.id, "title": c.title, "how": c.how, "marks": list(c.marks)}
            for c in changes.charts
        ],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
