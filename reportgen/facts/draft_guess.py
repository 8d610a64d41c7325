"""Guesses for a drafted fact's fields, each with what it was guessed from: the unit
from a sign or the noun after the number, the period from a year, quarter or month, the
status from the verbs around it, the metric from a keyword, and numbers that are names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.core import Locale
from babel.numbers import get_currency_symbol, get_territory_currencies

from reportgen.facts.quantities import STATUS_WORDS, Quantity
from reportgen.facts.quantities.currency import LOCALES
from reportgen.periods import MONTHS
from reportgen.units import UNITS

_MONTH_RE = re.compile(r"\b(" + "|".join(MONTHS) + r")(?:\s+(\d{4}))?\b")
_YEAR_RE = re.compile(r"(?<![\w.,])((?:19|20|21)\d\d)(?![\w%])")
_QUARTER = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4}
_QUARTER_RE = re.compile(
    r"\b(?:(first|second|third|fourth|final|1st|2nd|3rd|4th)[\s-]+(quarter|half)"
    r"|\b(Q[1-4]|H[12]))\b(?:\s+(?:of\s+)?((?:19|20)\d\d))?",
    re.I,
)
_RELATIVE_YEAR = re.compile(r"\b(last|this|next)\s+year\b", re.I)
_FUTURE = re.compile(
    r"\b(?:will|would|is set to|are set to|is due to|are due to|is to|are to|"
    r"expects?|anticipates?|predicts?|intends?)\b",
    re.I,
)
_TARGET = re.compile(r"\b(?:wants?|hopes?|ambition|seeks?)\b", re.I)
_PROPOSED = re.compile(r"\b(?:proposed|proposes|scheduled)\b", re.I)
_PLANNED_VERBS = re.compile(
    r"\b(?:will|intends? to|is to|are to|wants? to)\s+(?:\w+\s+)?(?:open|build|launch|invest|"
    r"hire|add|start|begin|create|spend|set up|expand|close|cut|recruit|raise)\b",
    re.I,
)
#: Nouns that count in a unit of another name, when the project declares it.
_SYNONYMS = {"people": "employees", "staff": "employees", "workers": "employees"}
#: Keywords that name a metric, searched nearest the number; first match wins per word.
METRIC_WORDS: tuple[tuple[str, str], ...] = (
    (r"market share|share of the market|share of", "market_share"),
    (r"revenues?|turnover", "revenue"),
    (r"net profit|profits?|earnings", "net_profit"),
    (r"net loss|loss(?:es)?", "net_loss"),
    (r"margin", "margin"),
    (r"capacity", "capacity"),
    (r"orders?|ordered|order book|backlog|bookings", "orders"),
    (r"deliver(?:ies|ed|s)?", "deliveries"),
    (r"exports?|exported", "exports"),
    (r"sold|sales|sells?|selling", "sales"),
    (r"produced|production|output|made|built|assembled|manufactured|produce", "output"),
    (r"invest(?:ment|ed|ing|s)?|cost|costs|spend(?:ing)?|spent", "investment"),
    (r"employ(?:s|ees|ed)?|staff|workers|workforce|jobs|hire|hiring|headcount", "employees"),
    (r"prices?|priced|costs? per", "price"),
    (r"stores?|dealerships?|showrooms?|outlets?", "stores"),
    (r"charging (?:points?|stations?)|chargers", "chargers"),
    (r"range", "range"),
    (r"raised|funding", "funding"),
    (r"subsid(?:y|ies)", "subsidies"),
    (r"covers|area|square", "site_area"),
    (r"dividend", "dividend"),
    (r"battery|batteries", "batteries"),
    (r"robots?", "robots"),
)
_CHANGE = re.compile(
    r"\b(?:rose|rise|rising|grew|grow|growth|up|increased?|jumped|climbed|gained|fell|"
    r"fall|falling|down|declined?|dropped|drop|slipped|slumped|surged|decreased?|higher|"
    r"lower)\b",
    re.I,
)
_PER_YEAR = re.compile(r"^\s*(?:a|per|each)\s+year\b|^\s*annually\b|^\s*/\s*year\b", re.I)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "it",
        "its",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "to",
        "this",
        "that",
        "these",
        "those",
        "but",
        "and",
        "or",
        "of",
        "as",
        "he",
        "she",
        "they",
        "we",
        "our",
        "their",
        "after",
        "before",
        "since",
        "last",
        "next",
        "over",
        "about",
        "some",
        "sales",
        "analysts",
        "year",
        "years",
        "with",
        "while",
        "when",
        "where",
        "which",
        "who",
    ]
)
_NAME_STOP = _STOP | {m.lower() for m in MONTHS} | {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "q1", "q2", "q3", "q4", "h1", "h2",
}  # fmt: skip


@dataclass(frozen=True)
class Guess:
    value: str
    #: Why: shown in the REVIEW comment; None when the text states it outright.
    basis: str | None


def currency(codes: frozenset[str], preferred: list[str], said: str) -> Guess:
    """One ISO code for a sign that may stand for several: the store's own first, then the
    one English CLDR writes with exactly this sign, then the US or UK one."""
    if len(codes) == 1:
        return Guess(next(iter(codes)), None)
    for code in preferred:
        if code in codes:
            return Guess(
                code, f"'{said}' may be {'/'.join(sorted(codes)[:5])}; this store uses {code}"
            )
    home = [c for t in ("US", "GB") for c in get_territory_currencies(t)]
    for code in sorted(codes, key=lambda c: (_sign_of(c) != said, c not in home, c)):
        return Guess(code, f"'{said}' may be {'/'.join(sorted(codes)[:5])}")
    return Guess("USD", f"'{said}' names no currency the reader knows")


def _sign_of(code: str) -> str:
    return get_currency_symbol(code, Locale.parse(LOCALES[0]))


def unit(text: str, quantity: Quantity, preferred: list[str]) -> Guess:
    """The unit from the quantity's sign, or the noun after it, among the project's units."""
    hint = quantity.unit_hint
    if quantity.currencies:
        said = quantity.text.strip()
        return currency(quantity.currencies, preferred, said)
    if hint in ("percent", "percentage_points", "multiple", "m2"):
        return Guess(hint, None)
    if quantity.kind == "fraction":
        return Guess("percent", "a fraction, as a percentage")
    if quantity.kind == "ordinal":
        return Guess("rank", "an ordinal")
    if hint == "basis_points":
        return Guess("basis_points", "no built-in unit counts basis points: declare one")
    return _noun_unit(text, quantity.end)


def _unit_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for code in UNITS:
        spec = UNITS[code]
        for form in {code, spec.singular, spec.plural}:
            if form and " " not in form:
                table.setdefault(form.lower(), code)
    for word, code in _SYNONYMS.items():
        if code in UNITS:
            table.setdefault(word, code)
    return table


def _noun_unit(text: str, end: int) -> Guess:
    """The first unit named after the number, before a preposition ends the phrase."""
    after = text[end : end + 80]
    words = re.findall(r"[A-Za-z][A-Za-z-]*", re.split(r"[.,;:]", after)[0])[:4]
    table = _unit_table()
    for word in words:
        if word.lower() in _STOP:
            break
        found = table.get(word.lower())
        if found is None:
            continue
        rest = after[after.lower().find(word.lower()) + len(word) :]
        if _PER_YEAR.match(rest) and f"{found}/year" in UNITS:
            return Guess(f"{found}/year", f"'{word}' after the number, per year")
        return Guess(found, f"'{word}' after the number")
    first = words[0] if words and re.match(r"\s", after) else ""
    if first.lower().endswith("s") and first.lower() not in _STOP and len(first) > 3:
        return Guess(first.lower(), f"'{first}' after the number: not a unit of this "
                     "project yet, declare it in seeds/units.yaml")  # fmt: skip
    return Guess("", "")


def unit_before(text: str, start: int, stop: int) -> Guess | None:
    """The unit named nearest before ``stop`` in ``text[start:stop]``: "cars" in
    "registrations of electric cars fell to 92,627"."""
    table = _unit_table()
    for match in reversed(list(re.finditer(r"[A-Za-z][A-Za-z-]*", text[start:stop]))):
        found = table.get(match.group(0).lower())
        if found is not None and UNITS[found].kind == "count":
            return Guess(found, f"'{match.group(0)}' earlier in the sentence")
    return None


def period(
    text: str, scope: tuple[int, int], at: int, published: str, future: bool
) -> tuple[Guess, tuple[int, int] | None]:
    """The period of the figure at ``at``: the time phrase in ``scope`` nearest it, and
    where that phrase stands (None when it is the source's date)."""
    snippet = text[scope[0] : scope[1]]
    found: list[tuple[int, int, str, str]] = []
    for match in _QUARTER_RE.finditer(snippet):
        word = (match.group(1) or match.group(3)).lower()
        number = _QUARTER.get(word) or int(re.sub(r"\D", "", word) or 1)
        half = (match.group(2) or word[0]).lower().startswith("h")
        months = number * (6 if half else 3)
        year = int(match.group(4)) if match.group(4) else _year_of(months, published, future)
        label = f"{year}-{'H' if half else 'Q'}{number}"
        found.append((match.start(), match.end(), label, f"'{match.group(0)}'"))
    for match in _MONTH_RE.finditer(snippet):
        month = MONTHS.index(match.group(1)) + 1
        if re.match(r"\s+\d{1,2}\b(?!,\d)", snippet[match.end(1) :]) and not match.group(2):
            continue  # "September 9": a day, the article's dateline or an event's
        year = int(match.group(2)) if match.group(2) else _year_of(month, published, future)
        found.append((match.start(), match.end(), f"{year}-{month:02d}", f"'{match.group(0)}'"))
    found += _years(snippet, found, published)
    if not found:
        as_of = published[:7] if len(published) >= 7 else published[:4]
        return Guess(f"as-of {as_of}", "no period in the quote: as of the source's date"), None
    offset = at - scope[0]
    start, end, label, said = min(found, key=lambda f: (abs(f[0] - offset), f[0] < offset))
    return Guess(label, f"from {said}"), (scope[0] + start, scope[0] + end)


def _years(
    snippet: str, found: list[tuple[int, int, str, str]], published: str
) -> list[tuple[int, int, str, str]]:
    years: list[tuple[int, int, str, str]] = []
    for match in _YEAR_RE.finditer(snippet):
        if any(s <= match.start() < e for s, e, _, _ in found):
            continue
        before = snippet[max(0, match.start() - 7) : match.start()].lower()
        prefix = "by " if before.endswith("by ") else "since " if "since " in before else ""
        said = f"'{(before.split() or [''])[-1]} {match.group(1)}'"
        years.append((match.start(), match.end(), prefix + match.group(1), said))
    for match in _RELATIVE_YEAR.finditer(snippet):
        shift = {"last": -1, "this": 0, "next": 1}[match.group(1).lower()]
        label = str(int(published[:4]) + shift)
        years.append(
            (match.start(), match.end(), label, f"'{match.group(0)}' and the source's date")
        )
    return years


def _year_of(month: int, published: str, future: bool) -> int:
    """The year of a month or quarter named without one: the source's, or the year
    before when that month is still to come and the figure is no forecast."""
    year = int(published[:4])
    now = int(published[5:7]) if len(published) >= 7 else 12
    return year - 1 if month > now and not future else year


def status(quote: str, before: str) -> Guess:
    """A status word in the quote decides (check requires it); else the sentence's verbs."""
    lowered = quote.lower()
    said = [(m.start(), w) for w in STATUS_WORDS for m in re.finditer(rf"\b{w}\b", lowered)]
    if said:
        return Guess(STATUS_WORDS[min(said)[1]], None)
    # Only the clause the figure stands in: "X plans…, and Y has offered 240 million".
    context = re.split(r",\s+(?:and|but|while)\s|;\s", before.lower())[-1]
    if re.search(r"\b(?:and|but|while)\s*$", context) or re.match(r"(?:and|but|while)\b", lowered):
        context = ""
    earlier = [(m.start(), w) for w in STATUS_WORDS for m in re.finditer(rf"\b{w}\b", context)]
    if earlier:
        word = max(earlier)[1]
        return Guess(STATUS_WORDS[word], f"'{word}' earlier in the sentence")
    if match := _TARGET.search(quote) or _TARGET.search(context):
        return Guess("target", f"'{match.group(0)}': an aim")
    if _PLANNED_VERBS.search(quote) or _PROPOSED.search(quote):
        return Guess("planned", "a plan in the future tense")
    if match := _FUTURE.search(quote) or _FUTURE.search(context):
        return Guess("expected", f"'{match.group(0)}': a figure still to come")
    return Guess("actual", "no word says it is an estimate, expectation, plan or target")


def is_future(quote: str) -> bool:
    return bool(_FUTURE.search(quote)) or any(
        re.search(rf"\b{w}\b", quote.lower()) for w in STATUS_WORDS if w not in ("estimated",)
    )


def metric(text: str, quote: tuple[int, int], at: int, unit_code: str) -> Guess:
    """A metric name from the keyword nearest the number, '_growth' for a change in percent."""
    snippet = text[quote[0] : quote[1]]
    best: tuple[int, str, str] | None = None
    for pattern, name in METRIC_WORDS:
        for match in re.finditer(rf"\b(?:{pattern})\b", snippet, re.I):
            distance = abs(quote[0] + match.start() - at)
            if best is None or distance < best[0]:
                best = (distance, name, match.group(0))
    base, basis = (best[1], f"'{best[2]}'") if best else (_slug(unit_code), f"the unit {unit_code}")
    change = _CHANGE.search(snippet)
    if unit_code in ("percent", "percentage_points") and base != "market_share" and change:
        return Guess(f"{base}_change" if base != "margin" else base, f"{basis} and a change")
    if unit_code.endswith("/year") and base in ("capacity", "output", "sales"):
        base = f"annual_{base}"
    return Guess(base, f"from {basis}")


def _slug(unit_code: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", unit_code.lower()).strip("_")
    return slug if slug and slug[0].isalpha() else "figure"


_VERSION = re.compile(r"^\d+\.\d+$")
_NAME_WORD = re.compile(r"(?:^|\s)([A-Z][\w-]*|[a-z]+)\s$")


def name_like(text: str, quantity: Quantity) -> str | None:
    """Why a number is a name rather than a figure: a version, a model or a year in a
    name. None when it reads as a figure."""
    said = quantity.text.strip()
    if quantity.currencies or quantity.unit_hint or quantity.kind not in ("quantity", "date"):
        return None
    before = text[max(0, quantity.start - 40) : quantity.start]
    word = _NAME_WORD.search(before)
    after = text[quantity.end : quantity.end + 20]
    versioned = said.endswith(".0") or bool(word and word.group(1)[0].isupper())
    if quantity.kind == "quantity" and _VERSION.match(said) and versioned:
        named = f"{word.group(1)} {said}" if word else said
        return f"A version or standard in a name (“{named}”), not a quantity."
    if not word or not word.group(1)[0].isupper() or word.group(1).lower() in _NAME_STOP:
        if (
            quantity.kind == "date"
            and re.search(r"\bthe\s+$", before)
            and re.match(r"\s+[A-Z]", after)
        ):
            return f"A year in a name (“{said}{after.split(',')[0].rstrip('.')}”), not a period."
        return None
    if quantity.kind == "date":
        return f"A year in a name (“{word.group(1)} {said}”), not a period."
    if re.fullmatch(r"\d{1,3}", said):
        return f"A model or product name (“{word.group(1)} {said}”), not a quantity."
    return None


_PERSON_BEFORE = re.compile(
    r"(?:executive|officer|chief|director|president|chair\w*|spokes\w+|analyst|minister|"
    r"head|manager|founder|economist|said|says)\s+$",
    re.I,
)
_PERSON_AFTER = re.compile(r"^\s+(?:said|says|told|added|noted|wrote)\b")


def names_in(text: str, span: tuple[int, int]) -> list[tuple[int, str]]:
    """Runs of capitalised words in ``span`` (where they start): candidate entity names,
    leaving out people ("Chief executive Mara Quinn said")."""
    found = []
    run = re.compile(r"\b[A-Z][\w&'’.-]*(?:\s+(?:of\s+)?[A-Z][\w&'’.-]*)*")
    for match in run.finditer(text, span[0], span[1]):
        words = match.group(0).split()
        while words and words[0].lower() in _NAME_STOP:
            words = words[1:]
        person = _PERSON_BEFORE.search(text[: match.start()]) or _PERSON_AFTER.match(
            text[match.end() :]
        )
        if words and len(words) == 1 and match.start() == span[0]:
            # A sentence's first word is capitalised anyway: a name only if it is
            # capitalised inside a sentence too.
            inside = re.search(r"[a-z,]\s+" + re.escape(words[0]) + r"\b", text)
            words = words if inside else []
        if words and not person:
            found.append((match.end() - len(" ".join(words)), " ".join(words).rstrip(".’'")))
    return found
