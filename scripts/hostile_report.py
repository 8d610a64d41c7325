"""Run the hostile-input suite and print its table (``make hostile``).

Runs pytest on tests/hostile with a JUnit XML report; each test records the
properties ``group``, ``tracebacks``, ``outputs_changed`` and ``bytes_leaked``.
Prints one row per group and a total; exits non-zero unless every case passed
and tracebacks, outputs changed and bytes leaked are all zero.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLUMNS = ("cases", "passed", "failed", "skipped", "tracebacks", "outputs changed", "bytes leaked")


def run_suite(report: Path, extra: list[str]) -> int:
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "tests/hostile",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={report}",
        "-o",
        "junit_family=xunit1",
        *extra,
    ]
    return subprocess.run(argv, cwd=REPO, check=False).returncode


def tabulate(report: Path) -> tuple[dict[str, dict[str, int]], list[str]]:
    rows: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    failures: list[str] = []
    for case in ET.parse(report).getroot().iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        group = props.get("group") or "other"
        row = rows[group]
        row["cases"] += 1
        if case.find("skipped") is not None:
            row["skipped"] += 1
        elif case.find("failure") is not None or case.find("error") is not None:
            row["failed"] += 1
            failures.append(case.get("name", "?"))
        else:
            row["passed"] += 1
        row["tracebacks"] += int(props.get("tracebacks") or 0)
        row["outputs changed"] += int(props.get("outputs_changed") or 0)
        row["bytes leaked"] += int(props.get("bytes_leaked") or 0)
    return rows, failures


def render(rows: dict[str, dict[str, int]]) -> str:
    total = dict.fromkeys(COLUMNS, 0)
    for row in rows.values():
        for column in COLUMNS:
            total[column] += row[column]
    width = max([len("group"), *map(len, rows)])
    head = "group".ljust(width) + "".join(f"  {c:>15}" for c in COLUMNS)
    lines = [head, "-" * len(head)]
    for group in sorted(rows):
        lines.append(group.ljust(width) + "".join(f"  {rows[group][c]:>15}" for c in COLUMNS))
    lines.append("-" * len(head))
    lines.append("total".ljust(width) + "".join(f"  {total[c]:>15}" for c in COLUMNS))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "hostile.xml"
        code = run_suite(report, argv)
        if not report.exists():
            print("hostile: pytest wrote no report", file=sys.stderr)
            return code or 1
        rows, failures = tabulate(report)
    print()
    print(render(rows))
    bad = sum(r["tracebacks"] + r["outputs changed"] + r["bytes leaked"] for r in rows.values())
    if failures:
        print(f"\nfailed: {', '.join(failures)}")
    if failures or bad or code not in (0, 5):
        print(
            "\nhostile: FAIL (every case must pass; tracebacks, outputs changed and bytes "
            "leaked must be 0)"
        )
        return 1
    print("\nhostile: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
