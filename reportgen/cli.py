"""The ``reportgen`` command: one verb per stage, errors as one line each.

Only this module configures logging and prints; the library logs through
``logging.getLogger(__name__)``. Heavy modules (matplotlib, WeasyPrint) are
imported inside the verbs that need them, so ``reportgen check`` stays fast.
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from reportgen import __version__
from reportgen.errors import ReportError, UsageError

log = logging.getLogger("reportgen")


#: Names the project folder when --project is not given.
PROJECT_ENV = "REPORTGEN_PROJECT"


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
    verb's own parser; :func:`_defaults` fills in what was not given."""
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


def _defaults(args: argparse.Namespace) -> argparse.Namespace:
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="reportgen", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"reportgen {__version__}")
    _common(parser)
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    init = verbs.add_parser("init", help="start a new report project that builds at once")
    _common(init)
    init.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder")
    init.add_argument("--title", help="the briefing's title (seeds/report.yaml)")
    init.set_defaults(run=_run_init)

    check = verbs.add_parser("check", help="validate the fact store, charts and templates")
    _common(check)
    check.set_defaults(run=_run_check)

    facts = verbs.add_parser("facts", help="list, show, export or draft facts")
    _common(facts)
    facts_verbs = facts.add_subparsers(dest="facts_verb", required=True, parser_class=_Parser)
    listing = facts_verbs.add_parser("list", help="one line per fact and derived metric")
    _common(listing)
    listing.add_argument("--entity", help="only this entity id")
    listing.add_argument("--metric", help="only this metric")
    listing.set_defaults(run=_run_facts_list)
    show = facts_verbs.add_parser("show", help="one fact or derived metric in full")
    _common(show)
    show.add_argument("id")
    show.set_defaults(run=_run_facts_show)
    export = facts_verbs.add_parser("export", help="the whole store as JSON, CSV or SQLite")
    _common(export)
    export.add_argument("--format", choices=["json", "csv", "sqlite"], required=True)
    export.add_argument(
        "-o", "--output", type=Path, help="file to write (default: stdout; required for sqlite)"
    )
    export.set_defaults(run=_run_facts_export)

    drafting = facts_verbs.add_parser(
        "draft", help="draft facts and ignore entries for a source's numbers, for review"
    )
    _common(drafting)
    drafting.add_argument("source_id", metavar="SOURCE_ID", help="a source of seeds/sources.yaml")
    drafting.add_argument("-o", "--output", type=Path, help="a new file to write (default: stdout)")
    drafting.set_defaults(run=_run_facts_draft)

    sources = verbs.add_parser("sources", help="add a source article")
    _common(sources)
    sources_verbs = sources.add_subparsers(dest="sources_verb", required=True, parser_class=_Parser)
    add = sources_verbs.add_parser(
        "add", help="copy an article into seeds/articles/ and declare it in seeds/sources.yaml"
    )
    _common(add)
    add.add_argument("file", type=Path, metavar="FILE", help="the article as UTF-8 plain text")
    add.add_argument("--id", help="the source's id (default: the file's stem)")
    add.add_argument("--title", help="default: the article's first line")
    add.add_argument("--publisher")
    add.add_argument("--url")
    add.add_argument("--published", metavar="YYYY[-MM[-DD]]", help="the publication date")
    add.add_argument("--language", help="e.g. en (default: the report's language)")
    add.set_defaults(run=_run_sources_add)

    charts = verbs.add_parser("charts", help="draw the charts only")
    _common(charts)
    _with_out(charts)
    charts.set_defaults(run=_run_charts)

    build = verbs.add_parser("build", help="build the briefing (HTML and PDF)")
    _common(build)
    _with_out(build)
    build.add_argument(
        "--format", default="html,pdf", help="comma-separated: html,pdf (default: both)"
    )
    build.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    build.set_defaults(run=_run_build)

    email = verbs.add_parser("email", help="email the PDF briefing")
    _common(email)
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
    email.set_defaults(run=_run_email)

    edition = verbs.add_parser("edition", help="record the store as the next edition")
    _common(edition)
    edition.add_argument(
        "--out", type=Path, metavar="FILE", help="write the snapshot to FILE; record nothing"
    )
    edition.set_defaults(run=_run_edition)

    diff = verbs.add_parser("diff", help="what changed since the last recorded edition")
    _common(diff)
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
    diff.set_defaults(run=_run_diff)

    serve = verbs.add_parser("serve", help="preview in a browser, rebuilt on every save")
    _common(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument("--port", type=_port, default=0, metavar="P", help="default: a free port")
    serve.add_argument("--open", action="store_true", help="open the preview in a browser")
    serve.set_defaults(run=_run_serve)
    return parser


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0 to 65535): {text!r}")
    return int(text)


def _out(args: argparse.Namespace) -> Path:
    out: Path | None = args.out
    return out if out is not None else args.project / "build"


def _run_init(args: argparse.Namespace) -> int:
    from reportgen.scaffold import init_project

    print(init_project(args.folder, args.title).render())
    return 0


def _run_check(args: argparse.Namespace) -> int:
    from reportgen.check import check_project

    summary = check_project(args.project)
    print(summary.render())
    return 0


def _run_facts_list(args: argparse.Namespace) -> int:
    from reportgen.facts import show

    print(show.listing(args.project, entity=args.entity, metric=args.metric), end="")
    return 0


def _run_facts_show(args: argparse.Namespace) -> int:
    from reportgen.facts import show

    print(show.detail(args.project, args.id), end="")
    return 0


def _run_facts_export(args: argparse.Namespace) -> int:
    from reportgen.facts import export

    if args.format == "sqlite" and args.output is None:
        raise UsageError("reportgen facts export: --format sqlite needs -o FILE")
    text = export.export(args.project, args.format, args.output)
    if text is not None:
        sys.stdout.write(text)
    return 0


def _run_facts_draft(args: argparse.Namespace) -> int:
    from reportgen.facts.draft import draft
    from reportgen.facts.draft_yaml import write

    text = write(draft(args.project, args.source_id), args.output)
    if text is not None:
        sys.stdout.write(text)
    return 0


def _run_sources_add(args: argparse.Namespace) -> int:
    from reportgen.sources import SourceOptions, add_source

    options = SourceOptions(
        id=args.id,
        title=args.title,
        publisher=args.publisher,
        url=args.url,
        published=args.published,
        language=args.language,
    )
    print(add_source(args.project, args.file, options).render())
    return 0


def _run_charts(args: argparse.Namespace) -> int:
    from reportgen.charts import build_charts_command

    print(build_charts_command(args.project, _out(args)))
    return 0


def _run_build(args: argparse.Namespace) -> int:
    from reportgen.build import build

    formats = {f.strip() for f in str(args.format).split(",") if f.strip()}
    unknown = formats - {"html", "pdf"}
    if unknown or not formats:
        raise UsageError(
            f"reportgen build: --format takes html, pdf or html,pdf (got {args.format!r})"
        )
    result = build(args.project, _out(args), formats=formats, force=args.force)
    print(result.summary())
    return 0


def _run_edition(args: argparse.Namespace) -> int:
    from reportgen.editions.command import record_edition

    print(record_edition(args.project, args.out).render())
    return 0


def _run_diff(args: argparse.Namespace) -> int:
    from reportgen.editions.command import diff
    from reportgen.editions.diff import as_json, as_markdown, as_text

    changes = diff(args.project, args.old, args.new)
    render = {"text": as_text, "json": as_json, "markdown": as_markdown}[args.format]
    sys.stdout.write(render(changes))
    return 0


def _run_serve(args: argparse.Namespace) -> int:
    from reportgen.serve import ServeOptions, serve

    return serve(ServeOptions(args.project, args.host, args.port, args.open))


def _run_email(args: argparse.Namespace) -> int:
    from reportgen.deliver.command import EmailOptions, email_command

    if args.cc:
        raise UsageError(
            "reportgen email: there is no --cc: recipients of a briefing never see each "
            "other's addresses; give every recipient with --to or --to-file"
        )
    options = EmailOptions(
        project=args.project,
        out=_out(args),
        to=tuple(args.to),
        to_file=args.to_file,
        subject=args.subject,
        dry_run=args.dry_run,
        resend=args.resend,
    )
    return email_command(options)


class _StageFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if record.levelno >= logging.WARNING:
            return f"reportgen: {record.levelname.lower()}: {record.getMessage()}"
        return record.getMessage()


def _configure_logging(verbose: int, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_StageFormatter())
    root = logging.getLogger("reportgen")
    root.handlers[:] = [handler]
    root.propagate = False
    root.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose else logging.INFO)


def _exit_on_interrupt(signum: int, _frame: object) -> None:
    """Stop now, leaving the published outputs untouched (they only ever change by rename).

    Exits without unwinding: a KeyboardInterrupt raised inside WeasyPrint's C callbacks
    or a weakref finaliser is printed and swallowed, and the build would carry on. So the
    PDF workers and staging folders go here, not in ``finally`` blocks."""
    engine = sys.modules.get("reportgen.pdf.engine")
    if engine is not None:
        engine.stop_all()
    publish = sys.modules.get("reportgen.publish")
    if publish is not None:
        publish.abandon()
    os.write(2, b"reportgen: interrupted\n")
    os._exit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args: argparse.Namespace | None = None
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        args = _defaults(build_parser().parse_args(argv))
        _configure_logging(args.verbose, args.quiet)
        if args.verb != "email" and threading.current_thread() is threading.main_thread():
            # Email keeps Python's KeyboardInterrupt so the delivery log records what the
            # server already accepted; every other verb writes only by atomic rename.
            signal.signal(signal.SIGINT, _exit_on_interrupt)
            signal.signal(signal.SIGTERM, _exit_on_interrupt)
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except UsageError as exc:
        if debug:
            raise
        print(str(exc), file=sys.stderr)
        return 2
    except ReportError as exc:
        if debug:
            raise
        for line in exc.lines():
            print(line, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("reportgen: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if debug:
            raise
        print(
            f"reportgen: internal error: {type(exc).__name__}: {exc} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 3


def run() -> NoReturn:
    """The ``reportgen`` command: :func:`main`, then exit without tearing down.

    Everything is written by then. Freeing the interpreter's objects one by one
    (the fact store, pydantic's and Jinja's machinery) took 0.15 s of every build
    and changed nothing a user can see."""
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or a full disk: output was lost
            code = code or 1
    os._exit(code)


if __name__ == "__main__":
    run()
