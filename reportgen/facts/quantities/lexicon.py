"""The words English news uses for numbers, scales, qualifiers and status.

Word lists live here, apart from the patterns that find them, so that the README's
table of what the reader reads and the reader itself name the same words.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

CARDINALS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
#: Scale words spelled out; after digits or number words.
SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
#: Abbreviated scales after digits, compared lower-cased: "5bn", "350k", "1.2 mln".
SCALE_ABBREVIATIONS = {
    "k": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "mln": 10**6,
    "mio": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "bln": 10**9,
    "tn": 10**12,
    "trn": 10**12,
}
#: One-letter scales are read spaced ("$5 m") only after a currency: "5 m" alone is metres.
SINGLE_LETTER_SCALES = {"k", "m", "b"}

ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
    "hundredth": 100,
}
#: Denominators of spelled fractions ("a third", "two-fifths", "three quarters").
DENOMINATORS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fourth": 4,
    "fourths": 4,
    "fifth": 5,
    "fifths": 5,
    "sixth": 6,
    "sixths": 6,
    "seventh": 7,
    "sevenths": 7,
    "eighth": 8,
    "eighths": 8,
    "ninth": 9,
    "ninths": 9,
    "tenth": 10,
    "tenths": 10,
}
#: Words that multiply ("doubled", "more than triple", "twice").
MULTIPLIERS: dict[str, int | Fraction] = {
    "double": 2,
    "doubled": 2,
    "doubles": 2,
    "doubling": 2,
    "twice": 2,
    "triple": 3,
    "tripled": 3,
    "triples": 3,
    "tripling": 3,
    "treble": 3,
    "trebled": 3,
    "thrice": 3,
    "quadruple": 4,
    "quadrupled": 4,
    "quadruples": 4,
    "quadrupling": 4,
    "halve": Fraction(1, 2),
    "halved": Fraction(1, 2),
    "halves": Fraction(1, 2),
    "halving": Fraction(1, 2),
}
#: Vague amounts: a numeric statement, but no value a fact could match.
VAGUE = {
    "hundreds",
    "thousands",
    "millions",
    "billions",
    "trillions",
    "dozens",
    "tens of thousands",
    "double-digit",
    "triple-digit",
    "single-digit",
}

#: Words before a number that qualify it, mapped to a fact's ``precision``.
PRECISION_WORDS = {
    "about": "about",
    "approximately": "about",
    "some": "about",
    "an estimated": "about",
    "around": "around",
    "roughly": "roughly",
    "nearly": "nearly",
    "close to": "nearly",
    "almost": "almost",
    "more than": "more_than",
    "exceeding": "more_than",
    "surpassing": "more_than",
    "over": "over",
    "above": "over",
    "at least": "at_least",
    "up to": "up_to",
    "as many as": "up_to",
    "as much as": "up_to",
    "at most": "at_most",
    "no more than": "at_most",
    "less than": "less_than",
    "fewer than": "less_than",
    "under": "less_than",
    "below": "less_than",
}
#: Words in a quote that say a figure is not an actual, mapped to a fact's ``status``.
STATUS_WORDS = {
    "estimated": "estimated",
    "estimate": "estimated",
    "estimates": "estimated",
    "expected": "expected",
    "expects": "expected",
    "expect": "expected",
    "forecast": "expected",
    "forecasts": "expected",
    "projected": "expected",
    "planned": "planned",
    "plans": "planned",
    "plan": "planned",
    "aims": "target",
    "aim": "target",
    "goal": "target",
    "target": "target",
    "targets": "target",
}
#: Currencies English news writes by a name Babel does not list: the renminbi is the
#: currency whose unit is the yuan (ISO 4217 CNY), and "RMB" is its common abbreviation.
CURRENCY_ALIASES = {"RMB": "CNY", "renminbi": "CNY"}


def as_decimal(value: Fraction | int) -> Decimal:
    """Exact where the fraction ends (1/4 -> 0.25); otherwise to 28 significant digits."""
    fraction = Fraction(value)
    return Decimal(fraction.numerator) / Decimal(fraction.denominator)


#: Units of time that make a duration with a number word: "a year apart", "two months
#: earlier". The reader does not count them in sources (an article's "a year earlier"
#: is its own wording); the briefing's figure scan refuses them in templates.
DURATION_UNITS = (
    "decade",
    "year",
    "quarter",
    "month",
    "fortnight",
    "week",
    "day",
    "hour",
    "minute",
    "second",
)
