"""What templates get to say which edition this is and what changed since the last.

``edition`` (an :class:`EditionView`) for the cover and the "What changed" section,
whose items carry their figures already printed by the figure helpers (each linked
to its appendix entry, with its quote on hover and its citation), and
``superseded_by(fact_id)`` for the appendix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from reportgen.editions import edition_state, since_previous
from reportgen.editions.diff import Changes, DerivedChange, FactChange, delta_words
from reportgen.errors import Location, ReportError
from reportgen.facts.store import Store
from reportgen.readfile import lines_if_readable
from reportgen.render.figures import Helpers
from reportgen.yamlio import MAX_YAML_BYTES

_NUMBER = "{number}"
_NONE = Markup("")


@dataclass(frozen=True)
class ChangeItem:
    """One line of "What changed": what it is about, and the figures before and after."""

    #: source-added, source-removed, fact-changed, fact-added, fact-removed,
    #: derived-changed, derived-added, derived-removed, chart-changed
    kind: str
    what: Markup
    old: Markup = _NONE
    new: Markup = _NONE
    old_quote: Markup = _NONE
    new_quote: Markup = _NONE
    #: "expected → actual", or a derived metric's move.
    note: Markup = _NONE


@dataclass(frozen=True)
class EditionView:
    number: int
    #: As the cover prints it: seeds/report.yaml's ``edition:`` with its number.
    label: str
    #: Whether ``editions/`` records this store (otherwise it is the next edition).
    recorded: bool
    #: The edition this one is compared with; None for the first.
    since: int | None
    figures_changed: int
    sources_added: int
    items: tuple[ChangeItem, ...]

    @property
    def first(self) -> bool:
        return self.since is None

    @property
    def heading(self) -> str:
        return (
            "The first edition"
            if self.since is None
            else f"What changed since edition {self.since}"
        )


def edition_context(store: Store, project: Path, helpers: Helpers) -> dict[str, object]:
    state = edition_state(store, project)
    label = _label(store, project, state.number)
    changes = since_previous(state)
    items = () if changes is None else tuple(_items(changes, helpers, store))
    view = EditionView(
        number=state.number,
        label=label,
        recorded=state.is_recorded,
        since=None if state.previous is None else state.previous.edition,
        figures_changed=0 if changes is None else changes.figures_changed,
        sources_added=0 if changes is None else len(changes.sources_added),
        items=items,
    )
    return {"edition": view, "superseded_by": _superseded_by(store)}


def _superseded_by(store: Store) -> Callable[[str], str]:
    def superseded_by(fact_id: str) -> str:
        """The id of the fact that replaces ``fact_id``, or "" (for the appendix)."""
        return store.superseded_by(fact_id) or ""

    return superseded_by


def _label(store: Store, project: Path, number: int) -> str:
    wording = store.meta.edition if store.meta is not None else "Edition {number}"
    if _NUMBER not in wording:
        raise ReportError(
            f"edition: {wording!r} names the edition by hand; its number follows the "
            f"editions recorded in editions/ (this is edition {number}): write "
            f'edition: "Edition {_NUMBER}" or leave the line out',
            _edition_line(project),
        )
    return wording.replace(_NUMBER, str(number))


def _edition_line(project: Path) -> Location:
    shown = "seeds/report.yaml"
    lines = lines_if_readable(project / shown, MAX_YAML_BYTES)
    if lines is None:
        return Location(shown)
    line = next((n for n, text in enumerate(lines, 1) if re.match(r"edition\s*:", text)), 0)
    return Location(shown, line, 1 if line else 0)


def _items(changes: Changes, helpers: Helpers, store: Store) -> list[ChangeItem]:
    items: list[ChangeItem] = []
    for sid in changes.sources_added:
        what = (
            helpers.source_title(sid)
            + Markup(" (")
            + helpers.source_date(sid)
            + Markup(') <a href="#src-{0}" class="cite-inline">[{1}]</a>').format(
                sid, helpers.source_number(sid)
            )
        )
        items.append(ChangeItem("source-added", what))
    for sid in changes.sources_removed:
        source = changes.old.sources[sid]
        items.append(ChangeItem("source-removed", helpers.nonfact(source.title, "source-title")))
    items += [_fact_item(c, helpers, store) for c in changes.facts]
    items += [_derived_item(c, helpers, store) for c in changes.derived]
    for chart in changes.charts:
        if chart.how == "removed":
            what = helpers.nonfact(chart.title, "chart-title")
        else:
            what = Markup('<a href="#fig-{0}">{1}</a>').format(
                chart.id, helpers.nonfact(chart.title, "chart-title")
            )
        items.append(ChangeItem(f"chart-{chart.how}", what))
    return items


def _fact_item(change: FactChange, helpers: Helpers, store: Store) -> ChangeItem:
    old, new = change.old, change.new
    new_id = change.new_id
    if new is not None and new_id is not None and new_id in store.facts:
        what = helpers.describe(new_id) + Markup(", ") + helpers.period(new_id)
        shown_new = helpers.fig(new_id, as_stated=True)
        new_quote = helpers.quote(new_id)
    else:
        assert old is not None and change.old_id is not None
        what = helpers.nonfact(f"{old.label}, {old.metric.replace('_', ' ')}", "label")
        shown_new, new_quote = Markup(""), Markup("")
    if old is None or change.old_id is None:
        return ChangeItem("fact-added", what, new=shown_new, new_quote=new_quote)
    if change.superseded and change.old_id in store.facts:
        shown_old = helpers.fig(change.old_id, as_stated=True)
        old_quote = helpers.quote(change.old_id)
    else:
        shown_old = helpers.recorded(old.figure(change.old_id))
        old_quote = Markup('<q class="quote" data-nonfact="earlier-quote">{0}</q>').format(
            old.quote
        )
    note = Markup("")
    if change.status_changed and new is not None:
        note = Markup("{0} → {1}").format(old.status, new.status)
    kind = "fact-removed" if new is None else "fact-changed"
    return ChangeItem(kind, what, shown_old, shown_new, old_quote, new_quote, note)


def _derived_item(change: DerivedChange, helpers: Helpers, store: Store) -> ChangeItem:
    if change.new is not None and change.id in store.derived:
        what = helpers.label(change.id)
        shown_new = helpers.fig(change.id)
    else:
        assert change.old is not None
        what = helpers.nonfact(change.old.label, "label")
        shown_new = Markup("")
    if change.old is None:
        return ChangeItem("derived-added", what, new=shown_new)
    shown_old = helpers.recorded(change.old.figure(change.id))
    if change.new is None:
        return ChangeItem("derived-removed", what, old=shown_old)
    note = helpers.nonfact(delta_words(change), "change")
    return ChangeItem("derived-changed", what, shown_old, shown_new, note=note)
