"""What analysts write in ``seeds/``: the typed shape of every record.

Models are strict (no silent coercion of ``"10"`` into 10, no unknown fields) so
that a typo is a message with a line number, never a quietly wrong figure.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from reportgen.periods import PERIOD
from reportgen.text import shorten
from reportgen.units import UNITS

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*[a-z0-9]$", max_length=80)]
MetricName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
#: The largest figure a fact may state: well past any amount in any currency, and small
#: enough that every later step (floats, formulas, charts, SQLite) holds it.
MAX_VALUE = 1e21
#: The default cap on a source article's size, as for fact files (``seeds/report.yaml``
#: may raise it).
MAX_SOURCE_BYTES = 2 * 1024 * 1024

#: How precisely the source states a figure ("about 150,000", "more than 1,000").
Precision = Literal[
    "exact",
    "about",
    "around",
    "roughly",
    "nearly",
    "almost",
    "more_than",
    "over",
    "at_least",
    "up_to",
    "at_most",
    "less_than",
]
#: What the figure is: a measured actual, or an estimate, expectation, plan or target.
Status = Literal["actual", "estimated", "expected", "planned", "target"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Entity(Strict):
    """A company, brand, factory, region or vehicle model the briefing talks about."""

    id: Id
    #: The name the briefing prints.
    name: Text
    kind: Literal[
        "company",
        "brand",
        "factory",
        "industrial_park",
        "region",
        "country",
        "vehicle_model",
        "organisation",
        "technology",
    ]
    short_name: Text | None = None
    aliases: list[Text] = Field(default_factory=list)
    description: Text | None = None
    #: Named links to other entities: owner, located_in, makes, brand_of, ...
    relations: dict[MetricName, Id | list[Id]] = Field(default_factory=dict)

    def related(self, relation: str) -> list[str]:
        target = self.relations.get(relation, [])
        return [target] if isinstance(target, str) else list(target)


class Fact(Strict):
    """One figure stated by one source, with the verbatim quote that states it."""

    id: Id
    entity: Id
    metric: MetricName
    #: The figure; a range ("between 180,000 and 200,000") has ``low`` and ``high`` instead.
    value: int | float | None = None
    low: int | float | None = None
    high: int | float | None = None
    unit: str
    #: Which of the quote's numbers the fact states, as written ("30.161 million"):
    #: needed when the quote states more than one.
    states: Text | None = None
    #: What the source says about precision: never drop an "about" or "more than".
    precision: Precision = "exact"
    #: Whether the source reports an actual, or an estimate, plan or target.
    status: Status = "actual"
    period: str
    source: Id
    quote: Text
    #: A short label for tables and charts ("Liangjiang Factory").
    label: Text | None = None
    #: The id of the fact this one restates in another currency or unit.
    equivalent_of: Id | None = None
    #: The id of an older fact this one replaces (an actual figure for an expected one):
    #: the old one stays in the appendix; text, formulas and charts use this one.
    supersedes: Id | None = None
    note: Text | None = None

    @field_validator("value", "low", "high")
    @classmethod
    def _real_figure(cls, value: int | float | None) -> int | float | None:
        # YAML reads 1e400 as infinity and .nan as NaN; a 400-digit integer has no float.
        if value is None:
            return value
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("must be a finite number")
        if abs(value) > MAX_VALUE:
            raise ValueError(f"is larger than {MAX_VALUE:.0e}, more than any source states")
        return value

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        if unit not in UNITS:
            raise ValueError(
                f"unknown unit '{shorten(unit, 40)}'; known units: {', '.join(sorted(UNITS))}, "
                "any ISO 4217 currency code, and those in seeds/units.yaml"
            )
        return unit

    @model_validator(mode="after")
    def _value_or_range(self) -> Fact:
        has_range = self.low is not None or self.high is not None
        if has_range == (self.value is not None):
            raise ValueError("a fact has either value: or both low: and high:")
        if has_range and (self.low is None or self.high is None or self.low >= self.high):
            raise ValueError("a range needs low: below high:")
        return self

    @property
    def figure(self) -> float:
        """The value; for a range, its low end (charts and formulas use ``value`` only)."""
        return float(self.value if self.value is not None else self.low or 0)

    @field_validator("period")
    @classmethod
    def _period_shape(cls, period: str) -> str:
        match = PERIOD.match(period)
        if not match:
            raise ValueError(
                f"period '{shorten(period, 40)}' is not YYYY, YYYY-MM, YYYY-MM-DD, YYYY-H1 "
                "or YYYY-Q1, optionally after 'as-of', 'by' or 'since'"
            )
        return period


class Derived(Strict):
    """A metric computed from facts: declared here, never typed as a number."""

    id: Id
    label: Text
    #: Arithmetic over other ids in braces: ``{a} + {b}``, ``({t} / {b}) ** (1 / 2) - 1``.
    formula: Text
    unit: str
    entity: Id | None = None
    metric: MetricName | None = None
    period: str | None = None
    #: Decimal places the briefing shows; negative rounds to tens (-1), thousands (-3), ...
    #: and makes the figure "about". The computed value itself is never rounded.
    decimals: Annotated[int, Field(ge=-6, le=6)] = 0
    #: What a reader must know before quoting the figure.
    caveats: list[Text] = Field(default_factory=list)
    note: Text | None = None

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        return Fact._known_unit(unit)


class Conflict(Strict):
    """Facts that disagree, or plausibly describe one thing differently: a finding."""

    id: Id
    kind: Literal["conflict", "caveat"]
    facts: Annotated[list[Id], Field(min_length=1)]
    summary: Text


class Ignored(Strict):
    """A number in a source that is deliberately not a fact, and why."""

    source: Id
    #: Verbatim text from the source that contains the number.
    text: Text
    reason: Text


class PublicationDate(Strict):
    #: As precise as is known: YYYY, YYYY-MM or YYYY-MM-DD.
    date: Annotated[
        str, StringConstraints(pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
    ]
    precision: Literal["day", "month", "year"]
    #: How the date is known: stated, or inferred from the text (and from what).
    basis: Text


class Source(Strict):
    """A source article: its text is the ground truth every quote is checked against."""

    id: Id
    title: Text
    publisher: Text | None
    published: PublicationDate
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
    #: Path of the text, relative to the project folder.
    file: Text
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    url: Text | None = None
    #: What period the article's figures cover, in the article's own words.
    timeframe: Text | None = None

    @field_validator("file")
    @classmethod
    def _plain_path(cls, file: str) -> str:
        # A NUL cannot reach the file system, and a newline would split the message.
        bad = next((c for c in file if unicodedata.category(c) in ("Cc", "Cf")), None)
        if bad is not None:
            raise ValueError(f"contains the control character {ord(bad):#06x}")
        return file


class ReportMeta(Strict):
    """The briefing's own title page and PDF metadata (``seeds/report.yaml``)."""

    title: Text
    subtitle: Text
    author: Text
    subject: Text
    keywords: list[Text]
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")]
    #: How the cover names the edition; ``{number}`` is its number, which follows the
    #: editions recorded in ``editions/`` (reportgen.editions), never a hand-typed one.
    edition: Text = "Edition {number}"
    #: The most figures the appendix lists with their quotes. Past it, the appendix
    #: lists computed figures, then facts in source order, up to the limit, and every
    #: figure goes into appendix.csv, attached to the PDF (reportgen.render.appendix).
    appendix_limit: Annotated[int, Field(ge=1)] = 200
    #: The largest source article ``check`` reads, in bytes (a long news article is
    #: 50 KB). Raise it for a longer source; ``check`` takes time in proportion.
    max_source_bytes: Annotated[int, Field(ge=1, le=1 << 30)] = MAX_SOURCE_BYTES
    #: How words of metric ids are written in prose, where not in lower case
    #: (``ev: EV``): the briefing says "Tallgrass EV output" for ``ev_output``.
    words: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+$")], Text] = {}
