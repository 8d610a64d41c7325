"""Generate a synthetic report project with N times the facts, entities and charts.

The copy keeps the real project as it is and adds N-1 clones of its content: every
source article is copied under a new id (its sha256 recomputed from the copy), and
every entity, fact, derived metric, conflict, ignore entry and chart spec is cloned
with its ids suffixed ``-x2`` .. ``-xN``. Quotes and ignored texts stay verbatim, so
the clones pass ``reportgen check`` exactly as the originals do. The briefing's body
sections (every partial included before the source notes) are cloned per copy with
the figure, entity, source and chart ids they name suffixed the same way, so the
document grows tenfold too: body, charts, notes, sources and appendix.

Usage: python scripts/make_scale_project.py --out build/scale [--project .] [--factor 10]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import string
import sys
from pathlib import Path
from typing import Any

import yaml

from reportgen.yamlio import YMap, YSeq, load_yaml

#: Fields holding text copied verbatim from a source: never rewritten.
_VERBATIM = frozenset({"quote", "text"})
#: Fields holding names a reader sees: a clone's gets a tag so the briefing tells them apart.
_NAMES = frozenset({"name", "short_name", "title"})
_REF = re.compile(r"\{([a-z0-9][a-z0-9-]*[a-z0-9])(:[a-z]+)?\}")
#: A quoted string in a template: ids are passed to helpers as literals, fig("an-id").
_LITERAL = re.compile(r"""(["'])([a-z0-9][a-z0-9-]*[a-z0-9])\1""")
#: ``m.section("id", titles["id"])``: a clone's section needs its own HTML id and title.
_SECTION = re.compile(r"""m\.section\((["'])([\w-]+)\1,\s*titles\[(["'])[\w-]+\3\]\)""")
_INCLUDE = re.compile(r"""\{%-?\s*include\s+["'](partials/[\w.-]+)["']\s*-?%\}\n?""")
#: The first section that lists the whole store: clones of the body go before it.
_FIRST_SHARED = "partials/source_notes.html.j2"


def plain(data: Any) -> Any:
    """YMap/YSeq (dict/list subclasses with locations) as plain dicts and lists."""
    if isinstance(data, YMap | dict):
        return {str(k): plain(v) for k, v in data.items()}
    if isinstance(data, YSeq | list):
        return [plain(v) for v in data]
    return data


def read(path: Path) -> Any:
    return plain(load_yaml(path, str(path)))


def write(path: Path, data: Any, header: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)
    path.write_text(header + text, encoding="utf-8")


def collect_ids(seeds: list[Any], charts: list[Any]) -> set[str]:
    ids: set[str] = set()
    for data in seeds:
        if isinstance(data, dict):
            for records in data.values():
                for record in records or []:
                    if isinstance(record, dict) and isinstance(record.get("id"), str):
                        ids.add(record["id"])
    ids.update(c["id"] for c in charts if isinstance(c, dict) and isinstance(c.get("id"), str))
    return ids


class Cloner:
    """Rewrites one copy of the content: ids suffixed, names tagged, quotes untouched."""

    def __init__(self, ids: set[str], copy: int) -> None:
        self.ids = ids
        self.suffix = f"-x{copy}"
        # Letters, not digits: chart prose may hold no literal number.
        self.tag = f" (copy {string.ascii_uppercase[(copy - 1) % 26]})"

    def id(self, value: str) -> str:
        return value + self.suffix if value in self.ids else value

    def clone(self, data: Any, key: str | None = None) -> Any:
        if isinstance(data, dict):
            return {k: self.clone(v, k) for k, v in data.items()}
        if isinstance(data, list):
            return [self.clone(v, key) for v in data]
        if not isinstance(data, str) or key in _VERBATIM:
            return data
        if data in self.ids:
            return self.id(data)
        text = _REF.sub(lambda m: "{" + self.id(m.group(1)) + (m.group(2) or "") + "}", data)
        if key in _NAMES or key == "aliases":
            text += self.tag
        return text

    def template(self, text: str) -> str:
        def section(m: re.Match[str]) -> str:
            q, name = m.group(1), m.group(2)
            return f"m.section({q}{name}{self.suffix}{q}, titles[{q}{name}{q}] ~ {q}{self.tag}{q})"

        text = _SECTION.sub(section, text)
        return _LITERAL.sub(lambda m: m.group(1) + self.id(m.group(2)) + m.group(1), text)


def clone_templates(out: Path, ids: set[str], factor: int) -> None:
    """Clone the body sections of ``templates/briefing.html.j2`` once per copy."""
    main = out / "templates" / "briefing.html.j2"
    text = main.read_text(encoding="utf-8")
    includes = [m for m in _INCLUDE.finditer(text)]
    names = [m.group(1) for m in includes]
    if _FIRST_SHARED not in names:
        raise SystemExit(f"no include of {_FIRST_SHARED} in {main}: cannot place the clones")
    # Sections only: the cover and the contents stay single.
    body = [
        name
        for name in names[: names.index(_FIRST_SHARED)]
        if _SECTION.search((out / "templates" / name).read_text(encoding="utf-8"))
    ]
    added = []
    for copy in range(2, factor + 1):
        cloner = Cloner(ids, copy)
        for name in body:
            source = out / "templates" / name
            target = Path(name).with_name(f"x{copy}-{Path(name).name}")
            clone = cloner.template(source.read_text(encoding="utf-8"))
            (out / "templates" / target).write_text(clone, encoding="utf-8")
            added.append(f'{{% include "{target.as_posix()}" %}}\n')
    anchor = includes[names.index(_FIRST_SHARED)].start()
    main.write_text(text[:anchor] + "".join(added) + text[anchor:], encoding="utf-8")


def make_project(project: Path, out: Path, factor: int) -> dict[str, int]:
    """Write the N-times project into ``out`` (replaced); return its record counts."""
    project, out = project.resolve(), out.resolve()
    if out == project or project.is_relative_to(out):
        raise SystemExit(f"refusing to overwrite {out}")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(project / "templates", out / "templates")
    (out / "seeds" / "articles").mkdir(parents=True)
    # Seed files that hold no per-source records (report.yaml, units.yaml, ...) are
    # shared by every copy as they are.
    for extra in sorted((project / "seeds").glob("*.y*ml")):
        if extra.name not in ("sources.yaml", "sources.yml"):
            shutil.copy2(extra, out / "seeds" / extra.name)

    sources = read(project / "seeds" / "sources.yaml")
    fact_files = sorted((project / "seeds" / "facts").glob("*.yaml"))
    facts = {f.name: read(f) for f in fact_files}
    chart_files = sorted((project / "charts").glob("*.yaml"))
    charts = {f.stem: read(f) for f in chart_files}
    ids = collect_ids([sources, *facts.values()], list(charts.values()))

    all_sources: list[Any] = []
    for copy in range(1, factor + 1):
        cloner = Cloner(ids, copy) if copy > 1 else None
        for source in sources["sources"]:
            original = project / source["file"]
            record = cloner.clone(source) if cloner else dict(source)
            if cloner:
                name = f"{original.stem}{cloner.suffix}{original.suffix}"
                record["file"] = str(Path(source["file"]).with_name(name))
            target = out / record["file"]
            shutil.copyfile(original, target)
            record["sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
            all_sources.append(record)
    write(
        out / "seeds" / "sources.yaml",
        {"sources": all_sources},
        f"# Generated by scripts/make_scale_project.py: {factor}x {project.name}\n",
    )

    counts = {"sources": len(all_sources), "charts": 0}
    for name, data in facts.items():
        merged: dict[str, list[Any]] = {}
        for section, records in data.items():
            merged[section] = list(records or [])
            for copy in range(2, factor + 1):
                merged[section] += Cloner(ids, copy).clone(list(records or []))
            counts[section] = counts.get(section, 0) + len(merged[section])
        write(out / "seeds" / "facts" / name, merged)

    (out / "charts").mkdir()
    for stem, spec in charts.items():
        write(out / "charts" / f"{stem}.yaml", spec)
        for copy in range(2, factor + 1):
            clone = Cloner(ids, copy).clone(spec)
            # Orders are unique; clones follow the originals, by file name.
            clone.pop("order", None)
            write(out / "charts" / f"{stem}-x{copy}.yaml", clone)
        counts["charts"] += factor
    clone_templates(out, ids, factor)
    for extra in sorted((project / "charts").iterdir()) if (project / "charts").is_dir() else []:
        if extra.suffix not in (".yaml", ".yml"):
            dest = out / "charts" / extra.name
            (shutil.copytree if extra.is_dir() else shutil.copy2)(extra, dest)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=Path(), help="the real project")
    parser.add_argument("--out", type=Path, required=True, help="folder to (re)create")
    parser.add_argument("--factor", type=int, default=10, help="copies of the content (10)")
    args = parser.parse_args(argv)
    if args.factor < 1:
        parser.error("--factor must be 1 or more")
    counts = make_project(args.project, args.out, args.factor)
    print(f"wrote {args.out}: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
