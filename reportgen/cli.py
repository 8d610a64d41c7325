"""The ``reportgen`` command: one verb per stage, errors as one line each.

Only this module (with :mod:`reportgen.verbs`, which prints each verb's result)
configures logging and prints; the library logs through ``logging.getLogger(__name__)``.
The verbs and their options are :mod:`reportgen.arguments`.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import NoReturn

from reportgen.arguments import build_parser, defaults
from reportgen.errors import ReportError, UsageError

log = logging.getLogger("reportgen")


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
        args = defaults(build_parser().parse_args(argv))
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
    (the fact store, pydantic's and Jinja's machinery) is a measurable part of every
    build (``make bench``) and changes nothing a user can see."""
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
