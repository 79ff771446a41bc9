"""Does each line net and each percentage allowance or charge follow from its own figures?

EN 16931 defines a line's net amount (BT-131) as quantity x net price / price base
quantity (BT-129 x BT-146 / BT-149) - line allowances + line charges (BG-27/28), and an
allowance or charge with a base amount and a percentage as base x percentage / 100. The
stated amount is what is booked, so a disagreement is a review finding, not a reason to
recompute.

Rounding: each stated figure is read as rounded at its last significant decimal, and at
least to hundredths (a price of 2.7700 may be 2.773 rounded; 0.1000 is taken to the
cent), so a line may differ by half a price step times the quantity, plus half a step of
its own net (a whole unit in currencies invoiced without minor units, such as HUF).

Readings: real documents that pass the official EN 16931 rules state some lines in
other ways (the CEN and FeRD examples among them): the price base quantity repeating the
price or the quantity, a price for the whole line, a credit line stated negative, a price
per 10, 100 or 1,000 units or per year without a base quantity that says so, a quantity
of one whose price is a rate, and a percentage applied to part of its base. Where one of
these reconciles the figures the finding is a warning that names it; where none does, it
is an error. Formats without the EN 16931 line model (Finvoice, Estonian e-invoice) warn.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from payables.einvoice.model import AllowanceCharge, Line

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
HALF = Decimal("0.5")
# Currencies whose invoices round amounts to whole units: ISO 4217 minor unit 0, and the
# forint, whose fillér has long gone out of use (ISO still lists two decimals).
WHOLE_UNIT_CURRENCIES = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "HUF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX"}
    | {"UYI", "VND", "VUV", "XAF", "XOF", "XPF"}
)
# A price stated for a batch of units with no price base quantity (BT-149) to say so.
BATCHES = (10, 100, 1000)
# A price stated for a year on a line that bills part of it.
PERIODS = ((4, "a quarter"), (12, "a month"))

Verdict = tuple[str, str]  # (severity, message)


def check_line_net(
    line: Line, *, label: str, tolerance: Decimal, currency: str = "", strict: bool = True
) -> Verdict | None:
    """The line net against quantity x price / base - allowances + charges, or None if it holds."""
    quantity, price = line.quantity, line.net_price
    if quantity is None or price is None:
        return None
    base = line.price_base_quantity if line.price_base_quantity else Decimal(1)
    charges = net_charges(line.allowances_charges)
    computed = quantity * price / base + charges
    stated = line.line_net
    rounding = _half_step(stated, currency) + _half_step(price) * abs(quantity / base)
    difference = abs(stated - computed)
    if difference <= rounding:
        return None
    figures = _line_figures(line, base, charges, computed)
    if difference <= rounding + tolerance:
        return "warning", (
            f"Line {label} net amount (BT-131): the document states {stated}; {figures} "
            f"(difference {_shown(difference)}, within the rounding tolerance)"
        )
    for value, reading in _line_readings(line, quantity, price, charges):
        if abs(stated - value) <= rounding + tolerance:
            return "warning", (
                f"Line {label} net amount (BT-131): the document states {stated}; {figures}. "
                f"They agree if {reading}; the stated line net is booked"
            )
    return ("error" if strict else "warning"), (
        f"Line {label} net amount (BT-131): the document states {stated}; {figures} "
        f"(difference {_shown(difference)}, beyond rounding). The stated line net is booked: "
        "check the quantity and the price"
    )


def check_percentage(
    charge: AllowanceCharge, *, tolerance: Decimal, strict: bool = True
) -> Verdict | None:
    """An allowance or charge amount against base x percentage / 100, or None if it holds."""
    base, percentage = charge.base_amount, charge.percentage
    if base is None or percentage is None:
        return None
    what = "Charge" if charge.is_charge else "Allowance"
    computed = base * percentage / HUNDRED
    stated = charge.amount
    rounding = (
        _half_step(stated)
        + _half_step(percentage) * abs(base) / HUNDRED
        + _half_step(base) * abs(percentage) / HUNDRED
    )
    difference = abs(stated - computed)
    if difference <= rounding:
        return None
    figures = f"the document states {stated}; base {base} x {percentage} % gives {_shown(computed)}"
    if difference <= rounding + tolerance:
        return "warning", (
            f"{what} amount: {figures} (difference {_shown(difference)}, "
            "within the rounding tolerance)"
        )
    if abs(abs(stated) - abs(computed)) <= rounding + tolerance:
        return "warning", (
            f"{what} amount: {figures}; they agree but for the sign (a correction states "
            "base and percentage with the sign of the amount); the stated amount is booked"
        )
    if (stated >= 0) == (computed >= 0) and abs(stated) < abs(computed):
        return "warning", (
            f"{what} amount: {figures}; the amount is less, as when the percentage applies "
            "to a part of the base (a tax on a statutory share of a premium); the stated "
            "amount is booked"
        )
    return ("error" if strict else "warning"), (
        f"{what} amount: {figures} (difference {_shown(difference)}, beyond rounding). "
        "The stated amount is booked: check the base and the percentage"
    )


def net_charges(charges: Sequence[AllowanceCharge]) -> Decimal:
    """Charges less allowances."""
    return sum((ac.amount if ac.is_charge else -ac.amount for ac in charges), Decimal(0))


def _line_readings(
    line: Line, quantity: Decimal, price: Decimal, charges: Decimal
) -> Iterator[tuple[Decimal, str]]:
    """Other values the line's figures give, each with the reading that gives it."""
    base = line.price_base_quantity
    # Some writers fill BT-149 with the price (the CEN examples) or the quantity (older
    # Odoo Factur-X): a base quantity that repeats either says nothing about the price.
    repeats = bool(base) and base != 1 and base in (price, quantity)
    if repeats:
        what = "price" if base == price else "quantity"
        left_out = f"the price base quantity (BT-149), which repeats the {what}, is left out"
        yield quantity * price + charges, left_out
    unit_base = base if base and not repeats else Decimal(1)
    turned = "the sign is turned (a credit line stated negative with a positive quantity and "
    yield -(quantity * price / unit_base + charges), turned + "price, or the reverse)"
    if quantity != 1:
        yield price + charges, "the price is the amount of the whole line, not a unit price"
    if not base or repeats:  # no price base quantity says what the price is for
        for units in BATCHES:
            per = f"the price is per {units} units though no price base quantity (BT-149) says so"
            yield quantity * price / units + charges, per
        for parts, period in PERIODS:
            yearly = f"the price is for a year and the line bills {period}"
            yield quantity * price / parts + charges, yearly
    if quantity == 1:
        rate = "the price of a line of quantity one is a rate or a reference price (as for "
        yield line.line_net, rate + "a percentage surcharge)"


def _line_figures(line: Line, base: Decimal, charges: Decimal, computed: Decimal) -> str:
    text = f"quantity {line.quantity} x net price {line.net_price}"
    if line.price_base_quantity:
        text += f" / base quantity {base}"
    if line.allowances_charges:
        text += f" {'+' if charges >= 0 else '-'} allowances and charges {abs(charges)}"
    return f"{text} gives {_shown(computed)}"


def _half_step(value: Decimal, currency: str = "") -> Decimal:
    """Half the rounding step of a stated figure: its last significant decimal, at most a
    cent (a whole unit for a whole amount in a currency invoiced without minor units)."""
    if currency.upper() in WHOLE_UNIT_CURRENCIES and value == value.to_integral_value():
        return HALF
    exponent = value.normalize().as_tuple().exponent
    if not isinstance(exponent, int):
        return HALF * CENT
    return HALF * min(Decimal(1).scaleb(exponent), CENT)


def _shown(value: Decimal) -> Decimal:
    """A computed amount as a person reads it: to the cent, or finer where it has more."""
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return value.quantize(Decimal(1).scaleb(max(exponent, -6))).normalize()
    return value.quantize(CENT)
