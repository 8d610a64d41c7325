"""The ``reportgen`` command line: its verbs, their options, and usage errors that
name the closest verb or choice."""

from __future__ import annotations

import argparse
import difflib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from reportgen import __version__, verbs
from reportgen.errors import UsageError

#: Names the project folder when --project is not given.
PROJECT_ENV = "REPORTGEN_PROJECT"
_DESCRIPTION = "The ``reportgen`` command: one verb per stage, errors as one line each."


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")

    def _check_value(self, action: argparse.Action, value: object) -> None:
        """A mistyped verb or choice names the closest ones."""
        choices = action.choices
        if choices is None or value in choices:
            return
        names = [str(c) for c in choices]
        close = difflib.get_close_matches(str(value), names, n=2, cutoff=0.6)
        hint = (
            f"did you mean {' or '.join(repr(c) for c in close)}?"
            if close
            else f"choose from {', '.join(names)}"
        )
        if isinstance(action, argparse._SubParsersAction):
            raise UsageError(f"{self.prog}: unknown verb {str(value)!r}; {hint}")
        option = f" for {action.option_strings[0]}" if action.option_strings else ""
        raise UsageError(f"{self.prog}: invalid choice {str(value)!r}{option}; {hint}")


def _common(parser: argparse.ArgumentParser) -> None:
    """The options every verb takes, before or after it.

    Defaults are suppressed so that a value given before the verb is not reset by the
    verb's own parser; :func:`defaults` fills in what was not given."""
    parser.add_argument(
        "--project",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help=f"report project folder holding seeds/, charts/, templates/ "
        f"(default: ${PROJECT_ENV}, else .)",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=argparse.SUPPRESS, help="more detail"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="errors only"
    )
    parser.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )


def defaults(args: argparse.Namespace) -> argparse.Namespace:
    if not hasattr(args, "project"):
        args.project = Path(os.environ.get(PROJECT_ENV) or ".")
    args.verbose = getattr(args, "verbose", 0)
    args.quiet = getattr(args, "quiet", False)
    args.debug = getattr(args, "debug", False)
    return args


def _with_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: PROJECT/build)",
    )


#: What ``add_subparsers`` returns, to add verbs to.
Verbs: TypeAlias = "argparse._SubParsersAction[_Parser]"
Run = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reportgen", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"reportgen {__version__}")
    _common(parser)
    subparsers = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    for add in (_project_verbs, _facts_verbs, _sources_verbs, _output_verbs, _edition_verbs):
        add(subparsers)
    serve = _verb(
        subparsers, "serve", "preview in a browser, rebuilt on every save", verbs.run_serve
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument("--port", type=_port, default=0, metavar="P", help="default: a free port")
    serve.add_argument("--open", action="store_true", help="open the preview in a browser")
    return parser


def _verb(subparsers: Verbs, name: str, help: str, run: Run | None) -> argparse.ArgumentParser:
    """A verb that takes the common options, and runs ``run`` (None: it has verbs of its own)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(name, help=help)
    _common(parser)
    if run is not None:
        parser.set_defaults(run=run)
    return parser


def _project_verbs(subparsers: Verbs) -> None:
    init = _verb(
        subparsers, "init", "start a new report project that builds at once", verbs.run_init
    )
    init.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder")
    init.add_argument("--title", help="the briefing's title (seeds/report.yaml)")
    _verb(subparsers, "check", "validate the fact store, charts and templates", verbs.run_check)


def _facts_verbs(subparsers: Verbs) -> None:
    facts = _verb(subparsers, "facts", "list, show, export or draft facts", None)
    facts_verbs = facts.add_subparsers(dest="facts_verb", required=True, parser_class=_Parser)
    listing = _verb(
        facts_verbs, "list", "one line per fact and derived metric", verbs.run_facts_list
    )
    listing.add_argument("--entity", help="only this entity id")
    listing.add_argument("--metric", help="only this metric")
    show = _verb(facts_verbs, "show", "one fact or derived metric in full", verbs.run_facts_show)
    show.add_argument("id")
    export = _verb(
        facts_verbs, "export", "the whole store as JSON, CSV or SQLite", verbs.run_facts_export
    )
    export.add_argument("--format", choices=["json", "csv", "sqlite"], required=True)
    export.add_argument(
        "-o", "--output", type=Path, help="file to write (default: stdout; required for sqlite)"
    )
    drafting = _verb(
        facts_verbs,
        "draft",
        "draft facts and ignore entries for a source's numbers, for review",
        verbs.run_facts_draft,
    )
    drafting.add_argument("source_id", metavar="SOURCE_ID", help="a source of seeds/sources.yaml")
    drafting.add_argument("-o", "--output", type=Path, help="a new file to write (default: stdout)")


def _sources_verbs(subparsers: Verbs) -> None:
    sources = _verb(subparsers, "sources", "add a source article", None)
    sources_verbs = sources.add_subparsers(dest="sources_verb", required=True, parser_class=_Parser)
    add = _verb(
        sources_verbs,
        "add",
        "copy an article into seeds/articles/ and declare it in seeds/sources.yaml",
        verbs.run_sources_add,
    )
    add.add_argument("file", type=Path, metavar="FILE", help="the article as UTF-8 plain text")
    add.add_argument("--id", help="the source's id (default: the file's stem)")
    add.add_argument("--title", help="default: the article's first line")
    add.add_argument("--publisher")
    add.add_argument("--url")
    add.add_argument("--published", metavar="YYYY[-MM[-DD]]", help="the publication date")
    add.add_argument("--language", help="e.g. en (default: the report's language)")


def _output_verbs(subparsers: Verbs) -> None:
    charts = _verb(subparsers, "charts", "draw the charts only", verbs.run_charts)
    _with_out(charts)
    build = _verb(subparsers, "build", "build the briefing (HTML and PDF)", verbs.run_build)
    _with_out(build)
    build.add_argument(
        "--format", default="html,pdf", help="comma-separated: html,pdf (default: both)"
    )
    build.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    email = _verb(subparsers, "email", "email the PDF briefing", verbs.run_email)
    _with_out(email)
    email.add_argument("--to", action="append", default=[], metavar="ADDR")
    email.add_argument("--to-file", type=Path, metavar="FILE", help="one address per line")
    # Kept only to explain why it is gone: recipients never see each other.
    email.add_argument("--cc", action="append", default=[], help=argparse.SUPPRESS)
    email.add_argument("--subject", metavar="S")
    email.add_argument(
        "--dry-run", action="store_true", help="write OUT/briefing.eml; send nothing"
    )
    email.add_argument(
        "--resend",
        action="store_true",
        help="send to every recipient, even those the delivery log says have this PDF",
    )


def _edition_verbs(subparsers: Verbs) -> None:
    edition = _verb(
        subparsers, "edition", "record the store as the next edition", verbs.run_edition
    )
    edition.add_argument(
        "--out", type=Path, metavar="FILE", help="write the snapshot to FILE; record nothing"
    )
    diff = _verb(subparsers, "diff", "what changed since the last recorded edition", verbs.run_diff)
    diff.add_argument(
        "--from",
        dest="old",
        metavar="EDITION|GIT_REF",
        help="an edition number, a snapshot .json or a git revision (default: the last edition)",
    )
    diff.add_argument(
        "--to", dest="new", metavar="EDITION|GIT_REF", help="the same (default: the current store)"
    )
    diff.add_argument("--format", choices=["text", "json", "markdown"], default="text")


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0 to 65535): {text!r}")
    return int(text)
