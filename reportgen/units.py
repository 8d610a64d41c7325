"""The units a fact may carry, and how the briefing names them.

A closed vocabulary per project: a small built-in set (durations, percentages, ranks,
years, area, multiples), every ISO 4217 currency code (sign and name from Babel), and the
project's own units declared in ``seeds/units.yaml``. A typo such as ``vehicle/yr``
fails ``reportgen check`` instead of producing a figure no chart or table can label.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from babel.numbers import get_currency_name, list_currencies
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from reportgen.errors import Location, Problems, ReportError, relative

LOCALE = "en_GB"
#: How a unit's values print; a project declares counts, currencies and areas only.
DeclaredKind = Literal["count", "currency", "area"]
UnitKind = DeclaredKind | Literal["year", "rank", "percent", "points", "multiple"]


@dataclass(frozen=True)
class Unit:
    """How a unit reads next to a number."""

    singular: str
    plural: str
    #: "currency" values print with a symbol before the number.
    kind: UnitKind = "count"
    symbol: str = ""
    #: Short form for chart axes and table headers.
    axis: str = ""
    #: Words after a currency amount ("per vehicle of annual capacity").
    suffix: str = ""
    #: The ISO 4217 code of a currency unit.
    currency: str | None = None


BUILTIN: dict[str, Unit] = {
    "years": Unit("year", "years", axis="years"),
    "months": Unit("month", "months", axis="months"),
    "days": Unit("day", "days", axis="days"),
    "hours": Unit("hour", "hours", axis="hours"),
    "minutes": Unit("minute", "minutes", axis="minutes"),
    "seconds": Unit("second", "seconds", axis="seconds"),
    "year": Unit("", "", kind="year", axis="year"),
    "rank": Unit("", "", kind="rank", axis="rank"),
    "m2": Unit("square metre", "square metres", kind="area", symbol="m²", axis="m²"),
    "percent": Unit("percent", "percent", kind="percent", symbol="%", axis="%"),
    "percentage_points": Unit(
        "percentage point", "percentage points", kind="points", axis="percentage points"
    ),
    "multiple": Unit("times", "times", kind="multiple", symbol="×", axis="×"),
    "percent/year": Unit(
        "percent a year", "percent a year", kind="percent", symbol="%", axis="% a year"
    ),
}


@cache
def currency_unit(code: str) -> Unit:
    """An ISO 4217 currency as a unit, its name and sign from Babel."""
    from reportgen.facts.quantities.currency import narrow_sign

    return Unit(
        get_currency_name(code, 1, LOCALE),
        get_currency_name(code, 2, LOCALE),
        kind="currency",
        symbol=narrow_sign(code, LOCALE),
        axis=code,
        currency=code,
    )


class UnitTable(Mapping[str, Unit]):
    """Built-in units, ISO currency codes, and the current project's own units."""

    def __init__(self) -> None:
        self._project: dict[str, Unit] = {}

    def use(self, project: Mapping[str, Unit]) -> None:
        """The units of the project being loaded (replacing the last project's)."""
        self._project = dict(project)

    def __getitem__(self, code: str) -> Unit:
        if code in self._project:
            return self._project[code]
        if code in BUILTIN:
            return BUILTIN[code]
        if len(code) == 3 and code.isupper() and code in list_currencies():
            return currency_unit(code)
        raise KeyError(code)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        try:
            self[code]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        """Named units (currencies are any ISO 4217 code and are not listed)."""
        return iter(sorted({*BUILTIN, *self._project}))

    def __len__(self) -> int:
        return len({*BUILTIN, *self._project})


UNITS = UnitTable()


class UnitSpec(BaseModel):
    """One unit a project declares in ``seeds/units.yaml``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    singular: Annotated[str, StringConstraints(max_length=80)]
    plural: Annotated[str, StringConstraints(max_length=80)]
    kind: DeclaredKind = "count"
    axis: Annotated[str, StringConstraints(max_length=80)] = ""
    suffix: Annotated[str, StringConstraints(max_length=80)] = ""
    #: For a currency unit ("CNY per vehicle"), the ISO 4217 code it counts in.
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None
    symbol: Annotated[str, StringConstraints(max_length=8)] = ""


_NAME = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_/()² -]*$", max_length=60)]


class UnitsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    units: dict[_NAME, UnitSpec] = Field(default_factory=dict)


def _unit(name: str, spec: UnitSpec, where: Location, problems: Problems) -> Unit | None:
    if name in BUILTIN or (len(name) == 3 and name in list_currencies()):
        problems.add(f"unit '{name}' is built in; a project cannot redefine it", where)
        return None
    symbol = spec.symbol
    if spec.kind == "currency":
        if spec.currency is None or spec.currency not in list_currencies():
            problems.add(f"unit '{name}': a currency unit needs currency: <ISO 4217 code>", where)
            return None
        symbol = symbol or currency_unit(spec.currency).symbol
    elif spec.currency is not None:
        problems.add(f"unit '{name}': currency: is only for kind: currency", where)
        return None
    return Unit(
        spec.singular,
        spec.plural,
        kind=spec.kind,
        symbol=symbol,
        axis=spec.axis or spec.plural,
        suffix=spec.suffix,
        currency=spec.currency,
    )


def load_units(root: Path, problems: Problems, read: Any) -> dict[str, Unit]:
    """The project's own units from ``seeds/units.yaml`` (none if there is no file).
    ``read`` loads a YAML file with locations (the store's reader, which records it as
    an input of the build)."""
    from reportgen.yamlio import YMap, validate

    file = root / "seeds" / "units.yaml"
    if not file.exists():
        return {}
    shown = relative(file, root)
    try:
        data = read(file)
    except ReportError as exc:
        problems.extend(exc)
        return {}
    if data is None:
        return {}
    parsed = validate(UnitsFile, data, Location(shown, 1), problems)
    if parsed is None:
        return {}
    units: dict[str, Unit] = {}
    table = data.get("units") if isinstance(data, YMap) else None
    for name, spec in parsed.units.items():
        where = table.key_at(name) if isinstance(table, YMap) else Location(shown, 1)
        unit = _unit(name, spec, where, problems)
        if unit is not None:
            units[name] = unit
    return units


def use_project_units(root: Path) -> None:
    """Make ``root``'s units current without loading its store (scripts and tests);
    ReportErrors if seeds/units.yaml is wrong."""
    from reportgen.yamlio import load_yaml

    problems = Problems()
    units = load_units(root, problems, lambda file: load_yaml(file, relative(file, root)))
    problems.raise_if_any()
    UNITS.use(units)
