"""``reportgen facts export``: the whole store as JSON, CSV or SQLite.

The SQLite file is for analysts who query the store with sqlite3 or Datasette:
tables ``sources``, ``entities``, ``relations``, ``facts``, ``derived``,
``derived_inputs``, ``conflicts`` and ``conflict_facts``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from reportgen.errors import ReportError
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
                "value": store.values[d.id],
                "inputs": list(store.figure(d.id).inputs),
            }
            for d in store.derived.values()
        ],
        "conflicts": [c.model_dump() for c in store.all_conflicts()],
        "ignored": [i.model_dump() for i in store.ignored],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def as_csv(store: Store) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FACT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_rows(store))
    return buffer.getvalue()


def write_sqlite(store: Store, target: Path) -> None:
    """Write the database next to ``target`` and move it into place only when complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    temp = Path(temp_name)
    try:
        with sqlite3.connect(temp) as db:
            _fill(db, store)
        db.close()
        temp.replace(target)
    except sqlite3.Error as exc:
        temp.unlink(missing_ok=True)
        raise ReportError(f"cannot write SQLite export: {exc}") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


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
    store = open_store(project)
    if fmt == "sqlite":
        assert output is not None
        write_sqlite(store, output)
        return None
    text = as_json(store) if fmt == "json" else as_csv(store)
    if output is None:
        return text
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    Path(temp_name).replace(output)
    return None
