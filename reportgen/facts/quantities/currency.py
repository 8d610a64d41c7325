"""Currency signs, codes and names, all from Babel's CLDR data: no hand list.

A sign is often shared ("$" is the narrow sign of the US, Hong Kong and Australian
dollars), so each form maps to every ISO 4217 code it may stand for; a fact's unit must be
one of them. English CLDR writes a disambiguated sign as a territory prefix plus the
narrow sign ("CN¥", "US$", "HK$"): the sign left after the prefix is the narrow one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from babel.core import Locale, get_global
from babel.numbers import (
    get_currency_name,
    get_currency_symbol,
    get_territory_currencies,
    list_currencies,
)

from reportgen.facts.quantities.lexicon import CURRENCY_ALIASES

#: Locales whose signs and names the reader knows: English as written in Britain and
#: the US, which between them cover the signs English news uses.
LOCALES = ("en", "en_GB")
#: A fixed day, so the same text reads the same on any day: currencies legal tender then
#: may be named by their last word alone ("yuan", "dollars"); retired ones ("European
#: Currency Unit") only in full, so that "units" is no currency.
_IN_USE_ON = dt.date(2024, 1, 1)
_PREFIX = re.compile(r"^[A-Z]{1,3}(?=[^\sA-Za-z])")


@dataclass(frozen=True)
class Lexicon:
    """Every written form of a currency, mapped to the ISO codes it may stand for."""

    signs: dict[str, frozenset[str]]
    codes: dict[str, frozenset[str]]
    names: dict[str, frozenset[str]]
    sign_re: str
    code_re: str
    name_re: str


def narrow_sign(code: str, locale: str = "en_GB") -> str:
    """The sign the briefing prints before an amount: '¥' for CNY, '$' for USD, or the
    ISO code itself where CLDR has no sign ('CHF')."""
    symbol = get_currency_symbol(code, locale)
    stripped = _PREFIX.sub("", symbol)
    if stripped and not stripped.isalpha():
        return stripped
    return symbol


def _alternation(forms: dict[str, frozenset[str]]) -> str:
    return "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))


def _in_use() -> set[str]:
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(
            get_territory_currencies(territory, start_date=_IN_USE_ON, end_date=_IN_USE_ON)
        )
    return codes


@cache
def lexicon() -> Lexicon:
    signs: dict[str, set[str]] = defaultdict(set)
    codes: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    in_use = _in_use()
    # Parsed once: each lookup by name would parse the locale again (seconds for all codes).
    locales = [Locale.parse(name) for name in LOCALES]
    for code in sorted(list_currencies()):
        codes[code].add(code)
        for locale in locales:
            symbol = get_currency_symbol(code, locale)
            if not symbol.isalpha():
                signs[symbol].add(code)
                stripped = _PREFIX.sub("", symbol)
                if stripped and not stripped.isalpha():
                    signs[stripped].add(code)
            for count in (1, 2):
                name = get_currency_name(code, count, locale).lower()
                if "(" in name or not re.fullmatch(r"[a-z .'-]+", name):
                    continue
                names[name].add(code)
                if code in in_use:
                    names[name.split()[-1]].add(code)
    for alias, code in CURRENCY_ALIASES.items():
        (codes if alias.isupper() else names)[alias].add(code)
    frozen = {
        key: {form: frozenset(v) for form, v in table.items()}
        for key, table in (("signs", signs), ("codes", codes), ("names", names))
    }
    return Lexicon(
        signs=frozen["signs"],
        codes=frozen["codes"],
        names=frozen["names"],
        sign_re=_alternation(frozen["signs"]),
        code_re=_alternation(frozen["codes"]),
        name_re=_alternation(frozen["names"]),
    )


def currencies_of(form: str) -> frozenset[str]:
    """The ISO codes a written sign, code or name may stand for (empty if none)."""
    table = lexicon()
    return (
        table.signs.get(form)
        or table.codes.get(form)
        or table.names.get(re.sub(r"\s+", " ", form.lower()))
        or frozenset()
    )
