"""Benchmark reportgen against the PDF engine itself, on the real briefing.

Every measurement is a separate process, timed from spawn to exit, with its peak
memory (``os.wait4``: the child and any children it waited for). The cases run
interleaved, round after round (A B C A B C ..., rotated each round), so that a
slow spell of the machine falls on all of them alike; the table gives medians
and each one's ratio to the engine floor measured in the same run:

- floor: ``python -m weasyprint build/briefing.html out.pdf`` on the final HTML;
- floorua: the same with ``--pdf-variant pdf/ua-1``, the tagged PDF builds write (for
  reference: the targets are ratios to the untagged floor);
- cold: ``reportgen build`` with no project cache (``.cache``: charts, font subsets,
  compiled templates) and no previous build. Per-user caches stay warm, as they are for
  the floor: fontconfig's, matplotlib's font list and WeasyPrint's parsed C declarations
  (``~/.cache/reportgen/cffi``, made by the very first build on a machine: 0.3 s more);
- prose: a rebuild after a prose-only template edit (charts from the cache);
- noop: a rebuild with nothing changed;
- check: ``reportgen check``;
- pandoc: a peer pipeline, Markdown -> PDF with ``--pdf-engine=weasyprint``;
- scale: a cold build of a synthetic project with 10x the facts, entities and charts;
- art1mb, art5mb, art10mb: ``reportgen check`` with the first article grown to 1, 5 and
  10 MB of prose (``scripts/big_article.py``): checking must be linear in an article's
  size, so the seconds each added MB costs from 5 to 10 MB must stay within 1.5x of
  what it costs from 1 to 5 MB;
- preview, pvfact, pvpdf: ``reportgen serve`` running, from a save to the event its
  pages get: a prose edit's reload, a fact value edit's reload, the prose edit's PDF
  (``scripts/bench_preview.py``; measured after the rounds, on a quiet preview).

Usage: python scripts/bench.py [--runs 5] [--scale-runs 3] [--out build] [--strict]
Writes OUT/bench.json and prints the table; --strict exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_preview import Timings, measure_preview  # noqa: E402
from big_article import make_article_project  # noqa: E402
from make_scale_project import make_project  # noqa: E402

ROOT = HERE.parent
BIN = Path(sys.executable).parent
PROJECT_DIRS = ("seeds", "charts", "templates")
#: The prose edit: a sentence appended to the first paragraph of this template.
PROSE_TEMPLATE = "templates/partials/summary.html.j2"
PROSE_EDIT = (".</p>", ". (Edited for the benchmark.)</p>")
MB = 1024 * 1024
KB = 1024
#: Article sizes of the linearity cases, in MB.
ARTICLE_MB = (1, 5, 10)


@dataclass
class Run:
    seconds: float
    peak_bytes: int


@dataclass
class Case:
    name: str
    what: str
    argv: list[str]
    runs: int
    setup: Callable[[], None] | None = None
    cwd: Path = ROOT
    #: A build's manifest: its per-process peaks are added up (see :func:`combined_peak`).
    manifest: Path | None = None
    results: list[Run] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.results)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_bytes for r in self.results) / MB


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run ``argv`` to completion; its wall time and peak resident memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    # wait4 gives this child's own rusage (with its waited-for children), unlike
    # RUSAGE_CHILDREN, which is the maximum over every child this script ever had.
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode != 0:
        sys.stderr.write(stderr.decode(errors="replace"))
        raise SystemExit(f"bench: '{' '.join(argv)}' failed with exit code {proc.returncode}")
    return Run(seconds, usage.ru_maxrss * KB)


def combined_peak(run: Run, manifest: Path | None) -> Run:
    """The run with its peak memory as the sum of the build's processes.

    wait4 reports the largest single process of the tree, but the build process and
    its PDF worker run at the same time; their manifest-recorded peaks added up are
    an upper bound of what the build held at once."""
    if manifest is None:
        return run
    peaks = json.loads(manifest.read_text(encoding="utf-8")).get("peak_memory_kb", {})
    total = sum(peaks.values()) * KB
    return Run(run.seconds, max(run.peak_bytes, total))


def copy_project(source: Path, target: Path) -> Path:
    """A fresh copy of a report project's inputs (no cache, no build)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in PROJECT_DIRS:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
    return target


def clean(project: Path) -> Callable[[], None]:
    """Set-up for a cold build: no chart cache, no previous outputs."""

    def run() -> None:
        shutil.rmtree(project / ".cache", ignore_errors=True)
        shutil.rmtree(project / "build", ignore_errors=True)

    return run


def prose_toggle(project: Path) -> Callable[[], None]:
    """Set-up for a prose rebuild: the template's edit made, or undone, in turn."""
    template = project / PROSE_TEMPLATE
    original = template.read_text(encoding="utf-8")
    if PROSE_EDIT[0] not in original:
        raise SystemExit(f"bench: no '{PROSE_EDIT[0]}' in {PROSE_TEMPLATE} to edit")
    edited = original.replace(*PROSE_EDIT, 1)
    state = {"edited": False}

    def run() -> None:
        state["edited"] = not state["edited"]
        template.write_text(edited if state["edited"] else original, encoding="utf-8")

    return run


def pandoc_case(work: Path, html: Path, env: dict[str, str], runs: int) -> Case | str:
    """The peer pipeline on the briefing's own content, or why it is skipped."""
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        return "pandoc is not installed (Debian: apt-get install pandoc)"
    markdown = work / "briefing.md"
    # The same content as Markdown; charts stay inline SVG (raw HTML in pandoc Markdown).
    subprocess.run(
        [pandoc, str(html), "-f", "html", "-t", "markdown", "-o", str(markdown)],
        check=True,
        cwd=html.parent,
    )
    argv = [
        pandoc,
        str(markdown),
        "-s",
        "--metadata",
        "title=Briefing",
        "--pdf-engine=weasyprint",
        "-o",
        str(work / "pandoc.pdf"),
    ]
    return Case("pandoc", "pandoc Markdown -> PDF (weasyprint)", argv, runs, cwd=work)


def tool_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("weasyprint", "matplotlib", "reportgen"):
        versions[name] = version(name)
    pandoc = shutil.which("pandoc")
    if pandoc:
        out = subprocess.run([pandoc, "--version"], capture_output=True, text=True, check=False)
        versions["pandoc"] = out.stdout.split("\n", 1)[0].removeprefix("pandoc ").strip()
    return versions


def verdict(value: float, limit: float) -> dict[str, Any]:
    return {"value": round(value, 3), "target": limit, "pass": value <= limit}


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    out: Path = args.out.resolve()
    work = out / "bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("SOURCE_DATE_EPOCH", None)
    reportgen = [str(BIN / "reportgen"), "-q"]

    def build(project: Path) -> list[str]:
        return [*reportgen, "build", "--project", str(project), "--out", str(project / "build")]

    log(f"preparing projects in {work}")
    cold = copy_project(ROOT, work / "cold")
    prose = copy_project(ROOT, work / "prose")
    noop = copy_project(ROOT, work / "noop")
    scale = work / "scale"
    make_project(ROOT, scale, args.factor)
    # Untimed first builds: the floor's HTML, and the caches the rebuild cases start from.
    for project in (prose, noop):
        measure(build(project), ROOT, env)
    html = noop / "build" / "briefing.html"
    floor_pdf = work / "floor.pdf"

    cases: list[Case] = [
        Case(
            "floor",
            "engine floor: python -m weasyprint",
            [str(BIN / "python"), "-m", "weasyprint", str(html), str(floor_pdf)],
            args.runs,
        ),
        Case(
            "floorua",
            "same, tagged PDF/UA-1 as builds write",
            [
                *[str(BIN / "python"), "-m", "weasyprint", "--pdf-variant", "pdf/ua-1"],
                *[str(html), str(floor_pdf)],
            ],
            args.runs,
        ),
        Case(
            "cold",
            "cold full build (no cache)",
            build(cold),
            args.runs,
            clean(cold),
            manifest=cold / "build" / "manifest.json",
        ),
        Case(
            "prose",
            "rebuild after a prose edit",
            build(prose),
            args.runs,
            prose_toggle(prose),
            manifest=prose / "build" / "manifest.json",
        ),
        Case("noop", "no-op rebuild", build(noop), args.runs),
        Case("check", "reportgen check", [*reportgen, "check", "--project", str(noop)], args.runs),
        Case(
            "scale",
            f"{args.factor}x project, cold build",
            build(scale),
            args.scale_runs,
            clean(scale),
            manifest=scale / "build" / "manifest.json",
        ),
    ]
    for mb in ARTICLE_MB:
        project = make_article_project(ROOT, work / f"article{mb}", mb)
        argv = [*reportgen, "check", "--project", str(project)]
        cases.append(
            Case(f"art{mb}mb", f"reportgen check, {mb} MB article", argv, args.article_runs)
        )
    skipped: dict[str, str] = {}
    peer = pandoc_case(work, html, env, args.runs)
    if isinstance(peer, Case):
        cases.insert(len(cases) - 1, peer)  # before the long scale case
    else:
        skipped["pandoc"] = peer
        log(f"pandoc skipped: {peer}")

    # Warm the file cache and Python's bytecode once, untimed.
    measure(cases[0].argv, ROOT, env)
    rounds = max(c.runs for c in cases)
    for round_no in range(rounds):
        shift = round_no % len(cases)
        try:
            for case in cases[shift:] + cases[:shift]:
                if len(case.results) >= case.runs:
                    continue
                if case.setup:
                    case.setup()
                case.results.append(combined_peak(measure(case.argv, case.cwd, env), case.manifest))
        except SystemExit as exc:
            # A failure after full rounds still leaves a result worth keeping.
            if round_no == 0:
                raise
            skipped["incomplete"] = f"stopped in round {round_no + 1}: {exc}"
            log(skipped["incomplete"])
            for case in cases:
                del case.results[round_no if case.runs > round_no else len(case.results) :]
            break
        log(
            f"round {round_no + 1}/{rounds}: "
            + ", ".join(f"{c.name} {c.results[-1].seconds:.2f}s" for c in cases if c.results)
        )
    log("preview: reportgen serve, from a save to the event its pages get")
    preview = copy_project(ROOT, work / "preview")
    cases += preview_cases(
        measure_preview(reportgen, preview, env, args.runs, prose_toggle(preview))
    )
    return report(cases, skipped, cold, scale, args)


def preview_cases(timings: Timings) -> list[Case]:
    """The preview's three timings as cases of the table (each a list of seconds)."""
    found = [
        ("preview", "serve: prose edit -> reload sent", timings.prose),
        ("pvfact", "serve: fact value edit -> reload sent", timings.fact),
        ("pvpdf", "serve: prose edit -> PDF updated", timings.pdf),
    ]
    return [
        Case(name, what, [], len(seconds), results=[Run(s, timings.peak_bytes) for s in seconds])
        for name, what, seconds in found
    ]


def report(
    cases: list[Case], skipped: dict[str, str], cold: Path, scale: Path, args: argparse.Namespace
) -> dict[str, Any]:
    by = {c.name: c for c in cases}
    floor = by["floor"].median
    targets = {
        "cold": 1.25,
        "prose": 1.0,
        "noop": 0.15,
        "check": 0.25,
        "preview": 0.15,
        "pvfact": 0.3,
        "pvpdf": 1.0,
    }
    rows: dict[str, Any] = {}
    for case in cases:
        row: dict[str, Any] = {
            "what": case.what,
            "runs_s": [round(r.seconds, 3) for r in case.results],
            "median_s": round(case.median, 3),
            "min_s": round(min(r.seconds for r in case.results), 3),
            "ratio_to_floor": round(case.median / floor, 3),
            "peak_rss_mb": round(case.peak_mb, 1),
        }
        if case.name in targets:
            row["target"] = verdict(case.median / floor, targets[case.name])
        rows[case.name] = row
    for name in ("cold", "prose"):
        rows[name]["ratio_to_tagged_floor"] = round(by[name].median / by["floorua"].median, 3)
    scale_ratio = by["scale"].median / by["cold"].median
    rows["scale"]["ratio_to_real_build"] = round(scale_ratio, 3)
    rows["scale"]["target"] = verdict(scale_ratio, float(args.factor))
    pdf, html = cold / "build" / "briefing.pdf", cold / "build" / "briefing.html"
    manifest = json.loads((scale / "build" / "manifest.json").read_text(encoding="utf-8"))
    limits = {
        "pdf_kb": verdict(pdf.stat().st_size / KB, 250),
        "html_kb": verdict(html.stat().st_size / KB, 400),
        "build_peak_mb": verdict(by["cold"].peak_mb, 400),
        "scale_pdf_kb": {"value": round((scale / "build" / "briefing.pdf").stat().st_size / KB)},
        "scale_counts": manifest.get("counts", {}),
        **article_linearity(by),
    }
    return {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "versions": tool_versions(),
        "runs": args.runs,
        "scale_runs": args.scale_runs,
        "factor": args.factor,
        "cases": rows,
        "limits": limits,
        "skipped": skipped,
    }


def article_linearity(by: dict[str, Case]) -> dict[str, Any]:
    """Seconds per added MB of article, from 1 to 5 MB and from 5 to 10 MB, and their ratio
    (about 1 when checking is linear; 2 would mean the cost per MB doubled with size)."""
    seconds = [by[f"art{mb}mb"].median for mb in ARTICLE_MB]
    per_mb = [
        (seconds[i + 1] - seconds[i]) / (ARTICLE_MB[i + 1] - ARTICLE_MB[i])
        for i in range(len(ARTICLE_MB) - 1)
    ]
    return {
        "article_s_per_mb": {"value": [round(s, 3) for s in per_mb]},
        "article_10mb_to_1mb": {"value": round(seconds[-1] / seconds[0], 2)},
        "article_linearity": verdict(per_mb[-1] / max(per_mb[0], 1e-3), 1.5),
    }


def table(result: dict[str, Any]) -> str:
    mark = {True: "pass", False: "FAIL"}
    lines = [
        f"{'case':<7} {'what':<38} {'median':>8} {'min':>8} {'x floor':>8} {'peak MB':>8}  target",
        "-" * 100,
    ]
    for name, row in result["cases"].items():
        target = row.get("target")
        goal = ""
        if target:
            unit = "x real" if name == "scale" else "x floor"
            goal = f"<= {target['target']:g} {unit}: {mark[target['pass']]}"
            if name == "scale":
                goal = f"{row['ratio_to_real_build']:.2f} x real build, " + goal
        lines.append(
            f"{name:<7} {row['what']:<38} {row['median_s']:>7.2f}s {row['min_s']:>7.2f}s "
            f"{row['ratio_to_floor']:>8.2f} {row['peak_rss_mb']:>8.0f}  {goal}"
        )
    for name, why in result["skipped"].items():
        lines.append(f"{name:<7} skipped: {why}")
    lines.append("-" * 100)
    for name, limit in result["limits"].items():
        if "target" in limit:
            lines.append(
                f"{name:<14} {limit['value']:>8.1f}  <= {limit['target']:g}: {mark[limit['pass']]}"
            )
    cases = result["cases"]
    lines.append(
        "against the tagged floor (floorua): "
        + ", ".join(f"{n} {cases[n]['ratio_to_tagged_floor']:.2f}x" for n in ("cold", "prose"))
    )
    limits = result["limits"]
    lines.append(
        "article check: "
        + ", ".join(f"{cases[f'art{mb}mb']['median_s']:.2f}s at {mb} MB" for mb in ARTICLE_MB)
        + f"; s per added MB {limits['article_s_per_mb']['value']}, "
        + f"10 MB / 1 MB = {limits['article_10mb_to_1mb']['value']}x"
    )
    counts = result["limits"]["scale_counts"]
    if counts:
        lines.append("scale project: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    return "\n".join(lines)


def failures(result: dict[str, Any]) -> list[str]:
    found = [n for n, r in result["cases"].items() if "target" in r and not r["target"]["pass"]]
    return found + [n for n, r in result["limits"].items() if r.get("pass") is False]


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (5)")
    parser.add_argument("--scale-runs", type=int, default=3, help="timed runs of the scale case")
    parser.add_argument("--factor", type=int, default=10, help="size of the scale project (10)")
    parser.add_argument(
        "--article-runs", type=int, default=3, help="timed runs of each article case (3)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build", help="where bench.json goes")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.scale_runs < 1:
        parser.error("--runs and --scale-runs must be 1 or more")
    result = run_bench(args)
    target = args.out / "bench.json"
    target.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(f"\nwritten: {target}")
    missed = failures(result)
    if missed:
        print(f"targets missed: {', '.join(missed)}")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
