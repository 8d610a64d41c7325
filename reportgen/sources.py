"""``reportgen sources add``: an article into ``seeds/articles/``, declared in ``sources.yaml``.

The article is copied byte for byte (quotes are checked against it and its sha256
is recorded), and its entry is appended to ``seeds/sources.yaml`` as text: the
file is the analysts', so its comments and layout stay as they wrote them. What
the text suggests (a title, a publication date) is filled in; a date found in the
text is only a suggestion, marked ``REVIEW:`` until someone confirms it, and
``check`` refuses the marker.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from reportgen.articles import DateSuggestion, first_line, read_article, suggest_date
from reportgen.atomic import write_atomic
from reportgen.errors import Location, Problems, ReportError, UsageError, relative
from reportgen.facts.model import MAX_SOURCE_BYTES
from reportgen.readfile import lines_if_readable
from reportgen.yamlio import MAX_YAML_BYTES, YMap, YSeq, load_yaml

ARTICLES = Path("seeds/articles")
SOURCES = Path("seeds/sources.yaml")
#: Marks a value ``sources add`` guessed or could not fill; ``check`` refuses it.
REVIEW = "REVIEW:"
_REVIEW_VALUE = re.compile(r":\s*[\"']?" + REVIEW)
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_LANGUAGE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")
_PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class SourceOptions:
    """What the command line says about the article; ``None`` where it says nothing."""

    id: str | None = None
    title: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None


@dataclass
class Added:
    """What ``sources add`` did, and what is left for the analyst."""

    id: str
    article: str
    size: int
    sha256: str
    copied: bool
    #: (line in sources.yaml, what to do there)
    todo: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def render(self) -> str:
        verb = "copied to" if self.copied else "already in place at"
        lines = [
            f"added source '{self.id}': {verb} {self.article} "
            f"({self.size:,} bytes, sha256 {self.sha256[:12]}…), declared in {SOURCES}",
            *(f"  {note}" for note in self.notes),
        ]
        if self.todo:
            lines.append(f"left to fill in {SOURCES}:")
            lines += [f"  {SOURCES}:{line}: {what}" for line, what in self.todo]
        lines.append(
            f"next: `reportgen facts draft {self.id} -o seeds/facts/{self.id}.yaml` drafts "
            "the figures it states, for review; `reportgen check` lists every number not "
            "yet a fact or ignored"
        )
        return "\n".join(lines)


def add_source(project: Path, article: Path, options: SourceOptions) -> Added:
    """Copy ``article`` into the project and declare it; ReportErrors name what is wrong."""
    project = project.resolve()
    if not (project / "seeds").is_dir():
        raise ReportError(
            "no seeds/ folder: is --project pointing at a report project? "
            "(`reportgen init DIR` starts one)",
            Location(str(project / "seeds")),
        )
    data, text = read_article(article, _size_limit(project))
    source_id = options.id or article.stem
    _check_options(source_id, options, explicit_id=options.id is not None)
    sources_file = project / SOURCES
    old = _read_sources(sources_file, project, source_id)
    target = project / ARTICLES / article.name
    shown_target = str(ARTICLES / article.name)
    in_place = _in_place(data, target, shown_target)
    _check_declared(old, shown_target, source_id)
    if not in_place:
        write_atomic(target, data, shown=shown_target)
    copied = not in_place
    digest = hashlib.sha256(data).hexdigest()
    date = _published(options.published, text)
    entry, todo = _entry(
        source_id, options, text, date, shown_target, digest, _language(project, options), old
    )
    try:
        _append(sources_file, old, entry, source_id)
    except BaseException:
        if copied:
            target.unlink(missing_ok=True)
        raise
    start = old.count("\n") + (0 if old.endswith("\n") or not old else 1)
    added = Added(source_id, shown_target, len(data), digest, copied)
    added.todo = [(start + offset, what) for offset, what in todo]
    if options.title is None:
        added.notes.append(f"title from the first line: {first_line(text)!r}")
    return added


def _check_options(source_id: str, options: SourceOptions, *, explicit_id: bool) -> None:
    if not _ID.match(source_id) or len(source_id) > 80:
        slug = re.sub(r"[^a-z0-9]+", "-", source_id.lower()).strip("-") or "article"
        how = "--id" if explicit_id else "the file name"
        raise UsageError(
            f"reportgen sources add: {how} gives the id {source_id!r}, which is not an id "
            f"(lower-case letters, digits and hyphens): pass --id {slug}"
        )
    if options.language is not None and not _LANGUAGE.match(options.language):
        raise UsageError(
            f"reportgen sources add: --language {options.language!r} is not a language code "
            "such as en or en-GB"
        )
    if options.published is not None:
        _published(options.published, "")
    if options.title is not None and not options.title.strip():
        raise UsageError("reportgen sources add: --title is empty")


def _published(given: str | None, text: str) -> tuple[str, str, str, DateSuggestion | None]:
    """(date, precision, basis, suggestion) for the entry's ``published``."""
    if given is not None:
        match = _PUBLISHED.match(given)
        parts = [p for p in match.groups() if p] if match else []
        try:
            dt.date(
                int(parts[0]),
                int(parts[1]) if len(parts) > 1 else 1,
                int(parts[2]) if len(parts) > 2 else 1,
            )
        except (IndexError, ValueError):
            raise UsageError(
                f"reportgen sources add: --published {given!r} is not a date "
                "(YYYY, YYYY-MM or YYYY-MM-DD)"
            ) from None
        precision = ("year", "month", "day")[len(parts) - 1]
        return given, precision, "Given by the analyst who added the source.", None
    found = suggest_date(text)
    if found is None:
        return (
            "YYYY-MM-DD",
            "day",
            f"{REVIEW} no date found in the text. Write the publication date above "
            "(YYYY, YYYY-MM or YYYY-MM-DD), its precision (year, month or day), "
            "and here how it is known.",
            None,
        )
    basis = (
        f"{REVIEW} suggested from line {found.line} of the text, which says "
        f"“{found.said}”. Confirm the date, then write here how it is known."
    )
    return found.date, found.precision, basis, found


def _language(project: Path, options: SourceOptions) -> str:
    if options.language:
        return options.language
    found = _report_value(project, "language")
    return found if isinstance(found, str) and _LANGUAGE.match(found) else "en"


def _size_limit(project: Path) -> int:
    found = _report_value(project, "max_source_bytes")
    return found if isinstance(found, int) and found > 0 else MAX_SOURCE_BYTES


def _report_value(project: Path, key: str) -> object:
    """A top-level value of seeds/report.yaml, or None (check reports a bad file)."""
    try:
        data = load_yaml(project / "seeds" / "report.yaml", "seeds/report.yaml")
    except (ReportError, OSError):
        return None
    return data.get(key) if isinstance(data, YMap) else None


def _read_sources(file: Path, project: Path, source_id: str) -> str:
    """The text of sources.yaml, refusing an id already declared."""
    shown = relative(file, project)
    if not file.exists():
        return f"# Source articles, one entry each; their text is in {ARTICLES}/.\nsources:\n"
    data = load_yaml(file, shown)
    records = data.get("sources") if isinstance(data, YMap) else None
    if isinstance(records, YSeq):
        for index, raw in enumerate(records):
            if isinstance(raw, YMap) and raw.get("id") == source_id:
                raise ReportError(
                    f"a source with id '{source_id}' is already declared: pass another --id",
                    records.at(index),
                )
    return file.read_text(encoding="utf-8")


def _check_declared(old: str, shown_target: str, source_id: str) -> None:
    parsed = yaml.safe_load(old) or {}
    for raw in (parsed.get("sources") or []) if isinstance(parsed, dict) else []:
        if isinstance(raw, dict) and raw.get("file") == shown_target:
            raise ReportError(
                f"already declared by source '{raw.get('id')}'; "
                f"'{source_id}' would be a second entry for the same text",
                Location(shown_target),
            )


def _in_place(data: bytes, target: Path, shown: str) -> bool:
    """Whether the same bytes are already there; never replace other text."""
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise ReportError("exists and is not a regular file: remove it first", Location(shown))
    if not target.exists():
        return False
    if target.read_bytes() == data:
        return True
    raise ReportError(
        "another text already has this name; source texts are never replaced: "
        "rename the new article's file and add it again",
        Location(shown),
    )


def _entry(
    source_id: str,
    options: SourceOptions,
    text: str,
    date: tuple[str, str, str, DateSuggestion | None],
    file: str,
    digest: str,
    language: str,
    old: str,
) -> tuple[str, list[tuple[int, str]]]:
    """The entry as YAML text in the file's own indentation; the lines left to fill."""
    found = re.search(r"^( *)- ", old.split("sources:", 1)[-1], re.M)
    dash = found.group(1) if found else "  "
    pad = dash + "  "
    title = options.title or first_line(text)
    published, precision, basis, suggestion = date
    lines = [
        f"{dash}- id: {source_id}",
        f"{pad}title: {_quoted(title)}",
        f"{pad}publisher: {_quoted(options.publisher)}",
        f"{pad}url: {_quoted(options.url)}",
        f"{pad}published:",
        f"{pad}  date: {_quoted(published)}",
        f"{pad}  precision: {precision}",
        f"{pad}  basis: {_quoted(basis)}",
        f"{pad}language: {language}",
        f"{pad}file: {_quoted(file)}",
        f"{pad}sha256: {digest}",
    ]
    todo: list[tuple[int, str]] = []
    if options.published is None:
        what = (
            f"published: {suggestion.date} is a suggestion (line {suggestion.line} of the "
            f"text says “{suggestion.said}”): confirm it, then replace the REVIEW basis "
            "with how the date is known"
            if suggestion
            else "published: no date found in the text: write the date, its precision and "
            "how it is known (or add the source again with --published)"
        )
        todo.append((6, what))
    if options.publisher is None:
        todo.append((3, "publisher: optional, null when the article does not say"))
    if options.url is None:
        todo.append((4, "url: optional"))
    if options.title is None:
        todo.append((2, "title: taken from the first line; shorten it if it is not a headline"))
    return "\n".join(lines) + "\n", sorted(todo)


def _quoted(value: str | None) -> str:
    """A YAML scalar: null, or a double-quoted string (JSON's escapes are YAML's too)."""
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def _append(file: Path, old: str, entry: str, source_id: str) -> None:
    """Append ``entry`` as text, and make sure YAML reads exactly one more source."""
    base = re.sub(r"^sources:[ \t]*\[[ \t]*\][ \t]*$", "sources:", old, count=1, flags=re.M)
    if base and not base.endswith("\n"):
        base += "\n"
    new = base + entry
    before = (yaml.safe_load(old) or {}).get("sources") or []
    try:
        after = (yaml.safe_load(new) or {}).get("sources") or []
    except yaml.YAMLError:
        after = []
    if len(after) != len(before) + 1 or after[-1].get("id") != source_id:
        raise ReportError(
            "cannot append to this file and keep its layout: 'sources:' must be the last "
            "top-level key, a block list with one '- id:' item per source",
            Location(str(SOURCES)),
        )
    write_atomic(file, new.encode("utf-8"), shown=str(SOURCES))


def check_articles(project: Path, problems: Problems) -> None:
    """Every file in seeds/articles/ is declared by a source; no value awaits review
    (in sources.yaml, or in a fact file ``facts draft`` wrote)."""
    project = project.resolve()
    folder = project / ARTICLES
    declared = _declared(project)
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.name.startswith(".") or not path.is_file():
                continue
            if path.resolve() not in declared:
                shown = relative(path, project)
                problems.add(
                    f"no source in {SOURCES} declares this article, so nothing checks its "
                    f"figures: run `reportgen sources add {shown}`, or move it out of "
                    f"{ARTICLES}/",
                    Location(shown),
                )
    sources = project / SOURCES
    lines = lines_if_readable(sources, MAX_YAML_BYTES)
    if lines is None:
        return  # the store reports an unreadable sources.yaml
    for number, line in enumerate(lines, 1):
        match = _REVIEW_VALUE.search(line)
        if match and not line.lstrip().startswith("#"):
            problems.add(
                "a value 'reportgen sources add' guessed or could not find awaits review: "
                "check it, fix it if need be, and remove the REVIEW marker",
                Location(str(SOURCES), number, line.index(REVIEW, match.start()) + 1),
            )
    from reportgen.facts.draft_yaml import check_review_markers

    check_review_markers(project, problems)


def _declared(project: Path) -> set[Path]:
    """The article files sources.yaml names (the store reports whatever else is wrong)."""
    try:
        data = load_yaml(project / SOURCES, str(SOURCES))
    except (ReportError, OSError):
        return set()
    records = data.get("sources") if isinstance(data, YMap) else None
    declared: set[Path] = set()
    for raw in records or []:
        if isinstance(raw, YMap) and isinstance(raw.get("file"), str):
            # A NUL or a symlink loop in a path is the store's to report, with its line.
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                declared.add((project / raw["file"]).resolve())
    return declared
