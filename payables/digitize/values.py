"""Reading values out of printed text: amounts, dates and percentages, in the formats of the
Baltic, Nordic, German, Polish, French, English and Russian invoices the engine reads."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache


def fold(text: str) -> str:
    """Lower case without diacritics, for matching labels OCR may read without them.

    Character for character (same length), so that positions in the folded text are
    positions in the printed one.

    >>> fold("Kuupäev"), fold("Rēķina Nr."), fold("Sąskaita"), fold("Straße İ")
    ('kuupaev', 'rekina nr.', 'saskaita', 'straße i')
    """
    return "".join(_fold_char(c) for c in text)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in "łŁøØ":
        return {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o"}[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    base = base.lower()
    return base if len(base) == 1 else char.lower()[:1] or char


# --- Amounts --------------------------------------------------------------------------------

# A number as invoices print money: thousands grouped by ".", ",", "'", or a (thin) space,
# decimals after "," or "."; a sign before or after, or parentheses.
_AMOUNT = re.compile(
    r"(?<![\w.,/:'\-])(?<!%\s)(?<!%)"
    r"(?P<neg>[-−–](?=\s?\d)\s?|\()?"
    r"(?P<num>[1-9]\d{0,2}(?:(?P<sep>[.,'’\u202f\u00a0 ])\d{3})(?:(?P=sep)\d{3})*"
    r"(?:[.,]\d{1,2}|[.,]\s\d{2}(?!\d))?"
    r"|\d+(?:[.,]\d{1,2}|[.,]\s\d{2}(?!\d))|\d+)"
    r"(?P<trail>-|\))?"
    r"(?![\w/]|[.,]\d|:\d|\s?%|-\w)"
)


@dataclass(frozen=True)
class Amount:
    """An amount found in a text: its value, where it stands, and how sure the reading is."""

    value: Decimal
    start: int
    end: int
    has_decimals: bool
    grouped: bool  # thousands were grouped ("1 234,56"): a glued rate column reads alike


def find_amounts(text: str) -> list[Amount]:
    """Every amount in ``text``; dates, percentages and ids are not amounts.

    >>> [str(a.value) for a in find_amounts("Total 1.234,56 EUR, 04.04.2018, 19 %, -7,67")]
    ['1234.56', '-7.67']
    >>> [str(a.value) for a in find_amounts("1,234.56 and 1 234,56 and (12.50) and 3")]
    ['1234.56', '1234.56', '-12.50', '3']
    >>> [str(a.value) for a in find_amounts("15.387, 08 (OCR put a space after the comma)")]
    ['15387.08']
    """
    found = []
    for match in _AMOUNT.finditer(text):
        value = parse_number(match.group("num"))
        if value is None:
            continue
        negative = bool(match.group("neg")) and (
            match.group("neg") != "(" or match.group("trail") == ")"
        )
        if match.group("trail") == "-":
            negative = True
        found.append(
            Amount(
                value=-value if negative else value,
                start=match.start(),
                end=match.end(),
                has_decimals=bool(re.search(r"[.,]\s?\d{1,2}$", match.group("num"))),
                grouped=bool(match.group("sep")),
            )
        )
    return found


def parse_number(text: str) -> Decimal | None:
    """A printed number as a Decimal: the last "," or "." followed by 1–2 digits is decimal.

    >>> parse_number("1.234,5"), parse_number("1,234"), parse_number("12,50")
    (Decimal('1234.5'), Decimal('1234'), Decimal('12.50'))
    """
    text = re.sub(r"[\s'’\u202f\u00a0]", "", text)
    decimals = re.search(r"[.,](\d{1,2})$", text)
    if decimals:
        whole, fraction = text[: decimals.start()], decimals.group(1)
    else:
        whole, fraction = text, ""
    whole = whole.replace(".", "").replace(",", "")
    if not whole.isdigit():
        return None
    try:
        return Decimal(f"{whole}.{fraction}") if fraction else Decimal(whole)
    except InvalidOperation:
        return None


_PERCENT = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


def find_percentages(text: str) -> list[tuple[Decimal, int, int]]:
    """Rates printed with a percent sign: (rate, start, end).

    >>> find_percentages("MwSt 19 % und 5,5%")
    [(Decimal('19'), 5, 9), (Decimal('5.5'), 14, 18)]
    """
    out = []
    for match in _PERCENT.finditer(text):
        value = parse_number(match.group(1))
        if value is not None:
            out.append((value, match.start(), match.end()))
    return out


# --- Dates ----------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "jan january januar janvier jaanuar tammikuu tammikuuta sausis sausio janvaris janvari "
        "januari styczen stycznia январь января янв",
        "feb february februar fevrier veebruar helmikuu helmikuuta vasaris vasario februaris "
        "februari luty lutego февраль февраля фев",
        "mar march marz maerz mars marts maaliskuu maaliskuuta kovas kovo marts marta "
        "marzec marca март марта",
        "apr april avril aprill huhtikuu huhtikuuta balandis balandzio aprilis aprili "
        "kwiecien kwietnia апрель апреля апр",
        "may mai mai toukokuu toukokuuta geguze geguzes maijs maija maj maja май мая",
        "jun june juni juin juuni kesakuu kesakuuta birzelis birzelio junijs junija "
        "czerwiec czerwca июнь июня",
        "jul july juli juillet juuli heinakuu heinakuuta liepa liepos julijs julija "
        "lipiec lipca июль июля",
        "aug august august aout august elokuu elokuuta rugpjutis rugpjucio augusts augusta "
        "augusti sierpien sierpnia август августа авг",
        "sep sept september septembre syyskuu syyskuuta rugsejis rugsejo septembris "
        "septembri wrzesien wrzesnia сентябрь сентября сен",
        "oct okt october oktober octobre oktoober lokakuu lokakuuta spalis spalio oktobris "
        "oktobri pazdziernik pazdziernika октябрь октября",
        "nov november novembre marraskuu marraskuuta lapkritis lapkricio novembris "
        "novembri listopad listopada ноябрь ноября",
        "dec dez december dezember decembre detsember joulukuu joulukuuta gruodis gruodzio "
        "decembris decembri grudzien grudnia декабрь декабря",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH_WORD = r"[^\W\d_]{3,12}\.?"
_NUMERIC_DATE = re.compile(
    r"(?<![\d.,/\-])(?:(?P<iy>(?:19|20)\d\d)-(?P<im>\d\d?)-(?P<id>\d\d?)"
    r"|(?P<a>\d{1,2})\s?(?P<sep>[./\-])\s?(?P<b>\d{1,2})\s?(?P=sep)\s?(?P<y>(?:19|20)?\d\d))"
    r"(?!\d|[.,]\d)"
)
_WORD_DATE = re.compile(
    r"(?<![\w.])(?:(?P<d1>\d{1,2})\.?\s(?P<m1>" + _MONTH_WORD + r")\s(?P<y1>(?:19|20)\d\d)"
    r"|(?P<m2>" + _MONTH_WORD + r")\s(?P<d2>\d{1,2}),?\s(?P<y2>(?:19|20)\d\d)"
    r"|(?P<y3>(?:19|20)\d\d)\.?\s(?:gada\s)?(?P<d3>\d{1,2})\.\s(?P<m3>" + _MONTH_WORD + r"))"
    r"(?!\d)"
)


@dataclass(frozen=True)
class FoundDate:
    """A date in a text; ``ambiguous`` when day and month could swap (03/04/2018)."""

    value: date
    start: int
    end: int
    ambiguous: bool = False
    swapped: date | None = None  # the other reading of an ambiguous date


def date_order(texts: list[str]) -> str:
    """Infer "dmy" or "mdy" from the unambiguous slash dates of one document.

    >>> date_order(["12/31/2020 and 01/02/2021"]), date_order(["13/11/2017"]), date_order([""])
    ('mdy', 'dmy', 'dmy')
    """
    votes = {"dmy": 0, "mdy": 0}
    for text in texts:
        for match in _NUMERIC_DATE.finditer(text):
            if match.group("sep") != "/":
                continue
            a, b = int(match.group("a")), int(match.group("b"))
            if a > 12 >= b:
                votes["dmy"] += 1
            elif b > 12 >= a:
                votes["mdy"] += 1
    return "mdy" if votes["mdy"] > votes["dmy"] else "dmy"


def find_dates(text: str, order: str = "dmy") -> list[FoundDate]:
    """Every date in ``text``, read in the document's day/month ``order`` where ambiguous.

    >>> [str(d.value) for d in find_dates("05.03.2018, 2020-11-21, 5. März 2018, 13/11/17")]
    ['2018-03-05', '2020-11-21', '2018-03-05', '2017-11-13']
    >>> [str(d.value) for d in find_dates("November 13, 2017; 18 april 2014; 2018. gada 5. martā")]
    ['2017-11-13', '2014-04-18', '2018-03-05']
    >>> find_dates("03/04/2018", "mdy")[0].value, find_dates("03/04/2018")[0].ambiguous
    (datetime.date(2018, 3, 4), True)
    """
    found: list[FoundDate] = []
    for match in _NUMERIC_DATE.finditer(text):
        found.extend(_numeric(match, order))
    for match in _WORD_DATE.finditer(text):
        day = match.group("d1") or match.group("d2") or match.group("d3")
        month_word = match.group("m1") or match.group("m2") or match.group("m3")
        year = match.group("y1") or match.group("y2") or match.group("y3")
        month = _month(month_word)
        value = _day(int(year), month, int(day)) if month else None
        if value:
            found.append(FoundDate(value, match.start(), match.end()))
    return sorted(found, key=lambda d: d.start)


def _numeric(match: re.Match[str], order: str) -> list[FoundDate]:
    if match.group("iy"):
        value = _day(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
        return [FoundDate(value, match.start(), match.end())] if value else []
    a, b = int(match.group("a")), int(match.group("b"))
    year = int(match.group("y"))
    year = year + 2000 if year < 100 else year
    dmy, mdy = _day(year, b, a), _day(year, a, b)
    if match.group("sep") == "." or order == "dmy":
        first, other = dmy, mdy
    else:
        first, other = mdy, dmy
    if first is None:
        first, other = other, None
    if first is None:
        return []
    ambiguous = match.group("sep") != "." and other is not None and a != b
    return [FoundDate(first, match.start(), match.end(), ambiguous, other if ambiguous else None)]


def _month(word: str) -> int | None:
    word = fold(word).rstrip(".")
    if word in _MONTHS:
        return _MONTHS[word]
    for name, number in _MONTHS.items():  # "märts" folds to "marts", "martā" to "marta"
        if len(word) >= 4 and len(name) >= 4 and word.startswith(name[:4]) and name[:3] == word[:3]:
            return number
    return None


def _day(year: int, month: int, day: int) -> date | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
