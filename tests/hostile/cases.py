"""The hostile corpus: one entry per broken report project.

Each case mutates a scratch copy of the real project and says what ``reportgen``
must answer: exit code, and a message regex that must match one stderr line,
anchored at ``file:LINE`` where the line is the one holding ``where``'s needle.
Adding a case is adding an entry. ``{PORT}``, ``{OUTSIDE}``, ``{CANARY}`` and
``{PROJECT}`` in a case's text are filled in per run (see harness.Context).
"""

from __future__ import annotations

import os
import struct
import zlib
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
    remove,
    write,
)

SERES = "seeds/facts/seres.yaml"
CQ = "seeds/facts/chongqing.yaml"
DERIVED = "seeds/facts/derived.yaml"
ENTITIES = "seeds/facts/entities.yaml"
CONFLICTS = "seeds/facts/conflicts.yaml"
IGNORE = "seeds/facts/ignore.yaml"
SOURCES = "seeds/sources.yaml"
REPORT = "seeds/report.yaml"
ARTICLE = "seeds/articles/seres-third-factory-2022.txt"
COVER = "templates/partials/cover.html.j2"
BRIEFING = "templates/briefing.html.j2"
CSS = "templates/css/base.css"
CHART = "charts/seres-capacity.yaml"

# The first fact of seres.yaml, line by line (edits below anchor on it).
AREA_ID = "  - id: se-project-area\n"
AREA_VALUE = "    value: 700000\n    unit: m2\n"


def extra_facts(body: str) -> Mutation:
    """A new fact file (the project's own files stay as they are)."""
    return write("seeds/facts/extra.yaml", body)


def _fifo(relpath: str) -> Mutation:
    def apply(ctx: Context) -> None:
        os.mkfifo(ctx.project / relpath)

    return apply


def _symlink(relpath: str, target: str) -> Mutation:
    def apply(ctx: Context) -> None:
        link = ctx.project / relpath
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(ctx.fill(target))

    return apply


def _big_file(relpath: str, megabytes: int) -> Mutation:
    def apply(ctx: Context) -> None:
        line = b"# " + b"x" * 1021 + b"\n"
        with (ctx.project / relpath).open("wb") as stream:
            stream.write(b"facts:\n")
            for _ in range(megabytes * 1024):
                stream.write(line)

    return apply


def _no_file(name: str) -> Verify:
    def check(ctx: Context, out: Path, runs: list[Run]) -> None:
        assert not (ctx.project / name).exists(), f"{name} was created: content ran as code"
        assert not Path(name).exists()

    return check


def bomb_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A 1-bit PNG of ``width`` x ``height`` zeros: tens of kilobytes on disk, gigapixels
    once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def _bomb(relpath: str) -> Mutation:
    def apply(ctx: Context) -> None:
        target = ctx.project / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bomb_png())

    return apply


MINIMAL_BRIEFING = """{% extends "base.html.j2" %}
{% block body %}
<h1>{{ meta.title }}</h1>
<p>{{ meta.subtitle }}</p>
<p>{{ entity("seres") }}: {{ plain("se-project-capacity") }}</p>
{% for c in conflicts %}<p>{{ prose(c.summary, "conflict:" ~ c.id) }}</p>{% endfor %}
{{ ATTACK }}
{% endblock %}
"""


def minimal(html: str = "") -> Mutation:
    """Hostile markup in a template, in a one-page briefing with no charts (a full
    build takes ten times as long and proves nothing more about the fetcher)."""

    def apply(ctx: Context) -> None:
        for spec in (ctx.project / "charts").glob("*.yaml"):
            spec.unlink()
        body = MINIMAL_BRIEFING.replace("{{ ATTACK }}", ctx.fill(html))
        (ctx.project / BRIEFING).write_text(body, encoding="utf-8")

    return apply


def _escaped(raw: str, escaped: str) -> Verify:
    """The build succeeded, showing ``raw`` as text: escaped in the HTML, never as markup."""

    def check(ctx: Context, out: Path, runs: list[Run]) -> None:
        html = (out / "briefing.html").read_text(encoding="utf-8")
        assert ctx.fill(escaped) in html, "the hostile text is not in the briefing at all"
        assert ctx.fill(raw) not in html, "the hostile text is in the briefing as markup"

    return check


YAML = [
    Case(
        "yaml-syntax-error",
        "yaml",
        edit(SERES, AREA_VALUE, "    value: 700000\n    unit: [m2  # BAD\n"),
        verbs=("check", "build"),
        message=r"YAML syntax error",
        file=SERES,
    ),
    Case(
        "yaml-bad-indentation",
        "yaml",
        edit(SERES, AREA_VALUE, "    value: 700000\n      unit: m2 # BAD\n"),
        # The parser's own words follow the prefix; only the prefix and line are reportgen's.
        message=r"YAML syntax error: \S",
        where=(SERES, "# BAD"),
    ),
    Case(
        "yaml-tab-indentation",
        "yaml",
        edit(SERES, AREA_VALUE, "    value: 700000\n\tunit: m2 # TAB\n"),
        message=r"YAML syntax error: .*\(use spaces, not tabs",
        where=(SERES, "# TAB"),
    ),
    Case(
        "yaml-duplicate-key",
        "yaml",
        edit(SERES, AREA_VALUE, "    value: 700000\n    unit: m2\n    value: 7 # DUP\n"),
        verbs=("check", "build"),
        message=r"duplicate key 'value' \(first at line \d+\)",
        where=(SERES, "# DUP"),
    ),
    Case(
        "yaml11-norway-stays-text",
        "yaml",
        edit(
            ENTITIES,
            "    aliases: [Seres Group, SERES Group]",
            "    aliases: [no, yes, on, off, y, n, Seres Group]",
        ),
        verbs=("check",),
        exit=0,
    ),
    Case(
        "yaml11-octal-010",
        "yaml",
        edit(SERES, AREA_VALUE, "    value: 0700000 # OCTAL\n    unit: m2\n"),
        message=r"value(\.\w+)?: .*\(got '0700000'\)",
        where=(SERES, "# OCTAL"),
    ),
    Case(
        "yaml11-sexagesimal",
        "yaml",
        edit(SERES, AREA_VALUE, "    value: 190:20:30 # SEXA\n    unit: m2\n"),
        message=r"value(\.\w+)?: .*\(got '190:20:30'\)",
        where=(SERES, "# SEXA"),
    ),
    Case(
        "yaml-unquoted-year-is-number",
        "yaml",
        edit(CQ, '    period: "2023"\n', "    period: 2023 # YEAR\n"),
        message=r"period: .*\(got 2023\)",
        where=(CQ, "# YEAR"),
    ),
    Case(
        "yaml11-unquoted-date-stays-text",
        "yaml",
        edit(
            ENTITIES,
            "    description: Chongqing-based carmaker; builds AITO vehicles with Huawei.",
            "    description: 2019-06-01",
        ),
        verbs=("check",),
        exit=0,
    ),
    Case(
        "yaml-number-as-string",
        "yaml",
        edit(SERES, AREA_VALUE, '    value: "700000" # STR\n    unit: m2\n'),
        message=r"value(\.\w+)?: .*\(got '700000'\)",
        where=(SERES, "# STR"),
    ),
    Case(
        "yaml-list-where-mapping",
        "yaml",
        extra_facts("facts:\n  id: se-project-area\n"),
        message=r"'facts' must be a list",
        where=("seeds/facts/extra.yaml", "id:"),
    ),
    Case(
        "yaml-missing-field",
        "yaml",
        edit(SERES, "    source: seres-2022\n", "", 1),
        message=r"missing field 'source'",
        where=(SERES, "id: se-project-area"),
    ),
    Case(
        "yaml-unknown-field",
        "yaml",
        edit(SERES, AREA_VALUE, AREA_VALUE + "    sorce: seres-2022\n"),
        message=r"unknown field 'sorce'",
        where=(SERES, "sorce:"),
    ),
    Case(
        "yaml-unknown-section",
        "yaml",
        extra_facts("factz:\n  - id: x1\n"),
        message=r"unknown section 'factz'",
        where=("seeds/facts/extra.yaml", "factz:"),
    ),
    Case(
        "yaml-empty-fact-file",
        "yaml",
        extra_facts(""),
        message=r"empty fact file",
        file="seeds/facts/extra.yaml",
    ),
    Case(
        "yaml-comments-only",
        "yaml",
        extra_facts("# nothing yet\n"),
        message=r"empty fact file",
        file="seeds/facts/extra.yaml",
    ),
    Case(
        "yaml-empty-report-meta",
        "yaml",
        write(REPORT, ""),
        message=r"(missing|expected|valid dictionary|empty)",
        file=REPORT,
    ),
    Case(
        "yaml-top-level-list",
        "yaml",
        extra_facts("- id: a1\n- id: b2\n"),
        message=r"expected a mapping",
        where=("seeds/facts/extra.yaml", "a1"),
    ),
    Case(
        "yaml-50-megabytes",
        "yaml",
        _big_file("seeds/facts/huge.yaml", 50),
        verbs=("check", "build"),
        message=r"file is 52,\d{3},\d{3} bytes, more than the [\d,]+ a fact file may be",
        file="seeds/facts/huge.yaml",
    ),
    Case(
        "yaml-nested-100-deep",
        "yaml",
        extra_facts("facts: " + "[" * 100 + "]" * 100 + "\n"),
        message=r"nested (more than \d+ levels|too) deep",
        file="seeds/facts/extra.yaml",
    ),
    Case(
        "yaml-nested-100k-deep",
        "yaml",
        extra_facts("facts: " + "[" * 100_000 + "]" * 100_000 + "\n"),
        # Whichever limit stops it first (libyaml's scanner or reportgen's depth check),
        # the problem must be one located line; the wording is not reportgen's to fix.
        message=r"\S",
        where=("seeds/facts/extra.yaml", "facts: "),
    ),
    Case(
        "yaml-billion-laughs",
        "yaml",
        extra_facts(
            "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))
            + "facts: *a9\n"
        ),
        verbs=("check", "build"),
        message=r"(alias|anchor)",
        file="seeds/facts/extra.yaml",
        timeout=60,
    ),
    Case(
        "yaml-python-tag",
        "yaml",
        extra_facts('facts: !!python/object/apply:os.system ["touch {PROJECT}/PWNED"]\n'),
        message=r"unsupported YAML tag tag:yaml.org,2002:python/object/apply:os.system",
        file="seeds/facts/extra.yaml",
        verify=_no_file("PWNED"),
    ),
    Case(
        "yaml-not-utf8",
        "yaml",
        write("seeds/facts/extra.yaml", b"facts:\n  - id: caf\xe9\n"),
        message=r"not UTF-8",
        file="seeds/facts/extra.yaml",
    ),
    Case(
        "yaml-nul-byte",
        "yaml",
        write("seeds/facts/extra.yaml", b"facts:\n  - id: a\x00b\n"),
        message=r"YAML syntax error: character 0x0000 is not allowed",
        where=("seeds/facts/extra.yaml", "id: a"),
    ),
    Case(
        "yaml-fifo-instead-of-file",
        "yaml",
        _fifo("seeds/facts/extra.yaml"),
        message=r"not a (regular )?file",
        file="seeds/facts/extra.yaml",
        timeout=30,
    ),
    Case(
        "yaml-symlink-to-dev-zero",
        "yaml",
        _symlink("seeds/facts/extra.yaml", "/dev/zero"),
        message=r"not a (regular )?file",
        file="seeds/facts/extra.yaml",
        timeout=30,
    ),
    Case(
        "yaml-symlink-loop",
        "yaml",
        _symlink("seeds/facts/extra.yaml", "extra.yaml"),
        message=r"cannot read",
        file="seeds/facts/extra.yaml",
    ),
    Case(
        "yaml-merge-key",
        "yaml",
        extra_facts("base: &b {unit: m2}\nfacts:\n  - <<: *b\n    id: a1\n"),
        message=r"(alias|anchor|unknown section 'base')",
        file="seeds/facts/extra.yaml",
    ),
]

DUPLICATE_FACT = """facts:
  - id: se-project-area # DUP
    entity: seres-se-project
    metric: site_area
    value: 700000
    unit: m2
    precision: about
    period: as-of 2022-09
    source: seres-2022
    quote: "spanning about 700,000 square meters in the southwestern city of Chongqing"
"""


def derived_file(*formulas: tuple[str, str]) -> Mutation:
    body = "derived:\n" + "".join(
        f'  - id: {mid}\n    label: Hostile {mid}\n    formula: "{formula}"\n    unit: multiple\n'
        for mid, formula in formulas
    )
    return write("seeds/facts/extra.yaml", body)


STORE = [
    Case(
        "store-duplicate-id",
        "store",
        write("seeds/facts/zz-dup.yaml", DUPLICATE_FACT),
        message=r"duplicate id 'se-project-area' \(first defined at seeds/facts/seres\.yaml:\d+",
        where=("seeds/facts/zz-dup.yaml", "# DUP"),
    ),
    Case(
        "store-dangling-entity",
        "store",
        edit(SERES, "    entity: seres-se-project\n", "    entity: nobody-here\n"),
        verbs=("check", "build"),
        message=r"fact 'se-project-area': unknown entity 'nobody-here'",
        where=(SERES, "id: se-project-area"),
    ),
    Case(
        "store-dangling-source",
        "store",
        edit(SERES, "    source: seres-2022\n", "    source: nowhere-source\n"),
        message=r"fact 'se-project-area': unknown source 'nowhere-source'",
        where=(SERES, "id: se-project-area"),
    ),
    Case(
        "store-dangling-conflict-fact",
        "store",
        edit(CONFLICTS, "facts: [liangjiang-robots,", "facts: [ghost-fact,"),
        message=r"conflict 'liangjiang-robot-counts': unknown fact 'ghost-fact'",
        where=(CONFLICTS, "id: liangjiang-robot-counts"),
    ),
    Case(
        "store-dangling-formula-id",
        "store",
        edit(
            DERIVED,
            "{liangjiang-annual-output} + {fenghuang-capacity}",
            "{liangjiang-annual-outptu} + {fenghuang-capacity}",
        ),
        message=r"formula names unknown id 'liangjiang-annual-outptu'",
        where=(DERIVED, "id: seres-capacity-before"),
    ),
    Case(
        "store-dangling-relation",
        "store",
        edit(ENTITIES, "      partner_of: huawei\n", "      partner_of: huawai\n"),
        message=r"entity 'seres': partner_of names unknown entity 'huawai'",
        where=(ENTITIES, "- id: seres"),
    ),
    Case(
        "store-quote-not-in-source",
        "store",
        edit(SERES, "spanning about 700,000 square meters", "spanning about 800,000 square meters"),
        verbs=("check", "build"),
        message=r"fact 'se-project-area': quote not found in source 'seres-2022'",
        where=(SERES, "id: se-project-area"),
    ),
    Case(
        "store-value-not-in-quote",
        "store",
        edit(SERES, AREA_VALUE, "    value: 710000\n    unit: m2\n"),
        verbs=("check", "build"),
        message=r"value 710000 is not stated in its quote \(it states: (about )?700,000\)",
        where=(SERES, "id: se-project-area"),
    ),
    Case(
        "store-unit-mismatch",
        "store",
        edit(
            SERES,
            "    value: 4000000000\n    unit: CNY\n",
            "    value: 4000000000\n    unit: USD\n",
        ),
        message=r"fact 'fenghuang-investment': unit mismatch",
        where=(SERES, "id: fenghuang-investment"),
    ),
    Case(
        "store-qualifier-dropped",
        "store",
        edit(SERES, AREA_VALUE + "    precision: about\n", AREA_VALUE),
        message=r"fact 'se-project-area': the quote says .* qualifier .* precision is 'exact'",
        where=(SERES, "id: se-project-area"),
    ),
    Case(
        "store-status-dropped",
        "store",
        edit(
            SERES, "    unit: vehicles/year\n    status: estimated\n", "    unit: vehicles/year\n"
        ),
        message=r"fact 'se-project-capacity': the quote says 'estimated' but status is 'actual'",
        where=(SERES, "id: se-project-capacity"),
    ),
    Case(
        "store-quote-cuts-a-number",
        "store",
        edit(
            SERES,
            'production capacity of 700,000 vehicles"',
            'production capacity of 70"',
        ),
        message=r"fact 'se-project-capacity': the quote starts or stops inside the number "
        r"'700,000'; quote it whole",
        where=(SERES, "id: se-project-capacity"),
    ),
    Case(
        "store-fact-pinned-to-the-other-number",
        "store",
        edit(CQ, 'states: "30.161 million"', 'states: "30.094 million"'),
        message=r"fact 'china-2023-production': value 3.0161e\+07 is not stated in its quote "
        r"\(it states: 30.161 million, 30.094 million\)",
        where=(CQ, "id: china-2023-production"),
    ),
    Case(
        "store-source-edited-after-hash",
        "store",
        append(ARTICLE, "\nEdited later: capacity 800,000.\n"),
        verbs=("check", "build"),
        message=r"source 'seres-2022': text of .* changed since it was recorded",
        where=(SOURCES, "sha256: bd2014"),
    ),
    Case(
        "store-uncovered-number",
        "store",
        edit(
            IGNORE,
            '    text: "Industry 4.0 standards"\n',
            '    text: "Industry 4.0 standards and more"\n',
        ),
        message=r"'4.0' \(quantity\) is neither a fact nor in an ignore list",
        file=ARTICLE,
    ),
    Case(
        "store-source-text-is-fifo",
        "store",
        chain(remove(ARTICLE), _fifo(ARTICLE)),
        message=r"source 'seres-2022': 'seeds/articles/.*' is not a regular file",
        where=(SOURCES, "file: seeds/articles/seres-third"),
        timeout=30,
    ),
    Case(
        "store-impossible-date",
        "store",
        edit(SERES, "    period: as-of 2022-09\n", "    period: 2022-02-30\n"),
        message=r"'se-project-area': period '2022-02-30' is not a real date",
        where=(SERES, "id: se-project-area"),
    ),
    Case(
        "store-derived-cycle",
        "store",
        derived_file(("cycle-a", "{cycle-b} + 1"), ("cycle-b", "{cycle-a} * 2")),
        verbs=("check", "build"),
        message=r"derived metrics form a cycle: cycle-a -> cycle-b -> cycle-a",
        where=("seeds/facts/extra.yaml", "id: cycle-a"),
    ),
    Case(
        "store-division-by-zero",
        "store",
        derived_file(("div-zero", "{se-project-area} / ({se-project-area} - {se-project-area})")),
        verbs=("check", "build"),
        message=r"derived 'div-zero': division by zero",
        where=("seeds/facts/extra.yaml", "id: div-zero"),
    ),
    Case(
        "store-formula-runs-no-code",
        "store",
        derived_file(("code", "__import__('os').system('touch {PROJECT}/PWNED')")),
        message=r"derived 'code': formula .* (not an id|not allowed|only numbers)",
        where=("seeds/facts/extra.yaml", "id: code"),
        verify=_no_file("PWNED"),
    ),
    Case(
        "store-formula-power-bomb",
        "store",
        derived_file(("power", "9 ** 9 ** 9 ** 9")),
        message=r"derived 'power': result is not a real number",
        where=("seeds/facts/extra.yaml", "id: power"),
        timeout=60,
    ),
    Case(
        "store-formula-complex-root",
        "store",
        derived_file(("root", "(0 - {se-project-area}) ** 0.5")),
        message=r"derived 'root': result is not a real number",
        where=("seeds/facts/extra.yaml", "id: root"),
    ),
    Case(
        "store-source-outside-project",
        "store",
        edit(
            SOURCES,
            "    file: seeds/articles/seres-third-factory-2022.txt",
            "    file: ../outside/secret.txt",
        ),
        verbs=("check", "build"),
        message=r"source 'seres-2022': file '\.\./outside/secret\.txt' is outside the project",
        where=(SOURCES, "file: ../outside"),
        attack=True,
    ),
    Case(
        "store-source-absolute-passwd",
        "store",
        edit(
            SOURCES,
            "    file: seeds/articles/seres-third-factory-2022.txt",
            "    file: /etc/passwd",
        ),
        message=r"source 'seres-2022': file '/etc/passwd' is outside the project",
        where=(SOURCES, "file: /etc/passwd"),
        attack=True,
    ),
    Case(
        "store-source-symlinked-out",
        "store",
        _symlink(ARTICLE, "/etc/passwd"),
        message=r"source 'seres-2022': file '.*' is outside the project",
        where=(SOURCES, "file: seeds/articles/seres-third"),
        attack=True,
    ),
]

TEMPLATES = [
    Case(
        "template-misspelt-variable",
        "templates",
        edit(COVER, "{{ meta.subtitle }}", "{{ meta.subtitel }}"),
        # `check` compiles templates but does not render them, so it cannot see this.
        verbs=("build",),
        message=r"'subtitel'",
        where=(COVER, "meta.subtitel"),
    ),
    Case(
        "template-missing-partial",
        "templates",
        edit(
            BRIEFING,
            '{% include "partials/cover.html.j2" %}',
            '{% include "partials/cover-page.html.j2" %}',
        ),
        verbs=("check", "build"),
        message=r"'partials/cover-page\.html\.j2'",
        where=(BRIEFING, "cover-page"),
    ),
    Case(
        "template-syntax-error",
        "templates",
        edit(
            COVER,
            '<p class="cover-kicker">Analyst briefing</p>',
            '<p class="cover-kicker">{% if %}Analyst briefing</p>',
        ),
        verbs=("check", "build"),
        message=r"\S",  # Jinja's words after reportgen's template:line
        where=(COVER, "{% if %}"),
    ),
    Case(
        "template-unknown-filter",
        "templates",
        edit(COVER, "{{ meta.subtitle }}", "{{ meta.subtitle | shout }}"),
        verbs=("check", "build"),
        message=r"'shout'",
        where=(COVER, "shout"),
    ),
    Case(
        "template-stylesheet-escapes-project",
        "templates",
        edit(
            "templates/base.html.j2",
            'stylesheet("css/base.css")',
            'stylesheet("../../outside/secret.css")',
        ),
        verbs=("check", "build"),
        message=r"\.\./\.\./outside/secret\.css",
        where=("templates/base.html.j2", "outside"),
        attack=True,
    ),
    Case(
        "template-unclosed-block",
        "templates",
        append(COVER, "{% for x in sources %}\n"),
        verbs=("check", "build"),
        message=r"\S",  # Jinja's words after reportgen's template location
        file=COVER,
    ),
]

CHARTS = [
    Case(
        "chart-names-missing-fact",
        "charts",
        edit(
            CHART,
            "{id: se-project-capacity, tag: under construction}",
            "{id: se-project-capacity-typo, tag: under construction}",
        ),
        verbs=("check", "build"),
        message=r"se-project-capacity-typo",
        where=(CHART, "se-project-capacity-typo"),
        needs="reportgen.charts.check_charts",
    ),
    Case(
        "chart-caption-names-missing-fact",
        "charts",
        edit(CHART, "{se-project-share-of-capacity}", "{se-project-share}"),
        verbs=("check", "build"),
        message=r"se-project-share\b",
        file=CHART,
        needs="reportgen.charts.check_charts",
    ),
    Case(
        "chart-unknown-kind",
        "charts",
        edit(CHART, "kind: stacked_bar", "kind: pie_3d"),
        verbs=("check", "build"),
        message=r"kind",
        where=(CHART, "pie_3d"),
        needs="reportgen.charts.check_charts",
    ),
    Case(
        "chart-yaml-error",
        "charts",
        edit(CHART, "rows:\n", "rows: [\n"),
        verbs=("check", "build"),
        message=r"YAML syntax error",
        file=CHART,
        needs="reportgen.charts.check_charts",
    ),
    Case(
        "chart-empty-spec",
        "charts",
        write(CHART, ""),
        verbs=("check", "build"),
        message=r".",
        file=CHART,
        needs="reportgen.charts.check_charts",
    ),
]

SCRIPT = "<script>alert(1)</script>"
ATTACKS = [
    Case(
        "attack-script-in-entity-name",
        "attack",
        chain(minimal(), edit(ENTITIES, "    name: SERES\n", f'    name: "SERES{SCRIPT}"\n')),
        verbs=("build",),
        exit=0,
        attack=True,
        verify=_escaped(SCRIPT, "SERES&lt;script&gt;alert(1)&lt;/script&gt;"),
    ),
    Case(
        "attack-event-handler-in-summary",
        "attack",
        chain(
            minimal(),
            edit(
                CONFLICTS,
                "      The 2022 article gives",
                "      <img src=x onerror=alert(document.cookie)> The 2022 article gives",
            ),
        ),
        verbs=("build",),
        exit=0,
        attack=True,
        verify=_escaped("<img src=x onerror", "&lt;img src=x onerror=alert(document.cookie)&gt;"),
    ),
    Case(
        "attack-css-in-report-subtitle",
        "attack",
        chain(
            minimal(),
            edit(REPORT, 'subtitle: "', 'subtitle: "</style><style>*{display:none}</style> '),
        ),
        verbs=("build",),
        exit=0,
        attack=True,
        verify=_escaped("<style>*{display:none}", "&lt;style&gt;*{display:none}"),
    ),
    Case(
        "attack-template-injection-in-name",
        "attack",
        chain(minimal(), edit(ENTITIES, "    name: SERES\n", '    name: "SERES {{ 7 * 7 }}"\n')),
        verbs=("build",),
        exit=0,
        attack=True,
        verify=_escaped("SERES 49", "SERES {{ 7 * 7 }}"),
    ),
    Case(
        "attack-markup-in-store-full-briefing",
        "attack",
        chain(
            edit(ENTITIES, "    name: SERES\n", f'    name: "SERES{SCRIPT}"\n'),
            edit(
                CONFLICTS,
                "      The 2022 article gives",
                "      <img src=x onerror=alert(document.cookie)> The 2022 article gives",
            ),
            edit(REPORT, 'subtitle: "', 'subtitle: "</style><style>*{display:none}</style> '),
        ),
        verbs=("build",),
        exit=0,
        attack=True,
        timeout=300,
        verify=_escaped(SCRIPT, "SERES&lt;script&gt;alert(1)&lt;/script&gt;"),
    ),
    Case(
        "attack-img-file-passwd",
        "attack",
        minimal('<img src="file:///etc/passwd" alt="x">'),
        verbs=("build",),
        message=r"(refused|outside the project).*passwd",
        attack=True,
    ),
    Case(
        "attack-img-dotdot",
        "attack",
        minimal('<img src="../outside/secret.txt" alt="x">'),
        verbs=("build",),
        message=r"(refused|outside the project)",
        attack=True,
    ),
    Case(
        "attack-img-loopback-http",
        "attack",
        minimal('<img src="http://127.0.0.1:{PORT}/pixel.png" alt="x">'),
        verbs=("build",),
        message=r"refused (to fetch 'http://127\.0\.0\.1|link to 'http://127\.0\.0\.1|<link>|url\(http://127\.0\.0\.1)",
        attack=True,
    ),
    Case(
        "attack-stylesheet-link-loopback",
        "attack",
        minimal('<link rel="stylesheet" href="http://127.0.0.1:{PORT}/s.css">'),
        verbs=("build",),
        message=r"refused (to fetch 'http://127\.0\.0\.1|link to 'http://127\.0\.0\.1|<link>|url\(http://127\.0\.0\.1)",
        attack=True,
    ),
    Case(
        "attack-css-import-passwd",
        "attack",
        chain(
            minimal(), edit(CSS, "/* Shared by", '@import url("file:///etc/passwd");\n/* Shared by')
        ),
        verbs=("build",),
        message=r"(refused|outside the project|@import rule).*passwd",
        attack=True,
    ),
    Case(
        "attack-css-font-loopback",
        "attack",
        chain(
            minimal(),
            append(
                CSS,
                '\n@font-face { font-family: X; src: url("http://127.0.0.1:{PORT}/f.woff"); }'
                "\nbody { font-family: X, Inter; }\n",
            ),
        ),
        verbs=("build",),
        message=r"refused (to fetch 'http://127\.0\.0\.1|link to 'http://127\.0\.0\.1|<link>|url\(http://127\.0\.0\.1)",
        attack=True,
    ),
    Case(
        "attack-css-background-dotdot",
        "attack",
        chain(minimal(), append(CSS, '\nbody { background: url("../outside/secret.txt"); }\n')),
        verbs=("build",),
        message=r"(refused|outside the project)",
        attack=True,
    ),
    Case(
        "attack-attachment-passwd",
        "attack",
        minimal('<a rel="attachment" href="file:///etc/passwd">passwd</a>'),
        verbs=("build",),
        message=r"(refused|outside the project|attachment)",
        attack=True,
    ),
    Case(
        "attack-attachment-loopback",
        "attack",
        minimal('<a rel="attachment" href="http://127.0.0.1:{PORT}/a.txt">a</a>'),
        verbs=("build",),
        message=r"(refused|attachment)",
        attack=True,
    ),
    Case(
        "attack-attachment-inside-project",
        "attack",
        minimal('<a rel="attachment" href="seeds/sources.yaml">sources</a>'),
        verbs=("build",),
        message=r"attachment",
        attack=True,
    ),
    Case(
        "attack-link-file-passwd",
        "attack",
        minimal('<a href="file:///etc/passwd">passwd</a>'),
        verbs=("build",),
        message=r"(link|refused|file:)",
        attack=True,
    ),
    Case(
        "attack-object-passwd",
        "attack",
        minimal('<object data="file:///etc/passwd" type="image/png">x</object>'),
        verbs=("build",),
        message=r"(refused|outside the project).*passwd",
        attack=True,
    ),
    Case(
        "attack-svg-image-dotdot",
        "attack",
        minimal(
            '<svg width="10" height="10"><image href="../outside/secret.txt"'
            ' width="10" height="10"/></svg>'
        ),
        verbs=("build",),
        message=r"(refused|outside the project|Failed to render SVG)",
        attack=True,
    ),
    Case(
        "attack-decompression-bomb-png",
        "attack",
        chain(
            _bomb("templates/img/bomb.png"), minimal('<img src="templates/img/bomb.png" alt="">')
        ),
        verbs=("build",),
        message=r"(image|pixels|bomb|too large)",
        attack=True,
        timeout=120,
    ),
    Case(
        "attack-html-nested-10000-deep",
        "attack",
        minimal("<div>" * 10_000 + "deep" + "</div>" * 10_000),
        verbs=("build",),
        message=r"(nest|deep|recursion)",
        attack=True,
        timeout=180,
    ),
]

# Each group of later cases lives in its own module; they import helpers from this one,
# which is complete by the time these imports run.
from tests.hostile.cases_email import EMAIL_ATTACKS  # noqa: E402
from tests.hostile.cases_outputs import OUTPUT_ATTACKS  # noqa: E402
from tests.hostile.cases_templates import TEMPLATE_ATTACKS  # noqa: E402

ALL = (
    YAML + STORE + TEMPLATES + CHARTS + ATTACKS + TEMPLATE_ATTACKS + OUTPUT_ATTACKS + EMAIL_ATTACKS
)
assert len({c.id for c in ALL}) == len(ALL), "case ids must be unique"

__all__ = ["ALL", "remove"]
