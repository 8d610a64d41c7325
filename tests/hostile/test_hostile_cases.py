"""Every hostile case in tests/hostile/cases.py, run as a user would run reportgen.

For each case and verb: the exit code and message the case names, no traceback,
the previous build's outputs byte-identical after a failure, no request reaching
the loopback server, and for attack cases no local file, script or attachment in
any output. Each test records ``tracebacks``, ``outputs_changed`` and
``bytes_leaked`` for ``make hostile``'s table (scripts/hostile_report.py).
"""

from __future__ import annotations

import importlib
import shutil
import time
from pathlib import Path

import pytest

from tests.hostile.cases import ALL
from tests.hostile.harness import (
    Case,
    Context,
    Loopback,
    Run,
    argv_for,
    changed,
    copy_project,
    has_traceback,
    live_markup,
    make_bait,
    message_pattern,
    run,
    scan_outputs,
    snapshot,
)


def _available(dotted: str) -> bool:
    module, _, name = dotted.rpartition(".")
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_hostile_case(
    case: Case,
    tmp_path: Path,
    loopback: Loopback,
    previous_build: Path,
    reference: Path,
    canary: str,
    record_property: pytest.RecordProperty,
) -> None:
    if case.needs and not _available(case.needs):
        pytest.skip(f"{case.needs} does not exist yet")
    outside = make_bait(tmp_path / "outside", canary)
    ctx = Context(copy_project(tmp_path / "project", reference), outside, canary, loopback.port)
    out = ctx.project / "build"
    shutil.copytree(previous_build, out)
    before = snapshot(out)
    baseline = live_markup((out / "briefing.html").read_text("utf-8"))
    case.mutate(ctx)

    problems: list[str] = []
    runs: list[Run] = []
    tracebacks = outputs_changed = 0
    requests_before = len(loopback.requests)
    for verb in case.verbs:
        argv = argv_for(verb, ctx.project, out)
        if case.wrap is not None:
            argv = case.wrap(argv)
        result = run(argv, cwd=ctx.project, timeout=case.timeout)
        result.verb = verb
        runs.append(result)
        expected = case.exits.get(verb, case.exit)
        shown = f"[{verb}] exit {result.returncode}, stderr:\n{result.stderr[-3000:]}"
        if has_traceback(result):
            tracebacks += 1
            problems.append(f"traceback or internal error {shown}")
        if result.returncode != expected:
            problems.append(f"expected exit {expected}, {shown}")
        pattern = message_pattern(case, ctx, verb)
        lines = result.stderr.splitlines()
        if pattern is not None and not any(pattern.match(line) for line in lines):
            problems.append(f"no stderr line matches {pattern.pattern!r}: {shown}")
        if len(lines) > 200 or any(len(line) > 2000 for line in lines):
            problems.append(f"[{verb}] stderr is not a short list of one-line messages")
        if expected != 0 and changed(before, snapshot(out)):
            outputs_changed += 1
            problems.append(f"[{verb}] previous outputs changed: {changed(before, snapshot(out))}")
    if case.attack:
        time.sleep(0.2)  # a request the process made is accepted by now
    requests = loopback.requests[requests_before:]
    leaks = scan_outputs(out, ctx, baseline) if case.attack else None
    leaked = (leaks.leaked_bytes if leaks else 0) + (loopback.bytes if requests else 0)
    if requests:
        problems.append(f"the loopback server received {requests}")
    if leaks is not None and leaks.findings:
        problems.append(f"outputs leak: {leaks.findings}")
    if case.verify is not None and not problems:
        try:
            case.verify(ctx, out, runs)
        except AssertionError as exc:
            problems.append(f"verify: {exc}")

    record_property("group", case.group)
    record_property("tracebacks", tracebacks)
    record_property("outputs_changed", outputs_changed)
    record_property("bytes_leaked", leaked)
    record_property("seconds", round(sum(r.seconds for r in runs), 2))
    assert not problems, "\n".join(problems)
