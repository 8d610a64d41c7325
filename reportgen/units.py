"""The units a fact may carry, and how the briefing names them.

A closed vocabulary: a typo such as ``vehicle/yr`` fails ``reportgen check``
instead of producing a figure no chart or table can label.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """How a unit reads next to a number."""

    singular: str
    plural: str
    #: "currency" values print with a symbol before the number.
    kind: str = "count"
    symbol: str = ""
    #: Short form for chart axes and table headers.
    axis: str = ""
    #: Words after a currency amount ("per vehicle of annual capacity").
    suffix: str = ""


UNITS: dict[str, Unit] = {
    "vehicles": Unit("vehicle", "vehicles", axis="vehicles"),
    "vehicles/year": Unit("vehicle a year", "vehicles a year", axis="vehicles per year"),
    "vehicles/month": Unit("vehicle in the month", "vehicles in the month", axis="vehicles"),
    "robots": Unit("robot", "robots", axis="robots"),
    "stores": Unit("store", "stores", axis="stores and user centres"),
    "cities": Unit("city", "cities", axis="cities"),
    "orders": Unit("order", "orders", axis="orders"),
    "factories": Unit("factory", "factories", axis="factories"),
    "workshops": Unit("workshop", "workshops", axis="workshops"),
    "years": Unit("year", "years", axis="years"),
    "months": Unit("month", "months", axis="months"),
    "minutes": Unit("minute", "minutes", axis="minutes"),
    "seconds": Unit("second", "seconds", axis="seconds"),
    "year": Unit("", "", kind="year", axis="year"),
    "rank": Unit("", "", kind="rank", axis="rank"),
    "m2": Unit("square metre", "square metres", kind="area", symbol="m²", axis="m²"),
    "CNY": Unit("yuan", "yuan", kind="currency", symbol="¥", axis="CNY"),
    "USD": Unit("dollar", "dollars", kind="currency", symbol="$", axis="USD"),
    "percent": Unit("percent", "percent", kind="percent", symbol="%", axis="%"),
    "multiple": Unit("times", "times", kind="multiple", symbol="×", axis="×"),
    "CNY/(vehicles/year)": Unit(
        "yuan per vehicle of annual capacity",
        "yuan per vehicle of annual capacity",
        kind="currency",
        symbol="¥",
        axis="CNY per vehicle of annual capacity",
        suffix="per vehicle of annual capacity",
    ),
    "percent/year": Unit(
        "percent a year", "percent a year", kind="percent", symbol="%", axis="% a year"
    ),
}
