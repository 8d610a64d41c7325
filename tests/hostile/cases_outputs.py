"""Hostile cases: outputs, caches, bad input values and size bounds.

Cases about output targets build into ``published/``, a copy of the good build with
something hostile planted where an output goes (the harness compares ``build/``, which
a planted target would already have changed); their ``verify`` checks that every entry
of ``published/`` is as it was, special files included. Cache cases warm the project's
caches with a build of their own, damage every entry, and check that the next build's
outputs are byte-identical to the clean build's.
"""

from __future__ import annotations

import atexit
import csv
import hashlib
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tests.hostile.harness import (
    Case,
    Context,
    Mutation,
    Run,
    Verify,
    append,
    chain,
    edit,
    reportgen_env,
    write,
)

SERES = "seeds/facts/seres.yaml"
SOURCES = "seeds/sources.yaml"
REPORT = "seeds/report.yaml"
ARTICLE = "seeds/articles/seres-third-factory-2022.txt"
ARTICLE_FILE = "    file: seeds/articles/seres-third-factory-2022.txt"
AREA_VALUE = "    value: 700000\n    unit: m2\n"
PUBLISHED = "published"
#: What each case's planting saw, by project: name -> kind and contents.
_SAVED: dict[Path, dict[str, str]] = {}


def _state(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: files by sha256, and what any other entry is."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        mode = path.lstat().st_mode
        key = str(path.relative_to(folder))
        if stat.S_ISLNK(mode):
            found[key] = f"symlink to {os.readlink(path)}"
        elif stat.S_ISREG(mode):
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[key] = stat.filemode(mode)[0]  # d, p, c, b, s
    return found


def _touch_input(ctx: Context) -> None:
    """A comment in report.yaml: the build is not skipped, and its outputs stay the same."""
    with (ctx.project / REPORT).open("a", encoding="utf-8") as stream:
        stream.write("# edited\n")


def _planted(plant: Callable[[Context, Path], None]) -> Mutation:
    """Copy the good build to ``published/``, plant something there, remember it all."""

    def apply(ctx: Context) -> None:
        target = ctx.project / PUBLISHED
        shutil.copytree(ctx.project / "build", target, symlinks=True)
        plant(ctx, target)
        _touch_input(ctx)
        _SAVED[ctx.project] = _state(target)

    return apply


def _replace_with(name: str, kind: str) -> Callable[[Context, Path], None]:
    """``kind``: dir, fifo, file, or 'symlink:TARGET' (placeholders filled)."""

    def plant(ctx: Context, out: Path) -> None:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        if kind == "dir":
            path.mkdir()
            (path / "keep.txt").write_text("a folder the user made\n", encoding="utf-8")
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "file":
            path.write_text("a file where a folder goes\n", encoding="utf-8")
        else:
            path.symlink_to(ctx.fill(kind.removeprefix("symlink:")))

    return plant


def _published(argv: list[str]) -> list[str]:
    project = Path(argv[argv.index("--project") + 1])
    out = argv.index("--out") + 1
    return [*argv[:out], str(project / PUBLISHED), *argv[out + 1 :]]


def _untouched(extra: Callable[[Context], None] | None = None) -> Verify:
    def check(ctx: Context, out: Path, runs: list[Run]) -> None:
        after = _state(ctx.project / PUBLISHED)
        before = _SAVED.pop(ctx.project)
        differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        assert not differ, f"published/ changed: {differ}"
        if extra is not None:
            extra(ctx)

    return check


def _outside_intact(ctx: Context) -> None:
    assert (ctx.outside / "secret.txt").read_text(encoding="utf-8") == f"{ctx.canary}\n"
    assert sorted(p.name for p in ctx.outside.iterdir()) == [
        "secret.css",
        "secret.png",
        "secret.svg",
        "secret.txt",
    ], "a file was written outside the project"


def _target_case(
    case_id: str, name: str, kind: str, message: str, shown: str | None = None, **extra: object
) -> Case:
    return Case(
        case_id,
        "outputs",
        _planted(_replace_with(name, kind)),
        message=message,
        file=f"{PUBLISHED}/{shown or name}",
        wrap=_published,
        verify=_untouched(_outside_intact),
        **extra,  # type: ignore[arg-type]
    )


def _device_kind(path: str) -> Callable[[Context], None]:
    before = os.stat(path)

    def check(ctx: Context) -> None:
        after = os.lstat(path)
        assert stat.S_ISCHR(after.st_mode), f"{path} is no longer a device"
        assert after.st_rdev == before.st_rdev, f"{path} was replaced"

    return check


def _export(fmt: str, target: str) -> Callable[[list[str]], list[str]]:
    """Run ``facts export`` instead of the build (the project comes from the argv)."""

    def wrap(argv: list[str]) -> list[str]:
        project = argv[argv.index("--project") + 1]
        command = [sys.executable, "-m", "reportgen", "facts", "export", "--project", project]
        return [*command, "--format", fmt, "-o", target.replace("{PROJECT}", project)]

    return wrap


def _export_case(
    case_id: str,
    fmt: str,
    target: str,
    message: str | None,
    shown: str | None,
    group: str = "outputs",
    **extra: object,
) -> Case:
    verify = extra.pop("verify", None) or _untouched(_outside_intact)
    return Case(
        case_id,
        group,
        extra.pop("mutate", None) or _planted(lambda ctx, out: None),  # type: ignore[arg-type]
        message=message,
        file=shown,
        wrap=_export(fmt, target),
        verify=verify,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def _fifo_at(relpath: str) -> Mutation:
    def apply(ctx: Context) -> None:
        os.mkfifo(ctx.project / relpath)
        _SAVED[ctx.project] = _state(ctx.project / PUBLISHED)

    return chain(_planted(lambda ctx, out: None), apply)


def _symlink_at(relpath: str, target: str) -> Mutation:
    def apply(ctx: Context) -> None:
        (ctx.project / relpath).symlink_to(ctx.fill(target))
        _SAVED[ctx.project] = _state(ctx.project / PUBLISHED)

    return chain(_planted(lambda ctx, out: None), apply)


def _still(relpath: str, kind: str) -> Callable[[Context], None]:
    def check(ctx: Context) -> None:
        mode = (ctx.project / relpath).lstat().st_mode
        assert stat.filemode(mode)[0] == kind, f"{relpath} was replaced"
        _outside_intact(ctx)

    return check


OUTPUTS = [
    _export_case(
        "export-sqlite-onto-dev-full",
        "sqlite",
        "/dev/full",
        r"refusing to replace a device",
        "/dev/full",
        verify=_untouched(_device_kind("/dev/full")),
    ),
    _export_case(
        "export-csv-onto-dev-null",
        "csv",
        "/dev/null",
        r"refusing to replace a device",
        "/dev/null",
        verify=_untouched(_device_kind("/dev/null")),
    ),
    _export_case(
        "export-json-onto-a-directory",
        "json",
        "published",
        r"refusing to replace a directory",
        "published",
    ),
    _export_case(
        "export-csv-onto-a-fifo",
        "csv",
        "fifo.csv",
        r"refusing to replace a FIFO",
        "fifo.csv",
        mutate=_fifo_at("fifo.csv"),
        verify=_untouched(_still("fifo.csv", "p")),
        timeout=30,
    ),
    _export_case(
        "export-sqlite-onto-a-symlink-outside",
        "sqlite",
        "link.db",
        r"refusing to replace a symbolic link",
        "link.db",
        mutate=_symlink_at("link.db", "{OUTSIDE}/secret.txt"),
        verify=_untouched(_still("link.db", "l")),
    ),
    _export_case(
        "export-under-a-regular-file",
        "csv",
        "seeds/report.yaml/facts.csv",
        r"(cannot|not a directory|Not a directory)",
        "seeds/report.yaml/facts.csv",
    ),
    _target_case(
        "build-pdf-is-a-directory", "briefing.pdf", "dir", r"refusing to replace a directory"
    ),
    _target_case(
        "build-html-is-a-directory", "briefing.html", "dir", r"refusing to replace a directory"
    ),
    _target_case(
        "build-manifest-is-a-directory", "manifest.json", "dir", r"refusing to replace a directory"
    ),
    _target_case(
        "build-pdf-is-a-fifo", "briefing.pdf", "fifo", r"refusing to replace a FIFO", timeout=60
    ),
    _target_case(
        "build-pdf-symlink-to-dev-full",
        "briefing.pdf",
        "symlink:/dev/full",
        r"refusing to replace a symbolic link",
    ),
    _target_case(
        "build-html-symlink-outside",
        "briefing.html",
        "symlink:{OUTSIDE}/secret.txt",
        r"refusing to replace a symbolic link",
    ),
    _target_case(
        "build-charts-symlink-outside",
        "charts",
        "symlink:{OUTSIDE}",
        r"refusing to replace: a symbolic link",
    ),
    _target_case("build-charts-is-a-file", "charts", "file", r"refusing to replace: not a folder"),
]


OUTPUTS.append(
    _target_case(
        "charts-verb-folder-symlink-outside",
        "charts",
        "symlink:{OUTSIDE}",
        r"refusing to replace: a symbolic link",
        verbs=("charts",),
    )
)


def _deep_manifest(ctx: Context, out: Path) -> None:
    (out / "manifest.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")


OUTPUTS += [
    Case(
        "build-html-only-old-pdf-is-a-directory",
        "outputs",
        _planted(_replace_with("briefing.pdf", "dir")),
        message=r"refusing to replace a directory",
        file=f"{PUBLISHED}/briefing.pdf",
        wrap=lambda argv: [*_published(argv), "--format", "html"],
        verify=_untouched(),
    ),
    _target_case(
        "build-manifest-is-a-fifo",
        "manifest.json",
        "fifo",
        r"(not a regular file|a FIFO)",
        timeout=60,
    ),
    Case(
        "build-manifest-nested-200k-deep",
        "outputs",
        _planted(_deep_manifest),
        exit=0,
        wrap=_published,
        verify=lambda ctx, out, runs: _manifest_rebuilt(ctx),
    ),
]


def _manifest_rebuilt(ctx: Context) -> None:
    import json

    _SAVED.pop(ctx.project, None)
    manifest = json.loads((ctx.project / PUBLISHED / "manifest.json").read_text("utf-8"))
    assert isinstance(manifest, dict) and "briefing.pdf" in manifest["outputs"]


# --- exports opened in spreadsheets ----------------------------------------------------

#: Sentences of a memo, each starting with what a spreadsheet reads as a formula.
MEMO_LINES = [
    ('=HYPERLINK("https://example.invalid/x","open") the plant has 12 robots', 12, "robots"),
    ("+cmd|' /C calc'!A0 the plant has 13 workshops", 13, "workshops"),
    ("-the plant has 14 factories", 14, "factories"),
    ("@SUM(A1:A9) the plant has 15 stores", 15, "stores"),
    ("\tTabbed, the plant has 16 cities", 16, "cities"),
]


def _memo(lines: list[tuple[str, int, str]] = MEMO_LINES) -> Mutation:
    """A new source whose facts quote sentences that start like spreadsheet formulas."""

    def apply(ctx: Context) -> None:
        text = "A memo about the plant.\n" + "".join(f"{line}.\n" for line, _, _ in lines)
        (ctx.project / "seeds/articles/memo.txt").write_text(text, encoding="utf-8")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with (ctx.project / SOURCES).open("a", encoding="utf-8") as stream:
            stream.write(
                "  - id: memo-2024\n    title: A memo\n    publisher: null\n"
                '    published:\n      date: "2024"\n      precision: year\n'
                "      basis: Stated.\n    language: en\n"
                f"    file: seeds/articles/memo.txt\n    sha256: {sha}\n"
            )
        body = "facts:\n"
        for number, (line, value, unit) in enumerate(lines):
            quoted = line.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
            body += (
                f"  - id: memo-fact-{number}\n    entity: seres\n    metric: memo_{unit}\n"
                f'    value: {value}\n    unit: {unit}\n    period: "2024"\n'
                f'    source: memo-2024\n    quote: "{quoted}"\n'
            )
        (ctx.project / "seeds/facts/memo.yaml").write_text(body, encoding="utf-8")

    return apply


_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(text: str) -> None:
    rows = list(csv.DictReader(io.StringIO(text)))
    memo = [row for row in rows if row["id"].startswith("memo-fact-")]
    assert len(memo) == len(MEMO_LINES), f"memo facts missing from the CSV: {len(memo)}"
    for row in rows:
        for column, cell in row.items():
            if column == "value":
                float(cell)  # a real number stays a number, negative or not
                continue
            assert not cell.startswith(_TRIGGERS), f"{row['id']}.{column} is live: {cell[:40]!r}"
    for row, (line, _, _) in zip(memo, MEMO_LINES, strict=True):
        assert row["quote"] == "'" + line, f"quote changed beyond the guard: {row['quote']!r}"


def _export_neutralised(ctx: Context, out: Path, runs: list[Run]) -> None:
    _SAVED.pop(ctx.project, None)
    _neutralised((ctx.project / "facts.csv").read_text(encoding="utf-8"))


_EXPORT = [sys.executable, "-m", "reportgen", "facts", "export"]


def _appendix_neutralised(ctx: Context, out: Path, runs: list[Run]) -> None:
    from pypdf import PdfReader

    (attached,) = PdfReader(out / "briefing.pdf").attachments["appendix.csv"]
    exported = subprocess.run(
        [*_EXPORT, "--format", "csv", "--project", str(ctx.project)],
        capture_output=True,
        check=True,
        env=reportgen_env(),
    ).stdout
    assert attached == exported, "appendix.csv differs from 'facts export --format csv'"
    _neutralised(attached.decode("utf-8"))


EXPORTS = [
    _export_case(
        "export-csv-formula-cells-neutralised",
        "csv",
        "{PROJECT}/facts.csv",
        None,
        None,
        group="exports",
        mutate=_memo(),
        exit=0,
        verify=_export_neutralised,
    ),
    Case(
        "appendix-csv-formula-cells-neutralised",
        "exports",
        chain(_memo(), append(REPORT, "appendix_limit: 3\n")),
        exit=0,
        verify=_appendix_neutralised,
        timeout=300,
    ),
]

# --- bad values: located errors, never an internal error -------------------------------


def _value(text: str) -> Mutation:
    return edit(SERES, AREA_VALUE, f"    value: {text} # VALUE\n    unit: m2\n")


def _source_file(text: str) -> Mutation:
    return edit(SOURCES, ARTICLE_FILE, f"    file: {text} # FILE")


def _derived(formula: str) -> Mutation:
    return write(
        "seeds/facts/extra.yaml",
        "derived:\n  - id: hostile-formula # FORMULA\n    label: A hostile formula\n"
        f'    formula: "{formula}"\n    unit: multiple\n',
    )


def _derived_chain(length: int) -> Mutation:
    """``length`` derived metrics, each reading the one before."""
    body = "derived:\n  - id: chain-0\n    label: Link 0\n"
    body += '    formula: "{se-project-area} / {se-project-area}"\n    unit: multiple\n'
    for n in range(1, length):
        body += f'  - id: chain-{n}\n    label: Link {n}\n    formula: "{{chain-{n - 1}}} + 1"\n'
        body += "    unit: multiple\n"
    return write("seeds/facts/extra.yaml", body)


def _value_case(case_id: str, text: str, message: str) -> Case:
    return Case(
        case_id,
        "values",
        _value(text),
        verbs=("check", "build"),
        message=message,
        where=(SERES, "# VALUE"),
    )


def _file_case(case_id: str, text: str, message: str, **extra: object) -> Case:
    return Case(
        case_id,
        "values",
        _source_file(text),
        verbs=("check", "build"),
        message=message,
        where=(SOURCES, "# FILE"),
        **extra,  # type: ignore[arg-type]
    )


VALUES = [
    _value_case("value-400-digit-integer", "9" * 400, r"number of 400 digits"),
    _value_case("value-5000-digit-integer", "9" * 5000, r"number of 5,000 digits"),
    _value_case("value-1e400", "1e400", r"value: .*finite"),
    _value_case("value-minus-1e400", "-1e400", r"value: .*finite"),
    _value_case("value-400-digit-float", "9" * 400 + ".5", r"value: .*finite"),
    _value_case("value-1e300", "1e300", r"value: .*larger than"),
    _value_case("value-nan", ".nan", r"value"),
    _value_case("value-inf", ".inf", r"value"),
    _file_case(
        "source-file-nul-byte", '"seeds/articles/seres\\0.txt"', r"control character 0x0000"
    ),
    _file_case(
        "source-file-escape-char", '"seeds/articles/\\e[31mred.txt"', r"control character 0x001b"
    ),
    _file_case(
        "source-file-newline", '"seeds/articles/two\\nlines.txt"', r"control character 0x000a"
    ),
    _file_case(
        "source-file-dotdot-passwd",
        "../../../../../../etc/passwd",
        r"outside the project",
        attack=True,
    ),
    _file_case("source-file-is-a-directory", "seeds/articles", r"(not a regular file|cannot read)"),
    _file_case("source-file-is-the-project", ".", r"(not a regular file|cannot read)"),
    Case(
        "source-file-symlink-loop",
        "values",
        chain(
            _source_file("seeds/articles/loop.txt"),
            lambda ctx: (ctx.project / "seeds/articles/loop.txt").symlink_to("loop.txt"),
        ),
        verbs=("check", "build"),
        message=r"(symlink loop|Symlink loop|cannot)",
        where=(SOURCES, "# FILE"),
    ),
    Case(
        "formula-3999-unary-minus",
        "values",
        _derived("-" * 3999 + "1"),
        verbs=("check",),
        exit=0,
    ),
    Case(
        "formula-2000-terms",
        "values",
        _derived("+".join(["1"] * 2000)),
        verbs=("check",),
        exit=0,
    ),
    Case(
        "formula-1900-parentheses",
        "values",
        _derived("(" * 1900 + "2" + ")" * 1900),
        verbs=("check",),
        exit=0,
    ),
    Case(
        "formula-4000-minus-then-garbage",
        "values",
        _derived("-" * 3990 + "1 ) 2"),
        verbs=("check", "build"),
        message=r"derived 'hostile-formula': formula .*….*: not a formula",
        where=("seeds/facts/extra.yaml", "# FORMULA"),
    ),
    Case(
        "derived-chain-3000-long",
        "values",
        _derived_chain(3000),
        verbs=("check", "facts"),
        exit=0,
        timeout=120,
    ),
]

# --- size bounds -------------------------------------------------------------------------


def _grow(relpath: str, megabytes: int) -> Mutation:
    def apply(ctx: Context) -> None:
        with (ctx.project / relpath).open("ab") as stream:
            for _ in range(megabytes):
                stream.write(b"Filler text of no figures at all. " * 30_840)

    return apply


BOUNDS = [
    Case(
        "article-3mb-over-default-cap",
        "bounds",
        _grow(ARTICLE, 3),
        verbs=("check", "build"),
        message=r"is 3,\d{3},\d{3} bytes, more than the 2,097,152 a source may be",
        where=(SOURCES, "file: seeds/articles/seres-third"),
    ),
    Case(
        "article-50mb",
        "bounds",
        _grow(ARTICLE, 50),
        verbs=("check", "build"),
        message=r"is 5\d,\d{3},\d{3} bytes, more than the 2,097,152 a source may be",
        where=(SOURCES, "file: seeds/articles/seres-third"),
        timeout=30,
    ),
    Case(
        "article-over-a-lowered-cap",
        "bounds",
        append(REPORT, "max_source_bytes: 1000\n"),
        verbs=("check",),
        message=r"more than the 1,000 a source may be \(max_source_bytes",
        where=(SOURCES, "file: seeds/articles/seres-third"),
    ),
    Case(
        "article-cap-zero",
        "bounds",
        append(REPORT, "max_source_bytes: 0 # CAP\n"),
        verbs=("check",),
        message=r"max_source_bytes",
        where=(REPORT, "# CAP"),
    ),
    Case(
        "article-cap-huge-number",
        "bounds",
        append(REPORT, "max_source_bytes: 1e400 # CAP\n"),
        verbs=("check",),
        message=r"max_source_bytes",
        where=(REPORT, "# CAP"),
    ),
]

# --- caches: damage costs time only ------------------------------------------------------

#: Where each cache keeps its entries, relative to the project (the C declarations'
#: folder is per user: the cases point XDG_CACHE_HOME into the project copy).
CACHES = {
    "charts": ".cache/charts",
    "fonts": ".cache/fonts",
    "jinja": ".cache/jinja",
    "declarations": ".xdg/reportgen/cffi",
}


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "bit-flipped":
        flipped = bytearray(data)
        flipped[len(flipped) * 2 // 3] ^= 0x10
        path.write_bytes(bytes(flipped))
    elif how == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
        path.mkdir()
        (path / "x").write_bytes(data[:10])


def _with_private_cache(argv: list[str]) -> list[str]:
    project = argv[argv.index("--project") + 1]
    return ["env", f"XDG_CACHE_HOME={project}/.xdg", *argv]


#: Warm caches per test process, by project content: the charts, fonts and declarations
#: caches are keyed by content, so one warm build serves every case that damages them.
_WARM: dict[str, Path] = {}


def _warm_build(project: Path, out: Path, formats: str = "html,pdf") -> None:
    argv = [sys.executable, "-m", "reportgen", "build", "--project", str(project)]
    subprocess.run(
        _with_private_cache([*argv, "--out", str(out), "--format", formats, "--force"]),
        check=True,
        capture_output=True,
        env=reportgen_env(),
        timeout=300,
    )
    shutil.rmtree(out)


def _warm_caches(ctx: Context, cache: str) -> None:
    """Fill ``cache`` in the case's project as a build would.

    Compiled templates are keyed by the template's path, so the Jinja cache is warmed in
    the case's own project (an HTML build is enough); the others are copied from one full
    build of the same project per process."""
    if cache == "jinja":
        _warm_build(ctx.project, ctx.project / "warm", "html")
        return
    key = hashlib.sha256(repr(sorted(_state(ctx.project / "seeds").items())).encode()).hexdigest()
    warm = _WARM.get(key)
    if warm is None or not warm.is_dir():
        folder = tempfile.mkdtemp(prefix="reportgen-warm-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        warm = Path(folder) / "project"
        shutil.copytree(ctx.project, warm, ignore=shutil.ignore_patterns("build", "warm"))
        _warm_build(warm, warm / "warm")
        _WARM[key] = warm
    folder = CACHES[cache]
    shutil.copytree(warm / folder, ctx.project / folder, dirs_exist_ok=True)


def _damaged_cache(cache: str, how: str) -> Mutation:
    """Warm one cache, damage each of its entries, remember the outputs."""

    def apply(ctx: Context) -> None:
        _warm_caches(ctx, cache)
        entries = [p for p in (ctx.project / CACHES[cache]).rglob("*") if p.is_file()]
        assert entries, f"the {cache} cache is empty after a build"
        for entry in entries:
            _damage(entry, how)
        _touch_input(ctx)
        _SAVED[ctx.project] = _state(ctx.project / "build")

    return apply


def _same_outputs(cache: str) -> Verify:
    def check(ctx: Context, out: Path, runs: list[Run]) -> None:
        before = _SAVED.pop(ctx.project)
        after = _state(out)
        differ = sorted(
            k
            for k in before.keys() | after.keys()
            if k != "manifest.json" and before.get(k) != after.get(k)
        )
        assert not differ, f"outputs differ from a clean build's: {differ}"
        folder = ctx.project / CACHES[cache]
        left = [
            p.name
            for p in folder.rglob("*")
            if p.is_dir() and p.parent == folder and cache != "jinja"
        ]
        assert not left, f"damaged entries left in the {cache} cache: {left}"

    return check


CACHE_CASES = [
    Case(
        f"cache-{cache}-{how}",
        "caches",
        _damaged_cache(cache, how),
        exit=0,
        wrap=_with_private_cache,
        verify=_same_outputs(cache),
        timeout=300,
    )
    for cache in CACHES
    for how in ("truncated", "bit-flipped", "empty", "replaced-by-a-folder")
]

OUTPUT_ATTACKS: list[Case] = OUTPUTS + EXPORTS + VALUES + BOUNDS + CACHE_CASES
