"""Reading analyst-edited YAML with line numbers, and without YAML 1.1 traps.

PyYAML's default resolvers turn ``no`` into ``False``, ``010`` into 8 and
``2022-09-01`` into a date, which silently changes what an analyst typed. This
loader resolves only ``null``, ``true``/``false`` and plain decimal numbers;
everything else stays a string, so the models can reject a wrong type with a
message instead of accepting a surprising value. Duplicate keys are an error
(PyYAML keeps the last one silently).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from reportgen.errors import Location, Problems, ReportError
from reportgen.readfile import read_regular
from reportgen.text import line_col, shorten

#: Inputs are hand-written; anything larger is a mistake (or an attack).
MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
#: Longer integers are refused before they are read (the figure cap is far below this).
_MAX_DIGITS = 100

_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\d[\d_]*)?\.\d+([eE][-+]?\d+)?$|^[-+]?\d[\d_]*[eE][-+]?\d+$")


class YMap(dict[str, Any]):
    """A mapping that remembers where it, each key and each value start."""

    loc: Location
    value_locs: dict[str, Location]
    key_locs: dict[str, Location]

    def at(self, key: str) -> Location:
        return self.value_locs.get(key, self.loc)

    def key_at(self, key: str) -> Location:
        """Where ``key`` itself is written: the line to point at for an unknown key."""
        return self.key_locs.get(key, self.loc)


class YSeq(list[Any]):
    """A sequence that remembers where it and each item start."""

    loc: Location
    item_locs: list[Location]

    def at(self, index: int) -> Location:
        if 0 <= index < len(self.item_locs):
            return self.item_locs[index]
        return self.loc


# libyaml's parser when PyYAML was built with it (its wheels are): many times faster
# than the pure-Python one, with the same nodes and marks.
_Parser: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Parser):  # type: ignore[valid-type,misc]
    pass


# Keep only the YAML 1.2 core-schema resolvers that cannot surprise an analyst.
_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _loc(path: str, node: yaml.Node) -> Location:
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _convert(node: yaml.Node, path: str, depth: int, seen: set[int] | None = None) -> Any:
    if depth > MAX_DEPTH:
        raise ReportError(f"nested more than {MAX_DEPTH} levels deep", _loc(path, node))
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        # An alias (*name) makes the composer reuse the anchored node: converting it again
        # and again is how a few hundred bytes expand to billions of items.
        seen = set() if seen is None else seen
        if id(node) in seen:
            raise ReportError(
                "anchors and aliases (&name, *name) are not allowed", _loc(path, node)
            )
        seen.add(id(node))
        if node.tag not in _COLLECTION_TAGS:
            raise ReportError(f"unsupported YAML tag {node.tag}", _loc(path, node))
    if isinstance(node, yaml.MappingNode):
        result = YMap()
        result.loc = _loc(path, node)
        result.value_locs = {}
        result.key_locs = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                raise ReportError("keys must be plain names", _loc(path, key_node))
            key = str(key_node.value)
            if key in result:
                first = result.value_locs[key]
                raise ReportError(
                    f"duplicate key '{key}' (first at line {first.line})", _loc(path, key_node)
                )
            result[key] = _convert(value_node, path, depth + 1, seen)
            result.value_locs[key] = _loc(path, value_node)
            result.key_locs[key] = _loc(path, key_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        seq = YSeq(_convert(item, path, depth + 1, seen) for item in node.value)
        seq.loc = _loc(path, node)
        seq.item_locs = [_loc(path, item) for item in node.value]
        return seq
    assert isinstance(node, yaml.ScalarNode)
    text = str(node.value)
    if node.tag == "tag:yaml.org,2002:null":
        return None
    if node.tag == "tag:yaml.org,2002:bool":
        return text.lower() == "true"
    # Plain (unquoted): style None from PyYAML's parser, "" from libyaml's.
    plain = not node.style
    if plain and _INT.match(text):
        if len(text) > _MAX_DIGITS:
            # Python refuses to read integers of thousands of digits (and rightly so).
            raise ReportError(
                f"number of {len(text):,} digits: no figure needs more than {_MAX_DIGITS}",
                _loc(path, node),
            )
        return int(text.replace("_", ""))
    if plain and _FLOAT.match(text):
        return float(text.replace("_", ""))
    if node.tag not in ("tag:yaml.org,2002:str",):
        raise ReportError(f"unsupported YAML tag {node.tag}", _loc(path, node))
    return text


def load_yaml(file: Path, shown_as: str) -> Any:
    """Parse one YAML file into plain values with locations; raise ReportError."""
    data = read_regular(file, shown_as, MAX_YAML_BYTES, "fact file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(f"not UTF-8 text ({exc.reason})", Location(shown_as)) from None
    try:
        _check_depth(text, shown_as)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(shown_as, mark.line + 1, mark.column + 1) if mark else Location(shown_as)
        problem = exc.problem or exc.context or "invalid YAML"
        if mark and _tab_at(text, mark.line, mark.column):
            problem += " (use spaces, not tabs, to indent)"
        raise ReportError(f"YAML syntax error: {problem}", where) from None
    except yaml.reader.ReaderError as exc:
        # Control characters: the reader gives an offset, not a mark.
        line, col = line_col(text, exc.position)
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ReportError(
            f"YAML syntax error: character {char:#06x} is not allowed in YAML",
            Location(shown_as, line, col),
        ) from None
    except yaml.YAMLError as exc:
        raise ReportError(f"YAML error: {exc}", Location(shown_as)) from None
    except RecursionError:
        raise ReportError("YAML nested too deeply", Location(shown_as)) from None
    if node is None:
        return None
    return _convert(node, shown_as, 0)


def _check_depth(text: str, shown_as: str) -> None:
    """Refuse deep nesting before composing: libyaml's composer recurses in C, and a
    few hundred kilobytes of ``[[[[`` would overflow the stack rather than raise."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                where = Location(shown_as)
                if mark:
                    where = Location(shown_as, mark.line + 1, mark.column + 1)
                raise ReportError(f"nested more than {MAX_DEPTH} levels deep", where)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


def _tab_at(text: str, line: int, column: int) -> bool:
    """Whether a syntax error points at a tab (libyaml's message does not say so)."""
    lines = text.split("\n")
    return line < len(lines) and "\t" in lines[line][: column + 1]


M = TypeVar("M", bound=BaseModel)


def locate(data: Any, loc: tuple[int | str, ...], fallback: Location) -> Location:
    """The location of a pydantic error path inside YAML data."""
    where = fallback
    for part in loc:
        if isinstance(data, YMap) and isinstance(part, str) and part in data:
            where = data.at(part)
            data = data[part]
        elif isinstance(data, YSeq) and isinstance(part, int):
            where = data.at(part)
            data = data[part] if 0 <= part < len(data) else None
        else:
            break
    return where


def validate(model: type[M], data: Any, fallback: Location, problems: Problems) -> M | None:
    """Build ``model`` from YAML data; add one problem per invalid field."""
    where = data.loc if isinstance(data, YMap | YSeq) else fallback
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            field = ".".join(str(p) for p in err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = f"unknown field '{field}'"
            elif err["type"] == "missing":
                msg = f"missing field '{field}'"
            elif field:
                got = err.get("input")
                quotable = isinstance(got, str | int | float | bool)
                shown = f" (got {shorten(repr(got), 60, keep_last=True)})" if quotable else ""
                msg = f"{field}: {msg}{shown}"
            location = locate(data, err["loc"], where)
            if err["type"] == "extra_forbidden":
                location = _key_location(data, err["loc"], location)
            problems.add(msg, location)
        return None


def _key_location(data: Any, loc: tuple[int | str, ...], fallback: Location) -> Location:
    """Where the last key of an error path is written (not its value, which for a nested
    mapping starts on the next line)."""
    parent = data
    for part in loc[:-1]:
        in_map = isinstance(parent, YMap) and isinstance(part, str) and part in parent
        in_seq = isinstance(parent, YSeq) and isinstance(part, int) and 0 <= part < len(parent)
        if not (in_map or in_seq):
            return fallback
        parent = parent[part]
    last = loc[-1] if loc else None
    if isinstance(parent, YMap) and isinstance(last, str):
        return parent.key_at(last)
    return fallback
