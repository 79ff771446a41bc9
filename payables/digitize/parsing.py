"""What kind of value each field holds, and how to read such a value from a piece of text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from payables.digitize.model import Value
from payables.digitize.validators import (
    BIC_TEXT,
    RF_TEXT,
    VAT_ID,
    check_bic,
    check_reference,
    check_vat_id,
    longest_iban,
)
from payables.digitize.values import find_amounts, find_dates, fold

KINDS = {
    "seller_name": "name",
    "buyer_name": "name",
    "seller_vat_id": "vat",
    "buyer_vat_id": "vat",
    "seller_registry_code": "registry",
    "invoice_number": "id",
    "order_number": "id",
    "issue_date": "date",
    "due_date": "date",
    "vat_date": "date",
    "currency": "currency",
    "net_amount": "amount",
    "vat_amount": "amount",
    "gross_amount": "amount",
    "iban": "iban",
    "bic": "bic",
    "payment_reference": "reference",
}

CURRENCY_CODES = [
    "EUR",
    "USD",
    "GBP",
    "SEK",
    "NOK",
    "DKK",
    "PLN",
    "CHF",
    "RUB",
    "INR",
    "CZK",
    "HUF",
    "ISK",
    "CAD",
    "AUD",
    "JPY",
    "CNY",
    "UAH",
    "BYN",
    "TRY",
    "RON",
    "BGN",
]
_CURRENCY_CODE = re.compile(r"(?<![A-Za-z])(" + "|".join(CURRENCY_CODES) + r")(?![A-Za-z])")
CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "zł": "PLN", "₽": "RUB", "₹": "INR"}
_CURRENCY_SYMBOL = re.compile(r"€|\$|£|zł|₽|₹|(?<![A-Za-z])(?:Rs\.?|руб\.?)(?![A-Za-z])")

_ID = re.compile(r"[#№]?\s?([A-Za-z0-9][A-Za-z0-9/\-_.]*[A-Za-z0-9]|[0-9])")
_ID_STOPWORDS = {"nr", "no", "nro", "number", "nummer", "numero", "num", "id", "n", "nb"}
_REGISTRY = re.compile(r"(?:HR\s?[AB]\s?)?\d[\d\s\-]{2,18}\d|\d{4,}")
_REFERENCE_DIGITS = re.compile(r"(?<![\w.,/\-])\d[\d ]{0,24}\d(?![\w.,/\-]|,\d)")
_LEGAL_FORM = re.compile(
    r"(?<![^\W_])(?:gmbh|ag|kg|ohg|e\.\s?k\.|ou|as|oy|oyj|ab|uab|sia|sp\.\s?z\s?o\.\s?o\.|sarl"
    r"|sas|sa|ltd\.?|limited|inc\.?|llc|b\.v\.|bv|nv|a/s|aps|oao|ooo|ооо|ао|plc)(?![^\W_])"
)


@dataclass(frozen=True)
class Parsed:
    """A value read from text: where it stands in the text and what the reading knows."""

    value: Value
    start: int
    end: int
    valid: bool | None = None  # checksum/structure held (None: nothing to check)
    ambiguous: bool = False  # a date whose day and month could swap
    exact: bool = True  # an amount printed with decimals, a four-digit year...
    glued: bool = False  # an amount read apart from a rate column glued to it


def parse_values(kind: str, text: str, order: str = "dmy") -> list[Parsed]:
    """The values of ``kind`` in ``text``, left to right."""
    return _PARSERS[kind](text, order)


def _dates(text: str, order: str) -> list[Parsed]:
    return [Parsed(d.value, d.start, d.end, ambiguous=d.ambiguous) for d in find_dates(text, order)]


def _amounts(text: str, order: str) -> list[Parsed]:
    out = []
    for amount in find_amounts(text):
        out.append(Parsed(amount.value, amount.start, amount.end, exact=amount.has_decimals))
        if amount.grouped and re.match(r"\d{1,2}[ \u00a0\u202f]\d{3}", text[amount.start :]):
            # "19 163,16": a VAT-rate column glued to an amount reads as a thousands group
            rest = text.index(" ", amount.start) + 1
            tail = [a for a in find_amounts(text[rest : amount.end]) if a.end == amount.end - rest]
            if tail:
                value = -tail[0].value if amount.value < 0 else tail[0].value
                out.append(Parsed(value, rest, amount.end, exact=tail[0].has_decimals, glued=True))
    return out


def _ids(text: str, order: str) -> list[Parsed]:
    out = []
    for match in _ID.finditer(text):
        token = match.group(1).rstrip(".")
        digits = sum(c.isdigit() for c in token)
        if fold(token) in _ID_STOPWORDS or not digits:
            continue
        if digits < 2:
            continue  # "gemä8", "8": a misread word or a stray digit, not a number
        dates = find_dates(token, order)
        if dates and dates[0].start == 0 and dates[0].end == len(token):
            continue  # a date is not the number of anything
        out.append(Parsed(token, match.start(1), match.start(1) + len(token)))
    return out


def _references(text: str, order: str) -> list[Parsed]:
    out = []
    for match in RF_TEXT.finditer(text.upper()):
        value, valid = check_reference(match.group(0))
        out.append(Parsed(value, match.start(), match.end(), valid=valid))
    for match in _REFERENCE_DIGITS.finditer(text):
        value, valid = check_reference(match.group(0))
        out.append(Parsed(value, match.start(), match.end(), valid=valid))
    if not out:
        out = [Parsed(p.value, p.start, p.end, valid=None) for p in _ids(text, order)]
    return sorted(out, key=lambda p: p.start)


def _vat_ids(text: str, order: str) -> list[Parsed]:
    out = []
    for match in VAT_ID.finditer(text):
        if sum(c.isdigit() for c in match.group("body")) < 6:
            continue
        iban = longest_iban(text[match.start() :])
        if iban and iban[1] and iban[2] == 0:
            continue  # the start of an IBAN, not a VAT id
        value, valid = check_vat_id(match.group(0))
        out.append(Parsed(value, match.start(), match.end(), valid=valid))
    return out


def _registry(text: str, order: str) -> list[Parsed]:
    out = []
    for match in _REGISTRY.finditer(text):
        value = re.sub(r"\s", "", match.group(0))
        out.append(Parsed(value, match.start(), match.end()))
    return out


def _ibans(text: str, order: str) -> list[Parsed]:
    found = longest_iban(text)
    if found is None:
        return []
    value, valid, start, end = found
    return [Parsed(value, start, end, valid=valid)]


def _bics(text: str, order: str) -> list[Parsed]:
    out = []
    for match in BIC_TEXT.finditer(text):
        value, valid = check_bic(match.group(0))
        out.append(Parsed(value, match.start(), match.end(), valid=valid))
    return out


def _currencies(text: str, order: str) -> list[Parsed]:
    out = [Parsed(m.group(1), m.start(), m.end()) for m in _CURRENCY_CODE.finditer(text)]
    for match in _CURRENCY_SYMBOL.finditer(text):
        symbol = match.group(0)
        code = CURRENCY_SYMBOLS.get(symbol) or ("INR" if symbol.startswith("Rs") else "RUB")
        out.append(Parsed(code, match.start(), match.end(), exact=False))
    return sorted(out, key=lambda p: p.start)


def _names(text: str, order: str) -> list[Parsed]:
    stripped = text.strip(" :-–|")
    start = text.find(stripped) if stripped else 0
    parts = re.split(r"\s*(?:●|•|·|\s[-–|]\s)\s*", stripped)
    name = parts[0].strip(" ,;") if parts else ""
    if len(name) < 2 or not any(c.isalpha() for c in name) or len(name) > 80:
        return []
    return [Parsed(name, start, start + len(name), exact=bool(_LEGAL_FORM.search(fold(name))))]


def has_legal_form(text: str) -> bool:
    return bool(_LEGAL_FORM.search(fold(text)))


_PARSERS = {
    "date": _dates,
    "amount": _amounts,
    "id": _ids,
    "reference": _references,
    "vat": _vat_ids,
    "registry": _registry,
    "iban": _ibans,
    "bic": _bics,
    "currency": _currencies,
    "name": _names,
}
