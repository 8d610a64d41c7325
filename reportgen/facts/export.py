"""``reportgen facts export``: the whole store as JSON, CSV or SQLite.

The SQLite file is for analysts who query the store with sqlite3 or Datasette:
tables ``sources``, ``entities``, ``relations``, ``facts`` (every figure: a derived
metric is a row of kind ``derived`` with its formula and computed value),
``derived_inputs``, ``conflicts`` and ``conflict_facts``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportgen.atomic import check_target, write_atomic
from reportgen.errors import Location, ReportError
from reportgen.facts import open_store
from reportgen.facts.store import Store
from reportgen.numbers import format_figure

FACT_COLUMNS = [
    "id",
    "kind",
    "entity",
    "metric",
    "value",
    "unit",
    "precision",
    "status",
    "period",
    "source",
    "quote",
    "formula",
    "display",
]


def _rows(store: Store) -> list[dict[str, Any]]:
    rows = []
    for figure_id in [*store.facts, *store.derived]:
        fig = store.figure(figure_id)
        rows.append(
            {
                "id": fig.id,
                "kind": fig.kind,
                "entity": fig.entity,
                "metric": fig.metric,
                "value": fig.value,
                "unit": fig.unit,
                "precision": fig.precision,
                "status": fig.status,
                "period": fig.period,
                "source": ",".join(fig.sources),
                "quote": fig.quote,
                "formula": fig.formula,
                "display": format_figure(fig),
            }
        )
    return rows


def as_json(store: Store) -> str:
    document = {
        "sources": [s.model_dump() for s in store.sources.values()],
        "entities": [e.model_dump() for e in store.entities.values()],
        "facts": [f.model_dump() for f in store.facts.values()],
        "derived": [
            {
                **d.model_dump(),
                "value": store.derived_values[d.id],
                "inputs": list(store.figure(d.id).inputs),
            }
            for d in store.derived.values()
        ],
        "conflicts": [c.model_dump() for c in store.all_conflicts()],
        "ignored": [i.model_dump() for i in store.ignored],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


#: What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula, with a ``'`` in front.

    Only text is changed: the value column holds the figure's own number (an int or a
    float reportgen wrote), which a spreadsheet reads as a number, negative or not,
    and which no source text can turn into a formula. A text cell such as a quote or
    a displayed figure ("-5%") gets the quote mark, as OWASP advises, at the cost of
    one visible character."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def as_csv(store: Store) -> str:
    """Every figure, one row each: ``facts export --format csv`` and ``appendix.csv``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FACT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in _rows(store):
        writer.writerow({column: spreadsheet_safe(cell) for column, cell in row.items()})
    return buffer.getvalue()


def write_sqlite(store: Store, target: Path) -> None:
    """Write the database next to ``target`` and move it into place only when complete."""

    def fill(temp: Path) -> None:
        try:
            with contextlib.closing(sqlite3.connect(temp)) as db, db:
                _fill(db, store)
        except sqlite3.Error as exc:
            raise ReportError(f"cannot write SQLite export: {exc}", Location(str(target))) from None

    _write_output(target, fill)


def _fill(db: sqlite3.Connection, store: Store) -> None:
    db.executescript("""
        CREATE TABLE sources (id TEXT PRIMARY KEY, title TEXT, publisher TEXT, published TEXT,
            published_precision TEXT, language TEXT, file TEXT, sha256 TEXT, timeframe TEXT);
        CREATE TABLE entities (id TEXT PRIMARY KEY, name TEXT, kind TEXT, description TEXT);
        CREATE TABLE relations (entity TEXT REFERENCES entities(id), relation TEXT,
            target TEXT REFERENCES entities(id));
        CREATE TABLE facts (id TEXT PRIMARY KEY, kind TEXT, entity TEXT, metric TEXT,
            value REAL, unit TEXT, precision TEXT, status TEXT, period TEXT, source TEXT,
            quote TEXT, formula TEXT, display TEXT);
        CREATE TABLE derived_inputs (derived TEXT REFERENCES facts(id), input TEXT);
        CREATE TABLE conflicts (id TEXT PRIMARY KEY, kind TEXT, summary TEXT);
        CREATE TABLE conflict_facts (conflict TEXT REFERENCES conflicts(id), fact TEXT);
    """)
    db.executemany(
        "INSERT INTO sources VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (
                s.id,
                s.title,
                s.publisher,
                s.published.date,
                s.published.precision,
                s.language,
                s.file,
                s.sha256,
                s.timeframe,
            )
            for s in store.sources.values()
        ],
    )
    db.executemany(
        "INSERT INTO entities VALUES (?,?,?,?)",
        [(e.id, e.name, e.kind, e.description) for e in store.entities.values()],
    )
    db.executemany(
        "INSERT INTO relations VALUES (?,?,?)",
        [
            (e.id, rel, target)
            for e in store.entities.values()
            for rel in e.relations
            for target in e.related(rel)
        ],
    )
    db.executemany(
        f"INSERT INTO facts VALUES ({','.join('?' * len(FACT_COLUMNS))})",  # noqa: S608 - fixed columns
        [tuple(row[c] for c in FACT_COLUMNS) for row in _rows(store)],
    )
    db.executemany(
        "INSERT INTO derived_inputs VALUES (?,?)",
        [(d, ref) for d in store.derived for ref in store.figure(d).inputs],
    )
    conflicts = store.all_conflicts()
    db.executemany(
        "INSERT INTO conflicts VALUES (?,?,?)", [(c.id, c.kind, c.summary) for c in conflicts]
    )
    db.executemany(
        "INSERT INTO conflict_facts VALUES (?,?)", [(c.id, f) for c in conflicts for f in c.facts]
    )


def export(project: Path, fmt: str, output: Path | None) -> str | None:
    """Export the store; return the text when writing to stdout, else None."""
    if output is not None:
        check_target(output, str(output))  # before the store's seconds of work
    store = open_store(project)
    if fmt == "sqlite":
        assert output is not None
        write_sqlite(store, output)
        return None
    text = as_json(store) if fmt == "json" else as_csv(store)
    if output is None:
        return text
    _write_output(output, text.encode("utf-8"))
    return None


def _write_output(output: Path, data: bytes | Callable[[Path], None]) -> None:
    """Replace ``output`` whole; a directory, device, FIFO or symlink there is refused."""
    try:
        write_atomic(output, data, shown=str(output))
    except OSError as exc:
        raise ReportError(
            f"cannot write the export: {exc.strerror}", Location(str(output))
        ) from None
