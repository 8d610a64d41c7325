"""What each verb of the ``reportgen`` command does with its parsed arguments.

Each imports its library module when it runs, so ``reportgen check`` never loads
matplotlib or WeasyPrint.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reportgen.errors import UsageError


def _out(args: argparse.Namespace) -> Path:
    out: Path | None = args.out
    return out if out is not None else args.project / "build"


def run_init(args: argparse.Namespace) -> int:
    from reportgen.scaffold import init_project

    print(init_project(args.folder, args.title).render())
    return 0


def run_check(args: argparse.Namespace) -> int:
    from reportgen.check import check_project

    summary = check_project(args.project)
    print(summary.render())
    return 0


def run_facts_list(args: argparse.Namespace) -> int:
    from reportgen.facts import show

    print(show.listing(args.project, entity=args.entity, metric=args.metric), end="")
    return 0


def run_facts_show(args: argparse.Namespace) -> int:
    from reportgen.facts import show

    print(show.detail(args.project, args.id), end="")
    return 0


def run_facts_export(args: argparse.Namespace) -> int:
    from reportgen.facts import export

    if args.format == "sqlite" and args.output is None:
        raise UsageError("reportgen facts export: --format sqlite needs -o FILE")
    text = export.export(args.project, args.format, args.output)
    if text is not None:
        sys.stdout.write(text)
    return 0


def run_facts_draft(args: argparse.Namespace) -> int:
    from reportgen.facts.draft import draft
    from reportgen.facts.draft_yaml import write

    text = write(draft(args.project, args.source_id), args.output)
    if text is not None:
        sys.stdout.write(text)
    return 0


def run_sources_add(args: argparse.Namespace) -> int:
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


def run_charts(args: argparse.Namespace) -> int:
    from reportgen.charts import build_charts_command

    print(build_charts_command(args.project, _out(args)))
    return 0


def run_build(args: argparse.Namespace) -> int:
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


def run_edition(args: argparse.Namespace) -> int:
    from reportgen.editions.command import record_edition

    print(record_edition(args.project, args.out).render())
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from reportgen.editions.command import diff
    from reportgen.editions.diff import as_json, as_markdown, as_text

    changes = diff(args.project, args.old, args.new)
    render = {"text": as_text, "json": as_json, "markdown": as_markdown}[args.format]
    sys.stdout.write(render(changes))
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from reportgen.serve import ServeOptions, serve

    return serve(ServeOptions(args.project, args.host, args.port, args.open))


def run_email(args: argparse.Namespace) -> int:
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
