"""Gather every input under ``seeds/`` into a :class:`Store`, collecting all problems.

Layout of a report project's ``seeds/``:

- ``seeds/report.yaml``: the briefing's title and PDF metadata;
- ``seeds/sources.yaml``: ``sources:``, one entry per article (text under ``seeds/``);
- ``seeds/facts/*.yaml``: any of ``entities:``, ``facts:``, ``derived:``,
  ``conflicts:`` and ``ignore:`` lists, split across files as analysts like.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from reportgen.errors import Location, Problems, ReportError, relative
from reportgen.facts.model import (
    MAX_SOURCE_BYTES,
    Conflict,
    Derived,
    Entity,
    Fact,
    Ignored,
    ReportMeta,
    Source,
)
from reportgen.facts.store import Store
from reportgen.readfile import read_regular
from reportgen.units import UNITS, load_units
from reportgen.yamlio import YMap, YSeq, load_yaml, validate

SECTIONS: dict[str, type[BaseModel]] = {
    "entities": Entity,
    "facts": Fact,
    "derived": Derived,
    "conflicts": Conflict,
    "ignore": Ignored,
}

M = TypeVar("M", bound=BaseModel)


def load_store(root: Path, problems: Problems) -> Store:
    """Read and validate the project's seeds, adding every problem to ``problems``.

    Records that fail validation are left out, so later checks still run on the rest
    and the user sees all problems at once."""
    root = root.resolve()
    store = Store(root=root)
    seeds = root / "seeds"
    if not seeds.is_dir():
        raise ReportError(
            "no seeds/ folder: is --project pointing at a report project?", Location(str(seeds))
        )
    store.meta = _load_meta(store, seeds / "report.yaml", problems)
    _load_sources(store, seeds / "sources.yaml", problems)
    # Before the facts, whose units it declares.
    UNITS.use(load_units(root, problems, lambda file: _read(store, file, problems)[0]))
    fact_files = sorted((seeds / "facts").glob("*.yaml")) + sorted((seeds / "facts").glob("*.yml"))
    if not fact_files:
        problems.add("no fact files (seeds/facts/*.yaml)", Location("seeds/facts"))
    for file in fact_files:
        _load_fact_file(store, file, problems)
    return store


def _read(store: Store, file: Path, problems: Problems) -> tuple[Any, str]:
    shown = relative(file, store.root)
    store.input_files.append(file)
    try:
        return load_yaml(file, shown), shown
    except ReportError as exc:
        problems.extend(exc)
        store.partial = True
        return None, shown


def _load_meta(store: Store, file: Path, problems: Problems) -> ReportMeta | None:
    if not file.exists():
        problems.add(
            "missing: the briefing's title and metadata live here",
            Location(relative(file, store.root)),
        )
        return None
    before = len(problems)
    data, shown = _read(store, file, problems)
    if data is None:
        if len(problems) == before:
            problems.add("empty: expected title:, subtitle:, author:, ...", Location(shown))
        return None
    return validate(ReportMeta, data, Location(shown, 1), problems)


def _records(data: Any, key: str, shown: str, problems: Problems) -> YSeq:
    """The list under ``key`` in a top-level mapping, or an empty one."""
    if not isinstance(data, YMap) or key not in data:
        return YSeq()
    items = data[key]
    if items is None:
        return YSeq()
    if not isinstance(items, YSeq):
        problems.add(f"'{key}' must be a list", data.at(key))
        return YSeq()
    return items


def _valid(
    store: Store, model: type[M], records: YSeq, problems: Problems
) -> Iterator[tuple[M, Any, Location]]:
    """Each record that validates as ``model``, with its raw data and where it stands;
    one that does not leaves the store partial."""
    for index, raw in enumerate(records):
        loc = records.at(index)
        record = validate(model, raw, loc, problems)
        if record is None:
            store.partial = True
        else:
            yield record, raw, loc


def _load_sources(store: Store, file: Path, problems: Problems) -> None:
    shown = relative(file, store.root)
    if not file.exists():
        problems.add("missing: every source article is declared here", Location(shown))
        return
    data, shown = _read(store, file, problems)
    if data is None:
        return
    if not isinstance(data, YMap) or set(data) != {"sources"}:
        where = data.loc if isinstance(data, YMap | YSeq) else Location(shown, 1)
        problems.add("expected one top-level key, 'sources:'", where)
        return
    records = _records(data, "sources", shown, problems)
    for source, raw, loc in _valid(store, Source, records, problems):
        if _register(store, source.id, loc, problems):
            store.sources[source.id] = source
            _load_source_text(store, source, raw, loc, problems)


def _load_source_text(
    store: Store, source: Source, raw: Any, loc: Location, problems: Problems
) -> None:
    where = raw.at("file") if isinstance(raw, YMap) else loc
    try:
        text_path = (store.root / source.file).resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, a NUL
        problems.add(f"source '{source.id}': cannot use file '{source.file}': {exc}", where)
        return
    if not text_path.is_relative_to(store.root):
        problems.add(f"source '{source.id}': file '{source.file}' is outside the project", where)
        return
    limit = store.meta.max_source_bytes if store.meta is not None else MAX_SOURCE_BYTES
    data = _read_source(source, text_path, limit, where, problems)
    if data is None:
        return
    store.input_files.append(text_path)
    digest = hashlib.sha256(data).hexdigest()
    if digest != source.sha256:
        problems.add(
            f"source '{source.id}': text of '{source.file}' changed since it was recorded "
            f"(sha256 {digest}, recorded {source.sha256}); source texts are never edited",
            raw.at("sha256") if isinstance(raw, YMap) else loc,
        )
        return
    try:
        store.texts[source.id] = data.decode("utf-8")
    except UnicodeDecodeError:
        problems.add(f"source '{source.id}': '{source.file}' is not UTF-8 text", where)


def _read_source(
    source: Source, path: Path, limit: int, where: Location, problems: Problems
) -> bytes | None:
    """The article's bytes: a regular file of at most ``limit`` bytes, else a problem."""
    named = f"source '{source.id}': '{source.file}'"
    try:
        return read_regular(
            path,
            where.path,
            limit,
            cannot=f"source '{source.id}': cannot read '{source.file}'",
            irregular=f"{named} is not a regular file",
            too_large=lambda size: (
                f"{named} is {size:,} bytes, more than the {limit:,} a source may be "
                "(max_source_bytes in seeds/report.yaml)"
            ),
        )
    except ReportError as exc:
        problems.add(exc.message, where)
        return None


def _load_fact_file(store: Store, file: Path, problems: Problems) -> None:
    before = len(problems)
    data, shown = _read(store, file, problems)
    if data is None:
        if len(problems) == before:
            problems.add(
                "empty fact file: expected entities:, facts:, derived:, ...", Location(shown)
            )
        return
    if not isinstance(data, YMap):
        where = data.loc if isinstance(data, YSeq) else Location(shown, 1)
        problems.add(f"expected a mapping with any of: {', '.join(SECTIONS)}", where)
        return
    for key in data:
        if key not in SECTIONS:
            problems.add(
                f"unknown section '{key}'; expected any of: {', '.join(SECTIONS)}",
                data.key_at(key),
            )
    for key, model in SECTIONS.items():
        records = _records(data, key, shown, problems)
        for record, _, loc in _valid(store, model, records, problems):
            if isinstance(record, Ignored):
                store.locations[f"ignore:{len(store.ignored)}"] = loc
                store.ignored.append(record)
                continue
            record_id = str(getattr(record, "id"))  # noqa: B009 - every sectioned model has an id
            if not _register(store, record_id, loc, problems):
                continue
            if isinstance(record, Entity):
                store.entities[record_id] = record
            elif isinstance(record, Fact):
                store.facts[record_id] = record
            elif isinstance(record, Derived):
                store.derived[record_id] = record
            elif isinstance(record, Conflict):
                store.conflicts[record_id] = record


def _register(store: Store, record_id: str, loc: Location, problems: Problems) -> bool:
    """Ids are unique across sources, entities, facts, derived metrics and conflicts."""
    first = store.locations.get(record_id)
    if first is not None:
        problems.add(f"duplicate id '{record_id}' (first defined at {first})", loc)
        return False
    store.locations[record_id] = loc
    return True
