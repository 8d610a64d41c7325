"""A draft as YAML text with its review comments, where it is written, and the check
that refuses a fact file while a ``REVIEW:`` marker is left in it.

The YAML is written as text, not dumped: the comments are the point (each guessed field
says from what it was guessed), and the layout is the one the store's own files use.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from reportgen.atomic import check_target, write_atomic
from reportgen.errors import Location, Problems, ReportError, relative
from reportgen.facts.draft import Draft, DraftFact, figures
from reportgen.readfile import lines_if_readable
from reportgen.yamlio import MAX_YAML_BYTES

#: The marker ``sources add`` uses too; ``check`` fails on every line that carries it.
REVIEW = "REVIEW:"
_MARKER = re.compile(r"(?:^|\s)#\s*REVIEW:|:\s*[\"']?REVIEW:")
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_/-]*$")
FACTS = Path("seeds/facts")


def _scalar(value: str) -> str:
    return value if _PLAIN.match(value) else json.dumps(value, ensure_ascii=False)


def _line(key: str, value: str, basis: str | None, pad: str = "    ") -> str:
    line = f"{pad}{key}: {value}"
    return f"{line}  # {REVIEW} {basis}" if basis else line


def render(draft: Draft) -> str:
    """The draft as a fact file: entities, facts and ignore entries, guesses marked."""
    source = draft.source
    lines = [
        f"# {REVIEW} drafted by `reportgen facts draft {source.id}` from {source.file}.",
        "# Nothing here is a fact until someone has read it against the article: check each",
        "# line marked REVIEW, correct it if need be, then delete its marker (and this line).",
        "# `reportgen check` fails while a marker is left. Quotes, values and states: are",
        "# read from the text; precision is the qualifier in front of the number.",
    ]
    if not (draft.facts or draft.ignores or draft.entities):
        return (
            f"# Every number of source '{source.id}' ({source.file}) is already a fact or an "
            "ignore entry.\nfacts: []\n"
        )
    if draft.entities:
        lines.append("entities:")
        for entity in draft.entities:
            lines += [
                f"  - id: {entity.id}  # {REVIEW} a new entity: no entity's name or alias matches",
                f"    name: {_scalar(entity.name)}",
                f"    kind: company  # {REVIEW} guessed: company, brand, factory, region, ...",
            ]
    if draft.facts:
        lines.append("facts:")
        for fact in draft.facts:
            lines += _fact(draft, fact)
    if draft.ignores:
        lines.append("ignore:")
        for item in draft.ignores:
            reason = _scalar(item.reason)
            marker = f"  # {REVIEW} proposed: confirm the reason" if item.review else ""
            lines += [
                f"  - source: {source.id}",
                f"    text: {json.dumps(item.text, ensure_ascii=False)}",
                f"    reason: {reason}{marker}",
            ]
    return "\n".join(lines) + "\n"


def _fact(draft: Draft, fact: DraftFact) -> list[str]:
    guessed = fact.fields
    out = [_line("id", guessed["id"].value, guessed["id"].basis, "  - ")]
    out.append(_line("entity", guessed["entity"].value, guessed["entity"].basis))
    out.append(_line("metric", guessed["metric"].value, guessed["metric"].basis))
    for key, value in figures(fact).items():
        out.append(f"    {key}: {value}")
    unit = guessed["unit"]
    out.append(_line("unit", _scalar(unit.value), unit.basis))
    out.append(f"    precision: {fact.precision}")
    out.append(_line("status", guessed["status"].value, guessed["status"].basis))
    period = guessed["period"]
    out.append(_line("period", json.dumps(period.value), period.basis))
    out.append(f"    source: {draft.source.id}")
    if fact.supersedes is not None:
        out.append(_line("supersedes", fact.supersedes.value, fact.supersedes.basis))
    out.append(f"    states: {json.dumps(fact.quantity.text.strip(), ensure_ascii=False)}")
    quote = json.dumps(draft.quote(fact), ensure_ascii=False)
    problem = f"  # {REVIEW} check would refuse this quote: {fact.problem}" if fact.problem else ""
    out.append(f"    quote: {quote}{problem}")
    return out


def write(draft: Draft, output: Path | None) -> str | None:
    """Write the draft to ``output`` (a new or empty regular file), or return its text."""
    text = render(draft)
    if output is None:
        return text
    shown = str(output)
    check_target(output, shown)
    if output.exists() and output.stat().st_size > 0:
        raise ReportError(
            "already exists: a draft never replaces a file (its facts may be reviewed "
            "work); name a new file, or delete this one first",
            Location(shown),
        )
    write_atomic(output, text.encode("utf-8"), shown=shown)
    return None


def check_review_markers(project: Path, problems: Problems) -> None:
    """A fact file that still carries a REVIEW marker has not been reviewed: refuse it."""
    folder = project / FACTS
    if not folder.is_dir():
        return
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        lines = lines_if_readable(path, MAX_YAML_BYTES)
        if lines is None:
            continue  # the store reports a file it cannot read
        shown = relative(path, project)
        for number, line in enumerate(lines, 1):
            match = _MARKER.search(line)
            if match:
                problems.add(
                    "a draft value awaits review (`reportgen facts draft` marked it): check "
                    "it against the article, fix it if need be, and delete the REVIEW marker",
                    Location(shown, number, line.index(REVIEW, match.start()) + 1),
                )
