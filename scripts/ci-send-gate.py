"""Whether the scheduled CI run emails the briefing: only when the store changed since
the last edition sent, unless the run is forced.

Usage: python scripts/ci-send-gate.py LAST_SENT.json [--force true|false] [--project DIR]

LAST_SENT.json is the snapshot the last send left (``reportgen edition --out FILE``
after a successful ``reportgen email``); a missing file means nothing was sent yet.
Prints one log line saying why, and writes ``send=true`` or ``send=false`` to
``$GITHUB_OUTPUT`` when that is set. Exit 1 (with the problem) when the store or the
snapshot cannot be read: a send is never skipped, nor made, on a guess.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from reportgen.editions.command import diff
from reportgen.editions.diff import heading
from reportgen.errors import ReportError


def decide(project: Path, last_sent: Path, force: bool) -> tuple[bool, str]:
    if force:
        return True, "sending: forced (workflow_dispatch input force_send)"
    if not last_sent.exists() and not last_sent.is_symlink():
        return True, f"sending: no edition sent before ({last_sent} is absent)"
    changes = diff(project, str(last_sent), None)
    if changes.empty:
        return False, "skipping the send: nothing changed since the last edition sent"
    return True, f"sending: {heading(changes)}".replace(str(last_sent), "the last edition sent")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("last_sent", type=Path)
    parser.add_argument("--force", choices=["true", "false", ""], default="false")
    parser.add_argument("--project", type=Path, default=Path())
    args = parser.parse_args(argv)
    try:
        send, why = decide(args.project, args.last_sent, args.force == "true")
    except ReportError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        return 1
    print(why)
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as stream:
            stream.write(f"send={'true' if send else 'false'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
